"""Reading documents from a corpus: JSONL, CSV/TSV, Parquet, folders of text files, Hugging Face datasets.

Everything is streamed (one line / one batch / one file at a time), so memory stays bounded by the
largest single document, not by the corpus. Bad input never stops a scan and never disappears: every
unusable record still comes out as a ``Document`` with ``status="error"`` (or ``"skipped"``) and a
one-line ``error``, so the documents table has exactly one row per record the input contained.

Only problems that make a whole input meaningless raise ``InputError``, before any document is read:
a missing path, an unknown format, a columnar file without the text column.

Decisions worth knowing:

* Invalid UTF-8 is decoded with ``errors="replace"`` (U+FFFD) and the document stays ``"ok"``: a few bad
  bytes should not cost the scan the rest of the document. A text file that is mostly not UTF-8, or has
  a NUL byte in its first 8 KB, is binary and is ``"skipped"``. A UTF-8 BOM is dropped; a UTF-16 BOM
  means the file is decoded as UTF-16.
* NUL characters inside text are kept as they are: Parquet, pandas and DuckDB store them fine, and
  replacing them would make the text differ from the source the span offsets refer to.
* Lone surrogates from JSON ``\\udXXX`` escapes are replaced by U+FFFD (one char for one char, so offsets
  hold): they cannot be encoded as UTF-8, so Parquet could not store them.
* Generated ids are ``f"{source}:{row}"`` with ``row`` the 0-based record position in that file. For
  JSONL and CSV, blank lines count as positions, so appending or fixing a line never renumbers the
  others. An empty or null id is treated as missing. Error messages say ``line N``/``row N`` 1-based,
  as editors count.
* A folder of text files: ``doc_id`` is the path relative to the folder (posix), ``source`` the folder
  as given. A single text file given directly: ``doc_id`` and ``source`` are its path as given.
* Empty text is a valid document (``"ok"``, ``text=""``), it simply has no findings.
* Duplicate ids are yielded as they are; ``DuplicateGuard`` marks the repeats when the caller wants that.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .records import Document

FORMATS: tuple[str, ...] = ("jsonl", "csv", "tsv", "parquet", "text", "hf")
_ALIASES = {"json": "jsonl", "ndjson": "jsonl", "txt": "text", "dir": "text", "huggingface": "hf", "datasets": "hf"}
_RECORD_FORMATS = ("jsonl", "csv", "tsv", "parquet")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_BATCH_ROWS = 256  # Arrow batch size: small enough that a batch of long documents stays small
_SNIFF_BYTES = 8192
_MAX_BINARY_SHARE = 0.30  # share of undecodable bytes in the first 8 KB above which a file is binary
_CSV_FIELD_LIMIT = 2**31 - 1  # csv's default 128 KiB would turn every long document into an error
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(Exception):
    """An input cannot be scanned at all (missing, unknown format, no text column); one-line message."""


# --------------------------------------------------------------------------------------------- planning


@dataclass(slots=True)
class _Unit:
    """One thing to iterate: a record file, a text folder, or one split of a HF dataset."""

    fmt: str
    path: Path
    source: str
    root: Path | None = None  # text folder: the folder the ids are relative to
    split: str | None = None  # hf DatasetDict split
    error: str | None = None  # found unreadable while planning: yields one error row
    files: list[Path] = field(default_factory=list)


def _normalize_fmt(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    f = _ALIASES.get(fmt.lower(), fmt.lower())
    if f not in FORMATS:
        raise InputError(f"unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    return f


def _file_format(path: Path) -> str | None:
    """Record format from the extension (``.gz`` looked through), or None when not a record format."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _walk(root: Path) -> Iterator[tuple[str, os.DirEntry[str] | None, str | None]]:
    """Non-hidden entries under ``root``, depth-first, names sorted at each level, lazily.

    Yields (relative posix path, entry, problem). Directory symlinks are not followed (no loops);
    they, and directories that cannot be listed, come out with a problem so nothing vanishes silently.
    """
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if not _is_hidden(e.name)), key=lambda e: e.name)
        except OSError as exc:
            yield prefix.rstrip("/") or ".", None, f"cannot list directory: {exc.strerror or exc}"
            continue
        subdirs = []
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    yield rel, entry, "symbolic link to a directory, not followed"
                    continue
            except OSError as exc:
                yield rel, entry, f"cannot read: {exc.strerror or exc}"
                continue
            yield rel, entry, None
        # Depth-first in name order: push in reverse so the smallest name is visited first. Files of a
        # folder come before its subfolders, which is still a fixed order.
        for entry in reversed(subdirs):
            stack.append((Path(entry.path), prefix + entry.name + "/"))


