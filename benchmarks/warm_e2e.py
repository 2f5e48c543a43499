"""Warm end-to-end scanning vs the model alone, on the same long documents, in one process.

Issue 15's target: a warm scan's document tokens/s at least 0.9x the model's own over the same
windows, i.e. at most ~11% of the time outside inference. One process, one ``Scanner`` (default
settings unless ``--precision``/``--threads``), warmed up by a first scan; the same ``--docs`` long
documents ``benchmarks/cold_scan.py`` builds. Cases, interleaved per round (order rotated, reversed
on odd rounds), each timed over every document:

* ``model``: ``backend.infer`` over the exact batches the scanner makes of these documents (its own
  windows, ``make_batches`` with its token budget), built before the clock starts;
* ``predict``: the same through ``backend.predict`` (infer + the argmax/probability the scanner uses);
* ``shard``: ``Scanner.scan_shard_timed`` over the documents in 1,024-document shards (tokenise,
  window, infer, decode, detectors, merge, policy; no I/O);
* ``run_scan``: ``scanner.runner.run_scan`` with the same warm scanner: read the JSONL, scan, write
  Parquet and the manifest (what ``pii-scanner scan`` does once its model is loaded);
* ``shard_overlap`` (``--overlap-rules``): ``shard`` with a second scanner whose detectors run in a
  thread beside inference (``ScanOptions.overlap_rules``, the GPU default), to see if a CPU gains.

Tokens/s are document tokens (each token once, whatever the window overlap) / seconds, for every
case, so ``case / model`` is ``model seconds / case seconds``. Paired per round; medians. The
manifest's stage timings of the last ``run_scan`` say where the rest goes.

    python benchmarks/warm_e2e.py [--rounds 5] [--docs 100]

Writes ``benchmarks/results/warm-e2e-<machine>-<UTC time>.{json,md}`` with the CPU model and flags.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402
from cold_scan import long_docs  # noqa: E402

CASES = ("model", "predict", "shard", "run_scan")


def model_batches(scanner, docs) -> list:
    """The batches ``Scanner.model_spans`` makes of these documents (same windows, same budget)."""
    from scanner.windows import make_batches, make_windows

    prep = scanner.prepare(docs)
    windows = []
    for i, tk in enumerate(prep.toks):
        if len(tk):
            windows += make_windows(i, len(tk), tk.ids, scanner.options.max_length - 2, scanner.options.stride,
                                    tk.case)
    return list(make_batches(windows, scanner.token_budget, scanner.cls_id, scanner.sep_id, scanner.pad_id,
                             pad_multiple=scanner.pad_multiple))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--doc-chars", type=int, default=3550)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--overlap-rules", action="store_true", help="also time shard_overlap")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()
    cases = CASES + (("shard_overlap",) if args.overlap_rules else ())

    from dataclasses import replace

    from scanner.jsonl import write_jsonl
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document
    from scanner.runner import RunOptions, run_scan

    records = long_docs(args.docs, args.doc_chars, args.seed)
    opts = ScanOptions(precision=args.precision, threads=args.threads)
    scanner = Scanner(opts)
    overlapping = Scanner(replace(opts, overlap_rules=True)) if args.overlap_rules else None
    docs = [Document(r["id"], "bench", r["text"]) for r in records]
    batches = model_batches(scanner, docs)
    doc_tokens = sum(len(t) for t in scanner.prepare(docs).toks)
    window_tokens = sum(b.n_tokens - 2 * len(b.windows) for b in batches)
    backend = scanner.backend

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "docs.jsonl"
        write_jsonl(corpus, ({"id": r["id"], "text": r["text"]} for r in records))
        run = RunOptions(inputs=[str(corpus)], out_dir=str(Path(tmp) / "out"), fresh=True, scan=opts, workers=1)

        def once(case: str) -> tuple[float, dict | None]:
            t0 = time.perf_counter()
            manifest = None
            if case == "model":
                for b in batches:
                    backend.infer(b.input_ids, b.attention_mask, b.token_type_ids)
            elif case == "predict":
                for b in batches:
                    backend.predict(b.input_ids, b.attention_mask, b.token_type_ids)
            elif case in ("shard", "shard_overlap"):
                s = scanner if case == "shard" else overlapping
                for i in range(0, len(docs), 1024):
                    s.scan_shard_timed(docs[i:i + 1024])
            else:
                manifest = run_scan(run, scanner=scanner)[1]
            return time.perf_counter() - t0, manifest

        for case in cases:  # warm-up: first calls, ONNX Runtime's shapes, pyarrow's imports
            once(case)
        seconds: dict[str, list[float]] = {c: [] for c in cases}
        loads, stages = [], None
        for r in range(args.rounds):
            loads.append(round(os.getloadavg()[0], 2))
            order = list(cases[r % len(cases):] + cases[:r % len(cases)])
            for case in (order if r % 2 == 0 else order[::-1]):
                s, manifest = once(case)
                seconds[case].append(round(s, 3))
                if manifest is not None:
                    stages = {k: round(v, 3) for k, v in manifest["timings"].items() if isinstance(v, float)}
            print(f"round {r + 1}: " + ", ".join(f"{c} {seconds[c][-1]:.2f}s" for c in cases), flush=True)
        loads.append(round(os.getloadavg()[0], 2))

    rows = {}
    for c in cases:
        med = statistics.median(seconds[c])
        paired = [m / x for m, x in zip(seconds["model"], seconds[c])]
        rows[c] = {"seconds": seconds[c], "median_s": med, "doc_tokens_per_s": round(doc_tokens / med),
                   "vs_model": round(statistics.median(paired), 3),
                   "vs_model_range": [round(min(paired), 3), round(max(paired), 3)]}
    result = {"when": utc_iso(), "rounds": args.rounds, "backend": scanner.describe(),
              "corpus": {"docs": len(docs), "chars": sum(len(r["text"]) for r in records), "seed": args.seed,
                         "doc_tokens": doc_tokens, "window_tokens": window_tokens,
                         "windows": sum(len(b.windows) for b in batches), "batches": len(batches)},
              "loadavg_per_round": loads, "contended": any(x > (os.cpu_count() or 1) / 2 for x in loads),
              "rows": rows, "last_run_scan_stages_s": stages}
    write_result("warm-e2e", result, render, args.out)


def render(r: dict) -> str:
    b, c = r["backend"], r["corpus"]
    lines = ["# Warm end-to-end vs model-only (document tokens/s)", "",
             f"{machine_line(r['machine'], r['loadavg_per_round'])}; {b.get('backend')} {b.get('precision')} "
             f"({b.get('threads')} threads); {c['docs']} long documents ({c['chars']:,} chars, "
             f"{c['doc_tokens']:,} document tokens, {c['window_tokens']:,} window tokens in {c['batches']} "
             f"batches); {r['rounds']} interleaved rounds, {r['when']}; load average per round "
             f"{', '.join(map(str, r['loadavg_per_round']))}", "",
             "| case | s (median) | doc tokens/s | x model (paired median, range) |", "|---|---:|---:|---:|"]
    for name, v in r["rows"].items():
        lo, hi = v["vs_model_range"]
        lines.append(f"| {name} | {v['median_s']:.2f} | {v['doc_tokens_per_s']:,} | {v['vs_model']:.2f} "
                     f"({lo:.2f}-{hi:.2f}) |")
    if r["last_run_scan_stages_s"]:
        lines += ["", "Stages of the last `run_scan` (manifest timings, s): "
                  + json.dumps(r["last_run_scan_stages_s"])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
