"""Where an audit's shards come from: the input read, hashed and compared with the previous run.

A shard arrives as ``(sid, ids, hashes, sources, docs)``: every document's id, content hash
(``resume.content_hash``: not where it was read from) and source in input order, and ``docs[i]`` the
``Document`` at position ``i`` for at least every position ``to_scan`` picks (the ones to scan).

An incremental run (the previous run's results are valid, no ``--sample``) of plain files read without
Arrow (JSONL, CSV/TSV, text) does the reading in a forked process (``ReadApart``): decoding JSON and
hashing every document is most of what such a run spends holding the GIL (about 1.2 s of 3 for a
100,000-document corpus with 1,000 changed on the project's 2-core VM), and in another process it runs
on the other core while this one scans the changed documents and writes the parts. The child sends only
ids, hashes and the documents to scan, so the pipe carries ~50 KB per 1,024-document shard, not the
corpus. Everything else (a first or full run, a sample, stdin or a named pipe, folders, Parquet, Arrow,
Hugging Face datasets, a platform without ``fork``) is read in a thread of this process, as before.

The child writes nothing: a kill -9 of either process at any moment leaves the state folder as the
audit's own atomicity makes it. It holds a copy of the state lock's descriptor while it lives, and it
ends when its parent does (its next send fails on the closed pipe) or when the run is done.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .carry import Previous
from .errors import WorkerError, one_line
from .readers import InputPlan, iter_shards
from .records import Document
from .resume import content_hash
from .runner import _prefetch

Shard = tuple[int, list[str], list[str], list[str], Any]  # (sid, ids, hashes, sources, docs by position)
_READ_APART_FORMATS = frozenset({"jsonl", "csv", "tsv", "text"})


def to_scan(ids: list[str], hashes: list[str], index: dict[str, int], prev_hashes: list[str],
            full: bool) -> tuple[list[int], list[str]]:
    """Positions to scan (new or changed, or all when ``full``) and the ids whose content changed."""
    todo, changed = [], []
    for i, (d, h) in enumerate(zip(ids, hashes)):
        k = index.get(d)
        if k is None:
            todo.append(i)
        elif prev_hashes[k] != h:
            changed.append(d)
            todo.append(i)
        elif full:
            todo.append(i)
    return todo, changed


def _hashed(docs: Iterator[Document], shard_size: int) -> Iterator[Shard]:
    for sid, shard in iter_shards(docs, shard_size):
        yield sid, [d.doc_id for d in shard], [content_hash(d) for d in shard], [d.source for d in shard], shard


def read_apart_possible(plan: InputPlan, sampled: bool, full: bool) -> bool:
    """Whether ``ReadApart`` may read this input (see the module's docstring)."""
    if full or sampled or sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if any(kind == "folder" for *_, kind in plan.inputs):  # its files are found while reading, any format
        return False
    return all(u.stream is None and u.fmt in _READ_APART_FORMATS for us in plan.units.values() for u in us)


def shards(plan: InputPlan, docs: Iterator[Document], shard_size: int, prev: Previous, sampled: bool,
           full: bool) -> ReadApart | Iterator[Shard]:
    """The shards of ``docs`` (``plan``'s documents, sampled or not): from ``ReadApart`` when possible,
    else read and hashed in a thread. Use as a context manager (``ReadApart``) or an iterator."""
    if read_apart_possible(plan, sampled, full):
        return ReadApart(lambda: docs, shard_size, prev)
    return _InThread(_prefetch(_hashed(docs, shard_size)))


class _InThread:
    """The thread-read shards with ``ReadApart``'s context-manager face."""

    def __init__(self, it: Iterator[Shard]) -> None:
        self.it = it

    def __enter__(self) -> Iterator[Shard]:
        return self.it

    def __exit__(self, *exc) -> None:
        pass


def _child(documents: Callable[[], Iterator[Document]], shard_size: int, index: dict[str, int],
           prev_hashes: list[str], conn) -> None:
    """The forked reader: per shard, ids, hashes and the documents to scan; then None (or the error)."""
    code = 0
    try:
        for sid, ids, hashes, sources, shard in _hashed(documents(), shard_size):
            todo, _ = to_scan(ids, hashes, index, prev_hashes, False)
            conn.send((sid, ids, hashes, sources, {i: shard[i] for i in todo}))
        conn.send(None)
    except BrokenPipeError:  # the parent is gone (ended, or killed)
        code = 1
    except BaseException as exc:  # handed to the parent, raised there
        code = 1
        try:
            conn.send(exc)
        except BrokenPipeError:
            pass
        except Exception:  # an exception that does not pickle
            conn.send(WorkerError(f"reading the input failed: {type(exc).__name__}: {one_line(exc)}"))
    finally:
        conn.close()
        os._exit(code)  # no atexit handlers or stream flushes of the parent's copy


class ReadApart:
    """The shards, read, hashed and compared in a forked process (see the module's docstring)."""

    def __init__(self, documents: Callable[[], Iterator[Document]], shard_size: int, prev: Previous,
                 depth: int = 8) -> None:
        self.documents, self.shard_size, self.prev, self.depth = documents, shard_size, prev, depth
        self.proc = None
        self.conn = None

    def __enter__(self) -> Iterator[Shard]:
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child, name="pii-scanner-audit-read", daemon=True,
                                args=(self.documents, self.shard_size, self.prev.index, self.prev.hashes, send))
        self.proc.start()
        send.close()  # the child holds the only write end: its exit ends recv()
        self.conn = recv
        return _prefetch(self._received(), self.depth)

    def _received(self) -> Iterator[Shard]:
        while True:
            try:
                msg = self.conn.recv()
            except EOFError:
                self.proc.join(5)
                raise WorkerError(f"the audit's reading process ended before the input did (exit code "
                                  f"{self.proc.exitcode}); the last complete run stays current") from None
            if msg is None:
                return
            if isinstance(msg, BaseException):
                raise msg
            yield msg

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.join(5 if exc[0] is None else 0)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()
        if self.conn is not None:
            self.conn.close()
