"""--sample: a reproducible random sample of the corpus, and tier shares estimated with an interval."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from scanner.cli import EXIT_OK, EXIT_STALE, EXIT_USAGE, main
from scanner.sample import wilson

FAST = ["--no-model", "-q"]


def corpus(path: Path, n: int = 2000) -> Path:
    """Every 4th document holds an e-mail (tier 3), every 10th from 1 an SSN (tier 3): 35% in all."""
    rows = []
    for i in range(n):
        text = (f"ticket {i}: mail user{i}@example.com" if i % 4 == 0 else
                f"SSN 078-05-{1000 + i:04d} on file" if i % 10 == 1 else f"plain note {i}")
        rows.append(json.dumps({"id": f"d{i}", "text": text}))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args])


def ids(out: Path) -> list[str]:
    return pq.read_table(out / "documents", columns=["doc_id"]).column(0).to_pylist()


def test_a_sample_of_n_is_reproducible_and_its_interval_covers_the_true_share(tmp_path):
    c = corpus(tmp_path / "c.jsonl")
    a, b, other = tmp_path / "a", tmp_path / "b", tmp_path / "other"
    assert scan(str(c), "-o", str(a), "--sample", "300", *FAST).exit_code == EXIT_OK
    assert scan(str(c), "-o", str(b), "--sample", "300", *FAST).exit_code == EXIT_OK
    assert scan(str(c), "-o", str(other), "--sample", "300", "--seed", "7", *FAST).exit_code == EXIT_OK
    assert len(ids(a)) == 300 and ids(a) == ids(b) and set(ids(a)) != set(ids(other))
    sample = json.loads((a / "manifest.json").read_text())["sample"]
    assert (sample["population"], sample["sampled"]) == (2000, 300)
    est = sample["estimates"]["3"]
    assert est["low"] < 0.35 < est["high"] and est["high"] - est["low"] < 0.12
    assert est["sampled"] == sum(1 for r in pq.read_table(a / "documents").to_pylist() if r["tier"] == 3)


def test_a_fraction_samples_about_that_share_and_a_changed_sample_is_refused_on_resume(tmp_path):
    c = corpus(tmp_path / "c.jsonl")
    out = tmp_path / "out"
    res = scan(str(c), "-o", str(out), "--sample", "10%", *FAST)
    assert res.exit_code == EXIT_OK, res.output
    assert 140 < len(ids(out)) < 260 and "estimates from a sample" in res.stderr
    res = scan(str(c), "-o", str(out), "--sample", "20%", *FAST)
    assert res.exit_code == EXIT_STALE and "--sample" in res.stderr
    assert scan(str(c), "-o", str(out), "--sample", "0", *FAST).exit_code == EXIT_USAGE


def test_wilson_interval_narrows_to_the_point_for_a_full_census():
    low, high = wilson(35, 100)
    assert 0.26 < low < 0.35 < high < 0.45
    assert wilson(35, 100, population=100) == (0.35, 0.35)
    fpc_low, fpc_high = wilson(35, 100, population=200)
    assert low < fpc_low and fpc_high < high
