"""What the model reads: a block of lines behind one quote or bullet marker, without the marker.

A reply quoted with "> ", a list behind "• " or "- ", a table's "| " edge, template markup ("}}") or
the "??? " a wrong encoding left of a bullet put a marker before every line of a block. Through it
the model reads a postal address or a signature as separate lines, not as one entity, and the
marker itself is no part of what it should judge. ``model_view`` replaces such markers with spaces:
the text keeps its length, so every offset into the view is an offset into the document and a span
found in it covers the document's own characters (an address's inner markers included, as the
training data labels them). The pattern detectors read the document itself.

Only a run of at least two consecutive lines behind markers of one character counts (one line starting with
">" or "-" is as often an arrow or a minus as a marker), and a marker must be followed by the line's
text, so a table border ("+------+") or a reST underline is left alone. "-", "*", "+" and "?" are
markers only with a space after them ("--verbose" is an option, not a bullet).
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"(?:(?:â€¢|[>|}•·»]{1,4}+)[ \t]?|[?*+\-]{1,4}+[ \t])++(?=[^\W_]|$)")
_HINT = re.compile(r"(?m)^(?:â€¢|[>|}•·»?*+\-])")


def _marker(line: str) -> str:
    """The marker at the start of ``line`` ("" if none), with its trailing spaces."""
    m = _MARKER.match(line)
    return m.group() if m else ""


def model_view(text: str) -> str:
    """``text`` with the markers of each block of marked lines turned into spaces (same length)."""
    if _HINT.search(text) is None:
        return text
    lines = text.split("\n")
    markers = [_marker(line) for line in lines]
    keys = [m[:1] for m in markers]  # "> " and "> > " are one quoted block
    out = lines[:]
    k = 0
    while k < len(lines):
        j = k
        while j + 1 < len(lines) and keys[k] and keys[j + 1] == keys[k]:
            j += 1
        if j > k:  # a run of two or more lines behind the same marker
            for r in range(k, j + 1):
                out[r] = " " * len(markers[r]) + lines[r][len(markers[r]):]
        k = j + 1
    return "\n".join(out)
