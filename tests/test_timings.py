"""Stage timings are returned, not accumulated in shared state: the detectors' thread, concurrent
shards and repeated runs each account for exactly their own work (real model, real scans)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import pytest

from scanner.pipeline import Scanner, Timings
from scanner.records import Document, Span
from scanner.runner import RunOptions, run_scan

SLEEP = 0.02  # per document, in the slow detector


class SlowDetector:
    """A real detector (the ``Detector`` protocol) that takes a known time per document and finds nothing."""

    name = "slow"
    labels: frozenset[str] = frozenset()

    def find(self, text: str) -> list[Span]:
        time.sleep(SLEEP)
        return []


def _docs(prefix: str, n: int, words: int) -> list[Document]:
    return [Document(f"{prefix}{i}", "t", f"Ticket {i}: Ana Kowalska wrote from ana.{i}@example.org. "
                     + "The printer is jammed again. " * words) for i in range(n)]


@pytest.fixture(scope="module")
def overlapped(scanner):
    """The detectors in their own thread beside inference (as on a GPU), one of them slow."""
    s = Scanner(replace(scanner.options, overlap_rules=True))
    assert s._pool is not None
    s.detectors = [*s.detectors, SlowDetector()]
    return s


def test_the_detector_threads_time_is_counted(scanner, overlapped):
    docs = _docs("a", 12, 3)
    results, t = overlapped.scan_shard_timed(docs)
    ref_results, ref = scanner.scan_shard_timed(docs)
    assert [r.spans for r in results] == [r.spans for r in ref_results]
    assert t.rules >= len(docs) * SLEEP  # measured in the detectors' thread, and kept
    assert t.infer > 0 and t.tokenize > 0 and t.policy > 0
    assert (t.tokens, t.windows) == (ref.tokens, ref.windows)
    assert ref.tokens > 0 and ref.windows > 0


def test_concurrent_shards_get_their_own_timings(overlapped):
    """Two threads scan different shards with one Scanner at the same time; each shard's timings are
    its own (with shared counters they would mix, or lose updates)."""
    shards = {"short": _docs("s", 6, 1), "long": _docs("l", 9, 60)}
    solo = {k: overlapped.scan_shard_timed(d)[1] for k, d in shards.items()}
    assert solo["long"].tokens > 5 * solo["short"].tokens
    got: dict[str, Timings] = {}
    start = threading.Barrier(2)

    def run(key: str) -> None:
        start.wait()
        got[key] = overlapped.scan_shard_timed(shards[key])[1]

    threads = [threading.Thread(target=run, args=(k,)) for k in shards]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for key, docs in shards.items():
        assert (got[key].tokens, got[key].windows) == (solo[key].tokens, solo[key].windows), key
        assert got[key].rules >= len(docs) * SLEEP, key


def test_a_runs_manifest_sums_its_own_shards(scanner, tmp_path):
    """The manifest's timings are this run's sum over its shards, also when the Scanner is reused."""
    docs = _docs("d", 10, 4)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": d.doc_id, "text": d.text}) + "\n" for d in docs))
    per_shard = [scanner.scan_shard_timed(docs[i:i + 3])[1] for i in range(0, len(docs), 3)]
    want = (sum(t.tokens for t in per_shard), sum(t.windows for t in per_shard))
    for run in ("first", "second"):  # the same Scanner twice: nothing carried over from the first run
        _, manifest = run_scan(RunOptions(inputs=[str(corpus)], out_dir=str(tmp_path / run), shard_size=3),
                               scanner)
        t = manifest["timings"]
        assert (t["tokens"], t["windows"]) == want, run
        assert t["infer"] > 0 and t["rules"] > 0 and t["tokenize"] > 0
