from __future__ import annotations

import pytest

from scanner.rules.ssn import SsnDetector, ssn_ok

DET = SsnDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "ID_NUMBER" and s.detector == "ssn" for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SSN: 123-45-6789.", ["123-45-6789"]),
        ("her number is 219-09-9999", ["219-09-9999"]),
        ("123 45 6789", ["123 45 6789"]),
        ("SSN 123456789", ["123456789"]),
        ("Social Security No. 078051120", ["078051120"]),
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "900-12-3456",  # area 9xx
        "999-12-3456",
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "123-45 6789",  # mixed separators
        "id 123456789",  # bare digits without an SSN word
        "1123-45-6789",  # part of a longer number
        "12 123 45 6789",
        "phone 555-123-4567",
    ],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_scores() -> None:
    assert [s.score for s in DET.find("SSN 123-45-6789 / SSN 123456789")] == [1.0, 0.95]


def test_rules() -> None:
    assert ssn_ok("123456789") and not ssn_ok("666456789") and not ssn_ok("123006789")


def test_offsets_after_non_ascii() -> None:
    text = "Größe: ß 😀 — SSN 123-45-6789"
    [span] = DET.find(text)
    assert text[span.start : span.end] == "123-45-6789"
