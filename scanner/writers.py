"""Writing scan results: Parquet shards of documents and spans, and the run manifest.

Layout (each folder reads directly with ``pd.read_parquet(OUT / "documents")`` or DuckDB
``select * from 'OUT/spans/*.parquet'``)::

    OUT/documents/part-00000.parquet   one row per input document
    OUT/spans/part-00000.parquet       one row per finding
    OUT/redacted/part-00000.parquet    with --redact: doc_id, redacted text
    OUT/manifest.json

Why it is built this way:

* Results are PII, so every file is created 0600 and every folder we create 0700, whatever the umask.
* Every file is written to a hidden temp name in its final folder and then ``os.replace``-d into place,
  so a killed run never leaves a half-written Parquet file that a reader would choke on. Temp names
  start with ``.``, which pyarrow/pandas ignore and ``*.parquet`` globs do not match.
* A shard writes spans (and, with ``--redact``, ``OUT/redacted``) first, documents last: the documents
  part existing is what marks the shard committed. A crash before that leaves orphan spans/redacted
  parts, which ``prepare_output`` removes and the resumed run rewrites, so nothing is duplicated.
* Empty shards are still written with the full schema, so readers always see the columns.
* A documents part's Parquet metadata holds the fingerprint of the documents it was scanned from
  (``resume.shard_fingerprint``): written in the same rename as the part, so they never disagree, and
  a rerun can tell whether a committed shard is still current.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from .records import DocResult

DOCUMENTS_DIR = "documents"
SPANS_DIR = "spans"
REDACTED_DIR = "redacted"  # with --redact: a ``redaction.Redactor``'s texts, before the documents part
MANIFEST = "manifest.json"
# What ``prepare_output(fresh=True)`` removes; a later writer adds its folder here.
RESULT_ENTRIES: list[str] = [DOCUMENTS_DIR, SPANS_DIR, REDACTED_DIR, MANIFEST]
# Per-shard parts written before the documents part commits the shard: orphans of a killed run go.
_PRE_COMMIT_DIRS: tuple[str, ...] = (SPANS_DIR, REDACTED_DIR)

FILE_MODE = 0o600
DIR_MODE = 0o700
COMPRESSION = "zstd"

# One struct per cause of the tier (``reasons.Reason``); never the matched text.
REASON_TYPE = pa.struct([
    pa.field("category", pa.string(), nullable=False),
    pa.field("label", pa.string()),  # an entity label counted for the category, or null
    pa.field("marker", pa.string()),  # a document marker's name (or the code signal), or null
    pa.field("count", pa.int32(), nullable=False),  # findings of the label / occurrences of the marker
    pa.field("context", pa.list_(pa.string()), nullable=False),  # contexts the rule required
    pa.field("context_markers", pa.list_(pa.string()), nullable=False),  # the context patterns found
])

# map<string,int32>: DuckDB reads it as MAP (``entity_counts['EMAIL']``), pandas as a list of
# (label, count) tuples (``dict(row.entity_counts)``).
DOCUMENTS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("n_chars", pa.int64(), nullable=False),
        pa.field("n_tokens", pa.int64(), nullable=False),
        pa.field("entity_counts", pa.map_(pa.string(), pa.int32()), nullable=False),
        pa.field("tier", pa.int8()),
        pa.field("tier_name", pa.string()),
        pa.field("categories", pa.list_(pa.string()), nullable=False),
        pa.field("reasons", pa.list_(REASON_TYPE), nullable=False),  # structs: see reasons.py
        pa.field("language", pa.string()),
        pa.field("model_used", pa.bool_(), nullable=False),
        # what a reader changed or guessed for this document (a renamed duplicate id, a legacy encoding)
        pa.field("note", pa.string()),
    ]
)
# Key-value metadata of a documents part: the fingerprint of the documents it was scanned from.
FINGERPRINT_KEY = b"pii_scanner.shard_fingerprint"

SPANS_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("score", pa.float32(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
        pa.field("propagated", pa.bool_(), nullable=False),
    ]
)
# Only with include_text: the matched text is the PII itself, so it is opt-in.
SPANS_SCHEMA_WITH_TEXT = SPANS_SCHEMA.append(pa.field("text", pa.string()))

# OUT/redacted (scan --redact) and the redact command's parts: null text for a document not scanned ok.
REDACTED_SCHEMA = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("text", pa.string())])

_PART = re.compile(r"^part-(\d+)\.parquet$")
_PART_TMP = re.compile(r"^\.part-\d+\.parquet\.tmp-\d+$")  # a part's temp name (``_tmp_path``)


def part_name(shard_id: int) -> str:
    return f"part-{shard_id:05d}.parquet"


# --------------------------------------------------------------------------------------------- atomic files


def _tmp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; best effort (not every filesystem allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Make a file's contents durable (what ``_atomic_write(..., sync=False)`` left to its caller)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, write: Callable[[BinaryIO], object], sync: bool = True) -> None:
    """Create the temp file 0600 (no window where it is readable by others), fill it, fsync, rename.

    ``sync=False``: the same atomic rename (the file exists whole or not at all), without the fsyncs of
    the file and its folder; the caller makes it durable later (``fsync_file`` and ``_fsync_dir``),
    before anything that must not outlive it on disk is written (an audit run's manifest)."""
    path = Path(path)
    tmp = _tmp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # the umask can only remove bits; make it exactly 0600
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            if sync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync:
        _fsync_dir(path.parent)


def atomic_write_bytes(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    _atomic_write(path, lambda f: f.write(data))


def atomic_write_table(table: pa.Table, path: Path, sync: bool = True) -> None:
    """Write ``table`` as zstd Parquet to ``path`` atomically, mode 0600 (``sync``: as ``_atomic_write``)."""
    _atomic_write(path, lambda f: pq.write_table(table, f, compression=COMPRESSION), sync)


# --------------------------------------------------------------------------------------------- tables


def _array(values: list[Any], field: pa.Field) -> pa.Array:
    arr = pa.array(values, type=field.type)
    if not field.nullable and arr.null_count:
        raise ValueError(f"column '{field.name}' must not be null")
    return arr


def documents_table(results: list[DocResult], notes: list[str | None] | None = None,
                    fingerprint: str | None = None) -> pa.Table:
    """One row per result, in order. Map keys are sorted so equal results give equal files."""
    s = DOCUMENTS_SCHEMA
    if fingerprint is not None:
        s = s.with_metadata({FINGERPRINT_KEY: fingerprint.encode()})
    cols = {
        "doc_id": [r.doc_id for r in results],
        "source": [r.source for r in results],
        "status": [r.status for r in results],
        "error": [r.error for r in results],
        "n_chars": [r.n_chars for r in results],
        "n_tokens": [r.n_tokens for r in results],
        "entity_counts": [sorted(r.entity_counts.items()) for r in results],
        "tier": [r.tier for r in results],
        "tier_name": [r.tier_name for r in results],
        "categories": [list(r.categories) for r in results],
        "reasons": [[x.as_row() for x in r.reasons] for r in results],
        "language": [r.language for r in results],
        "model_used": [r.model_used for r in results],
        "note": notes if notes is not None else [None] * len(results),
    }
    return pa.Table.from_arrays([_array(cols[f.name], f) for f in s], schema=s)


def spans_table(
    results: list[DocResult], include_text: bool = False, texts: list[str | None] | None = None
) -> pa.Table:
    """One row per span, documents in order. ``texts[i]`` is the text of ``results[i]`` (include_text)."""
    if include_text and (texts is None or len(texts) != len(results)):
        raise ValueError("include_text needs one text (or None) per result")
    schema = SPANS_SCHEMA_WITH_TEXT if include_text else SPANS_SCHEMA
    cols: dict[str, list[Any]] = {f.name: [] for f in schema}
    for i, r in enumerate(results):
        text = texts[i] if include_text and texts is not None else None
        for sp in r.spans:
            cols["doc_id"].append(r.doc_id)
            cols["start"].append(sp.start)
            cols["end"].append(sp.end)
            cols["label"].append(sp.label)
            cols["score"].append(sp.score)
            cols["detector"].append(sp.detector)
            cols["propagated"].append(sp.propagated)
            if include_text:
                cols["text"].append(text[sp.start : sp.end] if text is not None else None)
    return pa.Table.from_arrays([_array(cols[f.name], f) for f in schema], schema=schema)


def redacted_table(doc_ids: list[str], texts: list[str | None]) -> pa.Table:
    return pa.Table.from_arrays([pa.array(list(doc_ids), pa.string()), pa.array(list(texts), pa.string())],
                                schema=REDACTED_SCHEMA)


# --------------------------------------------------------------------------------------------- shards


def write_redacted_part(folder: Path, shard_id: int, doc_ids: list[str], texts: list[str | None]) -> Path:
    """One ``part-XXXXX.parquet`` of (doc_id, text) in ``folder`` (made 0700), atomically, 0600."""
    folder = Path(folder)
    _make_dir(folder)
    path = folder / part_name(shard_id)
    atomic_write_table(redacted_table(doc_ids, texts), path)
    return path


def write_shard(
    out_dir: Path,
    shard_id: int,
    results: list[DocResult],
    include_text: bool = False,
    texts: list[str | None] | None = None,
    notes: list[str | None] | None = None,
    fingerprint: str | None = None,
) -> None:
    """Write one shard: spans part, then documents part (whose existence commits the shard).

    Rewriting a shard replaces both parts, so a resumed shard never duplicates its spans.
    ``fingerprint`` (``resume.shard_fingerprint`` of the shard's documents) goes into the documents
    part's metadata, so a rerun can tell whether the part is still current.
    """
    out_dir = Path(out_dir)
    spans = spans_table(results, include_text, texts)
    docs = documents_table(results, notes, fingerprint)  # built first: a bad value fails with no file
    name = part_name(shard_id)
    for sub in (SPANS_DIR, DOCUMENTS_DIR):
        _make_dir(out_dir / sub)
    atomic_write_table(spans, out_dir / SPANS_DIR / name)
    atomic_write_table(docs, out_dir / DOCUMENTS_DIR / name)


def commit_shard(out_dir: Path, shard_id: int, docs: list, results: list[DocResult],
                 include_text: bool = False, redactor=None) -> None:
    """Everything one scanned shard writes, in commit order: redacted texts (``redactor``, a
    ``redaction.Redactor``, optional), spans, then documents. Every engine commits through here."""
    from .resume import shard_fingerprint

    if redactor is not None:
        write_redacted_part(Path(out_dir) / REDACTED_DIR, shard_id, [r.doc_id for r in results],
                            redactor.texts(docs, results))
    write_shard(out_dir, shard_id, results, include_text=include_text, texts=[d.text for d in docs],
                notes=[d.note for d in docs], fingerprint=shard_fingerprint(docs))


def committed_fingerprint(out_dir: Path, shard_id: int) -> str | None:
    """The fingerprint a committed documents part was written with (None: none recorded, unreadable)."""
    try:
        meta = pq.read_schema(Path(out_dir) / DOCUMENTS_DIR / part_name(shard_id)).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    value = meta.get(FINGERPRINT_KEY)
    return value.decode() if value else None


def uncommit_shard(out_dir: Path, shard_id: int) -> None:
    """Remove a shard's parts, documents first (so a kill in between leaves no committed stale shard)."""
    for sub in (DOCUMENTS_DIR, *_PRE_COMMIT_DIRS):
        (Path(out_dir) / sub / part_name(shard_id)).unlink(missing_ok=True)


def part_ids(folder: Path) -> set[int]:
    """The shard ids of the ``part-XXXXX.parquet`` files in ``folder`` (none when it does not exist)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return set()
    return {int(m.group(1)) for n in names if (m := _PART.match(n))}


def remove_parts(folder: Path) -> None:
    """Remove every part file, and the temp files of killed part writes, from ``folder``; nothing else."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for n in names:
        if _PART.match(n) or _PART_TMP.match(n):
            (Path(folder) / n).unlink(missing_ok=True)


def completed_shards(out_dir: Path) -> set[int]:
    """Shards whose documents part (written last) exists, and whose spans part is there too."""
    out_dir = Path(out_dir)
    return part_ids(out_dir / DOCUMENTS_DIR) & part_ids(out_dir / SPANS_DIR)


def _make_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def _is_temp(name: str) -> bool:
    return name.startswith(".") and ".tmp-" in name


def make_output_dir(out_dir: Path) -> None:
    """Create the output folder 0700 if missing; an existing file of that name is an error."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir}: exists and is not a directory")
    _make_dir(out_dir)


def prepare_output(out_dir: Path, fresh: bool) -> None:
    """Make ``out_dir`` ready for a run.

    Creates it 0700 if missing (an existing folder's mode is left alone: it may be a shared parent the
    user chose; our subfolders are 0700 anyway). Always removes temp files a killed run left, and spans
    parts of shards that never committed. ``fresh`` also removes previous results, and only those: the
    folder may hold other things of the user's.
    """
    out_dir = Path(out_dir)
    make_output_dir(out_dir)
    if fresh:
        for entry in RESULT_ENTRIES:
            p = out_dir / entry
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
    for folder in (out_dir, *(out_dir / e for e in RESULT_ENTRIES if (out_dir / e).is_dir())):
        for name in os.listdir(folder):
            if _is_temp(name):
                (folder / name).unlink(missing_ok=True)
    for sub in (DOCUMENTS_DIR, SPANS_DIR):
        _make_dir(out_dir / sub)
    remove_orphans(out_dir)


def remove_orphans(out_dir: Path) -> None:
    """Remove spans/redacted parts of shards whose documents part never committed (a killed or failed
    shard); also what frees the space a failed write on a full disk took."""
    out_dir = Path(out_dir)
    committed = part_ids(out_dir / DOCUMENTS_DIR)
    for sub in _PRE_COMMIT_DIRS:
        for shard_id in part_ids(out_dir / sub) - committed:
            (out_dir / sub / part_name(shard_id)).unlink(missing_ok=True)


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Pretty JSON, atomic and 0600; Paths and other odd values are written as strings."""
    data = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write_bytes(data.encode("utf-8"), Path(out_dir) / MANIFEST)


def read_manifest(out_dir: Path, name: str = MANIFEST) -> dict[str, Any] | None:
    """The manifest of a previous run, None when there is none (a fresh folder), {} when it is not
    readable JSON (so a resume treats its settings as unknown, rather than crashing). ``name``: another
    JSON manifest in that folder (an ONNX export's ``export.json``)."""
    try:
        data = json.loads((Path(out_dir) / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
