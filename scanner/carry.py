"""Carrying an audit's unchanged results forward, cheaply: what a second nightly run spends its time on.

A second audit of a corpus in which 1% of the documents changed scans 1% of them and must still write
the whole corpus as of today (``runs/<id>/documents`` and ``spans``). What that costs, and how it is
kept small without changing a byte of what is written:

* the previous run's tables are read once and indexed by document (``Previous``): a document's spans
  are a run of rows (``pyarrow.compute.index_in``, not a Python lookup per span row);
* a new part is assembled with columnar ``take``s: the scanned rows, the carried rows, and one stable
  sort by position in the shard (``shard_tables``), the same rows in the same order as before;
* a shard whose documents are exactly a previous part (same rows, nothing to rescan, the current
  schemas) is not rewritten at all: its two part files are hard-linked into the new run (same bytes;
  the files are immutable, so the runs may share them);
* parts are written in a background thread (``PartWriter``): Parquet encoding and ``fsync`` release
  the GIL, so they overlap the next shard's reading, hashing and scanning; each part is renamed into
  place at once and fsynced by a few threads together, each folder once, before the manifest;
* no Python object per carried document: the diff and the manifest's counts are added up from the
  tables' columns (``diff.table_counts``), and only the scanned and removed documents get a
  ``DocState`` (``Previous.states_of``, ``diff.diff_of``).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .diff import STATE_COLUMNS, DocState, finish_counts, states_from_rows, table_counts
from .records import Document
from .writers import (
    DOCUMENTS_DIR,
    DOCUMENTS_SCHEMA,
    SPANS_DIR,
    SPANS_SCHEMA,
    _fsync_dir,
    documents_table,
    fsync_file,
    spans_table,
)

AUDIT_DOCUMENTS_SCHEMA = (DOCUMENTS_SCHEMA.remove_metadata()
                          .append(pa.field("content_hash", pa.string(), nullable=False))
                          .append(pa.field("scanned_run", pa.string(), nullable=False)))


@dataclass
class _Parts:
    """A table folder read in order: the table (one chunk) and, per part file, its rows and whether
    it has exactly the schema this version writes."""

    table: pa.Table
    files: list[Path]
    bounds: list[tuple[int, int]]
    current: list[bool]


def _read_parts(folder: Path, schema: pa.Schema) -> _Parts:
    """One file at a time: no dataset scan, no pandas import."""
    files = sorted(folder.glob("part-*.parquet"))
    tables, bounds, current, row = [], [], [], 0
    for f in files:
        t = pq.ParquetFile(f).read()
        current.append(t.schema.equals(schema, check_metadata=False))
        tables.append(t.cast(schema))
        bounds.append((row, row + t.num_rows))
        row += t.num_rows
    # One chunk: ``take`` on a many-chunk table costs the whole table per call (once per shard).
    table = pa.concat_tables(tables).combine_chunks() if tables else schema.empty_table()
    return _Parts(table, files, bounds, current)


@dataclass
class Previous:
    """The last complete run's tables, indexed for carrying rows forward."""

    run_id: str | None = None
    settings: dict | None = None
    docs: pa.Table | None = None
    spans: pa.Table | None = None
    index: dict[str, int] = field(default_factory=dict)
    hashes: list[str] = field(default_factory=list)
    span_start: np.ndarray | None = None  # spans of previous document k: rows span_start[k]:span_end[k]
    span_end: np.ndarray | None = None
    # part number -> (documents file, spans file, first document row, end row), for parts that can be
    # linked as they are
    parts: dict[int, tuple[Path, Path, int, int]] = field(default_factory=dict)

    # the documents parts read by ``load(..., spans=False)``, until ``load_spans`` pairs them with the spans
    pending: tuple[Path, _Parts] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, folder: Path, run_id: str, settings: dict | None, spans: bool = True) -> Previous:
        """The run's tables; ``spans=False``: the documents only (index and hashes: what deciding what to
        scan needs), the spans later with ``load_spans`` (``run_audit`` reads them while the input is read)."""
        docs_parts = _read_parts(folder / DOCUMENTS_DIR, AUDIT_DOCUMENTS_SCHEMA)
        docs = docs_parts.table
        ids = docs.column("doc_id").to_pylist()
        prev = cls(run_id, settings, docs, None, {d: i for i, d in enumerate(ids)},
                   docs.column("content_hash").to_pylist(), pending=(folder, docs_parts))
        if spans:
            prev.load_spans()
        return prev

    def load_spans(self) -> None:
        """The spans, each document's run of rows and the linkable parts (once; a no-op before a first run)."""
        if self.pending is None:
            return
        folder, docs_parts = self.pending
        span_parts = _read_parts(folder / SPANS_DIR, SPANS_SCHEMA)
        self.spans = span_parts.table
        # Spans are stored in document order: each document's spans are one run of rows.
        owner = pc.index_in(self.spans.column("doc_id"), value_set=self.docs.column("doc_id")).to_numpy()
        n = self.docs.num_rows
        self.span_start = np.searchsorted(owner, np.arange(n), side="left")
        self.span_end = np.searchsorted(owner, np.arange(n), side="right")
        self.parts = _linkable(docs_parts, span_parts, self.span_start, self.span_end)
        self.pending = None

    def states_of(self, doc_ids) -> dict[str, DocState]:
        """The diff states of these previous documents (built only for the ones a diff looks at)."""
        rows = np.fromiter((self.index[d] for d in doc_ids), np.int64)
        if not len(rows):
            return {}
        return states_from_rows(self.docs.take(np.sort(rows)).select(STATE_COLUMNS).to_pydict())

    def counts(self) -> dict:
        """``diff.counts`` of the previous run, from its columns."""
        if self.docs is None:
            return finish_counts(*table_counts(AUDIT_DOCUMENTS_SCHEMA.empty_table()))
        return finish_counts(*table_counts(self.docs))

    def span_rows(self, doc_rows: np.ndarray) -> np.ndarray:
        """Row numbers in ``spans`` of the given previous documents' spans, in that order."""
        k = np.asarray(doc_rows, dtype=np.int64)
        starts, lengths = self.span_start[k], self.span_end[k] - self.span_start[k]
        if not lengths.sum():
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return offsets + np.arange(lengths.sum())

    def same_part(self, sid: int, rows: np.ndarray, sources: list[str]) -> tuple[Path, Path] | None:
        """The previous part files of shard ``sid`` when its carried ``rows`` are exactly that part,
        read from the same ``sources``."""
        part = self.parts.get(sid)
        if part is None or len(rows) != part[3] - part[2] or not len(rows):
            return None
        if rows[0] != part[2] or not np.array_equal(rows, np.arange(part[2], part[3])):
            return None
        if self.docs.column("source").slice(part[2], part[3] - part[2]).to_pylist() != sources:
            return None  # the same documents under another file name: the rows take the new one
        return part[0], part[1]


