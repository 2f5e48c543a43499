"""Before anything is timed: a frozen copy of the code and the model, and every ONNX export a config needs.

A benchmark takes many minutes. ``scanner/`` and ``configs/`` are copied into the run's temp dir and
every worker imports that copy (its hash, the git HEAD and the uncommitted files go into the result),
and the model folder is copied too, so a checkout edited (or a model retrained) during the run cannot
make configs or rounds run different code or weights.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def snapshot_code(dest: Path) -> dict:
    """Copy ``scanner/`` and ``configs/`` into ``dest``; their hash and git state."""
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


def freeze(work: Path, model: str | None, snapshot: bool):
    """``(code facts, ModelInfo)``: the code snapshot (unless ``snapshot`` is false: the live checkout)
    and the resolved model.

    With a snapshot, ``scanner`` is imported from it from here on, and the model is resolved by the
    snapshot's own ``ModelInfo.resolve`` (a ``models`` link in the snapshot points at the checkout's
    folder, which is not copied whole) and then copied, so the run reads weights nobody can replace.
    """
    code: dict = {"snapshot": False}
    if snapshot:
        src = work / "src"
        code = dict(snapshot_code(src), snapshot=True, src=str(src))
        (src / "models").symlink_to(ROOT / "models", target_is_directory=True)
        sys.path.insert(0, str(src))
    from scanner.model import ModelInfo

    info = ModelInfo.resolve(model)
    if snapshot:
        frozen = work / "model" / info.path.name
        shutil.copytree(info.path, frozen, ignore=shutil.ignore_patterns("onnx", "*.onnx"))
        info = ModelInfo.resolve(frozen)
    return code, info


def prepare_onnx(model: str | Path, configs: list) -> dict[str, str]:
    """Export every ONNX file a config needs before anything is timed; config name -> error if impossible."""
    onnx_configs = [c for c in configs if c.kind == "scan" and c.backend == "onnx"]
    if not onnx_configs:
        return {}
    try:
        import onnxruntime as ort

        providers = ort.get_available_providers()
    except ImportError as exc:
        return {c.name: f"onnxruntime unavailable: {exc}" for c in onnx_configs}
    need: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for c in onnx_configs:
        if c.device == "cuda" and "CUDAExecutionProvider" not in providers:
            errors[c.name] = ("onnxruntime has no CUDAExecutionProvider (providers: "
                              f"{', '.join(providers)}): install onnxruntime-gpu (make gpu)")
            continue
        for p in (["fp32", "fp16"] if c.precision == "auto" else [c.precision]):
            need.setdefault(p, []).append(c.name)
    try:
        from scanner.export import ensure_onnx
    except ImportError as exc:
        return {**errors, **{n: f"scanner.export unavailable: {exc}" for names in need.values() for n in names}}
    for p in (p for p in ("fp32", "int8", "fp16") if p in need):
        t0 = time.perf_counter()
        try:
            ensure_onnx(Path(model), p)
            print(f"[prepare] onnx {p}: ready ({time.perf_counter() - t0:.1f}s)", flush=True)
        except Exception as exc:  # noqa: BLE001
            msg = f"{type(exc).__name__}: {exc}"
            print(f"[prepare] onnx {p}: FAILED {msg}", flush=True)
            if p != "fp16":  # fp16 is optional for "auto" (the backend falls to fp32 on CUDA)
                for n in need[p]:
                    errors[n] = f"onnx {p} export failed: {msg}"
    return errors


def remove(work: Path, keep: bool) -> None:
    if keep:
        print(f"[bench] kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def copy_logs(work: Path, logs: str | None) -> None:
    """Every worker's log and result JSON into ``logs`` (``--logs``)."""
    if not logs:
        return
    dest = Path(logs)
    dest.mkdir(parents=True, exist_ok=True)
    for d in sorted(work.glob("r*-*")):
        for f in ("worker.log", "result.json"):
            if (d / f).exists():
                shutil.copy(d / f, dest / f"{d.name}-{f}")
