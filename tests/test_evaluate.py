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


def test_overlap_pairs_a_prediction_with_the_gold_it_overlaps_most():
    # p1 (paired first: it starts first) overlaps g1 by 3 characters and g2 by 7: it takes g2, so p2,
    # inside g1 only, still takes g1 (2 hits). Pairing p1 with the first gold it touches would leave p2
    # nothing: 1 hit.
    gold = [[g(0, 8, "PERSON"), g(9, 17, "PERSON")]]
    pred = [[g(6, 8, "PERSON"), g(5, 16, "PERSON")]]
    p = score([TEXT], gold, pred).overlap["PERSON"]
    assert (p.tp, p.fp, p.fn) == (2, 0, 0)


def test_touching_spans_do_not_overlap_and_duplicates_count_once():
    # [0, 4) and [4, 8) share no character; a prediction given twice is one hit and one false positive.
    rep = score([TEXT], [[g(0, 4, "PERSON")]], [[g(4, 8, "PERSON")]])
    assert (rep.overlap["PERSON"].tp, rep.overlap["PERSON"].fp, rep.overlap["PERSON"].fn) == (0, 1, 1)
    rep = score([TEXT], [[g(0, 8, "PERSON")]], [[g(0, 8, "PERSON"), g(0, 8, "PERSON")]])
    for table in (rep.exact, rep.overlap):
        assert (table["PERSON"].tp, table["PERSON"].fp, table["PERSON"].fn) == (1, 1, 0)


def test_character_scores_are_label_agnostic_and_count_each_character_once():
    # gold PERSON "Jane Doe" (7 non-space chars); two overlapping predictions under another label
    # cover "Jane" and "e Doe": every gold character once, nothing outside it.
    rep = score([TEXT], [[g(0, 8, "PERSON")]], [[g(0, 4, "LOCATION"), g(3, 8, "DATE")]])
    assert (rep.char.tp, rep.char.fp, rep.char.fn) == (7, 0, 0)
    assert rep.micro(rep.overlap).tp == 0  # while no labelled span matches


def test_scores_add_up_over_documents_and_as_dict_rounds():
    texts = [TEXT, "Call 415-555-0100 now."]
    gold = [[g(0, 8, "PERSON")], [g(5, 17, "PHONE")]]
    pred = [[g(0, 8, "PERSON"), g(27, 32, "LOCATION")], []]
    d = score(texts, gold, pred).as_dict()
    assert d["n_docs"] == 2
    assert (d["micro_exact"]["tp"], d["micro_exact"]["fp"], d["micro_exact"]["fn"]) == (1, 1, 1)
    assert d["micro_exact"]["f1"] == 0.5 and d["per_label"]["PHONE"]["overlap"]["recall"] == 0.0
    assert d["char"]["recall"] == round(7 / (7 + 12), 4)


def test_load_labeled_maps_labels_drops_unmapped_and_names_bad_lines(tmp_path):
    import gzip
    import json

    import pytest

    from scanner.evaluate import load_labeled

    rows = [{"id": "a", "text": "Jane in Paris", "spans": [g(0, 4, "PER"), g(8, 13, "GPE"), g(5, 7, "X")]},
            {"text": "no spans, no id"}]
    path = tmp_path / "gold.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n")
    got = load_labeled(path, {"PER": "PERSON", "GPE": "LOCATION", "X": None})
    assert got == [{"id": "a", "text": "Jane in Paris", "spans": [g(0, 4, "PERSON"), g(8, 13, "LOCATION")]},
                   {"id": "3", "text": "no spans, no id", "spans": []}]  # id: the line number
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rows[0]) + '\n{"spans": []}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: not a labelled record"):
        load_labeled(bad)
    bad.write_text('{"text": "x"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: not JSON"):
        load_labeled(bad)
