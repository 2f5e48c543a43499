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
