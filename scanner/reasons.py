"""Structured reasons: why a document got its tier, as data users and reports can aggregate.

Each ``Reason`` names one cause: a label counted for a category (``label`` + ``count``), or one marker
found (``marker`` + ``count`` occurrences), optionally conditioned on a context (a letter's
salutation made a name personal). Never the matched text: reasons are stored and printed.
``reason_lines`` renders them as the one-line-per-category text the terminal and ``explain`` show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

CODE_SIGNAL = "code-like text"  # the marker name of the source-code signal (not a configured marker)
PUBLIC_TEXT = "no sensitive findings or markers"



@dataclass(frozen=True, slots=True)
class Reason:
    """One cause of a category; ``label`` or ``marker`` is set (neither for ``public``)."""

    category: str
    label: str | None = None
    marker: str | None = None
    count: int = 0
    context: tuple[str, ...] = ()
    context_markers: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        """The Parquet struct (``writers.REASON_TYPE``)."""
        return {"category": self.category, "label": self.label, "marker": self.marker, "count": self.count,
                "context": list(self.context), "context_markers": list(self.context_markers)}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Reason:
        return cls(row["category"], row.get("label"), row.get("marker"), int(row.get("count") or 0),
                   tuple(row.get("context") or ()), tuple(row.get("context_markers") or ()))

    def __str__(self) -> str:
        return reason_lines([self])[0]


def _kind(r: Reason) -> str:
    if r.label is not None:
        return "label"
    if r.marker == CODE_SIGNAL and r.category == "source_code":
        return "code"
    return "marker" if r.marker is not None else "public"


def _group_key(r: Reason) -> tuple:
    return (r.category, _kind(r), r.context, r.context_markers)


def _line(group: list[Reason]) -> str:
    first = group[0]
    kind = _kind(first)
    if kind == "label":
        text = ", ".join(f"{r.count} {r.label}" for r in group)
        if first.context:
            names = ", ".join(f"'{n}'" for n in first.context_markers)
            text += f" in a {'/'.join(first.context)} context ({names})"
    elif kind == "marker":
        text = f"marker{'s' if len(group) > 1 else ''} " + ", ".join(f"'{r.marker}'" for r in group)
    elif kind == "code":
        text = CODE_SIGNAL
    else:
        text = PUBLIC_TEXT
    return f"{first.category}: {text}"


def reason_lines(reasons: Iterable[Reason | dict]) -> list[str]:
    """Readable text, one line per category and kind: ``pii: 2 PERSON, 1 EMAIL``,
    ``privileged: markers 'A', 'B'``, ``pii: 1 PERSON in a personal context ('salutation')``."""
    items = [r if isinstance(r, Reason) else Reason.from_row(r) for r in reasons]
    return [_line(list(g)) for _, g in groupby(items, key=_group_key)]
