"""Cold start: wall time of one fresh ``pii-scanner`` process on one small document.

What a pre-commit hook, a CI step or a one-off shell command pays every time. Each case is a new
interpreter (``python -m scanner ...`` or ``python -c`` for the API), timed from spawn to exit, with
the OS file cache warm (one untimed run of every case first, which also makes the ONNX export).
Cases are interleaved over rounds so a busy neighbour slows all of them, not one.

    python benchmarks/startup.py                    # this checkout, 7 rounds
    git archive OLD | tar -x -C /tmp/old            # compare with an older commit, interleaved:
    python benchmarks/startup.py --repo /tmp/old --label before --repo . --label after

Writes ``benchmarks/results/startup-<machine>-<UTC time>.{json,md}`` (``benchlib.results``: median, min and
max per case, with the machine's CPU model and flags).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402

DOC = {"id": "a", "text": "Please ask Margaret Hamilton (margaret.hamilton@example.com) about the invoice."}
API = ("from scanner.api import Scanner; import sys; "
       "Scanner().scan([sys.argv[1]])")


def cases(doc: Path, out: Path) -> dict[str, list[str]]:
    scan = ["-m", "scanner", "scan", str(doc), "-o", str(out), "--fresh", "-q"]
    return {
        "--help": ["-m", "scanner", "--help"],
        "scan --no-model (1 doc)": [*scan, "--no-model"],
        "scan, default backend (1 doc)": scan,
        "check --no-model (1 file)": ["-m", "scanner", "check", "--no-model", str(doc)],
        "check, default backend (1 file)": ["-m", "scanner", "check", str(doc)],
        "API: Scanner().scan([text])": ["-c", API, DOC["text"]],
    }


def time_once(args: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if res.returncode not in (0, 4):  # 4: check found the document's PII, as it should
        raise SystemExit(f"{args}: exit {res.returncode}\n{res.stderr[-2000:]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, action="append", default=None,
                    help="checkout to measure (repeatable: runs interleave; default: this one)")
    ap.add_argument("--label", action="append", default=None, help="name per --repo (default: git HEAD)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()

    repos = [r.resolve() for r in (args.repo or [HERE.parent])]
    labels = args.label or [_git_head(r) for r in repos]
    if len(labels) != len(repos):
        ap.error("give one --label per --repo")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        doc = tmp_path / "one.jsonl"
        doc.write_text(json.dumps(DOC) + "\n", encoding="utf-8")
        todo: dict[tuple[str, str], tuple[list[str], dict[str, str]]] = {}
        for label, repo in zip(labels, repos):
            env = os.environ | {"PYTHONPATH": str(repo), "OMP_WAIT_POLICY": "PASSIVE"}
            for name, cmd in cases(doc, tmp_path / "out").items():
                todo[(label, name)] = (cmd, env)
        unavailable = []
        for key, (cmd, env) in list(todo.items()):  # untimed: file cache, __pycache__, ONNX export
            try:
                time_once(cmd, env, tmp_path)
            except SystemExit as exc:  # e.g. an older checkout without `check` or the API
                print(f"skipped {key}: {str(exc).splitlines()[0]}", file=sys.stderr)
                unavailable.append(" / ".join(key))
                del todo[key]
        times: dict[tuple[str, str], list[float]] = {key: [] for key in todo}
        keys = list(todo)
        for r in range(args.rounds):
            for key in keys[r % len(keys):] + keys[:r % len(keys)]:
                times[key].append(time_once(*todo[key], tmp_path))

    result = {
        "repos": dict(zip(labels, map(str, repos))),
        "when": utc_iso(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "rounds": args.rounds, "unavailable": unavailable,
        "cases": [{"label": label, "case": name, "median_s": round(statistics.median(t), 3),
                   "min_s": round(min(t), 3), "max_s": round(max(t), 3)}
                  for (label, name), t in times.items()],
    }
    write_result("startup", result, render, args.out)


def render(result: dict) -> str:
    lines = ["# Cold start: one fresh process, one small document", "",
             f"{machine_line(result['machine'])}, Python {result['machine']['versions']['python']}, "
             f"{result['rounds']} interleaved rounds, {result['when']}, load average at the end "
             f"{', '.join(f'{x:.1f}' for x in result['load_average'] or [])}", "",
             *[f"- `{label}`: {path}" for label, path in result["repos"].items()], "",
             "| checkout | case | median s | min s | max s |", "|---|---|---:|---:|---:|"]
    for c in result["cases"]:
        lines.append(f"| {c['label']} | {c['case']} | {c['median_s']:.2f} | {c['min_s']:.2f} | {c['max_s']:.2f} |")
    if result["unavailable"]:
        lines += ["", "Not available there: " + "; ".join(result["unavailable"])]
    return "\n".join(lines) + "\n"


def _git_head(repo: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip() or str(repo)
    except (OSError, subprocess.CalledProcessError):
        return str(repo)


if __name__ == "__main__":
    main()
