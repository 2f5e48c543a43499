"""Window length and overlap on long documents: the share of model tokens spent on overlap, speed, quality.

Every document longer than a window is cut into windows of ``max_length`` tokens (special tokens
included) that overlap by ``stride`` tokens; the overlap is inferred twice. This script scans the
same documents with several ``(max_length, stride)`` settings through ``Scanner.scan_shard`` (the
default CPU backend unless ``--backend``/``--precision`` say otherwise) and reports, per setting:

* window tokens / document tokens on the long documents (1.0 = no overlap) and the overlap share;
* seconds to scan the long documents: settings interleaved document by document (each long document
  scanned by every setting in turn, the order rotated), so a noisy neighbour slows every setting
  alike; medians over rounds and paired ratios;
* quality: micro overlap and exact F1 on ``--docs`` held-out documents and on the long documents
  (``scanner.evaluate.score``; gold spans from the generator).

Long documents are held-out documents joined with blank lines until ``--long-chars`` characters, as
``benchmarks/run.py`` makes them. The model was trained on 128-token windows, so longer windows are
adopted only if quality holds (overlap F1 within 0.003 of the default on both sets).

    python benchmarks/windows.py --docs 1000 --long 40 --rounds 3 \\
        --configs 128/32,128/16,256/32,256/64,512/64

Results: ``benchmarks/results/windows-<machine>-<UTC time>.{json,md}`` with the CPU model and flags.
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

from benchlib.corpus import join_docs  # noqa: E402
from benchlib.machine import cpu_info  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402


def corpora(n_docs: int, n_long: int, long_chars: int, seed: int) -> tuple[list[dict], list[dict]]:
    from scanner.train.generator import generate

    heldout = list(generate(n_docs, seed, "heldout"))
    pool = list(generate(max(50, n_long * long_chars // 600), seed + 1, "heldout"))
    per = max(1, len(pool) // max(n_long, 1))
    longs = [join_docs(pool[i * per:] + pool, long_chars, f"long-{i}") for i in range(n_long)]
    return heldout, longs


def make_scanner(length: int, stride: int, a: argparse.Namespace):
    from scanner.pipeline import Scanner, ScanOptions

    return Scanner(ScanOptions(backend=a.backend, device="cpu", precision=a.precision, max_length=length,
                               stride=stride, threads=a.threads))


def scan(scanner, records: list[dict], shard: int = 256) -> tuple[list, float, int, int]:
    """Spans per record, seconds, window tokens (specials excluded) and document tokens."""
    from scanner.records import Document

    out, doc_tokens, tokens, windows = [], 0, 0, 0
    t0 = time.perf_counter()
    for i in range(0, len(records), shard):
        docs = [Document(r["id"], "bench", r["text"]) for r in records[i:i + shard]]
        results, timings = scanner.scan_shard_timed(docs)  # the shard's own counts
        tokens, windows = tokens + timings.tokens, windows + timings.windows
        for res in results:
            out.append(res.spans)
            doc_tokens += res.n_tokens
    secs = time.perf_counter() - t0
    window_tokens = tokens - 2 * windows
    return out, secs, window_tokens, doc_tokens


def quality(records: list[dict], spans: list) -> dict:
    from scanner.evaluate import score

    rep = score([r["text"] for r in records], [r["spans"] for r in records], spans)
    return {"f1_overlap": round(rep.micro(rep.overlap).f1, 4), "f1_exact": round(rep.micro(rep.exact).f1, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000, help="held-out documents scored")
    ap.add_argument("--long", type=int, default=40, help="long documents (joined held-out documents)")
    ap.add_argument("--long-chars", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--configs", default="128/32,128/16,256/32,256/64,512/64", help="max_length/stride,...")
    ap.add_argument("--backend", default="auto")
    ap.add_argument("--precision", default="auto")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-quality", action="store_true", help="speed only")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = ap.parse_args()
    configs = [tuple(int(x) for x in c.split("/")) for c in a.configs.split(",")]
    heldout, longs = corpora(a.docs, a.long, a.long_chars, a.seed)
    scanners = {c: make_scanner(*c, a) for c in configs}
    rows: dict = {f"{c[0]}/{c[1]}": {"seconds": []} for c in configs}
    loads = []
    for c, s in scanners.items():  # warm-up, and quality once per setting
        row = rows[f"{c[0]}/{c[1]}"]
        spans, _, wt, dt = scan(s, longs)
        row.update(window_tokens=wt, doc_tokens=dt, window_per_doc_token=round(wt / dt, 4),
                   overlap_share=round(1 - dt / wt, 4))
        if not a.no_quality:
            row["long"], row["heldout"] = quality(longs, spans), quality(heldout, scan(s, heldout)[0])
        print(f"{c}: {row}", flush=True)
    for r in range(a.rounds):
        loads.append(round(os.getloadavg()[0], 2))
        secs = dict.fromkeys(configs, 0.0)
        for k, doc in enumerate(longs):
            j = (k + r) % len(configs)
            for c in configs[j:] + configs[:j]:
                secs[c] += scan(scanners[c], [doc])[1]
        for c in configs:
            rows[f"{c[0]}/{c[1]}"]["seconds"].append(round(secs[c], 2))
    base = f"{configs[0][0]}/{configs[0][1]}"
    for row in rows.values():
        row["median_s"] = statistics.median(row["seconds"])
        # paired per round: both ran in the same round, so they saw the same machine state
        row["speedup_vs_first"] = round(statistics.median(
            b / x for b, x in zip(rows[base]["seconds"], row["seconds"])), 3)
        row["doc_tokens_per_s"] = round(row["doc_tokens"] / row["median_s"])
    s0 = scanners[configs[0]]
    cpu = cpu_info()
    result = {"when": utc_iso(), "host": socket.gethostname(),
              "cpu": cpu, "backend": s0.describe().get("backend"), "precision": s0.describe().get("precision"),
              "heldout_docs": len(heldout), "long_docs": len(longs),
              "long_chars": sum(len(d["text"]) for d in longs), "rounds": a.rounds, "loadavg": loads,
              "contended": any(x > int(cpu["cpus"] or 1) / 2 for x in loads), "rows": rows}
    write_result("windows", result, markdown, a.out)


def markdown(r: dict) -> str:
    q = lambda v, k: f"{v[k]['f1_overlap']:.4f} / {v[k]['f1_exact']:.4f}" if k in v else "-"
    lines = [f"# Window length / overlap on long documents ({r['backend']} {r['precision']})", "",
             f"{r['when']}, {r['cpu']['model']} ({r['cpu']['cpus']} CPUs; {' '.join(r['cpu']['flags'])}); "
             f"{r['long_docs']} long docs ({r['long_chars']:,} chars), {r['heldout_docs']} held-out docs; "
             f"{r['rounds']} rounds; {'CONTENDED (load average above half the cores)' if r['contended'] else 'quiet'}",
             "", "| max_length/stride | window tok / doc tok | overlap share | long s (median) | speed-up "
             "(paired) | held-out F1 ovl / exact | long F1 ovl / exact |", "|---|---:|---:|---:|---:|---:|---:|"]
    for k, v in r["rows"].items():
        lines.append(f"| {k} | {v['window_per_doc_token']:.3f} | {v['overlap_share']:.1%} | {v['median_s']:.2f} "
                     f"({', '.join(map(str, v['seconds']))}) | {v['speedup_vs_first']:.2f}x | "
                     f"{q(v, 'heldout')} | {q(v, 'long')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
