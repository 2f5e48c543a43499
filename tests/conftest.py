"""Shared fixtures: the real shipped model, loaded once per test session."""

from __future__ import annotations

import os

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
