"""The name written right before an e-mail address: ``Jane Roe <jane@example.org>``.

Mail headers, changelog trailers (`` -- Jane Roe <jane@...>``), package metadata and author or
translator credits pair a person's name with their address. The address validates the pattern, so
the name is a PERSON in any language, including documents where the model is not used (see
``language.py``). Anchored on the e-mail detector's findings: the name is matched backwards from
each address, so text without ``@`` costs nothing.

Only title-case words (and initials, and the particles of surnames) make a name, and words that
name a role rather than a person ("Support Team <help@...>") are refused.
"""

from __future__ import annotations

import re

from scanner.records import Span
from scanner.rules.email import EmailDetector

_WORD = r"(?:[A-ZÀ-Þ][a-zß-ÿ]+(?:['’-][A-ZÀ-Þ]?[a-zß-ÿ]+)?|[A-ZÀ-Þ]\.)"
_PARTICLE = r"(?:van|von|der|den|de|da|del|della|di|du|le|la|bin|al|ibn|dos|das)"
# Searched in the 80 characters before the address with endpos there, so \Z anchors to it.
_NAME = re.compile(rf"(?<![\w.@-])({_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_WORD}){{1,3}})[\"']?[ \t]*\n?[ \t]*[<(]\Z")
_ROLE_WORDS = frozenset("""support team contact info information admin administrator sales help
service services desk customer customers office mailing list lists group project maintainers
developers dev bugs bug report reports security abuse webmaster postmaster noreply no-reply
newsletter news marketing billing account accounts hr jobs careers press media hello dear from to
cc bcc reply sent date subject author authors copyright written translated by via and or the
translation traduzione traduction traducción tradução übersetzung vertaling översättning tłumaczenie
maintained maintainer par von door por av di de da van""".split())
_PARTICLES = frozenset(_PARTICLE[3:-1].split("|"))


class NamedEmailDetector:
    """PERSON for a title-case name of 2-4 words directly before ``<address>`` or ``(address)``
    (one line break allowed in between)."""

    name = "named_email"
    labels = frozenset({"PERSON"})

    def __init__(self) -> None:
        self._emails = EmailDetector()

    def find(self, text: str) -> list[Span]:
        out: list[Span] = []
        for email in self._emails.find(text):
            m = _NAME.search(text, max(0, email.start - 80), email.start)
            if m is not None and (span := _person(m)) is not None:
                out.append(span)
        return out


def _person(m: re.Match) -> Span | None:
    """The name in ``m`` without lead-in words ("Contact Jane Roe"); None if a role word remains."""
    words = list(re.finditer(r"\S+", m.group(1)))
    while len(words) > 2 and words[0].group().lower().strip(".") in _ROLE_WORDS | _PARTICLES:
        words.pop(0)
    names = [w.group().lower().strip(".") for w in words]
    if any(w in _ROLE_WORDS and w not in _PARTICLES for w in names) or all(len(w) <= 1 for w in names):
        return None
    start = m.start(1) + words[0].start()
    return Span(start, m.start(1) + words[-1].end(), "PERSON", 0.95, "named_email")
