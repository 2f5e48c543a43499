"""Payment card numbers: 12-19 digits, a known network prefix and length, and the Luhn check.

A Luhn-valid number of 13-19 digits whose prefix no network below claims (test numbers, ranges newer
than this table, generators that draw any prefix) still counts when a card word stands shortly before
it ("card no", "credit card", "Visa"), at score 0.95.

Separators must be consistent: all spaces or all dashes, in groups of four (the last group shorter)
or the 4-6-5 / 4-6-4 layout of Amex and Diners. Mixed or odd grouping is far more often something
else (phone numbers, references), so it is not reported.
"""

from __future__ import annotations

import re

from scanner.rules.base import RegexDetector, context_before, luhn_ok

_PATTERN = re.compile(
    # The lookbehind sits after the first digit so the engine can skip quickly to digits.
    r"\d(?<![\w.\-]\d)(?:"
    r"\d{11,18}(?![\w])"
    r"|\d{3}(?P<s1>[ \-])\d{4}(?:(?P=s1)\d{4}){1,2}(?:(?P=s1)\d{1,3})?(?!\w|[ \-]\d)"
    r"|\d{3}(?P<s2>[ \-])\d{6}(?P=s2)\d{4,5}(?!\w|[ \-]\d)"
    r")(?!\.\d)"
)

_16_19 = frozenset(range(16, 20))
_12_19 = frozenset(range(12, 20))
# (network, inclusive prefix ranges as (low, high) strings of equal length, allowed lengths)
NETWORKS: tuple[tuple[str, tuple[tuple[str, str], ...], frozenset[int]], ...] = (
    ("visa", (("4", "4"),), frozenset({13, 16, 19})),
    ("mastercard", (("51", "55"), ("2221", "2720")), frozenset({16})),
    ("amex", (("34", "34"), ("37", "37")), frozenset({15})),
    ("discover", (("6011", "6011"), ("644", "649"), ("65", "65"), ("622126", "622925")), _16_19),
    ("jcb", (("3528", "3589"),), _16_19),
    ("jcb", (("1800", "1800"), ("2131", "2131")), frozenset({15})),  # JCB's older 15-digit numbers
    ("diners", (("300", "305"), ("3095", "3095"), ("36", "36"), ("38", "39")), frozenset(range(14, 20))),
    ("unionpay", (("62", "62"), ("81", "81")), _16_19),
    ("maestro", (("50", "50"), ("56", "58"), ("6304", "6304"), ("639", "639"), ("67", "67")), _12_19),
    ("mir", (("2200", "2204"),), _16_19),
)


def card_network(digits: str) -> str | None:
    """The network whose prefix and length fit ``digits``, or None."""
    n = len(digits)
    for network, ranges, lengths in NETWORKS:
        if n not in lengths:
            continue
        for low, high in ranges:
            if low <= digits[: len(low)] <= high:
                return network
    return None


_CUE = re.compile(r"(?i)(?<![^\W\d_])(?:card|credit|debit|visa|mastercard|amex|jcb|maestro|cc)(?![^\W\d_])")


class CardDetector(RegexDetector):
    """Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir; Luhn-valid only. Other
    prefixes only after a card word."""

    name = "card"
    label = "CREDIT_CARD"
    labels = frozenset({"CREDIT_CARD"})
    pattern = _PATTERN

    def score_of(self, match: re.Match[str]) -> float | None:
        """1.0 for a network's number, 0.95 for another prefix after a card word, else None."""
        raw = match.group()
        sep = match.group("s1") or match.group("s2")
        digits = raw.replace(" ", "").replace("-", "") if sep else raw
        if (sep and in_group_run(match.string, match.start(), match.end(), sep)) or len(set(digits)) < 2 \
                or not luhn_ok(digits):
            return None
        if card_network(digits) is not None:
            return 1.0
        if 13 <= len(digits) <= 19 and context_before(match.string, match.start(), _CUE, 40):
            return 0.95
        return None


_HEX_GROUP = re.compile(r"(?=[a-fA-F]*\d)[0-9A-Fa-f]{4}")  # with a digit: "face 4111 ..." is a word


def in_group_run(text: str, start: int, end: int, sep: str) -> bool:
    """Do 4-character hex groups continue the match on either side (``0000000: 2e54 4820 5858 4420
    3120 2241``)? Then it is a slice of a hex dump or a longer code, not a card number: a card's
    groups stand alone."""
    before = text[max(0, start - 6):start]
    if (len(before) >= 5 and before[-1] == sep and _HEX_GROUP.fullmatch(before[-5:-1])
            and (len(before) == 5 or not before[0].isalnum())):
        return True
    after = text[end:end + 6]
    return (len(after) >= 5 and after[0] == sep and _HEX_GROUP.fullmatch(after[1:5]) is not None
            and (len(after) == 5 or not after[5].isalnum()))
