"""audit --state: incremental by content hash, every other result carried forward, the current state
moved atomically from one complete run to the next (a real process killed with SIGKILL), the diff.

``--no-model``: the pattern detectors find the e-mails and SSNs that move these documents' tiers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import EXIT_DOC_ERRORS, EXIT_OK, EXIT_TIER, main
from scanner.config import CONFIG_DIR

FAST = ["--no-model", "-q"]
AUDIT_ONLY = ("content_hash", "scanned_run")


def rows(n: int) -> list[dict]:
    return [{"id": f"d{i}", "text": f"ticket {i}: mail user{i}@example.com" if i % 3 == 0 else f"note {i}"}
            for i in range(n)]


def write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def audit(corpus: Path, state: Path, *extra: str) -> tuple[int, dict]:
    res = invoke("audit", str(corpus), "--state", str(state), "--shard-size", "7", "--json", *FAST, *extra)
    assert res.exit_code in (EXIT_OK, EXIT_TIER), res.output
    return res.exit_code, json.loads(res.stdout.strip().splitlines()[-1])


def current(state: Path, name: str = "documents") -> list[dict]:
    return pq.read_table(state / "current" / name).to_pylist()


def edited(items: list[dict]) -> list[dict]:
    """d1 gains an e-mail (1 -> 3), d3 loses its own (3 -> 1), d4 reworded (stays 1), d5 removed, n1 added."""
    out = [dict(r) for r in items]
    out[1]["text"] = "now write to jane@example.com"
    out[3]["text"] = "nothing sensitive any more"
    out[4]["text"] = "note 4, reworded"
    del out[5]
    return out + [{"id": "n1", "text": "SSN 078-05-1120 on file"}]


def test_a_second_audit_scans_only_new_and_changed_documents_and_matches_a_fresh_scan(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(40)), tmp_path / "state"
    _, first = audit(corpus, state)
    assert (first["scanned"], first["carried"], first["added"], first["full_reason"]) == (40, 0, 40, ["first run"])
    write(corpus, edited(rows(40)))
    _, second = audit(corpus, state)
    assert {k: second[k] for k in ("documents", "scanned", "carried", "added", "changed", "removed")} == \
        {"documents": 40, "scanned": 4, "carried": 36, "added": 1, "changed": 3, "removed": 1}
    assert second["full_rescan"] is False and second["previous_run"] == first["run_id"]
    docs = current(state)
    by_run = {d["doc_id"]: d["scanned_run"] for d in docs}
    assert {i for i, r in by_run.items() if r == second["run_id"]} == {"d1", "d3", "d4", "n1"}
    # carried rows and spans are exactly what a full scan of today's corpus writes
    out = tmp_path / "scan"
    assert invoke("scan", str(corpus), "-o", str(out), *FAST).exit_code == EXIT_OK
    fresh = pq.read_table(out / "documents").to_pylist()
    assert [{k: v for k, v in d.items() if k not in AUDIT_ONLY} for d in docs] == fresh
    assert current(state, "spans") == pq.read_table(out / "spans").to_pylist()
    assert (state / "runs" / first["run_id"] / "manifest.json").is_file()
    counted = json.loads((state / "current" / "manifest.json").read_text())["counts"]
    scanned = json.loads((out / "manifest.json").read_text())["counts"]
    assert {k: counted[k] for k in ("documents", "ok", "error", "spans", "by_tier", "by_label", "by_reason")} == \
        {k: scanned[k] for k in ("documents", "ok", "error", "spans", "by_tier", "by_label", "by_reason")}


def test_the_diff_holds_every_tier_change_and_nothing_else(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(40)), tmp_path / "state"
    audit(corpus, state)
    before = {d["doc_id"]: d["tier"] for d in current(state)}
    write(corpus, edited(rows(40)))
    _, second = audit(corpus, state)
    after = {d["doc_id"]: d["tier"] for d in current(state)}
    expected = {(i, before.get(i), after.get(i)) for i in set(before) | set(after) if before.get(i) != after.get(i)}
    assert {(m["doc_id"], m["from"], m["to"]) for m in second["tier_changes"]} == expected
    assert expected == {("d1", 1, 3), ("d3", 3, 1), ("d5", 1, None), ("n1", None, 3)}
    shown = invoke("diff", str(state))
    assert shown.exit_code == EXIT_OK
    assert "d1: tier 1 -> tier 3" in shown.stdout and "n1: - -> tier 3" in shown.stdout
    assert "d4" not in shown.stdout  # reworded, same tier, no new category: not a change
    d = json.loads(invoke("diff", str(state), "--json").stdout)
    assert d["entered"]["3"] == ["d1", "n1"] and d["left"]["3"] == ["d3"] and d["new_labels"] == {"d1": ["EMAIL"]}
    assert d["counts"]["before"]["by_tier"] == {"1": 26, "3": 14} and d["counts"]["after"]["by_tier"] == {"1": 25, "3": 15}
    again = json.loads(invoke("diff", str(state), "--runs", "00001", "00002", "--json").stdout)
    assert again["tier_changes"] == d["tier_changes"]


def test_fail_on_new_tier_only_fails_on_documents_that_entered_it(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(20)), tmp_path / "state"
    assert audit(corpus, state, "--fail-on-new-tier", "3")[0] == EXIT_TIER  # first run: all are new
    assert audit(corpus, state, "--fail-on-new-tier", "3")[0] == EXIT_OK  # nothing entered tier 3
    assert audit(corpus, state, "--fail-on-tier", "3")[0] == EXIT_TIER  # but tier-3 documents exist
    write(corpus, edited(rows(20)))
    res = invoke("audit", str(corpus), "--state", str(tmp_path / "state"), "--fail-on-new-tier", "3", *FAST)
    assert res.exit_code == EXIT_TIER and "d1, n1" in res.stderr


def _by_doc(table_rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in table_rows:
        out.setdefault(r["doc_id"], []).append(r)
    return out


def test_carried_rows_are_the_previous_rows_and_unchanged_parts_are_shared(tmp_path):
    """Carrying forward copies nothing it need not: a part none of whose documents changed is the
    previous run's file (a hard link, same bytes); in a part that changed, every carried row and span
    is the previous run's row (content hash and scanned_run included) and only the edited document
    is new."""
    corpus, state = write(tmp_path / "c.jsonl", rows(40)), tmp_path / "state"
    _, first = audit(corpus, state)
    items = rows(40)
    items[20]["text"] = "now mail bob@example.com"  # d20: part 2 of 6 (shards of 7)
    write(corpus, items)
    _, second = audit(corpus, state)
    assert (second["scanned"], second["carried"], second["tier_changes"]) == \
        (1, 39, [{"doc_id": "d20", "from": 1, "to": 3}])
    old, new = state / "runs" / first["run_id"], state / "runs" / second["run_id"]
    for sub in ("documents", "spans"):
        names = sorted(p.name for p in (new / sub).glob("part-*.parquet"))
        assert names == [f"part-{i:05d}.parquet" for i in range(6)]
        shared = [n for n in names if (new / sub / n).stat().st_ino == (old / sub / n).stat().st_ino]
        assert shared == [n for n in names if n != "part-00002.parquet"]
        assert oct((new / sub / "part-00002.parquet").stat().st_mode & 0o777) == "0o600"
    before_docs = {d["doc_id"]: d for d in pq.read_table(old / "documents").to_pylist()}
    after_docs = pq.read_table(new / "documents").to_pylist()
    assert [d["doc_id"] for d in after_docs] == [r["id"] for r in items]
    moved = [d for d in after_docs if d != before_docs[d["doc_id"]]]
    assert [d["doc_id"] for d in moved] == ["d20"] and moved[0]["scanned_run"] == second["run_id"]
    before_spans = _by_doc(pq.read_table(old / "spans").to_pylist())
    after_spans = _by_doc(pq.read_table(new / "spans").to_pylist())
    assert {d for d in set(before_spans) | set(after_spans) if before_spans.get(d) != after_spans.get(d)} == {"d20"}
    # and a third run with nothing changed shares every part
    _, third = audit(corpus, state)
    assert third["scanned"] == 0
    last = state / "runs" / third["run_id"]
    for sub in ("documents", "spans"):
        assert all((last / sub / p.name).stat().st_ino == p.stat().st_ino for p in (new / sub).glob("part-*"))


def test_a_failed_part_write_fails_the_run_and_current_stays(tmp_path, monkeypatch):
    """Parts are written in a background thread: its error is the run's error, and no manifest or
    ``current`` swap follows."""
    import scanner.audit as audit_mod
    from scanner.audit import AuditOptions, current_run, run_audit
    from scanner.pipeline import ScanOptions

    corpus, state = write(tmp_path / "c.jsonl", rows(30)), tmp_path / "state"
    _, first = audit(corpus, state)
    write(corpus, edited(rows(30)))
    calls = []
    real = audit_mod.atomic_write_table

    def flaky(table, path, **kw):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(table, path, **kw)

    monkeypatch.setattr(audit_mod, "atomic_write_table", flaky)
    opts = AuditOptions(inputs=[str(corpus)], state_dir=str(state), shard_size=7,
                        scan=ScanOptions(use_model=False))
    with pytest.raises(OSError, match="No space left"):
        run_audit(opts)
    assert current_run(state) == first["run_id"]
    monkeypatch.setattr(audit_mod, "atomic_write_table", real)
    _, second = audit(corpus, state)
    assert second["previous_run"] == first["run_id"] and second["scanned"] == 4


def test_every_part_is_fsynced_before_the_manifest_and_a_failed_fsync_fails_the_run(tmp_path, monkeypatch):
    """Parts are renamed into place unsynced and fsynced together later: all of them (and their
    folders) before the manifest is written; an fsync error is the run's error and ``current`` stays."""
    import scanner.audit as audit_mod
    import scanner.carry as carry_mod
    from scanner.audit import AuditOptions, current_run, run_audit
    from scanner.pipeline import ScanOptions

    corpus, state = write(tmp_path / "c.jsonl", rows(30)), tmp_path / "state"
    _, first = audit(corpus, state)
    write(corpus, edited(rows(30)))
    synced, dirs, at_manifest = [], [], []
    real_fsync, real_dir, real_manifest = carry_mod.fsync_file, carry_mod._fsync_dir, audit_mod.write_manifest
    monkeypatch.setattr(carry_mod, "fsync_file", lambda p: (synced.append(Path(p)), real_fsync(p)))
    monkeypatch.setattr(carry_mod, "_fsync_dir", lambda p: (dirs.append(Path(p)), real_dir(p)))

    def manifest(folder, m):
        at_manifest.append((sorted((Path(folder) / "documents").glob("*")) + sorted((Path(folder) / "spans").glob("*")),
                            list(synced), list(dirs)))
        real_manifest(folder, m)

    monkeypatch.setattr(audit_mod, "write_manifest", manifest)
    opts = AuditOptions(inputs=[str(corpus)], state_dir=str(state), shard_size=7, scan=ScanOptions(use_model=False))
    run_audit(opts)
    (files, synced_then, dirs_then), = at_manifest
    assert len(files) == 10 and not [f for f in files if f.name.startswith(".")]  # 5 shards, no temp files
    assert set(files) <= set(synced_then)  # every part rewritten (d5 removed: later shards shift) and fsynced
    assert {f.parent for f in files} <= set(dirs_then)
    assert current_run(state) != first["run_id"]

    calls = []

    def failing(p):
        calls.append(p)
        if len(calls) == 3:
            raise OSError(5, "Input/output error")
        real_fsync(p)

    monkeypatch.setattr(carry_mod, "fsync_file", failing)
    before = current_run(state)
    write(corpus, rows(30))
    with pytest.raises(OSError, match="Input/output error"):
        run_audit(opts)
    assert current_run(state) == before


