"""pii-scanner: find personal and confidential data in document corpora and assign an LLM-policy tier.

The public API (see the README's "Python API")::

    from scanner import Scanner, redact, explain
    scanner = Scanner()                      # loads the model, detectors and policy once
    results = scanner.scan(["Call Jane Doe on 555-0100"])
    tables = scanner.scan_table(df, "text")  # pyarrow.Table, pandas.DataFrame or datasets.Dataset
    scan_dataset(ray_ds, "out/", text_column="text")  # a ray.data.Dataset on a Ray cluster (extra "ray")

Names are imported on first use, so ``import scanner`` (and the CLI's ``--help``) stays fast.
Everything not listed in ``__all__`` is private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Scanner", "ScanTables", "DocResult", "Span", "Reason", "redact", "explain", "scan_dataset",
           "__version__"]

_LAZY = {"Scanner": "api", "ScanTables": "api", "redact": "api", "explain": "api",
         "DocResult": "records", "Span": "records", "Reason": "reasons", "scan_dataset": "ray_engine"}

if TYPE_CHECKING:
    from .api import Scanner, ScanTables, explain, redact
    from .ray_engine import scan_dataset
    from .reasons import Reason
    from .records import DocResult, Span


def __getattr__(name: str) -> Any:
    """PEP 562: import the API module only when one of its names is used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scanner' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
