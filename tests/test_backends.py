"""Backend selection and fallback (``scanner.backends.load_backend``) on the real shipped model.

These run the real backends on this machine. The CUDA cases assert CPU-only behaviour, so they skip
on a machine where the requested GPU path can actually run.
"""

from __future__ import annotations

import logging

import pytest

from scanner.backends import BackendUnavailable, load_backend
from scanner.backends.cpu import cpu_flags, cpu_precision

pytest.importorskip("onnxruntime")


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _ort_cuda() -> bool:
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()




def _fallback_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "scanner.backends" and r.levelno >= logging.WARNING]


def test_unknown_names_are_value_errors(model_dir):
    with pytest.raises(ValueError, match="unknown backend 'tensorflow'"):
        load_backend("tensorflow", model_dir)
    with pytest.raises(ValueError, match="unknown device"):
        load_backend("onnx", model_dir, device="tpu")
    with pytest.raises(ValueError, match="unknown precision"):
        load_backend("onnx", model_dir, precision="int4")


@pytest.mark.skipif(_cuda(), reason="a CUDA GPU is present: auto picks a GPU backend")
def test_auto_on_cpu_picks_onnx_at_this_cpus_precision(model_dir, caplog):
    precision, why = cpu_precision(cpu_flags())  # int8 on a CPU with VNNI/AMX, fp32 on plain AVX2
    backend, reason = load_backend("auto", model_dir, threads=1)
    assert (backend.name, backend.device, backend.precision) == ("onnx", "cpu", precision)
    assert backend.describe()["precision_reason"] == why
    assert reason.startswith(f"backend onnx on cpu ({precision}") and "fastest CPU backend" in reason
    assert reason.endswith(why)
    assert "fell back" not in reason and not _fallback_warnings(caplog)


# /proc/cpuinfo "flags" of real CPUs, cut to the vector extensions (the rule reads nothing else).
SAPPHIRE_RAPIDS = "sse4_2 avx avx2 fma avx512f avx512bw avx512vl avx_vnni avx512_vnni amx_tile amx_int8"
ICE_LAKE = "sse4_2 avx avx2 fma avx512f avx512bw avx512vl avx512_vnni"
ALDER_LAKE = "sse4_2 avx avx2 fma avx_vnni"
ZEN2_EPYC = "sse4_2 avx avx2 fma"  # AVX2, no VNNI: the EPYC of issue 15
SKYLAKE_X = "sse4_2 avx avx2 fma avx512f avx512bw avx512vl"  # AVX-512 before VNNI


@pytest.mark.parametrize(("flags", "want"), [
    (SAPPHIRE_RAPIDS, "int8"), (ICE_LAKE, "int8"), (ALDER_LAKE, "int8"),
    (ZEN2_EPYC, "fp32"), (SKYLAKE_X, "fp32"), ("", "fp32")])
def test_cpu_precision_is_int8_exactly_with_vnni_or_amx(flags, want):
    precision, why = cpu_precision(frozenset(flags.split()))
    assert precision == want
    if want == "int8":
        assert any(f in why for f in ("avx512_vnni", "avx_vnni", "amx_int8"))
    else:
        assert "lacks VNNI and AMX" in why


def test_cpu_precision_without_flags_keeps_int8():
    assert cpu_precision(None)[0] == "int8"


def test_cpu_flags_reads_the_x86_flags_line_only(tmp_path):
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse avx2 avx512_vnni\n\n"
                   "processor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(x86) == frozenset({"fpu", "sse", "avx2", "avx512_vnni"})
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd asimddp\n")
    assert cpu_flags(arm) is None
    assert cpu_flags(tmp_path / "missing") is None


@pytest.mark.skipif(_ort_cuda(), reason="onnxruntime-gpu is installed")
def test_onnx_cuda_falls_back_with_one_warning(model_dir, caplog):
    backend, reason = load_backend("onnx", model_dir, device="cuda", threads=1)
    # The next choice down the chain: torch on CUDA where a GPU exists, else int8 ONNX on the CPU.
    want = ("torch", "cuda", "fp16") if _cuda() else ("onnx", "cpu", cpu_precision(cpu_flags())[0])
    assert (backend.name, backend.device, backend.precision) == want
    assert "fell back from onnx on cuda because" in reason
    assert "CUDAExecutionProvider" in reason and "onnxruntime-gpu" in reason
    assert _fallback_warnings(caplog) == [reason]  # exactly one warning, and it is the reason


@pytest.mark.skipif(_ort_cuda(), reason="onnxruntime-gpu is installed")
def test_onnx_cuda_strict_raises(model_dir, caplog):
    with pytest.raises(BackendUnavailable, match="CUDAExecutionProvider"):
        load_backend("onnx", model_dir, device="cuda", strict=True)
    assert not _fallback_warnings(caplog)


