from __future__ import annotations

import pytest

from scanner.rules.base import luhn_ok
from scanner.rules.card import CardDetector, card_network

DET = CardDetector()


def found(text: str) -> list[str]:
    spans = DET.find(text)
    assert all(s.label == "CREDIT_CARD" and s.detector == "card" and s.score == 1.0 for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visa 4111 1111 1111 1111.", ["4111 1111 1111 1111"]),
        ("mc 5555555555554444,", ["5555555555554444"]),
        ("mc 2-series 2223003122003222", ["2223003122003222"]),
        ("amex 3782 822463 10005", ["3782 822463 10005"]),
        ("discover 6011-1111-1111-1117", ["6011-1111-1111-1117"]),
        ("jcb 3530111333300000", ["3530111333300000"]),
        ("diners 3056 9309 0259 04", ["3056 9309 0259 04"]),
        ("unionpay 6200000000000005", ["6200000000000005"]),
        ("visa-13 4222222222222", ["4222222222222"]),
        ("two: 4012888888881881, 378734493671000", ["4012888888881881", "378734493671000"]),
    ],
)
def test_valid(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # Luhn fails
        "4111-1111 1111 1111",  # mixed separators
        "41 1111 1111 1111 11",  # not grouped in fours
        "4111 1111 1111 1111 2222",  # part of a longer grouped number
        "41111111111111113",  # 17 digits: not a Visa length
        "0000 0000 0000 0000",  # Luhn-valid but no network
        "ref 1234567812345670",  # Luhn-valid, no network prefix
        "x1.4111111111111111",  # part of a decimal number
        "4111111111111111.5",
    ],
)
def test_invalid(text: str) -> None:
    assert found(text) == []


def test_luhn_and_network() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert card_network("378282246310005") == "amex"
    assert card_network("2720990000000007") == "mastercard"
    assert card_network("2721000000000000") is None
    assert card_network("180092617964050") == card_network("213128569146303") == "jcb"  # 15-digit JCB
    assert card_network("1800926179640501") is None  # only at 15 digits


def test_offsets_after_non_ascii() -> None:
    text = "Kärtchen — 💳 Zahlung mit 4111 1111 1111 1111 erfolgt"
    [span] = DET.find(text)
    assert text[span.start : span.end] == "4111 1111 1111 1111"


@pytest.mark.parametrize("text", [
    "0000000: 2e54 4820 5858 4420 3120 2241  .TH XXD 1 \"A",  # xxd: Luhn-valid by chance, mid-dump
    "dump 4111 1111 1111 1111 ab12 cd34",
    "dump 0a1b 4111 1111 1111 1111",
])
def test_a_slice_of_a_hex_dump_is_no_card(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("text", ["face 4111 1111 1111 1111", "card 4111 1111 1111 1111 exp 12/29",
                                  "cards 4111 1111 1111 1111, 4012 8888 8888 1881"])
def test_a_card_beside_words_or_other_cards_stays(text: str) -> None:
    assert "4111 1111 1111 1111" in found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Luhn-valid, no network claims the prefix, but a card word stands before it
        ("Please block card no 3521655852398689", ["3521655852398689"]),
        ("my credit card number is 3593928456797231?", ["3593928456797231"]),
        ("Visa: 1234 5678 1234 5670", ["1234 5678 1234 5670"]),
        # the same numbers without a card word, or failing Luhn, are not cards
        ("ref 3521655852398689", []),
        ("card no 3521655852398680", []),
        ("card no 352165585239", []),  # 12 digits: too short without a network
    ],
)
def test_unknown_prefix_counts_after_a_card_word(text: str, expected: list[str]) -> None:
    spans = DET.find(text)
    assert [text[s.start : s.end] for s in spans] == expected
    assert all(s.score == 0.95 for s in spans)  # below the network-checked 1.0
