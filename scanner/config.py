"""Loading and validating the YAML files under ``configs/``.

Every config section is checked against the keys its dataclass knows, so a typo fails fast with the
file and the key named, instead of being silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

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


def check_keys(data: dict[str, Any], allowed: Iterable[str], path: str | Path, where: str = "") -> None:
    """Reject unknown keys, naming the first one and what would have been accepted."""
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            at = f"{where}.{key}" if where else str(key)
            raise ConfigError(f"{path}: unknown key '{at}' (expected one of: {', '.join(sorted(allowed))})")
