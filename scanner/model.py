"""Locating the shipped model and describing it (id, hash, tags) for manifests and backends."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .config import data_dir

MODELS_DIR = data_dir("models")
DEFAULT_MODEL = MODELS_DIR / "pii-minilm-l6"


@dataclass(frozen=True)
class ModelInfo:
    path: Path

    @classmethod
    def resolve(cls, model: str | Path | None) -> ModelInfo:
        """A folder path, or a name under ``models/``; a clear error when neither exists.

        ``PII_SCANNER_MODEL`` overrides the default, e.g. to try a freshly trained model.
        """
        path = Path(model or os.environ.get("PII_SCANNER_MODEL") or DEFAULT_MODEL)
        if not path.exists() and not path.is_absolute() and (MODELS_DIR / path).exists():
            path = MODELS_DIR / path
        if not (path / "config.json").exists():
            raise FileNotFoundError(f"{path}: no model here (expected config.json and model.safetensors)")
        return cls(path.resolve())

    @cached_property
    def config(self) -> dict:
        return json.loads((self.path / "config.json").read_text())

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def id2tag(self) -> list[str]:
        id2label = self.config["id2label"]
        return [id2label[str(i)] for i in range(len(id2label))]

    @cached_property
    def sha256(self) -> str:
        """Hash of the weights: ties every output to the exact model that produced it."""
        h = hashlib.sha256()
        with open(self.path / "model.safetensors", "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()

    def tokenizer(self):
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.path)

    def fast_tokenizer(self) -> FastTokenizer:
        """The Rust tokenizer and special-token ids from the model folder, without importing
        transformers (seconds of start-up, and torch with it; benchmarks/README.md, "Cold start"): what
        scanning needs, ``--no-model`` too."""
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        cfg_path = self.path / "tokenizer_config.json"
        cfg = json.loads(cfg_path.read_text()) if cfg_path.exists() else {}

        def token_id(key: str, default: str) -> int | None:
            return tok.token_to_id(cfg.get(key) or default)

        return FastTokenizer(tok, token_id("cls_token", "[CLS]"), token_id("sep_token", "[SEP]"),
                             token_id("pad_token", "[PAD]"))


@dataclass(frozen=True)
class FastTokenizer:
    """The attributes of a Hugging Face fast tokenizer that the pipeline reads, and nothing else."""

    backend_tokenizer: Any  # tokenizers.Tokenizer
    cls_token_id: int | None
    sep_token_id: int | None
    pad_token_id: int | None
