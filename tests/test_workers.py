"""Worker processes (``scan --workers N``): real spawned processes with the real model.

The contract: N workers write exactly what one process writes (documents, spans, redacted texts),
resume the same way, and a dead worker ends the run with a clear error while committed shards stay.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from held_input import HeldInput

from scanner.cli import EXIT_FATAL, EXIT_USAGE, main
from scanner.redaction import KEY_ENV

NAMES = ["Ana Kowalska", "Bo Lindqvist", "Chen Wei", "Dara O'Neill", "Emil Varga", "Fatima Haddad"]


def _corpus(path: Path, n: int) -> Path:
    """Short support tickets with names, emails, phones and cards; one row has no text."""
    path.write_text("".join(_lines(n)), encoding="utf-8")
    return path


def _lines(n: int) -> list[str]:
    rows = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        first = name.split()[0].lower()
        text = [f"Ticket {i}: {name} wrote from {first}.{i}@example.org about invoice {1000 + i}.",
                f"Ticket {i}: printer on floor {i % 9} is jammed again.",
                f"Ticket {i}: call {name} on +44 20 7946 {i % 10000:04d}; card 4111 1111 1111 1111.",
                ][i % 3]
        rows.append({"id": f"t{i:04d}", "text": text})
    if n > 7:
        rows[7] = {"id": "t0007", "text": None}  # a per-document error row, whatever the worker count
    return [json.dumps(r) + "\n" for r in rows]


def _scan(*args: str, env: dict | None = None):
    res = CliRunner().invoke(main, ["scan", *args, "-q"], env=env)
    return res


def _table(out: Path, sub: str) -> list[dict]:
    rows = pq.read_table(out / sub).to_pylist()
    key = (lambda r: (r["doc_id"], r["start"], r["end"], r["label"])) if sub == "spans" else (
        lambda r: r["doc_id"])
    return sorted(rows, key=key)


ENV = {KEY_ENV: "k" * 32}


def _scan_redacted(corpus: Path, out: Path, workers: int) -> None:
    """150 documents in 10 shards with pseudonym redaction; the text-less row is a document error."""
    res = _scan(str(corpus), "-o", str(out), "--shard-size", "15", "--redact", "pseudonym",
                "--workers", str(workers), env=ENV)
    assert res.exit_code == 3, res.output


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The one-process scan every worker run must reproduce."""
    root = tmp_path_factory.mktemp("workers")
    corpus = _corpus(root / "corpus.jsonl", 150)
    _scan_redacted(corpus, root / "one", workers=1)
    return corpus, root / "one"


@pytest.fixture(scope="module")
def two_workers(reference, tmp_path_factory):
    """The same scan in two worker processes."""
    corpus, _ = reference
    out = tmp_path_factory.mktemp("workers2") / "two"
    _scan_redacted(corpus, out, workers=2)
    return out


@pytest.mark.slow
def test_two_workers_write_exactly_what_one_process_writes(reference, two_workers):
    corpus, one = reference
    out = two_workers
    for sub in ("documents", "spans", "redacted"):
        assert _table(out, sub) == _table(one, sub), sub
    docs = _table(out, "documents")
    assert len(docs) == 150 and sum(d["status"] == "error" for d in docs) == 1
    assert any(s["label"] == "EMAIL" for s in _table(out, "spans"))
    manifest = json.loads((out / "manifest.json").read_text())
    ref = json.loads((one / "manifest.json").read_text())
    assert manifest["backend"]["workers"] == 2 and ref["backend"]["workers"] == 1
    assert manifest["counts"] == ref["counts"]
    # The workers' stage timings are collected into the parent's manifest.
    assert manifest["timings"]["tokens"] == ref["timings"]["tokens"] > 0
    assert len(list((out / "documents").glob("part-*.parquet"))) == 10


