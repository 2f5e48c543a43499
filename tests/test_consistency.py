"""Document-level consistency: a value found once is reported at each of its exact occurrences."""

from __future__ import annotations

from scanner.consistency import propagate
from scanner.records import Span


def spans_of(text: str, *items: tuple[str, str, float]) -> list[Span]:
    out = []
    for value, label, score in items:
        i = text.index(value)
        out.append(Span(i, i + len(value), label, score, "model"))
    return sorted(out, key=lambda s: s.start)


def found(text: str, spans: list[Span]) -> list[tuple[str, str, bool]]:
    return [(text[s.start:s.end], s.label, s.propagated) for s in spans]


def test_a_found_value_is_found_again_elsewhere():
    text = "Mail jane.roe@example.com now. Copy: jane.roe@example.com, and jane.roe@example.comx."
    out = propagate(spans_of(text, ("jane.roe@example.com", "EMAIL", 0.9)), text)
    assert found(text, out) == [("jane.roe@example.com", "EMAIL", False), ("jane.roe@example.com", "EMAIL", True)]
    assert out[1].score == 0.9 and out[1].detector == "model"


def test_a_confident_full_name_propagates_its_last_name():
    text = "Chidi Okafor was admitted. Dr. Okafor? No: Okafor is the patient. Okaforville is a town."
    out = propagate(spans_of(text, ("Chidi Okafor", "PERSON", 0.95)), text)
    assert found(text, out) == [("Chidi Okafor", "PERSON", False), ("Okafor", "PERSON", True),
                                ("Okafor", "PERSON", True)]


def test_weak_names_ages_dates_and_short_numbers_stay_put():
    text = "Rose Garden tour at 10, age 38. Garden party; 38 guests; 10 May. Rose Garden again."
    spans = spans_of(text, ("Rose Garden", "PERSON", 0.6), ("38", "AGE", 0.9), ("10 May", "DATE", 0.9))
    out = propagate(spans, text)
    assert found(text, out) == [("Rose Garden", "PERSON", False), ("38", "AGE", False),
                                ("10 May", "DATE", False), ("Rose Garden", "PERSON", True)]


def test_existing_findings_are_never_overlapped():
    text = "Jane Roe and Jane Roe-Smith; Jane Roe."
    spans = spans_of(text, ("Jane Roe", "PERSON", 0.9)) + [Span(13, 27, "PERSON", 0.8, "model")]
    out = propagate(sorted(spans, key=lambda s: s.start), text)
    assert found(text, out) == [("Jane Roe", "PERSON", False), ("Jane Roe-Smith", "PERSON", False),
                                ("Jane Roe", "PERSON", True)]
    assert all(a.end <= b.start for a, b in zip(out, out[1:]))


def test_many_distinct_values_stay_linear():
    rows = [f"user{i:05d}@example.com" for i in range(5000)]
    text = "\n".join(rows + rows)
    spans = [Span(text.index(r), text.index(r) + len(r), "EMAIL", 1.0, "email") for r in rows]
    out = propagate(spans, text)
    assert len(out) == 10_000 and sum(s.propagated for s in out) == 5000


def test_a_copy_must_pass_the_checks_a_finding_there_would():
    text = "Turkish is now on 8859-9. Turkish       iso-8859-9      cp857"
    out = propagate(spans_of(text, ("8859-9", "ID_NUMBER", 0.93)), text)
    assert found(text, out) == [("8859-9", "ID_NUMBER", False)]  # "iso-" names a standard