def _record_files(folder: Path) -> Iterator[Path]:
    """Files of a record-format folder; ``_SUCCESS``/``_metadata`` style files are bookkeeping, not data."""
    for rel, entry, problem in _walk(folder):
        if entry is not None and problem is None and not entry.name.startswith("_"):
            yield Path(entry.path)


def _folder_format(folder: Path) -> str:
    """A HF dataset, a folder of one record format, or else a folder of text files.

    Stops at the first file that is not a record format, so a folder of millions of text files is not
    walked just to detect it.
    """
    if (folder / "dataset_dict.json").is_file() or (folder / "state.json").is_file() or (
        folder / "dataset_info.json"
    ).is_file():
        return "hf"
    seen: set[str] = set()
    for path in _record_files(folder):
        f = _file_format(path)
        if f is None:
            return "text"
        seen.add(f)
        if len(seen) > 1:
            return "text"
    return seen.pop() if seen else "text"


def _check_json_lines(path: Path, source: str) -> None:
    """A ``.json`` file holding one JSON array would give a malformed row per line; say so instead."""
    try:
        with _open_binary(path) as f:
            head = f.read(_SNIFF_BYTES)
    except (OSError, EOFError):
        return  # reported as an error row when read
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        raise InputError(f"{source}: a JSON array, not JSON lines (one object per line); convert it to JSONL")


def _text_type_ok(typ: pa.DataType, where: str, text_column: str) -> None:
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if not (
        pa.types.is_null(typ)  # an all-null column: every row becomes a "text is null" error row
        or pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_binary(typ)
        or pa.types.is_large_binary(typ)
        or getattr(pa.types, "is_string_view", lambda t: False)(typ)
    ):
        raise InputError(f"{where}: column '{text_column}' is {typ}, expected string")


def _missing_column(where: str, column: str, names: Iterable[str]) -> InputError:
    return InputError(f"{where}: no column '{column}' (available: {', '.join(names)})")


def _check_columns(unit: _Unit, text_column: str) -> None:
    """Fail before scanning when a columnar input lacks the text column; unreadable files wait for their row."""
    if unit.fmt == "parquet":
        try:
            schema = pq.read_schema(unit.path)
        except (OSError, pa.ArrowException):
            return
        if text_column not in schema.names:
            raise _missing_column(unit.source, text_column, schema.names)
        _text_type_ok(schema.field(text_column).type, unit.source, text_column)
    elif unit.fmt in ("csv", "tsv"):
        csv.field_size_limit(_CSV_FIELD_LIMIT)
        try:
            with _open_text(unit.path) as f:
                header = next(csv.reader(f, delimiter="\t" if unit.fmt == "tsv" else ","), None)
        except (OSError, EOFError, zlib.error, csv.Error):
            return
        if header is not None and text_column not in header:
            raise _missing_column(unit.source, text_column, header)