@pytest.mark.slow
def test_workers_redact_byte_for_byte_as_one_process(reference, two_workers):
    """Each worker builds its redactor as the parent does (``redaction.build_redactor``, the pseudonym key
    from the inherited environment): every redacted part file is the same bytes."""
    _, one = reference
    parts = sorted(p.name for p in (one / "redacted").glob("part-*.parquet"))
    assert len(parts) == 10
    assert sorted(p.name for p in (two_workers / "redacted").glob("part-*.parquet")) == parts
    for name in parts:
        assert (two_workers / "redacted" / name).read_bytes() == (one / "redacted" / name).read_bytes(), name
    texts = [t for t in pq.read_table(one / "redacted")["text"].to_pylist() if t]
    assert any(re.search(r"EMAIL_[0-9a-f]{8}", t) for t in texts)  # pseudonyms, keyed: the key was read
    assert not any("@example.org" in t for t in texts)


@pytest.mark.slow
def test_workers_resume_a_partial_output(reference, tmp_path):
    corpus, one = reference
    out = tmp_path / "resumed"
    _scan_redacted(corpus, out, workers=2)
    for shard in (3, 8):  # as if the run had been killed before these shards committed
        (out / "documents" / f"part-{shard:05d}.parquet").unlink()
    _scan_redacted(corpus, out, workers=2)
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert (counts["shards_written"], counts["shards_resumed"]) == (2, 8)
    for sub in ("documents", "spans", "redacted"):
        assert _table(out, sub) == _table(one, sub), sub


@pytest.mark.slow
@pytest.mark.parametrize("n_docs, shard, expect", [(12, 1024, 1), (30, 10, 3)])
def test_no_more_worker_processes_than_shards(tmp_path, n_docs, shard, expect):
    corpus = _corpus(tmp_path / "c.jsonl", n_docs)
    out = tmp_path / "out"
    res = _scan(str(corpus), "-o", str(out), "--workers", "4", "--shard-size", str(shard))
    assert res.exit_code == 3, res.output
    assert json.loads((out / "manifest.json").read_text())["backend"]["workers"] == expect
    assert pq.read_table(out / "documents").num_rows == n_docs


@pytest.mark.parametrize("bad", ["0", "-2", "many"])
def test_bad_worker_count_is_a_usage_error(tmp_path, bad):
    corpus = _corpus(tmp_path / "c.jsonl", 9)
    res = _scan(str(corpus), "-o", str(tmp_path / "out"), "--workers", bad)
    assert res.exit_code == EXIT_USAGE
    assert "--workers" in res.output


def test_auto_is_one_process_on_a_cpu(scanner):
    from scanner.workers import default_workers

    assert scanner.backend.device == "cpu"
    assert default_workers(scanner) == 1


