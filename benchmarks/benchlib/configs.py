"""The configurations ``benchmarks/run.py`` benchmarks, and which of them run by default."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def select(configs: str | None, gpu: bool, cuda: bool) -> list[str]:
    """``--configs a,b`` as given (ValueError naming unknown ones), else the defaults for the machine."""
    if configs:
        names = [n.strip() for n in configs.split(",") if n.strip()]
        bad = [n for n in names if n not in CONFIGS]
        if bad:
            raise ValueError(f"unknown config(s) {bad}; choose from {', '.join(CONFIGS)}")
        return names
    if gpu:
        return list(GPU_DEFAULT)
    return CPU_DEFAULT + ([n for n in GPU_DEFAULT if n not in CPU_DEFAULT] if cuda else [])
