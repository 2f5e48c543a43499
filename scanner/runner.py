"""Run a whole scan: read -> shard -> ``Scanner.scan_shard`` -> atomic write, with resume and manifest.

Everything here is orchestration; the per-shard work is pure and lives in ``pipeline.py``. A shard that
an earlier (possibly killed) run committed is kept only when it was scanned from the same documents
with the same settings (``resume.py``); a changed shard is scanned again and a run with other settings
is refused, so re-running the same command finishes the job with every document exactly once and
every result current. One scan at a time writes to a folder (``resume.OutputLock``).
"""

from __future__ import annotations

import hashlib
import itertools
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from . import __version__
from .errors import OutputError, one_line
from .pipeline import Scanner, ScanOptions, Timings
from .readers import DuplicateGuard, InputError, InputPlan, iter_shards, plan_inputs
from .records import Document, Status
from .redaction import build_redactor
from .resume import OutputLock, check_resumable, shard_fingerprint
from .sample import Sampler, SampleSpec, sample_report
from .versions import library_versions
from .versions import library_versions as _versions  # noqa: F401  (audit.py imports it from here)
from .workers import default_workers, scan_in_processes
from .writers import (
    commit_shard,
    committed_fingerprint,
    completed_shards,
    make_output_dir,
    prepare_output,
    read_manifest,
    remove_orphans,
    uncommit_shard,
    write_manifest,
)

# Bumped when the tables' columns change type: 2 = documents.reasons as structs (CHANGELOG.md).
OUTPUT_SCHEMA = 2


@dataclass
class RunOptions:
    inputs: list[str]
    out_dir: str
    text_column: str = "text"
    id_column: str = "id"
    require_id: bool = False  # the user named --id-column: an input without it is an error
    fmt: str | None = None
    shard_size: int = 1024
    include_text: bool = False
    fresh: bool = False
    redact: str | None = None  # redaction style; None = no OUT/redacted
    workers: int | None = 1  # scanning processes (Ray actors); None = auto (the engine decides)
    engine: str = "local"  # "local": this process or worker processes; "ray": a Ray actor pool
    ray_address: str | None = None  # engine "ray": the cluster to join; None starts a local one
    sample: SampleSpec | None = None  # scan a reproducible random sample only (``sample.py``)
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
    shards_rescanned: int = 0  # committed by an earlier run, but their input changed since
    seconds: float = 0.0
    max_tier: int = 0
    tiers: dict[int, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)  # "status: reason" -> documents not scanned
    sample: dict | None = None  # with --sample: population, sample size and tier estimates


def _file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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


# Events: (n_docs, n_tokens, resumed, stage timings or None) per shard, in the order shards finish.
ShardEvent = tuple[int, int, bool, "Timings | None"]


@dataclass
class _ShardBook:
    """What the reading side learnt about the shards: fingerprints, and which ones are current."""

    stored: dict[int, str | None]  # committed shards and the fingerprint each was written with
    fingerprints: dict[int, str] = field(default_factory=dict)
    rescanned: int = 0

    def current(self, out: Path, sid: int, shard: list[Document]) -> bool:
        """True when the committed part of ``sid`` was scanned from exactly these documents; a stale
        part is uncommitted here, before it is scanned again."""
        fp = self.fingerprints[sid] = shard_fingerprint(shard)
        if sid not in self.stored:
            return False
        if self.stored[sid] == fp:
            return True
        uncommit_shard(out, sid)
        self.rescanned += 1
        return False


def _scan_serial(shards: Iterator[tuple[int, list[Document]]], book: _ShardBook, scanner: Scanner,
                 out: Path, opts: RunOptions, redactor) -> Iterator[ShardEvent]:
    """One process: the reading thread also tokenises the next shards while this one is inferred."""
    prepared = ((sid, shard, None if book.current(out, sid, shard) else scanner.prepare(shard))
                for sid, shard in shards)
    for shard_id, shard, prep in _prefetch(prepared):
        if prep is None:
            yield len(shard), 0, True, None
            continue
        results, timings = scanner.scan_shard_timed(prep)  # tokenising's seconds came with ``prep``
        commit_shard(out, shard_id, shard, results, opts.include_text, redactor)
        yield len(results), sum(r.n_tokens for r in results), False, timings


