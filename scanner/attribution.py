"""Attribution: published credits and role addresses, which are public, not a person's data.

A library's README ends with its authors, a man page with its translators, a changelog entry with
its maintainer's trailer: "Jane Roe <jane@example.org>". The scanner still reports those findings
as spans (so ``--redact`` hides them), but the policy does not let them make a category: without
this, every public manual with a credit lands at tier 3. Which labels, headings and lines count is
policy data (``attribution`` in ``configs/policy.yaml``); this module only finds the ranges.

A range is either a credit *section* (from a heading whose title names authors, translators,
maintainers... to the next heading) or a credit *line* (a copyright line, a ``Signed-off-by:``
trailer, "written by ...").

A role address (``perl5-porters@perl.org``, ``security@``, ``bug-coreutils@gnu.org``, any address at
a mailing-list host such as ``lists.debian.org``) is a mailing list or a function, not a person: it makes no category wherever it stands (``role_addresses``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .records import Span

# Headings in the formats public docs come in: markdown `## Title`, POD `=head1 TITLE`, a man page's
# upper-case section line, a reST title over its underline, and a short `Title:` line.
_HEADING = re.compile(
    r"(?m)^(?:#{1,6}[ \t]+(?P<md>[^\n]{1,80})"
    r"|=head\d[ \t]+(?P<pod>[^\n]{1,80})"
    r"|(?P<caps>[^\W\d_a-zß-ÿ][^\Wa-zß-ÿ]*(?:[ \t]+[^\W\d_a-zß-ÿ][^\Wa-zß-ÿ]*){0,5})[ \t]*"
    r"|(?P<rst>[^\n]{1,80})\n[=\-~^*#]{3,}[ \t]*"
    r"|(?P<colon>[A-Z][\w ]{1,30}):[ \t]*)$"
)


@dataclass(frozen=True, slots=True)
class AttributionSettings:
    """``attribution`` in the policy: which findings in which ranges make no category."""

    labels: frozenset[str] = frozenset()
    headings: re.Pattern[str] | None = None  # matched against a heading's title
    lines: re.Pattern[str] | None = None  # matched against one line
    enabled: bool = field(default=True)
    role_addresses: re.Pattern[str] | None = None  # fullmatched against an e-mail's local part
    list_hosts: re.Pattern[str] | None = None  # fullmatched against an e-mail's domain


def _headings(text: str) -> list[tuple[int, str]]:
    """(start, title) of every heading-like line, in order."""
    out = []
    for m in _HEADING.finditer(text):
        title = next(g for g in m.groups() if g is not None)
        out.append((m.start(), title.strip()))
    return out


def attribution_ranges(text: str, settings: AttributionSettings) -> list[tuple[int, int]]:
    """Character ranges of credit sections and credit lines in ``text``."""
    if not settings.enabled or not settings.labels or not text:
        return []
    out: list[tuple[int, int]] = []
    if settings.headings is not None:
        heads = _headings(text)
        for i, (start, title) in enumerate(heads):
            if settings.headings.search(title):
                end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
                out.append((start, end))
    if settings.lines is not None:
        out += [(m.start(), m.end()) for m in settings.lines.finditer(text)]
    return sorted(out)


def attributed(span: Span, ranges: list[tuple[int, int]]) -> bool:
    """Is ``span`` inside one of ``ranges``? (Ranges are few; a linear scan is enough.)"""
    return any(a <= span.start and span.end <= b for a, b in ranges)


def role_address(value: str, settings: AttributionSettings) -> bool:
    """Is ``value`` (an e-mail address) a list's or a function's, by its local part or its host?"""
    if "@" not in value:
        return False
    local, _, domain = value.rpartition("@")
    local = local.split("+", 1)[0].lower()
    return ((settings.role_addresses is not None and settings.role_addresses.fullmatch(local) is not None)
            or (settings.list_hosts is not None and settings.list_hosts.fullmatch(domain.lower()) is not None))


def public_credits(text: str, spans: list[Span], settings: AttributionSettings) -> tuple[list[Span], int]:
    """(the spans that may make a category, how many were left out as attribution)."""
    if not settings.enabled or not any(s.label in settings.labels or s.label == "EMAIL" for s in spans):
        return spans, 0  # nothing it could excuse: skip the heading scan (it runs once per document)
    ranges = attribution_ranges(text, settings)
    keep = [s for s in spans
            if not (s.label in settings.labels and ranges and attributed(s, ranges))
            and not (s.label == "EMAIL" and role_address(text[s.start:s.end], settings))]
    return keep, len(spans) - len(keep)
