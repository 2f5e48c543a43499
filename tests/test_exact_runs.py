"""Exit 0 means every document was scanned with the recorded settings: resume is exact or refuses, one
scan writes to a folder at a time, and a run that stops says so in its manifest.

Real files, the real CLI (in process with click's runner, or as a subprocess where signals, locks and
a full disk are involved). ``--no-model`` where the model does not matter: the pattern detectors find
the e-mail addresses and SSNs these tests look for.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import EXIT_BUSY, EXIT_FATAL, EXIT_OK, EXIT_STALE, EXIT_TIER, main
from scanner.config import CONFIG_DIR

FAST = ["--no-model", "-q"]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def docs_rows(n: int, start: int = 0) -> list[dict]:
    return [{"id": f"d{i}", "text": f"ticket {i}: write to user{i}@example.com"} for i in range(start, start + n)]


def scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args])


def said(res) -> str:
    return " ".join(res.stderr.split())


def table(out: Path, name: str = "documents") -> list[dict]:
    return pq.read_table(out / name).to_pylist()


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def emails_found(out: Path) -> set[str]:
    return {s["doc_id"] for s in table(out, "spans") if s["label"] == "EMAIL"}


def cli() -> list[str]:
    return [sys.executable, "-m", "scanner"]


# --------------------------------------------------------------------------------------------- item 1


def test_another_input_into_the_same_folder_is_refused(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "0", "text": "nothing here"}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "0", "text": "SSN 078-05-1120, mail x@example.com"}])
    out = tmp_path / "out"
    assert scan(str(a), "-o", str(out), *FAST).exit_code == EXIT_OK
    res = scan(str(b), "-o", str(out), "--fail-on-tier", "3", *FAST)
    assert res.exit_code == EXIT_STALE, res.output
    assert "different inputs" in said(res) and "--fresh" in said(res)
    assert manifest(out)["inputs"][0]["path"] == str(a)  # nothing of b's was written or claimed
    res = scan(str(b), "-o", str(out), "--fail-on-tier", "3", "--fresh", *FAST)
    assert res.exit_code == EXIT_TIER, res.output
    assert [r["source"] for r in table(out)] == [str(b)]


def _ids(out: Path) -> list[str]:
    return [r["doc_id"] for r in table(out)]


def test_an_edited_input_rescans_exactly_the_shards_that_changed(tmp_path):
    corpus = tmp_path / "c.jsonl"
    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "--shard-size", "3", *FAST]
    write_jsonl(corpus, docs_rows(10))  # shards 3,3,3,1
    assert scan(*args).exit_code == EXIT_OK

    write_jsonl(corpus, docs_rows(12))  # appended two: only the last shard changed
    assert scan(*args).exit_code == EXIT_OK
    counts = manifest(out)["counts"]
    assert (counts["shards_resumed"], counts["shards_rescanned"], counts["shards_written"]) == (3, 1, 1)
    assert _ids(out) == [f"d{i}" for i in range(12)] and emails_found(out) == set(_ids(out))

    write_jsonl(corpus, [{"id": "new", "text": "first! mail new@example.com"}] + docs_rows(12))  # prepended
    assert scan(*args).exit_code == EXIT_OK
    counts = manifest(out)["counts"]
    assert (counts["shards_resumed"], counts["shards_rescanned"], counts["shards_written"]) == (0, 4, 5)
    assert _ids(out) == ["new"] + [f"d{i}" for i in range(12)] and "new" in emails_found(out)

    write_jsonl(corpus, [{"id": "new", "text": "first! mail new@example.com"}] + docs_rows(4))  # removed 8
    assert scan(*args).exit_code == EXIT_OK
    assert _ids(out) == ["new"] + [f"d{i}" for i in range(4)]  # removed documents are no longer reported
    assert sorted(p.name for p in (out / "spans").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert manifest(out)["counts"]["documents"] == 5
    assert set(manifest(out)["shards"]) == {"0", "1"}


def test_a_damaged_manifest_refuses_instead_of_crashing(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", docs_rows(2))
    out = tmp_path / "out"
    assert scan(str(corpus), "-o", str(out), *FAST).exit_code == EXIT_OK
    (out / "manifest.json").write_text("{ cut short")
    res = scan(str(corpus), "-o", str(out), *FAST)
    assert res.exit_code == EXIT_STALE and "not recorded" in said(res) and "Traceback" not in res.output
    assert scan(str(corpus), "-o", str(out), "--fresh", *FAST).exit_code == EXIT_OK


# --------------------------------------------------------------------------------------------- item 2


def _edited_copy(src: Path, dst: Path) -> Path:
    dst.write_text(src.read_text(encoding="utf-8") + "\n# a local edit\n", encoding="utf-8")
    return dst


@pytest.mark.parametrize("change", ["policy", "rules", "no-model", "text-column"])
def test_other_settings_are_refused(tmp_path, change):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "1", "text": "mail a@example.com", "body": "x"}])
    out = tmp_path / "out"
    first = [str(corpus), "-o", str(out), "-q"]
    assert scan(*first, "--no-model").exit_code == EXIT_OK
    second = {"policy": ["--no-model", "--policy", str(_edited_copy(CONFIG_DIR / "policy.yaml", tmp_path / "p.yaml"))],
              "rules": ["--no-model", "--rules", str(_edited_copy(CONFIG_DIR / "detectors.yaml", tmp_path / "r.yaml"))],
              "no-model": ["--backend", "torch", "--device", "cpu"],
              "text-column": ["--no-model", "--text-column", "body"]}[change]
    before = table(out)
    res = scan(*first, *second)
    assert res.exit_code == EXIT_STALE, res.output
    name = {"policy": "--policy", "rules": "--rules", "no-model": "--no-model", "text-column": "--text-column"}[change]
    assert name in said(res) and "--fresh" in said(res)
    assert table(out) == before and manifest(out)["settings"]["use_model"] is False
    res = scan(*first, *second, "--fresh")
    assert res.exit_code == EXIT_OK, res.output


# --------------------------------------------------------------------------------------------- item 3


def _lock_held(folder: Path) -> bool:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _wait_for(cond, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"scan ended (rc={proc.returncode}) before {what}: {proc.stderr.read()[-2000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class _HeldScan:
    """A real scan that holds its output folder: its input is a pipe this test keeps open."""

    def __init__(self, tmp_path: Path, out: Path) -> None:
        self.fifo = tmp_path / "stream.jsonl"
        os.mkfifo(self.fifo)
        self.out = out
        self.proc = subprocess.Popen(cli() + ["scan", str(self.fifo), "-o", str(out), *FAST],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        opened: list = []
        t = threading.Thread(target=lambda: opened.append(open(self.fifo, "w")), daemon=True)
        t.start()
        _wait_for(lambda: opened, self.proc, "the scan opened its input")
        self.writer = opened[0]
        self.writer.write(json.dumps({"id": "1", "text": "a@example.com"}) + "\n")
        self.writer.flush()
        _wait_for(lambda: out.is_dir() and _lock_held(out) and (out / "manifest.json").exists(), self.proc,
                  "the scan took its lock and wrote its manifest")  # the lock comes first


def test_one_writer_per_folder_and_a_killed_one_leaves_no_lock(tmp_path):
    out = tmp_path / "out"
    held = _HeldScan(tmp_path, out)
    try:
        other = write_jsonl(tmp_path / "other.jsonl", docs_rows(3))
        res = subprocess.run(cli() + ["scan", str(other), "-o", str(out), "--fresh", *FAST],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == EXIT_BUSY, res.stderr
        assert "another scan is writing to this folder" in " ".join(res.stderr.split())
        assert held.proc.poll() is None  # the first one goes on, its results untouched
        held.proc.send_signal(signal.SIGKILL)
        held.proc.wait(60)
    finally:
        held.proc.kill()
        held.writer.close() if not held.writer.closed else None
    res = subprocess.run(cli() + ["scan", str(other), "-o", str(out), "--fresh", *FAST],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == EXIT_OK, res.stderr  # the kernel dropped the dead run's lock
    assert _ids(out) == ["d0", "d1", "d2"]


# --------------------------------------------------------------------------------------------- item 14


def test_sigterm_leaves_the_manifest_interrupted(tmp_path):
    out = tmp_path / "out"
    held = _HeldScan(tmp_path, out)
    try:
        assert manifest(out)["status"] == "running"
        held.proc.send_signal(signal.SIGTERM)
        assert held.proc.wait(120) == 128 + signal.SIGTERM
    finally:
        held.proc.kill()
        held.writer.close()
    m = manifest(out)
    assert m["status"] == "interrupted" and m["finished"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 200 KB tmpfs: a real full disk (needs root, as in the project's CI container)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_names_the_path_says_rerun_resumes_and_marks_the_manifest(tmp_path, tiny_disk):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": f"d{i}", "text": f"mail u{i}@example.com " + os.urandom(600).hex()}
                                                for i in range(400)])
    out = tiny_disk / "out"
    args = [str(corpus), "-o", str(out), "--shard-size", "20", "--include-text", *FAST]
    res = scan(*args)
    assert res.exit_code == EXIT_FATAL, res.output
    msg = said(res)
    assert str(out) in msg and "No space left on device" in msg and "run the same command again to resume" in msg
    assert "Traceback" not in res.output
    m = manifest(out)
    assert m["status"] == "failed" and "No space left" in m["error"]
    committed = len(list((out / "documents").glob("part-*.parquet")))
    assert 1 <= committed < 20
    # more room (same data, moved to a bigger disk): the same command resumes and completes
    big = tmp_path / "big"
    shutil.copytree(out, big)
    res = scan(str(corpus), "-o", str(big), "--shard-size", "20", "--include-text", *FAST)
    assert res.exit_code == EXIT_OK, res.output
    counts = manifest(big)["counts"]
    assert counts["shards_resumed"] == committed and counts["documents"] == 400
    assert Counter(_ids(big)) == Counter(f"d{i}" for i in range(400))
