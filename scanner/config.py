"""Finding and reading the YAML files under ``configs/``; ``ConfigError`` for any problem with one.

What each file may say is its schema (``scanner.policy_schema``, ``scanner.rules.schema``, built from
``scanner.config_schema``), so a typo fails fast with the file and the key named instead of being
silently ignored. This module stays free of pydantic: the CLI imports it for ``--help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ScannerError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``configs`` or ``models``: the copy shipped inside an installed wheel (``scanner/_data/NAME``),
    else the checkout's top-level folder. One lookup, so a wheel works from any working directory."""
    shipped = _PACKAGE / "_data" / name
    return shipped if shipped.is_dir() else _PACKAGE.parent / name


CONFIG_DIR = data_dir("configs")


class ConfigError(ScannerError, ValueError):
    """A config file is unreadable or invalid; the message names the file and the key."""


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read one YAML mapping, turning every parse problem into a one-line ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where} {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data
