"""One (config, round) of ``run.py``, in a fresh process: clean peak RSS and GPU memory, nothing shared.

The parent writes a spec (JSON) and starts ``run.py --worker SPEC`` (``run_worker``); the child
(``main``) imports the frozen scanner, times the run and writes ``result.json`` next to the spec.
Timed: ``run_scan`` end to end for scanner configs (after model load and a short warm-up), read +
detect for peers. Scanner configs also measure model-only throughput (synthetic batches with the
corpus' own window lengths, through ``backend.infer`` only); the first run of a config scores quality.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .configs import CONFIGS, MODEL_ONLY_CAP, WARMUP_DOCS, Config
from .machine import GpuSampler, children_peak_rss_mb, gpu_process_mb, peak_rss_mb, run_env, torch_peak_mb

_UNAVAILABLE = ("BackendUnavailable", "ImportError", "ModuleNotFoundError")


# -- the parent's side ------------------------------------------------------------------------------

def run_worker(script: Path, cfg: Config, spec: dict, workdir: Path, timeout: int) -> dict:
    """Run one worker process to its end (or ``timeout``) and return its result, failed or not."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = dict(spec, config=cfg.name, workdir=str(workdir), result=str(workdir / "result.json"))
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(spec))
    log = workdir / "worker.log"
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        try:
            rc = subprocess.run([sys.executable, str(script), "--worker", str(spec_path)], stdout=fh,
                                stderr=subprocess.STDOUT, timeout=timeout, cwd=str(script.parents[1]),
                                env=run_env()).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    wall = time.perf_counter() - t0
    try:
        res = json.loads((workdir / "result.json").read_text())
    except (OSError, ValueError):
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        res = {"config": cfg.name, "ok": False, "error": f"worker exited {rc} without a result",
               "log_tail": tail}
    res["process_wall_s"] = wall
    return res


# -- the worker process -----------------------------------------------------------------------------

