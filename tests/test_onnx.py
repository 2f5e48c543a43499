"""ONNX export and the ONNX Runtime backend, on the real shipped model.

Exports go to a per-session temp cache (``PII_SCANNER_CACHE``), so they run once per test session
and never touch the user's cache. fp32 ONNX must reproduce torch fp32; int8 must nearly agree.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading

import numpy as np
import pytest

from scanner.model import ModelInfo

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

# Twenty varied sentences with personal data (all fictional), of different lengths so batches pad.
CORPUS = [
    "Please contact Maria Gonzalez at maria.gonzalez@example.com about the invoice.",
    "Call me on +1 (415) 555-0132 after 6pm, thanks, Tom.",
    "Patient John Whitaker, 54, was diagnosed with type 2 diabetes on 12 March 2021.",
    "Ship the parcel to 221B Baker Street, London NW1 6XE.",
    "Her SSN is 123-45-6789 and her date of birth is 1987-04-02.",
    "The card 4111 1111 1111 1111 expires 09/27, CVV on the back.",
    "Wire the funds to IBAN DE89 3704 0044 0532 0130 00 before Friday.",
    "Login from 192.168.10.24 by user jsmith_admin failed three times.",
    "Reset link: https://accounts.example.org/reset?token=abc123 (valid 24h).",
    "password=Hunter2!2024 and api_key=sk_live_51Hx9aBcDeFgHiJkLmNoPq",
    "Dr. Aisha Rahman from St. Mary's Hospital in Boston prescribed metformin.",
    "Employee Kenji Watanabe (ID E-448812) joined Acme Corporation in Osaka last year.",
    "Dear Mr. Olsen, your appointment on Tuesday, 4 June is confirmed.",
    "Lena Müller, 31, lives at Hauptstraße 12, 10115 Berlin, Germany.",
    "Send the report to priya.n@contoso.co.uk and cc raj.patel@contoso.co.uk.",
    "Our meeting with Globex Inc. in Toronto moved to 2023-11-17 at 10:00.",
    "The suspect, a 42-year-old Catholic man from Dublin, was released.",
    "He was born on July 4, 1976 in Springfield, Illinois, to Robert and Ann Miller.",
    "Nothing sensitive in this sentence about the weather and a cup of tea.",
    "Carlos Pereira's account number 000123456789 at Banco Central is overdrawn; "
    "reach him at carlos.pereira@mail.com or +44 20 7946 0958, or visit 14 Rua Augusta, Lisbon.",
]




@pytest.fixture(scope="session")
def exported(model_dir, onnx_cache):
    from scanner.export import export_onnx

    return export_onnx(model_dir)


@pytest.fixture(scope="session")
def batch(model_dir):
    """The corpus tokenised as one padded batch (rows of very different lengths)."""
    enc = ModelInfo.resolve(model_dir).tokenizer()(CORPUS, padding=True, truncation=True,
                                                    max_length=128, return_tensors="np")
    ids, mask = enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)
    assert (mask == 0).any()  # the batch really is padded
    return ids, mask


@pytest.fixture(scope="session")
def torch_backend(model_dir):
    from scanner.backends.torch_backend import TorchBackend

    return TorchBackend(model_dir, device="cpu", precision="fp32", threads=1)


@pytest.fixture(scope="session")
def torch_logits(torch_backend, batch):
    return torch_backend.infer(*batch)


def test_export_writes_fp32_int8_and_manifest(exported, model_dir, onnx_cache):
    import onnx
    import onnxruntime

    info = ModelInfo.resolve(model_dir)
    assert set(exported) == {"fp32", "int8"}
    out = exported["fp32"].parent
    assert out == onnx_cache / "onnx" / f"{info.id}-{info.sha256[:12]}"
    assert exported["fp32"].name == "model.fp32.onnx" and exported["int8"].name == "model.int8.onnx"
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["source_sha256"] == info.sha256 and manifest["export_version"] >= 1
    assert manifest["precisions"] == ["fp32", "int8"]
    assert manifest["onnx"] == onnx.__version__ and manifest["onnxruntime"] == onnxruntime.__version__
    assert manifest["files"]["fp32"]["max_abs_diff_vs_torch"] < 1e-3
    # Weights embedded: one file per precision, no external data, no leftovers from the temp folder.
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "export.json", "model.fp32.onnx", "model.int8.onnx"]
    assert not list(out.glob(".export-*"))
    graph = onnx.load(str(exported["fp32"]), load_external_data=False)
    assert graph.opset_import[0].version >= 17
    int8_ops = [n.op_type for n in onnx.load(str(exported["int8"])).graph.node]
    # q, k, v, attention out, ffn in/out per layer and the classifier, in per-token int8; no
    # per-batch DynamicQuantizeLinear; q, k and v share one quantized copy of their input
    assert int8_ops.count("MatMulIntegerToFloat") == 6 * 6 + 1
    assert "DynamicQuantizeLinear" not in int8_ops and "MatMul" in int8_ops  # attention scores stay fp32
    assert int8_ops.count("QuantizeLinear") == 6 * 4 + 1
    assert manifest["files"]["int8"]["quantized_matmuls"] == 37
    for inp in graph.graph.input:  # dynamic batch and sequence axes
        assert [d.dim_param for d in inp.type.tensor_type.shape.dim] == ["batch", "sequence"]


def test_ensure_onnx_reuses_the_export(exported, model_dir):
    from scanner.export import ensure_onnx, onnx_path

    out = exported["fp32"].parent
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    for precision in ("fp32", "int8"):
        assert ensure_onnx(model_dir, precision) == exported[precision] == onnx_path(model_dir, precision)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_concurrent_exports_run_once(exported, model_dir, tmp_path, caplog):
    """Two exporters of the same missing file: one does the work, the other waits and reuses it."""
    from scanner.export import export_onnx

    out = tmp_path / "onnx"
    out.mkdir()
    shutil.copy(exported["fp32"], out / "model.fp32.onnx")
    manifest = json.loads((exported["fp32"].parent / "export.json").read_text())
    del manifest["files"]["int8"]
    (out / "export.json").write_text(json.dumps(manifest))
    results: list = []
    caplog.set_level(logging.INFO, logger="scanner.export")
    threads = [threading.Thread(target=lambda: results.append(
        export_onnx(model_dir, out, precisions=("int8",)))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1] == {"int8": out / "model.int8.onnx"}
    assert sum("int8 ONNX" in r.getMessage() for r in caplog.records) == 1
    assert json.loads((out / "export.json").read_text())["precisions"] == ["fp32", "int8"]


def test_fp32_onnx_matches_torch(exported, model_dir, batch, torch_backend, torch_logits):
    from scanner.backends.onnx_backend import OnnxBackend

    backend = OnnxBackend(model_dir, device="cpu", precision="fp32", threads=1)
    assert backend.describe()["provider"] == "CPUExecutionProvider"
    logits = backend.infer(*batch)
    assert logits.dtype == np.float32 and logits.shape == torch_logits.shape
    np.testing.assert_allclose(logits, torch_logits, atol=1e-3, rtol=0)
    # Another batch and sequence size through the same session (dynamic axes).
    small = batch[0][3:5, :9], batch[1][3:5, :9]
    np.testing.assert_allclose(backend.infer(*small), torch_backend.infer(*small), atol=1e-3, rtol=0)


def test_int8_onnx_nearly_agrees_with_torch(exported, model_dir, batch, torch_logits):
    from scanner.backends.onnx_backend import OnnxBackend

    backend = OnnxBackend(model_dir, device="cpu", precision="int8", threads=1)
    assert backend.precision == "int8" and backend.describe()["precision_reason"] == "as requested"
    logits = backend.infer(*batch)
    valid = batch[1].astype(bool)
    agree = (logits.argmax(-1) == torch_logits.argmax(-1))[valid].mean()
    assert agree >= 0.95, f"int8 token tags agree with fp32 on only {agree:.1%} of tokens"


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_a_window_gets_the_same_logits_alone_or_in_any_batch(exported, model_dir, batch, precision):
    """Per-token int8 scales each token by itself: a row's logits are bit for bit the same alone
    (no padding), in the padded batch, in another batch and with another thread count, so findings
    cannot depend on what shares a batch (shard size, worker count, the rest of the corpus)."""
    from scanner.backends.onnx_backend import OnnxBackend

    ids, mask = batch
    one, two = (OnnxBackend(model_dir, device="cpu", precision=precision, threads=t) for t in (1, 2))
    from scanner.export import EXPORT_VERSION

    # the recipe is a result setting: results of another recipe are never mixed in (resume, audit)
    assert one.describe()["export_version"] == EXPORT_VERSION >= 3
    full = one.infer(ids, mask)
    np.testing.assert_array_equal(two.infer(ids, mask), full)
    for r in range(len(ids)):
        n = int(mask[r].sum())
        np.testing.assert_array_equal(one.infer(ids[r:r + 1, :n], mask[r:r + 1, :n])[0], full[r, :n])
    rows = [7, 0, 19]  # other neighbours, a narrower batch
    width = int(mask[rows].sum(1).max())
    got = one.infer(ids[rows, :width], mask[rows, :width])
    for k, r in enumerate(rows):
        n = int(mask[r].sum())
        np.testing.assert_array_equal(got[k, :n], full[r, :n])


def test_int8_findings_do_not_depend_on_the_shard_size(exported, model_dir):
    """The whole scanner on real held-out documents: one shard, shards of 3, shards of 1."""
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document
    from scanner.train.generator import generate

    docs = [Document(d["id"], "test", d["text"]) for d in generate(60, 3, "heldout")]
    scanner = Scanner(ScanOptions(model=model_dir, backend="onnx", device="cpu", precision="int8",
                                  strict_backend=True, threads=1))
    found = []
    for size in (len(docs), 3, 1):
        found.append([(r.doc_id, [(s.start, s.end, s.label, round(s.score, 6)) for s in r.spans], r.tier)
                      for i in range(0, len(docs), size) for r in scanner.scan_shard(docs[i:i + size])])
    assert sum(len(spans) for _, spans, _ in found[0]) > len(docs)  # the model finds things here
    assert found[0] == found[1] == found[2]


# -- the whole scanner, torch vs onnx --------------------------------------------------------------

def _scan(model_dir, backend: str, precision: str) -> list[set[tuple[int, int, str]]]:
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document

    scanner = Scanner(ScanOptions(model=model_dir, backend=backend, device="cpu", precision=precision,
                                  strict_backend=True, use_rules=False, threads=1))
    assert (scanner.backend.name, scanner.backend.precision) == (backend, precision)
    docs = [Document(doc_id=str(i), source="test", text=t) for i, t in enumerate(CORPUS)]
    return [{(s.start, s.end, s.label) for s in r.spans} for r in scanner.scan_shard(docs)]


@pytest.fixture(scope="session")
def torch_spans(model_dir):
    return _scan(model_dir, "torch", "fp32")


def test_scanner_spans_identical_torch_vs_onnx_fp32(exported, model_dir, torch_spans):
    assert sum(map(len, torch_spans)) >= len(CORPUS)  # the model finds things in this corpus
    assert _scan(model_dir, "onnx", "fp32") == torch_spans


def test_scanner_spans_int8_nearly_agree(exported, model_dir, torch_spans):
    int8 = _scan(model_dir, "onnx", "int8")
    common = sum(len(a & b) for a, b in zip(torch_spans, int8))
    total = sum(len(a) + len(b) for a, b in zip(torch_spans, int8))
    agreement = 2 * common / total  # span-level F1 of int8 against fp32
    assert agreement >= 0.9, f"int8 spans agree with fp32 on {agreement:.1%}"
