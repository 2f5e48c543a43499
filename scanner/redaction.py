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

Output: ``OUT/redacted/part-XXXXX.parquet`` (``doc_id``, ``text``), one part per shard, written
atomically, 0600, in a 0700 folder, before the shard's documents part commits it (see ``writers``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pyarrow as pa

from .config import ConfigError
from .records import DocResult, Document, Span
from .writers import REDACTED_DIR, _make_dir, atomic_write_table, part_name

STYLES: tuple[str, ...] = ("mask", "type", "pseudonym", "hash")
KEY_ENV = "PII_SCANNER_REDACT_KEY"
KEY_FILE_ENV = "PII_SCANNER_REDACT_KEY_FILE"
MIN_KEY_BYTES = 16
PSEUDONYM_HEX = 8
HASH_HEX = 12
MASK_CHAR = "*"

REDACTED_SCHEMA = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("text", pa.string())])


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


def _mask(value: str) -> str:
    return "".join(c if c.isspace() else MASK_CHAR for c in value)


def replacement(value: str, label: str, style: str, key: bytes | None = None) -> str:
    """What one span's text becomes in ``style``."""
    if style == "mask":
        return _mask(value)
    if style == "type":
        return f"[{label}]"
    if style == "pseudonym":
        if not key:
            raise RedactError("pseudonym redaction needs a key")
        msg = label.encode("utf-8") + b"\0" + value.encode("utf-8", "surrogatepass")
        return f"{label}_{hmac.new(key, msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]}"
    if style == "hash":
        return f"{label}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:HASH_HEX]}"
    raise RedactError(f"unknown redaction style '{style}' (expected one of: {', '.join(STYLES)})")


def redact_regions(text: str, spans: Iterable[tuple[int, int, str]], style: str, key: bytes | None = None) -> str:
    """``redact_text`` on plain ``(start, end, label)`` triples (what the ``redact`` command reads)."""
    parts: list[str] = []
    pos = 0
    for start, end, label in _regions(len(text), spans):
        parts.append(text[pos:start])
        parts.append(replacement(text[start:end], label, style, key))
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def redact_text(text: str, spans: Sequence[Span], style: str, key: bytes | None = None) -> str:
    """``text`` with every span replaced in ``style``; text outside the spans is kept as it is.

    ``spans`` are half-open ``str`` offsets (sorted and non-overlapping as the merge makes them; others
    are clamped, sorted and merged first). ``key`` is needed for ``pseudonym`` only.
    """
    if style not in STYLES:
        raise RedactError(f"unknown redaction style '{style}' (expected one of: {', '.join(STYLES)})")
    return redact_regions(text, ((s.start, s.end, s.label) for s in spans), style, key)


# --------------------------------------------------------------------------------------------- output


def redacted_table(doc_ids: Sequence[str], texts: Sequence[str | None]) -> pa.Table:
    return pa.Table.from_arrays([pa.array(list(doc_ids), pa.string()), pa.array(list(texts), pa.string())],
                                schema=REDACTED_SCHEMA)


def write_part(folder: Path, shard_id: int, doc_ids: Sequence[str], texts: Sequence[str | None]) -> Path:
    """One ``part-XXXXX.parquet`` of (doc_id, text) in ``folder`` (made 0700), atomically, 0600."""
    folder = Path(folder)
    _make_dir(folder)
    path = folder / part_name(shard_id)
    atomic_write_table(redacted_table(doc_ids, texts), path)
    return path