def _hf_units(path: Path, source: str, text_column: str) -> list[_Unit]:
    """One unit per split; the dataset is memory-mapped, so loading it here only reads metadata."""
    import datasets  # heavy import, only when a HF input is used

    try:
        ds = datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets raises many types for a damaged folder; one error row for it
        return [_Unit("hf", path, source, error=f"cannot load dataset: {_short(exc)}")]
    splits = list(ds.items()) if isinstance(ds, datasets.DatasetDict) else [(None, ds)]
    units = []
    for split, part in splits:
        src = f"{source}#{split}" if split is not None else source
        if text_column not in part.column_names:
            raise _missing_column(src, text_column, part.column_names)
        _text_type_ok(part.data.schema.field(text_column).type, src, text_column)
        units.append(_Unit("hf", path, src, split=split))
    return units


def _not_regular(path: Path) -> str | None:
    """Why a record file cannot be opened safely: a FIFO, socket or device blocks or never ends."""
    try:
        st = os.stat(path)
    except OSError:
        return None  # missing / dangling: the reader's open() reports it as an error row
    return None if stat.S_ISREG(st.st_mode) else "not a regular file"


def _plan(inputs: Iterable[str | Path], fmt: str | None, text_column: str) -> list[_Unit]:
    """Resolve every input to units, raising InputError for anything that can't be scanned at all."""
    want = _normalize_fmt(fmt)
    units: list[_Unit] = []
    for given in inputs:
        source = str(given)
        path = Path(given)
        if not os.path.lexists(path):
            raise InputError(f"{source}: no such file or directory")
        if path.is_dir():
            f = want or _folder_format(path)
            if f == "hf":
                units.extend(_hf_units(path, source, text_column))
            elif f == "text":
                units.append(_Unit("text", path, source, root=path))
            else:
                for file in _record_files(path):
                    rel = file.relative_to(path)
                    unit = _Unit(f, file, os.path.join(source, str(rel)))
                    # A FIFO or device found in a folder would block forever: skip it. One named on
                    # the command line is a deliberate stream (e.g. `scan <(zcat big.jsonl.gz)`).
                    unit.error = _not_regular(file)
                    units.append(unit)
        else:
            f = want or _file_format(path) or "text"
            if f == "hf":
                raise InputError(f"{source}: a Hugging Face dataset is a folder written by save_to_disk")
            if f == "text":
                units.append(_Unit("text", path, source, root=path.parent, files=[path]))
            else:
                if want is None and path.name.lower().endswith((".json", ".json.gz")) and not _not_regular(path):
                    _check_json_lines(path, source)
                units.append(_Unit(f, path, source))
    for unit in units:
        if unit.error is None and not (unit.fmt == "jsonl" and _not_regular(unit.path)):
            _check_columns(unit, text_column)  # a named JSONL stream is not read twice
    return units


# --------------------------------------------------------------------------------------------- helpers


def _short(exc: BaseException | str, limit: int = 200) -> str:
    """One line, bounded: error messages end up in a table column."""
    msg = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    msg = " ".join(str(msg).split())
    return msg if len(msg) <= limit else msg[: limit - 3] + "..."


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _open_text(path: Path):
    # utf-8-sig drops a BOM; "replace" keeps a document with a few bad bytes (see module docstring).
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _clean(s: str) -> str:
    """Replace lone surrogates (only JSON escapes can make them) so the text can be stored as UTF-8."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)


def _id_str(value: Any) -> str | None:
    """A record's id as a string; None (-> a generated id) when absent, null or empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return _clean(value) or None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace") or None
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        return None


_JSON_TYPE = {bool: "bool", int: "int", float: "float", str: "string", list: "array", dict: "object"}


def _text_problem(value: Any) -> str | None:
    if value is None:
        return "text is null"
    if not isinstance(value, str):
        return f"text is {_JSON_TYPE.get(type(value), type(value).__name__)}, expected string"
    return None


def _file_error(doc_id: str, source: str, exc: BaseException, what: str = "cannot read file") -> Document:
    return Document(doc_id=doc_id, source=source, text=None, status="error", error=f"{what}: {_short(exc)}")


# --------------------------------------------------------------------------------------------- formats


