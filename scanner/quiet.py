"""``-q``: silence what third-party libraries print (Hugging Face progress bars, Python warnings).

Environment variables are set as well as the in-process switches, because the libraries read them
at import (which may come later: the model loads lazily) and because worker processes inherit them.
Everything is put back on exit, so an application (or a test) that calls the CLI in-process keeps
its own warning filters, log levels and environment.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_ENV = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # transformers' "Loading weights" bar, hub downloads
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "TQDM_DISABLE": "1",  # any other tqdm bar
    "PYTHONWARNINGS": "ignore",  # worker processes; this process's filters are set below
}
_LOGGERS = ("transformers", "datasets", "huggingface_hub", "torch", "onnxruntime", "onnxscript")


def _hf_bars(enabled: bool) -> None:
    """Switch transformers' and datasets' own bars, where they are imported (else the env decides)."""
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        (hf_logging.enable_progress_bar if enabled else hf_logging.disable_progress_bar)()
    if "datasets" in sys.modules:
        import datasets

        (datasets.enable_progress_bars if enabled else datasets.disable_progress_bars)()


@contextmanager
def third_party_silenced() -> Iterator[None]:
    """No progress bars, warnings or info logs from libraries inside; our own messages still print."""
    old_env = {k: os.environ.get(k) for k in _ENV}
    old_levels = {n: logging.getLogger(n).level for n in ("", *_LOGGERS)}
    bars_were_on = not os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS")
    os.environ.update(_ENV)
    for name in ("", *_LOGGERS):
        logging.getLogger(name).setLevel(logging.ERROR)
    _hf_bars(False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for name, level in old_levels.items():
            logging.getLogger(name).setLevel(level)
        with warnings.catch_warnings():  # the hub read its env at import and says so: not news
            warnings.simplefilter("ignore")
            _hf_bars(bars_were_on)
