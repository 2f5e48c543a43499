"""The one interface every inference backend implements.

A backend loads a model once and maps padded ``input_ids``/``attention_mask`` (int64 numpy arrays) to
float32 logits ``[batch, seq, n_tags]``. Everything else (tokenising, batching, decoding) is shared, so
adding a backend (TensorRT, OpenVINO...) is one new file plus one line in the registry.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class BackendUnavailable(RuntimeError):
    """This backend cannot run here (missing package, no GPU, CUDA init error); the registry falls back."""


class Backend(Protocol):
    name: str  # "torch" | "onnx" | ...
    device: str  # "cpu" | "cuda"
    precision: str  # "fp32" | "fp16" | "bf16" | "int8"

    def infer(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Logits as float32 numpy ``[batch, seq, n_tags]``."""
        ...

    def describe(self) -> dict:
        """Facts for the manifest: name, device, precision, provider or card."""
        ...
