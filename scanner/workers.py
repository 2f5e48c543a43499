"""Scan shards in worker processes, so the Python stages of several shards run at once.

Why processes: tokenising, decoding, the pattern detectors, merging and the policy are Python and hold
the GIL; one process tops out near 220K tokens/s on the 2-core Xeon whatever the device does (the
benchmarks' host tok/s). N workers, each with its own ``Scanner``, run the whole pure shard function
(``scan_shard`` then an atomic write) on different shards: while one worker's batches are on the GPU,
the others tokenise and decode. On a CPU, inference already spreads over every core, so workers only
trade threads for processes (on the 2-core Xeon two workers ran at 0.96x of one process).

The parent only reads and shards the input, hands shards out (a bounded number in flight, so memory
stays flat), and collects small reports. Shard boundaries are the parent's, and ``scan_shard`` is
deterministic, so the output is identical to a one-process run, and resume works the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import WorkerError
from .pipeline import Scanner, ScanOptions, Timings
from .records import Document
from .redaction import build_redactor
from .writers import commit_shard


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs to build its Scanner and commit shards; picklable, no secrets."""

    scan: ScanOptions
    out_dir: str
    include_text: bool
    redact: str | None  # the style; a worker reads the pseudonym key from its (inherited) environment
    log_level: int


@dataclass
class ShardReport:
    shard_id: int
    n_docs: int
    n_tokens: int
    timings: Timings


# One Scanner per worker process, built once by the pool's initializer.
_STATE: dict = {}


def _exit_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL, OOM killer) cannot stop its workers; they notice on their own
    instead of holding a model, a CUDA context and GPU memory forever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(setup: WorkerSetup, ready) -> None:
    logging.basicConfig(level=setup.log_level, format="%(levelname)s %(name)s[worker]: %(message)s")
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # The Rust tokenizer's pool would otherwise start one thread per core in every worker.
    os.environ.setdefault("RAYON_NUM_THREADS", str(setup.scan.threads or 1))
    _STATE.update(setup=setup, ready=ready)
    try:
        # As the parent built its own (``run_scan``): the key from the environment this process inherited.
        _STATE.update(scanner=Scanner(setup.scan), redactor=build_redactor(setup.redact))
    except Exception as exc:  # noqa: BLE001 - reported by _ready, which the parent waits on
        _STATE["error"] = f"{type(exc).__name__}: {exc}"


def _ready() -> int:
    """Held by each worker until all are up, so every worker gets one: startup is over when all return.
    Returns the worker's pid (the parent stops its workers with it when the run is interrupted)."""
    if "error" in _STATE:
        _STATE["ready"].abort()  # the others stop waiting for this one
        raise RuntimeError(_STATE["error"])
    _STATE["ready"].wait(timeout=600)
    return os.getpid()


def _stop(pids: list[int]) -> None:
    """Interrupted run (Ctrl-C, SIGTERM, an error here): stop the workers now rather than let them
    finish their shards; a shard cut short leaves only a temp file, removed by the next run."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def _scan_shard(shard_id: int, docs: list[Document]) -> ShardReport:
    setup: WorkerSetup = _STATE["setup"]
    scanner: Scanner = _STATE["scanner"]
    results, timings = scanner.scan_shard_timed(docs)
    commit_shard(Path(setup.out_dir), shard_id, docs, results, setup.include_text, _STATE["redactor"])
    return ShardReport(shard_id, len(docs), sum(r.n_tokens for r in results), timings)


def worker_scan_options(scanner: Scanner, workers: int) -> ScanOptions:
    """The parent's resolved options (``Scanner.resolved``: its backend pinned, so every worker runs exactly
    what the parent chose with no fallback of its own, and the device's defaults settled), with the CPU
    threads shared out among the workers. The parent may have halved its token budget after an OOM:
    the workers start from the budget it has now."""
    return replace(scanner.resolved, token_budget=scanner.token_budget).for_processes(workers)


def default_workers(scanner: Scanner) -> int:
    """Workers for ``--workers auto``: on a GPU, one per physical core but one (left to the parent,
    which reads and shards), at most 8 since each holds a CUDA context. With the model on the GPU a
    worker is one core of GIL-bound Python (tokenizer glue, decode, detectors, policy) waiting little
    on the device. On a CPU one, since inference already uses every core and N processes only pay
    when the shards are many (``--workers N`` to choose)."""
    from .backends.base import physical_cores

    if scanner.backend is not None and scanner.backend.device == "cuda":
        return max(1, min(8, physical_cores() - 1))
    return 1


def _reports(done: set[Future], startup: list[float]) -> Iterator[ShardReport]:
    """The finished shards' reports; the workers' start-up seconds (``startup``, taken once) go into
    the first report's timings, so the run's sum of reports holds them."""
    for f in done:
        rep = f.result()
        rep.timings.start_workers += startup.pop() if startup else 0.0
        yield rep


def scan_in_processes(shards: Iterator[tuple[int, list[Document]]], scanner: Scanner, workers: int,
                      out_dir: Path, include_text: bool, redact: str | None) -> Iterator[ShardReport]:
    """Scan and commit every shard in ``workers`` processes; yields small reports (counts, stage
    timings) as shards finish: the results themselves are on disk, never sent back.

    At most ``2 * workers`` shards are in flight, so a slow device never lets the reader run ahead
    with the whole corpus in memory.
    """
    setup = WorkerSetup(scan=worker_scan_options(scanner, workers), out_dir=str(out_dir),
                        include_text=include_text, redact=redact,
                        log_level=logging.getLogger().getEffectiveLevel())
    # spawn, not fork: a CUDA context (or ONNX Runtime's thread pool) does not survive a fork.
    ctx = multiprocessing.get_context("spawn")
    pending: set[Future] = set()
    pids: list[int] = []
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(setup, ctx.Barrier(workers))) as pool:
        try:
            # Start every worker before handing out shards: a worker that cannot load the model fails
            # the run now, and the manifest (and benchmarks) can tell startup from scanning.
            errors: list[str | None] = []
            for f in [pool.submit(_ready) for _ in range(workers)]:
                try:
                    pids.append(f.result())
                except threading.BrokenBarrierError:
                    errors.append(None)  # a healthy worker released by the one that failed
                except RuntimeError as exc:
                    errors.append(str(exc))
            if errors:
                why = next((e for e in errors if e), "timed out waiting for the others")
                raise WorkerError(f"a scan worker could not start: {why}")
            startup = [time.perf_counter() - t0]
            for shard_id, docs in shards:
                while len(pending) >= 2 * workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from _reports(done, startup)
                pending.add(pool.submit(_scan_shard, shard_id, docs))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from _reports(done, startup)
        except BrokenProcessPool as exc:
            raise WorkerError(
                f"a scan worker process died ({exc}); the shards it finished are kept: "
                "run the same command again to resume") from None
        except BaseException:
            for f in pending:
                f.cancel()
            _stop(pids)
            raise


__all__ = ["ShardReport", "WorkerError", "default_workers", "scan_in_processes",
           "worker_scan_options"]