def _read_jsonl(unit: _Unit, text_column: str, id_column: str) -> Iterator[Document]:
    source = unit.source
    row = -1
    try:
        with _open_binary(unit.path) as f:
            for row, raw in enumerate(f):
                if row == 0 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                if not raw.strip():
                    continue
                yield _jsonl_doc(raw, row, source, text_column, id_column)
    except (OSError, EOFError, zlib.error) as exc:  # damaged gzip: BadGzipFile, EOFError, zlib.error
        where = f"after line {row + 1}" if row >= 0 else "at open"
        yield _file_error(source if row < 0 else f"{source}:read-error", source, exc, f"cannot read file {where}")


def _jsonl_doc(raw: bytes, row: int, source: str, text_column: str, id_column: str) -> Document:
    gen_id = f"{source}:{row}"
    line = raw.decode("utf-8", "replace")
    try:
        obj = json.loads(line, strict=False)  # strict=False: raw tabs inside strings are common and harmless
    except json.JSONDecodeError as exc:
        return Document(gen_id, source, None, f"malformed JSON at line {row + 1}: {exc.msg} (column {exc.colno})", "error")
    except (ValueError, RecursionError) as exc:  # e.g. an integer over 4300 digits, absurd nesting
        return Document(gen_id, source, None, f"malformed JSON at line {row + 1}: {_short(exc, 120)}", "error")
    if not isinstance(obj, dict):
        kind = _JSON_TYPE.get(type(obj), type(obj).__name__) if obj is not None else "null"
        return Document(gen_id, source, None, f"line {row + 1}: expected a JSON object, got {kind}", "error")
    doc_id = _id_str(obj.get(id_column)) or gen_id
    if text_column not in obj:
        keys = _short(", ".join(list(map(str, obj))[:10]), 120)
        return Document(doc_id, source, None, f"no field '{text_column}' (available: {keys})", "error")
    value = obj[text_column]
    problem = _text_problem(value)
    if problem:
        return Document(doc_id, source, None, problem, "error")
    return Document(doc_id, source, _clean(value) if "\\u" in line else value)


def _read_csv(unit: _Unit, text_column: str, id_column: str) -> Iterator[Document]:
    source = unit.source
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    row = -1
    try:
        with _open_text(unit.path) as f:
            reader = csv.reader(f, delimiter="\t" if unit.fmt == "tsv" else ",")
            header = next(reader, None)
            if header is None:
                return  # an empty file holds no documents
            if text_column not in header:  # checked while planning, unless the file changed since
                raise _missing_column(source, text_column, header)
            t_idx = header.index(text_column)
            i_idx = header.index(id_column) if id_column in header else None
            while True:
                row += 1
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    msg = f"malformed CSV at line {reader.line_num}: {_short(exc, 120)}"
                    yield Document(f"{source}:{row}", source, None, msg, "error")
                    continue
                if not fields:
                    continue  # blank line
                doc_id = (_id_str(fields[i_idx]) if i_idx is not None and i_idx < len(fields) else None)
                doc_id = doc_id or f"{source}:{row}"
                if t_idx >= len(fields):
                    msg = f"row {row + 1}: {len(fields)} fields, header has {len(header)}"
                    yield Document(doc_id, source, None, msg, "error")
                    continue
                yield Document(doc_id, source, fields[t_idx])
    except (OSError, EOFError, zlib.error) as exc:
        where = f"after row {row}" if row > 0 else "at open"
        yield _file_error(source if row <= 0 else f"{source}:read-error", source, exc, f"cannot read file {where}")


