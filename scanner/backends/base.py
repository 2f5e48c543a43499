"""The one interface every inference backend implements.

A backend loads a model once and maps padded ``input_ids``/``attention_mask`` (int64 numpy arrays), and
``token_type_ids`` for a model that reads letter case (``scanner/case.py``; zeros when not given), to
float32 logits ``[batch, seq, n_tags]`` (``infer``), and to the winning tag and its probability per
token (``predict``, what the scanner uses). ``LogitsBackend`` derives ``predict`` from ``infer``; a
backend overrides it where the reduction is cheaper on its device (torch on CUDA: 12 bytes per token
cross the bus instead of 4 x n_tags). Everything else (tokenising, batching, decoding) is shared, so
adding a backend (TensorRT, OpenVINO...) is one new file plus one line in the registry.
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np

from ..errors import ScannerError


class BackendUnavailable(ScannerError, RuntimeError):
    """This backend cannot run here (missing package, no GPU, CUDA init error); the registry falls back."""


class Backend(Protocol):
    name: str  # "torch" | "onnx" | ...
    device: str  # "cpu" | "cuda"
    precision: str  # "fp32" | "fp16" | "bf16" | "int8"

    def infer(self, input_ids: np.ndarray, attention_mask: np.ndarray,
              token_type_ids: np.ndarray | None = None) -> np.ndarray:
        """Logits as float32 numpy ``[batch, seq, n_tags]``."""
        ...

    def predict(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                token_type_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Winning tag id and its softmax probability per token: int ``[batch, seq]``, float32 ``[batch, seq]``."""
        ...

    def describe(self) -> dict:
        """Facts for the manifest: name, device, precision, provider or card."""
        ...


def top_tags(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Argmax tag and its softmax probability, without materialising the full probability matrix."""
    z = logits.astype(np.float32, copy=False)
    best = z.argmax(-1)
    top = np.take_along_axis(z, best[..., None], -1)
    # p(best) = 1 / sum(exp(z - z_best)); z_best is the row maximum, so this is stable.
    prob = 1.0 / np.exp(z - top).sum(-1)
    return best, prob.astype(np.float32, copy=False)


class LogitsBackend:
    """``predict`` from ``infer`` on the host; backends subclass it and may override ``predict``."""

    def predict(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                token_type_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        return top_tags(self.infer(input_ids, attention_mask, token_type_ids))  # type: ignore[attr-defined]


def physical_cores() -> int:
    """Physical cores this process may use: hyperthreads slow int8/fp32 GEMMs rather than help."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        usable = os.cpu_count() or 1
    try:
        import psutil

        physical = psutil.cpu_count(logical=False) or usable
    except ImportError:
        physical = usable
    return max(1, min(usable, physical))
