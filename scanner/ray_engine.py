"""Scan on a Ray cluster: the same shard function in an actor pool over ``ray.data``.

Why it is built this way:

* One ``Scanner`` (one model) per actor, built once in the actor's constructor; an actor gets
  ``num_gpus=1`` when the driver's backend is on CUDA, and a fractional CPU otherwise, so Ray Data's
  own read and write tasks still get scheduled on a small machine.
* Actors return results, never write files: the driver commits every shard with the same atomic
  writes as the local engine (``writers.commit_shard``), holding the output lock. Ray Data delivers
  each batch's output once, and an attempt that died with its actor (Ray restarts the actor and
  retries the batch) delivers nothing, so each shard is written exactly once, on any filesystem.
* ``pii-scanner scan --engine ray``: the driver reads and cuts shards exactly as the local engine
  does (one Dataset row per shard), so parts, fingerprints and resume are the same, and so are the
  rows. ``scan_dataset``: a ``ray.data.Dataset`` the user built (e.g. ``read_parquet`` on shared
  storage); one batch of ``shard_size`` rows is one output part, numbered in dataset order.
* A document that breaks the shard function becomes an error row; the job goes on.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pickle
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RayEngineError
from .pipeline import Scanner, ScanOptions, Timings
from .records import DocResult, Document, Status
from .workers import ShardReport
from .writers import commit_shard

if TYPE_CHECKING:
    import pyarrow as pa
    import ray.data

log = logging.getLogger(__name__)

INSTALL_HINT = "the ray engine needs Ray Data: pip install 'pii-scanner[ray]'"
CPU_ACTOR_CPUS = 0.5  # a whole CPU per actor starves Ray Data's read/write tasks on a small node


@dataclass(frozen=True)
class ActorSetup:
    """What every actor needs to build its Scanner; picklable, no secrets."""

    scan: ScanOptions
    model_sha256: str | None  # the driver's model: an actor on a node with another one refuses
    per_node: int  # actors per node: CPU threads are shared out among them (threads unset)
    log_level: int
    text_column: str = "text"  # scan_dataset only
    id_column: str | None = None
    include_text: bool = False


def ray_available() -> bool:
    """True when Ray Data can be imported (the ``ray`` extra is installed)."""
    from importlib.util import find_spec

    return find_spec("ray") is not None and find_spec("ray.data") is not None


def safe_scan(scanner: Scanner, docs: list[Document]) -> tuple[list[DocResult], Timings]:
    """``scan_shard_timed``, but an exception the shard function lets out (a backend error on one odd
    input) costs only the documents that raise it: the shard is retried one document at a time."""
    try:
        return scanner.scan_shard_timed(docs)
    except Exception:  # noqa: BLE001 - narrowed to the documents below
        log.warning("a shard failed as a whole; scanning its %d documents one by one", len(docs))
    out, total = [], Timings()
    for d in docs:
        try:
            results, timings = scanner.scan_shard_timed([d])
        except Exception as exc:  # noqa: BLE001 - one bad document must not fail the job
            out.append(DocResult(doc_id=d.doc_id, source=d.source, status=Status.ERROR,
                                 error=f"internal error while scanning: {type(exc).__name__}",
                                 n_chars=len(d.text or ""), n_tokens=0))
            continue
        out.extend(results)
        total.add(timings)
    return out, total


class _Actor:
    """Builds the actor's Scanner once; the subclasses say what a batch is."""

    def __init__(self, setup: ActorSetup) -> None:
        logging.basicConfig(level=setup.log_level, format="%(levelname)s %(name)s[ray]: %(message)s")
        opts = setup.scan.for_processes(setup.per_node)
        os.environ.setdefault("RAYON_NUM_THREADS", str(opts.threads))
        self.setup = setup
        self.scanner = Scanner(opts)
        if setup.model_sha256 and self.scanner.model.sha256 != setup.model_sha256:
            raise RuntimeError(f"the model on this node ({self.scanner.model.path}) is not the "
                               "driver's: install the same pii-scanner (or --model) on every node")
        self.ready_at = time.time()  # wall clock: the driver's start-up figure ends here

    def _scan(self, docs: list[Document]) -> tuple[list[DocResult], str]:
        """Results and the stage timings as JSON, with ``ready_at``: when this actor had loaded."""
        results, timings = safe_scan(self.scanner, docs)
        return results, json.dumps({**asdict(timings), "ready_at": self.ready_at})


