"""Name matching that survives transliteration and spelling variants.

Every name is folded to ASCII (anyascii: "Nguyễn Văn A" -> "Nguyen Van A", Thai or Chinese
script to a romanisation), lower-cased and cut into parts (words). Each word of a query must
match some part of one of a record's names (its name or any alias): exactly, once both are
romanised, with one letter different, or by sound (metaphone). So one name typed at a
checkpoint ("Nguyen", "Somchai", "สมชาย") finds every record with that name among its parts,
and every match says which part matched which word, and how. A query whose word breaks
differ from the record's ("Xie Zhi Liang" / "Xie Zhiliang") still matches the name as a whole
(rapidfuzz). Aliases recorded by officers ("Tse Chi Lop" / "Xie Zhiliang") match because each
alias is a name of its own."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import jellyfish
from anyascii import anyascii
from rapidfuzz import fuzz

from .choices import MatchKind

THRESHOLD = 85.0
# What a word's match is worth; a record's score is the mean over the query's words.
WORD_SCORES = {
    MatchKind.EXACT: 100.0,
    MatchKind.TRANSLITERATED: 98.0,
    MatchKind.ONE_EDIT: 90.0,
    MatchKind.PHONETIC: 88.0,
}
# Below four letters one edit turns a name into too many others ("Lo", "Li", "Le", "La").
MIN_EDIT_LENGTH = 4
KEY_LENGTH = 300  # NameToken.key
# Where a name breaks into parts: spaces, hyphens and dashes, punctuation.
_BREAK = re.compile(r"[\s\-\u2010-\u2015,;:/.()\[\]\"'\u2019]+")


def romanise(name: str) -> str:
    text = anyascii(name).lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def phonetic(name: str) -> str:
    return " ".join(jellyfish.metaphone(word) for word in romanise(name).split())


def score(query: str, romanised: str, phonetic_key: str) -> float:
    """How close a query is to a whole recorded name (0-100)."""
    q = romanise(query)
    if not q:
        return 0.0
    # Word order and word breaks vary between romanisations ("Xie Zhi Liang", "Xie Zhiliang").
    text = max(
        fuzz.token_sort_ratio(q, romanised),
        fuzz.ratio(q.replace(" ", ""), romanised.replace(" ", "")),
    )
    if len(q.split()) >= 2:
        # Two or more words all found in a longer recorded name ("Chen Jia" in "Chen Jia Ming").
        text = max(text, fuzz.token_set_ratio(q, romanised) * 0.97)
    sound = fuzz.token_sort_ratio(phonetic(query), phonetic_key) if phonetic_key else 0.0
    # Sound alone is weaker evidence than spelling: it is discounted a little.
    return max(text, sound * 0.95)


@dataclass(frozen=True)
class Part:
    """One word of a name: as written (any script) and romanised."""

    as_written: str
    romanised: str


def parts(name: str) -> list[Part]:
    found: list[Part] = []
    for chunk in _BREAK.split(name):
        # One written word may romanise to several ("Nguyễn-Văn" is split above; CJK is not).
        found.extend(Part(chunk, word) for word in romanise(chunk).split())
    return found


def _word_keys(word: str) -> set[str]:
    keys = {f"w:{word}"}
    sound = jellyfish.metaphone(word)
    if sound:
        keys.add(f"p:{sound}")
    if len(word) >= MIN_EDIT_LENGTH:
        # Symmetric deletions: two words one edit apart (a letter changed, added, dropped or
        # two swapped) share the word itself or one of its one-letter deletions.
        keys.add(f"d:{word}")
        keys.update(f"d:{word[:i]}{word[i + 1 :]}" for i in range(len(word)))
    return keys


def index_keys(name: str) -> set[str]:
    """The keys under which a name is found (NameToken rows), and those a query looks up:
    every word, its sound and its one-letter deletions, and the whole name without breaks.
    Any match `explain` can find shares at least one key (the whole-name fallback only
    through its words or its unbroken form)."""
    words = [p.romanised for p in parts(name)]
    keys: set[str] = set()
    for word in words:
        keys |= _word_keys(word)
    if words:
        keys.add("j:" + "".join(words))
    return {k[:KEY_LENGTH] for k in keys}


@dataclass(frozen=True)
class WordMatch:
    """Why a record matched: which part of which recorded name matched which query word."""

    query: str
    part: str
    name: str
    how: MatchKind
    score: float

    @property
    def how_label(self) -> str:
        return str(self.how.label)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def match_word(q: Part, p: Part) -> MatchKind | None:
    if _fold(q.as_written) == _fold(p.as_written):
        return MatchKind.EXACT
    if q.romanised == p.romanised:
        return MatchKind.TRANSLITERATED
    if (
        min(len(q.romanised), len(p.romanised)) >= MIN_EDIT_LENGTH
        and jellyfish.damerau_levenshtein_distance(q.romanised, p.romanised) == 1
    ):
        return MatchKind.ONE_EDIT
    sound = jellyfish.metaphone(q.romanised)
    if sound and sound == jellyfish.metaphone(p.romanised):
        return MatchKind.PHONETIC
    return None


def explain(query: str, recorded: Iterable[str]) -> tuple[float, list[WordMatch]] | None:
    """The score of a record with these names (and aliases) for the query, and why; None
    when the record does not match."""
    recorded_parts = [(name, parts(name)) for name in recorded]
    words: list[WordMatch] = []
    for q in parts(query):
        best: WordMatch | None = None
        for name, name_parts in recorded_parts:
            for p in name_parts:
                how = match_word(q, p)
                if how is not None and (best is None or WORD_SCORES[how] > best.score):
                    best = WordMatch(q.as_written, p.as_written, name, how, WORD_SCORES[how])
        if best is None:
            words = []
            break
        words.append(best)
    by_words = sum(w.score for w in words) / len(words) if words else 0.0
    by_name, name = max(
        ((score(query, romanise(n), phonetic(n)), n) for n, _ in recorded_parts),
        default=(0.0, ""),
    )
    if words and by_words >= by_name:
        return round(by_words, 1), words
    if by_name >= THRESHOLD:
        whole = WordMatch(query, name, name, MatchKind.WHOLE_NAME, round(by_name, 1))
        return round(by_name, 1), [whole]
    return None
