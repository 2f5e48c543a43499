from __future__ import annotations

import pytest

from scanner.rules.iban import IBAN_LENGTHS, IbanDetector, iban_ok

DET = IbanDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "BANK_ACCOUNT" and s.detector == "iban" and s.score == 1.0 for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN DE89 3704 0044 0532 0130 00.", ["DE89 3704 0044 0532 0130 00"]),
        ("DE89370400440532013000", ["DE89370400440532013000"]),
        ("GB82 WEST 1234 5698 7654 32", ["GB82 WEST 1234 5698 7654 32"]),
        ("FR14 2004 1010 0505 0001 3M02 606", ["FR14 2004 1010 0505 0001 3M02 606"]),
        ("to NL91ABNA0417164300, thanks", ["NL91ABNA0417164300"]),
        ("NO93 8601 1117 947", ["NO93 8601 1117 947"]),
        ("BE68 5390 0754 7034 THEN pay", ["BE68 5390 0754 7034"]),  # cut back to the Belgian length
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DE88 3704 0044 0532 0130 00",  # wrong check digits
        "DE89 3704 0044 0532 0130 01",  # wrong account digit
        "DE89 3704 0044 0532 0130",  # too short for DE
        "XX89 3704 0044 0532 0130 00",  # unknown country
        "BE68539007547034X",  # glued to a word
        "xDE89370400440532013000",
    ],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_mod97() -> None:
    assert iban_ok("GB82WEST12345698765432")
    assert not iban_ok("GB82WEST12345698765433")
    assert IBAN_LENGTHS["DE"] == 22 and IBAN_LENGTHS["NO"] == 15 and IBAN_LENGTHS["MT"] == 31


def test_offsets_after_non_ascii() -> None:
    text = "Überweisung an Jürgen 🏦: DE89 3704 0044 0532 0130 00"
    [span] = DET.find(text)
    assert text[span.start : span.end] == "DE89 3704 0044 0532 0130 00"
