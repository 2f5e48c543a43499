"""PyTorch backend: CUDA in half precision when a GPU is present, fp32 on CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import BackendUnavailable, LogitsBackend


class TorchBackend(LogitsBackend):
    name = "torch"

    def __init__(self, model_dir: Path, device: str = "auto", precision: str = "auto",
                 threads: int | None = None, compile: bool = False):
        try:
            import torch
            from transformers import AutoModelForTokenClassification
        except ImportError as exc:
            raise BackendUnavailable(f"torch: cannot import torch/transformers: {exc}") from exc

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise BackendUnavailable("torch: CUDA requested but torch.cuda.is_available() is False")
        if precision == "auto":
            # fp16 on GPU (tensor cores); fp32 on CPU: bf16/fp16 matmuls are slower without AVX-512.
            precision = "fp16" if device == "cuda" else "fp32"
        dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
        if precision not in dtypes:
            raise BackendUnavailable(f"torch: no {precision} inference (torch runs fp32, fp16 or bf16; "
                                     "int8 is an ONNX Runtime format)")
        dtype = dtypes[precision]
        if threads:
            torch.set_num_threads(threads)
        try:
            model = AutoModelForTokenClassification.from_pretrained(model_dir, dtype=dtype)
            self.model = model.to(device).eval()
        except (RuntimeError, OSError) as exc:  # CUDA init errors surface as RuntimeError
            raise BackendUnavailable(f"torch on {device}: {exc}") from exc
        if compile:
            # dynamic=True: one graph for every batch shape instead of a recompile per width.
            # Measured on the 2-core CPU: 28 s to compile, then 7% faster, so it is opt-in.
            self.model = torch.compile(self.model, dynamic=True)
        self.compiled = compile
        self.torch = torch
        self.device = device
        self.precision = precision
        self._pin = device == "cuda"

    def _logits(self, input_ids: np.ndarray, attention_mask: np.ndarray, token_type_ids: np.ndarray | None):
        """Logits on the device (call under ``inference_mode``)."""
        arrays = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            arrays["token_type_ids"] = token_type_ids
        feed = {}
        for key, a in arrays.items():
            t = self.torch.from_numpy(a)
            if self._pin:
                t = t.pin_memory()
            feed[key] = t.to(self.device, non_blocking=True)
        return self.model(**feed).logits

    def infer(self, input_ids: np.ndarray, attention_mask: np.ndarray,
              token_type_ids: np.ndarray | None = None) -> np.ndarray:
        with self.torch.inference_mode():
            return self._logits(input_ids, attention_mask, token_type_ids).float().cpu().numpy()

    def predict(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                token_type_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if self.device == "cpu":  # the host path is as fast, and matches the ONNX backends exactly
            return super().predict(input_ids, attention_mask, token_type_ids)
        with self.torch.inference_mode():
            prob, best = self._logits(input_ids, attention_mask, token_type_ids).float().softmax(-1).max(-1)
            return best.to(self.torch.int32).cpu().numpy(), prob.cpu().numpy()

    def describe(self) -> dict:
        info = {"backend": self.name, "device": self.device, "precision": self.precision,
                "torch": self.torch.__version__, "compiled": self.compiled}
        if self.device == "cuda":
            info["card"] = self.torch.cuda.get_device_name(0)
        return info