def main(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    cfg = CONFIGS[spec["config"]]
    os.environ.update(cfg.env)
    if spec.get("src"):  # the run's frozen copy of the scanner code, ahead of the live checkout
        sys.path.insert(0, spec["src"])
    result: dict = {"config": cfg.name, "ok": False}
    try:
        import scanner

        result["scanner_file"] = scanner.__file__
        if spec.get("src") and not scanner.__file__.startswith(spec["src"]):
            raise RuntimeError(f"scanner imported from {scanner.__file__}, not the snapshot {spec['src']}")
        result.update(_work_scan(cfg, spec) if cfg.kind == "scan" else _work_peer(cfg, spec))
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001  (reported in the results, the run goes on)
        import traceback

        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()[-4000:]
        result["unavailable"] = type(exc).__name__ in _UNAVAILABLE
    Path(spec["result"]).write_text(json.dumps(result, indent=1))


def quality_block(texts: list[str], gold: list[list], pred: list[list]) -> dict:
    """Every tool through the same scorer: all our labels, and each peer's restricted label set."""
    from peers import PEER_LABELS, collapse

    from scanner.evaluate import score

    d = score(texts, gold, pred).as_dict()
    q = {"n_docs": len(texts), "micro_overlap": d["micro_overlap"], "micro_exact": d["micro_exact"],
         "agnostic_overlap": d["agnostic_overlap"], "char": d["char"],
         "per_label_overlap_f1": {l: v["overlap"]["f1"] for l, v in d["per_label"].items()}}
    for peer, (labels, mapping) in PEER_LABELS.items():
        rd = score(texts, [collapse(g, mapping) for g in gold], [collapse(p, mapping) for p in pred],
                   labels=set(labels)).as_dict()
        q[f"restricted_{peer}"] = {"labels": sorted(labels), "collapse": mapping,
                                   "micro_overlap": rd["micro_overlap"], "micro_exact": rd["micro_exact"]}
    return q


def _gold(spec: dict, n: int) -> tuple[list[str], list[str], list[list]]:
    from scanner.jsonl import read_jsonl

    gold = read_jsonl(spec["gold"], n)
    return [g["id"] for g in gold], [g["text"] for g in gold], [g["spans"] for g in gold]


def shard_size(n_docs: int, workers: int) -> int:
    """The CLI's 1024 for one process; with N workers, shards small enough that every worker gets
    several (the last shards otherwise leave most workers idle)."""
    if workers <= 1:
        return 1024
    return max(16, min(1024, n_docs // (workers * 8)))


def _prefix(path: Path, n: int, dest: Path) -> Path:
    """The first ``n`` documents of ``path`` as their own file (``dest``)."""
    from scanner.jsonl import read_jsonl, write_jsonl

    write_jsonl(dest, read_jsonl(path, n))
    return dest


def _load_and_warm(cfg: Config, spec: dict, corpus: Path):
    """The scanner, warmed up through ``run_scan`` writing too: the first Parquet write imports pandas
    (pyarrow checks for it) and the first phone numbers load libphonenumber's region metadata, once per
    process, which would otherwise count as scanning. Returns ``(scanner, options, seconds)``."""
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.runner import RunOptions, run_scan

    opts = ScanOptions(model=spec["model"], backend=cfg.backend, device=cfg.device,
                       precision=cfg.precision, strict_backend=True, threads=spec.get("threads"),
                       compile=cfg.compile)
    t0 = time.perf_counter()
    scanner = Scanner(opts)
    warm = _prefix(corpus, WARMUP_DOCS[cfg.device], Path(spec["workdir"]) / "warm.jsonl")
    run_scan(RunOptions(inputs=[str(warm)], out_dir=str(warm.with_suffix("")), fresh=True, scan=opts,
                        workers=1), scanner=scanner)  # its timings stay in its own manifest
    return scanner, opts, time.perf_counter() - t0


def _work_scan(cfg: Config, spec: dict) -> dict:
    from scanner.runner import RunOptions, run_scan

    n_docs = spec["n_docs"]
    corpus = Path(spec["corpus"])
    if n_docs < spec["corpus_docs"]:  # a prefix of the shared corpus (slow config on a big corpus)
        corpus = _prefix(corpus, n_docs, Path(spec["workdir"]) / "input.jsonl")
    scanner, opts, load_s = _load_and_warm(cfg, spec, corpus)
    out_dir = Path(spec["workdir"]) / "out"
    run = RunOptions(inputs=[str(corpus)], out_dir=str(out_dir), fresh=True, scan=opts,
                     shard_size=spec.get("shard_size") or shard_size(n_docs, cfg.workers),
                     workers=cfg.workers)
    sampler = GpuSampler() if cfg.device == "cuda" and cfg.workers > 1 else None
    t0 = time.perf_counter()
    summary, manifest = run_scan(run, scanner=scanner)
    # Worker processes start (and load the model) inside run_scan: load time, like the parent's.
    start_workers = manifest["timings"].get("start_workers", 0.0)
    seconds = time.perf_counter() - t0 - start_workers
    if summary.documents != n_docs or summary.errors:
        raise RuntimeError(f"scan wrote {summary.documents} documents ({summary.errors} errors), "
                           f"expected {n_docs}")
    res = _scan_measurements(scanner, manifest, seconds, sampler)
    res.update(n_docs=n_docs, load_s=load_s + start_workers, start_workers_s=start_workers)
    res["model_only"] = _model_only(scanner, spec, cfg.device)
    if spec["quality"]:
        res["quality"] = _scan_quality(spec, out_dir, n_docs)
    return res


def _scan_measurements(scanner, manifest: dict, seconds: float, sampler: GpuSampler | None) -> dict:
    """Memory and per-stage seconds of the timed ``run_scan``."""
    rss = peak_rss_mb()
    gpu_torch, gpu_proc = torch_peak_mb(), gpu_process_mb()
    workers = manifest["backend"]["workers"]
    worker_rss = None
    if workers > 1:  # the largest worker's peak (they have exited); parent + N x that is the total
        worker_rss = children_peak_rss_mb()
        rss += workers * worker_rss
    if sampler is not None:  # every process on the GPU, above what was in use before the run
        gpu_proc = sampler.stop()
    timings = manifest["timings"]
    stages = {k: timings[k] for k in ("tokenize", "infer", "decode", "rules", "policy")}
    if workers > 1:  # summed over workers: per-process seconds, comparable to the wall time
        stages = {k: v / workers for k, v in stages.items()}
    stages["io_other"] = max(0.0, seconds - sum(stages.values()))  # read, write, bookkeeping
    return {"seconds": seconds, "peak_rss_mb": rss, "workers": workers, "worker_peak_rss_mb": worker_rss,
            "gpu_torch_peak_mb": gpu_torch, "gpu_process_mb": gpu_proc, "stages": stages,
            "model_tokens": timings["tokens"], "windows": timings["windows"],
            "token_budget": scanner.token_budget, "backend": scanner.describe(),
            "backend_reason": scanner.backend_reason}


def _model_only(scanner, spec: dict, device: str) -> dict:
    """Synthetic ids with the corpus' own window lengths, in the scanner's own batches, through
    ``backend.infer`` alone (a random sample of windows up to the token cap)."""
    import numpy as np

    from scanner.windows import Window, make_batches

    from .corpus import read_meta

    lengths = np.asarray(read_meta(spec["meta"])["window_lengths"], dtype=np.int64)
    rng = np.random.default_rng(0)
    cap = spec.get("model_tokens") or MODEL_ONLY_CAP[device]
    if cap and lengths.sum() > cap:
        lengths = rng.permutation(lengths)
        lengths = lengths[:max(1, int(np.searchsorted(np.cumsum(lengths), cap)) + 1)]
    vocab = int(scanner.model.config.get("vocab_size", 30522))
    windows = [Window(i, 0, rng.integers(1000, vocab, size=int(n), dtype=np.int32), 0, int(n))
               for i, n in enumerate(lengths)]
    batches = list(make_batches(windows, scanner.token_budget, scanner.cls_id, scanner.sep_id,
                                scanner.pad_id))
    backend = scanner.backend
    backend.infer(batches[-1].input_ids, batches[-1].attention_mask)  # warm the widest shape
    t0 = time.perf_counter()
    for b in batches:
        backend.infer(b.input_ids, b.attention_mask)
    seconds = time.perf_counter() - t0
    tokens = int(lengths.sum())
    return {"tokens": tokens, "windows": len(windows), "batches": len(batches), "seconds": seconds,
            "tokens_per_s": tokens / seconds, "gpu_torch_peak_mb": torch_peak_mb()}


def _scan_quality(spec: dict, out_dir: Path, n_docs: int) -> dict:
    """Scored from what the scan wrote (after the timed region: nothing extra is timed, and with worker
    processes no results travel back just for scoring)."""
    import pyarrow.parquet as pq

    ids, texts, gold = _gold(spec, min(n_docs, spec.get("quality_docs") or n_docs))
    found: dict[str, list] = {}
    for row in pq.read_table(out_dir / "spans", columns=["doc_id", "start", "end", "label"]).to_pylist():
        found.setdefault(row["doc_id"], []).append(row)
    return quality_block(texts, gold, [found.get(i, []) for i in ids])


def _load_peer(cfg: Config, spec: dict):
    import peers

    why = {"presidio": peers.presidio_available, "rampart": peers.rampart_available}.get(cfg.kind, lambda: None)()
    if why:
        raise ImportError(why)
    if cfg.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ImportError("CUDA is not available (torch.cuda.is_available() is False)")
    if cfg.kind == "pipeline":
        return peers.load_hf_pipeline(spec["model"], cfg.device, spec["max_length"], spec["stride"])
    return peers.load_presidio() if cfg.kind == "presidio" else peers.load_rampart()


def _work_peer(cfg: Config, spec: dict) -> dict:
    from scanner.jsonl import iter_jsonl, read_jsonl

    n_docs = spec["n_docs"]
    t0 = time.perf_counter()
    predict = _load_peer(cfg, spec)
    for r in read_jsonl(spec["corpus"], 2):
        predict(r["text"])
    load_s = time.perf_counter() - t0  # load + warm-up (Rampart loads lazily on first use)
    t0 = time.perf_counter()
    preds = [predict(r["text"]) for _, r in iter_jsonl(spec["corpus"], n_docs)]  # read + detect, timed
    seconds = time.perf_counter() - t0
    res = {"n_docs": len(preds), "seconds": seconds, "load_s": load_s, "peak_rss_mb": peak_rss_mb(),
           "gpu_torch_peak_mb": torch_peak_mb(), "gpu_process_mb": gpu_process_mb()}
    if spec["quality"]:
        qn = min(len(preds), spec.get("quality_docs") or len(preds))
        _, texts, gold = _gold(spec, qn)
        res["quality"] = quality_block(texts, gold, preds[:qn])
    return res
