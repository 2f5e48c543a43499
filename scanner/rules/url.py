"""URLs (``http``, ``https``, ``ftp``, ``sftp``, ``ws(s)`` and bare ``www.``), and credentials inside URLs.

Decision on embedded credentials: a URL of any scheme carrying ``user:password@`` (``https://bob:pw@host``,
``postgres://app:pw@db/prod``) is reported whole as SECRET, not URL. A span set has no overlaps, so the
URL and a PASSWORD inside it cannot both be kept; the whole string is what must not leave the building
(it is a working login), and SECRET puts the document in the credentials category. A placeholder
password (``user:<password>@``, ``${PASS}``, ``***``) leaves an ordinary URL.

Matching is anchored on ``://`` and ``www.`` (literal searches) with the scheme read backwards, so a
text without them costs two ``in`` tests. Trailing sentence punctuation and closing brackets the URL
did not open are trimmed.
"""

from __future__ import annotations

import re

from scanner.records import Span
from scanner.rules.secrets import is_placeholder

_SEP = re.compile("://")
_WWW = re.compile(r"[wW]{3}\d{0,3}\.")  # two passes: an alternation would lose the fast literal scan
# Searched in the 31 characters before "://" with endpos there, so \Z anchors to it.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}\Z")
_BODY = re.compile(r"[^\s<>\"'`|\\^]+")
_NOT_BEFORE = re.compile(r"[\w.+\-@/]")  # a URL does not start right after these
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss"})
_USERINFO = re.compile(r"://(?P<user>[^/?#@\s:\[\]]*):(?P<password>[^/?#@\s\[\]]+)@[^\W_]")
_TRAIL = ".,;:!?*'\""
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        if last in _TRAIL:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


class UrlDetector:
    """URL spans; URLs with a real password in them become SECRET spans."""

    name = "url"
    labels = frozenset({"URL", "SECRET"})

    def find(self, text: str) -> list[Span]:
        low = text.lower() if "www" not in text else text
        if "://" not in text and "www" not in low:
            return []
        out: list[Span] = []
        done = 0  # end of the last URL: anchors inside it ("https://www.x") are part of it
        anchors = list(_SEP.finditer(text))
        if "www" in low or "WWW" in text:
            anchors.extend(_WWW.finditer(text))
            anchors.sort(key=lambda a: a.start())
        for a in anchors:
            if a.start() < done:
                continue
            if a.group() == "://":
                sm = _SCHEME.search(text, max(0, a.start() - 31), a.start())
                if sm is None:
                    continue
                start, scheme = sm.start(), sm.group().lower()
            else:
                start, scheme = a.start(), ""
            if start > 0 and _NOT_BEFORE.match(text, start - 1):
                continue
            body = _BODY.match(text, a.end())
            if body is None:
                continue
            url = _trim(text[start : body.end()])
            end = start + len(url)
            creds = _USERINFO.search(url) if scheme else None
            if creds is not None and not is_placeholder(creds.group("password")):
                out.append(Span(start, end, "SECRET", 1.0, self.name))
                done = end
                continue
            if scheme:
                if scheme not in _URL_SCHEMES or end <= a.end():
                    continue
            elif "." not in url[a.end() - start :].rstrip("/"):
                continue  # "www.x" with no further dot is not a host name
            out.append(Span(start, end, "URL", 1.0, self.name))
            done = end
        return out
