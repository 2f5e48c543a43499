"""Turn per-token tag probabilities into word-level character spans.

Why word level: the tokenizer splits "Kowalczyk" into sub-words; a redaction that stops inside a word
leaks the rest of it. A word's tag is the tag of its first sub-word (that is what the model was trained
to predict), and a span always covers whole words.
"""

from __future__ import annotations

import numpy as np

from .records import Span


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32 (numerically stable)."""
    z = logits.astype(np.float32, copy=False)
    z = z - z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def decode_spans(tag_ids: np.ndarray, tag_scores: np.ndarray, offsets: np.ndarray,
                  word_ids: np.ndarray, id2tag: list[str]) -> list[Span]:
    """BIO decoding over words.

    ``tag_ids``/``tag_scores`` are the winning tag and its probability per token (keeping only these,
    not the full [n_tokens, n_tags] matrix, keeps a 50 MB document's memory small); ``offsets``
    [n_tokens, 2]; ``word_ids`` [n_tokens]. An I- tag that
    does not continue a span of its label starts one (the model is sometimes unsure about B vs I, and
    dropping the entity would be worse). Score = mean over the span's words of the winning tag's prob.
    """
    n = tag_ids.shape[0]
    if n == 0:
        return []
    # First token of each word carries the word's tag; the word extends to its last token's end.
    first = np.ones(n, dtype=bool)
    first[1:] = word_ids[1:] != word_ids[:-1]
    word_first = np.flatnonzero(first)
    word_last = np.append(word_first[1:] - 1, n - 1)
    word_tags = tag_ids[word_first]
    if not word_tags.any():
        return []
    word_scores = tag_scores[word_first]
    spans: list[Span] = []
    cur_label: str | None = None
    cur_start = cur_end = 0
    cur_scores: list[float] = []

    def close() -> None:
        if cur_label is not None:
            spans.append(Span(cur_start, cur_end, cur_label, float(np.mean(cur_scores)), "model"))

    # Only words that are tagged, or that follow a tagged word (to close its span), need a visit;
    # consecutive visited words are adjacent words, so an I- tag always continues its neighbour.
    tagged = word_tags != 0
    visit = tagged.copy()
    visit[1:] |= tagged[:-1]
    for w in np.flatnonzero(visit):
        tag = id2tag[word_tags[w]]
        start = int(offsets[word_first[w], 0])
        end = int(offsets[word_last[w], 1])
        if tag == "O":
            close()
            cur_label = None
            continue
        prefix, label = tag[0], tag[2:]
        if prefix == "I" and cur_label == label:
            cur_end = end
            cur_scores.append(float(word_scores[w]))
            continue
        close()
        cur_label, cur_start, cur_end, cur_scores = label, start, end, [float(word_scores[w])]
    close()
    return spans

