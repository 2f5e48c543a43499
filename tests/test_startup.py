"""Start-up stays light: ``--help`` and pattern-only runs import neither torch, transformers nor datasets,
and ``-q`` keeps third-party progress bars and warnings off stderr.

Each command runs in a fresh interpreter (what a user's shell or pre-commit starts), which then
reports the heavy modules found in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "datasets")
PROBE = """
import json, runpy, sys
sys.argv = ["pii-scanner", *json.loads(sys.argv[1])]
try:
    runpy.run_module("scanner", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
""".replace("HEAVY", repr(HEAVY))


def run_cli(args: list[str], cwd: Path, env_extra: dict | None = None) -> tuple[dict, str]:
    env = os.environ | {"PYTHONPATH": str(REPO)} | (env_extra or {})
    res = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    return json.loads(res.stdout.strip().splitlines()[-1]), res.stderr


@pytest.fixture
def one_doc(tmp_path) -> Path:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Mail jane.doe@example.com or call +1 415 555 0142"}) + "\n")
    return path


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["check", "--help"]])
def test_help_imports_no_ml_library(args, tmp_path):
    got, _ = run_cli(args, tmp_path)
    assert got == {"code": 0, "heavy": []}


@pytest.mark.slow
def test_pattern_only_scan_and_check_import_no_ml_library(one_doc, tmp_path):
    got, err = run_cli(["scan", "--no-model", str(one_doc), "-o", str(tmp_path / "out"), "-q"], tmp_path)
    assert got["code"] == 0, err
    assert got["heavy"] == []
    assert (tmp_path / "out" / "documents" / "part-00000.parquet").exists()
    got, err = run_cli(["check", "--no-model", str(one_doc)], tmp_path)
    assert got == {"code": 4, "heavy": []}, err


@pytest.mark.slow
def test_the_probe_sees_torch_when_the_model_runs(one_doc, tmp_path):
    """The check above can fail: with the torch backend the same probe reports torch and transformers."""
    got, err = run_cli(["scan", "--backend", "torch", str(one_doc), "-o", str(tmp_path / "out"), "-q"], tmp_path)
    assert got["code"] == 0, err
    assert {"torch", "transformers"} <= set(got["heavy"])


@pytest.mark.slow
def test_quiet_scan_prints_no_third_party_progress_bars_or_warnings(one_doc, tmp_path):
    """torch loads the weights through transformers, which draws a "Loading weights" bar: not under -q."""
    base = ["scan", "--backend", "torch", str(one_doc), "-o", str(tmp_path / "out"), "--fresh"]
    got, loud = run_cli(base, tmp_path)
    assert got["code"] == 0 and "Loading weights" in loud  # the bar this test is about, without -q
    got, quiet = run_cli([*base, "-q"], tmp_path)
    assert got["code"] == 0, quiet
    assert "Loading weights" not in quiet and "it/s" not in quiet and "warning" not in quiet.lower()
    assert "documents" in quiet  # our own summary still prints


@pytest.mark.slow
def test_quiet_scan_with_a_first_onnx_export_is_quiet_too(one_doc, tmp_path):
    """The first run exports the model to ONNX (torch.onnx, and the quantizer where auto picks int8):
    none of it shows."""
    got, err = run_cli(["scan", str(one_doc), "-o", str(tmp_path / "out"), "-q"], tmp_path,
                       {"PII_SCANNER_CACHE": str(tmp_path / "fresh-cache")})
    assert got["code"] == 0, err
    from scanner.backends.cpu import cpu_flags, cpu_precision

    precision = cpu_precision(cpu_flags())[0]  # what auto runs on this CPU
    assert list((tmp_path / "fresh-cache").rglob(f"model.{precision}.onnx"))  # it did export
    assert "Loading weights" not in err and "it/s" not in err and "warning" not in err.lower()


def _cuda_driver_loads() -> bool:
    import ctypes

    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(_cuda_driver_loads(), reason="a CUDA driver is present: auto must ask torch")
def test_default_backend_on_a_machine_without_cuda_does_not_import_torch(one_doc, tmp_path):
    """auto picks ONNX Runtime on a CPU (int8 or fp32 by its flags); without a CUDA driver there is nothing to ask torch.

    (The first run may export the model to ONNX, which needs torch: the second is the one measured.)"""
    from scanner.backends.cpu import cpu_flags, cpu_precision

    args = ["scan", str(one_doc), "-o", str(tmp_path / "out"), "-q", "--fresh"]
    run_cli(args, tmp_path)
    got, err = run_cli(args, tmp_path)
    assert got == {"code": 0, "heavy": []}, err
    assert f"onnx on cpu ({cpu_precision(cpu_flags())[0]}" in " ".join(err.split())