def _decode_column(col: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Text column to Python strings; binary columns are decoded like any other bytes we read."""
    typ = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
    values = col.to_pylist()
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        return [v.decode("utf-8", "replace") if v is not None else None for v in values]
    return values


def _arrow_docs(
    batches: Iterable[pa.RecordBatch | pa.Table], source: str, text_column: str, id_column: str
) -> Iterator[tuple[int, Document]]:
    """Documents from Arrow batches (Parquet and HF share this), with the row reached so far."""
    row = 0
    for batch in batches:
        texts = _decode_column(batch.column(text_column))
        ids = batch.column(id_column).to_pylist() if id_column in batch.schema.names else [None] * len(texts)
        for doc_id, text in zip(ids, texts):
            doc_id = _id_str(doc_id) or f"{source}:{row}"
            row += 1
            problem = _text_problem(text)
            if problem:
                yield row, Document(doc_id, source, None, problem, "error")
            else:
                yield row, Document(doc_id, source, text)


def _read_parquet(unit: _Unit, text_column: str, id_column: str) -> Iterator[Document]:
    source = unit.source
    row = 0
    try:
        pf = pq.ParquetFile(unit.path)
        if text_column not in pf.schema_arrow.names:
            raise _missing_column(source, text_column, pf.schema_arrow.names)
        columns = [text_column] + ([id_column] if id_column in pf.schema_arrow.names else [])
        batches = pf.iter_batches(batch_size=_BATCH_ROWS, columns=columns)
        for row, doc in _arrow_docs(batches, source, text_column, id_column):
            yield doc
    except (OSError, pa.ArrowException) as exc:
        where = f"after row {row}" if row else "at open"
        yield _file_error(source if not row else f"{source}:read-error", source, exc, f"cannot read file {where}")


def _read_hf(unit: _Unit, text_column: str, id_column: str) -> Iterator[Document]:
    import datasets

    source = unit.source
    row = 0
    try:
        ds = datasets.load_from_disk(str(unit.path))
        if unit.split is not None:
            ds = ds[unit.split]
        columns = [text_column] + ([id_column] if id_column in ds.column_names else [])
        # Arrow format: no per-row dict building, and the data stays memory-mapped.
        batches = ds.select_columns(columns).with_format("arrow").iter(batch_size=_BATCH_ROWS)
        for row, doc in _arrow_docs(batches, source, text_column, id_column):
            yield doc
    except Exception as exc:  # a damaged dataset: one error row, the scan goes on
        where = f"after row {row}" if row else "at open"
        yield _file_error(source if not row else f"{source}:read-error", source, exc, f"cannot read dataset {where}")


def decode_text_file(data: bytes) -> tuple[str | None, str | None]:
    """Bytes of one text file -> (text, None), or (None, why it was skipped) when it is binary.

    Public because anything else that reads loose files (e.g. a redacted copy) must decode them the
    same way, or span offsets would not line up.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), None
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return None, "binary file (NUL byte in the first 8 KB)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    bad = head.decode("utf-8", "replace").count("\ufffd")
    if head and bad / len(head) > _MAX_BINARY_SHARE:
        return None, "binary file (not UTF-8 text)"
    return data.decode("utf-8", "replace"), None


def _text_doc(path: Path, doc_id: str, source: str) -> Document:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            # a FIFO or device would block or never end; not a document
            return Document(doc_id, source, None, "not a regular file", "skipped")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return _file_error(doc_id, source, exc)
    text, why = decode_text_file(data)
    if text is None:
        return Document(doc_id, source, None, why, "skipped")
    return Document(doc_id, source, text)


def _read_text(unit: _Unit) -> Iterator[Document]:
    """A folder: id = path relative to it, source = the folder as given (so the pair locates the file
    and the source column stays small). A single file given directly: id and source are its path."""
    if unit.files:
        for path in unit.files:
            yield _text_doc(path, unit.source, unit.source)
        return
    for rel, entry, problem in _walk(unit.path):
        if problem is not None:
            status = "skipped" if "symbolic link" in problem else "error"
            yield Document(rel, unit.source, None, problem, status)
            continue
        assert entry is not None
        yield _text_doc(Path(entry.path), rel, unit.source)


# --------------------------------------------------------------------------------------------- public API


