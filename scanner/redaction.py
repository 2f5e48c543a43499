"""Redacted copies of documents: every detected span replaced, everything else left exactly as it was.

Styles (``--redact STYLE`` on ``scan``, ``--style`` on ``redact``):

* ``mask``: every non-whitespace character of a span becomes ``*``; whitespace (spaces, tabs, newlines)
  inside a span is kept. The text keeps its length, so every offset computed on the original (the
  spans table's ``start``/``end`` included) is still right on the redacted text, and layout survives.
* ``type``: the span becomes ``[LABEL]``, e.g. ``[EMAIL]``.
* ``pseudonym``: the span becomes ``LABEL_xxxxxxxx``, the first 8 hex digits of
  ``HMAC-SHA256(key, LABEL + "\\0" + value)``. The same value under the same label gets the same
  pseudonym in every document and every run with the same key, so joins and counts across documents
  still work; without the key the pseudonyms cannot be reversed or recomputed. The key comes from
  ``PII_SCANNER_REDACT_KEY`` (the key itself, at least 16 characters) or ``PII_SCANNER_REDACT_KEY_FILE``
  (a file holding it; surrounding whitespace is stripped), exactly one of the two. It is never written
  anywhere: not in the output, not in the manifest, not in messages. 8 hex digits are 32 bits: two
  different values of one label share a pseudonym with odds about n^2 / 2^33 for n distinct values
  (about 1 in 2 at 77,000 values), which merges two identities in the output but never reveals one.
  Values are compared exactly (case and spacing count). Resuming a scan with another key mixes two
  pseudonym sets in one output: use ``--fresh`` when the key changes.
* ``hash``: the span becomes ``LABEL:xxxxxxxxxxxx``, the first 12 hex digits of an unkeyed
  ``sha256(value)``. **Unkeyed hashes of low-entropy values can be reversed by brute force**: there
  are only about 10^10 phone numbers, 10^9 US SSNs and 10^16 card numbers, and anyone can hash them
  all (or every name in a phone book) and look the output up. Use ``hash`` only where a recomputable,
  key-free token is the point (e.g. matching against another data set hashed the same way); prefer
  ``pseudonym`` otherwise.

Documents whose status is not ``ok`` (errors, skipped binaries, duplicate ids) get a null ``text``:
there is no scan result to redact them with, and copying them unredacted would leak them.

Writing is elsewhere: ``writers.commit_shard`` writes ``OUT/redacted/part-XXXXX.parquet`` (``doc_id``,
``text``) during a scan, and ``redact_run`` drives the ``redact`` command. Both get their ``Redactor``
from ``build_redactor``, so one process and the worker processes redact the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .config import ConfigError
from .records import DocResult, Document, Span, Status

KEY_ENV = "PII_SCANNER_REDACT_KEY"
KEY_FILE_ENV = "PII_SCANNER_REDACT_KEY_FILE"
MIN_KEY_BYTES = 16
PSEUDONYM_HEX = 8
HASH_HEX = 12
MASK_CHAR = "*"


class RedactError(ConfigError):
    """Redaction cannot run (unknown style, missing or unusable key); one line, never holding the key."""


# --------------------------------------------------------------------------------------------- keys


def load_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonym key from ``PII_SCANNER_REDACT_KEY`` or the file ``PII_SCANNER_REDACT_KEY_FILE``."""
    env = os.environ if environ is None else environ
    value, path = env.get(KEY_ENV), env.get(KEY_FILE_ENV)
    if value and path:
        raise RedactError(f"both {KEY_ENV} and {KEY_FILE_ENV} are set; set only one")
    if value:
        key = value.encode("utf-8", "surrogateescape")
        where = KEY_ENV
    elif path:
        try:
            key = Path(path).read_bytes().strip()
        except OSError as exc:
            raise RedactError(f"{KEY_FILE_ENV}={path}: cannot read key file ({exc.strerror or exc})") from None
        where = f"{KEY_FILE_ENV}={path}"
    else:
        raise RedactError(f"--redact pseudonym needs a secret key: set {KEY_ENV} to the key, or "
                          f"{KEY_FILE_ENV} to a file holding it")
    if len(key) < MIN_KEY_BYTES:
        # The length is fine to say; the key is not.
        raise RedactError(f"{where}: the key is {len(key)} bytes, at least {MIN_KEY_BYTES} are needed "
                          f"(e.g. from `openssl rand -hex 32`)")
    return key


# --------------------------------------------------------------------------------------------- text


