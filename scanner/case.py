"""Letter case as a model input: the encoder is uncased, so "Frank" the name and "frank" the word
reach it as the same token.

A model trained with case features (``config.json``: ``"case_features": true``) reads each token's
*word* case class as its ``token_type_ids``: BERT's segment embedding, unused by a single-segment
token classifier, widened to ``N_CLASSES`` rows. The architecture stays a stock
``BertForTokenClassification``, so torch, ONNX Runtime and every export path run it unchanged; only
the ids fed in differ. Older models have no such key and get zeros, as before.

The class is the word's, not the subword's: "Johnson" is one Title word whose pieces all say so.
"""

from __future__ import annotations

import numpy as np

CONFIG_KEY = "case_features"
LOWER, TITLE, UPPER, MIXED = 0, 1, 2, 3  # no cased letter counts as LOWER
N_CLASSES = 4


def word_case(word: str) -> int:
    """The case class of one word: ``Frank`` TITLE, ``FRANK`` UPPER, ``iPhone`` MIXED, else LOWER.

    A single capital (``J.``, ``A``) is TITLE: an initial, not an acronym.
    """
    if not word or word.islower() or not any(c.isalpha() for c in word):
        return LOWER
    if word.isupper():
        return UPPER if sum(c.isalpha() for c in word) > 1 else TITLE
    first = next(c for c in word if c.isalpha())
    return TITLE if first.isupper() else MIXED


def case_ids(text: str, offsets: np.ndarray, word_ids: np.ndarray) -> np.ndarray:
    """Per-token case class (int64) of the word each token belongs to; tokens without a word get 0.

    ``offsets`` are ``[n, 2]`` character offsets into ``text``; tokens of one word are contiguous.
    One ``word_case`` call per word and no per-token Python: this runs on every scanned token.
    """
    n = len(word_ids)
    if not n:
        return np.zeros(0, dtype=np.int64)
    words = np.asarray(word_ids)
    starts = np.flatnonzero(np.diff(words, prepend=words[0] - 1) != 0)
    ends = np.append(starts[1:], n)
    firsts = offsets[starts, 0].tolist()
    lasts = offsets[ends - 1, 1].tolist()
    classes = np.fromiter((word_case(text[a:b]) for a, b in zip(firsts, lasts)), dtype=np.int64, count=len(starts))
    classes[words[starts] < 0] = LOWER
    return np.repeat(classes, ends - starts)


def uses_case(config: dict) -> bool:
    """Whether a model (its ``config.json`` as a dict) was trained to read case classes."""
    return bool(config.get(CONFIG_KEY))
