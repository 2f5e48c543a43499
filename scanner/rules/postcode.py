"""Postal codes written as a form field: "ZIP: 94105", "zip code is 10115", "Postcode: SW1A 1AA".

A postal code is part of an address (HIPAA's Safe Harbor counts a ZIP code as an identifier), but a
bare four- or five-digit number is any number at all: it counts only right after a postal-code word
("ZIP", "zip code", "postal code", "postcode", "PLZ"), on the same line, with at most "is", ":", "#"
or "-" between. The value keeps one of the layouts postal services use: digits (US ZIP+4, "00-423",
"860 13") or the British, Canadian and Dutch letter-digit forms. Reported as STREET_ADDRESS, the
label of the whole postal address, so the model's address around it merges with it.
"""

from __future__ import annotations

import re

from scanner.rules.base import RegexDetector

_SEP = r"[ \t]*(?:(?i:is)[ \t]+|[:#=\-][ \t]*)"
# "zip code", "postal code", "postcode", "PLZ" and an upper-case "ZIP" need nothing between them and
# the value; a lower-case "zip" alone is also a file format ("zip 12345 files"), so it needs "is" or ":".
_CUE = (r"(?<![^\W\d_])(?:(?:(?i:zip|post(?:al)?)[ \t-]?(?i:code)s?|(?i:postcode)|PLZ|ZIP)(?:" + _SEP + r"|[ \t]+)"
        r"|(?i:zip)" + _SEP + r")")
_VALUE = (
    r"\d{5}(?:-\d{4})?|\d{4}[ \t]?[A-Z]{2}|\d{3}[ \t]\d{2}|\d{2}-\d{3}|\d{4}"  # US, NL, SE/CZ/GR, PL, most of Europe
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"  # UK
    r"|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"  # Canada
)
_PATTERN = re.compile(_CUE + r"(?P<value>" + _VALUE + r")(?![\w\-]|[.,/:]\d)")


class PostcodeDetector(RegexDetector):
    """A postal code right after a postal-code word; STREET_ADDRESS."""

    name = "postcode"
    label = "STREET_ADDRESS"
    labels = frozenset({"STREET_ADDRESS"})
    pattern = _PATTERN
    group = "value"
    score = 0.95