def _scan_parallel(shards: Iterator[tuple[int, list[Document]]], book: _ShardBook, scanner: Scanner,
                   workers: int, out: Path, opts: RunOptions) -> Iterator[ShardEvent]:
    """Worker processes scan and commit the shards; this process reads, hands out and counts."""
    return _scan_elsewhere(shards, book, out, lambda todo: scan_in_processes(
        _prefetch(todo), scanner, workers, out, opts.include_text, opts.redact))


def _scan_ray(shards: Iterator[tuple[int, list[Document]]], book: _ShardBook, scanner: Scanner,
              out: Path, opts: RunOptions, redactor, info: dict) -> Iterator[ShardEvent]:
    """A Ray actor pool scans the shards; this process reads them and commits what comes back."""
    from .ray_engine import scan_in_ray

    return _scan_elsewhere(shards, book, out, lambda todo: scan_in_ray(
        todo, scanner, out, opts.include_text, redactor, opts.ray_address, opts.workers, info))


def _scan_elsewhere(shards: Iterator[tuple[int, list[Document]]], book: _ShardBook, out: Path,
                    engine: Callable[[Iterator], Iterator]) -> Iterator[ShardEvent]:
    """The shards that are not current go to ``engine``, which yields a ``ShardReport`` per shard."""
    kept: list[int] = []

    def todo() -> Iterator[tuple[int, list[Document]]]:
        for sid, shard in shards:
            if book.current(out, sid, shard):
                kept.append(len(shard))
            else:
                yield sid, shard

    for rep in engine(todo()):
        yield rep.n_docs, rep.n_tokens, False, rep.timings
    for n in kept:
        yield n, 0, True, None


_REASON_TAIL = re.compile(r"\s+(?:at|after)\s+(?:line|row|open)\b.*$")


def reason_key(error: str | None) -> str:
    """The kind of problem without its details: 'malformed JSON at line 3: ...' -> 'malformed JSON'."""
    head = (error or "no reason given").split(": ", 1)[0]
    return re.sub(r"(?<![\w-])\d+(?![\w-])", "N", _REASON_TAIL.sub("", head))


def summarize_output(out_dir: Path) -> RunSummary:
    """Counts over everything committed in OUT (including shards from an earlier, resumed run)."""
    s = RunSummary()
    files = sorted((out_dir / "documents").glob("part-*.parquet"))
    for f in files:
        t = pq.read_table(f, columns=["status", "error", "n_tokens", "tier", "entity_counts"]).to_pydict()
        s.documents += len(t["status"])
        st = Counter(t["status"])
        s.ok += st.get(Status.OK, 0)
        s.errors += st.get(Status.ERROR, 0)
        s.skipped += st.get(Status.SKIPPED, 0)
        s.tokens += sum(t["n_tokens"])
        for status, error in zip(t["status"], t["error"]):
            if status != Status.OK:
                key = f"{status}: {reason_key(error)}"
                s.reasons[key] = s.reasons.get(key, 0) + 1
        for tier in t["tier"]:
            if tier is not None:
                s.tiers[tier] = s.tiers.get(tier, 0) + 1
                s.max_tier = max(s.max_tier, tier)
        for counts in t["entity_counts"]:
            for label, n in (counts.items() if isinstance(counts, dict) else counts or []):
                s.labels[label] = s.labels.get(label, 0) + n
                s.spans += n
    return s


def gate_documents(out_dir: Path, tier: int, limit: int = 10) -> tuple[int, list[tuple[str, str]]]:
    """Documents that fail ``--fail-on-tier tier``: at that tier or above, or not scanned although
    they could hold text (status ``error``: their tier is unknown). Returns (count, first ``limit``
    as (doc_id, why))."""
    n, first = 0, []
    for f in sorted((Path(out_dir) / "documents").glob("part-*.parquet")):
        t = pq.read_table(f, columns=["doc_id", "status", "tier"]).to_pydict()
        for doc_id, status, t_ in zip(t["doc_id"], t["status"], t["tier"]):
            if status == Status.ERROR or (t_ is not None and t_ >= tier):
                n += 1
                if len(first) < limit:
                    first.append((doc_id, "not scanned" if status == Status.ERROR else f"tier {t_}"))
    return n, first


