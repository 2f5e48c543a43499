"""Crash safety: a scan killed with SIGKILL mid-run, then re-run, has every document exactly once.

The input is a named pipe the test holds open (``held_input``): the killed run cannot reach the end of
it, so the kill lands mid-run however fast the machine; the reruns read the whole corpus, as a regular
file at the same path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from held_input import HeldInput

from scanner.cli import main

N_DOCS = 200
SHARD = 20
HELD = 100  # documents the killed run is given: 5 of the 10 shards
FIRSTS = ["Ana", "Bo", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana"]


def _lines() -> list[str]:
    lines = []
    for i in range(N_DOCS):
        name = FIRSTS[i % len(FIRSTS)]
        if i % 3 == 0:
            text = f"Ticket {i}: {name} asked us to reply to {name.lower()}.{i}@example.com today."
        elif i % 3 == 1:
            text = f"Ticket {i}: printer on floor {i % 7} is jammed again, {name} says."
        else:
            text = f"Ticket {i}: call {name} back on +1 415 555 {i % 10000:04d} about the refund."
        lines.append(json.dumps({"id": f"t{i:04d}", "text": text}) + "\n")
    return lines


def _cli() -> list[str]:
    # this interpreter and the scanner package on its path (the venv's script may point at another checkout)
    return [sys.executable, "-m", "scanner"]


def _parts(out: Path) -> list[Path]:
    return sorted((out / "documents").glob("part-*.parquet"))


def _spans(out: Path) -> list[tuple]:
    t = pq.read_table(out / "spans").to_pylist()
    return [(s["doc_id"], s["start"], s["end"], s["label"], s["detector"]) for s in t]


@pytest.mark.slow
def test_kill_9_then_rerun_has_every_document_once(tmp_path):
    fifo = tmp_path / "corpus.jsonl"
    out = tmp_path / "out"
    args = ["scan", str(fifo), "-o", str(out), "--shard-size", str(SHARD), "--redact", "mask",
            "--backend", "torch", "--device", "cpu", "-q"]
    n_shards = N_DOCS // SHARD

    held = HeldInput(fifo, _lines()[:HELD])  # and then no end of input: the run cannot finish
    proc = subprocess.Popen(_cli() + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        deadline = time.monotonic() + 120
        while not _parts(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _parts(out), f"no shard committed (rc={proc.poll()}): {proc.stderr.read().decode()[-2000:]}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        _, stderr = proc.communicate()
        held.close()
    assert proc.returncode == -signal.SIGKILL
    committed = len(_parts(out))
    print(f"killed after {committed} of {n_shards} shards")
    assert 1 <= committed <= HELD // SHARD
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"  # the killed run never wrote its final manifest
    assert b"@example.com" not in stderr

    held.as_file(_lines())  # the rest of the corpus arrives
    res = CliRunner().invoke(main, args)  # the same command again: resumes
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["shards_resumed"] >= committed and counts["shards_written"] >= 1
    assert counts["shards_resumed"] + counts["shards_written"] == n_shards
    assert counts["documents"] == N_DOCS

    every = {f"t{i:04d}" for i in range(N_DOCS)}
    for folder in ("documents", "redacted"):
        ids = Counter(pq.read_table(out / folder, columns=["doc_id"])["doc_id"].to_pylist())
        assert set(ids) == every and set(ids.values()) == {1}, folder
    resumed_spans = _spans(out)
    assert len(resumed_spans) == len(set(resumed_spans)), "duplicated spans after resume"
    assert {s[0] for s in resumed_spans if s[4] == "email"} == {f"t{i:04d}" for i in range(0, N_DOCS, 3)}
    resumed_redacted = pq.read_table(out / "redacted").to_pylist()
    assert not any("@example.com" in r["text"] for r in resumed_redacted)
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or ".tmp-" in p.name]
    assert leftovers == []  # a killed run's temp files are cleaned up on the next start

    res = CliRunner().invoke(main, args + ["--fresh"])  # starts over
    assert res.exit_code == 0, res.output
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert (counts["shards_written"], counts["shards_resumed"], counts["documents"]) == (n_shards, 0, N_DOCS)
    assert sorted(_spans(out)) == sorted(resumed_spans)  # resuming gave exactly what one run gives
    assert pq.read_table(out / "redacted").to_pylist() == resumed_redacted