class Redactor:
    """One redaction style (and its key, for ``pseudonym``), applied shard by shard during a scan."""

    def __init__(self, style: str, key: bytes | None = None):
        if style not in STYLES:
            raise RedactError(f"unknown redaction style '{style}' (expected one of: {', '.join(STYLES)})")
        if style == "pseudonym" and not key:
            raise RedactError("pseudonym redaction needs a key")
        self.style = style
        self._key = key if style == "pseudonym" else None

    @classmethod
    def from_env(cls, style: str, environ: Mapping[str, str] | None = None) -> "Redactor":
        """A redactor for ``style``; ``pseudonym`` reads its key (see ``load_key``), the others need none."""
        if style not in STYLES:
            raise RedactError(f"unknown redaction style '{style}' (expected one of: {', '.join(STYLES)})")
        return cls(style, load_key(environ) if style == "pseudonym" else None)

    def __repr__(self) -> str:  # never the key
        return f"Redactor(style={self.style!r})"

    def describe(self) -> dict:
        return {"style": self.style}

    def redact(self, text: str, spans: Sequence[Span]) -> str:
        return redact_text(text, spans, self.style, self._key)

    def redact_regions(self, text: str, spans: Iterable[tuple[int, int, str]]) -> str:
        return redact_regions(text, spans, self.style, self._key)

    def texts(self, docs: Sequence[Document], results: Sequence[DocResult]) -> list[str | None]:
        """Redacted text per document; None for documents that were not scanned successfully."""
        if len(docs) != len(results):
            raise ValueError(f"{len(docs)} documents but {len(results)} results")
        out: list[str | None] = []
        for doc, res in zip(docs, results):
            if doc.doc_id != res.doc_id:
                raise ValueError(f"documents and results out of step: {doc.doc_id!r} vs {res.doc_id!r}")
            if res.status != "ok" or doc.text is None:
                out.append(None)
            else:
                out.append(self.redact(doc.text, res.spans))
        return out

    def write_shard(self, out_dir: Path, shard_id: int, docs: Sequence[Document],
                    results: Sequence[DocResult]) -> Path:
        """``OUT/redacted/part-XXXXX.parquet`` for one shard (call it before the shard commits)."""
        texts = self.texts(docs, results)
        return write_part(Path(out_dir) / REDACTED_DIR, shard_id, [r.doc_id for r in results], texts)


# --------------------------------------------------------------------------------------------- redact command


def _scan_base(scan_out: str | Path) -> Path:
    """The scan's OUT folder, given OUT or OUT/spans."""
    from .writers import DOCUMENTS_DIR, SPANS_DIR

    base = Path(scan_out)
    if not (base / SPANS_DIR).is_dir() and base.name == SPANS_DIR and base.is_dir():
        base = base.parent
    if not (base / SPANS_DIR).is_dir() or not (base / DOCUMENTS_DIR).is_dir():
        raise RedactError(f"{scan_out}: not a scan output folder (expected {SPANS_DIR}/ and "
                          f"{DOCUMENTS_DIR}/ written by `pii-scanner scan`)")
    return base


def scan_options(scan_out: str | Path) -> dict:
    """The options the scan ran with (text/id column, format, shard size), from its manifest; {} if none."""
    from .writers import read_manifest

    try:
        manifest = read_manifest(_scan_base(scan_out)) or {}
    except (OSError, ValueError):
        return {}
    opts = manifest.get("options")
    return opts if isinstance(opts, dict) else {}


class SpanIndex:
    """A finished scan's results, ready to redact its corpus again: per doc_id, status, length, spans.

    Spans live in flat numpy arrays sorted by (doc_id, start), with one ``(lo, hi)`` range per document,
    so millions of spans cost ~20 bytes each plus ~100 bytes per document for the id dict.
    Only committed shards are read (a killed scan's orphan parts are ignored).
    """

    def __init__(self, scan_out: str | Path):
        import numpy as np
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        from .writers import DOCUMENTS_DIR, SPANS_DIR, completed_shards

        base = _scan_base(scan_out)
        shards = sorted(completed_shards(base))
        if not shards:
            raise RedactError(f"{scan_out}: no completed shards (has the scan run?)")
        self.base = base
        self.shards = len(shards)

        # Documents: doc_id -> row; a repeated id keeps its "ok" row (repeats are skipped duplicates).
        self._row: dict[str, int] = {}
        ok: list[bool] = []
        n_chars: list[int] = []
        for sid in shards:
            t = pq.read_table(base / DOCUMENTS_DIR / part_name(sid), columns=["doc_id", "status", "n_chars"])
            for doc_id, status, n in zip(t["doc_id"].to_pylist(), t["status"].to_pylist(), t["n_chars"].to_pylist()):
                row = self._row.get(doc_id)
                if row is None:
                    self._row[doc_id] = len(ok)
                    ok.append(status == "ok")
                    n_chars.append(n)
                elif status == "ok" and not ok[row]:
                    ok[row], n_chars[row] = True, n
        self._ok = np.asarray(ok, dtype=bool)
        self._n_chars = np.asarray(n_chars, dtype=np.int64)
        self._lo = np.zeros(len(ok), dtype=np.int64)
        self._hi = np.zeros(len(ok), dtype=np.int64)

        cols = ["doc_id", "start", "end", "label"]
        tables = [pq.read_table(base / SPANS_DIR / part_name(sid), columns=cols) for sid in shards]
        spans = pa.concat_tables(tables) if tables else None
        self.n_spans = spans.num_rows if spans is not None else 0
        if self.n_spans:
            spans = spans.take(pc.sort_indices(spans, [("doc_id", "ascending"), ("start", "ascending"),
                                                        ("end", "descending")]))
            self._start = spans["start"].to_numpy()
            self._end = spans["end"].to_numpy()
            labels = pc.dictionary_encode(spans["label"]).combine_chunks()
            self._label_code = labels.indices.to_numpy()
            self._label_names: list[str] = labels.dictionary.to_pylist()
            runs = pc.run_end_encode(spans["doc_id"].combine_chunks())
            ends = runs.run_ends.to_numpy()
            lo = 0
            for doc_id, hi in zip(runs.values.to_pylist(), ends.tolist()):
                row = self._row.get(doc_id)
                if row is not None:
                    self._lo[row], self._hi[row] = lo, hi
                lo = hi
            del spans, runs

    def __len__(self) -> int:
        return len(self._row)

    def lookup(self, doc_id: str) -> tuple[str, int, list[tuple[int, int, str]]]:
        """(state, n_chars, spans): state ``ok``, ``missing`` (not in the scan) or ``not-ok``."""
        row = self._row.get(doc_id)
        if row is None:
            return "missing", 0, []
        if not self._ok[row]:
            return "not-ok", 0, []
        lo, hi = int(self._lo[row]), int(self._hi[row])
        names = self._label_names if hi > lo else []
        regions = [(s, e, names[c]) for s, e, c in zip(self._start[lo:hi].tolist(), self._end[lo:hi].tolist(),
                                                       self._label_code[lo:hi].tolist())]
        return "ok", int(self._n_chars[row]), regions