def test_changed_settings_rescan_everything_and_say_why(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(10)), tmp_path / "state"
    audit(corpus, state)
    policy = tmp_path / "p.yaml"
    policy.write_text((CONFIG_DIR / "policy.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _, res = audit(corpus, state, "--policy", str(policy))
    assert res["scanned"] == 10 and res["full_reason"] == ["the policy file (--policy) changed"]
    assert res["tier_changes"] == []
    _, res = audit(corpus, state, "--policy", str(policy))
    assert (res["scanned"], res["carried"]) == (0, 10)
    _, res = audit(corpus, state, "--policy", str(policy), "--full")
    assert (res["scanned"], res["full_reason"]) == (10, ["--full"])


def _wait_for(cond, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not cond():
        assert proc.poll() is None, f"audit ended (rc={proc.returncode}) before {what}: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_kill_9_mid_run_leaves_the_last_complete_run_current_and_a_rerun_completes(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(30)), tmp_path / "state"
    _, first = audit(corpus, state)
    before_docs, before_spans = current(state), current(state, "spans")
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "scanner", "audit", str(fifo), "--state", str(state),
                             "--shard-size", "1", *FAST], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    opened: list = []
    threading.Thread(target=lambda: opened.append(open(fifo, "w")), daemon=True).start()
    try:
        _wait_for(lambda: opened, proc, "the audit opened its input")
        opened[0].write("".join(json.dumps(r) + "\n" for r in edited(rows(30))[:12]))
        opened[0].flush()
        parts = lambda: [p for p in (state / "runs").glob("*/documents/part-*.parquet") if first["run_id"] not in str(p)]
        _wait_for(lambda: len(parts()) >= 3, proc, "the second run wrote parts")  # mid-run, with the model loaded
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    finally:
        proc.kill()
        if opened and not opened[0].closed:
            try:
                opened[0].close()
            except BrokenPipeError:
                pass
    assert os.readlink(state / "current") == f"runs/{first['run_id']}"
    assert current(state) == before_docs and current(state, "spans") == before_spans
    # A run killed after its manifest but before the swap left a complete folder past current: never used.
    stray = state / "runs" / "00002-29991231T000000Z"
    shutil.copytree(state / "runs" / first["run_id"], stray)
    write(corpus, edited(rows(30)))
    _, second = audit(corpus, state)
    assert second["previous_run"] == first["run_id"] and second["run_id"].startswith("00002-")
    assert not stray.exists() and sorted(p.name for p in (state / "runs").iterdir()) == [first["run_id"], second["run_id"]]
    assert (second["scanned"], second["removed"]) == (4, 1)
    assert os.readlink(state / "current") == f"runs/{second['run_id']}"


def test_a_sampled_audit_reports_estimates_and_a_new_sample_rescans(tmp_path):
    corpus, state = write(tmp_path / "c.jsonl", rows(60)), tmp_path / "state"
    _, res = audit(corpus, state, "--sample", "50%")
    assert res["documents"] == res["sample"]["sampled"] and 15 < res["documents"] < 45
    assert res["sample"]["population"] == 60 and set(res["sample"]["estimates"]) <= {"1", "3"}
    _, res = audit(corpus, state, "--sample", "50%", "--seed", "1")
    assert res["full_reason"] == ["--sample/--seed changed"]


def test_columnar_counts_are_the_per_document_counts(tmp_path):
    """The diff's and manifest's counts are added up from columns; they equal the per-document sums,
    on whole tables and on slices and takes of them (offsets), error rows (no tier) included."""
    import numpy as np
    import pyarrow as pa

    from scanner.diff import STATE_COLUMNS, counts, finish_counts, load_states, states_from_rows, table_counts

    items = rows(40) + [{"id": "bad", "text": 12345}, {"id": "ssn", "text": "SSN 078-05-1120, bob@example.com"}]
    corpus, state = write(tmp_path / "c.jsonl", items), tmp_path / "state"
    res = invoke("audit", str(corpus), "--state", str(state), "--shard-size", "7", *FAST)
    assert res.exit_code == EXIT_DOC_ERRORS, res.output  # a document could not be scanned (the number)
    folder = state / "current" / "documents"
    table = pa.concat_tables(pq.read_table(p) for p in sorted(folder.glob("part-*.parquet")))
    whole = counts(load_states(folder))
    assert whole["by_tier"].get("not scanned") == 1 and whole["by_label"]
    assert finish_counts(*table_counts(table)) == whole
    for part in (table.slice(5, 17), table.take(np.array([41, 3, 0, 40, 9])), table.slice(0, 0)):
        assert finish_counts(*table_counts(part)) == counts(states_from_rows(part.select(STATE_COLUMNS).to_pydict()))


def test_an_incremental_run_reads_in_a_forked_process_and_its_errors_are_the_runs(tmp_path, monkeypatch):
    """JSONL, incremental: read and hashed in a child process (``audit_read.ReadApart``), with the same
    results as a run read in a thread; an error there, or the child dying, fails the run, current stays."""
    import scanner.audit_read as read_mod
    from scanner.audit import AuditOptions, current_run, run_audit
    from scanner.errors import WorkerError
    from scanner.pipeline import ScanOptions
    from scanner.readers import plan_inputs

    corpus, state = write(tmp_path / "c.jsonl", rows(30)), tmp_path / "state"
    _, first = audit(corpus, state)
    plan = plan_inputs([str(corpus)])
    assert read_mod.read_apart_possible(plan, sampled=False, full=False)
    assert not read_mod.read_apart_possible(plan, sampled=False, full=True)
    assert not read_mod.read_apart_possible(plan, sampled=True, full=False)
    assert not read_mod.read_apart_possible(plan_inputs([str(tmp_path)], exclude=[state]), sampled=False, full=False)
    write(corpus, edited(rows(30)))
    opts = AuditOptions(inputs=[str(corpus)], state_dir=str(state), shard_size=7, scan=ScanOptions(use_model=False))
    real = read_mod.content_hash
    parent = os.getpid()

    def failing(doc):  # runs in the child (forked after the patch)
        if os.getpid() != parent and doc.doc_id == "d20":
            raise ValueError("cannot hash d20")
        return real(doc)

    monkeypatch.setattr(read_mod, "content_hash", failing)
    with pytest.raises(ValueError, match="cannot hash d20"):
        run_audit(opts)
    assert current_run(state) == first["run_id"]

    def dying(doc):
        if os.getpid() != parent and doc.doc_id == "d20":
            os._exit(9)
        return real(doc)

    monkeypatch.setattr(read_mod, "content_hash", dying)
    with pytest.raises(WorkerError, match="exit code 9"):
        run_audit(opts)
    assert current_run(state) == first["run_id"]

    monkeypatch.setattr(read_mod, "content_hash", real)
    copy = tmp_path / "state-copy"
    shutil.copytree(state, copy, symlinks=True)
    apart, _ = run_audit(opts)
    monkeypatch.setattr(read_mod, "read_apart_possible", lambda *a: False)
    in_thread, _ = run_audit(AuditOptions(inputs=[str(corpus)], state_dir=str(copy), shard_size=7,
                                          scan=ScanOptions(use_model=False)))
    assert apart["counts"] == in_thread["counts"] and apart["counts"]["scanned"] == 4
    for sub in ("documents", "spans"):
        a, b = pq.read_table(state / "current" / sub), pq.read_table(copy / "current" / sub)
        assert a.schema == b.schema and a.drop_columns([c for c in AUDIT_ONLY if c in a.column_names]).equals(
            b.drop_columns([c for c in AUDIT_ONLY if c in b.column_names]))
        if sub == "documents":
            assert a.column("content_hash").equals(b.column("content_hash"))


@pytest.mark.parametrize("how", ["jsonl", "folder"])  # the forked reader, and the in-thread reader
def test_the_same_documents_under_a_new_file_name_are_carried_with_the_new_source(tmp_path, how):
    """A nightly dump under a dated name changes no document: nothing is rescanned, and every carried
    row names the file it was read from this time (so its parts are rewritten, not linked)."""
    items = rows(30)
    state = tmp_path / "state"
    if how == "jsonl":
        first_in, second_in = write(tmp_path / "dump-1.jsonl", items), tmp_path / "dump-2.jsonl"
    else:
        (tmp_path / "in-1").mkdir()
        first_in, second_in = write(tmp_path / "in-1" / "c.jsonl", items).parent, tmp_path / "in-2"
    _, first = audit(first_in, state)
    before = current(state)
    first_in.rename(second_in)
    _, second = audit(second_in, state)
    assert (second["scanned"], second["carried"], second["tier_changes"]) == (0, 30, [])
    after = current(state)
    assert {d["source"] for d in after} == {str(second_in if how == "jsonl" else second_in / "c.jsonl")}
    strip = ("source",)
    assert [{k: v for k, v in d.items() if k not in strip} for d in after] == \
        [{k: v for k, v in d.items() if k not in strip} for d in before]
    assert current(state, "spans") == pq.read_table(state / "runs" / first["run_id"] / "spans").to_pylist()
