"""Email addresses.

Anchored on the ``@``: the text is scanned for ``@`` (a literal search, fast), then the domain is
matched forward and the local part backward from each one. A regex that may start at any word would
try every word of the document; this costs nothing on text without ``@`` and stays linear with it.
"""

from __future__ import annotations

import re

from scanner.records import Span

_LABEL = r"[^\W_](?:[\w\-]{0,61}[^\W_])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[^\W\d_]{{2,63}}(?![\w\-])(?!\.[^\W_])")
# Searched in the 64 characters before the "@" with endpos at the "@", so \Z anchors to it.
_LOCAL = re.compile(r"[\w%+\-]+(?:\.[\w%+\-]+)*\Z")
_LOCAL_CHAR = re.compile(r"[\w%+\-.]")
_AT = re.compile("@")
# "git@github.com:org/repo.git" and "ssh://git@host/..." name a login on a host, not a mailbox.
_SCP_PATH = re.compile(r":[\w~./-]")


def remote_login(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` the login of an SSH remote (``git@host:path``, ``ssh://git@host``)?"""
    return _SCP_PATH.match(text, end) is not None or text.endswith("://", 0, start)


class EmailDetector:
    """``local@domain.tld``; unicode letters allowed (IDN mailboxes), TLD letters only, local <= 64."""

    name = "email"
    labels = frozenset({"EMAIL"})

    def find(self, text: str) -> list[Span]:
        if "@" not in text:
            return []
        out: list[Span] = []
        for at in _AT.finditer(text):
            i = at.start()
            domain = _DOMAIN.match(text, i + 1)
            if domain is None:
                continue
            low = max(0, i - 64)
            local = _LOCAL.search(text, low, i)
            if local is None:
                continue
            s = local.start()
            if s == low and low > 0 and _LOCAL_CHAR.match(text, low - 1):
                continue  # the local part is longer than 64 characters: not an address
            if remote_login(text, s, domain.end()):
                continue  # an SSH remote or a URL's user part (the url detector sees the URL)
            end = domain.end()
            if text.startswith("E<gt>", end - 1):  # POD's escaped ">": "E<lt>jane@example.orgE<gt>"
                end -= 1
            out.append(Span(s, end, "EMAIL", 1.0, self.name))
        return out