@dataclass
class RedactSummary:
    documents: int = 0
    redacted: int = 0  # written with text
    spans: int = 0  # spans applied
    skipped: int = 0  # null: skipped by the reader or as a duplicate id (as in the scan)
    errors: int = 0  # null: unreadable here, or an error in the scan
    missing: int = 0  # null: id not in the scan's results (different input, or an unfinished scan)
    changed: int = 0  # null: text length differs from the scanned one (the input changed since)
    parts: int = 0

    @property
    def withheld(self) -> int:
        return self.skipped + self.errors + self.missing + self.changed


def _clear_parts(folder: Path, overwrite: bool) -> None:
    import re

    pattern = re.compile(r"^part-\d+\.parquet$")
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    parts = [n for n in names if pattern.match(n)]
    if parts and not overwrite:
        raise RedactError(f"{folder}: already holds {len(parts)} part file(s); pass --overwrite to replace them")
    for n in names:
        if pattern.match(n) or (n.startswith(".part-") and ".tmp-" in n):
            (folder / n).unlink(missing_ok=True)


def redact_corpus(scan_out: str | Path, inputs: Sequence[str | Path], out_dir: str | Path,
                  redactor: Redactor, text_column: str = "text", id_column: str = "id",
                  fmt: str | None = None, shard_size: int = 1024, overwrite: bool = False) -> RedactSummary:
    """Apply a finished scan's spans to its corpus, read again; ``out_dir/part-XXXXX.parquet`` (doc_id, text).

    The corpus must be given as it was to ``scan`` (same paths, columns, format): generated ids contain
    the input path, and offsets are only right on the same text. A document is written with null text
    (never unredacted) when the scan has no ok result for its id or its length differs from the scanned
    one. Documents stream through in shards of ``shard_size``; memory is the span index plus a shard.
    """
    from .readers import DuplicateGuard, iter_shards, read_documents

    # InputError before any output; the scan never read its own output folder, nor does this
    docs = read_documents(list(inputs), text_column, id_column, fmt, exclude=[scan_out, out_dir])
    index = SpanIndex(scan_out)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise RedactError(f"{out}: exists and is not a directory")
    _make_dir(out)
    _clear_parts(out, overwrite)
    s = RedactSummary()
    for shard_id, shard in iter_shards(DuplicateGuard()(docs), shard_size):
        ids: list[str] = []
        texts: list[str | None] = []
        for doc in shard:
            ids.append(doc.doc_id)
            texts.append(None)
            s.documents += 1
            if doc.status != "ok" or doc.text is None:
                if doc.status == "skipped":
                    s.skipped += 1
                else:
                    s.errors += 1
                continue
            state, n_chars, regions = index.lookup(doc.doc_id)
            if state == "missing":
                s.missing += 1
            elif state == "not-ok":
                s.errors += 1
            elif n_chars != len(doc.text):
                s.changed += 1
            else:
                texts[-1] = redactor.redact_regions(doc.text, regions)
                s.redacted += 1
                s.spans += len(regions)
        write_part(out, shard_id, ids, texts)
        s.parts += 1
    if s.parts == 0:
        write_part(out, 0, [], [])
        s.parts = 1
    return s
