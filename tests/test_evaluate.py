"""scanner.evaluate.score, the source of every published F1: known cases, worked out by hand."""

from __future__ import annotations

from scanner.evaluate import score
from scanner.records import Span

TEXT = "Jane Doe met John Smith in Paris on 3 May."
#       0    5   9   13   18    24 27    33 36


def g(start, end, label):
    return {"start": start, "end": end, "label": label}


def test_exact_needs_the_same_boundaries_overlap_does_not():
    gold = [[g(0, 8, "PERSON"), g(13, 23, "PERSON")]]
    pred = [[Span(0, 8, "PERSON", 1, "model"), Span(13, 17, "PERSON", 1, "model")]]
    rep = score([TEXT], gold, pred)
    assert (rep.exact["PERSON"].tp, rep.exact["PERSON"].fp, rep.exact["PERSON"].fn) == (1, 1, 1)
    assert (rep.overlap["PERSON"].tp, rep.overlap["PERSON"].fp, rep.overlap["PERSON"].fn) == (2, 0, 0)


def test_overlap_pairs_one_to_one():
    # One long prediction over two gold names counts once; the second gold name is missed.
    rep = score([TEXT], [[g(0, 8, "PERSON"), g(13, 23, "PERSON")]], [[g(0, 23, "PERSON")]])
    p = rep.overlap["PERSON"]
    assert (p.tp, p.fp, p.fn) == (1, 0, 1)
    # Two predictions inside one gold name: one matches, the other is a false positive.
    rep = score([TEXT], [[g(13, 23, "PERSON")]], [[g(13, 17, "PERSON"), g(18, 23, "PERSON")]])
    p = rep.overlap["PERSON"]
    assert (p.tp, p.fp, p.fn) == (1, 1, 0)
    assert round(p.precision, 3) == 0.5 and p.recall == 1.0 and round(p.f1, 3) == 0.667


def test_a_wrong_label_counts_against_both_labels_but_not_label_agnostic():
    rep = score([TEXT], [[g(27, 32, "LOCATION")]], [[g(27, 32, "PERSON")]])
    assert (rep.overlap["LOCATION"].fn, rep.overlap["PERSON"].fp) == (1, 1)
    assert (rep.agnostic_overlap.tp, rep.agnostic_overlap.fp, rep.agnostic_overlap.fn) == (1, 0, 0)


def test_character_scores_skip_whitespace():
    # gold "John Smith" (9 non-space chars); prediction "Smith in" (7 non-space chars, 5 in gold)
    rep = score([TEXT], [[g(13, 23, "PERSON")]], [[g(18, 26, "PERSON")]])
    assert (rep.char.tp, rep.char.fp, rep.char.fn) == (5, 2, 4)


def test_labels_restrict_scoring_and_micro_sums_labels():
    gold = [[g(0, 8, "PERSON"), g(27, 32, "LOCATION"), g(36, 41, "DATE")]]
    pred = [[g(0, 8, "PERSON"), g(36, 41, "DATE")]]
    rep = score([TEXT], gold, pred, labels={"PERSON", "LOCATION"})
    assert set(rep.overlap) == {"PERSON", "LOCATION"}
    micro = rep.micro(rep.overlap)
    assert (micro.tp, micro.fp, micro.fn) == (1, 0, 1)
    assert rep.as_dict()["micro_overlap"]["f1"] == round(2 * 1.0 * 0.5 / 1.5, 4)


def test_empty_documents_score_nothing():
    rep = score(["", TEXT], [[], []], [[], []])
    assert rep.n_docs == 2 and rep.micro(rep.overlap).f1 == 0.0 and rep.char.tp == 0
