"""Pattern detectors: the registry, the rules config, and building the detectors a scan runs.

``configs/detectors.yaml`` says which built-in detectors run, the phone regions, per-label model score
thresholds, the allow- and deny-lists and custom regex detectors. A user's file overrides it key by key
(``load_rules_config``), validated by ``scanner.rules.schema``: a typo is a one-line ConfigError naming
the file and the key, never a silent default.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config import CONFIG_DIR, load_yaml
from scanner.records import Span
from scanner.rules.base import Detector, RegexDetector
from scanner.rules.card import CardDetector
from scanner.rules.custom import CustomDetector, DenyDetector
from scanner.rules.email import EmailDetector
from scanner.rules.iban import IbanDetector
from scanner.rules.ip import IpDetector
from scanner.rules.named_email import NamedEmailDetector
from scanner.rules.phone import PhoneDetector
from scanner.rules.postcode import PostcodeDetector
from scanner.rules.secrets import SecretsDetector
from scanner.rules.ssn import SsnDetector
from scanner.rules.url import UrlDetector

__all__ = [
    "DETECTORS",
    "DEFAULT_RULES_PATH",
    "CustomRule",
    "DenyTerm",
    "Detector",
    "RegexDetector",
    "RulesConfig",
    "authoritative_labels",
    "build_detectors",
    "find_all",
    "load_rules_config",
]

# Built-in detectors by name. "custom:<name>" and "deny" are built from their config sections.
DETECTORS: dict[str, type] = {
    "email": EmailDetector,
    "named_email": NamedEmailDetector,
    "phone": PhoneDetector,
    "card": CardDetector,
    "iban": IbanDetector,
    "ssn": SsnDetector,
    "postcode": PostcodeDetector,
    "ip": IpDetector,
    "url": UrlDetector,
    "secret": SecretsDetector,
}

DEFAULT_RULES_PATH = CONFIG_DIR / "detectors.yaml"


@dataclass(frozen=True, slots=True)
class CustomRule:
    """One ``custom:`` entry: spans of ``pattern`` (or its ``value`` group) get ``label`` at ``score``."""

    name: str
    label: str
    pattern: re.Pattern[str]
    score: float


@dataclass(frozen=True, slots=True)
class DenyTerm:
    """One ``deny_list:`` entry: ``value`` is always flagged as ``label``."""

    value: str
    label: str


def _shipped_value(name: str) -> Any:
    """A field's default: its value in ``configs/detectors.yaml``, the one place defaults live."""
    return field(default_factory=lambda: copy.copy(getattr(_shipped(), name)))


@dataclass(slots=True)
class RulesConfig:
    """The validated rules config. ``RulesConfig()`` is ``configs/detectors.yaml``'s (read on first use)."""

    path: Path = DEFAULT_RULES_PATH
    enabled: tuple[str, ...] = _shipped_value("enabled")
    phone_regions: tuple[str, ...] = _shipped_value("phone_regions")
    default_threshold: float = _shipped_value("default_threshold")
    thresholds: dict[str, float] = _shipped_value("thresholds")  # label -> min model score
    allow_values: frozenset[str] = _shipped_value("allow_values")  # lower-cased, whitespace-normalised
    allow_patterns: tuple[re.Pattern[str], ...] = _shipped_value("allow_patterns")  # full-match a span's text
    deny_list: tuple[DenyTerm, ...] = _shipped_value("deny_list")
    custom: tuple[CustomRule, ...] = _shipped_value("custom")
    model_languages: tuple[str, ...] = _shipped_value("model_languages")  # where the model is trusted
    language_confidence: float = _shipped_value("language_confidence")  # a less sure guess keeps it on
    propagate: bool = _shipped_value("propagate")  # copy found values to other occurrences

    def threshold(self, label: str) -> float:
        """Minimum model score for ``label``."""
        return self.thresholds.get(label, self.default_threshold)

    def is_allowed(self, span_text: str) -> bool:
        """True when the allow-list says this text is never to be flagged."""
        norm = " ".join(span_text.lower().split())
        if norm in self.allow_values:
            return True
        stripped = span_text.strip()
        return any(p.fullmatch(stripped) for p in self.allow_patterns)


def build_detectors(cfg: RulesConfig) -> list[Detector]:
    """The detectors a scan runs, in config order: built-ins, then custom ones, then the deny-list."""
    out: list[Detector] = []
    for name in cfg.enabled:
        out.append(PhoneDetector(cfg.phone_regions) if name == "phone" else DETECTORS[name]())
    out.extend(CustomDetector(c.name, c.label, c.pattern, c.score) for c in cfg.custom)
    if cfg.deny_list:
        out.append(DenyDetector((t.value, t.label) for t in cfg.deny_list))
    return out


def find_all(detectors: list[Detector], text: str) -> list[Span]:
    """Every detector's spans for one text (overlaps included: ``merge_spans`` resolves them)."""
    spans: list[Span] = []
    for det in detectors:
        spans.extend(det.find(text))
    return spans


def authoritative_labels(detectors: list[Detector]) -> frozenset[str]:
    """The union of the detectors' labels: the ``rule_labels`` argument of ``merge_spans``."""
    return frozenset().union(*(d.labels for d in detectors))


# ---------------------------------------------------------------------------------------------------
# Loading


def load_rules_config(path: str | Path | None = None) -> RulesConfig:
    """Read and validate a rules file laid over ``configs/detectors.yaml`` (``None``: that file alone).

    The shipped file is the defaults: a key the user's file leaves out keeps its value there, a
    mapping (``phone``, ``thresholds``, ``allow_list``) is merged key by key, any other value replaces
    the shipped one. An empty file is the shipped config. The schema: ``scanner.rules.schema``.
    """
    from scanner.config_schema import validate  # pydantic is imported when a config is loaded
    from scanner.rules.schema import RulesFile

    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    data = load_yaml(DEFAULT_RULES_PATH)
    if path != DEFAULT_RULES_PATH:
        validate(RulesFile, data, DEFAULT_RULES_PATH)  # a broken shipped file is named as such
        data = _overlay(data, load_yaml(path))
    return validate(RulesFile, data, path).config(path)


def _overlay(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``: mappings merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in over.items():
        below = base.get(key)
        out[key] = _overlay(below, value) if isinstance(value, dict) and isinstance(below, dict) else value
    return out


@functools.cache
def _shipped() -> RulesConfig:
    return load_rules_config(None)
