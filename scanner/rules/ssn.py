"""US Social Security numbers.

``AAA-GG-SSSS`` or ``AAA GG SSSS`` with the SSA's structural rules: area not 000, 666 or 900-999,
group not 00, serial not 0000. A bare nine-digit run is any number at all, so it counts only with
"SSN" / "social security" / "SS#" shortly before it (score 0.95).
"""

from __future__ import annotations

import re

from scanner.records import Span
from scanner.rules.base import context_before

_PATTERN = re.compile(
    r"\d(?<![\w\-.]\d)(?<!\d \d)(?:\d\d(?P<sep>[\- ])\d\d(?P=sep)\d{4}|\d{8})(?![\w\-]|[. ]\d)"
)
_CONTEXT = re.compile(r"(?i)(?<![^\W\d_])(?:ssn|ss#|ss ?no|soc(?:ial)?\.? ?sec(?:urity)?)")


def ssn_ok(digits: str) -> bool:
    """The SSA never issues area 000, 666 or 9xx, group 00, or serial 0000."""
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area != "000" and area != "666" and area[0] != "9" and group != "00" and serial != "0000"


class SsnDetector:
    """Formatted SSNs anywhere; bare nine digits only next to an SSN keyword."""

    name = "ssn"
    labels = frozenset({"ID_NUMBER"})

    def find(self, text: str) -> list[Span]:
        out: list[Span] = []
        for m in _PATTERN.finditer(text):
            raw = m.group()
            bare = m.group("sep") is None
            digits = raw if bare else raw.replace(raw[3], "")
            if not ssn_ok(digits):
                continue
            if bare:
                if not context_before(text, m.start(), _CONTEXT, 40):
                    continue
                score = 0.95
            else:
                score = 1.0
            out.append(Span(m.start(), m.end(), "ID_NUMBER", score, self.name))
        return out