def _linkable(docs: _Parts, spans: _Parts, start: np.ndarray, end: np.ndarray) -> dict:
    """Parts whose documents and spans files pair up (same part number, the spans of exactly those
    documents) and have this version's schemas: a shard that carries all of them may link them."""
    out = {}
    span_files = {f.name: (f, b, ok) for f, b, ok in zip(spans.files, spans.bounds, spans.current)}
    for f, (a, b), ok in zip(docs.files, docs.bounds, docs.current):
        pair = span_files.get(f.name)
        if not ok or pair is None or not pair[2] or a == b:
            continue
        if (int(start[a]), int(end[b - 1])) == pair[1]:  # the spans of exactly these documents
            out[int(f.stem.split("-")[1])] = (f, pair[0], a, b)
    return out


def _order(positions) -> np.ndarray:
    return np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")


def with_audit_columns(table: pa.Table, hashes: list[str], run_id: str) -> pa.Table:
    table = table.replace_schema_metadata(None)
    table = table.append_column(AUDIT_DOCUMENTS_SCHEMA.field("content_hash"), pa.array(hashes, pa.string()))
    return table.append_column(AUDIT_DOCUMENTS_SCHEMA.field("scanned_run"),
                               pa.array([run_id] * len(hashes), pa.string()))


def shard_tables(ids: list[str], scanned: list[Document], hashes: list[str], sources: list[str], todo: list[int],
                 results: list, prev: Previous, run_id: str) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The shard's documents and spans in input order (new results for ``todo``, whose documents are
    ``scanned``; carried rows, with this run's ``sources``, else), and the new documents' rows alone."""
    new_docs = with_audit_columns(documents_table(results, [d.note for d in scanned]),
                                  [hashes[i] for i in todo], run_id)
    todo_set = set(todo)
    keep = [i for i in range(len(ids)) if i not in todo_set]
    rows = carried_rows(ids, keep, prev)
    docs = pa.concat_tables([new_docs.cast(AUDIT_DOCUMENTS_SCHEMA), prev.docs.take(rows)]) if keep \
        else new_docs.cast(AUDIT_DOCUMENTS_SCHEMA)
    docs = docs.take(_order(todo + keep))
    if keep:
        i = docs.schema.get_field_index("source")
        docs = docs.set_column(i, docs.schema.field(i), pa.array(sources, pa.string()))
    spans = spans_table(results).cast(SPANS_SCHEMA)
    owner = np.repeat(np.asarray(todo, dtype=np.int64), [len(r.spans) for r in results])
    if keep:
        spans = pa.concat_tables([spans, prev.spans.take(prev.span_rows(rows))])
        owner = np.concatenate([owner, np.repeat(np.asarray(keep, dtype=np.int64),
                                                 prev.span_end[rows] - prev.span_start[rows])])
    return docs, spans.take(_order(owner)), new_docs  # each document's spans stay in their order


def carried_rows(ids: list[str], keep: list[int], prev: Previous) -> np.ndarray:
    """Previous-run row numbers of the carried documents ``keep`` (positions in ``ids``)."""
    return np.fromiter((prev.index[ids[i]] for i in keep), np.int64, len(keep))


def link_part(src: Path, dst: Path) -> None:
    """``dst`` becomes another name of the immutable part ``src`` (atomic: the name exists or not);
    a copy where the filesystem has no hard links."""
    try:
        os.link(src, dst)
    except OSError:
        from .writers import atomic_write_bytes

        atomic_write_bytes(src.read_bytes(), dst)


class PartWriter:
    """Writes parts in one background thread, at most ``depth`` shards in flight (memory stays
    bounded); ``wait`` re-raises the first error. Used as a context manager around the shard loop.

    Durability: a part is renamed into place as soon as it is written (it exists whole or not at all),
    and ``durable_later`` fsyncs it in a small pool of threads while the next shards are read and
    written; ``wait`` waits for those fsyncs and then fsyncs each folder once. Nothing reads a run's
    parts before its manifest is written and ``current`` points at it, so they need to be durable only
    by then (``run_audit`` writes the manifest after ``wait``). One fsync of the file and one of its
    folder per part, in the writer thread, cost ~10 ms each on the project's VM: ~2 s for the 196
    files of a 100K-document audit; concurrent fsyncs are committed together by the filesystem."""

    def __init__(self, depth: int = 2, sync_threads: int = 4) -> None:
        self.depth = depth
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="parts")
        self.syncs = ThreadPoolExecutor(sync_threads, thread_name_prefix="fsync")
        self.pending: deque[Future] = deque()
        self.synced: list[Future] = []
        self.folders: set[Path] = set()

    def submit(self, fn: Callable, *args) -> None:
        self.pending.append(self.pool.submit(fn, *args))
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def durable_later(self, path: Path) -> None:
        """``path`` is in place (written with ``sync=False`` or linked): make it and its folder durable
        before ``wait`` returns. Called from the writer thread."""
        self.folders.add(path.parent)
        self.synced.append(self.syncs.submit(fsync_file, path))

    def wait(self) -> None:
        while self.pending:
            self.pending.popleft().result()
        for f in self.synced:
            f.result()
        self.synced.clear()
        for folder in sorted(self.folders):
            _fsync_dir(folder)

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.syncs.shutdown(wait=True, cancel_futures=True)
