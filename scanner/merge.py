"""One span set per document: model and rule findings merged, without overlaps.

Order of decisions:

1. Model spans below their label's threshold are dropped (rule spans are validated: no threshold), and
   so are model spans whose text cannot be a value of their label (``shapes.plausible``: a SECRET
   with spaces, an IP_ADDRESS that does not parse).
2. Spans whose text is on the allow-list are dropped (deny-list spans excepted: an explicit "always
   flag" beats an explicit "never flag", since a missed finding costs more than an extra one).
3. Overlaps are resolved greedily by priority: deny-list spans first, then rule spans on labels their
   detectors are authoritative for (a Luhn-valid card beats a model PHONE on the same digits), then
   everything else; within a tier the longer span wins, then the higher score.
4. Adjacent address pieces (STREET_ADDRESS / LOCATION separated only by spaces, one comma and at most
   one newline) become one STREET_ADDRESS span scored with the pieces' minimum, when at least one piece
   is a STREET_ADDRESS ("Paris, France" alone stays two LOCATIONs).
"""

from __future__ import annotations

import re

from scanner.records import Span
from scanner.rules import RulesConfig
from scanner.shapes import plausible_at

ADDRESS_LABELS = frozenset({"STREET_ADDRESS", "LOCATION"})
_ADDRESS_GAP = re.compile(r"[ \t]*,?[ \t]*(?:\r?\n[ \t]*)?")


def merge_spans(
    model_spans: list[Span],
    rule_spans: list[Span],
    rule_labels: frozenset[str],
    cfg: RulesConfig,
    text: str,
) -> list[Span]:
    """Merge one document's spans; the result is sorted by start and has no two overlapping spans."""
    check_allow = bool(cfg.allow_values or cfg.allow_patterns)
    ranked: list[tuple[int, Span]] = []
    for s in model_spans:
        if s.end <= s.start or s.score < cfg.threshold(s.label) or not plausible_at(s.label, text, s.start, s.end):
            continue
        if check_allow and cfg.is_allowed(text[s.start : s.end]):
            continue
        ranked.append((2, s))
    for s in rule_spans:
        if s.end <= s.start:
            continue
        if s.detector == "deny":
            ranked.append((0, s))
            continue
        if check_allow and cfg.is_allowed(text[s.start : s.end]):
            continue
        ranked.append((1 if s.label in rule_labels else 2, s))
    if not ranked:
        return []
    ranked.sort(key=lambda r: (r[0], r[1].start - r[1].end, -r[1].score, r[1].start, r[1].label, r[1].detector))

    # Greedy by priority; a byte per character marks what is taken (linear, where sorted-list inserts
    # went quadratic on documents with hundreds of thousands of findings).
    taken = bytearray(max(len(text), max(s.end for _, s in ranked)))
    kept: list[Span] = []
    for _, s in ranked:
        if taken.find(1, s.start, s.end) != -1:
            continue  # overlaps a span that already won
        taken[s.start:s.end] = b"\x01" * (s.end - s.start)
        kept.append(s)
    kept.sort(key=lambda s: s.start)
    return merge_addresses(kept, text)


def merge_addresses(spans: list[Span], text: str) -> list[Span]:
    """Join runs of adjacent address pieces in sorted, non-overlapping ``spans`` (see module doc)."""
    out: list[Span] = []
    n = len(spans)
    i = 0
    while i < n:
        first = spans[i]
        j = i
        if first.label in ADDRESS_LABELS:
            while (
                j + 1 < n
                and spans[j + 1].label in ADDRESS_LABELS
                and _ADDRESS_GAP.fullmatch(text, spans[j].end, spans[j + 1].start) is not None
            ):
                j += 1
        group = spans[i : j + 1]
        if j > i and any(s.label == "STREET_ADDRESS" for s in group):
            detectors = {s.detector for s in group}
            detector = detectors.pop() if len(detectors) == 1 else "model"
            score = min(s.score for s in group)
            out.append(Span(first.start, group[-1].end, "STREET_ADDRESS", score, detector))
        else:
            out.extend(group)
        i = j + 1
    return out
