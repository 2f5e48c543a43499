"""Ray engine vs the local engine on one machine: the same corpus, the same command, interleaved.

Each (engine, round) is a fresh ``python -m scanner scan`` process, engines alternating and the
order rotated per round, so a noisy neighbour slows both. Reported per run: the whole process'
wall time (Ray's start-up and the actor's model load included), the manifest's ``wall_s`` and
``start_workers`` (scanning = the difference), and whether both engines wrote the same rows.
Results: ``benchmarks/results/ray-overhead-<machine>-<UTC time>.{json,md}`` (``benchlib.results``) with
the CPU model and flags and the load average before each run; a load average above half the cores
marks the run contended.

    python benchmarks/ray_overhead.py                  # 2,000 held-out documents, 3 rounds
    python benchmarks/ray_overhead.py --docs 200 --rounds 1 --args "--backend torch"
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from benchlib.corpus import heldout_corpus  # noqa: E402
from benchlib.machine import contended, machine_info, machine_line, run_env  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402

ENGINES = {"local": [], "ray": ["--engine", "ray"]}


def run_once(engine: str, corpus: Path, out: Path, extra: list[str]) -> dict:
    env = {**run_env(), "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"}  # libraries' thread defaults
    cmd = [sys.executable, "-m", "scanner", "scan", str(corpus), "-o", str(out), "--fresh", "-q",
           *ENGINES[engine], *extra]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{engine} failed ({res.returncode}): {res.stderr[-2000:]}")
    m = json.loads((out / "manifest.json").read_text())
    t = m["timings"]
    return {"engine": engine, "process_s": round(wall, 2), "wall_s": t["wall_s"],
            "start_workers_s": t["start_workers"], "scan_s": round(t["wall_s"] - t["start_workers"], 2),
            "tokens": m["counts"]["tokens"], "documents": m["counts"]["documents"],
            "backend": m["backend"].get("backend_reason"), "loadavg_1m": round(load, 2)}


def same_rows(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    return all(pq.read_table(a / s).to_pylist() == pq.read_table(b / s).to_pylist()
               for s in ("documents", "spans"))


def summarize(runs: list[dict]) -> dict:
    med = {}
    for e in ENGINES:
        rs = [r for r in runs if r["engine"] == e]
        med[e] = {k: statistics.median(r[k] for r in rs) for k in ("process_s", "scan_s", "start_workers_s")}
    pairs = [(a, b) for a, b in zip([r for r in runs if r["engine"] == "local"],
                                    [r for r in runs if r["engine"] == "ray"])]
    return {"medians": med,
            "ray_over_local_process": [round(b["process_s"] / a["process_s"], 3) for a, b in pairs],
            "ray_over_local_scan": [round(b["scan_s"] / a["scan_s"], 3) for a, b in pairs]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--args", default="", help="extra scan flags for both engines, e.g. '--backend torch'")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = ap.parse_args()
    extra = shlex.split(a.args)
    with tempfile.TemporaryDirectory(prefix="ray-overhead-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus.jsonl"
        heldout_corpus(corpus, a.docs, a.seed)
        runs, identical = [], True
        for rnd in range(a.rounds):
            order = list(ENGINES) if rnd % 2 == 0 else list(reversed(ENGINES))
            for e in order:
                runs.append({**run_once(e, corpus, root / e, extra), "round": rnd})
                print(json.dumps(runs[-1]), flush=True)
            identical &= same_rows(root / "local", root / "ray")
    machine = machine_info()
    loads = [r["loadavg_1m"] for r in runs]
    result = {"when": utc_iso(), "machine": machine, "docs": a.docs, "rounds": a.rounds, "args": extra,
              "runs": runs, "same_rows": identical, "contended": contended(loads, machine), **summarize(runs)}
    write_result("ray-overhead", result, markdown, a.out)


def markdown(r: dict) -> str:
    med = r["medians"]
    lines = [f"# Ray engine vs local engine, {r['docs']} documents, {r['rounds']} interleaved rounds",
             "", f"{r['when']}, {machine_line(r['machine'], [x['loadavg_1m'] for x in r['runs']])}; "
             f"scan flags: {' '.join(r['args']) or '(defaults)'}; same rows: {r['same_rows']}", "",
             "| engine | process s | start-up s (workers/actors + model) | scanning s |", "|---|---:|---:|---:|"]
    for e, m in med.items():
        lines.append(f"| {e} | {m['process_s']:.2f} | {m['start_workers_s']:.2f} | {m['scan_s']:.2f} |")
    lines += ["", f"ray/local per round, whole process: {r['ray_over_local_process']}; "
              f"scanning only: {r['ray_over_local_scan']}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
