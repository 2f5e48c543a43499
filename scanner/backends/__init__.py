"""Backend registry: name -> loader, and the one place where selection and fallback happen.

Selection (``name="auto"``), fastest first, as measured (see the README's benchmark section):

* CUDA GPU (``torch.cuda.is_available()``): torch fp16, then ONNX Runtime CUDA/TensorRT fp16.
* CPU: ONNX Runtime, then torch fp32. ONNX's ``precision="auto"`` is int8 (per-token activations,
  per-channel weights: ``scanner.quantize``; 1.9x fp32 with VNNI/AMX) on a CPU with VNNI or AMX and
  fp32 on one without (``cpu.py``: a rule on the CPU's flags; the backend's ``precision_reason``
  says which applied, and the manifest records it).

Fallback: a requested backend/device that cannot run here (no GPU, no ``onnxruntime-gpu``, a CUDA
init error, ``onnxruntime`` missing, an ONNX export failure, a precision the backend lacks) falls down
the chain onnx cuda -> torch cuda -> onnx cpu -> torch cpu (never from cpu up to cuda), with one
warning; the returned reason says what ran, and why it is not what was asked. ``strict=True`` raises
``BackendUnavailable`` instead. Callers pass the user's options through and use what comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .base import Backend, BackendUnavailable

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "fp16", "bf16", "int8")


def _torch(model_dir: Path, device: str, **kw) -> Backend:
    from .torch_backend import TorchBackend

    return TorchBackend(model_dir, device=device, **kw)


def _onnx(model_dir: Path, device: str, **kw) -> Backend:
    from .onnx_backend import OnnxBackend

    return OnnxBackend(model_dir, device=device, **kw)


REGISTRY: dict[str, Callable[..., Backend]] = {"torch": _torch, "onnx": _onnx}

# What "auto" tries per device, fastest first, and why it is first.
AUTO_ORDER = {"cuda": [("torch", "cuda"), ("onnx", "cuda")], "cpu": [("onnx", "cpu"), ("torch", "cpu")]}
AUTO_WHY = {("torch", "cuda"): "CUDA GPU present: torch fp16 is the fastest GPU backend",
            ("onnx", "cuda"): "CUDA GPU present: ONNX Runtime on CUDA",
            ("onnx", "cpu"): "no CUDA GPU: ONNX Runtime is the fastest CPU backend",
            ("torch", "cpu"): "no CUDA GPU: torch fp32"}
# Where an explicit request falls when it cannot run: keep the GPU if possible, then the CPU.
FALLBACK = [("onnx", "cuda"), ("torch", "cuda"), ("onnx", "cpu"), ("torch", "cpu")]


def _no_cuda_driver() -> bool:
    """True when the CUDA driver library cannot even be loaded: then no GPU can be used, and asking
    torch would cost its import (1.5-2 s of a one-document run) to learn the same."""
    import ctypes
    import sys

    if "torch" in sys.modules:
        return False  # already paid for: let torch answer
    names = {"linux": ["libcuda.so.1", "libcuda.so"], "win32": ["nvcuda.dll"]}.get(sys.platform)
    if names is None:
        return False  # unknown platform: ask torch
    for name in names:
        try:
            ctypes.CDLL(name)
            return False
        except OSError:
            continue
    return True


def _cuda_available() -> bool:
    if _no_cuda_driver():
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001  (a broken CUDA install means: no CUDA)
        return False


def _plan(name: str, device: str) -> list[tuple[str, str]]:
    """Candidates in the order to try; the first is what was asked for (or auto's first choice)."""
    if name == "auto":
        order = list(AUTO_ORDER[device])
        return order + (AUTO_ORDER["cpu"] if device == "cuda" else [])
    asked = (name, device)
    chain = dict.fromkeys(FALLBACK + [(n, d) for d in ("cuda", "cpu") for n in REGISTRY])
    return [asked] + [c for c in chain if c != asked and (device == "cuda" or c[1] == "cpu")]


def _describe(backend: Backend) -> str:
    facts = backend.describe()
    extra = facts.get("provider") or facts.get("card")
    return f"{backend.name} on {backend.device} ({backend.precision}{', ' + extra if extra else ''})"


def load_backend(name: str, model_dir: Path, device: str = "auto", strict: bool = False,
                 precision: str = "auto", threads: int | None = None,
                 compile: bool = False) -> tuple[Backend, str]:
    """Load the requested backend, or fall back down the chain with one warning (unless ``strict``).

    Returns the backend and a one-line reason saying what was picked and why. ``compile`` is
    ``torch.compile`` for the torch backend; other backends have their own graph optimiser.
    """
    if name != "auto" and name not in REGISTRY:
        raise ValueError(f"unknown backend '{name}' (choose from: auto, {', '.join(REGISTRY)})")
    if device not in DEVICES:
        raise ValueError(f"unknown device '{device}' (choose from: {', '.join(DEVICES)})")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision '{precision}' (choose from: {', '.join(PRECISIONS)})")
    resolved = device if device != "auto" else ("cuda" if _cuda_available() else "cpu")
    plan = _plan(name, resolved)
    errors: list[str] = []
    for cand_name, cand_device in plan:
        try:
            extra = {"compile": True} if compile and cand_name == "torch" else {}
            backend = REGISTRY[cand_name](model_dir, cand_device, precision=precision, threads=threads,
                                          **extra)
        except (BackendUnavailable, ImportError) as exc:
            label = f"{cand_name} on {cand_device}" + (f" ({precision})" if precision != "auto" else "")
            if strict:
                raise BackendUnavailable(f"{label} is unavailable (strict, not falling back): {exc}") from exc
            msg = str(exc)
            for prefix in (f"{cand_name} on {cand_device}: ", f"{cand_name}: "):
                msg = msg.removeprefix(prefix)
            errors.append(f"{label}: {msg}")
            continue
        what = _describe(backend)
        if not errors:
            why = AUTO_WHY.get((cand_name, cand_device), "") if name == "auto" else "as requested"
            if precision == "auto" and getattr(backend, "precision_reason", None):
                why += f"; {backend.precision_reason}"  # which precision auto chose, and why
            return backend, f"backend {what}: {why}"
        first = plan[0]
        reason = (f"backend {what}: fell back from {first[0]} on {first[1]} because "
                  + "; ".join(errors))
        log.warning("%s", reason)
        return backend, reason
    raise BackendUnavailable("no backend can run here: " + "; ".join(errors))


__all__ = ["Backend", "BackendUnavailable", "REGISTRY", "load_backend"]
