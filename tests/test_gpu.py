"""GPU paths, run by benchmarks/gpu_check.sh on a lent GPU machine; skipped where CUDA is absent."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

from scanner.pipeline import Scanner, ScanOptions  # noqa: E402
from scanner.records import Document  # noqa: E402

TEXTS = [
    "Hi, I'm Dolores Abernathy, reach me at dolores@example.net or (415) 555-0132.",
    "Patient Kwame Mensah, DOB 03/14/1987, was prescribed metformin for type 2 diabetes.",
    "Wire to IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, SSN 123-45-6789.",
    "Server 10.20.30.40 rejected the login of user jdoe42; contact Zofia Wiśniewska in Kraków.",
    "The quarterly report is attached. Nothing personal here.",
] * 40


def _spans(scanner):
    docs = [Document(f"d{i}", "gpu", t) for i, t in enumerate(TEXTS)]
    return [[(s.start, s.end, s.label) for s in r.spans] for r in scanner.scan_shard(docs)]


@pytest.fixture(scope="module")
def cpu_reference():
    return _spans(Scanner(ScanOptions(backend="torch", device="cpu")))


def _agreement(a, b) -> float:
    same = sum(len(set(x) & set(y)) for x, y in zip(a, b))
    total = max(sum(len(set(x) | set(y)) for x, y in zip(a, b)), 1)
    return same / total


def test_auto_picks_torch_cuda_half_precision():
    s = Scanner(ScanOptions())
    assert s.backend.device == "cuda" and s.backend.precision in ("fp16", "bf16")
    assert s.token_budget >= 16_384


@pytest.mark.parametrize("precision", ["fp16", "bf16", "fp32"])
def test_torch_cuda_matches_cpu(cpu_reference, precision):
    s = Scanner(ScanOptions(backend="torch", device="cuda", precision=precision, strict_backend=True))
    assert _agreement(_spans(s), cpu_reference) >= 0.97


def test_onnx_cuda_matches_cpu_when_available(cpu_reference):
    ort = pytest.importorskip("onnxruntime")
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("onnxruntime here is the CPU build (install onnxruntime-gpu)")
    s = Scanner(ScanOptions(backend="onnx", device="cuda", strict_backend=True))
    assert s.backend.device == "cuda"
    assert _agreement(_spans(s), cpu_reference) >= 0.97


def test_scan_command_on_gpu_records_the_card(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["backend"]["device"] == "cuda" and manifest["backend"]["card"]
    assert manifest["counts"]["documents"] == len(TEXTS)


def test_torch_cuda_predict_on_device_matches_logits():
    import numpy as np

    from scanner.backends.base import top_tags

    s = Scanner(ScanOptions(backend="torch", device="cuda", precision="fp32", strict_backend=True))
    assert s.pad_multiple == 8
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 30000, size=(8, 64)).astype(np.int64)
    mask = np.ones_like(ids)
    types = rng.integers(0, 4, size=ids.shape).astype(np.int64) if s.reads_case else None  # case classes
    best, prob = s.backend.predict(ids, mask, types)
    ref_best, ref_prob = top_tags(s.backend.infer(ids, mask, types))
    assert (best == ref_best).mean() > 0.999
    np.testing.assert_allclose(prob, ref_prob, atol=1e-4)
    if types is not None:  # the case ids reach the model on the device
        assert not np.allclose(prob, s.backend.predict(ids, mask, np.zeros_like(types))[1], atol=1e-4)


def test_workers_on_gpu_write_what_one_process_writes(tmp_path):
    """Several processes share the GPU (one CUDA context each); output identical to one process."""
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from scanner.cli import main

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    tables = {}
    from scanner.backends.base import physical_cores

    auto = max(1, min(8, physical_cores() - 1))  # what --workers auto starts on a GPU
    for w in ("1", "3", "auto"):
        out = tmp_path / f"out{w}"
        res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "-q", "--shard-size", "20",
                                        "--workers", w])
        assert res.exit_code == 0, res.output
        expect = auto if w == "auto" else int(w)
        assert json.loads((out / "manifest.json").read_text())["backend"]["workers"] == expect
        tables[w] = sorted(pq.read_table(out / "spans", columns=["doc_id", "start", "end", "label"])
                           .to_pylist(), key=lambda r: (r["doc_id"], r["start"]))
    assert tables["1"] == tables["3"] == tables["auto"] and tables["1"]
