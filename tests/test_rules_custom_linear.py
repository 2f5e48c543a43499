"""User regexes from ``custom:`` run on a linear-time engine: a catastrophic pattern cannot hang a scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scanner.config import ConfigError
from scanner.rules import build_detectors, load_rules_config


def rules(tmp_path: Path, pattern: str, name: str = "evil") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text("custom:\n" + f"  - {{name: {name}, label: ID_NUMBER, pattern: {json.dumps(pattern)}}}\n")
    return path


def test_nested_quantifier_scan_finishes(tmp_path):
    """`(a+)+$` on 'aaaa...b' backtracks 2^40 times in Python's re; the CLI run must end on its own."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "x", "text": "a" * 40 + "b"}) + "\n"
                      + json.dumps({"id": "y", "text": "zz aaaa"}) + "\n")
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "scanner", "scan", str(corpus), "-o", str(out), "--no-model",
                          "--rules", str(rules(tmp_path, "(a+)+$")), "-q"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    got = {(s["doc_id"], s["start"], s["end"]) for s in pq.read_table(out / "spans").to_pylist()}
    assert got == {("y", 3, 7)}


def test_value_group_and_unicode_offsets_are_python_str_offsets(tmp_path):
    (det,) = [d for d in build_detectors(load_rules_config(rules(tmp_path, "EMP-(?P<value>\\d{3})")))
              if d.name.startswith("custom:")]
    text = "é€ EMP-123 and EMP-456"
    assert [(s.start, s.end, text[s.start:s.end]) for s in det.find(text)] == [(7, 10, "123"), (19, 22, "456")]


@pytest.mark.parametrize("pattern", ["(?<=x)y", "(a)\\1"])
def test_patterns_needing_backtracking_are_a_config_error(tmp_path, pattern):
    with pytest.raises(ConfigError) as exc:
        build_detectors(load_rules_config(rules(tmp_path, pattern)))
    assert "custom detector 'evil'" in str(exc.value) and "linear-time" in str(exc.value)
