"""ONNX Runtime backend: int8 on CPU (per-token, ``scanner.quantize``; the fastest CPU path measured
here), fp16/fp32 on CUDA.

The ONNX files are generated from the shipped model on first use and cached (``scanner.export``).
Execution providers: CPU -> ``CPUExecutionProvider``; CUDA -> ``TensorrtExecutionProvider`` (only
where TensorRT's library is actually loadable; fp16 through its provider options) then
``CUDAExecutionProvider``. ``onnxruntime`` and ``onnxruntime-gpu`` install the same module, so CUDA
needs the GPU build: without it this backend raises ``BackendUnavailable`` and the registry falls back.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .base import BackendUnavailable, LogitsBackend, physical_cores

CUDA_EP = "CUDAExecutionProvider"
TRT_EP = "TensorrtExecutionProvider"
CPU_EP = "CPUExecutionProvider"


def _tensorrt_loadable() -> bool:
    """onnxruntime-gpu lists TensorRT even when libnvinfer is absent; only use it when it loads."""
    if os.environ.get("PII_SCANNER_TENSORRT", "1") == "0":
        return False
    import ctypes
    import ctypes.util

    for name in ("nvinfer", "nvinfer_10", "nvinfer_8"):
        lib = ctypes.util.find_library(name)
        for candidate in ([lib] if lib else []) + [f"lib{name}.so"]:
            try:
                ctypes.CDLL(candidate)
                return True
            except OSError:
                continue
    return False


class OnnxBackend(LogitsBackend):
    name = "onnx"

    def __init__(self, model_dir: Path, device: str = "auto", precision: str = "auto",
                 threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise BackendUnavailable(f"onnxruntime cannot be imported: {exc}") from exc
        available = ort.get_available_providers()
        if device == "auto":
            device = "cuda" if CUDA_EP in available else "cpu"
        if device not in ("cpu", "cuda"):
            raise ValueError(f"unknown device '{device}' (choose from: auto, cpu, cuda)")
        if device == "cuda" and CUDA_EP not in available:
            raise BackendUnavailable(
                f"onnxruntime {ort.__version__} has no {CUDA_EP} (providers: {', '.join(available)}): "
                "install onnxruntime-gpu (see README)")
        use_trt = device == "cuda" and TRT_EP in available and _tensorrt_loadable()
        trt_auto = use_trt and precision == "auto"
        precision, precision_reason = self._pick_precision(model_dir, device, "fp16" if trt_auto else precision)
        if trt_auto:
            precision_reason = "TensorRT: fp16"
        # TensorRT compiles the portable fp32 graph itself (fp16 through trt_fp16_enable); the fp16
        # file's fused contrib ops (Attention, EmbedLayerNormalization) are CUDA-EP kernels only.
        file_precision = "fp32" if use_trt else precision
        from ..export import ensure_onnx

        try:
            path = ensure_onnx(model_dir, file_precision)
        except Exception as exc:  # noqa: BLE001  (export failure of any kind: let the registry fall back)
            raise BackendUnavailable(f"onnx: no {file_precision} export of {model_dir}: {exc}") from exc

        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.intra_op_num_threads = threads or physical_cores()
        so.inter_op_num_threads = 1
        # Pool threads spin between ops (ONNX Runtime's default) unless PII_SCANNER_ORT_SPINNING=0:
        # spinning is faster on a machine of one's own and holds cores that other jobs on a shared one
        # need. Findings are the same either way (benchmarks/README.md, "Measurements behind code
        # defaults").
        if os.environ.get("PII_SCANNER_ORT_SPINNING", "1") == "0":
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.add_session_config_entry("session.inter_op.allow_spinning", "0")
        so.log_severity_level = 3  # errors only; failures surface as exceptions below
        providers: list = [CPU_EP]
        if device == "cuda":
            providers = [(CUDA_EP, {"device_id": 0}), CPU_EP]
            if use_trt:
                from ..export import input_names, onnx_dir

                graph_inputs = input_names(model_dir)
                cache = onnx_dir(model_dir) / "trt"
                cache.mkdir(parents=True, exist_ok=True)
                providers.insert(0, (TRT_EP, {
                    "device_id": 0, "trt_fp16_enable": precision == "fp16",
                    "trt_engine_cache_enable": True, "trt_engine_cache_path": str(cache),
                    "trt_timing_cache_enable": True,
                    # one engine for every batch shape the pipeline makes, not one build per shape
                    "trt_profile_min_shapes": _profile(graph_inputs, "1x1"),
                    "trt_profile_opt_shapes": _profile(graph_inputs, "64x256"),
                    "trt_profile_max_shapes": _profile(graph_inputs, "1024x512")}))
        try:
            sess = ort.InferenceSession(str(path), so, providers=providers)
        except Exception as exc:  # noqa: BLE001  (CUDA/TensorRT init errors come as several types)
            raise BackendUnavailable(f"onnx on {device}: session creation failed: {exc}") from exc
        got = sess.get_providers()
        if device == "cuda" and CUDA_EP not in got and TRT_EP not in got:
            raise BackendUnavailable(
                f"onnx on cuda: the session fell back to {got} (no usable GPU or CUDA/cuDNN libraries "
                "missing for onnxruntime-gpu; see README)")
        self.ort = ort
        self.session = sess
        self.device = device
        self.precision = precision
        self.precision_reason = precision_reason
        self.path = path
        self.provider = got[0]
        self.threads = so.intra_op_num_threads
        self._inputs = {i.name for i in sess.get_inputs()}
        self._output = sess.get_outputs()[0].name

    @staticmethod
    def _pick_precision(model_dir: Path, device: str, precision: str) -> tuple[str, str]:
        """The precision to run and why (what the manifest records as ``precision_reason``)."""
        if precision == "auto":
            if device == "cpu":  # int8 or fp32 by the CPU's flags (``cpu.py``: the rule, measured)
                from .cpu import cpu_flags, cpu_precision

                return cpu_precision(cpu_flags())
            from ..export import ensure_onnx

            try:  # fp16 when it can be made here (it needs onnxruntime.transformers), else fp32
                ensure_onnx(model_dir, "fp16")
                return "fp16", "CUDA: fp16"
            except Exception:  # noqa: BLE001
                return "fp32", "CUDA: fp16 export unavailable here (onnxruntime.transformers)"
        if precision not in ("fp32", "fp16", "int8"):
            raise BackendUnavailable(f"onnx: no {precision} export (onnx runs fp32, fp16 or int8)")
        if device == "cpu" and precision == "fp16":
            raise BackendUnavailable("onnx: fp16 is for CUDA; on CPU use int8 or fp32")
        if device == "cuda" and precision == "int8":
            raise BackendUnavailable("onnx: int8 (per-token quantization) is a CPU format; on CUDA use fp16")
        return precision, "as requested"

    def infer(self, input_ids: np.ndarray, attention_mask: np.ndarray,
              token_type_ids: np.ndarray | None = None) -> np.ndarray:
        ids = np.ascontiguousarray(input_ids, dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ascontiguousarray(attention_mask, dtype=np.int64)}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = (np.zeros_like(ids) if token_type_ids is None
                                      else np.ascontiguousarray(token_type_ids, dtype=np.int64))
        logits = self.session.run([self._output], feed)[0]
        return logits if logits.dtype == np.float32 else logits.astype(np.float32)

    def describe(self) -> dict:
        from ..export import EXPORT_VERSION

        # export_version: the recipe that made the file (int8 became per-token in 3); a result setting
        info = {"backend": self.name, "device": self.device, "precision": self.precision,
                "provider": self.provider, "onnxruntime": self.ort.__version__,
                "onnx_file": self.path.name, "export_version": EXPORT_VERSION,
                "precision_reason": self.precision_reason}
        if self.device == "cpu":
            info["threads"] = self.threads
        return info


def _profile(inputs: list[str], dims: str) -> str:
    """A TensorRT shape profile naming every graph input (``token_type_ids`` for a case model)."""
    return ",".join(f"{n}:{dims}" for n in inputs)