@pytest.mark.skipif(_cuda(), reason="a CUDA GPU is present")
def test_torch_cuda_without_gpu_falls_back_to_cpu(model_dir, caplog):
    backend, reason = load_backend("torch", model_dir, device="cuda", threads=1)
    assert backend.device == "cpu" and "fell back from torch on cuda" in reason
    assert len(_fallback_warnings(caplog)) == 1


def test_torch_has_no_int8(model_dir, caplog):
    backend, reason = load_backend("torch", model_dir, device="cpu", precision="int8", threads=1)
    assert (backend.name, backend.precision) == ("onnx", "int8")
    assert "fell back from torch on cpu because" in reason and "int8" in reason
    assert len(_fallback_warnings(caplog)) == 1
    with pytest.raises(BackendUnavailable, match="int8"):
        load_backend("torch", model_dir, device="cpu", precision="int8", strict=True)


def test_explicit_request_is_honoured(model_dir, caplog):
    backend, reason = load_backend("torch", model_dir, device="cpu", threads=1)
    assert (backend.name, backend.device, backend.precision) == ("torch", "cpu", "fp32")
    assert reason.endswith("as requested")
    info = backend.describe()
    assert info["backend"] == "torch" and info["precision"] == "fp32"
    backend, reason = load_backend("onnx", model_dir, device="cpu", precision="fp32", threads=1)
    info = backend.describe()
    assert (info["backend"], info["device"], info["precision"]) == ("onnx", "cpu", "fp32")
    assert info["provider"] == "CPUExecutionProvider" and info["onnxruntime"]
    assert not _fallback_warnings(caplog)


def test_top_tags_is_argmax_and_softmax_probability():
    import numpy as np

    from scanner.backends.base import top_tags

    rng = np.random.default_rng(3)
    logits = (rng.standard_normal((5, 17, 37)) * 8).astype(np.float32)
    logits[0, 0] = 1000.0  # a saturated row: no overflow, probability 1/37 for a 37-way tie
    best, prob = top_tags(logits)
    z = np.exp(logits.astype(np.float64) - logits.max(-1, keepdims=True))
    full = z / z.sum(-1, keepdims=True)
    assert (best == full.argmax(-1)).all()
    np.testing.assert_allclose(prob, full.max(-1), rtol=1e-5)
    assert prob.dtype == np.float32 and abs(prob[0, 0] - 1 / 37) < 1e-6


@pytest.mark.parametrize("name", ["torch", "onnx"])
def test_predict_matches_infer(model_dir, name):
    """``predict`` (what the scanner calls) is the argmax of ``infer``'s logits on the real model."""
    import numpy as np

    from scanner.backends.base import top_tags

    backend, _ = load_backend(name, model_dir, device="cpu", precision="fp32", strict=True)
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 30000, size=(3, 40)).astype(np.int64)
    ids[:, 0], ids[:, -1] = 101, 102
    mask = np.ones_like(ids)
    best, prob = backend.predict(ids, mask)
    ref_best, ref_prob = top_tags(backend.infer(ids, mask))
    assert best.shape == prob.shape == (3, 40)
    assert (best == ref_best).all()
    np.testing.assert_allclose(prob, ref_prob, rtol=1e-6)


@pytest.mark.slow
def test_compiled_torch_finds_what_eager_torch_finds(scanner):
    """``--compile`` (torch.compile, dynamic shapes) on the real model: same spans as eager."""
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document

    texts = ["Call Dolores Abernathy on (415) 555-0132 or write to dolores@example.net today.",
             "Patient Kwame Mensah, born 03/14/1987, lives at 12 Elm Street, Springfield.",
             "Nothing to see in this sentence about the weather."] * 3
    texts.append(" ".join(texts))  # a longer row: another batch shape, no recompile needed
    docs = [Document(str(i), "t", t) for i, t in enumerate(texts)]
    compiled = Scanner(ScanOptions(backend="torch", device="cpu", compile=True, strict_backend=True))
    assert compiled.describe()["compiled"] is True and scanner.describe()["compiled"] is False

    def spans(s):
        return [[(x.start, x.end, x.label) for x in r.spans] for r in s.scan_shard(docs)]

    got = spans(compiled)
    assert got == spans(scanner)
    assert any(label == "PERSON" for row in got for _, _, label in row)


@pytest.mark.skipif(_cuda(), reason="a CUDA GPU is present: auto picks a GPU backend")
def test_the_manifest_records_the_precision_auto_chose_and_why(tmp_path):
    import json

    from scanner.runner import RunOptions, run_scan

    doc = tmp_path / "one.jsonl"
    doc.write_text(json.dumps({"id": "a", "text": "Write to anna.kowalska@example.org today."}) + "\n")
    run_scan(RunOptions(inputs=[str(doc)], out_dir=str(tmp_path / "out")))
    backend = json.loads((tmp_path / "out" / "manifest.json").read_text())["backend"]
    precision, why = cpu_precision(cpu_flags())
    assert (backend["backend"], backend["precision"], backend["precision_reason"]) == ("onnx", precision, why)
    assert backend["backend_reason"].endswith(why)
