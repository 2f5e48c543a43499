#!/usr/bin/env python3
"""pii-scanner benchmark: throughput, memory and held-out quality of the scanner and its peers.

One command (see ``benchmarks/README.md``)::

    python benchmarks/run.py                      # every CPU config (+ GPU configs if CUDA), 3 repeats
    python benchmarks/run.py --quick              # smoke run: ~20 documents, 1 repeat
    python benchmarks/run.py --gpu --docs 20000   # the GPU configs on a corpus big enough for 1M tok/s

What happens:

1. ONE shared corpus: held-out generated documents (``scanner.train.generator.generate(n, seed,
   "heldout")``: templates and genres training never saw) plus a few long documents made by joining
   held-out documents. Written under a temp dir as ``corpus.jsonl`` (id, text: what the tools read)
   and ``gold.jsonl`` (with spans: what they are scored against). Our tokenizer counts its tokens once;
   that count is the tokens/s denominator for every tool.
2. ONNX exports are made before anything is timed (``scanner.export.ensure_onnx``).
3. Every (config, repeat) runs in a fresh subprocess (clean peak RSS and GPU memory), interleaved:
   round r runs every config once, the order rotated by r, so slow drift of a noisy machine spreads
   over all configs instead of landing on one.
4. Per run: wall time of the timed region (after model load and a small warm-up), docs/s, tokens/s,
   chars/s, peak RSS, GPU memory; for scanner configs also the per-stage seconds from
   the manifest's ``timings`` and model-only throughput (synthetic token batches with the corpus' own
   window lengths, packed by the scanner's batcher, through ``backend.infer`` only).
5. Quality once per config (the first run), through ``scanner.evaluate.score`` for every tool.
6. Medians, min-max spread and ratios go to ``--out``: ``<machine>-<time>.json`` (every raw run),
   ``.md`` (tables), ``.png`` (docs/s chart), and ``LATEST.md``. The table is printed last.

This file is the command line and the rounds; the pieces live in ``benchmarks/benchlib/``: ``configs``
(what can be benchmarked), ``corpus``, ``prepare`` (snapshot, model, exports), ``worker`` (one run in
its own process: ``run.py --worker SPEC``), ``machine`` (machine facts), ``report`` (statistics,
tables, chart) and ``results`` (the files).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):  # run from anywhere, installed or not
    if _p not in sys.path:
        sys.path.insert(0, _p)

from benchlib import corpus as bench_corpus  # noqa: E402  (after the path set-up above)
from benchlib import prepare, report, worker  # noqa: E402
from benchlib.configs import CONFIGS, CPU_DEFAULT, GPU_DEFAULT, select  # noqa: E402
from benchlib.machine import machine_info  # noqa: E402
from benchlib.results import ResultFiles, utc_iso  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", help="comma-separated; choose from: " + ", ".join(CONFIGS)
                   + f". Default: {','.join(CPU_DEFAULT)} (+ GPU configs when CUDA is present); "
                   f"with --gpu: {','.join(GPU_DEFAULT)}")
    p.add_argument("--repeats", type=int, default=None, help="interleaved rounds (default 3; --quick 1)")
    p.add_argument("--out", default=str(HERE / "results"), help="results folder")
    p.add_argument("--quick", action="store_true", help="smoke run: 20 docs, no long docs, 1 repeat")
    p.add_argument("--gpu", action="store_true", help="GPU configs (fails without CUDA); slow configs "
                   "run on the --subset-docs prefix")
    p.add_argument("--docs", type=int, default=None, help="held-out docs (default 400; quick 20)")
    p.add_argument("--long", type=int, default=None, help="long docs added (default 3; quick 0)")
    p.add_argument("--long-chars", type=int, default=40_000, help="characters per long doc")
    p.add_argument("--seed", type=int, default=2027, help="generator seed of the corpus")
    p.add_argument("--corpus", help="labelled JSONL (id, text, spans) to use; generated and saved "
                   "there first if it does not exist")
    p.add_argument("--subset-docs", type=int, default=None,
                   help="slow configs (CPU tools, batch-1 baselines) scan only this prefix "
                        "(default: all; with --gpu 1000)")
    p.add_argument("--quality-docs", type=int, default=None,
                   help="score only this prefix (default: every doc the config scanned)")
    p.add_argument("--model", default=None, help="model folder (default: the shipped model / "
                   "$PII_SCANNER_MODEL)")
    p.add_argument("--model-tokens", type=int, default=None,
                   help="cap on synthetic tokens for model-only throughput (default: 65536 on CPU, "
                        "all windows on GPU)")
    p.add_argument("--threads", type=int, default=None, help="ScanOptions.threads (default: backend's)")
    p.add_argument("--budget-s", type=float, default=None,
                   help="stop starting runs that would end past this many seconds (keeps what ran)")
    p.add_argument("--worker-timeout", type=int, default=1800, help="seconds per subprocess")
    p.add_argument("--no-snapshot", action="store_true",
                   help="run the live checkout instead of a frozen copy of scanner/ and configs/")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (corpus, logs, outputs)")
    p.add_argument("--logs", help="copy every worker's log and result JSON into this folder")
    p.add_argument("--corpus-only", action="store_true",
                   help="write the corpus to --corpus and exit (to carry it to another machine)")
    p.add_argument("--render", metavar="JSON",
                   help="rebuild the .md/.png (and ratios) of an earlier result JSON and print the table")
    p.add_argument("--show", metavar="JSON", help="print the short table of an earlier result and exit")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.n_docs = args.docs or (20 if args.quick else 400)
    args.n_long = args.long if args.long is not None else (0 if args.quick else 3)
    if args.quick and args.model_tokens is None:
        args.model_tokens = 4096
    args.subset = args.subset_docs if args.subset_docs is not None else (1000 if args.gpu else None)
    return args



@dataclass
class Bench:
    """One benchmark run: its settings, the corpus and model every config shares, and the results so far."""

    args: argparse.Namespace
    argv: list[str]
    machine: dict
    code: dict
    model: object  # scanner.model.ModelInfo (imported from the snapshot)
    corpus: bench_corpus.Corpus
    names: list[str]
    work: Path
    files: ResultFiles
    t_start: float
    results: dict = field(default_factory=dict)
    last_wall: dict = field(default_factory=dict)

    def spec(self, name: str) -> dict:
        """What the worker of ``name`` needs to know for its next run."""
        from scanner.pipeline import ScanOptions

        n_total, subset = self.corpus.summary["docs"], self.args.subset
        first = not any(r.get("ok") for r in self.results[name]["runs"])
        spec = {"src": self.code.get("src"), "corpus": str(self.corpus.corpus), "gold": str(self.corpus.gold),
                "meta": str(self.corpus.meta_path), "corpus_docs": n_total, "model": str(self.model.path),
                "max_length": ScanOptions.max_length, "stride": ScanOptions.stride, "threads": self.args.threads,
                "model_tokens": self.args.model_tokens, "quality": first,
                "n_docs": min(subset, n_total) if (subset and CONFIGS[name].slow) else n_total}
        if first and self.args.quality_docs:
            spec["quality_docs"] = self.args.quality_docs
        return spec

    def skip(self, name: str, rnd: int) -> bool:
        """Unavailable configs, and runs the ``--budget-s`` no longer fits (said in the results)."""
        entry, budget = self.results[name], self.args.budget_s
        if (entry.get("error") and not entry["runs"]) or entry.get("unavailable"):
            return True
        elapsed = time.perf_counter() - self.t_start
        if budget and name in self.last_wall and elapsed + self.last_wall[name] > budget:
            entry.setdefault("skipped", f"budget: skipped rounds from {rnd + 1}")
            return True
        if budget and elapsed > budget:  # not even one run fits any more
            entry.setdefault("skipped", f"budget: {budget:.0f}s spent before round {rnd + 1}")
            return True
        return False

    def run_round(self, rnd: int) -> None:
        """Every config once, in an order rotated by ``rnd``; the results are saved after each run."""
        k = rnd % len(self.names)
        for name in self.names[k:] + self.names[:k]:
            if self.skip(name, rnd):
                continue
            load = os.getloadavg()[0]
            res = worker.run_worker(Path(__file__).resolve(), CONFIGS[name], self.spec(name),
                                    self.work / f"r{rnd}-{name}", self.args.worker_timeout)
            res["round"], res["loadavg_1m"] = rnd, load
            self.record(name, rnd, res)
            self.save(final=False)

    def record(self, name: str, rnd: int, res: dict) -> None:
        entry = self.results[name]
        self.last_wall[name] = res["process_wall_s"]
        if res.get("quality"):
            entry["quality"] = res.pop("quality")
        entry["runs"].append(res)
        head = f"[bench] round {rnd + 1}/{self.args.repeats} {name:<16}"
        if res.get("ok"):
            print(f"{head} {res['n_docs'] / res['seconds']:9.1f} docs/s  {res['seconds']:7.2f}s  rss "
                  f"{res['peak_rss_mb']:.0f} MB" + (f"  model-only {res['model_only']['tokens_per_s']:,.0f} tok/s"
                                                   if "model_only" in res else ""), flush=True)
            return
        print(f"{head} FAILED: {res.get('error')}", flush=True)
        if res.get("unavailable") or rnd == 0:
            entry["unavailable"] = True
            entry["error"] = res.get("error")

    def doc(self, final: bool) -> dict:
        from scanner.pipeline import ScanOptions

        for e in self.results.values():
            e["summary"] = report.summarize(e, self.corpus.meta)
        a = self.args
        doc = {"created": utc_iso(), "complete": final, "argv": self.argv, "machine": self.machine,
               "model": {"path": str(self.model.path), "id": self.model.id, "sha256": self.model.sha256},
               "code": {k: v for k, v in self.code.items() if k != "src"}, "corpus": self.corpus.summary,
               "settings": {"repeats": a.repeats, "quick": a.quick, "gpu": a.gpu, "subset_docs": a.subset,
                            "max_length": ScanOptions.max_length, "stride": ScanOptions.stride,
                            "model_tokens": a.model_tokens, "threads": a.threads, "budget_s": a.budget_s},
               "results": self.results}
        doc["ratios"] = report.compute_ratios(self.results)
        doc["total_seconds"] = time.perf_counter() - self.t_start
        return doc

    def save(self, final: bool) -> tuple[dict, str]:
        """JSON + markdown after every run (a run cut short by a timeout keeps what it measured);
        the chart and LATEST*.md at the end."""
        doc = self.doc(final)
        md = report.render_markdown(doc)
        self.files.write(doc, md)
        if final:
            note = report.render_chart(doc, self.files.sibling(".png"))
            if note:
                print(f"[bench] {note}")
            if not self.args.quick:  # CPU and GPU runs each keep their own latest table
                latest = "LATEST-GPU.md" if self.args.gpu else "LATEST.md"
                (self.files.stem.parent / latest).write_text(f"<!-- {self.files.json.name} -->\n" + md)
        return doc, md


def _start(args, argv, machine: dict, names: list[str], t_start: float) -> Bench:
    """Snapshot and model, the corpus, the ONNX exports: everything before the first timed run."""
    work = Path(tempfile.mkdtemp(prefix="pii-bench-"))
    code, model = prepare.freeze(work, args.model, snapshot=not args.no_snapshot)
    print(f"[bench] model {model.path} | work dir {work}"
          + (f" | code snapshot {code['snapshot_sha256'][:12]}" if code["snapshot"] else ""), flush=True)
    from scanner.pipeline import ScanOptions

    t0 = time.perf_counter()
    docs, source = bench_corpus.load_or_build(args)
    # The scanner's own windows; the HF pipeline and model-only throughput get the same ones.
    corpus = bench_corpus.write_corpus(docs, source, work, str(model.path), ScanOptions.max_length,
                                       ScanOptions.stride, args.seed)
    c = corpus.summary
    print(f"[bench] corpus: {c['docs']} docs, {c['chars']:,} chars, {c['tokens']:,} tokens "
          f"({time.perf_counter() - t0:.1f}s)", flush=True)
    cuda = machine.get("cuda_available", False)
    files = ResultFiles.new("quick" if args.quick else None, machine, args.out, gpu=args.gpu or cuda)
    bench = Bench(args, sys.argv[1:] if argv is None else list(argv), machine, code, model, corpus, names,
                  work, files, t_start, {n: {"config": asdict(CONFIGS[n]), "runs": []} for n in names})
    for n, err in prepare.prepare_onnx(model.path, [CONFIGS[n] for n in names]).items():
        bench.results[n]["error"] = err
    for n in names:
        if CONFIGS[n].device == "cuda" and not cuda:
            bench.results[n]["error"] = "no CUDA here"
    return bench


def benchmark(args, argv) -> int:
    t_start = time.perf_counter()
    machine = machine_info()
    cuda = machine.get("cuda_available", False)
    if args.gpu and not cuda:
        print("--gpu: CUDA is not available here (torch.cuda.is_available() is False)", file=sys.stderr)
        return 2
    try:
        names = select(args.configs, args.gpu, cuda)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    bench = _start(args, argv, machine, names, t_start)
    for rnd in range(args.repeats):
        bench.run_round(rnd)
    doc, md = bench.save(final=True)
    prepare.copy_logs(bench.work, args.logs)
    prepare.remove(bench.work, args.keep)
    print(f"[bench] wrote {bench.files.stem}.json/.md/.png in {doc['total_seconds']:.0f}s\n")
    print(md)
    return 0


def corpus_only(args) -> int:
    """``--corpus-only``: generate the corpus into ``--corpus`` (to carry it to another machine)."""
    from scanner.jsonl import write_jsonl

    if not args.corpus:
        print("--corpus-only needs --corpus PATH", file=sys.stderr)
        return 2
    n = write_jsonl(args.corpus, bench_corpus.build_corpus(args.n_docs, args.n_long, args.long_chars, args.seed))
    print(f"[bench] wrote {n} docs to {args.corpus}")
    return 0


def rerender(path: Path) -> int:
    """``--render``: rebuild the ratios, .md and .png of an earlier result and print the table."""
    doc = json.loads(path.read_text())
    doc["ratios"] = report.compute_ratios(doc["results"])
    path.write_text(json.dumps(doc, indent=1, default=str))
    md = report.render_markdown(doc)
    path.with_suffix(".md").write_text(md)
    report.render_chart(doc, path.with_suffix(".png"))
    print(md)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker.main(Path(args.worker))
        return 0
    if args.render:
        return rerender(Path(args.render))
    if args.show:
        print(report.show(json.loads(Path(args.show).read_text())))
        return 0
    if args.corpus_only:
        return corpus_only(args)
    return benchmark(args, argv)


if __name__ == "__main__":
    sys.exit(main())
