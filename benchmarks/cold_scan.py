"""Cold scan vs Presidio: whole fresh processes over the same 100 long documents, wall and CPU seconds.

What a batch job pays from spawn to exit, imports and model load included. The corpus is ``--docs``
long documents (held-out generator documents joined with blank lines to ``--doc-chars`` characters
each, ``benchlib.corpus.join_docs``), written once as JSONL. Cases, each a new interpreter:

* ``scan``: ``python -m scanner scan docs.jsonl -o OUT --fresh -q`` with default settings (on a CPU:
  ONNX Runtime per-token int8; the export is made by the untimed warm-up run), once per ``--repo``;
* ``presidio``: ``python cold_scan.py --presidio-child docs.jsonl``: Presidio's ``AnalyzerEngine``
  configured offline by ``benchmarks/peers.py`` (``load_presidio``), every document analysed.

Every case runs once untimed (file cache, ``__pycache__``, the ONNX export), then ``--rounds``
interleaved rounds, the order rotated each round (and reversed on odd rounds), so a busy neighbour
slows every case of a round. Per run: wall time (spawn to exit) and the child's CPU seconds (user +
sys from ``os.wait4``'s rusage, every thread of it). Ratios are paired per round: Presidio wall /
scan wall (issue 15's target: >= 2) and scan CPU-s / Presidio CPU-s (target: <= 1). Scans of
different checkouts must write the same findings (a digest of the span rows is compared).

    python benchmarks/cold_scan.py                          # this checkout vs Presidio, 5 rounds
    git archive HEAD~1 | tar -x -C /tmp/before              # before vs after vs Presidio, interleaved:
    python benchmarks/cold_scan.py --repo /tmp/before --label before --repo . --label after

Writes ``benchmarks/results/cold-scan-<machine>-<UTC time>.{json,md}`` (``benchlib.results``, with the
CPU model and flags and the load average per round).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from benchlib.corpus import join_docs  # noqa: E402
from benchlib.machine import machine_line, run_env  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402


def long_docs(n: int, doc_chars: int, seed: int) -> list[dict]:
    """``n`` documents of about ``doc_chars`` characters, each held-out documents joined. Only held-out
    documents of at most a quarter of ``doc_chars`` are joined (the generator's longest are ~30K
    characters: one of them would make a document several times too long)."""
    sys.path.insert(0, str(REPO))
    from scanner.train.generator import generate

    pool = [d for d in generate(max(50, n * doc_chars // 200), seed, "heldout")
            if len(d["text"]) <= doc_chars // 4]
    per = max(1, len(pool) // n)
    return [join_docs(pool[i * per:] + pool, doc_chars, f"long-{seed}-{i}") for i in range(n)]


def presidio_child(path: str) -> None:
    """The Presidio case's process: load the analyzer offline, analyse every document, print counts."""
    sys.path.insert(0, str(REPO))
    from peers import load_presidio

    from scanner.jsonl import read_jsonl

    predict = load_presidio()
    docs = read_jsonl(path)
    spans = sum(len(predict(d["text"])) for d in docs)
    print(json.dumps({"docs": len(docs), "spans": spans}))


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, the child's CPU seconds (user + sys) and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{cmd}: exit {proc.returncode}\n{err.read().decode()[-3000:]}")
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def findings_digest(out_dir: Path) -> tuple[int, str]:
    """Span rows and a digest of them (sorted), to check that two scans found the same things."""
    import pyarrow.parquet as pq

    rows = []
    for f in sorted((out_dir / "spans").glob("part-*.parquet")):
        t = pq.read_table(f, columns=["doc_id", "start", "end", "label"]).to_pylist()
        rows += [(r["doc_id"], r["start"], r["end"], r["label"]) for r in t]
    rows.sort()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, action="append", default=None,
                    help="checkout whose scanner to run (repeatable; default: this one)")
    ap.add_argument("--label", action="append", default=None, help="name per --repo (default: git HEAD)")
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--doc-chars", type=int, default=3550, help="characters per long document (100 x 3,550: ~372K chars)")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-presidio", action="store_true", help="scanner checkouts only")
    ap.add_argument("--scan-args", default="", help="extra arguments for every scan (e.g. '--precision fp32')")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--presidio-child", metavar="JSONL", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.presidio_child:
        presidio_child(args.presidio_child)
        return

    repos = [r.resolve() for r in (args.repo or [REPO])]
    labels = args.label or [_git_head(r) for r in repos]
    if len(labels) != len(repos):
        ap.error("give one --label per --repo")
    if not args.no_presidio:
        from peers import presidio_available

        if why := presidio_available():
            ap.error(f"presidio: {why} (or pass --no-presidio)")
    docs = long_docs(args.docs, args.doc_chars, args.seed)
    base_env = run_env()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "docs.jsonl"
        from scanner.jsonl import write_jsonl

        write_jsonl(corpus, ({"id": d["id"], "text": d["text"]} for d in docs))
        cases: dict[str, tuple[list[str], dict[str, str], Path | None]] = {}
        for label, repo in zip(labels, repos):
            out = tmp_path / f"out-{label}"
            cmd = [sys.executable, "-m", "scanner", "scan", str(corpus), "-o", str(out), "--fresh", "-q",
                   *args.scan_args.split()]
            cases[f"scan {label}"] = (cmd, base_env | {"PYTHONPATH": str(repo)}, out)
        if not args.no_presidio:
            cases["presidio"] = ([sys.executable, str(Path(__file__).resolve()), "--presidio-child", str(corpus)],
                                 base_env | {"PYTHONPATH": str(REPO)}, None)
        warm: dict[str, dict] = {}
        for name, (cmd, env, out) in cases.items():  # untimed: file cache, __pycache__, ONNX export
            wall, cpu, stdout = timed(cmd, env, tmp_path)
            warm[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
            if out is not None:
                warm[name]["span_rows"], warm[name]["digest"] = findings_digest(out)
            elif stdout.strip():
                warm[name].update(json.loads(stdout.strip().splitlines()[-1]))
            print(f"warm-up {name}: {warm[name]}", flush=True)
        names = list(cases)
        runs: dict[str, dict[str, list[float]]] = {n: {"wall_s": [], "cpu_s": []} for n in names}
        loads, digests = [], {n: set() for n in names}
        for r in range(args.rounds):
            loads.append(round(os.getloadavg()[0], 2))
            order = names[r % len(names):] + names[:r % len(names)]
            for name in (order if r % 2 == 0 else order[::-1]):
                cmd, env, out = cases[name]
                wall, cpu, _ = timed(cmd, env, tmp_path)
                runs[name]["wall_s"].append(round(wall, 3))
                runs[name]["cpu_s"].append(round(cpu, 3))
                if out is not None:
                    digests[name].add(findings_digest(out)[1])
            print(f"round {r + 1}: " + ", ".join(f"{n} {runs[n]['wall_s'][-1]:.2f}s/{runs[n]['cpu_s'][-1]:.2f}cpu"
                                                 for n in names), flush=True)
        loads.append(round(os.getloadavg()[0], 2))

    rows = {}
    for name in names:
        w, c = runs[name]["wall_s"], runs[name]["cpu_s"]
        rows[name] = {**runs[name], "median_wall_s": round(statistics.median(w), 3),
                      "median_cpu_s": round(statistics.median(c), 3), "min_wall_s": min(w), "max_wall_s": max(w),
                      "warm_up": warm[name]}
        if name.startswith("scan "):
            rows[name]["same_findings_every_run"] = digests[name] == {warm[name]["digest"]}
    ratios = {}
    if not args.no_presidio:
        p = runs["presidio"]
        for name in names:
            if name.startswith("scan "):
                s = runs[name]
                wall = [pw / sw for pw, sw in zip(p["wall_s"], s["wall_s"])]
                cpu = [sc / pc for sc, pc in zip(s["cpu_s"], p["cpu_s"])]
                ratios[name] = {"presidio_wall_over_scan": round(statistics.median(wall), 3),
                                "presidio_wall_over_scan_range": [round(min(wall), 3), round(max(wall), 3)],
                                "scan_cpu_over_presidio": round(statistics.median(cpu), 3),
                                "scan_cpu_over_presidio_range": [round(min(cpu), 3), round(max(cpu), 3)]}
    scan_digests = {warm[n]["digest"] for n in names if n.startswith("scan ")}
    result = {
        "when": utc_iso(), "repos": dict(zip(labels, map(str, repos))), "rounds": args.rounds,
        "corpus": {"docs": len(docs), "chars": sum(len(d["text"]) for d in docs), "seed": args.seed,
                   "doc_chars": args.doc_chars, "split": "heldout"},
        "scan_args": args.scan_args, "loadavg_per_round": loads,
        "contended": any(x > (os.cpu_count() or 1) / 2 for x in loads),
        "same_findings_across_checkouts": len(scan_digests) <= 1,
        "rows": rows, "ratios": ratios}
    write_result("cold-scan", result, render, args.out)


def render(r: dict) -> str:
    m = r["machine"]
    lines = ["# Cold scan vs Presidio: whole fresh processes", "",
             f"{machine_line(m, r['loadavg_per_round'])}, Python {m['versions']['python']}; "
             f"{r['corpus']['docs']} long documents ({r['corpus']['chars']:,} chars); {r['rounds']} interleaved "
             f"rounds, {r['when']}; load average per round {', '.join(map(str, r['loadavg_per_round']))}", "",
             *[f"- `{label}`: {path}" for label, path in r["repos"].items()],
             *([f"- scan arguments: `{r['scan_args']}`"] if r["scan_args"] else []), "",
             "| case | wall s (median) | CPU s (median) | wall min-max | warm-up wall / CPU |",
             "|---|---:|---:|---:|---:|"]
    for name, v in r["rows"].items():
        lines.append(f"| {name} | {v['median_wall_s']:.2f} | {v['median_cpu_s']:.2f} | "
                     f"{v['min_wall_s']:.2f}-{v['max_wall_s']:.2f} | {v['warm_up']['wall_s']:.2f} / "
                     f"{v['warm_up']['cpu_s']:.2f} |")
    if r["ratios"]:
        lines += ["", "Paired per round (median, range): Presidio wall / scan wall (target >= 2), "
                  "scan CPU-s / Presidio CPU-s (target <= 1):", ""]
        for name, q in r["ratios"].items():
            lo, hi = q["presidio_wall_over_scan_range"]
            clo, chi = q["scan_cpu_over_presidio_range"]
            lines.append(f"- {name}: wall {q['presidio_wall_over_scan']:.2f}x ({lo:.2f}-{hi:.2f}), "
                         f"CPU {q['scan_cpu_over_presidio']:.2f} ({clo:.2f}-{chi:.2f})")
    same = "yes" if r["same_findings_across_checkouts"] else "**NO**"
    lines += ["", f"Same findings in every scan checkout: {same}."]
    return "\n".join(lines) + "\n"


def _git_head(repo: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip() or repo.name
    except (OSError, subprocess.CalledProcessError):
        return repo.name


if __name__ == "__main__":
    main()
