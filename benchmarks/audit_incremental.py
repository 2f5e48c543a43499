"""The second nightly audit of a corpus in which 1% of the documents changed, against the first.

Target (issue 13): the second run costs at most 3% of the first run's wall time plus model load.
Not part of the test suite (it scans 100,000 documents). Usage, from the repository root::

    python benchmarks/audit_incremental.py                       # 100,000 documents, --no-model
    python benchmarks/audit_incremental.py --docs 3000 --model   # the model too, a smaller corpus

Documents: ``--base`` held-out documents from the project's generator, repeated with distinct ids and
a distinct trailer, so every text is different and the pattern detectors have real work. The 1%
changed get a phone number appended (chosen with a fixed seed). Results go to
``benchmarks/results/audit-<cpu>-<time>.json`` and are summarised in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_corpus(path: Path, n: int, base: int) -> list[dict]:
    from scanner.train.generator import generate

    seeds = [d["text"] for d in generate(base, 11, "heldout")]
    rows = [{"id": f"doc-{i:06d}", "text": f"{seeds[i % base]}\n-- ref {i}"} for i in range(n)]
    write(path, rows)
    return rows


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


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


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=2_000, help="distinct generator documents to repeat")
    ap.add_argument("--changed", type=float, default=0.01)
    ap.add_argument("--model", action="store_true", help="with the model (default: --no-model)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, state = Path(tmp) / "corpus.jsonl", Path(tmp) / "state"
        rows = make_corpus(corpus, args.docs, min(args.base, args.docs))
        wall1, m1 = audit(corpus, state, args.model)
        picked = random.Random(13).sample(range(args.docs), int(args.docs * args.changed))
        for i in picked:
            rows[i]["text"] += "\nUpdated: call +1 415 555 0142."
        write(corpus, rows)
        wall2, m2 = audit(corpus, state, args.model)
    t1, t2 = m1["timings"], m2["timings"]
    budget = 0.03 * t1["wall_s"] + t2["model_load_s"]
    result = {
        "benchmark": "audit_incremental", "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_name(), "cores": __import__("os").cpu_count(), "model": args.model, "documents": args.docs,
        "changed": len(picked), "first": {"process_wall_s": round(wall1, 2), **t1, "counts": m1["counts"]},
        "second": {"process_wall_s": round(wall2, 2), **t2, "counts": m2["counts"]},
        "second_over_first": round(t2["wall_s"] / t1["wall_s"], 4),
        # wall_s starts after the model is loaded (model_load_s is measured apart), so the target is:
        "target_s": round(budget, 3), "target_met": t2["wall_s"] + t2["model_load_s"] <= budget,
    }
    out = ROOT / "benchmarks" / "results" / f"audit-{'model' if args.model else 'nomodel'}-{args.docs}-" \
                                            f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("documents", "changed", "second_over_first", "target_met")}))
    print(f"first: {t1['wall_s']:.1f}s (+{t1['model_load_s']:.1f}s load), second: {t2['wall_s']:.2f}s "
          f"(+{t2['model_load_s']:.1f}s load), scanned {m2['counts']['scanned']:,}; wrote {out}")


if __name__ == "__main__":
    main()
