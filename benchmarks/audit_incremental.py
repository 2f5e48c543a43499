"""The second nightly audit of a corpus in which 1% of the documents changed, against the first.

Target (issue 13): the second run costs at most 3% of the first run's wall time plus model load.
Not part of the test suite (it scans 100,000 documents). Usage, from the repository root::

    python benchmarks/audit_incremental.py                       # 100,000 documents, --no-model
    python benchmarks/audit_incremental.py --docs 3000 --model   # the model too, a smaller corpus

Documents: ``--base`` held-out documents from the project's generator, repeated with distinct ids and
a distinct trailer, so every text is different and the pattern detectors have real work. The 1%
changed get a phone number appended (chosen with a fixed seed). Results go to
``benchmarks/results/audit-<model|nomodel>-<docs>-<machine>-<UTC time>.{json,md}`` (``benchlib.results``)
and are summarised in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402

from scanner.jsonl import write_jsonl  # noqa: E402


def make_corpus(path: Path, n: int, base: int) -> list[dict]:
    from scanner.train.generator import generate

    seeds = [d["text"] for d in generate(base, 11, "heldout")]
    rows = [{"id": f"doc-{i:06d}", "text": f"{seeds[i % base]}\n-- ref {i}"} for i in range(n)]
    write_jsonl(path, rows)
    return rows


def audit(corpus: Path, state: Path, model: bool) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "scanner", "audit", str(corpus), "--state", str(state), "--json", "-q"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd + ([] if model else ["--no-model"]), cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode not in (0, 3, 4):
        raise SystemExit(res.stderr[-3000:])
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    manifest = json.loads((state / "runs" / summary["run_id"] / "manifest.json").read_text())
    return wall, manifest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=2_000, help="distinct generator documents to repeat")
    ap.add_argument("--changed", type=float, default=0.01)
    ap.add_argument("--model", action="store_true", help="with the model (default: --no-model)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="results folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, state = Path(tmp) / "corpus.jsonl", Path(tmp) / "state"
        rows = make_corpus(corpus, args.docs, min(args.base, args.docs))
        wall1, m1 = audit(corpus, state, args.model)
        picked = random.Random(13).sample(range(args.docs), int(args.docs * args.changed))
        for i in picked:
            rows[i]["text"] += "\nUpdated: call +1 415 555 0142."
        write_jsonl(corpus, rows)
        wall2, m2 = audit(corpus, state, args.model)
    t1, t2 = m1["timings"], m2["timings"]
    budget = 0.03 * t1["wall_s"] + t2["model_load_s"]
    result = {
        "benchmark": "audit_incremental", "when": utc_iso(), "model": args.model, "documents": args.docs,
        "changed": len(picked), "first": {"process_wall_s": round(wall1, 2), **t1, "counts": m1["counts"]},
        "second": {"process_wall_s": round(wall2, 2), **t2, "counts": m2["counts"]},
        "second_over_first": round(t2["wall_s"] / t1["wall_s"], 4),
        # wall_s starts after the model is loaded (model_load_s is measured apart), so the target is:
        "target_s": round(budget, 3), "target_met": t2["wall_s"] + t2["model_load_s"] <= budget,
    }
    write_result(f"audit-{'model' if args.model else 'nomodel'}-{args.docs}", result, render, args.out)


def render(r: dict) -> str:
    first, second = r["first"], r["second"]
    return "\n".join([
        f"# Incremental audit: {r['documents']:,} documents, {r['changed']:,} changed, "
        f"{'with' if r['model'] else 'without'} the model", "",
        f"{r['when']}, {machine_line(r['machine'])}", "",
        f"first: {first['wall_s']:.1f}s (+{first['model_load_s']:.1f}s load); second: {second['wall_s']:.2f}s "
        f"(+{second['model_load_s']:.1f}s load), scanned {second['counts']['scanned']:,}; "
        f"second / first {r['second_over_first']:.2%}; target {r['target_s']}s "
        f"({'met' if r['target_met'] else 'NOT met'})", ""])


if __name__ == "__main__":
    main()
