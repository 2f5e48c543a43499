"""ONNX graphs for the CPU: fused vs unfused, per-batch vs per-token int8: speed, agreement, invariance.

Variants, all made from the shipped fp32 export (``scanner.export.ensure_onnx``) into
``benchmarks/results/tmp/`` (git-ignored; the ONNX cache is left as it is):

| variant | what |
|---|---|
| ``fp32`` | the TorchScript export (what ``--precision fp32`` runs) |
| ``fp32-fused`` | ONNX Runtime's transformer optimizer (``optimize_model``, ``model_type="bert"``): Attention, EmbedLayerNormalization, SkipLayerNormalization, BiasGelu |
| ``int8-dynamic`` | ``quantize_dynamic`` (per-channel QInt8 weights, one activation scale per batch): the CPU default before |
| ``int8-dynamic-fused`` | the same on the fused graph (QAttention) |
| ``int8`` | per-token int8 (``scanner.quantize``): the CPU default now |

Measured per variant, one process, the same ONNX Runtime settings as the backend:

* **speed**: window tokens/s through ``session.run`` on the scanner's own batches (held-out documents
  tokenised, windowed 128/32 and packed with the 1,024-token CPU budget), variants interleaved in
  chunks of ~64 windows with the order rotated, medians over rounds and paired ratios against fp32;
* **agreement**: Jaccard of exact (doc, start, end, label) spans against fp32 on short held-out
  documents (``Scanner.scan_shard``, rules on), and **invariance**: the same variant with shard size
  18 vs 1024 (1.0 = findings do not depend on what shares a batch).

    python benchmarks/onnx_cpu.py [--docs 600] [--speed-docs 300] [--rounds 3] [--threads N]

Results: ``benchmarks/results/onnx-cpu-<machine>-<UTC time>.{json,md}`` with the CPU model and flags.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.machine import cpu_info  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402
from int8_static import docs_of, jaccard  # noqa: E402

VARIANTS = ("fp32", "fp32-fused", "int8-dynamic", "int8-dynamic-fused", "int8")


def build_variants(names: list[str], tmp: Path) -> dict[str, Path]:
    """Each variant's file (made once per model hash)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    from scanner.export import ensure_onnx
    from scanner.model import ModelInfo

    info = ModelInfo.resolve(None)
    fp32, shipped_int8 = ensure_onnx(info.path, "fp32"), ensure_onnx(info.path, "int8")
    tag = info.sha256[:12]
    paths = {"fp32": fp32, "int8": shipped_int8, "fp32-fused": tmp / f"fp32-fused-{tag}.onnx",
             "int8-dynamic": tmp / f"int8-dynamic-{tag}.onnx",
             "int8-dynamic-fused": tmp / f"int8-dynamic-fused-{tag}.onnx"}
    tmp.mkdir(parents=True, exist_ok=True)
    logging.disable(logging.WARNING)  # the optimizer and quantizer log hundreds of lines
    fused_needed = {"fp32-fused", "int8-dynamic-fused"} & set(names)
    if fused_needed and not paths["fp32-fused"].exists():
        cfg = info.config
        opt = optimizer.optimize_model(str(fp32), model_type="bert", opt_level=0,
                                       num_heads=int(cfg["num_attention_heads"]), hidden_size=int(cfg["hidden_size"]))
        opt.save_model_to_file(str(paths["fp32-fused"]), use_external_data_format=False)
    for name, src, ops in (("int8-dynamic", fp32, ["MatMul"]),
                           ("int8-dynamic-fused", paths["fp32-fused"], ["MatMul", "Attention"])):
        if name in names and not paths[name].exists():
            quantize_dynamic(src, paths[name], per_channel=True, weight_type=QuantType.QInt8,
                             op_types_to_quantize=ops, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    logging.disable(logging.NOTSET)
    return {n: paths[n] for n in names}


def session(path: Path, threads: int):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def scanner_batches(n_docs: int, seed: int) -> tuple[list[list], int]:
    """The scanner's batches for ``n_docs`` held-out documents, in chunks of ~64 windows."""
    from scanner.case import uses_case
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.train.generator import generate
    from scanner.windows import make_batches, make_windows, tokenize

    s = Scanner(ScanOptions(use_model=False))
    toks = tokenize(s.tokenizer, [d["text"] for d in generate(n_docs, seed, "heldout")],
                    case=uses_case(s.model.config))
    wins = [w for i, t in enumerate(toks) if len(t) for w in make_windows(i, len(t), t.ids, 126, 32, t.case)]
    chunks, cur, n = [], [], 0
    for b in make_batches(wins, 1024, s.cls_id, s.sep_id, s.pad_id):
        feed = {"input_ids": b.input_ids, "attention_mask": b.attention_mask}
        if b.token_type_ids is not None:  # a model that reads case (scanner/case.py)
            feed["token_type_ids"] = b.token_type_ids
        cur.append(feed)
        n += len(b.windows)
        if n >= 64:
            chunks.append(cur)
            cur, n = [], 0
    return chunks + ([cur] if cur else []), sum(len(w.ids) for w in wins)


def speed(paths: dict[str, Path], chunks: list[list], rounds: int, threads: int) -> dict[str, list[float]]:
    sessions = {k: session(p, threads) for k, p in paths.items()}
    for s in sessions.values():
        s.run(None, chunks[0][0])
    names = list(paths)
    secs = {k: [0.0] * rounds for k in names}
    for r in range(rounds):
        for c, chunk in enumerate(chunks):
            j = (c + r) % len(names)
            for k in names[j:] + names[:j]:
                t0 = time.perf_counter()
                for feed in chunk:
                    sessions[k].run(None, feed)
                secs[k][r] += time.perf_counter() - t0
    return secs


def spans_of(path: Path, docs: list, shard: int, threads: int) -> set:
    from scanner.pipeline import Scanner, ScanOptions

    s = Scanner(ScanOptions(backend="onnx", device="cpu", precision="fp32", strict_backend=True, threads=threads))
    s.backend.session = session(path, threads)
    out = set()
    for i in range(0, len(docs), shard):
        for r in s.scan_shard(docs[i:i + shard]):
            out |= {(r.doc_id, sp.start, sp.end, sp.label) for sp in r.spans}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600, help="short held-out documents for agreement")
    ap.add_argument("--speed-docs", type=int, default=300, help="held-out documents whose windows are timed")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: physical cores)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = ap.parse_args()
    from scanner.backends.base import physical_cores

    threads = a.threads or physical_cores()
    names = a.variants.split(",")
    paths = build_variants(names, REPO / "benchmarks" / "results" / "tmp")
    chunks, tokens = scanner_batches(a.speed_docs, 11)
    load0 = os.getloadavg()[0]
    secs = speed(paths, chunks, a.rounds, threads)
    load1 = os.getloadavg()[0]
    docs = docs_of("heldout", a.docs, 11, 2000)
    ref = spans_of(paths[names[0]], docs, 1024, threads)
    rows = {}
    for k in names:
        big = ref if k == names[0] else spans_of(paths[k], docs, 1024, threads)
        small = spans_of(paths[k], docs, 18, threads)
        med = statistics.median(secs[k])
        rows[k] = {"file": paths[k].name, "seconds": [round(x, 2) for x in secs[k]], "median_s": round(med, 3),
                   "window_tokens_per_s": round(tokens / med),
                   "speedup_vs_first": round(statistics.median(b / x for b, x in zip(secs[names[0]], secs[k])), 3),
                   "jaccard_vs_first": round(jaccard(big, ref), 4), "jaccard_shard18_vs_1024": round(jaccard(small, big), 4),
                   "spans": len(big)}
        print(k, rows[k], flush=True)
    cpu = cpu_info()
    result = {"when": utc_iso(), "host": socket.gethostname(),
              "cpu": cpu, "threads": threads, "speed_docs": a.speed_docs, "window_tokens": tokens,
              "agreement_docs": len(docs), "rounds": a.rounds, "reference": names[0], "loadavg": [load0, load1],
              "contended": max(load0, load1) > int(cpu["cpus"] or 1) / 2,
              "onnxruntime": __import__("onnxruntime").__version__, "rows": rows}
    write_result("onnx-cpu", result, markdown, a.out)


