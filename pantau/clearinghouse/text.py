"""Search terms, the same on SQLite and PostgreSQL.

Both databases index the *terms* computed here, never their own parse of the raw text, so a
fixed corpus gives the same result sets on both: SQLite's FTS5 tokenizer (`unicode61
remove_diacritics 2`) meets words that are already single tokens, and PostgreSQL builds the
tsvector from the array of terms (`array_to_tsvector`, configuration-free like 'simple').

- Case and diacritics are folded (Vietnamese "Việt Nam" is found by "viet nam"); no stemming,
  so words of Bahasa, Thai, Vietnamese or Filipino are not mangled by English rules.
- Thai, Lao, Khmer and Burmese are written without spaces between words: their runs are
  indexed as overlapping character bigrams (their combining marks dropped), and a query word
  in those scripts must match all its bigrams. That finds a Thai word wherever it appears,
  at the price of rare false matches (the bigrams present, not adjacent)."""

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")
# Scripts written without spaces between words.
NO_SPACE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")
MAX_TERM = 60


def fold(text: str) -> str:
    """Lower case, without diacritics (every combining mark dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", kept).casefold()


def _bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str) -> list[str]:
    """The search terms of a text, in order (repeated terms kept: ranking counts them)."""
    out: list[str] = []
    for word in WORD.findall(fold(text)):
        pos = 0
        for match in NO_SPACE.finditer(word):
            if match.start() > pos:
                out.append(word[pos : match.start()][:MAX_TERM])
            out.extend(_bigrams(match.group()))
            pos = match.end()
        if pos < len(word):
            out.append(word[pos:][:MAX_TERM])
    return out


def query_terms(query: str) -> list[str]:
    """The distinct terms a query asks for; an item matches when it has all of them."""
    return list(dict.fromkeys(terms(query)))[:20]


def snippet(text: str, query: str, width: int = 220) -> list[tuple[str, bool]]:
    """A passage of `text` around the first query word found, as (piece, is_match) pairs for
    the template to escape and highlight. Matching folds case and diacritics like the index."""
    if not text:
        return []
    folded_chars: list[str] = []
    index: list[int] = []  # folded position -> original position
    for i, ch in enumerate(text):
        f = fold(ch)
        folded_chars.append(f)
        index.extend([i] * len(f))
    folded = "".join(folded_chars)
    words = [w for w in WORD.findall(fold(query)) if w]
    spans: list[tuple[int, int]] = []
    for w in words:
        for m in re.finditer(re.escape(w), folded):
            spans.append((index[m.start()], index[m.end() - 1] + 1))
    spans.sort()
    if spans:
        centre = spans[0][0]
        start = max(0, centre - width // 3)
    else:
        start = 0
    end = min(len(text), start + width)
    pieces: list[tuple[str, bool]] = []
    if start > 0:
        pieces.append(("…", False))
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        pieces.append((text[pos:s], False))
        pieces.append((text[s:e], True))
        pos = e
    pieces.append((text[pos:end], False))
    if end < len(text):
        pieces.append(("…", False))
    return [(p, m) for p, m in pieces if p]
