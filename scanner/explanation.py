"""Rendering for ``pii-scanner explain``: one document with its findings highlighted, and why it got its tier.

This is the one place where matched values are shown on purpose: a person runs ``explain`` locally on a
document they already have, to check the scanner's judgement. Everything goes through rich ``Text``
objects, never markup strings, so brackets in the document cannot be read as rich markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scanner.policy import Classification
from scanner.reasons import reason_lines
from scanner.records import Span
from scanner.terminal import plain

# Above this many characters only the context around findings and markers is shown.
LONG_DOC_CHARS = 5_000
CONTEXT_CHARS = 200
HEAD_CHARS = 1_000  # shown for a long document with nothing to highlight
MAX_TABLE_ROWS = 500

LABEL_STYLES: dict[str, str] = {
    "PERSON": "bold black on bright_cyan",
    "EMAIL": "bold black on bright_green",
    "PHONE": "bold black on green",
    "STREET_ADDRESS": "bold black on bright_yellow",
    "LOCATION": "black on yellow",
    "ORGANIZATION": "black on bright_blue",
    "DATE": "black on bright_white",
    "AGE": "black on white",
    "NRP": "black on magenta",
    "ID_NUMBER": "bold white on red",
    "CREDIT_CARD": "bold white on dark_red",
    "BANK_ACCOUNT": "bold white on dark_red",
    "IP_ADDRESS": "black on cyan",
    "URL": "underline blue",
    "USERNAME": "black on bright_magenta",
    "PASSWORD": "bold white on red",
    "SECRET": "bold white on red",
    "MEDICAL": "bold black on bright_red",
}
DEFAULT_LABEL_STYLE = "reverse"
MARKER_STYLE = "bold underline magenta"
TAG_STYLE = "dim"
TIER_STYLES: dict[int, str] = {1: "bold green", 2: "bold yellow", 3: "bold dark_orange", 4: "bold red"}

# Control characters (ANSI escapes included) would drive the terminal; swap them one-for-one so the
# offsets of the findings still hold.
_CONTROL = {c: "\u00b7" for c in (*range(0, 9), *range(11, 32), *range(127, 160))}
_CONTROL[ord("\r")] = " "


@dataclass(frozen=True, slots=True)
class _Mark:
    """One highlighted range: a finding (tag = label) or a document marker (tag = category)."""

    start: int
    end: int
    style: str
    tag: str
    is_span: bool


def _marks(text: str, spans: list[Span], cls: Classification) -> list[_Mark]:
    """Non-overlapping ranges to highlight; findings win over markers, earlier and longer win over later."""
    candidates = [
        _Mark(s.start, s.end, LABEL_STYLES.get(s.label, DEFAULT_LABEL_STYLE), s.label, True)
        for s in spans
        if 0 <= s.start < s.end <= len(text)
    ] + [
        _Mark(m.start, m.end, MARKER_STYLE, m.category, False)
        for m in cls.markers
        if 0 <= m.start < m.end <= len(text)
    ]
    candidates.sort(key=lambda m: (m.start, not m.is_span, -m.end))
    kept: list[_Mark] = []
    for mark in candidates:
        if kept and mark.start < kept[-1].end:
            if mark.is_span and not kept[-1].is_span:
                kept[-1] = mark  # a finding hides the marker it overlaps
            continue
        kept.append(mark)
    return kept


def _windows(n: int, marks: list[_Mark]) -> list[tuple[int, int]]:
    """The character ranges to print: everything for short texts, context around marks for long ones."""
    if n <= LONG_DOC_CHARS:
        return [(0, n)]
    if not marks:
        return [(0, min(n, HEAD_CHARS))]
    windows: list[tuple[int, int]] = []
    for mark in marks:
        start, end = max(0, mark.start - CONTEXT_CHARS), min(n, mark.end + CONTEXT_CHARS)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def highlighted_text(text: str, spans: list[Span], cls: Classification) -> Text:
    """The document (or, above LONG_DOC_CHARS, the context around its findings) with findings styled."""
    clean = text.translate(_CONTROL)
    marks = _marks(clean, spans, cls)
    out = Text()
    cursor_mark = 0
    previous_end = 0
    for w_start, w_end in _windows(len(clean), marks):
        if w_start > previous_end:
            if previous_end > 0:
                out.append("\n")
            out.append(f"… [{w_start - previous_end:,} chars omitted] …\n", style=TAG_STYLE)
        pos = w_start
        while cursor_mark < len(marks) and marks[cursor_mark].start < w_end:
            mark = marks[cursor_mark]
            cursor_mark += 1
            if mark.start < pos:
                continue
            out.append(clean[pos : mark.start])
            out.append(clean[mark.start : mark.end], style=mark.style)
            out.append(f"[{mark.tag}]", style=TAG_STYLE)
            pos = mark.end
        out.append(clean[pos:w_end])
        previous_end = w_end
    if previous_end < len(clean):
        out.append(f"\n… [{len(clean) - previous_end:,} chars omitted] …", style=TAG_STYLE)
    return out


def findings_table(spans: list[Span]) -> Table:
    table = Table(title="Findings", title_justify="left", show_lines=False)
    for name, justify in (("#", "right"), ("label", "left"), ("detector", "left"), ("score", "right"),
                          ("start", "right"), ("end", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.label))
    for i, s in enumerate(ordered[:MAX_TABLE_ROWS], 1):
        table.add_row(
            Text(str(i)),
            Text(s.label, style=LABEL_STYLES.get(s.label, DEFAULT_LABEL_STYLE)),
            Text(s.detector),
            Text(f"{s.score:.2f}"),
            Text(str(s.start)),
            Text(str(s.end)),
        )
    if len(ordered) > MAX_TABLE_ROWS:
        table.caption = f"… and {len(ordered) - MAX_TABLE_ROWS:,} more"
    if not ordered:
        table.caption = "no findings"
    return table


def verdict(cls: Classification) -> Panel:
    style = TIER_STYLES.get(cls.tier, "bold")
    body = Text()
    body.append(f"Tier {cls.tier} ", style=style)
    body.append(f"({cls.tier_name})", style=style)
    body.append("\nCategories: ", style="bold")
    body.append(", ".join(cls.categories) or "-")
    body.append("\nReasons:", style="bold")
    for reason in reason_lines(cls.reasons):
        body.append(f"\n  • {reason}")
    return Panel(body, title=Text("Policy"), title_align="left", border_style=style, expand=False)


def render_explain(text: str, spans: list[Span], cls: Classification, console: Console, doc_id: str = "") -> None:
    """Print the highlighted document, a table of its findings, then its tier, categories and reasons."""
    header = Text(f"{plain(doc_id) or 'document'}  ·  {len(text):,} chars  ·  {len(spans)} findings")
    console.rule(header)
    console.print(highlighted_text(text, spans, cls))
    console.print()
    console.print(findings_table(spans))
    console.print(verdict(cls))
