"""Nightly audits: a state folder that follows a corpus from run to run, scanning only what changed.

Layout::

    STATE/current -> runs/<run_id>       symlink to the last complete run, swapped atomically
    STATE/runs/<run_id>/documents/       the whole corpus as of that run: the scan's columns plus
    STATE/runs/<run_id>/spans/           content_hash and scanned_run (the run that last scanned it)
    STATE/runs/<run_id>/manifest.json    inputs, settings, counts, timings
    STATE/runs/<run_id>/diff.json        what changed against the previous run (``diff.py``)

Why: a run writes its own folder completely (atomic, fsynced parts from ``writers``), then its
manifest, and only then moves ``current`` with one ``rename`` of a symlink. A run killed at any moment
leaves ``current`` on the previous complete run; the next run removes the debris. Documents whose
content hash (``resume.content_hash``: id, text and status, not the file name) is unchanged are carried forward
row for row; everything is rescanned when the settings a result depends on differ (named in the
manifest's ``full_reason``). ``run_id`` starts with a sequence number, so runs sort in order.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .audit_read import shards, to_scan
from .carry import PartWriter, Previous, carried_rows, link_part, shard_tables
from .diff import STATE_COLUMNS, DocState, compute_diff, diff_of, finish_counts, states_from_rows, table_counts
from .pipeline import Scanner, ScanOptions
from .readers import InputPlan, plan_inputs
from .resume import OutputLock, settings_differ
from .runner import RunOptions, RunSummary, _versions, reason_key, run_settings, sampled_documents
from .sample import SampleSpec, sample_report
from .writers import (
    DOCUMENTS_DIR,
    SPANS_DIR,
    _fsync_dir,
    _make_dir,
    atomic_write_bytes,
    atomic_write_table,
    make_output_dir,
    part_name,
    read_manifest,
    write_manifest,
)

RUNS = "runs"
CURRENT = "current"
DIFF = "diff.json"
# Settings that change which documents exist, not what a document's result is: not a rescan reason.
_NOT_RESULT_SETTINGS = ("inputs", "shard_size", "include_text", "redact")


@dataclass
class AuditOptions:
    inputs: list[str]
    state_dir: str
    text_column: str = "text"
    id_column: str = "id"
    require_id: bool = False
    fmt: str | None = None
    shard_size: int = 1024
    full: bool = False
    sample: SampleSpec | None = None
    keep_runs: int = 3  # runs whose tables are kept (diff --runs); manifests and diffs are always kept
    scan: ScanOptions = field(default_factory=ScanOptions)


def current_run(state: Path) -> str | None:
    """The id of the last complete run, None before the first."""
    try:
        return Path(os.readlink(Path(state) / CURRENT)).name
    except FileNotFoundError:
        return None


def run_ids(state: Path) -> list[str]:
    """Complete runs up to ``current``, oldest first."""
    cur = current_run(state)
    if cur is None:
        return []
    runs = sorted(p.name for p in (Path(state) / RUNS).iterdir() if p.is_dir())
    return [r for r in runs if r <= cur and (read_manifest(Path(state) / RUNS / r) or {}).get("status") == "complete"]


def _clean_debris(state: Path) -> None:
    """Remove what a killed run left: run folders after ``current`` and a half-made symlink."""
    (state / f".{CURRENT}.tmp").unlink(missing_ok=True)
    cur = current_run(state) or ""
    for p in (state / RUNS).iterdir():
        if p.is_dir() and p.name > cur:
            shutil.rmtree(p)


def _next_id(state: Path) -> str:
    cur = current_run(state)
    seq = int(cur.split("-", 1)[0]) + 1 if cur else 1
    return f"{seq:05d}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def _swap_current(state: Path, run_id: str) -> None:
    """Point ``current`` at the new run in one rename: readers see the old run or the new, never both."""
    tmp = state / f".{CURRENT}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(f"{RUNS}/{run_id}", tmp)
    os.replace(tmp, state / CURRENT)
    _fsync_dir(state)


def _load_previous(state: Path, spans: bool = True) -> Previous:
    """The last complete run's tables (``carry.Previous``; ``spans=False``: ``Previous.load``); empty
    before the first run."""
    run_id = current_run(state)
    if run_id is None:
        return Previous()
    folder = state / RUNS / run_id
    return Previous.load(folder, run_id, (read_manifest(folder) or {}).get("settings"), spans)


def audit_settings(opts: AuditOptions, scanner: Scanner, plan: InputPlan) -> dict:
    """What a document's result depends on besides its content (``runner.run_settings`` less the
    settings that only change which documents there are)."""
    ro = RunOptions(inputs=opts.inputs, out_dir=opts.state_dir, text_column=opts.text_column,
                    id_column=opts.id_column, fmt=opts.fmt, sample=opts.sample, scan=opts.scan)
    settings = run_settings(ro, scanner, plan.info)
    return {k: v for k, v in settings.items() if k not in _NOT_RESULT_SETTINGS}


@dataclass
class _Tally:
    """What the manifest and the diff need from the rows written, added up per shard from the tables'
    columns: no Python object per carried document."""

    scanned: int = 0
    carried: int = 0
    tokens: int = 0
    changed: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # every document of this run, in order
    fresh: dict[str, DocState] = field(default_factory=dict)  # the states of the documents scanned
    statuses: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)  # keys as ``diff.counts``: "3", "not scanned"
    categories: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    scan_s: float = 0.0
    write_s: float = 0.0
    problems: Counter[str] = field(default_factory=Counter)  # "status: reason" -> documents not scanned
    all_tokens: int = 0

    def count(self, docs: pa.Table, new_docs: pa.Table | None) -> None:
        """What the manifest counts, from the rows just written (no second read of the tables);
        ``new_docs``: the scanned rows among them."""
        self.ids += docs.column("doc_id").to_pylist()
        if new_docs is not None and new_docs.num_rows:
            self.fresh.update(states_from_rows(new_docs.select(STATE_COLUMNS).to_pydict()))
        tiers, cats, labels = table_counts(docs)
        self.tiers.update(tiers)
        self.categories.update(cats)
        self.labels.update(labels)
        self.statuses.update({r["values"]: r["counts"] for r in pc.value_counts(docs.column("status")).to_pylist()})
        self.all_tokens += pc.sum(docs.column("n_tokens")).as_py() or 0
        bad = docs.filter(pc.not_equal(docs.column("status"), "ok")).select(["status", "error"]).to_pydict()
        self.problems.update(f"{st}: {reason_key(e)}" for st, e in zip(bad["status"], bad["error"]))

    def counts(self) -> dict:
        return finish_counts(self.tiers, self.categories, self.labels)

    def summary(self) -> RunSummary:
        s = RunSummary(documents=len(self.ids), tokens=self.all_tokens, reasons=dict(self.problems))
        s.ok, s.errors, s.skipped = self.statuses["ok"], self.statuses["error"], self.statuses["skipped"]
        s.tiers = {int(k): n for k, n in sorted(self.tiers.items()) if k != "not scanned"}
        s.labels = dict(self.labels)
        s.spans = sum(self.labels.values())
        s.max_tier = max(s.tiers, default=0)
        return s


def _diff(prev: Previous, tally: _Tally) -> dict:
    """The diff against the previous run, looking only at the documents scanned or removed."""
    before, after = set(prev.index), set(tally.ids)
    old = prev.states_of([d for d in tally.fresh if d in prev.index] + sorted(before - after))
    return diff_of(before, after, old, tally.fresh, prev.counts(), tally.counts(), tally.changed)


def _audit_shard(sid: int, ids: list[str], hashes: list[str], sources: list[str], shard, scanner: Scanner,
                 prev: Previous, full: bool, folder: Path, run_id: str, tally: _Tally,
                 writer: PartWriter) -> tuple[int, int]:
    """Scan what changed in one shard (``ids``, ``hashes``, ``sources``: each document's id, content hash
    and source; ``shard[i]``: the document at position ``i``, for every position to scan), carry the
    rest (with this run's sources), hand both parts to ``writer``; returns (docs, tokens)."""
    todo, changed = to_scan(ids, hashes, prev.index, prev.hashes, full)
    tally.changed += changed
    t0 = time.perf_counter()
    scanned = [shard[i] for i in todo]
    results = scanner.scan_shard(scanned) if todo else []
    t1 = time.perf_counter()
    name = part_name(sid)
    rows = carried_rows(ids, list(range(len(ids))), prev) if not todo else None
    same = prev.same_part(sid, rows, sources) if rows is not None else None
    new_docs = None
    if same is not None:  # nothing changed in this part: the new run shares the previous files
        docs = prev.docs.take(rows)
        writer.submit(_link_parts, writer, same, folder, name)
    else:
        docs, spans, new_docs = shard_tables(ids, scanned, hashes, sources, todo, results, prev, run_id)
        writer.submit(_write_parts, writer, docs, spans, folder, name)
    tally.write_s += time.perf_counter() - t1
    tally.scan_s += t1 - t0
    tally.count(docs, new_docs)
    tally.scanned += len(todo)
    tally.carried += len(ids) - len(todo)
    tokens = sum(r.n_tokens for r in results)
    tally.tokens += tokens
    return len(ids), tokens


def _write_parts(writer: PartWriter, docs: pa.Table, spans: pa.Table, folder: Path, name: str) -> None:
    """Both parts in place (atomic renames); durable once ``writer.wait`` returns."""
    for table, sub in ((spans, SPANS_DIR), (docs, DOCUMENTS_DIR)):
        atomic_write_table(table, folder / sub / name, sync=False)
        writer.durable_later(folder / sub / name)


def _link_parts(writer: PartWriter, files: tuple[Path, Path], folder: Path, name: str) -> None:
    link_part(files[1], folder / SPANS_DIR / name)
    link_part(files[0], folder / DOCUMENTS_DIR / name)
    writer.folders.update((folder / SPANS_DIR, folder / DOCUMENTS_DIR))  # the links: a folder fsync each


def _full_reason(opts: AuditOptions, prev: Previous, settings: dict) -> list[str]:
    """Why every document is scanned this time (empty: only new and changed ones are)."""
    if prev.run_id is None:
        return ["first run"]
    if opts.full:
        return ["--full"]
    differ = settings_differ(prev.settings, settings)
    return [f"{name} changed" for name in differ]


def run_audit(opts: AuditOptions, scanner: Scanner | None = None,
              on_progress: Callable[[int, int], None] | None = None, plan: InputPlan | None = None,
              model_load_s: float = 0.0) -> tuple[dict, dict]:
    """One audit run into ``opts.state_dir``; returns (manifest, diff). Raises ``OutputBusy`` when
    another audit holds the state folder."""
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    state = Path(opts.state_dir)
    if plan is None:
        plan = plan_inputs(opts.inputs, opts.text_column, opts.id_column, opts.fmt,
                           require_id=opts.require_id, exclude=[state])
    scanner = scanner or Scanner(opts.scan)
    make_output_dir(state)
    with OutputLock(state):
        _make_dir(state / RUNS)
        _clean_debris(state)
        prev = _load_previous(state, spans=False)  # the spans once the input is being read
        settings = audit_settings(opts, scanner, plan)
        full_reason = _full_reason(opts, prev, settings)
        run_id = _next_id(state)
        folder = state / RUNS / run_id
        for sub in ("", DOCUMENTS_DIR, SPANS_DIR):  # the run folder first: 0700 like the rest
            _make_dir(folder / sub)
        tally = _Tally()
        docs, sampler = sampled_documents(plan, opts.sample)
        n_shards = 0
        # Reading and hashing happen beside the scan: in a forked process for an incremental run of plain
        # files, else in a thread (``audit_read``). Started before the writer's threads exist.
        # Parts are written in a background thread; every one is on disk when the block ends.
        with shards(plan, docs, opts.shard_size, prev, sampler is not None, bool(full_reason)) as source, \
                PartWriter() as writer:
            prev.load_spans()  # while the first shards are read
            for sid, ids, hashes, sources, shard in source:
                n_docs, n_tokens = _audit_shard(sid, ids, hashes, sources, shard, scanner, prev, bool(full_reason),
                                                folder, run_id, tally, writer)
                n_shards += 1
                if on_progress:
                    on_progress(n_docs, n_tokens)
            if n_shards == 0:  # an empty corpus still gets readable (empty) tables
                _audit_shard(0, [], [], [], [], scanner, prev, True, folder, run_id, tally, writer)
            t_wait = time.perf_counter()
        tally.write_s += time.perf_counter() - t_wait
        diff = _diff(prev, tally)
        diff.update({"run_id": run_id, "previous_run": prev.run_id})
        atomic_write_bytes((json.dumps(diff, indent=1) + "\n").encode(), folder / DIFF)
        manifest = _manifest(opts, scanner, plan, settings, full_reason, prev, run_id, folder, tally, diff,
                             sampler, started, {"model_load_s": model_load_s, "t_start": t_start})
        write_manifest(folder, manifest)  # the run is complete on disk ...
        _swap_current(state, run_id)  # ... before it becomes current
        _prune(state, opts.keep_runs)
    return manifest, diff


def _manifest(opts: AuditOptions, scanner: Scanner, plan: InputPlan, settings: dict, full_reason: list[str],
              prev: Previous, run_id: str, folder: Path, tally: _Tally, diff: dict, sampler, started: str,
              clock: dict) -> dict:
    s = tally.summary()
    counts = {"documents": s.documents, "scanned": tally.scanned, "carried": tally.carried,
              "added": len(diff["added"]), "changed": len(tally.changed), "removed": len(diff["removed"]),
              "ok": s.ok, "error": s.errors, "skipped": s.skipped, "spans": s.spans,
              "tokens_scanned": tally.tokens, "by_tier": {str(k): v for k, v in sorted(s.tiers.items())},
              "by_category": diff["counts"]["after"]["by_category"],
              "by_label": dict(sorted(s.labels.items())), "by_reason": dict(sorted(s.reasons.items()))}
    sample = sample_report(opts.sample, sampler, s.tiers, s.errors) if sampler is not None else None
    return {"tool": "pii-scanner", "kind": "audit", "status": "complete", "run_id": run_id,
            "previous_run": prev.run_id, "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "inputs": plan.info, "settings": settings, "full_rescan": bool(full_reason),
            "full_reason": full_reason, "counts": counts, "sample": sample,
            "model": {"id": scanner.model.id, "sha256": scanner.model.sha256},
            "backend": scanner.describe(),
            "timings": {"wall_s": round(time.perf_counter() - clock["t_start"], 3),
                        "model_load_s": round(clock["model_load_s"], 3), "scan_s": round(tally.scan_s, 3),
                        "write_s": round(tally.write_s, 3)},
            "versions": _versions()}


def _prune(state: Path, keep: int) -> None:
    """Drop the tables of runs older than the last ``keep`` (their manifest and diff stay: the trend)."""
    for run_id in run_ids(state)[:-max(keep, 1)]:
        for sub in (DOCUMENTS_DIR, SPANS_DIR):
            shutil.rmtree(state / RUNS / run_id / sub, ignore_errors=True)


def resolve_run(state: Path, name: str) -> str:
    """A run by its id or a unique prefix of it (``00003``); ValueError naming the runs otherwise."""
    runs = run_ids(state)
    hits = [r for r in runs if r == name] or [r for r in runs if r.startswith(name)]
    if len(hits) != 1:
        raise ValueError(f"{state}: no single run matches '{name}' (runs: {', '.join(runs) or 'none'})")
    return hits[0]


def diff_runs(state: Path, a: str | None = None, b: str | None = None) -> dict:
    """Run ``b`` against run ``a``; by default the current run's stored diff (against its previous)."""
    state = Path(state)
    if a is None:
        cur = current_run(state)
        if cur is None:
            raise ValueError(f"{state}: not an audit state folder (no complete run)")
        return json.loads((state / RUNS / cur / DIFF).read_text(encoding="utf-8"))
    a, b = resolve_run(state, a), resolve_run(state, b or "")
    tables = [state / RUNS / r / DOCUMENTS_DIR for r in (a, b)]
    for r, t in zip((a, b), tables):
        if not t.is_dir():
            raise ValueError(f"{state}: the tables of run {r} were pruned (--keep-runs); its diff.json is kept")
    from .diff import load_states

    diff = compute_diff(load_states(tables[0]), load_states(tables[1]))
    diff.update({"run_id": b, "previous_run": a})
    return diff
