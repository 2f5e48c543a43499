"""``-q``: silence what third-party libraries print (Hugging Face progress bars, Python warnings).

Environment variables are set as well as the in-process switches, because the libraries read them
at import (which may come later, the model loads lazily) and because worker processes inherit them.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

_ENV = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # transformers' "Loading weights" bar and hub downloads
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "TQDM_DISABLE": "1",  # any other tqdm bar
    "PYTHONWARNINGS": "ignore",  # for worker processes; this one is handled below
}


def silence_third_party() -> None:
    """No progress bars, warnings or info logs from libraries; our own errors still print."""
    os.environ.update(_ENV)
    warnings.simplefilter("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("transformers", "datasets", "huggingface_hub", "torch", "onnxruntime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:  # already imported: its switches, not the environment, count now
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    if "datasets" in sys.modules:
        import datasets

        datasets.disable_progress_bars()
