"""Reading one input unit (a JSONL/CSV file, a text file or a stream) into ``Document``s; Parquet,
Arrow and HF datasets are ``columnar.py``'s, planning which units an input holds is ``readers.py``'s.

Bad input never stops a scan and never disappears: every unusable record comes out as a ``Document``
with ``status="error"`` and a one-line ``error`` that starts with the kind of problem ("malformed JSON
at line 3: ..."), so the summary can count errors by reason. Error messages never quote document
text, and list column or key names only when they look like names (a headerless CSV's first row is
data, so it is not printed).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .encodings import SNIFF_BYTES, decode_text, replaced_note, sniff_encoding
from .errors import InputError
from .records import Document, Status

# What --format accepts (readers.FORMATS): here, where importing it costs no pyarrow (the CLI's --help).
FORMATS: tuple[str, ...] = ("jsonl", "csv", "tsv", "parquet", "arrow", "text", "hf")
CSV_FIELD_LIMIT = 2**31 - 1  # csv's default 128 KiB would turn every long document into an error
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")
_JSON_TYPE = {bool: "bool", int: "int", float: "float", str: "string", list: "array", dict: "object"}


@dataclass(slots=True)
class Unit:
    """One thing to iterate: a record file, a text file, one split of a HF dataset, or a stream."""

    fmt: str
    path: Path
    source: str
    split: str | None = None  # hf DatasetDict split
    error: str | None = None  # found unreadable while planning: yields one error row
    status: str = Status.ERROR  # of that row: SKIPPED when the unit holds no text by decision
    doc_id: str | None = None  # text file: its id (the path relative to its folder, or as given)
    stream: IO[bytes] | None = None  # stdin or a pipe, opened (and sniffed) while planning
    note: str | None = None  # for the documents of this unit (a file name that is not UTF-8)


# --------------------------------------------------------------------------------------------- helpers


def short(exc: BaseException | str, limit: int = 200) -> str:
    """One line, bounded: error messages end up in a table column."""
    msg = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    msg = " ".join(str(msg).split())
    return msg if len(msg) <= limit else msg[: limit - 3] + "..."


def names_hint(names: Iterable[Any]) -> str:
    """'(available: a, b)' when every name looks like a column name; else no names (they may be data)."""
    names = [str(n) for n in names]
    if not names:
        return "(it has no fields)"
    if all(_NAME.fullmatch(n) for n in names):
        shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        return f"(available: {shown})"
    return f"({len(names)} fields that do not look like column names: is there a header row?)"


def missing_column(where: str, column: str, names: Iterable[Any], what: str = "column") -> InputError:
    return InputError(f"{where}: no {what} '{column}' {names_hint(names)}")


def open_binary(unit: Unit):
    gz = unit.path.name.lower().endswith(".gz")
    if unit.stream is not None:
        return gzip.GzipFile(fileobj=unit.stream) if gz else contextlib.nullcontext(unit.stream)
    return gzip.open(unit.path, "rb") if gz else open(unit.path, "rb")


def _head(unit: Unit) -> bytes:
    """The first bytes of a file (a stream's are peeked, not consumed)."""
    if unit.stream is not None:
        return unit.stream.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(unit.stream, "peek") else b""
    try:
        with open_binary(unit) as f:
            return f.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error):
        return b""


def open_text(unit: Unit, encoding: str):
    """Text in ``encoding``; "replace" keeps a record with a few bad bytes (the note says so)."""
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    if unit.stream is not None or unit.path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(open_binary(unit).__enter__(), encoding=encoding, errors="replace", newline="")
    return open(unit.path, encoding=encoding, errors="replace", newline="")


def clean(s: str) -> str:
    """Replace lone surrogates (only JSON escapes can make them) so the text can be stored as UTF-8."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)


def id_str(value: Any) -> str | None:
    """A record's id as a string; None (-> a generated id) when absent, null or empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace") or None
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        return None


def text_problem(value: Any) -> str | None:
    if value is None:
        return "text is null"
    if not isinstance(value, str):
        return f"text is {_JSON_TYPE.get(type(value), type(value).__name__)}, expected string"
    return None


def file_error(unit: Unit, row: int, exc: BaseException, what: str = "cannot read file") -> Document:
    """One error row for a file that failed at open (row < 1) or part-way (its later records are lost)."""
    where = f"after record {row}" if row > 0 else "at open"
    doc_id = f"{unit.source}:read-error" if row > 0 else (unit.doc_id or unit.source)
    return Document(doc_id, unit.source, None, f"{what} {where}: {short(exc)}", Status.ERROR)


def not_regular(path: Path) -> str | None:
    """Why a file cannot be opened safely: a FIFO, socket or device blocks or never ends."""
    try:
        st = os.stat(path)
    except OSError:
        return None  # missing / dangling: the reader's open() reports it as an error row
    return None if stat.S_ISREG(st.st_mode) else "not a regular file"


# --------------------------------------------------------------------------------------------- JSONL


