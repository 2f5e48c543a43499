"""Phone numbers, validated by ``phonenumbers`` (Google's libphonenumber metadata).

Running ``PhoneNumberMatcher`` over a whole document once per region is slow on large texts, so one
linear regex first finds phone-shaped runs (7+ digits with single separators) and the matcher runs on
each short candidate only: ``+`` numbers once (the region does not matter), national numbers with each
configured region in turn until one validates.

Numbers in data are the main source of false phones, so a candidate is dropped when it:
starts right after a letter, digit, sign, decimal point or "digit space" (``1.6e-01``, the second
column of a table); has more than 7 digit groups; is a decimal or a row of decimals (one ``.``, or
dots mixed with other separators); is an IPv4 address (libphonenumber takes ``53.171.77.184`` for a
US number); contains a date (``2018-01-01 11``); has unbalanced parentheses (``(3037000500, ...``);
is mostly single digits (``3 4 5 6 7 8 9``); ends in a one-digit group (ISBN ``0-471-05669-3``);
follows ISSN/ISBN/DOI/pp; or is followed on its line by a street's name with no phone word before it
("0474 1036 Hastings Street", "02140 33 avenue de Provence": a postcode or unit and a house number,
which German or Indian numbering would take for a phone).

Numbers that are valid in some region far too often need a phone word ("tel", "mobile", "call", ...)
shortly before them: a bare digit run (random 10-digit numbers are valid Indian mobiles ~70% of the
time) and a national number in two groups without a leading 0 or parentheses (``21527 28358``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from phonenumbers import Leniency, PhoneNumberMatcher

from scanner.records import Span
from scanner.rules.base import STREET_KINDS, standard_number

DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN")

# One separator between digit groups: "-", ".", a space, " / ", or a parenthesis with a space.
_SEP = r"(?:[\-.]|[ \u00a0]?/[ \u00a0]?|[ \u00a0]|\)[ \u00a0]?|[ \u00a0]?\()"
# The lookbehinds sit after the first character so the engine can skip quickly to candidates.
_CANDIDATE = re.compile(
    rf"(?:(?:\((?<![\w+\-.,/]\()(?<!\d \()\+?|\+(?<![\w+\-.,/]\+))\d|\d(?<![\w+\-.,/]\d)(?<!\d \d))"
    rf"(?:{_SEP}?\d){{6,}}"
)
_DATE = re.compile(r"\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}|\d{1,2}[\-/.]\d{1,2}[\-/.]\d{4}")
_DIGITS = re.compile(r"\d+")
_NOT_PHONE_BEFORE = re.compile(r"(?i)(?:\b(?:issn|isbn|doi|pp?|arxiv|gh)\W{0,3}|[#§])$")
_CONTEXT = re.compile(
    r"(?i)(?<![^\W\d_])(?:phone|t[eé]l[eé]?(?:phone|fono|fon)?|mobile?|m[oó]vil|handy|portable|cell"
    r"|fax|whats ?app|sms|call|contact|ph|dial)(?![^\W\d_])"
)
# At most three words, then a street's kind (with the usual abbreviations) as a word of its own. "St"
# and "Dr" are also a saint and a doctor ("0171 2345678 Dr. Jones"): they need the street's name first.
_WORD = r"[^\W\d_][\w'’.-]*[ \t]+"
_STREET_AFTER = re.compile(
    rf"[ \t]+(?:(?:{_WORD}){{0,3}}(?i:{STREET_KINDS}|rd|ave|ln|pl|place|court|ct|close|way|square|sq|highway"
    rf"|hwy|parkway|pkwy|via|ul)|(?:{_WORD}){{1,3}}(?i:st|dr))\.?(?![^\W\d_])")
_MAX_DIGITS = 40  # longer runs are tables of figures, not phone numbers
_TRAILING_CONTEXT = 3  # the matcher rejects "2018-01-01 11:59" by looking at the ":59" after a candidate


@lru_cache(maxsize=16384)
def _match_candidate(window: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Phone numbers in one candidate (plus a little trailing text), as offsets into it.

    The first region that finds any wins. Module-level and cached: the same numbers recur across a
    corpus, and the cache pickles cleanly with the detector (it is not part of it).
    """
    for region in regions[:1] if window.lstrip("(").startswith("+") else regions:
        found = tuple((m.start, m.end) for m in PhoneNumberMatcher(window, region, leniency=Leniency.VALID))
        if found:
            return found
    return ()


def _is_ipv4(cand: str) -> bool:
    """Decided as the ip detector decides (``ipaddress``), so what it reports is never a phone."""
    try:
        ipaddress.IPv4Address(cand)
    except ValueError:
        return False
    return True


def _plausible(cand: str, groups: list[str]) -> bool:
    """The cheap shape tests of the module doc, before any parsing."""
    if "." in cand and (cand.count(".") == 1 or any(c in cand for c in " \u00a0-/()")):
        return False  # a decimal, or a row of them
    if len(groups) == 4 and cand.count(".") == 3 and _is_ipv4(cand):
        return False  # the ip detector's; some addresses are valid phone numbers somewhere
    if cand.count("(") != cand.count(")") or _DATE.search(cand):
        return False
    if len(groups) > 7 or sum(len(g) for g in groups) > _MAX_DIGITS or sum(len(g) == 1 for g in groups) >= 3:
        return False
    return len(groups) == 1 or len(groups[-1]) > 1


def _house_number(text: str, start: int, end: int) -> bool:
    """A street's name follows on the line and no phone word stands before: an address's numbers."""
    return _STREET_AFTER.match(text, end) is not None and not _CONTEXT.search(text, max(0, start - 40), start)


class PhoneDetector:
    """International (``+``) and national numbers in the configured regions, leniency VALID."""

    name = "phone"
    labels = frozenset({"PHONE"})

    def __init__(self, regions: tuple[str, ...] | list[str] = DEFAULT_REGIONS) -> None:
        self.regions = tuple(regions) or DEFAULT_REGIONS

    def find(self, text: str) -> list[Span]:
        out: list[Span] = []
        for m in _CANDIDATE.finditer(text):
            cand = m.group()
            groups = _DIGITS.findall(cand)
            if (not _plausible(cand, groups) or _NOT_PHONE_BEFORE.search(text, max(0, m.start() - 8), m.start())
                    or standard_number(text, m.start()) or _house_number(text, m.start(), m.end())):
                continue
            needs_context = (
                len(groups) == 2 and cand[0] not in "+(0" and not cand.startswith("00")
            )  # "21527 28358": two groups, no trunk 0, no area code in parentheses
            base, end = m.start(), m.end()
            if (needs_context or cand.isdigit()) and not _CONTEXT.search(text, max(0, base - 40), end):
                # Every number inside would need a phone word before it and none is near: skip the
                # parser (a third of all candidates in the benchmark corpus: IDs, account numbers).
                continue
            window = text[base : end + _TRAILING_CONTEXT]
            for s, e in _match_candidate(window, self.regions):
                if e > end - base:
                    continue  # ran into the trailing context: not this candidate's number
                raw = window[s:e]
                if raw.isdigit() or needs_context:
                    if not _CONTEXT.search(text, max(0, base + s - 40), base + s):
                        continue
                    score = 0.9
                else:
                    score = 1.0 if "+" in raw else 0.95
                out.append(Span(base + s, base + e, "PHONE", score, self.name))
        return out
