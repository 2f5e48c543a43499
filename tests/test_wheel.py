"""The built wheel works outside the checkout: CLI and API, run from another folder, on the shipped model."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import outside_env

pytestmark = pytest.mark.slow  # builds a wheel and a virtualenv

REPO = Path(__file__).resolve().parent.parent
EMAIL = "margaret.hamilton@example.com"
DOCS = [
    {"id": "a", "text": f"Please ask Margaret Hamilton about the invoice; her address is {EMAIL}."},
    {"id": "b", "text": "The weather is nice today."},
]

API_SCRIPT = """
import json, sys
import scanner
from scanner import Scanner
from scanner.model import DEFAULT_MODEL
from scanner.config import CONFIG_DIR
s = Scanner()
results = s.scan([t for t in sys.argv[1:]])
print(json.dumps({"file": scanner.__file__, "model": str(DEFAULT_MODEL), "configs": str(CONFIG_DIR),
                  "path": sys.path, "backend": s.backend,
                  "results": [[r.tier, [(sp.label, sp.detector) for sp in r.spans]] for r in results]}))
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(venv: Path, cwd: Path, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=outside_env(venv), capture_output=True, text=True, timeout=300)


def test_wheel_holds_the_model_and_configs_but_not_the_checkout_paths(wheel_venv):
    site = next((wheel_venv / "lib").glob("python*/site-packages"))
    data = site / "scanner" / "_data"
    assert (data / "models" / "pii-minilm-l6" / "model.safetensors").stat().st_size > 40 * 2**20
    assert (data / "configs" / "policy.yaml").is_file() and (data / "configs" / "detectors.yaml").is_file()
    assert (site / "scanner" / "py.typed").is_file()
    assert not (site / "models").exists() and not (site / "configs").exists()


def test_cli_from_the_wheel_scans_a_file_in_another_folder(wheel_venv, tmp_path):
    data, work = tmp_path / "data", tmp_path / "work"
    data.mkdir(), work.mkdir()
    (data / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    res = _run(wheel_venv, work, str(wheel_venv / "bin" / "pii-scanner"), "scan", "../data/docs.jsonl",
               "-o", "out", "-q")
    assert res.returncode == 0, res.stderr
    docs = pq.read_table(work / "out" / "documents").to_pylist()
    spans = pq.read_table(work / "out" / "spans").to_pylist()
    assert [(d["doc_id"], d["tier"]) for d in docs] == [("a", 3), ("b", 1)]
    labels = {(s["label"], s["detector"]) for s in spans}
    assert ("EMAIL", "email") in labels and ("PERSON", "model") in labels  # the shipped model ran
    manifest = json.loads((work / "out" / "manifest.json").read_text())
    assert manifest["model"] == {"id": "pii-minilm-l6", "sha256": _sha256(REPO / "models" / "pii-minilm-l6"
                                                                      / "model.safetensors")}
    res = _run(wheel_venv, work, str(wheel_venv / "bin" / "pii-scanner"), "check", "../data/docs.jsonl")
    assert res.returncode == 4 and "../data/docs.jsonl:1:" in res.stdout and EMAIL not in res.stdout


def test_api_from_the_wheel_imports_nothing_from_the_checkout(wheel_venv, tmp_path):
    res = _run(wheel_venv, tmp_path, str(wheel_venv / "bin" / "python"), "-c", API_SCRIPT,
               DOCS[0]["text"], DOCS[1]["text"])
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    for key in ("file", "model", "configs"):
        assert got[key].startswith(str(wheel_venv)), (key, got[key])
    # The heavy dependencies come from the dev venv, which may live inside the checkout (.venv/).
    assert not any(p.startswith(str(REPO)) and not p.startswith(sys.prefix) for p in got["path"])
    (tier_a, spans_a), (tier_b, spans_b) = got["results"]
    assert tier_a == 3 and ["EMAIL", "email"] in spans_a and ["PERSON", "model"] in spans_a
    assert (tier_b, spans_b) == (1, [])
    assert got["backend"].startswith("backend onnx on cpu (int8")  # auto: exported from the wheel's model