def _regions(text_len: int, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans clamped to the text, empty ones dropped, sorted, overlapping ones merged into one region.

    The merge guarantees sorted non-overlapping spans; this is the defence for anything else (a spans
    table edited by hand, a future detector): an overlap must never let a piece of a span through.
    A merged region keeps the label of its first (earliest, then longest) span.
    """
    cleaned = []
    for start, end, label in spans:
        start, end = max(0, int(start)), min(text_len, int(end))
        if end > start:
            cleaned.append((start, end, label))
    cleaned.sort(key=lambda r: (r[0], -r[1]))
    out: list[tuple[int, int, str]] = []
    for start, end, label in cleaned:
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, label))
    return out


def _mask(value: str, label: str, key: bytes | None) -> str:
    return "".join(c if c.isspace() else MASK_CHAR for c in value)


def _type(value: str, label: str, key: bytes | None) -> str:
    return f"[{label}]"


def _pseudonym(value: str, label: str, key: bytes | None) -> str:
    msg = label.encode("utf-8") + b"\0" + value.encode("utf-8", "surrogatepass")
    return f"{label}_{hmac.new(key or b'', msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]}"


def _hash(value: str, label: str, key: bytes | None) -> str:
    return f"{label}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:HASH_HEX]}"


# What one span's text becomes, per style: (value, label, key) -> replacement.
_REPLACE: dict[str, Callable[[str, str, bytes | None], str]] = {
    "mask": _mask, "type": _type, "pseudonym": _pseudonym, "hash": _hash}
STYLES: tuple[str, ...] = tuple(_REPLACE)  # what --redact and --style accept


class Redactor:
    """One redaction style (and its key, for ``pseudonym``); the one place a style and key are checked."""

    def __init__(self, style: str, key: bytes | None = None):
        if style not in STYLES:
            raise RedactError(f"unknown redaction style '{style}' (expected one of: {', '.join(STYLES)})")
        if style == "pseudonym":
            if not key:
                raise RedactError("pseudonym redaction needs a key")
            if len(key) < MIN_KEY_BYTES:  # the length is fine to say; the key is not
                raise RedactError(f"the key is {len(key)} bytes, at least {MIN_KEY_BYTES} are needed")
        self.style = style
        self._key = key if style == "pseudonym" else None
        self._replace = _REPLACE[style]

    def __repr__(self) -> str:  # never the key
        return f"Redactor(style={self.style!r})"

    def redact_regions(self, text: str, spans: Iterable[tuple[int, int, str]]) -> str:
        """``redact`` on plain ``(start, end, label)`` triples (what the ``redact`` command reads)."""
        parts: list[str] = []
        pos = 0
        for start, end, label in _regions(len(text), spans):
            parts.append(text[pos:start])
            parts.append(self._replace(text[start:end], label, self._key))
            pos = end
        if not parts:
            return text
        parts.append(text[pos:])
        return "".join(parts)

    def redact(self, text: str, spans: Sequence[Span]) -> str:
        """``text`` with every span replaced; text outside the spans is kept as it is.

        ``spans`` are half-open ``str`` offsets (sorted and non-overlapping as the merge makes them;
        others are clamped, sorted and merged first).
        """
        return self.redact_regions(text, ((s.start, s.end, s.label) for s in spans))

    def texts(self, docs: Sequence[Document], results: Sequence[DocResult]) -> list[str | None]:
        """Redacted text per document; None for documents that were not scanned successfully."""
        if len(docs) != len(results):
            raise ValueError(f"{len(docs)} documents but {len(results)} results")
        out: list[str | None] = []
        for doc, res in zip(docs, results):
            if doc.doc_id != res.doc_id:
                raise ValueError(f"documents and results out of step: {doc.doc_id!r} vs {res.doc_id!r}")
            if res.status != Status.OK or doc.text is None:
                out.append(None)
            else:
                out.append(self.redact(doc.text, res.spans))
        return out


def build_redactor(style: str | None, environ: Mapping[str, str] | None = None) -> Redactor | None:
    """The redactor for ``style`` (None: no redaction); ``pseudonym`` reads its key (``load_key``).

    The one way a scan gets its redactor: the process that runs the scan calls it before touching the
    output (a missing key must not cost earlier results), and each worker process calls it again
    from the environment it inherited (the key is never pickled or sent).
    """
    if style is None:
        return None
    return Redactor(style, load_key(environ) if style == "pseudonym" else None)


def redact_text(text: str, spans: Sequence[Span], style: str, key: bytes | None = None) -> str:
    """``text`` with every span replaced in ``style`` (see ``Redactor.redact``); ``key`` for ``pseudonym``."""
    return Redactor(style, key).redact(text, spans)
