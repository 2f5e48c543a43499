from __future__ import annotations

import pytest

from scanner.rules.postcode import PostcodeDetector

DET = PostcodeDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "STREET_ADDRESS" and s.detector == "postcode" for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ZIP: 32700", ["32700"]),
        ("Our zip code is 97400, not the old one.", ["97400"]),
        ("Zip Code: 02134-1234\nCity: Boston", ["02134-1234"]),
        ("ZIP: 860 13", ["860 13"]),  # Sweden
        ("Postal code: 00-423 Warszawa", ["00-423"]),  # Poland
        ("Postcode: SW1A 1AA", ["SW1A 1AA"]),  # UK
        ("postal code M5V 3L9", ["M5V 3L9"]),  # Canada
        ("Postcode 1234 AB", ["1234 AB"]),  # Netherlands
        ("PLZ 10115 Berlin", ["10115"]),
        ("zip: 4032", ["4032"]),
    ],
)
def test_postcode_after_a_postal_code_word(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "97400 people signed up",  # a number with no postal-code word
        "unzip 12345.tar",  # "zip" inside a word
        "zip 12345 files into one archive",  # lower-case "zip" alone is the file format
        "zip: 1.2.3",  # a version
        "zipcode=2019.5",
        "ZIP code: 123456",  # six digits fit no layout here
        "zip code\n12345",  # the value must be on the cue's line
    ],
)
def test_not_a_postcode(text: str) -> None:
    assert found(text) == []
