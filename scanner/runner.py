"""Run a whole scan: read -> shard -> ``Scanner.scan_shard`` -> atomic write, with resume and manifest.

Everything here is orchestration; the per-shard work is pure and lives in ``pipeline.py``. A shard whose
documents file already exists in ``OUT`` was committed by an earlier (possibly killed) run and is
skipped, so re-running the same command finishes the job with every document exactly once.
"""

from __future__ import annotations

import hashlib
import itertools
import platform
import queue
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pyarrow.parquet as pq

from . import __version__
from .pipeline import Scanner, ScanOptions
from .readers import DuplicateGuard, InputError, describe_inputs, iter_shards, read_documents
from .records import Document
from .workers import default_workers, scan_in_processes
from .writers import (commit_shard, completed_shards, prepare_output, read_manifest, write_manifest,
                      write_shard)


@dataclass
class RunOptions:
    inputs: list[str]
    out_dir: str
    text_column: str = "text"
    id_column: str = "id"
    fmt: str | None = None
    shard_size: int = 1024
    include_text: bool = False
    fresh: bool = False
    redact: str | None = None  # redaction style; None = no OUT/redacted
    workers: int | None = 1  # scanning processes; None = auto (``workers.default_workers``)
    scan: ScanOptions = field(default_factory=ScanOptions)


@dataclass
class RunSummary:
    documents: int = 0
    ok: int = 0
    errors: int = 0
    skipped: int = 0
    spans: int = 0
    tokens: int = 0
    shards_written: int = 0
    shards_resumed: int = 0
    seconds: float = 0.0
    max_tier: int = 0
    tiers: dict[int, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)


def _file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    out = {"pii-scanner": __version__, "python": platform.python_version()}
    from importlib.metadata import PackageNotFoundError, version

    # Installed versions from the package metadata: importing torch here just to ask would add
    # seconds to a --no-model run. onnxruntime-gpu installs the same module as onnxruntime.
    dists = {"torch": ["torch"], "transformers": ["transformers"],
             "onnxruntime": ["onnxruntime", "onnxruntime-gpu"], "pyarrow": ["pyarrow"],
             "numpy": ["numpy"], "tokenizers": ["tokenizers"]}
    for mod, names in dists.items():
        for name in names:
            try:
                out[mod] = version(name)
                break
            except PackageNotFoundError:  # an optional backend that is not installed is not an error
                continue
    return out