def test_workers_run_the_backend_the_parent_chose(scanner):
    from scanner.backends.base import physical_cores
    from scanner.workers import worker_scan_options

    opts = worker_scan_options(scanner, 2)
    assert (opts.backend, opts.device, opts.precision) == ("torch", "cpu", "fp32")
    assert opts.strict_backend  # a worker never falls back to something else than the parent
    assert opts.threads == max(1, physical_cores() // 2)
    assert opts.token_budget == scanner.token_budget


@pytest.mark.slow
def test_a_worker_that_cannot_start_fails_the_run_before_any_shard(tmp_path):
    """The rules file changes between the parent's check and the workers' start: one clear error."""
    import shutil

    from scanner.pipeline import Scanner, ScanOptions
    from scanner.rules import load_rules_config
    from scanner.runner import RunOptions, run_scan
    from scanner.workers import WorkerError

    rules = tmp_path / "detectors.yaml"
    shutil.copy(load_rules_config(None).path, rules)
    opts = ScanOptions(backend="onnx", device="cpu", rules_config=rules)
    parent = Scanner(opts)
    rules.write_text(rules.read_text() + "\nno_such_key: 1\n")
    corpus = _corpus(tmp_path / "c.jsonl", 40)
    out = tmp_path / "out"
    with pytest.raises(WorkerError, match="could not start: .*no_such_key"):
        run_scan(RunOptions(inputs=[str(corpus)], out_dir=str(out), shard_size=10, workers=2,
                            scan=opts), scanner=parent)
    assert not list((out / "documents").glob("part-*.parquet"))


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("pii-scanner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "scanner"]


TOTAL, HELD = 120, 60  # documents: the whole corpus, and what the held pipe gives the first run


def _held_scan(tmp_path: Path, **popen) -> tuple[HeldInput, list[str], Path, subprocess.Popen]:
    """A two-worker scan of a named pipe holding HELD of TOTAL documents and then no end: it cannot
    finish, so whatever the test does to it lands mid-run on any machine. Returns once a shard is in."""
    fifo, out = tmp_path / "c.jsonl", tmp_path / "out"
    args = ["scan", str(fifo), "-o", str(out), "--shard-size", "10", "--workers", "2",
            "--backend", "torch", "--device", "cpu", "-q"]
    held = HeldInput(fifo, _lines(TOTAL)[:HELD])
    proc = subprocess.Popen(_cli() + args, **popen)
    parts = out / "documents"
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline and not (
            parts.is_dir() and any(parts.glob("part-*.parquet"))):
        time.sleep(0.05)
    assert proc.poll() is None, f"the scan ended (rc={proc.returncode}) with its input still open"
    assert any(parts.glob("part-*.parquet")), "no shard committed in 180 s"
    return held, args, out, proc


@pytest.mark.slow
def test_a_killed_worker_fails_the_run_clearly_and_a_rerun_finishes(tmp_path):
    held, args, out, proc = _held_scan(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        children = [c for c in psutil.Process(proc.pid).children(recursive=True)
                    if "resource_tracker" not in " ".join(c.cmdline())]
        assert children, "no worker processes"
        os.kill(children[-1].pid, signal.SIGKILL)
        held.close()  # end of input: a parent blocked reading a stalled pipe notices no dead worker
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        held.close()
    assert proc.returncode == EXIT_FATAL, stderr.decode()[-2000:]
    message = stderr.decode()
    assert "worker process died" in message and "again to resume" in message
    committed = len(list((out / "documents").glob("part-*.parquet")))
    assert 1 <= committed <= HELD // 10  # of the shards the pipe held

    held.as_file(_lines(TOTAL))
    res = CliRunner().invoke(main, args)  # the same command resumes and finishes
    assert res.exit_code == 3, res.output
    docs = pq.read_table(out / "documents", columns=["doc_id"]).column("doc_id").to_pylist()
    assert sorted(docs) == [f"t{i:04d}" for i in range(TOTAL)]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_a_stopped_run_leaves_no_worker_behind(tmp_path, sig):
    """SIGTERM and Ctrl-C stop the workers with the run; after SIGKILL (nothing can be cleaned up)
    the workers notice their parent is gone and exit on their own. Committed shards stay."""
    log = open(tmp_path / "log", "w")
    held, args, out, proc = _held_scan(tmp_path, stdout=log, stderr=subprocess.STDOUT,
                                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if "spawn_main" in " ".join(c.cmdline())]
        assert len(workers) == 2
        proc.send_signal(sig)
        rc = proc.wait(timeout=30)
    finally:
        proc.kill()
        held.close()
    assert rc == {signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL, signal.SIGINT: 1}[sig], \
        (tmp_path / "log").read_text()[-2000:]
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers still running after the parent stopped: {alive}"
    held.as_file(_lines(TOTAL))
    res = CliRunner().invoke(main, args)  # and the same command finishes the job
    assert res.exit_code == 3, res.output
    assert pq.read_table(out / "documents").num_rows == TOTAL
    # A shard cut short mid-write left at most a hidden temp file, which the rerun removed.
    assert not [p.name for d in ("documents", "spans") for p in (out / d).iterdir()
                if p.name.startswith(".")]
