from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.labels import LABELS
from scanner.merge import merge_spans
from scanner.records import Span
from scanner.rules import DenyTerm, RulesConfig, authoritative_labels, build_detectors, find_all

CFG = RulesConfig()
RULE_LABELS = frozenset({"CREDIT_CARD", "EMAIL", "PHONE", "SECRET", "PASSWORD", "URL", "IP_ADDRESS"})


def m(start: int, end: int, label: str, score: float = 0.9) -> Span:
    return Span(start, end, label, score, "model")


def r(start: int, end: int, label: str, detector: str = "rule", score: float = 1.0) -> Span:
    return Span(start, end, label, score, detector)


def texts(spans: list[Span], text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def test_rule_wins_on_its_type_over_a_longer_model_span() -> None:
    text = "card 4111 1111 1111 1111 exp 12/25"
    model = [m(5, 34, "PHONE", 0.99)]  # longer and confident, but the card rule is authoritative
    rule = [r(5, 24, "CREDIT_CARD", "card")]
    out = merge_spans(model, rule, RULE_LABELS, CFG, text)
    assert texts(out, text) == [("4111 1111 1111 1111", "CREDIT_CARD")]


def test_non_authoritative_rule_competes_on_length() -> None:
    text = "Jane Smith Inc."
    out = merge_spans([m(0, 15, "ORGANIZATION")], [r(0, 10, "PERSON")], frozenset(), CFG, text)
    assert texts(out, text) == [("Jane Smith Inc.", "ORGANIZATION")]


def test_longer_wins_then_higher_score() -> None:
    text = "Dr. Jane Smith"
    out = merge_spans([m(4, 14, "PERSON", 0.6), m(4, 8, "PERSON", 0.99)], [], RULE_LABELS, CFG, text)
    assert texts(out, text) == [("Jane Smith", "PERSON")]
    out = merge_spans([m(4, 14, "PERSON", 0.6), m(4, 14, "ORGANIZATION", 0.8)], [], RULE_LABELS, CFG, text)
    assert texts(out, text) == [("Jane Smith", "ORGANIZATION")]


def test_thresholds_drop_low_model_spans_only() -> None:
    text = "Jane met Bob at ACME"
    cfg = replace(CFG, default_threshold=0.5, thresholds={"PERSON": 0.8})
    model = [m(0, 4, "PERSON", 0.79), m(9, 12, "PERSON", 0.85), m(16, 20, "ORGANIZATION", 0.4)]
    rule = [r(16, 20, "ORGANIZATION", "custom:acme", 0.3)]
    out = merge_spans(model, rule, frozenset({"ORGANIZATION"}), cfg, text)
    assert texts(out, text) == [("Bob", "PERSON"), ("ACME", "ORGANIZATION")]
    assert out[1].detector == "custom:acme"


def test_address_pieces_merge_into_one_street_address() -> None:
    text = "Send to 12 Main St, Springfield\nIL 62704 today"
    model = [m(8, 18, "STREET_ADDRESS", 0.9), m(20, 31, "LOCATION", 0.7), m(32, 40, "LOCATION", 0.8)]
    out = merge_spans(model, [], RULE_LABELS, CFG, text)
    assert texts(out, text) == [("12 Main St, Springfield\nIL 62704", "STREET_ADDRESS")]
    assert out[0].score == 0.7 and out[0].detector == "model"


def test_address_pieces_not_merged_across_other_text_or_without_a_street() -> None:
    text = "Paris, France and 12 Main St\n\nBoston"
    model = [m(0, 5, "LOCATION"), m(7, 13, "LOCATION"), m(18, 28, "STREET_ADDRESS"), m(30, 36, "LOCATION")]
    out = merge_spans(model, [], RULE_LABELS, CFG, text)
    assert texts(out, text) == [
        ("Paris", "LOCATION"),
        ("France", "LOCATION"),
        ("12 Main St", "STREET_ADDRESS"),
        ("Boston", "LOCATION"),  # a blank line is not "one address"
    ]


def test_allow_list_values_and_patterns_are_never_flagged() -> None:
    text = "Mail support@example.com or jane@corp.com; ACME Corp says hi"
    cfg = replace(
        CFG,
        allow_values=frozenset({"acme corp"}),
        allow_patterns=(re.compile(r"(?i)[a-z.]+@example\.com"),),
    )
    model = [m(43, 52, "ORGANIZATION")]
    rule = [r(5, 24, "EMAIL", "email"), r(28, 41, "EMAIL", "email")]
    out = merge_spans(model, rule, RULE_LABELS, cfg, text)
    assert texts(out, text) == [("jane@corp.com", "EMAIL")]


def test_deny_list_always_flagged_and_wins() -> None:
    cfg = replace(
        CFG, deny_list=(DenyTerm("Project Falcon", "ORGANIZATION"),), allow_values=frozenset({"project falcon"})
    )
    dets = build_detectors(cfg)
    text = "The PROJECT  FALCON launch; falconry is fine."
    rule = find_all(dets, text)
    model = [m(4, 26, "PERSON", 0.99)]  # longer, but the deny term must survive
    out = merge_spans(model, rule, authoritative_labels(dets), cfg, text)
    assert texts(out, text) == [("PROJECT  FALCON", "ORGANIZATION")]
    assert out[0].detector == "deny"


def test_end_to_end_with_real_detectors() -> None:
    cfg = RulesConfig()
    dets = build_detectors(cfg)
    text = "Jane (jane@x.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 from 10.0.0.1; password=hunter22"
    rule = find_all(dets, text)
    model = [m(0, 4, "PERSON"), m(46, 65, "PHONE", 0.95), m(6, 16, "PERSON", 0.3)]
    out = merge_spans(model, rule, authoritative_labels(dets), cfg, text)
    assert texts(out, text) == [
        ("Jane", "PERSON"),
        ("jane@x.com", "EMAIL"),
        ("+44 20 7946 0958", "PHONE"),
        ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("10.0.0.1", "IP_ADDRESS"),
        ("hunter22", "PASSWORD"),
    ]


_TEXT = "x" * 60
_span = st.builds(
    lambda a, n, label, score, det: Span(a, min(60, a + n), label, score, det),
    st.integers(0, 59),
    st.integers(1, 15),
    st.sampled_from(LABELS),
    st.floats(0.0, 1.0),
    st.sampled_from(["model", "email", "card", "deny", "custom:x"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_span, max_size=25), st.lists(_span, max_size=25), st.sets(st.sampled_from(LABELS)))
def test_random_span_sets_never_overlap(model: list[Span], rule: list[Span], rule_labels: set[str]) -> None:
    model = [replace(s, detector="model") for s in model]
    out = merge_spans(model, rule, frozenset(rule_labels), CFG, _TEXT)
    for a, b in zip(out, out[1:]):
        assert a.end <= b.start  # sorted, no overlaps
    # Every output span is an input span, or address pieces joined (the text has no separators, so only
    # directly adjacent pieces join).
    inputs = {(s.start, s.end) for s in model + rule}
    for s in out:
        assert (s.start, s.end) in inputs or s.label == "STREET_ADDRESS"
    # Deny spans survive unless another deny span beat them.
    denies = [s for s in rule if s.detector == "deny"]
    kept = set(out)
    for d in denies:
        if d not in kept:
            assert any(o.overlaps(d) for o in out)


@settings(max_examples=200, deadline=None)
@given(st.lists(_span, max_size=25))
def test_every_dropped_span_overlaps_a_kept_one(spans: list[Span]) -> None:
    # Longer than one letter: a one-letter PERSON fails the form check, which is not merging's doing.
    model = [replace(s, detector="model", score=1.0, label="PERSON") for s in spans if s.end - s.start > 1]
    out = merge_spans(model, [], frozenset(), CFG, _TEXT)
    for s in model:
        assert s in out or any(o.overlaps(s) for o in out)
