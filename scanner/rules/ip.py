"""IPv4 and IPv6 addresses, validated by the standard library's ``ipaddress``.

A regex finds address-shaped tokens; ``ipaddress`` decides (octets <= 255, no leading zeros, one
``::`` at most). Dotted runs with more than four parts (``1.2.3.4.5``, OIDs) and parts of longer
numbers are excluded by the lookarounds, and four-part numbers right after "version", "v", "section",
"==" and the like are skipped. Addresses that identify no host (loopback, 0.0.0.0, multicast, reserved
and broadcast) are not reported; private ranges are, since they map an internal network.
IPv6 matching is anchored on a ``:..:`` pair (a literal-led search), so prose is not tried at every
hex letter.
"""

from __future__ import annotations

import ipaddress
import re

from scanner.records import Span
from scanner.rules.base import drop_contained

# The lookbehind sits after the first digit so the regex engine can skip to digits quickly.
_V4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d)")
_V4_TRIGGER = re.compile(r"\d\.\d")
# Four-part numbers that are versions or section numbers by what precedes them.
_VERSION = re.compile(
    r"(?i)(?:\bv|\bver(?:sion)?\.?\s*|version\w*\s*[:=]\s*[\"']?|\brelease\s+|\bbuild\s+|\bsection\s+|\bsec\.\s*|§\s*"
    r"|\bchapter\s+|[=<>~!]=\s*)$"
)
_V6_ANCHOR = re.compile(r":[0-9A-Fa-f]{0,4}:")
_V6 = re.compile(
    r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)"
)
_HEX_OR_COLON = re.compile(r"[\w:.]")
_HEX = frozenset("0123456789abcdefABCDEF")


class IpDetector:
    """Valid IPv4 dotted quads, and IPv6 addresses with at least three non-empty groups."""

    name = "ip"
    labels = frozenset({"IP_ADDRESS"})

    def find(self, text: str) -> list[Span]:
        out: list[Span] = []
        if _V4_TRIGGER.search(text):
            for m in _V4.finditer(text):
                try:
                    addr = ipaddress.IPv4Address(m.group())
                except ValueError:
                    continue
                if addr.is_loopback or addr.is_unspecified or addr.is_multicast or addr.is_reserved:
                    continue
                if _VERSION.search(text, max(0, m.start() - 20), m.start()):
                    continue
                out.append(Span(m.start(), m.end(), "IP_ADDRESS", 1.0, self.name))
        if "::" in text or text.count(":") >= 7:
            self._v6(text, out)
        return drop_contained(out) if len(out) > 1 else out  # ::ffff:1.2.3.4 holds a v4 match

    def _v6(self, text: str, out: list[Span]) -> None:
        done = 0
        for a in _V6_ANCHOR.finditer(text):
            start = a.start()
            if start < done:
                continue
            floor = max(done, start - 4)
            while start > floor and text[start - 1] in _HEX:
                start -= 1
            if start > 0 and _HEX_OR_COLON.match(text, start - 1):
                done = a.end()
                continue  # inside a word or a longer colon run
            m = _V6.match(text, start)
            if m is None:
                continue
            done = m.end()
            cand = m.group()
            if sum(2 if "." in part else 1 for part in cand.split(":") if part) < 3:
                continue  # "::1", "1::2", "fe80::1": slices in code far more often than addresses
            try:
                addr6 = ipaddress.IPv6Address(cand)
            except ValueError:
                continue
            if addr6.is_loopback or addr6.is_unspecified or addr6.is_multicast:
                continue
            out.append(Span(m.start(), m.end(), "IP_ADDRESS", 1.0, self.name))
