"""The CPU benchmarks of issue 15 run end to end on a few documents and record what they claim to.

``benchmarks/onnx_cpu.py`` (graph variants: speed, agreement, shard invariance) and
``benchmarks/windows.py`` (window length and overlap): real model, real ONNX Runtime, tiny corpora.
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
