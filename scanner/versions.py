"""Installed versions of pii-scanner and of the libraries its results depend on: one place, read once.

Read from the package metadata, never by importing (importing torch just to ask would add seconds to a
``--no-model`` run). A process's libraries do not change while it runs, so they are collected once; the
run and audit manifests (``versions``), the resume settings (``language_id``) and anything else that
records them call ``library_versions``.
"""

from __future__ import annotations

import platform
from functools import lru_cache

from . import __version__

# Reported name -> the distributions that provide it, first found wins (onnxruntime-gpu installs the
# same module as onnxruntime). An optional library that is not installed is left out, not an error.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "torch": ("torch",), "transformers": ("transformers",), "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "pyarrow": ("pyarrow",), "numpy": ("numpy",), "tokenizers": ("tokenizers",), "py3langid": ("py3langid",),
    "phonenumbers": ("phonenumbers",),
}


def installed_version(*dists: str) -> str | None:
    """The version of the first of ``dists`` that is installed, None when none is."""
    from importlib.metadata import PackageNotFoundError, version

    for name in dists:
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None


@lru_cache(maxsize=1)
def _collect() -> tuple[tuple[str, str], ...]:
    found = {name: installed_version(*dists) for name, dists in LIBRARIES.items()}
    return (("pii-scanner", __version__), ("python", platform.python_version()),
            *((k, v) for k, v in found.items() if v is not None))


def library_versions() -> dict[str, str]:
    """``{"pii-scanner": ..., "python": ..., "torch": ..., ...}`` for what is installed (a new dict each
    call: the caller may keep or change it)."""
    return dict(_collect())


__all__ = ["LIBRARIES", "installed_version", "library_versions"]
