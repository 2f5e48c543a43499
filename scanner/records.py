"""The records that flow between stages. Plain dataclasses: cheap to build, easy to pickle to workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reasons import Reason


class Status(StrEnum):
    """A document's ``status``: the documents table stores these exact strings (``Status.OK == "ok"``).

    A ``str`` enum, so a member is the string itself: Parquet, JSON, fingerprints and comparisons with
    plain strings (values read back from a table) all see ``"ok"``, ``"error"``, ``"skipped"``.
    """

    OK = "ok"  # scanned: tier, categories, reasons and spans are set
    ERROR = "error"  # could hold text but was not scanned (unreadable, undecodable, an internal error):
    #                  its tier is unknown, so ``--fail-on-tier`` counts it and ``redact`` withholds it
    SKIPPED = "skipped"  # holds no text by decision (a binary file, a repeated id): nothing to scan


@dataclass(slots=True)
class Document:
    """One input document as a reader yields it.

    A reader never drops a bad record: it yields a Document with ``text=None`` and ``error`` set (or
    ``status="skipped"``), so the documents table still gets exactly one row for it.
    """

    doc_id: str
    source: str
    text: str | None
    error: str | None = None
    status: str = Status.OK  # a ``Status``
    note: str | None = None  # something the user should know about an ok document (renamed id, encoding)


@dataclass(frozen=True, slots=True)
class Span:
    """A finding: a half-open range of Python ``str`` offsets into the original document text."""

    start: int
    end: int
    label: str
    score: float
    detector: str  # "model" or the rule detector's name ("email", "card", "iban", ...)
    propagated: bool = False  # a copy of a finding made elsewhere in the document (consistency.py)

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(slots=True)
class DocResult:
    """Everything the scan learned about one document; one row of the documents table."""

    doc_id: str
    source: str
    status: str  # a ``Status``
    error: str | None
    n_chars: int
    n_tokens: int
    spans: list[Span] = field(default_factory=list)
    entity_counts: dict[str, int] = field(default_factory=dict)
    tier: int | None = None
    tier_name: str | None = None
    categories: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)  # structured; ``reason_text()`` for people
    language: str | None = None  # ISO 639-1 code from language identification; None when not decided
    model_used: bool = False  # False: no model findings (--no-model, or a language the model lacks)

    def reason_text(self) -> list[str]:
        """The reasons as the terminal shows them (``pii: 1 EMAIL``), one line per category."""
        from .reasons import reason_lines

        return reason_lines(self.reasons)
