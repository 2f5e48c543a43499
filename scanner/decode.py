"""Turn per-token tag probabilities into word-level character spans.

Why word level: the tokenizer splits "Kowalczyk" into sub-words; a redaction that stops inside a word
leaks the rest of it. A word's tag is the tag of its first sub-word (that is what the model was trained
to predict), and a span always covers whole words.
"""

from __future__ import annotations

import numpy as np

from .records import Span

# Names of things, whose first word the model often reads as another kind of name ("Kayne" PERSON in
# "Kayne Anderson Energy Fund Inc.", "Ihor" LOCATION in "Ihor Terekhov"). An I- tag of one of these
# right after a span of another says the entity began earlier: the words are one entity, labelled by
# the most specific label among them (an organisation or an address contains names of people and
# places; a person's name is taken for a place more often than the reverse).
NAME_RANK = {"STREET_ADDRESS": 4, "ORGANIZATION": 3, "MEDICAL": 3, "PERSON": 2, "LOCATION": 1}

# Two names of one kind with nothing but a space between them are one name the model split ("Zions"
# "NA Preference Shares", "Þór" "Þóroddsson"): distinct names in running text are separated by
# punctuation or a word ("and"), and columns by a tab or several spaces.
SPLIT_NAME_GAP = " "

# Entities that legitimately run over line breaks (postal addresses, PEM key blocks).
MULTILINE_LABELS = frozenset({"STREET_ADDRESS", "SECRET"})


def _breaks(text: str | None, end: int, start: int, label: str) -> bool:
    """A tab (a column boundary) or a line break ends an entity, except for multi-line labels."""
    if text is None or start <= end:
        return False
    gap = text[end:start]
    return "\t" in gap or ("\n" in gap and label not in MULTILINE_LABELS)


def join_touching(spans: list[Span]) -> list[Span]:
    """Pieces with no character between them are one token split by punctuation ("907" "-10-767"):
    a span must not end inside a whitespace-delimited token, so they become one span (longer label)."""
    out: list[Span] = []
    for s in spans:
        if out and out[-1].end == s.start:
            prev = out[-1]
            label = prev.label if prev.length >= s.length else s.label
            out[-1] = Span(prev.start, s.end, label, min(prev.score, s.score), prev.detector)
        else:
            out.append(s)
    return out


def _model_span(start: int, end: int, label: str, word_scores: list[float]) -> Span:
    return Span(start, end, label, sum(word_scores) / len(word_scores), "model")


def decode_spans(tag_ids: np.ndarray, tag_scores: np.ndarray, offsets: np.ndarray,
                 word_ids: np.ndarray, id2tag: list[str], text: str | None = None) -> list[Span]:
    """BIO decoding over words.

    ``tag_ids``/``tag_scores`` are the winning tag and its probability per token (keeping only these,
    not the full [n_tokens, n_tags] matrix, keeps a 50 MB document's memory small); ``offsets``
    [n_tokens, 2]; ``word_ids`` [n_tokens]. An I- tag that does not continue a span of its label starts
    one (the model is sometimes unsure about B vs I, and dropping the entity would be worse), except
    after a span of another ``NAME_RANK`` label, which it continues. A B- tag of a ``NAME_RANK`` label
    one space after a span of the same label continues it too (``SPLIT_NAME_GAP``). With
    ``text``, spans never continue over a tab, nor over a line break unless the label is multi-line.
    Score = mean over the span's words of the winning tag's probability.
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
    # Only words that are tagged, or that follow a tagged word (to close its span), need a visit;
    # consecutive visited words are adjacent words, so an I- tag always continues its neighbour.
    # Plain Python lists from here on: indexing numpy scalars one at a time costs more than the loop.
    tagged = word_tags != 0
    visit = tagged.copy()
    visit[1:] |= tagged[:-1]
    idx = np.flatnonzero(visit)
    tags = word_tags[idx].tolist()
    scores = tag_scores[word_first[idx]].tolist()
    starts = offsets[word_first[idx], 0].tolist()
    ends = offsets[word_last[idx], 1].tolist()
    spans: list[Span] = []
    cur_label: str | None = None
    cur_start = cur_end = 0
    cur_scores: list[float] = []
    cur_labels: set[str] = set()

    def close() -> None:
        label = max(cur_labels, key=NAME_RANK.__getitem__) if len(cur_labels) > 1 else cur_label
        spans.append(_model_span(cur_start, cur_end, label, cur_scores))

    for tag_id, score, start, end in zip(tags, scores, starts, ends):
        tag = id2tag[tag_id]
        if tag == "O":
            if cur_label is not None:
                close()
            cur_label = None
            continue
        prefix, label = tag[0], tag[2:]
        if (prefix == "B" and cur_label == label and label in NAME_RANK and text is not None
                and text[cur_end:start] == SPLIT_NAME_GAP):
            prefix = "I"
        if (prefix == "I" and cur_label is not None
                and (cur_label == label or label in NAME_RANK and cur_label in NAME_RANK)
                and not _breaks(text, cur_end, start, label)
                and (cur_label == label or not _breaks(text, cur_end, start, cur_label))):
            cur_end = end
            cur_scores.append(score)
            cur_labels.add(label)
            cur_label = label
            continue
        if cur_label is not None:
            close()
        cur_label, cur_start, cur_end, cur_scores = label, start, end, [score]
        cur_labels = {label}
    if cur_label is not None:
        close()
    return join_touching(spans)

