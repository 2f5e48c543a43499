from __future__ import annotations

import pickle

import pytest

from scanner.rules.phone import PhoneDetector

DET = PhoneDetector()


def found(text: str, det: PhoneDetector = DET) -> list[str]:
    spans = det.find(text)
    assert all(s.label == "PHONE" and s.detector == "phone" for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call (415) 555-2671 today", ["(415) 555-2671"]),
        ("Tel: +44 20 7946 0958.", ["+44 20 7946 0958"]),
        ("+1 (415) 555-2671 or 415.555.2671", ["+1 (415) 555-2671", "415.555.2671"]),
        ("London office 020 7946 0958", ["020 7946 0958"]),  # national GB, found by region fallback
        ("Berlin: 030 1234567", ["030 1234567"]),
        ("Paris +33 1 23 45 67 89", ["+33 1 23 45 67 89"]),
        ("mobile 9876543210", ["9876543210"]),  # bare digits: only with a phone word before
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 9876543210",  # bare digits without a phone word
        "date 2023-01-15",
        "on 12.03.2024",
        "ip 192.168.1.1",
        "from 53.171.77.184 - ",  # a valid US number to libphonenumber, but an IPv4 address
        "host 172.24.186.57, port 22",  # likewise in India
        "SSN 123-45-6789",
        "+1 555 0100",  # too short to be valid
        "version 1.2.3.4.5.6.7",
        "(415) 555-267",
        "encode() (because it includes JIS X 0208/0212 characters)",  # a standard's number
        "as in ITU-T E.164 and ISO/IEC 7812-1 1999",
    ],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_international_score_and_national_score() -> None:
    spans = DET.find("+44 20 7946 0958 and (415) 555-2671")
    assert [s.score for s in spans] == [1.0, 0.95]


def test_regions_are_configurable() -> None:
    assert found("ruf an: 030 1234567", PhoneDetector(("US",))) == []
    assert found("ruf an: 030 1234567", PhoneDetector(("US", "DE"))) == ["030 1234567"]


def test_offsets_after_non_ascii() -> None:
    text = "Straße ☎ Müller 😀: +49 30 1234567"
    [span] = DET.find(text)
    assert text[span.start : span.end] == "+49 30 1234567"


def test_picklable() -> None:
    det = pickle.loads(pickle.dumps(PhoneDetector(("GB",))))
    assert found("+44 20 7946 0958", det) == ["+44 20 7946 0958"]


@pytest.mark.parametrize(("text", "expected"), [
    # a postcode or unit and a house number before a street's name: an address, not a phone
    ("Address:\n04086 61 Ryker Rd Suite 735\nBudapest", []),
    ("Billing address: 0474 1036 Hastings Street Suite 701", []),
    ("I once lived in 02140 33 avenue de Provence, Iceland.", []),
    # with a phone word before it, a number stays a phone whatever follows
    ("Phone 0171 2345678 St. Mary's ward", ["0171 2345678"]),
    # "St" and "Dr" right after a number are a saint or a doctor, not a street
    ("Out of hours 0171 2345678 Dr. Jones", ["0171 2345678"]),
    ("Ring 0171 2345678 St Mary's desk", ["0171 2345678"]),
    ("Office at 0474 1036 Hastings St", []),
    ("Tel: 020 7946 0958 Fax: 020 7946 0959", ["020 7946 0958", "020 7946 0959"]),
])
def test_numbers_before_a_street_name_are_an_address(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in PhoneDetector().find(text)] == expected