def read_documents(
    inputs: list[str | Path],
    text_column: str = "text",
    id_column: str = "id",
    fmt: str | None = None,
) -> Iterator[Document]:
    """Stream every document of ``inputs``, in a fixed order (inputs as given, folders sorted).

    Inputs are checked before this returns, so a missing path or column fails before any scanning;
    the documents themselves are read lazily as the iterator is consumed.
    """
    units = _plan(inputs, fmt, text_column)
    return _iterate(units, text_column, id_column)


def _iterate(units: list[_Unit], text_column: str, id_column: str) -> Iterator[Document]:
    for unit in units:
        if unit.error is not None:
            status = "skipped" if unit.error == "not a regular file" else "error"
            yield Document(unit.source, unit.source, None, unit.error, status)
        elif unit.fmt == "jsonl":
            yield from _read_jsonl(unit, text_column, id_column)
        elif unit.fmt in ("csv", "tsv"):
            yield from _read_csv(unit, text_column, id_column)
        elif unit.fmt == "parquet":
            yield from _read_parquet(unit, text_column, id_column)
        elif unit.fmt == "hf":
            yield from _read_hf(unit, text_column, id_column)
        else:
            yield from _read_text(unit)


def iter_shards(documents: Iterable[Document], shard_size: int) -> Iterator[tuple[int, list[Document]]]:
    """Cut the stream into numbered shards of ``shard_size`` (the last may be shorter).

    The cut depends only on document order, so a resumed run numbers shards exactly like the first.
    """
    if shard_size < 1:
        raise ValueError(f"shard_size must be >= 1, got {shard_size}")
    shard: list[Document] = []
    shard_id = 0
    for doc in documents:
        shard.append(doc)
        if len(shard) >= shard_size:
            yield shard_id, shard
            shard_id += 1
            shard = []
    if shard:
        yield shard_id, shard


def describe_inputs(inputs: list[str | Path], fmt: str | None = None) -> list[dict[str, Any]]:
    """Path, detected format, total size and file count of each input, for the run manifest."""
    want = _normalize_fmt(fmt)
    out = []
    for given in inputs:
        path = Path(given)
        if not os.path.lexists(path):
            raise InputError(f"{given}: no such file or directory")
        if path.is_dir():
            f = want or _folder_format(path)
            size = files = 0
            if f in _RECORD_FORMATS:  # the files that will be read, as _plan picks them
                paths: Iterable[str | Path] = _record_files(path)
            else:
                paths = (e.path for _rel, e, problem in _walk(path) if e is not None and problem is None)
            for p in paths:
                try:
                    size += os.stat(p).st_size
                    files += 1
                except OSError:
                    pass
        else:
            f = want or _file_format(path) or "text"
            try:
                size, files = path.stat().st_size, 1
            except OSError:
                size, files = 0, 1
        out.append({"path": str(given), "format": f, "size_bytes": size, "files": files})
    return out


class DuplicateGuard:
    """Marks the second and later documents with an already-seen id as ``"skipped"``.

    Ids are kept as 8-byte blake2b digests (as Python ints) with an index into a list of sources, about
    80-100 bytes per distinct id: tens of millions of ids fit in a few GB. A digest collision (odds
    about n^2 / 2^65, ~1e-4 at 50 million ids) would skip one real document; acceptable for a scan.
    Feed it the documents of completed shards too on a resume, or it cannot see their ids.
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._sources: list[str] = []
        self._source_index: dict[str, int] = {}

    def check(self, doc: Document) -> Document:
        """Return ``doc`` unchanged the first time its id is seen, a skipped copy afterwards."""
        key = int.from_bytes(hashlib.blake2b(doc.doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
        first = self._seen.get(key)
        if first is None:
            idx = self._source_index.get(doc.source)
            if idx is None:  # one shared int object per source keeps the dict values free
                idx = self._source_index[doc.source] = len(self._sources)
                self._sources.append(doc.source)
            self._seen[key] = idx
            return doc
        return Document(doc.doc_id, doc.source, None, f"duplicate id (first seen in {self._sources[first]})", "skipped")

    def __call__(self, documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            yield self.check(doc)

    def __len__(self) -> int:
        return len(self._seen)
