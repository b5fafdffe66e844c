"""Name matching that survives transliteration and spelling variants.

Every name is folded to ASCII (anyascii: "Nguyễn Văn A" -> "Nguyen Van A", Thai or Chinese
script to a romanisation), lower-cased and given a phonetic key per word (metaphone). A
query matches a name when their romanised forms are close (rapidfuzz token ratio) or their
phonetic keys agree. Aliases recorded by officers ("Tse Chi Lop" / "Xie Zhiliang") match
because each alias is a name of its own."""

import re

import jellyfish
from anyascii import anyascii
from rapidfuzz import fuzz

THRESHOLD = 85.0


def romanise(name: str) -> str:
    text = anyascii(name).lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def phonetic(name: str) -> str:
    return " ".join(jellyfish.metaphone(word) for word in romanise(name).split())


def score(query: str, romanised: str, phonetic_key: str) -> float:
    q = romanise(query)
    if not q:
        return 0.0
    # Word order and word breaks vary between romanisations ("Xie Zhi Liang", "Xie Zhiliang").
    text = max(
        fuzz.token_sort_ratio(q, romanised),
        fuzz.ratio(q.replace(" ", ""), romanised.replace(" ", "")),
    )
    if len(q.split()) >= 2:
        # Two or more words all found in a longer recorded name ("Chen Jia" in "Chen Jia Ming");
        # a single word would match every namesake, so it must match the whole name.
        text = max(text, fuzz.token_set_ratio(q, romanised) * 0.97)
    sound = fuzz.token_sort_ratio(phonetic(query), phonetic_key) if phonetic_key else 0.0
    # Sound alone is weaker evidence than spelling: it is discounted a little.
    return max(text, sound * 0.95)
