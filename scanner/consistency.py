"""Document-level consistency: a value found once is found at every exact occurrence.

The model decides per window, so a name it tags in one paragraph can be missed in the next, and a
redacted document would still show the second copy. After merging, every found value (and, for a
confident multi-word PERSON, its last name alone: "Chidi Okafor" ... "Dr. Okafor") is looked up at
its other whole-word occurrences that no finding covers yet; each becomes a span with the original's
label, score and detector and ``propagated=True``, if it passes the same context checks
(``shapes.plausible_at``) as a finding made there.

The lookup is one pass over the text's alphanumeric runs with a dict keyed by each value's first run,
so documents with thousands of distinct findings stay linear.
"""

from __future__ import annotations

import re
from dataclasses import replace

from scanner.records import Span
from scanner.shapes import plausible_at

# Labels whose values are not identifying as strings: an age "38" or a date recurs by chance.
NOT_PROPAGATED = frozenset({"AGE", "DATE"})
MIN_CHARS = 3
_RUN = re.compile(r"[^\W_]+")
_NAME_PART = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ'’-]{2,}")


def _values(spans: list[Span], text: str, min_part_score: float) -> dict[str, Span]:
    """Value -> the span it came from (the highest-scoring one for a value seen several times)."""
    out: dict[str, Span] = {}

    def add(value: str, span: Span) -> None:
        if len(value) >= MIN_CHARS and (value not in out or span.score > out[value].score):
            out[value] = span

    for s in spans:
        if s.label in NOT_PROPAGATED or s.propagated:
            continue
        value = text[s.start:s.end]
        if value.isdigit() and len(value) < 6:
            continue  # short bare numbers recur by chance
        add(value, s)
        if s.label == "PERSON" and s.score >= min_part_score:
            parts = value.split()
            if len(parts) >= 2 and _NAME_PART.fullmatch(parts[-1]):
                add(parts[-1], s)
    return out


def _index(values: dict[str, Span]) -> dict[str, list[tuple[str, int]]]:
    """First alphanumeric run of each value -> (value, offset of that run in the value)."""
    idx: dict[str, list[tuple[str, int]]] = {}
    for value in sorted(values, key=len, reverse=True):  # longest first: "Jane Doe" before "Doe"
        m = _RUN.search(value)
        if m:
            idx.setdefault(m.group(), []).append((value, m.start()))
    return idx


def _bounded(text: str, start: int, end: int) -> bool:
    """Whole words only: no letter or digit right before or after."""
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())


def propagate(spans: list[Span], text: str, min_part_score: float = 0.8) -> list[Span]:
    """``spans`` (sorted, non-overlapping) plus the propagated copies, sorted by start."""
    values = _values(spans, text, min_part_score)
    if not values:
        return spans
    idx = _index(values)
    taken = bytearray(len(text) + 1)
    for s in spans:
        taken[s.start:s.end] = b"\x01" * (s.end - s.start)
    added: list[Span] = []
    for m in _RUN.finditer(text):
        for value, off in idx.get(m.group(), ()):
            start = m.start() - off
            end = start + len(value)
            if start < 0 or not text.startswith(value, start) or not _bounded(text, start, end):
                continue
            if taken.find(1, start, end) != -1:
                continue
            src = values[value]
            if not plausible_at(src.label, text, start, end):
                continue  # the same context checks as a finding of its own ("iso-" before 8859-9)
            added.append(replace(src, start=start, end=end, propagated=True))
            taken[start:end] = b"\x01" * (end - start)
            break
    if not added:
        return spans
    return sorted(spans + added, key=lambda s: s.start)