def _prefetch(it: Iterator, depth: int = 2) -> Iterator:
    """Read the next shards in a thread while the current one is scanned (I/O overlaps compute)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()

    def pump() -> None:
        try:
            for item in it:
                q.put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            q.put(exc)
        q.put(done)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        item = q.get()
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _peek(it: Iterator, n: int) -> tuple[list, Iterator]:
    """The first ``n`` items, and an iterator that still yields everything."""
    head = list(itertools.islice(it, n))
    return head, itertools.chain(head, it)


# Events: (n_docs, n_tokens) per shard written, None per shard an earlier run already committed.
ShardEvent = tuple[int, int] | None


def _scan_serial(shards: Iterator[tuple[int, list[Document]]], done: set[int], scanner: Scanner,
                 out: Path, opts: RunOptions, redactor) -> Iterator[ShardEvent]:
    """One process: the reading thread also tokenises the next shards while this one is inferred."""
    prepared = ((sid, shard, None if sid in done else scanner.prepare(shard)) for sid, shard in shards)
    for shard_id, shard, prep in _prefetch(prepared):
        if prep is None:
            yield None
            continue
        results = scanner.scan_shard(prep)
        commit_shard(out, shard_id, shard, results, opts.include_text, redactor)
        yield len(results), sum(r.n_tokens for r in results)


def _scan_parallel(shards: Iterator[tuple[int, list[Document]]], done: set[int], scanner: Scanner,
                   workers: int, out: Path, opts: RunOptions) -> Iterator[ShardEvent]:
    """Worker processes scan and commit the shards; this process reads, hands out and counts."""
    skipped: list[int] = []

    def todo() -> Iterator[tuple[int, list[Document]]]:
        for sid, shard in shards:
            if sid in done:
                skipped.append(sid)
            else:
                yield sid, shard

    for rep in scan_in_processes(_prefetch(todo()), scanner, workers, out, opts.include_text,
                                 opts.redact):
        scanner.timings.add(rep.timings)
        yield rep.n_docs, rep.n_tokens
    for _ in skipped:
        yield None


def summarize_output(out_dir: Path) -> RunSummary:
    """Counts over everything committed in OUT (including shards from an earlier, resumed run)."""
    s = RunSummary()
    files = sorted((out_dir / "documents").glob("part-*.parquet"))
    for f in files:
        t = pq.read_table(f, columns=["status", "n_tokens", "tier", "entity_counts"]).to_pydict()
        s.documents += len(t["status"])
        st = Counter(t["status"])
        s.ok += st.get("ok", 0)
        s.errors += st.get("error", 0)
        s.skipped += st.get("skipped", 0)
        s.tokens += sum(t["n_tokens"])
        for tier in t["tier"]:
            if tier is not None:
                s.tiers[tier] = s.tiers.get(tier, 0) + 1
                s.max_tier = max(s.max_tier, tier)
        for counts in t["entity_counts"]:
            for label, n in (counts.items() if isinstance(counts, dict) else counts or []):
                s.labels[label] = s.labels.get(label, 0) + n
                s.spans += n
    return s


def _check_resume_compatible(out: Path, opts: RunOptions) -> None:
    """Resuming with other shard boundaries or columns would mix incompatible parts in one folder."""
    previous = read_manifest(out)
    if not previous:
        return
    before = previous.get("options", {})
    for key, now in (("shard_size", opts.shard_size), ("include_text", opts.include_text),
                     ("redact", opts.redact)):
        if key in before and before[key] != now:
            raise InputError(f"{out}: earlier run used {key}={before[key]}, this one {now}; "
                             f"use the same options to resume, or --fresh to start over")


def run_scan(opts: RunOptions, scanner: Scanner | None = None,
             on_progress: Callable[[int, int], None] | None = None,
             input_info: list[dict] | None = None) -> tuple[RunSummary, dict]:
    """Scan ``opts.inputs`` into ``opts.out_dir``; returns the summary and the manifest written.

    ``input_info`` is ``describe_inputs``' answer when the caller already has it (it walks folders).
    ``on_progress(n_docs, n_tokens)`` is called per shard written. Results go to ``opts.out_dir``
    only: read them back from there (with worker processes they never pass through this process).
    """
    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    out = Path(opts.out_dir)
    if input_info is None:  # InputError for a missing path: fatal, before any work
        input_info = describe_inputs(opts.inputs, opts.fmt)
    scanner = scanner or Scanner(opts.scan)
    redactor = None
    if opts.redact:  # before prepare_output: a missing key must not cost the earlier results
        from .redaction import Redactor

        redactor = Redactor.from_env(opts.redact)
    prepare_output(out, fresh=opts.fresh)
    done = completed_shards(out)
    if done:
        _check_resume_compatible(out, opts)
    options = {"text_column": opts.text_column, "id_column": opts.id_column, "format": opts.fmt,
               "shard_size": opts.shard_size, "include_text": opts.include_text,
               "redact": opts.redact, "use_model": opts.scan.use_model,
               "use_rules": opts.scan.use_rules}
    if not done:  # records the options a resumed run must match, even if this run is killed
        write_manifest(out, {"tool": "pii-scanner", "status": "running",
                             "started": started.isoformat(timespec="seconds"), "options": options})

    guard = DuplicateGuard()
    docs: Iterator[Document] = guard(read_documents(opts.inputs, opts.text_column, opts.id_column,
                                                    opts.fmt))
    shards = iter_shards(docs, opts.shard_size)
    workers = opts.workers if opts.workers is not None else default_workers(scanner)
    if workers > 1:
        # No more processes than shards: each one costs a model load (a few seconds; a CUDA
        # context), and a one-shard input is scanned here.
        head, shards = _peek(shards, workers)
        workers = max(1, len(head))
    if workers > 1:
        events = _scan_parallel(shards, done, scanner, workers, out, opts)
    else:
        events = _scan_serial(shards, done, scanner, out, opts, redactor)
    written = resumed = 0
    for event in events:
        if event is None:
            resumed += 1
            continue
        written += 1
        if on_progress:
            on_progress(*event)

    if written == 0 and not done:
        if redactor is not None:
            redactor.write_shard(out, 0, [], [])
        write_shard(out, 0, [])  # an empty corpus still gets readable (empty) tables
    summary = summarize_output(out)
    summary.shards_written, summary.shards_resumed = written, resumed
    summary.seconds = time.perf_counter() - t_start
    timings = asdict(scanner.timings)
    manifest = {
        "tool": "pii-scanner",
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": input_info,
        "status": "complete",
        "options": options,
        "model": {"id": scanner.model.id, "sha256": scanner.model.sha256},
        "config": {"rules_sha256": _file_sha256(scanner.rules_cfg.path),
                   "policy_sha256": _file_sha256(scanner.policy.path),
                   "rules_file": str(scanner.rules_cfg.path), "policy_file": str(scanner.policy.path)},
        "backend": {**scanner.describe(), "workers": workers},
        "counts": {"documents": summary.documents, "ok": summary.ok, "error": summary.errors,
                   "skipped": summary.skipped, "spans": summary.spans, "tokens": summary.tokens,
                   "by_label": dict(sorted(summary.labels.items())),
                   "by_tier": {str(k): v for k, v in sorted(summary.tiers.items())},
                   "shards_written": written, "shards_resumed": resumed},
        "timings": {"wall_s": round(summary.seconds, 3),
                    **{k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()}},
        "versions": _versions(),
    }
    write_manifest(out, manifest)
    return summary, manifest