# strict=False: raw tabs inside strings are common and harmless. One decoder for every line: ``json.loads``
# with a keyword builds a new JSONDecoder per call (a third of the parse time of a 100,000-line file).
_LENIENT = json.JSONDecoder(strict=False)


def _loads(line: str) -> Any:
    """``json.loads(line, strict=False)`` exactly (the BOM check included), without a decoder per call."""
    if line.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
    return _LENIENT.decode(line)


def json_encoding(unit: Unit) -> str:
    return sniff_encoding(_head(unit), records=True)


def _json_lines(unit: Unit) -> Iterator[bytes]:
    """Raw UTF-8 lines; a UTF-16 file is decoded and re-encoded line by line."""
    enc = json_encoding(unit)
    if enc.startswith("utf-16"):
        with open_text(unit, enc) as f:
            for line in f:
                yield line.encode("utf-8", "surrogatepass")
        return
    with open_binary(unit) as f:
        for i, raw in enumerate(f):
            yield raw[3:] if i == 0 and raw.startswith(b"\xef\xbb\xbf") else raw


def json_fields(unit: Unit, field: str, limit: int = 100) -> tuple[bool, list[str]] | None:
    """Whether any of the first ``limit`` JSON-object lines has ``field``, and the first one's keys
    (None when there is no object to check). One bad first line does not decide for the file. A
    stream is not consumed: only its complete lines in the bytes already buffered are looked at."""
    try:
        if unit.stream is not None:
            enc = sniff_encoding(_head(unit), records=True)
            lines = _head(unit).split(b"\n")[:-1] if enc.startswith("utf-8") else []
            return _fields_in(iter(lines), field, limit)
        return _fields_in(_json_lines(unit), field, limit)
    except (OSError, EOFError, zlib.error):
        return None