def run_settings(opts: RunOptions, scanner: Scanner, input_info: list[dict]) -> dict:
    """Everything a shard's result depends on besides its documents (see ``resume``)."""
    d = scanner.describe()
    return {
        "inputs": [i["path"] for i in input_info], "format": opts.fmt,
        "text_column": opts.text_column, "id_column": opts.id_column, "shard_size": opts.shard_size,
        "include_text": opts.include_text, "redact": opts.redact, "use_model": opts.scan.use_model,
        "use_rules": opts.scan.use_rules, "model_sha256": scanner.model.sha256 if opts.scan.use_model else None,
        "rules_sha256": _file_sha256(scanner.rules_cfg.path), "policy_sha256": _file_sha256(scanner.policy.path),
        "backend": {k: d.get(k) for k in ("backend", "name", "device", "precision", "max_length", "stride",
                                          "token_budget", "export_version") if k in d} if opts.scan.use_model else None,
        "version": __version__, "output_schema": OUTPUT_SCHEMA,
        "sample": opts.sample.describe() if opts.sample else None,
        # Which documents the model reads depends on the language identifier's own model.
        "language_id": library_versions().get("py3langid") if opts.scan.use_model else None,
    }


def run_scan(opts: RunOptions, scanner: Scanner | None = None,
             on_progress: Callable[[int, int], None] | None = None,
             input_info: list[dict] | None = None, plan: InputPlan | None = None) -> tuple[RunSummary, dict]:
    """Scan ``opts.inputs`` into ``opts.out_dir``; returns the summary and the manifest written.

    ``plan`` is ``plan_inputs``' answer when the caller already has it (it checks columns and walks
    folders). ``on_progress(n_docs, n_tokens)`` is called per shard done (``n_tokens`` 0 for a shard an
    earlier run committed). Results go to ``opts.out_dir`` only: read them back from there (with worker
    processes they never pass through this process). Raises ``ResumeRefused`` when the folder holds
    results of other settings and ``OutputBusy`` when another scan writes to it.
    """
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    out = Path(opts.out_dir)
    if plan is None:  # InputError for a missing path or column: fatal, before any work
        plan = plan_inputs(opts.inputs, opts.text_column, opts.id_column, opts.fmt,
                           require_id=opts.require_id, exclude=[out])
    input_info = input_info or plan.info
    scanner = scanner or Scanner(opts.scan)
    redactor = build_redactor(opts.redact)  # before prepare_output: a missing key must not cost earlier results
    settings = run_settings(opts, scanner, input_info)
    make_output_dir(out)
    with OutputLock(out):
        prepare_output(out, fresh=opts.fresh)
        done = completed_shards(out)
        check_resumable(out, read_manifest(out), settings, bool(done))
        base = {"tool": "pii-scanner", "status": "running", "started": started.isoformat(timespec="seconds"),
                "inputs": input_info, "options": _options(opts), "settings": settings}
        try:  # a SIGTERM during this first write still leaves the manifest 'interrupted'
            write_manifest(out, base)  # records the settings a resumed run must match, even if killed
            return _run_locked(opts, scanner, redactor, plan, done, out, base, on_progress, t_start)
        except BaseException as exc:
            stopped = isinstance(exc, (KeyboardInterrupt, SystemExit))
            try:  # best effort: on a full disk even this small file may not fit
                remove_orphans(out)
                write_manifest(out, {**base, "status": "interrupted" if stopped else "failed",
                                     "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                                     "error": None if stopped else one_line(exc)})
            except OSError:
                pass
            if isinstance(exc, OSError) and not isinstance(exc, InputError):
                raise OutputError(out, exc) from exc
            raise


def _options(opts: RunOptions) -> dict:
    return {"text_column": opts.text_column, "id_column": opts.id_column, "format": opts.fmt,
            "shard_size": opts.shard_size, "include_text": opts.include_text, "redact": opts.redact,
            "use_model": opts.scan.use_model, "use_rules": opts.scan.use_rules}


def sampled_documents(plan: InputPlan, spec: SampleSpec | None) -> tuple[Iterator[Document], Sampler | None]:
    """The input's documents (duplicate ids renamed), filtered to the sample when ``spec`` is set."""
    docs = DuplicateGuard()(plan.documents())
    if spec is None:
        return docs, None
    sampler = Sampler(spec, ids=lambda: (d.doc_id for d in DuplicateGuard()(plan.documents())))
    return sampler(docs), sampler


def _run_locked(opts: RunOptions, scanner: Scanner, redactor, plan: InputPlan, done: set[int], out: Path,
                base: dict, on_progress, t_start: float) -> tuple[RunSummary, dict]:
    """The scan proper, holding the output lock: shards, stale parts, the final manifest."""
    book = _ShardBook({sid: committed_fingerprint(out, sid) for sid in done})
    docs, sampler = sampled_documents(plan, opts.sample)
    shards = iter_shards(docs, opts.shard_size)
    engine_info: dict = {"engine": opts.engine}  # the ray engine adds its actor count and address
    workers = opts.workers if opts.workers is not None else default_workers(scanner)
    if opts.engine != "ray" and workers > 1:
        # No more processes than shards: each one costs a model load (a few seconds; a CUDA
        # context), and a one-shard input is scanned here.
        head, shards = _peek(shards, workers)
        workers = max(1, len(head))
    if opts.engine == "ray":
        events = _scan_ray(shards, book, scanner, out, opts, redactor, engine_info)
    elif workers > 1:
        events = _scan_parallel(shards, book, scanner, workers, out, opts)
    else:
        events = _scan_serial(shards, book, scanner, out, opts, redactor)
    written = resumed = 0
    timings = Timings()  # this run's stage seconds, summed here, in this thread only
    for n_docs, n_tokens, was_done, shard_timings in events:
        resumed += was_done
        written += not was_done
        if shard_timings is not None:
            timings.add(shard_timings)
        if on_progress:
            on_progress(n_docs, n_tokens)
    n_shards = len(book.fingerprints)
    for sid in sorted(done):
        if sid >= n_shards:  # the input got shorter: these documents are gone
            uncommit_shard(out, sid)
    if n_shards == 0:  # an empty corpus still gets readable (empty) tables
        commit_shard(out, 0, [], [], redactor=redactor)
        book.fingerprints[0] = shard_fingerprint([])
    summary = summarize_output(out)
    summary.shards_written, summary.shards_resumed = written, resumed
    summary.shards_rescanned = book.rescanned
    summary.seconds = time.perf_counter() - t_start
    if sampler is not None:
        summary.sample = sample_report(opts.sample, sampler, summary.tiers, summary.errors)
    manifest = {
        **base,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": "complete",
        "model": {"id": scanner.model.id, "sha256": scanner.model.sha256},
        "config": {"rules_sha256": base["settings"]["rules_sha256"],
                   "policy_sha256": base["settings"]["policy_sha256"],
                   "rules_file": str(scanner.rules_cfg.path), "policy_file": str(scanner.policy.path)},
        "backend": {**scanner.describe(), "workers": workers, **engine_info},  # ray: its actors
        "counts": {"documents": summary.documents, "ok": summary.ok, "error": summary.errors,
                   "skipped": summary.skipped, "spans": summary.spans, "tokens": summary.tokens,
                   "by_reason": dict(sorted(summary.reasons.items())),
                   "by_label": dict(sorted(summary.labels.items())),
                   "by_tier": {str(k): v for k, v in sorted(summary.tiers.items())},
                   "shards_written": written, "shards_resumed": resumed, "shards_rescanned": book.rescanned},
        "sample": summary.sample,
        "shards": {str(k): v for k, v in sorted(book.fingerprints.items())},
        "timings": {"wall_s": round(summary.seconds, 3),
                    **{k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(timings).items()}},
        "versions": library_versions(),
    }
    write_manifest(out, manifest)
    return summary, manifest
