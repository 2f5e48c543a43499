"""Export the shipped PyTorch model to ONNX (fp32, int8, optionally fp16) for the ONNX Runtime backend.

Generated files are not committed (``models/`` stays small): they go to a per-user cache folder keyed
by the model id and the hash of its weights, ``<cache>/onnx/<model_id>-<sha256[:12]>/``, where
``<cache>`` is ``$PII_SCANNER_CACHE``, else ``$XDG_CACHE_HOME/pii-scanner``, else
``~/.cache/pii-scanner``. ``ensure_onnx`` exports on first use and reuses afterwards.

Files per precision, each a single self-contained ``.onnx`` (weights embedded; ours is ~90 MB):

* ``model.fp32.onnx``: the TorchScript exporter's graph (plain ONNX ops, opset 17, dynamic batch and
  sequence axes; portable to every execution provider, TensorRT included), checked against torch.
* ``model.int8.onnx``: fp32's weight MatMuls in per-token int8 (``scanner.quantize``): per-channel
  int8 weights, activations quantized at run time with one scale per token, so a window's logits do
  not depend on what shares its batch (ONNX Runtime's ``quantize_dynamic`` scales whole batches). CPU;
  1.9x fp32 on a CPU with VNNI/AMX, 98.7% of fp32's exact spans (``benchmarks/onnx_cpu.py``).
* ``model.fp16.onnx`` (optional, for CUDA): fp32 after ONNX Runtime's BERT fusions (Attention,
  EmbedLayerNormalization, SkipLayerNormalization, BiasGelu) converted to fp16 with fp32 inputs/outputs.

``export.json`` beside them records the source hash, the files and the tool versions.

Concurrency: each file is written in a private temp folder and moved into place with ``os.replace``
(atomic on one filesystem), under an advisory lock so a second process waits for the first and then
reuses its files instead of exporting again.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from .errors import ScannerError
from .model import ModelInfo

log = logging.getLogger(__name__)

PRECISIONS = ("fp32", "int8", "fp16")
OPSET = 17
MANIFEST = "export.json"
# Bump when the export recipe changes (exporter, fusions, quantization): older caches are redone.
EXPORT_VERSION = 3  # 3: int8 is per-token (batch-independent), was quantize_dynamic
# fp32 ONNX must reproduce torch fp32 to this max abs logit difference, or the export is rejected.
CHECK_ATOL = 1e-3


class ExportError(ScannerError, RuntimeError):
    """The model could not be exported (missing package, exporter failure, numerical mismatch)."""


# -- where files live ---------------------------------------------------------------------------------

def cache_root() -> Path:
    """``$PII_SCANNER_CACHE``, else ``$XDG_CACHE_HOME/pii-scanner``, else ``~/.cache/pii-scanner``."""
    if os.environ.get("PII_SCANNER_CACHE"):
        return Path(os.environ["PII_SCANNER_CACHE"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "pii-scanner"


def _info(model_dir: Path | str | ModelInfo) -> ModelInfo:
    return model_dir if isinstance(model_dir, ModelInfo) else ModelInfo.resolve(model_dir)


def onnx_dir(model_dir: Path | str | ModelInfo) -> Path:
    """The cache folder for this exact model (id and weight hash)."""
    info = _info(model_dir)
    return cache_root() / "onnx" / f"{info.id}-{info.sha256[:12]}"


def onnx_path(model_dir: Path | str | ModelInfo, precision: str) -> Path:
    """Where the ``precision`` export of this model lives (it may not exist yet: see ``ensure_onnx``)."""
    _check_precisions([precision])
    return onnx_dir(model_dir) / f"model.{precision}.onnx"


def _check_precisions(precisions) -> None:
    bad = [p for p in precisions if p not in PRECISIONS]
    if bad:
        raise ValueError(f"unknown ONNX precision(s) {bad} (choose from: {', '.join(PRECISIONS)})")


def read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _is_done(out_dir: Path, precision: str, sha256: str) -> bool:
    """The file exists and ``export.json`` says it was made from these exact weights."""
    manifest = read_manifest(out_dir)
    entry = manifest.get("files", {}).get(precision)
    return (manifest.get("source_sha256") == sha256 and manifest.get("export_version") == EXPORT_VERSION
            and entry is not None and (out_dir / entry["file"]).is_file())


@contextlib.contextmanager
def _locked(out_dir: Path):
    """An exclusive advisory lock on ``out_dir/.lock`` (a no-op where ``fcntl`` does not exist)."""
    try:
        import fcntl
    except ImportError:  # Windows: os.replace still keeps every file whole
        yield
        return
    with open(out_dir / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- public API -------------------------------------------------------------------------------------

def ensure_onnx(model_dir: Path | str | ModelInfo, precision: str) -> Path:
    """The path of the ``precision`` export, exporting it (and fp32, its source) on first use."""
    info = _info(model_dir)
    path = onnx_path(info, precision)
    if _is_done(path.parent, precision, info.sha256):  # the common case: no lock, no work
        return path
    return export_onnx(info.path, precisions=(precision,))[precision]


def export_onnx(model_dir: Path | str | ModelInfo, out_dir: Path | None = None,
                precisions=("fp32", "int8"), force: bool = False) -> dict[str, Path]:
    """Export the model at ``model_dir`` to ONNX in each of ``precisions``; returns precision -> path.

    Files already exported from the same weights are reused unless ``force``. fp32 is always produced
    (every other precision is derived from it). Raises ``ExportError`` when export is impossible here.
    """
    info = _info(model_dir)
    precisions = tuple(dict.fromkeys(precisions))
    _check_precisions(precisions)
    out_dir = Path(out_dir) if out_dir is not None else onnx_dir(info)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = ("fp32",) + tuple(p for p in precisions if p != "fp32")
    with _locked(out_dir):
        manifest = read_manifest(out_dir)
        if (manifest.get("source_sha256"), manifest.get("export_version")) != (info.sha256, EXPORT_VERSION):
            manifest = {}  # other weights (only with an explicit out_dir) or an older recipe
        todo = [p for p in wanted if force or not _is_done(out_dir, p, info.sha256)]
        if todo:
            tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
            try:
                try:
                    made = _export(info, tmp, todo, out_dir)
                except ExportError:
                    raise
                except Exception as exc:  # noqa: BLE001  (one error type for callers to handle)
                    raise ExportError(
                        f"ONNX export of {info.path} failed: {type(exc).__name__}: {exc}") from exc
                for p, (name, facts) in made.items():
                    os.replace(tmp / name, out_dir / name)
                    manifest.setdefault("files", {})[p] = facts
                manifest.update(_versions(info))
                manifest["precisions"] = sorted(manifest["files"], key=PRECISIONS.index)
                _write_json(out_dir / MANIFEST, manifest, tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    return {p: out_dir / manifest["files"][p]["file"] for p in precisions}


# -- the work ---------------------------------------------------------------------------------------

def _export(info: ModelInfo, tmp: Path, todo: list[str], out_dir: Path) -> dict[str, tuple[str, dict]]:
    """Write each precision in ``todo`` into ``tmp``; fp32 is read from ``out_dir`` if not in ``todo``."""
    try:
        import onnx  # noqa: F401  (needed by every step below)
    except ImportError as exc:
        raise ExportError("ONNX export needs the 'onnx' package (pip install onnx)") from exc
    made: dict[str, tuple[str, dict]] = {}
    fp32 = tmp / "model.fp32.onnx"
    if "fp32" in todo:
        t0 = time.perf_counter()
        log.info("exporting %s: fp32 ONNX (once; cached in %s)", info.id, out_dir)
        facts = _export_fp32(info, fp32)
        facts["seconds"] = round(time.perf_counter() - t0, 2)
        made["fp32"] = (fp32.name, facts | {"file": fp32.name, "bytes": fp32.stat().st_size})
    else:
        fp32 = out_dir / "model.fp32.onnx"
    for precision in todo:
        if precision == "fp32":
            continue
        t0 = time.perf_counter()
        log.info("exporting %s: %s ONNX (once; cached in %s)", info.id, precision, out_dir)
        dst = tmp / f"model.{precision}.onnx"
        facts = _quantize_int8(info, fp32, dst) if precision == "int8" else _convert_fp16(info, fp32, dst)
        facts["seconds"] = round(time.perf_counter() - t0, 2)
        made[precision] = (dst.name, facts | {"file": dst.name, "bytes": dst.stat().st_size})
    return made


def input_names(info: ModelInfo | Path | str) -> list[str]:
    """The graph's inputs: ``token_type_ids`` too for a model that reads case classes (``case.py``)."""
    from .case import uses_case

    return ["input_ids", "attention_mask"] + (["token_type_ids"] if uses_case(_info(info).config) else [])


