"""Pattern detectors: the registry, the rules config, and building the detectors a scan runs.

``configs/detectors.yaml`` says which built-in detectors run, the phone regions, per-label model score
thresholds, the allow- and deny-lists and custom regex detectors. Every level is checked with
``check_keys``, so a typo is a one-line ConfigError naming the file and the key, never a silent default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers

from scanner.config import CONFIG_DIR, ConfigError, check_keys, load_yaml
from scanner.labels import LABELS
from scanner.records import Span
from scanner.rules.base import Detector, RegexDetector
from scanner.rules.card import CardDetector
from scanner.rules.custom import CustomDetector, DenyDetector
from scanner.rules.email import EmailDetector
from scanner.rules.named_email import NamedEmailDetector
from scanner.rules.iban import IbanDetector
from scanner.rules.ip import IpDetector
from scanner.rules.phone import DEFAULT_REGIONS, PhoneDetector
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
    "ip": IpDetector,
    "url": UrlDetector,
    "secret": SecretsDetector,
}

DEFAULT_RULES_PATH = CONFIG_DIR / "detectors.yaml"
_CUSTOM_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*")


@dataclass(frozen=True, slots=True)
class CustomRule:
    """One ``custom:`` entry: spans of ``pattern`` (or its ``value`` group) get ``label`` at ``score``."""

    name: str
    label: str
    pattern: re.Pattern[str]
    score: float = 0.9


@dataclass(frozen=True, slots=True)
class DenyTerm:
    """One ``deny_list:`` entry: ``value`` is always flagged as ``label``."""

    value: str
    label: str


@dataclass(slots=True)
class RulesConfig:
    """The validated rules config. The defaults here are the defaults of ``configs/detectors.yaml``."""

    path: Path = DEFAULT_RULES_PATH
    enabled: tuple[str, ...] = tuple(DETECTORS)
    phone_regions: tuple[str, ...] = DEFAULT_REGIONS
    default_threshold: float = 0.5
    thresholds: dict[str, float] = field(default_factory=dict)  # label -> min model score
    allow_values: frozenset[str] = frozenset()  # lower-cased, whitespace-normalised exact texts
    allow_patterns: tuple[re.Pattern[str], ...] = ()  # full-match against a span's text
    deny_list: tuple[DenyTerm, ...] = ()
    custom: tuple[CustomRule, ...] = ()
    model_languages: tuple[str, ...] = ("en",)  # where model findings are trusted (language.py)
    language_confidence: float = 0.9  # a less confident language guess keeps the model on
    propagate: bool = True  # copy each found value to its other occurrences (consistency.py)

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

_TOP_KEYS = ("enabled", "phone", "thresholds", "allow_list", "deny_list", "custom", "model_languages",
             "language_confidence", "propagate")


def load_rules_config(path: str | Path | None = None) -> RulesConfig:
    """Read and validate a rules config; ``None`` means ``configs/detectors.yaml``."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    data = load_yaml(path)
    check_keys(data, _TOP_KEYS, path)
    defaults = RulesConfig()

    enabled = defaults.enabled
    if "enabled" in data:
        names = _str_list(data["enabled"], path, "enabled")
        for n in names:
            if n not in DETECTORS:
                raise ConfigError(
                    f"{path}: unknown detector '{n}' in 'enabled' (expected some of: {', '.join(DETECTORS)})"
                )
        enabled = tuple(dict.fromkeys(names))

    regions = defaults.phone_regions
    if "phone" in data:
        phone = _mapping(data["phone"], path, "phone")
        check_keys(phone, ("regions",), path, "phone")
        if "regions" in phone:
            regions = tuple(r.upper() for r in _str_list(phone["regions"], path, "phone.regions"))
            for r in regions:
                if r not in phonenumbers.SUPPORTED_REGIONS:
                    raise ConfigError(f"{path}: 'phone.regions': unknown region '{r}' (use ISO codes like US, GB)")
            if not regions:
                raise ConfigError(f"{path}: 'phone.regions' must name at least one region")

    default_threshold = defaults.default_threshold
    thresholds: dict[str, float] = {}
    if "thresholds" in data:
        th = _mapping(data["thresholds"], path, "thresholds")
        check_keys(th, ("default", *LABELS), path, "thresholds")
        for key, value in th.items():
            score = _score(value, path, f"thresholds.{key}", low_inclusive=True)
            if key == "default":
                default_threshold = score
            else:
                thresholds[key] = score

    allow_values: frozenset[str] = frozenset()
    allow_patterns: tuple[re.Pattern[str], ...] = ()
    if "allow_list" in data:
        al = _mapping(data["allow_list"], path, "allow_list")
        check_keys(al, ("values", "patterns"), path, "allow_list")
        allow_values = frozenset(
            " ".join(v.lower().split()) for v in _str_list(al.get("values", []), path, "allow_list.values")
        )
        allow_patterns = tuple(
            _compile(p, path, f"allow_list.patterns[{i}]")
            for i, p in enumerate(_str_list(al.get("patterns", []), path, "allow_list.patterns"))
        )

    deny: list[DenyTerm] = []
    for i, item in enumerate(_list(data.get("deny_list", []), path, "deny_list")):
        where = f"deny_list[{i}]"
        item = _mapping(item, path, where)
        check_keys(item, ("value", "label"), path, where)
        value = item.get("value")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: '{where}.value' must be a non-empty string")
        deny.append(DenyTerm(value.strip(), _label(item.get("label"), path, f"{where}.label")))

    custom: list[CustomRule] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(data.get("custom", []), path, "custom")):
        where = f"custom[{i}]"
        item = _mapping(item, path, where)
        check_keys(item, ("name", "label", "pattern", "score"), path, where)
        name = item.get("name")
        if not isinstance(name, str) or not _CUSTOM_NAME.fullmatch(name):
            raise ConfigError(f"{path}: '{where}.name' must be lower-case letters, digits, '_' or '-'")
        if name in seen:
            raise ConfigError(f"{path}: '{where}.name': duplicate custom detector '{name}'")
        seen.add(name)
        where = f"custom[{name}]"
        pattern = item.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{path}: '{where}.pattern' must be a non-empty string")
        compiled = _compile(pattern, path, f"{where}.pattern")
        if compiled.fullmatch(""):
            raise ConfigError(f"{path}: '{where}.pattern' matches the empty string")
        label = _label(item.get("label"), path, f"{where}.label")
        score = _score(item.get("score", 0.9), path, f"{where}.score", low_inclusive=False)
        custom.append(CustomRule(name, label, compiled, score))

    languages = defaults.model_languages
    if "model_languages" in data:
        languages = tuple(x.lower() for x in _str_list(data["model_languages"], path, "model_languages"))
        for x in languages:
            if not re.fullmatch(r"[a-z]{2,3}", x):
                raise ConfigError(f"{path}: 'model_languages': {x!r} is not an ISO 639-1 code like en, de")
    confidence = defaults.language_confidence
    if "language_confidence" in data:
        confidence = _score(data["language_confidence"], path, "language_confidence", low_inclusive=True)
    propagate = data.get("propagate", defaults.propagate)
    if not isinstance(propagate, bool):
        raise ConfigError(f"{path}: 'propagate' must be true or false, got {propagate!r}")

    return RulesConfig(
        path=path,
        enabled=enabled,
        phone_regions=regions,
        default_threshold=default_threshold,
        thresholds=thresholds,
        allow_values=allow_values,
        allow_patterns=allow_patterns,
        deny_list=tuple(deny),
        custom=tuple(custom),
        model_languages=languages,
        language_confidence=confidence,
        propagate=propagate,
    )


def _mapping(value: Any, path: str | Path, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{where}' must be a mapping, got {type(value).__name__}")
    return value


def _list(value: Any, path: str | Path, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{path}: '{where}' must be a list, got {type(value).__name__}")
    return value


def _str_list(value: Any, path: str | Path, where: str) -> list[str]:
    items = _list(value, path, where)
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{path}: '{where}' must be a list of strings, got {item!r}")
    return items


def _label(value: Any, path: str | Path, where: str) -> str:
    if value not in LABELS:
        raise ConfigError(f"{path}: '{where}': unknown label {value!r} (expected one of: {', '.join(LABELS)})")
    return value


def _score(value: Any, path: str | Path, where: str, *, low_inclusive: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and (0.0 <= value <= 1.0 if low_inclusive else 0.0 < value <= 1.0):
        return float(value)
    bounds = "[0, 1]" if low_inclusive else "(0, 1]"
    raise ConfigError(f"{path}: '{where}' must be a number in {bounds}, got {value!r}")


def _compile(pattern: str, path: str | Path, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{path}: '{where}': bad regex ({exc})") from None
