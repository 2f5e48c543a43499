"""`explain` rendering: findings highlighted with their labels, a findings table, then the verdict."""

from __future__ import annotations

import pytest
from rich.console import Console

from scanner.explanation import CONTEXT_CHARS, LONG_DOC_CHARS, render_explain
from scanner.policy import Classification, Policy, classify, load_policy
from scanner.records import Span


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def render(text: str, spans: list[Span], cls: Classification, doc_id: str = "doc-1") -> str:
    console = Console(record=True, width=100, color_system=None)
    render_explain(text, spans, cls, console, doc_id=doc_id)
    return console.export_text()


def span_of(text: str, value: str, label: str, detector: str = "model", score: float = 0.93) -> Span:
    start = text.index(value)
    return Span(start, start + len(value), label, score, detector)


def test_findings_labels_table_and_tier(policy: Policy) -> None:
    text = "Hi, this is Jane Roe [ops]. Reach me at jane.roe@example.com or 555-0100."
    spans = [
        span_of(text, "Jane Roe", "PERSON"),
        span_of(text, "jane.roe@example.com", "EMAIL", "email", 1.0),
        span_of(text, "555-0100", "PHONE", "phone", 0.8),
    ]
    cls = classify(text, spans, policy)
    out = render(text, spans, cls)
    assert "doc-1" in out
    assert "Jane Roe[PERSON]" in out
    assert "jane.roe@example.com[EMAIL]" in out
    assert "555-0100[PHONE]" in out
    assert "[ops]" in out  # brackets in the document are text, not rich markup
    for cell in ("label", "detector", "score", "email", "0.80", "1.00", str(spans[1].start), str(spans[1].end)):
        assert cell in out
    assert "Tier 3 (on_premise_only)" in out
    assert "Categories: pii" in out
    assert "pii: 1 PERSON, 1 EMAIL, 1 PHONE" in out


def test_markers_are_highlighted_and_reasons_listed(policy: Policy) -> None:
    text = "PRIVILEGED & CONFIDENTIAL\nRe: the term sheet for the acquisition of Corvid Ltd."
    cls = classify(text, [], policy)
    out = render(text, [], cls)
    assert "PRIVILEGED & CONFIDENTIAL[privileged]" in out
    assert "term sheet[m_and_a]" in out
    assert "Tier 4 (prohibited)" in out
    assert "privileged: marker 'Privileged & Confidential'" in out
    assert "no findings" in out


def test_long_documents_show_context_only(policy: Policy) -> None:
    filler = "lorem ipsum dolor sit amet " * 400
    text = filler + "Contact Jane Roe today. " + filler
    assert len(text) > LONG_DOC_CHARS
    spans = [span_of(text, "Jane Roe", "PERSON")]
    out = render(text, spans, classify(text, spans, policy))
    assert "Jane Roe[PERSON]" in out
    assert "chars omitted" in out and "…" in out
    assert len(out) < 2 * (2 * CONTEXT_CHARS) + 3_000  # far less than the 21k-char document


def test_public_document_and_control_characters(policy: Policy) -> None:
    text = "Plain public text.\x1b[31m red?\r\nEnd."
    out = render(text, [], classify(text, [], policy), doc_id="")
    assert "Tier 1 (any_llm_api)" in out
    assert "document" in out
    assert "\x1b" not in out


def test_overlapping_spans_are_all_in_the_table(policy: Policy) -> None:
    text = "Dr. Jane Roe visited."
    spans = [Span(0, 12, "PERSON", 0.9, "model"), Span(4, 12, "PERSON", 0.7, "rules")]
    out = render(text, spans, classify(text, spans, policy))
    assert out.count("Jane Roe") == 1
    assert "Dr. Jane Roe[PERSON]" in out
    assert "rules" in out and "model" in out