class ShardActor(_Actor):
    """``scan --engine ray``: a row is one shard the driver cut (its id and pickled documents)."""

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        out: dict[str, list] = {"shard_id": [], "results": [], "n_tokens": [], "timings": []}
        for sid, blob in zip(batch["shard_id"], batch["docs"]):
            results, timings = self._scan(pickle.loads(blob))
            out["shard_id"].append(int(sid))
            out["results"].append(pickle.dumps(results))
            out["n_tokens"].append(sum(r.n_tokens for r in results))
            out["timings"].append(timings)
        return out


class RowsActor(_Actor):
    """``scan_dataset``: a batch of the user's rows is one shard; returns its two tables as Arrow IPC."""

    def __call__(self, batch: pa.Table) -> dict[str, list]:
        from .api import _document
        from .writers import documents_table, spans_table

        s = self.setup
        texts = batch.column(s.text_column).to_pylist()
        ids = ([str(v) for v in batch.column(s.id_column).to_pylist()] if s.id_column
               else [str(i) for i in range(len(texts))])  # the driver adds the batch's offset
        results, timings = self._scan([_document(k, t) for k, t in zip(ids, texts)])
        tables = (documents_table(results),
                  spans_table(results, s.include_text, [t if isinstance(t, str) else None for t in texts]))
        return {"documents": [_ipc(tables[0])], "spans": [_ipc(tables[1])], "n_rows": [len(texts)],
                "n_tokens": [sum(r.n_tokens for r in results)], "timings": [timings]}


def _timings(data: str) -> tuple[Timings, float]:
    """An actor's stage timings, and the wall-clock time it was ready to scan."""
    d = json.loads(data)
    ready_at = d.pop("ready_at", 0.0)
    return Timings(**d), ready_at


def _ipc(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all()


# --------------------------------------------------------------------------------------------- driver


def _runtime_env() -> dict | None:
    """Workers import the driver's ``scanner``: nothing to pass when it is installed (site-packages);
    from a checkout, its folder goes first on the workers' PYTHONPATH (a local or shared-filesystem
    cluster; other clusters install pii-scanner on every node)."""
    root = Path(__file__).resolve().parent.parent
    if root.name in ("site-packages", "dist-packages"):
        return None
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(root)]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join([str(root), *rest])}}


def connect(address: str | None) -> bool:
    """Join the cluster at ``address`` (``auto``, ``ray://...``, ``host:port``) or start a local one;
    returns whether this call did (and so should shut it down). An existing connection is used as is."""
    if not ray_available():
        raise RayEngineError(INSTALL_HINT)
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # a PII scanner does not phone home
    kw: dict[str, Any] = {"runtime_env": _runtime_env(), "logging_level": logging.WARNING,
                          "log_to_driver": log.isEnabledFor(logging.INFO)}
    if address is None:
        kw["include_dashboard"] = False
    try:
        ray.init(address=address, **kw)
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        raise RayEngineError(f"cannot start or reach the Ray cluster ({address or 'local'}): "
                             f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}") from exc
    return True


def _pool(scanner: Scanner, actors: int | None, n_shards: int) -> tuple[int, int, dict[str, Any]]:
    """(actors, actors per node, Ray resources per actor): one actor per GPU on CUDA, else one per
    node (``actors`` overrides), never more than shards."""
    import ray

    on_gpu = scanner.backend is not None and scanner.backend.device == "cuda"
    nodes = max(1, sum(1 for n in ray.nodes() if n.get("Alive")))
    if actors is None:
        actors = int(ray.cluster_resources().get("GPU", 1)) if on_gpu else nodes
    actors = max(1, min(actors, n_shards))
    res = {"num_gpus": 1, "num_cpus": 1} if on_gpu else {"num_cpus": CPU_ACTOR_CPUS}
    return actors, math.ceil(actors / nodes), res


def actor_setup(scanner: Scanner, per_node: int, **extra: Any) -> ActorSetup:
    """The driver's resolved options (``Scanner.resolved``, its current token budget), but the model as
    the user named it (each node resolves its own copy; the sha256 check proves it is the same) and
    threads left to each node (``ScanOptions.for_processes``) unless the user set them."""
    opts = replace(scanner.resolved, model=scanner.options.model, threads=scanner.options.threads,
                   token_budget=scanner.token_budget)
    sha = scanner.model.sha256 if scanner.options.use_model else None
    return ActorSetup(scan=opts, model_sha256=sha, per_node=per_node,
                      log_level=logging.getLogger().getEffectiveLevel(), **extra)


