"""ONNX Runtime thread spinning and the CPU token budget: model-only wall and CPU seconds.

ONNX Runtime's pool threads spin (busy-wait) after each parallel section by default, so that the next
op starts without a wake-up; ``session.intra_op.allow_spinning = 0`` makes them sleep instead. This
script builds one session per (spinning, token budget) setting over the same export the scanner
runs (``--precision``, default int8) and times ``session.run`` over the windows of
``benchmarks/cold_scan.py``'s long documents, packed by the scanner's own batcher. Settings are
interleaved per round (order rotated, reversed on odd rounds); per run it records wall seconds and
this process' CPU seconds (``resource.getrusage``: every thread, the spinning ones included).
``--busy N`` runs N pure-Python busy loops in other processes beside it (a neighbour on the same
cores, as on a shared machine).

    python benchmarks/ort_spinning.py [--rounds 5] [--budgets 1024,2048] [--tokens 40000] [--busy 1]

Writes ``benchmarks/results/ort-spinning-<machine>-<UTC time>.{json,md}`` with the CPU model and flags.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402
from cold_scan import long_docs  # noqa: E402


def _busy(stop) -> None:
    while not stop.is_set():
        sum(range(10_000))


def _cpu_s() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budgets", default="1024,2048", help="padded tokens per batch, comma-separated")
    ap.add_argument("--tokens", type=int, default=40_000, help="window tokens per timed pass (a prefix)")
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--busy", type=int, default=0, help="busy neighbour processes")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()

    import numpy as np
    import onnxruntime as ort

    from scanner.backends.base import physical_cores
    from scanner.case import uses_case
    from scanner.export import ensure_onnx
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.windows import make_batches, make_windows, tokenize

    scanner = Scanner(ScanOptions(use_model=False))  # the tokenizer and ids only
    records = long_docs(100, 3550, 23)
    toks = tokenize(scanner.tokenizer, [r["text"] for r in records], case=uses_case(scanner.model.config))
    windows = []
    for i, tk in enumerate(toks):
        windows += make_windows(i, len(tk), tk.ids, 126, 32, tk.case)
    rng = np.random.default_rng(0)
    windows = [windows[i] for i in rng.permutation(len(windows))]
    keep = int(np.searchsorted(np.cumsum([len(w.ids) for w in windows]), args.tokens)) + 1
    windows = windows[:keep]
    tokens = sum(len(w.ids) for w in windows)
    path = ensure_onnx(scanner.model.path, args.precision)
    threads = args.threads or physical_cores()

    def session(spin: bool):
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        so.add_session_config_entry("session.inter_op.allow_spinning", "1" if spin else "0")
        return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    budgets = [int(b) for b in args.budgets.split(",")]
    settings = [(spin, b) for b in budgets for spin in (True, False)]
    sessions = {s: session(s[0]) for s in settings}
    batches = {b: list(make_batches(windows, b, scanner.cls_id, scanner.sep_id, scanner.pad_id)) for b in budgets}
    out_name = sessions[settings[0]].get_outputs()[0].name

    def once(setting) -> tuple[float, float]:
        sess = sessions[setting]
        c0, t0 = _cpu_s(), time.perf_counter()
        for b in batches[setting[1]]:
            feed = {"input_ids": b.input_ids, "attention_mask": b.attention_mask}
            if b.token_type_ids is not None:  # a model that reads case (scanner/case.py)
                feed["token_type_ids"] = b.token_type_ids
            sess.run([out_name], feed)
        return time.perf_counter() - t0, _cpu_s() - c0

    stop = mp.Event()
    neighbours = [mp.Process(target=_busy, args=(stop,), daemon=True) for _ in range(args.busy)]
    for p in neighbours:
        p.start()
    try:
        for s in settings:  # warm-up: shapes, arenas, prepacked weights
            once(s)
        runs = {s: {"wall_s": [], "cpu_s": []} for s in settings}
        loads = []
        for r in range(args.rounds):
            loads.append(round(os.getloadavg()[0], 2))
            order = settings[r % len(settings):] + settings[:r % len(settings)]
            for s in (order if r % 2 == 0 else order[::-1]):
                wall, cpu = once(s)
                runs[s]["wall_s"].append(round(wall, 3))
                runs[s]["cpu_s"].append(round(cpu, 3))
        loads.append(round(os.getloadavg()[0], 2))
    finally:
        stop.set()
        for p in neighbours:
            p.join()

    base = settings[0]
    rows = {}
    for s in settings:
        w, c = runs[s]["wall_s"], runs[s]["cpu_s"]
        rows[f"spin={'on' if s[0] else 'off'} budget={s[1]}"] = {
            **runs[s], "spinning": s[0], "token_budget": s[1], "median_wall_s": statistics.median(w),
            "median_cpu_s": statistics.median(c), "window_tokens_per_s": round(tokens / statistics.median(w)),
            "wall_vs_first": round(statistics.median(x / y for x, y in zip(w, runs[base]["wall_s"])), 3),
            "cpu_vs_first": round(statistics.median(x / y for x, y in zip(c, runs[base]["cpu_s"])), 3)}
    result = {"when": utc_iso(), "precision": args.precision, "threads": threads, "window_tokens": tokens,
              "windows": len(windows), "busy_neighbours": args.busy, "rounds": args.rounds,
              "onnxruntime": ort.__version__, "loadavg_per_round": loads, "rows": rows}
    write_result("ort-spinning", result, render, args.out)


def render(r: dict) -> str:
    lines = [f"# ONNX Runtime spinning x token budget, model only ({r['precision']}, {r['threads']} threads)", "",
             f"{machine_line(r['machine'], r['loadavg_per_round'])}; onnxruntime {r['onnxruntime']}; "
             f"{r['window_tokens']:,} window tokens ({r['windows']} windows of the cold-scan corpus); "
             f"{r['busy_neighbours']} busy neighbour process(es); {r['rounds']} interleaved rounds, {r['when']}; "
             f"load average per round {', '.join(map(str, r['loadavg_per_round']))}", "",
             "| setting | wall s (median) | CPU s (median) | window tok/s | wall x first (paired) | "
             "CPU x first (paired) |", "|---|---:|---:|---:|---:|---:|"]
    for name, v in r["rows"].items():
        lines.append(f"| {name} | {v['median_wall_s']:.2f} | {v['median_cpu_s']:.2f} | "
                     f"{v['window_tokens_per_s']:,} | {v['wall_vs_first']:.3f} | {v['cpu_vs_first']:.3f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
