"""Reading documents from a corpus: JSONL, CSV/TSV, Parquet, Arrow, folders, Hugging Face datasets, stdin.

Everything is streamed (one line / one batch / one file at a time), so memory stays bounded by the
largest single document, not by the corpus. Every record the input holds comes out as a ``Document``:
``"ok"``, ``"error"`` (could hold text but could not be read: it fails the run) or ``"skipped"`` (holds
no text by decision: binary files, FIFOs in folders, directory symlinks, dataset bookkeeping files).

``plan_inputs`` checks everything that makes a whole input meaningless before any document is read
(and before the model loads): a missing path, an unknown format, a record file without the text
column, or without an ``--id-column`` the user named. ``InputPlan.documents()`` then streams.

Decisions worth knowing (the README's "odd input" table lists them all):

* A folder is walked in name order, hidden files and folders included (``.env`` is where secrets
  live). Each file is read by its own extension: ``.jsonl``/``.csv``/``.tsv``/``.parquet``/``.arrow``
  (and ``.gz``) as records, ``.json`` as records only when its first line is a JSON object with the
  text field (otherwise, like any other file, as one text document). ``--format`` forces one format on
  every file. The scan's own output folder is never read back.
* Generated ids are ``f"{source}:{row}"`` with ``row`` the 0-based record position in that file. For
  JSONL and CSV, blank lines count as positions, so appending or fixing a line never renumbers the
  others. An empty or null id is treated as missing. A text file in a folder: ``doc_id`` is its path
  relative to the folder (posix), ``source`` the folder as given; given directly, both are its path.
* Duplicate ids are scanned, never dropped: ``DuplicateGuard`` renames the second and later uses of an
  id to ``{id}@{source}`` (then ``{id}@{source}#2``...), with a ``note`` naming the original id.
* ``-`` (or ``/dev/stdin``, a pipe) is standard input: JSONL when its first byte is ``{``, else one
  text document; ``--format`` overrides.
* Encodings, binary detection and file names that are not UTF-8: see ``encodings.py``.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .columnar import arrow_schema, read_arrow, read_hf, text_type_ok
from .duplicates import DuplicateGuard
from .encodings import safe_name
from .formats import (
    FORMATS,
    InputError,
    Unit,
    count_records,
    csv_header,
    json_fields,
    missing_column,
    not_regular,
    read_csv,
    read_jsonl,
    read_text,
)
from .records import Document, Status

__all__ = ["InputError", "InputPlan", "plan_inputs", "read_documents", "describe_inputs", "iter_shards",
           "DuplicateGuard", "decode_text_file", "FORMATS"]

_ALIASES = {"json": "jsonl", "ndjson": "jsonl", "txt": "text", "dir": "text", "huggingface": "hf",
            "datasets": "hf", "ipc": "arrow", "feather": "arrow"}
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv",
               ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".feather": "arrow"}
_HF_MARKERS = ("dataset_dict.json", "state.json", "dataset_info.json")
# Files dataset writers (Spark, Hadoop, pyarrow) leave beside the data: skipped, with a row.
_BOOKKEEPING = frozenset({"_SUCCESS", "_metadata", "_common_metadata", "_common_metadata.parquet",
                          "_metadata.parquet"})
_STDIN = "-"
_STREAM_PATHS = ("/dev/stdin", "/dev/fd/", "/proc/self/fd/")


def decode_text_file(data: bytes) -> tuple[str | None, str | None]:
    """Bytes of one text file -> (text, None), or (None, why it was skipped) when it is binary.

    Public because anything else that reads loose files (e.g. a redacted copy) must decode them the
    same way, or span offsets would not line up.
    """
    from .encodings import decode_text

    text, _note, why = decode_text(data)
    return text, why


# --------------------------------------------------------------------------------------------- planning


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


def _walk(root: Path, exclude: frozenset[str]) -> Iterator[tuple[str, os.DirEntry[str] | None, str | None]]:
    """Every entry under ``root`` (hidden ones too), depth-first, names sorted at each level, lazily.

    Yields (relative posix path, entry, problem). Directory symlinks are not followed (no loops);
    they, and directories that cannot be listed, come out with a problem so nothing vanishes silently.
    Folders in ``exclude`` (real paths: the scan's own output) are not entered.
    """
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield prefix.rstrip("/") or ".", None, f"cannot list directory: {exc.strerror or exc}"
            continue
        subdirs = []
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if os.path.realpath(entry.path) not in exclude:
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


def _json_is_records(unit: Unit, text_column: str) -> bool:
    """A ``.json`` file in a folder holds records when its first line is an object with the text field."""
    seen = json_fields(unit, text_column, limit=1)
    return seen is not None and seen[0]


def _check_columns(unit: Unit, text_column: str, id_column: str, require_id: bool) -> None:
    """Fail before scanning when a record file lacks the text column (or a named id column)."""
    if unit.fmt in ("parquet", "arrow"):
        schema = arrow_schema(unit)
        if schema is None:
            return  # unreadable: its error row comes when it is read
        names = schema.names
        if text_column in names:
            text_type_ok(schema.field(text_column).type, unit.source, text_column)
    elif unit.fmt in ("csv", "tsv"):
        names = csv_header(unit)
    elif unit.fmt == "jsonl":
        seen = json_fields(unit, text_column)
        if seen is not None and seen[0] and not require_id:
            return
        names = seen[1] if seen is not None else None
    else:
        return
    if names is None:
        return  # empty or unreadable: nothing to check here
    what = "field" if unit.fmt == "jsonl" else "column"
    if text_column not in names:
        where = f"{unit.source} (first records)" if what == "field" else unit.source
        raise missing_column(where, text_column, names, what)
    if require_id and id_column not in names:
        raise missing_column(unit.source, id_column, names, what + " (--id-column)")


def _hf_units(path: Path, source: str, text_column: str, id_column: str, require_id: bool) -> list[Unit]:
    """One unit per split; the dataset is memory-mapped, so loading it here only reads metadata."""
    import datasets  # heavy import, only when a HF input is used

    try:
        ds = datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets raises many types for a damaged folder; one error row for it
        return [Unit("hf", path, source, error=f"cannot load dataset: {' '.join(str(exc).split())[:200]}")]
    splits = list(ds.items()) if isinstance(ds, datasets.DatasetDict) else [(None, ds)]
    units = []
    for split, part in splits:
        src = f"{source}#{split}" if split is not None else source
        if text_column not in part.column_names:
            raise missing_column(src, text_column, part.column_names)
        if require_id and id_column not in part.column_names:
            raise missing_column(src, id_column, part.column_names, "column (--id-column)")
        text_type_ok(part.data.schema.field(text_column).type, src, text_column)
        units.append(Unit("hf", path, src, split=split))
    return units


def _is_stream(given: str, path: Path) -> bool:
    return given == _STDIN or given.startswith(_STREAM_PATHS) or bool(not_regular(path)) and not path.is_dir()


def _stream_unit(given: str, path: Path, source: str, want: str | None) -> Unit:
    """Stdin or a pipe: opened now (it can be read once), format from --format, extension or first byte."""
    if given == _STDIN:
        raw = sys.stdin.buffer
        source = "<stdin>"
    else:
        raw = open(path, "rb")  # noqa: SIM115 - read by the unit's reader, closed at exit
    stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    fmt = want or _file_format(path)
    if fmt is None:
        head = stream.peek(1)[:4096].lstrip()
        fmt = "jsonl" if head.startswith(b"{") else "text"
    if fmt in ("parquet", "arrow", "hf"):
        raise InputError(f"{source}: {fmt} cannot be read from a stream; give a file")
    return Unit(fmt, path, source, stream=stream)


def _close_stream(unit: Unit) -> None:
    """A named pipe this plan opened is closed once read (or abandoned); stdin is the process's."""
    if unit.stream is not None and unit.stream is not sys.stdin.buffer:
        unit.stream.close()


@dataclass
class InputPlan:
    """The checked inputs of one scan: what will be read, and what the manifest says about it."""

    inputs: list[tuple[str, Path, str, str]]  # (source, path, format, kind) per input as given
    text_column: str
    id_column: str
    want: str | None
    exclude: frozenset[str]
    units: dict[int, list[Unit]] = field(default_factory=dict)  # planned units of non-folder inputs
    info: list[dict[str, Any]] = field(default_factory=list)

    def documents(self) -> Iterator[Document]:
        """Every document, inputs in the order given, folders in name order."""
        for i, (source, path, _fmt, kind) in enumerate(self.inputs):
            units = self._folder_units(path, source) if kind == "folder" else iter(self.units[i])
            for unit in units:
                try:
                    yield from _read_unit(unit, self.text_column, self.id_column)
                finally:
                    _close_stream(unit)

    def count_documents(self) -> int | None:
        """About how many documents ``documents()`` yields, for a progress bar's total and ETA: exact for
        Parquet, Arrow, HF and text files, lines for JSONL/CSV (a quoted newline counts twice); None
        with a stream in the inputs. Reads the inputs once more, so run it beside the scan."""
        total = 0
        for i, (source, path, _fmt, kind) in enumerate(self.inputs):
            units = self._folder_units(path, source) if kind == "folder" else iter(self.units[i])
            for unit in units:
                n = count_records(unit)
                if n is None:
                    return None
                total += n
        return total

    def _folder_units(self, folder: Path, source: str) -> Iterator[Unit]:
        for rel, entry, problem in _walk(folder, self.exclude):
            rid = safe_name(rel)
            note = "file name is not valid UTF-8: shown with \\x escapes" if rid != rel else None
            if problem is not None:
                status = Status.SKIPPED if "symbolic link" in problem else Status.ERROR
                yield Unit("text", folder, source, doc_id=rid, error=problem, status=status)
                continue
            assert entry is not None
            yield self._file_unit(Path(entry.path), rid, source, note)

    def _file_unit(self, path: Path, rid: str, source: str, note: str | None) -> Unit:
        """A file found in a folder, as the unit its extension (or --format) makes it."""
        if path.name in _BOOKKEEPING and self.want is None:
            return Unit("text", path, source, doc_id=rid, error="dataset bookkeeping file", status=Status.SKIPPED)
        fmt = self.want or _file_format(path) or "text"
        if fmt == "hf":
            fmt = "arrow" if path.suffix.lower() == ".arrow" else "text"
        if fmt == "text":
            return Unit("text", path, source, doc_id=rid, note=note)
        unit = Unit(fmt, path, safe_name(os.path.join(source, rid)), note=note)
        # A FIFO or device found in a folder would block forever: skip it. One named on the command
        # line is a deliberate stream (e.g. `scan <(zcat big.jsonl.gz)`).
        if not_regular(path):
            unit.error, unit.status = "not a regular file", Status.SKIPPED
        elif fmt == "jsonl" and self.want is None and path.name.lower().endswith((".json", ".json.gz")) \
                and not _json_is_records(unit, self.text_column):
            return Unit("text", path, source, doc_id=rid, note=note)
        return unit


def _read_unit(unit: Unit, text_column: str, id_column: str) -> Iterator[Document]:
    if unit.error is not None:
        yield Document(unit.doc_id or unit.source, unit.source, None, unit.error, unit.status)
        return
    if unit.fmt == "jsonl":
        docs = read_jsonl(unit, text_column, id_column)
    elif unit.fmt in ("csv", "tsv"):
        docs = read_csv(unit, text_column, id_column)
    elif unit.fmt in ("parquet", "arrow"):
        docs = read_arrow(unit, text_column, id_column)
    elif unit.fmt == "hf":
        docs = read_hf(unit, text_column, id_column)
    else:
        docs = read_text(unit)
    for doc in docs:
        if unit.note and doc.note is None:
            doc.note = unit.note
        yield doc


def plan_inputs(inputs: Iterable[str | Path], text_column: str = "text", id_column: str = "id",
                fmt: str | None = None, require_id: bool = False,
                exclude: Iterable[str | Path] = ()) -> InputPlan:
    """Resolve and check every input, raising InputError for anything that can't be scanned at all.

    ``require_id``: the user named the id column, so an input without it is an error rather than a
    silent fall-back to generated ids. ``exclude``: folders never read (the scan's own output).
    """
    want = _normalize_fmt(fmt)
    plan = InputPlan([], text_column, id_column, want, frozenset(os.path.realpath(p) for p in exclude))
    for i, given in enumerate(map(str, inputs)):
        path, source = Path(given), safe_name(given)
        if given != _STDIN and not os.path.lexists(path):
            raise InputError(f"{source}: no such file or directory")
        if given != _STDIN and path.is_dir():
            if want == "hf" or (want is None and any((path / m).is_file() for m in _HF_MARKERS)):
                plan.units[i] = _hf_units(path, source, text_column, id_column, require_id)
                plan.inputs.append((source, path, "hf", "units"))
                plan.info.append(_describe(source, "hf", [path]))
                continue
            plan.inputs.append((source, path, want or "folder", "folder"))
            plan.info.append(_check_folder(plan, path, source, require_id))
            continue
        if _is_stream(given, path):
            unit = _stream_unit(given, path, source, want)
            plan.info.append({"path": unit.source, "format": unit.fmt, "size_bytes": None, "files": 1})
        else:
            unit = _single_file(path, source, want)
            plan.info.append(_describe(source, unit.fmt, [path]))
        if unit.error is None and (unit.stream is None or unit.fmt == "jsonl"):
            _check_columns(unit, text_column, id_column, require_id)  # a stream: what is buffered
        plan.units[i] = [unit]
        plan.inputs.append((unit.source, path, unit.fmt, "units"))
    return plan


def _single_file(path: Path, source: str, want: str | None) -> Unit:
    f = want or _file_format(path) or "text"
    if f == "hf":
        raise InputError(f"{source}: a Hugging Face dataset is a folder written by save_to_disk")
    if f == "text":
        return Unit("text", path, source, doc_id=source)
    if want is None and path.name.lower().endswith((".json", ".json.gz")):
        _check_json_lines(Unit(f, path, source), source)
    return Unit(f, path, source)


def _check_json_lines(unit: Unit, source: str) -> None:
    """A ``.json`` file holding one JSON array would give a malformed row per line; say so instead."""
    from .formats import _head

    if _head(unit).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        raise InputError(f"{source}: a JSON array, not JSON lines (one object per line); convert it to JSONL")


def _check_folder(plan: InputPlan, folder: Path, source: str, require_id: bool) -> dict[str, Any]:
    """Walk a folder once now: check its record files' columns, and describe it for the manifest."""
    formats: set[str] = set()
    paths = []
    for unit in plan._folder_units(folder, source):
        if unit.error is None:
            formats.add(unit.fmt)
            paths.append(unit.path)
            _check_columns(unit, plan.text_column, plan.id_column, require_id)
    fmt = formats.pop() if len(formats) == 1 else ("mixed" if formats else "text")
    return _describe(source, fmt, paths)


def _describe(source: str, fmt: str, paths: list[Path]) -> dict[str, Any]:
    """Path, format, total size and file count of one input, for the manifest."""
    size = files = 0
    for p in paths:
        if p.is_dir():  # a HF dataset
            for root, _dirs, names in os.walk(p):
                for n in names:
                    size += _size(Path(root) / n)
                    files += 1
            continue
        size += _size(p)
        files += 1
    return {"path": source, "format": fmt, "size_bytes": size, "files": files}


def _size(p: Path) -> int:
    try:
        return os.stat(p).st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------------------------- public API


def read_documents(inputs: list[str | Path], text_column: str = "text", id_column: str = "id",
                   fmt: str | None = None, require_id: bool = False,
                   exclude: Iterable[str | Path] = ()) -> Iterator[Document]:
    """Stream every document of ``inputs``, in a fixed order (inputs as given, folders sorted).

    Inputs are checked before this returns, so a missing path or column fails before any scanning;
    the documents themselves are read lazily as the iterator is consumed.
    """
    return plan_inputs(inputs, text_column, id_column, fmt, require_id, exclude).documents()


def describe_inputs(inputs: list[str | Path], fmt: str | None = None) -> list[dict[str, Any]]:
    """Path, detected format, total size and file count of each input, for the run manifest."""
    return plan_inputs(inputs, fmt=fmt).info


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
