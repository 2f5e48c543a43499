"""Static (calibrated, QDQ) int8 against dynamic int8 and fp32: agreement, shard-size invariance, speed.

Dynamic int8 quantizes activations with one scale per batch, so a document's findings depend on what
shares its batch. Static quantization fixes every scale from calibration data once, so a document's
result cannot depend on its batch. (Since export recipe 3 the shipped int8, ``onnx-int8`` here, is
per-token and batch-invariant too: ``scanner/quantize.py``; the per-batch recipe is ``onnx_cpu.py``'s
``int8-dynamic``.) This script measures, on short held-out documents:

* agreement with torch fp32 (the reference backend): Jaccard of exact (doc, start, end, label) spans;
* invariance: the same backend with ``--shard-size`` 18 vs 1024 (Jaccard 1.0 = invariant);
* speed: seconds to scan the corpus (``Scanner.scan_shard``, one process), backends interleaved over
  rounds; contended when the load average is above half the cores.

Calibration uses *training* documents (``generate(n, seed, "train")``), never the held-out ones scored.
Results: ``benchmarks/results/int8-static-<machine>-<UTC time>.{json,md}`` (``benchlib.results``), with
the CPU model and flags.

    python benchmarks/int8_static.py --docs 600 --calib 200 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.machine import contended, machine_info, machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402


def docs_of(split: str, n: int, seed: int, max_chars: int) -> list:
    from scanner.records import Document
    from scanner.train.generator import generate

    out = []
    for d in generate(n * 4, seed, split):
        if len(d["text"]) <= max_chars:
            out.append(Document(d["id"], split, d["text"]))
        if len(out) == n:
            break
    return out


def calibration_batches(scanner, docs: list) -> list[dict]:
    """The exact batches the scanner would feed its backend for ``docs`` (windows, padding, masks)."""
    seen: list[dict] = []
    real = scanner.backend.predict

    def record(ids, mask):
        seen.append({"input_ids": ids.astype("int64"), "attention_mask": mask.astype("int64")})
        return real(ids, mask)

    scanner.backend.predict = record
    try:
        scanner.scan_shard(docs)
    finally:
        scanner.backend.predict = real
    return seen


def quantize_static(fp32: Path, dst: Path, batches: list[dict], method: str, weights_only: bool) -> float:
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType
    from onnxruntime.quantization import quantize_static as qs

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(batches)

        def get_next(self):
            b = next(self.it, None)
            if b is not None and "token_type_ids" in inputs:
                b = {**b, "token_type_ids": b["input_ids"] * 0}
            return b

    graph = onnx.load(str(fp32)).graph
    inputs = {i.name for i in graph.input}
    weights = {t.name for t in graph.initializer}
    # activation x activation MatMuls (attention scores and their mix): one fixed scale suits them
    # least; weights_only keeps them fp32
    exclude = [n.name for n in graph.node if n.op_type == "MatMul" and not weights & set(n.input)]
    t0 = time.perf_counter()
    qs(str(fp32), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
       activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
       calibrate_method=getattr(CalibrationMethod, method), nodes_to_exclude=exclude if weights_only else [],
       extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return time.perf_counter() - t0


def make_scanner(kind: str, static_path: Path | None):
    from scanner.pipeline import Scanner, ScanOptions

    if kind == "torch-fp32":
        return Scanner(ScanOptions(backend="torch", device="cpu", strict_backend=True))
    precision = "fp32" if kind == "onnx-fp32" else "int8"
    s = Scanner(ScanOptions(backend="onnx", device="cpu", precision=precision, strict_backend=True))
    if kind == "onnx-int8-static":
        import onnxruntime as ort

        b = s.backend
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.intra_op_num_threads = b.threads
        so.inter_op_num_threads = 1
        b.session = ort.InferenceSession(str(static_path), so, providers=["CPUExecutionProvider"])
        b.path = static_path
    return s


def spans(scanner, docs: list, shard: int) -> tuple[set, float]:
    t0 = time.perf_counter()
    out = set()
    for i in range(0, len(docs), shard):
        for r in scanner.scan_shard(docs[i:i + shard]):
            out |= {(r.doc_id, s.start, s.end, s.label) for s in r.spans}
    return out, time.perf_counter() - t0


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--calib", type=int, default=200)
    ap.add_argument("--max-chars", type=int, default=2000, help="short documents only")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--method", default="MinMax", help="CalibrationMethod: MinMax, Percentile, Entropy")
    ap.add_argument("--weights-only", action="store_true",
                    help="quantize only MatMuls with a weight input (attention MatMuls stay fp32)")
    ap.add_argument("--kinds", default="torch-fp32,onnx-fp32,onnx-int8,onnx-int8-static",
                    help="backends to run; the first is the reference")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = ap.parse_args()
    from scanner.export import ensure_onnx
    from scanner.model import ModelInfo

    model = ModelInfo.resolve(None)
    fp32 = ensure_onnx(model.path, "fp32")
    ensure_onnx(model.path, "int8")
    tmp = REPO / "benchmarks" / "results" / "tmp"  # git-ignored; the user's ONNX cache stays as it is
    variant = a.method.lower() + ("-weights" if a.weights_only else "")
    static = tmp / f"model.int8-static-{variant}-{model.sha256[:12]}.onnx"
    tmp.mkdir(parents=True, exist_ok=True)
    heldout = docs_of("heldout", a.docs, 11, a.max_chars)
    calib_docs = docs_of("train", a.calib, 5, a.max_chars)
    quant_s = None
    if not static.exists():
        quant_s = quantize_static(fp32, static, calibration_batches(make_scanner("onnx-fp32", None),
                                                                    calib_docs), a.method, a.weights_only)
    kinds = a.kinds.split(",")
    scanners = {k: make_scanner(k, static) for k in kinds}
    for s in scanners.values():  # warm-up: first calls allocate
        s.scan_shard(heldout[:4])
    found: dict[tuple[str, int], set] = {}
    secs: dict[str, list[float]] = {k: [] for k in kinds}
    loads = []
    for rnd in range(a.rounds):
        order = kinds[rnd % len(kinds):] + kinds[:rnd % len(kinds)]
        for k in order:
            loads.append(os.getloadavg()[0])
            found[(k, 1024)], t = spans(scanners[k], heldout, 1024)
            secs[k].append(round(t, 2))
    for k in kinds:
        found[(k, 18)], _ = spans(scanners[k], heldout, 18)
    ref = found[(kinds[0], 1024)]
    machine = machine_info()
    result = {
        "when": utc_iso(), "machine": machine,
        "docs": len(heldout), "tokens": sum(r.n_tokens for r in scanners[kinds[0]].scan_shard(heldout)),
        "calibration_docs": len(calib_docs), "method": a.method, "weights_only": a.weights_only,
        "reference": kinds[0], "quantize_s": quant_s,
        "contended": contended(loads, machine), "loadavg": loads,
        "rows": {k: {"jaccard_vs_reference": round(jaccard(found[(k, 1024)], ref), 4),
                     "jaccard_shard18_vs_1024": round(jaccard(found[(k, 18)], found[(k, 1024)]), 4),
                     "spans": len(found[(k, 1024)]), "seconds": secs[k],
                     "median_s": statistics.median(secs[k])} for k in kinds}}
    write_result("int8-static", result, markdown, a.out)


def markdown(r: dict) -> str:
    lines = [f"# int8 static (QDQ, {r['method']}{', attention MatMuls fp32' if r.get('weights_only') else ''}, "
             f"{r['calibration_docs']} training docs) vs dynamic vs fp32",
             "", f"{r['when']}, {machine_line(r['machine'], r['loadavg'])}; "
             f"{r['docs']} held-out docs, {r['tokens']} tokens", "",
             f"| backend | Jaccard vs {r.get('reference', 'torch-fp32')} | Jaccard shard 18 vs 1024 | spans | "
             "seconds (median; rounds) |",
             "|---|---:|---:|---:|---:|"]
    for k, v in r["rows"].items():
        lines.append(f"| {k} | {v['jaccard_vs_reference']:.4f} | {v['jaccard_shard18_vs_1024']:.4f} | "
                     f"{v['spans']} | {v['median_s']:.2f} ({', '.join(map(str, v['seconds']))}) |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