def _execute(ds: ray.data.Dataset, actor_cls: type, setup: ActorSetup, actors: int,
             res: dict[str, Any], **map_kw: Any) -> Iterator[dict[str, Any]]:
    """Map ``ds`` through an actor pool and yield its output rows; Ray's failures become one
    ``RayEngineError`` (a user's Ctrl-C stays what it is)."""
    from ray.data import ActorPoolStrategy, DataContext

    DataContext.get_current().enable_progress_bars = False  # the CLI has its own bar
    if not log.isEnabledFor(logging.INFO):  # Ray Data's per-run INFO lines and progress logging
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    mapped = ds.map_batches(actor_cls, fn_constructor_args=(setup,), compute=ActorPoolStrategy(size=actors),
                            **res, **map_kw)
    try:
        yield from mapped.iter_rows()
    except Exception as exc:  # noqa: BLE001 - RayTaskError, ActorDiedError, ObjectLostError...
        why = " ".join(str(exc).split())[:400]
        raise RayEngineError(f"the Ray job failed ({type(exc).__name__}: {why}); committed shards are "
                             "kept: run the same command again to resume") from exc


def scan_in_ray(shards: Iterator[tuple[int, list[Document]]], scanner: Scanner, out_dir: Path,
                include_text: bool, redactor, address: str | None = None, actors: int | None = None,
                info: dict[str, Any] | None = None) -> Iterator[ShardReport]:
    """``scan --engine ray``: scan the driver's shards in an actor pool and commit each one here.

    The documents of the shards to scan are held by the driver and put into Ray's object store
    (spilled to disk when large) before the pool starts. ``info`` receives the engine facts for
    the manifest.
    """
    todo = {sid: docs for sid, docs in shards}
    if not todo:
        return
    t0 = time.time()  # start-up: joining or starting the cluster, then the first actor's model load
    started = connect(address)
    try:
        import ray.data

        n, per_node, res = _pool(scanner, actors, len(todo))
        if info is not None:
            info.update(engine="ray", workers=n, ray_address=address or "local")
        rows = [{"shard_id": sid, "docs": pickle.dumps(docs)} for sid, docs in todo.items()]
        try:  # one block per shard, so every actor gets work
            ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        except TypeError:  # Ray < 2.10 called it parallelism
            ds = ray.data.from_items(rows, parallelism=len(rows))
        del rows
        first = True
        for row in _execute(ds, ShardActor, actor_setup(scanner, per_node), n, res, batch_size=1):
            timings, ready_at = _timings(row["timings"])
            if first:  # Ray's start-up and the (first) actor's model load, in the first report
                timings.start_workers += max(0.0, ready_at - t0)
                first = False
            sid = int(row["shard_id"])
            docs = todo.pop(sid, None)
            if docs is None:  # already committed: never write a shard twice
                continue
            results = pickle.loads(row["results"])
            commit_shard(out_dir, sid, docs, results, include_text, redactor)
            yield ShardReport(sid, len(docs), int(row["n_tokens"]), timings)
        if todo:
            raise RayEngineError(f"{len(todo)} shard(s) never came back from Ray (first: "
                                 f"{min(todo)}); run the same command again to resume")
    finally:
        if started:
            import ray

            ray.shutdown()


def scan_dataset(ds: ray.data.Dataset, out_dir: str | Path, *, text_column: str = "text",
                 id_column: str | None = None, shard_size: int = 1024, include_text: bool = False,
                 fresh: bool = False, actors: int | None = None, address: str | None = None,
                 **options: Any) -> dict:
    """Scan a column of a ``ray.data.Dataset`` into ``out_dir`` (``documents/``, ``spans/``,
    ``manifest.json``, as ``pii-scanner scan`` writes them); returns the manifest.

    ``options`` are the ``Scanner``'s (``backend``, ``precision``...); the driver loads the model
    once to pin the backend every actor runs. ``doc_id`` is ``id_column``'s value as a string, or
    the row number in dataset order. No resume: a folder holding results is refused
    (``ResumeRefused``) unless ``fresh=True``.
    """
    from .resume import OutputLock, ResumeRefused
    from .writers import completed_shards, make_output_dir, prepare_output, read_manifest, write_manifest

    out = Path(out_dir)
    schema = ds.schema(fetch_if_missing=False)  # known without running the user's pipeline, or None
    names = list(schema.names) if schema is not None else []
    missing = [c for c in (text_column, id_column) if c and names and c not in names]
    if missing:
        raise KeyError(f"no column {missing[0]!r} (columns: {', '.join(names)})")
    scanner = Scanner(ScanOptions(**options))
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    make_output_dir(out)
    with OutputLock(out):
        prepare_output(out, fresh=fresh)
        if completed_shards(out) or read_manifest(out) is not None:
            raise ResumeRefused(f"{out} holds results of another scan; use fresh=True or another folder")
        base = {"tool": "pii-scanner", "status": "running", "started": started,
                "inputs": [{"ray_dataset": True, "text_column": text_column, "id_column": id_column}],
                "options": {"shard_size": shard_size, "include_text": include_text}}
        write_manifest(out, base)
        connected = connect(address)
        try:
            n, written, timings = _write_dataset(ds, scanner, out, text_column, id_column, shard_size,
                                                 include_text, actors)
        finally:
            if connected:
                import ray

                ray.shutdown()
        manifest = _dataset_manifest(base, scanner, out, n, written, time.perf_counter() - t_start, timings)
        write_manifest(out, manifest)
    return manifest