def _fields_in(lines: Iterator[bytes], field: str, limit: int) -> tuple[bool, list[str]] | None:
    first: list[str] | None = None
    for raw in lines:
        if not raw.strip():
            continue
        try:
            obj = _loads(raw.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            if field in obj:
                return True, list(map(str, obj))
            first = first if first is not None else list(map(str, obj))
        limit -= 1
        if limit <= 0:
            break
    return (False, first) if first is not None else None


def read_jsonl(unit: Unit, text_column: str, id_column: str) -> Iterator[Document]:
    row = -1
    try:
        for row, raw in enumerate(_json_lines(unit)):
            if raw.strip():
                yield jsonl_doc(raw, row, unit.source, text_column, id_column)
    except (OSError, EOFError, zlib.error) as exc:  # damaged gzip: BadGzipFile, EOFError, zlib.error
        yield file_error(unit, row + 1, exc)


def jsonl_doc(raw: bytes, row: int, source: str, text_column: str, id_column: str) -> Document:
    gen_id = f"{source}:{row}"
    line = raw.decode("utf-8", "replace")
    try:
        obj = _loads(line)
    except json.JSONDecodeError as exc:
        return Document(gen_id, source, None, f"malformed JSON at line {row + 1}: {exc.msg} (column {exc.colno})", Status.ERROR)
    except (ValueError, RecursionError) as exc:  # e.g. an integer over 4300 digits, absurd nesting
        return Document(gen_id, source, None, f"malformed JSON at line {row + 1}: {short(exc, 120)}", Status.ERROR)
    if not isinstance(obj, dict):
        kind = _JSON_TYPE.get(type(obj), type(obj).__name__) if obj is not None else "null"
        return Document(gen_id, source, None, f"not a JSON object at line {row + 1}: got {kind}", Status.ERROR)
    doc_id = id_str(obj.get(id_column)) or gen_id
    if text_column not in obj:  # key names are not listed: in some data they are the data
        return Document(doc_id, source, None, f"no field '{text_column}' (the record has {len(obj)} other fields)", Status.ERROR)
    value = obj[text_column]
    problem = text_problem(value)
    if problem:
        return Document(doc_id, source, None, problem, Status.ERROR)
    note = replaced_note(line, raw) if "\ufffd" in line else None
    return Document(doc_id, source, clean(value) if "\\u" in line else value, note=note)


# --------------------------------------------------------------------------------------------- CSV


def csv_header(unit: Unit) -> list[str] | None:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        with open_text(unit, sniff_encoding(_head(unit), records=True)) as f:
            return next(csv.reader(f, delimiter="\t" if unit.fmt == "tsv" else ","), None)
    except (OSError, EOFError, zlib.error, csv.Error):
        return None


def _csv_records(unit: Unit) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(0-based line where the record starts, its fields or its error). After a malformed record (an
    unterminated quote swallows the rest of the file) parsing starts again on the line after the one
    where that record began, so one stray quote costs one row, not the rest of the file."""
    delimiter = "\t" if unit.fmt == "tsv" else ","
    encoding = sniff_encoding(_head(unit), records=True)
    skip = 0
    while True:
        with open_text(unit, encoding) as f:
            reader = csv.reader(_skip(f, skip), delimiter=delimiter, strict=True)
            while True:
                start = skip + reader.line_num
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield start, exc
                    break
                yield start, fields
        if unit.stream is not None:
            return  # a stream cannot be read again: the rest of it is in the error row
        skip = start + 1


def _skip(lines: Iterable[str], n: int) -> Iterator[str]:
    it = iter(lines)
    for _ in range(n):
        if next(it, None) is None:
            break
    return it


def read_csv(unit: Unit, text_column: str, id_column: str) -> Iterator[Document]:
    source = unit.source
    csv.field_size_limit(CSV_FIELD_LIMIT)
    row = -1
    header: list[str] | None = None
    try:
        for line, fields in _csv_records(unit):
            if header is None:
                if isinstance(fields, csv.Error):
                    raise InputError(f"{source}: malformed CSV header: {short(fields, 120)}")
                header = fields
                if text_column not in header:  # checked while planning, unless the file changed since
                    raise missing_column(source, text_column, header)
                t_idx = header.index(text_column)
                i_idx = header.index(id_column) if id_column in header else None
                continue
            row += 1
            if isinstance(fields, csv.Error):
                msg = f"malformed CSV at line {line + 1}: {short(fields, 120)}; reading on from line {line + 2}"
                yield Document(f"{source}:{row}", source, None, msg, Status.ERROR)
                continue
            if not fields:
                continue  # blank line
            doc_id = (id_str(fields[i_idx]) if i_idx is not None and i_idx < len(fields) else None)
            doc_id = doc_id or f"{source}:{row}"
            if t_idx >= len(fields):
                msg = f"missing fields at row {row + 1}: {len(fields)} fields, header has {len(header)}"
                yield Document(doc_id, source, None, msg, Status.ERROR)
                continue
            text = fields[t_idx]
            # decoded with "replace": say so (the raw bytes are gone here, so a U+FFFD in the source
            # would be reported too; rare, and on the safe side)
            note = "invalid UTF-8 bytes replaced by U+FFFD (is the file UTF-8?)" if "\ufffd" in text else None
            yield Document(doc_id, source, text, note=note)
    except (OSError, EOFError, zlib.error) as exc:
        yield file_error(unit, row + 1, exc)


def count_records(unit: Unit) -> int | None:
    """Records in one unit without parsing them (see ``InputPlan.count_documents``); None: unknown."""
    from .columnar import open_arrow

    if unit.error is not None or unit.fmt == "text":
        return 1
    if unit.stream is not None:
        return None
    try:
        if unit.fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(unit.path).metadata.num_rows
        if unit.fmt == "arrow":
            reader = open_arrow(unit.path)
            return reader.count_rows() if hasattr(reader, "count_rows") else sum(b.num_rows for b in reader)
        if unit.fmt == "hf":
            import datasets

            ds = datasets.load_from_disk(str(unit.path))
            return (ds[unit.split] if unit.split is not None else ds).num_rows
        n = last = 0
        with open_binary(unit) as f:
            while chunk := f.read(1 << 20):
                n += chunk.count(b"\n")
                last = chunk[-1]
        n += last not in (0, 10)
        return max(0, n - 1) if unit.fmt in ("csv", "tsv") else n
    except Exception:  # noqa: BLE001 - only an estimate; the read itself reports problems
        return 1


# --------------------------------------------------------------------------------------------- text


# Binary formats that hold text this scanner cannot extract: such a file is an error (it fails the run
# and the --fail-on-tier gate), not a skip, because its text was never looked at.
TEXT_CONTAINERS = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".odt": "OpenDocument", ".xls": "Excel",
                   ".xlsx": "Excel", ".ods": "OpenDocument", ".ppt": "PowerPoint", ".pptx": "PowerPoint",
                   ".odp": "OpenDocument", ".epub": "EPUB", ".msg": "Outlook", ".zip": "zip", ".gz": "gzip",
                   ".tgz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd", ".7z": "7-Zip", ".rar": "RAR",
                   ".tar": "tar", ".sqlite": "SQLite", ".db": "database"}


def read_text(unit: Unit) -> Iterator[Document]:
    """One document for the whole file (or stream). Binary files are skipped with the reason, except
    formats that hold text we cannot extract (``TEXT_CONTAINERS``): those are errors."""
    doc_id = unit.doc_id or unit.source
    kind = TEXT_CONTAINERS.get(unit.path.suffix.lower()) if unit.stream is None else None
    if kind is not None and not not_regular(unit.path):
        yield Document(doc_id, unit.source, None, f"cannot extract text from {kind} files: convert or unpack "
                       f"it and scan the result", Status.ERROR)
        return
    try:
        if unit.stream is not None:
            data = unit.stream.read()
        else:
            if not_regular(unit.path):  # a FIFO or device would block or never end; not a document
                yield Document(doc_id, unit.source, None, "not a regular file", Status.SKIPPED)
                return
            with open(unit.path, "rb") as f:
                data = f.read()
    except OSError as exc:
        yield file_error(unit, 0, exc)
        return
    text, note, why = decode_text(data)
    if text is None:
        yield Document(doc_id, unit.source, None, why, Status.SKIPPED)
    else:
        yield Document(doc_id, unit.source, text, note=note)