def markdown(r: dict) -> str:
    lines = ["# ONNX on the CPU: fused vs unfused, per-batch vs per-token int8", "",
             f"{r['when']}, {r['cpu']['model']} ({r['cpu']['cpus']} CPUs; {' '.join(r['cpu']['flags'])}); "
             f"onnxruntime {r['onnxruntime']}, {r['threads']} threads; speed: {r['window_tokens']:,} window tokens "
             f"({r['speed_docs']} held-out docs), {r['rounds']} rounds interleaved; agreement: {r['agreement_docs']} "
             f"short held-out docs; load average {r['loadavg'][0]:.1f}-{r['loadavg'][1]:.1f}"
             f"{' (CONTENDED)' if r['contended'] else ''}", "",
             f"| variant | window tok/s (median) | x {r['reference']} (paired) | Jaccard vs {r['reference']} | "
             "shard 18 vs 1024 | seconds per round |", "|---|---:|---:|---:|---:|---|"]
    for k, v in r["rows"].items():
        lines.append(f"| {k} | {v['window_tokens_per_s']:,} | {v['speedup_vs_first']:.2f} | "
                     f"{v['jaccard_vs_first']:.4f} | {v['jaccard_shard18_vs_1024']:.4f} | "
                     f"{', '.join(map(str, v['seconds']))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
