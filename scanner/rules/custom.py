"""Detectors built from config: custom regexes (``custom:<name>``) and the deny-list (``deny``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import re2

from scanner.config import ConfigError
from scanner.records import Span
from scanner.rules.base import RegexDetector


def _linear(name: str, pattern: re.Pattern[str]):
    """The user's pattern on RE2, which runs in time linear in the text: a nested quantifier such as
    ``(a+)+$`` takes exponential time in Python's ``re`` and would hang a scan on one document.

    RE2 has no lookarounds or backreferences (they cannot run in linear time), so such a pattern is a
    config error. Its ``\\w``, ``\\d`` and ``\\b`` are ASCII-only, unlike Python's.
    """
    options = re2.Options()
    options.log_errors = False  # RE2 would print its parse errors to stderr
    options.case_sensitive = not pattern.flags & re.IGNORECASE
    try:
        return re2.compile(pattern.pattern, options)
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ConfigError(f"custom detector '{name}': pattern not supported by the linear-time regex "
                          f"engine RE2 ({why}); lookarounds and backreferences are not available") from None


class CustomDetector(RegexDetector):
    """A user regex from ``custom:`` in the rules config.

    The span is the named group ``value`` when the pattern has one (``EMP-(?P<value>\\d{6})``), else the
    whole match. The pattern runs on RE2 (see ``_linear``): linear time whatever the pattern.
    """

    def __init__(self, name: str, label: str, pattern: re.Pattern[str], score: float = 0.9) -> None:
        self.name = f"custom:{name}"
        self.label = label
        self.labels = frozenset({label})
        self.pattern = _linear(name, pattern)
        self.score = score
        # RE2's match objects take group numbers only
        self.group = self.pattern.groupindex.get("value", 0)


class DenyDetector:
    """Deny-list terms: always flagged, case-insensitive, whole words where a term starts/ends with one.

    All terms go into one alternation (longest first): the text is scanned once however long the list.
    """

    name = "deny"

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self._label: dict[str, str] = {}
        for value, label in terms:
            self._label[_norm(value)] = label
        self.labels = frozenset(self._label.values())
        alts = sorted(self._label, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(_term_regex(t) for t in alts) + r")", re.IGNORECASE)
            if alts
            else None
        )

    def find(self, text: str) -> list[Span]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            label = self._label.get(_norm(m.group()))
            if label is not None:
                out.append(Span(m.start(), m.end(), label, 1.0, self.name))
        return out


def _norm(term: str) -> str:
    return " ".join(term.lower().split())


def _term_regex(term: str) -> str:
    """Escaped term; runs of whitespace match any whitespace; a word-final term must end at a word edge."""
    body = r"\s+".join(re.escape(part) for part in term.split())
    return body + (r"(?!\w)" if term[-1:].isalnum() or term.endswith("_") else "")
