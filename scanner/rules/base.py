"""The detector interface and the small helpers every pattern detector shares.

A detector is anything with a ``name``, the ``labels`` it is authoritative for, and ``find(text)``.
Most are one precompiled regex plus a validator, so :class:`RegexDetector` does the loop once.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from scanner.records import Span


@runtime_checkable
class Detector(Protocol):
    """What the scanner needs from a rule: a short name, its labels, and spans for one text."""

    name: str
    labels: frozenset[str]

    def find(self, text: str) -> list[Span]: ...


class RegexDetector:
    """One compiled pattern, a cheap pre-check, and a ``validate`` hook.

    Subclasses set these as class attributes (or per instance) and override :meth:`validate`
    (checksum, ranges), or :meth:`score_of` when the score depends on the match (a context cue).
    ``group`` picks the part of the match that becomes the span (0 = whole match).
    ``trigger`` is a substring every match must contain; texts without it are skipped without
    running the regex, which is most texts for most detectors.
    """

    name: str = ""
    label: str = ""
    labels: frozenset[str] = frozenset()
    pattern: re.Pattern[str]
    trigger: str | None = None
    group: int | str = 0
    score: float = 1.0

    def validate(self, match: re.Match[str]) -> bool:
        return True

    def score_of(self, match: re.Match[str]) -> float | None:
        """The finding's score, or None to reject the match: ``score`` when ``validate`` passes."""
        return self.score if self.validate(match) else None

    def find(self, text: str) -> list[Span]:
        if self.trigger is not None and self.trigger not in text:
            return []
        g, label, name = self.group, self.label, self.name
        return [
            Span(m.start(g), m.end(g), label, score, name)
            for m in self.pattern.finditer(text)
            if m.end(g) > m.start(g) and (score := self.score_of(m)) is not None
        ]


def luhn_ok(digits: str) -> bool:
    """The Luhn mod-10 check used by payment cards (and many other IDs)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# A standard's designation right before a number: "ISO-8859-9", "RFC 2822", "JIS X 0208/0212",
# "ITU-T E.164" name a document, not a person's number.
STANDARD_BEFORE = re.compile(
    r"(?i)\b(?:iso(?:/iec)?|iso-ir|iec|rfc|ieee|ecma|ansi|jis[ \t]+[a-z]|itu-t[ \t]+[a-z]\.?|fips|nist[ \t]+sp)"
    r"[ \t/-]?$")
# A street's kind, in the languages addresses are written in: a street line with no house number
# and in lower case ("boulevard de chrétien") still has one (``scanner.shapes``).
STREET_KINDS = (
    "street|road|avenue|boulevard|blvd|lane|drive|terrace|crescent|rue|allée|chemin|impasse|quai|"
    "viale|piazza|calle|avenida|carrer|paseo|rua|travessa|straße|strasse|weg|gasse|platz|allee|laan|"
    "straat|gracht|vej|gatan|veien|ulica|utca")
STREET_KIND = re.compile(rf"(?i)\b(?:{STREET_KINDS})\b")


def standard_number(text: str, start: int) -> bool:
    """Does a standard's designation end right where ``start`` begins?"""
    return STANDARD_BEFORE.search(text, max(0, start - 12), start) is not None


def context_before(text: str, start: int, pattern: re.Pattern[str], window: int = 48) -> bool:
    """True when ``pattern`` occurs in the ``window`` characters before ``start`` (same line or not)."""
    return pattern.search(text, max(0, start - window), start) is not None


def drop_contained(spans: list[Span]) -> list[Span]:
    """Sort spans and drop any span lying inside an earlier kept one (a detector's own duplicates)."""
    spans.sort(key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in spans:
        if out and s.end <= out[-1].end:
            continue
        out.append(s)
    return out