def _write_dataset(ds: ray.data.Dataset, scanner: Scanner, out: Path, text_column: str,
                   id_column: str | None, shard_size: int, include_text: bool,
                   actors: int | None) -> tuple[int, int, Timings]:
    """Scan and commit every batch as one part, in dataset order; returns (actors, parts, timings)."""
    import pyarrow as pa
    from ray.data import DataContext

    from .writers import DOCUMENTS_DIR, SPANS_DIR, atomic_write_table, commit_shard, part_name

    ctx = getattr(ds, "context", None) or DataContext.get_current()  # a Dataset's own, where it has one
    ctx.execution_options.preserve_order = True  # part numbers and row ids in dataset order
    n, per_node, res = _pool(scanner, actors, n_shards=1 << 30)  # a Dataset's size is not known yet
    setup = actor_setup(scanner, per_node, text_column=text_column, id_column=id_column,
                        include_text=include_text)
    part = offset = 0
    timings = Timings()
    for row in _execute(ds, RowsActor, setup, n, res, batch_size=shard_size, batch_format="pyarrow"):
        docs, spans = _from_ipc(row["documents"]), _from_ipc(row["spans"])
        if id_column is None:  # batch positions -> row numbers
            docs = docs.set_column(0, "doc_id", pa.array([str(offset + i) for i in range(docs.num_rows)]))
            ids = [str(offset + int(v)) for v in spans.column("doc_id").to_pylist()]
            spans = spans.set_column(0, "doc_id", pa.array(ids, pa.string()))
        for sub, table in ((SPANS_DIR, spans), (DOCUMENTS_DIR, docs)):  # documents last: the commit
            atomic_write_table(table.cast(_schema(sub, include_text)), out / sub / part_name(part))
        timings.add(_timings(row["timings"])[0])
        offset += int(row["n_rows"])
        part += 1
    if part == 0:  # an empty dataset still gets readable (empty) tables
        commit_shard(out, 0, [], [], include_text)
        part = 1
    return n, part, timings


def _schema(sub: str, include_text: bool) -> pa.Schema:
    from .writers import DOCUMENTS_DIR, DOCUMENTS_SCHEMA, SPANS_SCHEMA, SPANS_SCHEMA_WITH_TEXT

    if sub == DOCUMENTS_DIR:
        return DOCUMENTS_SCHEMA
    return SPANS_SCHEMA_WITH_TEXT if include_text else SPANS_SCHEMA


def _dataset_manifest(base: dict, scanner: Scanner, out: Path, actors: int, parts: int,
                      seconds: float, timings: Timings) -> dict:
    from .runner import summarize_output
    from .versions import library_versions

    s = summarize_output(out)
    return {**base, "status": "complete",
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": {"id": scanner.model.id, "sha256": scanner.model.sha256},
            "backend": {**scanner.describe(), "engine": "ray", "workers": actors},
            "counts": {"documents": s.documents, "ok": s.ok, "error": s.errors, "skipped": s.skipped,
                       "spans": s.spans, "tokens": s.tokens, "parts": parts,
                       "by_reason": dict(sorted(s.reasons.items())),
                       "by_label": dict(sorted(s.labels.items())),
                       "by_tier": {str(k): v for k, v in sorted(s.tiers.items())}},
            "timings": {"wall_s": round(seconds, 3),
                        **{k: round(v, 3) if isinstance(v, float) else v
                           for k, v in asdict(timings).items()}},
            "versions": library_versions()}


__all__ = ["ActorSetup", "RayEngineError", "RowsActor", "ShardActor", "connect", "ray_available",
           "safe_scan", "scan_dataset", "scan_in_ray"]
