"""BIO decoding over words, on the shipped tokenizer's real offsets and word ids.

The tag arrays are written by hand here: they are the decoder's input, and fixing them is what lets
each rule of the decoder be checked on its own (the model's own tags are covered by the pipeline tests).
"""

from __future__ import annotations

import numpy as np
import pytest

from scanner.decode import decode_spans
from scanner.model import ModelInfo
from scanner.windows import rust_tokenizer, tokenize

ID2TAG = ModelInfo.resolve(None).id2tag
TAG2ID = {t: i for i, t in enumerate(ID2TAG)}


@pytest.fixture(scope="module")
def tok(hf_tokenizer):
    return rust_tokenizer(hf_tokenizer)


def decode(tok, text: str, word_tags: dict[str, tuple[str, float]]):
    """Tag the first sub-word of each listed word (by its text); every other token gets O."""
    t = tokenize(tok, [text])[0]
    ids = np.zeros(len(t), dtype=np.int16)
    scores = np.full(len(t), 0.99, dtype=np.float32)
    seen: set[int] = set()
    for k, (w, (a, _b)) in enumerate(zip(t.word_ids.tolist(), t.offsets.tolist())):
        if w in seen:
            continue
        seen.add(w)
        # A word is everything between its first sub-word's start and its last sub-word's end.
        last = max(j for j, x in enumerate(t.word_ids.tolist()) if x == w)
        word = text[a : t.offsets[last, 1]]
        if word in word_tags:
            tag, p = word_tags[word]
            ids[k], scores[k] = TAG2ID[tag], p
    spans = decode_spans(ids, scores, t.offsets, t.word_ids, ID2TAG, text)
    return [(text[s.start : s.end], s.label, round(s.score, 4)) for s in spans]


def test_words_join_into_one_span_with_the_mean_score(tok) -> None:
    text = "Patient Anna Kowalczyk was seen"
    got = decode(tok, text, {"Anna": ("B-PERSON", 0.9), "Kowalczyk": ("I-PERSON", 0.7)})
    # "Kowalczyk" is several sub-words: the span covers the whole word, never part of it.
    assert got == [("Anna Kowalczyk", "PERSON", 0.8)]


def test_b_tag_starts_a_new_span_and_label_change_splits(tok) -> None:
    text = "Anna, Bob 5550100 today"
    got = decode(tok, text, {"Anna": ("B-PERSON", 0.9), "Bob": ("B-PERSON", 0.9),
                             "5550100": ("I-PHONE", 0.6)})
    # A stray I- tag with no span of its label to continue starts one rather than being dropped.
    assert got == [("Anna", "PERSON", 0.9), ("Bob", "PERSON", 0.9), ("5550100", "PHONE", 0.6)]


@pytest.mark.parametrize(("text", "joined"), [
    ("Zions NA Preference Shares", True),  # one space: the model split one name
    ("Zions, NA Preference Shares", False),  # punctuation between: two names
    ("Zions  NA Preference Shares", False),  # two spaces: columns
    ("Zions\tNA Preference Shares", False),
])
def test_a_b_tag_one_space_after_its_own_name_label_continues_it(tok, text, joined) -> None:
    tags = {"Zions": ("B-ORGANIZATION", 0.9), "NA": ("B-ORGANIZATION", 0.7), "Preference": ("I-ORGANIZATION", 0.7),
            "Shares": ("I-ORGANIZATION", 0.7)}
    got = [(t, label) for t, label, _ in decode(tok, text, tags)]
    assert got == ([("Zions NA Preference Shares", "ORGANIZATION")] if joined
                   else [("Zions", "ORGANIZATION"), ("NA Preference Shares", "ORGANIZATION")])
    # Not for identifiers: two phone numbers one space apart stay two.
    two = decode(tok, "5550100 5550199", {"5550100": ("B-PHONE", 0.9), "5550199": ("B-PHONE", 0.9)})
    assert [t for t, _, _ in two] == ["5550100", "5550199"]


@pytest.mark.parametrize(("text", "tags", "want"), [
    # a company that starts with a family name or a place: one ORGANIZATION
    ("Kayne Anderson Energy Fund", {"Kayne": "B-PERSON", "Anderson": "I-ORGANIZATION", "Energy": "I-ORGANIZATION",
                                    "Fund": "I-ORGANIZATION"}, ("Kayne Anderson Energy Fund", "ORGANIZATION")),
    ("Tokyo Plast Ltd", {"Tokyo": "B-LOCATION", "Plast": "I-ORGANIZATION", "Ltd": "I-ORGANIZATION"},
     ("Tokyo Plast Ltd", "ORGANIZATION")),
    # a person's first name read as a place: one PERSON, whichever piece came first
    ("Ihor Terekhov", {"Ihor": "B-LOCATION", "Terekhov": "I-PERSON"}, ("Ihor Terekhov", "PERSON")),
    ("Lorna Gathercole", {"Lorna": "B-PERSON", "Gathercole": "I-LOCATION"}, ("Lorna Gathercole", "PERSON")),
    ("Crohn disease", {"Crohn": "B-PERSON", "disease": "I-MEDICAL"}, ("Crohn disease", "MEDICAL")),
])
def test_an_i_tag_of_another_name_label_continues_the_entity(tok, text, tags, want) -> None:
    got = decode(tok, text, {w: (t, 0.8) for w, t in tags.items()})
    assert [(g[0], g[1]) for g in got] == [want]


def test_a_b_tag_of_another_name_label_still_splits(tok) -> None:
    text = "Ann Paris"
    got = decode(tok, text, {"Ann": ("B-PERSON", 0.9), "Paris": ("B-LOCATION", 0.9)})
    assert got == [("Ann", "PERSON", 0.9), ("Paris", "LOCATION", 0.9)]


def test_line_break_and_tab_end_a_span_except_for_addresses(tok) -> None:
    text = "Anna\nSmith\t12 Main Street\nSpringfield"
    got = decode(tok, text, {"Anna": ("B-PERSON", 0.9), "Smith": ("I-PERSON", 0.9),
                             "12": ("B-STREET_ADDRESS", 0.9), "Main": ("I-STREET_ADDRESS", 0.9),
                             "Street": ("I-STREET_ADDRESS", 0.9), "Springfield": ("I-STREET_ADDRESS", 0.9)})
    assert got == [("Anna", "PERSON", 0.9), ("Smith", "PERSON", 0.9),
                   ("12 Main Street\nSpringfield", "STREET_ADDRESS", 0.9)]


def test_touching_pieces_become_one_span(tok) -> None:
    text = "ref 907-10-767 ok"
    t = tokenize(tok, [text])[0]
    # Tag every token of "907-10-767" as its own B- word: no character between them, so one span.
    ids = np.array([TAG2ID["B-ID_NUMBER"] if 4 <= a < 14 else 0 for a, _ in t.offsets.tolist()],
                   dtype=np.int16)
    spans = decode_spans(ids, np.full(len(t), 0.5, np.float32), t.offsets, t.word_ids, ID2TAG, text)
    assert [(text[s.start : s.end], s.label) for s in spans] == [("907-10-767", "ID_NUMBER")]


def test_nothing_tagged_and_empty_input(tok) -> None:
    assert decode(tok, "nothing to see here", {}) == []
    empty = np.zeros(0, dtype=np.int16)
    assert decode_spans(empty, empty.astype(np.float32), np.zeros((0, 2), np.int64), empty, ID2TAG, "") == []
