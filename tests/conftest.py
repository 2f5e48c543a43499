"""Shared fixtures: the real shipped model, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@pytest.fixture(scope="session")
def scanner():
    """The real scanner on CPU with the shipped model (torch fp32: the reference backend)."""
    from scanner.pipeline import Scanner, ScanOptions

    return Scanner(ScanOptions(backend="torch", device="cpu"))


@pytest.fixture(scope="session")
def hf_tokenizer():
    from scanner.model import ModelInfo

    return ModelInfo.resolve(None).tokenizer()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The shipped model (``PII_SCANNER_TEST_MODEL`` may point elsewhere while developing)."""
    from scanner.model import DEFAULT_MODEL, ModelInfo

    return ModelInfo.resolve(os.environ.get("PII_SCANNER_TEST_MODEL") or DEFAULT_MODEL).path


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory):
    """ONNX exports go to one temporary cache per test session: exported once, never into ~/.cache."""
    root = tmp_path_factory.getbasetemp() / "pii-scanner-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PII_SCANNER_CACHE", str(root))
        yield root


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh virtualenv, outside the repository, with pii-scanner installed from a wheel built here.

    The wheel is built (``python -m build --wheel --no-isolation``) from a copy of the files git
    tracks or would track, so nothing ignored (exports, build folders) can leak in. The heavy
    dependencies (torch, transformers...) are not installed again, offline: a ``.pth`` file appends
    this environment's site-packages to the new one's path, *after* its own site-packages, so
    ``scanner`` itself can only come from the wheel (the tests check ``scanner.__file__``).
    """
    import shutil
    import subprocess
    import sys
    import sysconfig

    repo = Path(__file__).resolve().parent.parent
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=repo, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if (repo / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / rel, src / rel)
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"),
                    str(src)], check=True, capture_output=True)
    (wheel,) = (root / "dist").glob("pii_scanner-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "_pii_scanner_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    shutil.rmtree(src)
    return venv


def outside_env(venv: Path) -> dict[str, str]:
    """The environment for a command run with ``venv``: its bin first, nothing pointing at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PII_SCANNER_MODEL", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env