def _logits_only(model):
    """The HF model as a module with the graph's inputs (two, or three for a case model) and one output."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    return LogitsOnly(model).eval()


def _sample_batch(info: ModelInfo) -> dict:
    """A small padded batch of real token ids (and case classes): the trace input and the check."""
    import numpy as np

    from .case import N_CLASSES

    rng = np.random.default_rng(0)
    vocab = int(info.config.get("vocab_size", 30522))
    ids = rng.integers(1000, vocab, size=(3, 24), dtype=np.int64)
    mask = np.ones_like(ids)
    for row, n in enumerate((24, 17, 5)):  # rows of different lengths: padding must be masked
        mask[row, n:] = 0
        ids[row, n:] = 0
    ids[:, 0] = 101  # [CLS]
    feed = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in input_names(info):
        feed["token_type_ids"] = rng.integers(0, N_CLASSES, size=ids.shape, dtype=np.int64) * mask
    return feed


def _export_fp32(info: ModelInfo, dst: Path) -> dict:
    """fp32 ONNX with dynamic batch/sequence axes; the TorchScript exporter, else the dynamo one."""
    import numpy as np
    import torch
    from transformers import AutoModelForTokenClassification

    # "eager" attention: the classic BERT attention subgraph, which ONNX Runtime's fusions recognise
    # (sdpa exports as a pattern they do not). Same numbers, weights loaded from fp16 into fp32.
    model = AutoModelForTokenClassification.from_pretrained(
        info.path, dtype=torch.float32, attn_implementation="eager")
    names = input_names(info)
    wrapped = _logits_only(model)
    feed = _sample_batch(info)
    args = tuple(torch.from_numpy(feed[n]) for n in names)
    with torch.inference_mode():
        ref = wrapped(*args).numpy()
    errors = []
    for exporter in ("torchscript", "dynamo"):
        try:
            # Exporters warn (deprecations, tracer notes) and the dynamo one prints progress to
            # stdout, which may be a report (eval --json): keep both quiet.
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                opset = _run_exporter(exporter, wrapped, args, dst, names)
            diff = float(np.abs(_ort_cpu(dst, feed) - ref).max())
        except Exception as exc:  # noqa: BLE001  (any exporter failure: try the other one)
            errors.append(f"{exporter}: {type(exc).__name__}: {exc}")
            continue
        if diff <= CHECK_ATOL:
            return {"exporter": exporter, "opset": opset, "max_abs_diff_vs_torch": diff}
        errors.append(f"{exporter}: logits differ from torch by {diff:.2e} > {CHECK_ATOL}")
    raise ExportError("ONNX export failed: " + "; ".join(errors))


def _run_exporter(exporter: str, module, args, dst: Path, inputs: list[str]) -> int:
    """Write ``dst`` with one exporter; returns the opset used."""
    import onnx
    import torch

    names = dict(input_names=inputs, output_names=["logits"])
    if exporter == "torchscript":
        axes = {0: "batch", 1: "sequence"}
        torch.onnx.export(module, args, str(dst), dynamo=False, opset_version=OPSET,
                          do_constant_folding=True,
                          dynamic_axes={n: axes for n in [*inputs, "logits"]}, **names)
        return OPSET
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
    shapes = {n: {0: batch, 1: seq} for n in inputs}
    # The dynamo exporter's lowest opset is 18; it writes weights to ``dst.data``: embed them.
    torch.onnx.export(module, args, str(dst), dynamo=True, opset_version=max(OPSET, 18),
                      dynamic_shapes=shapes, verbose=False, **names)
    graph = onnx.load(str(dst))  # loads external data too
    for f in dst.parent.glob(dst.name + "*.data"):
        f.unlink()
    onnx.save(graph, str(dst), save_as_external_data=False)
    return max(OPSET, 18)


def _ort_cpu(path: Path, feed: dict):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    feed = {k: v for k, v in feed.items() if k in names}
    if "token_type_ids" in names and "token_type_ids" not in feed:
        feed["token_type_ids"] = feed["input_ids"] * 0
    return sess.run(["logits"], feed)[0].astype("float32")


def _quantize_int8(info: ModelInfo, fp32: Path, dst: Path) -> dict:
    """Per-token int8 MatMuls (``scanner.quantize``), checked to run and to tag like fp32 (CPU).

    Only MatMuls with a weight matrix: the embedding tables (Gather) stay fp32, since a lookup gains
    no speed from int8 and quantizing them cost ~0.5 F1 points on held-out data.
    """
    import numpy as np

    from .quantize import quantize_per_token

    facts = quantize_per_token(fp32, dst)
    feed = _sample_batch(info)
    ref, got = _ort_cpu(fp32, feed), _ort_cpu(dst, feed)
    valid = feed["attention_mask"].astype(bool)
    if not np.isfinite(got).all() or (ref.argmax(-1) == got.argmax(-1))[valid].mean() < 0.9:
        raise ExportError(f"int8 ONNX does not reproduce fp32 (max abs logit diff "
                          f"{float(np.abs(ref - got).max()):.2f})")
    return facts


class _DropMessage(logging.Filter):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


@contextlib.contextmanager
def _quiet_logging():
    """ONNX Runtime's quantizer and fusions log hundreds of INFO lines (to the root logger and
    module loggers) and advise a pre-processing step this graph does not need: silence both for the
    few seconds of a one-time export."""
    previous = logging.root.manager.disable
    nag = _DropMessage("pre-processing before quantization")
    logging.disable(logging.INFO)
    logging.root.addFilter(nag)
    try:
        yield
    finally:
        logging.root.removeFilter(nag)
        logging.disable(previous)


def _convert_fp16(info: ModelInfo, fp32: Path, dst: Path) -> dict:
    """BERT fusions then fp16 weights/compute, keeping fp32 inputs and logits (CUDA execution)."""
    try:
        from onnxruntime.transformers import optimizer
    except ImportError as exc:
        raise ExportError(f"fp16 ONNX needs onnxruntime.transformers: {exc}") from exc
    cfg = info.config
    with _quiet_logging():
        opt = optimizer.optimize_model(str(fp32), model_type="bert", opt_level=0,
                                       num_heads=int(cfg.get("num_attention_heads", 0)),
                                       hidden_size=int(cfg.get("hidden_size", 0)))
        fused = {k: v for k, v in opt.get_fused_operator_statistics().items() if v}
        opt.convert_float_to_float16(keep_io_types=True)
        opt.save_model_to_file(str(dst), use_external_data_format=False)
    return {"fused_ops": fused}


def _versions(info: ModelInfo) -> dict:
    import onnx
    import onnxruntime
    import torch

    return {"model_id": info.id, "source_sha256": info.sha256, "export_version": EXPORT_VERSION,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__, "torch": torch.__version__}


def _write_json(path: Path, data: dict, tmp_dir: Path) -> None:
    tmp = tmp_dir / path.name
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


__all__ = ["ExportError", "PRECISIONS", "cache_root", "ensure_onnx", "export_onnx", "onnx_dir",
           "onnx_path", "read_manifest"]
