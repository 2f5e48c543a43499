"""The LLM-data policy: which findings and signals put a document in which tier.

The policy is data (``configs/policy.yaml``), strictly validated on load so that a typo fails with the
file and the key named instead of silently weakening the policy. ``classify`` is pure: text + spans in,
a tier and its reasons out. Reasons name labels, counts and marker names only, never the matched text,
because they are stored in the results table and printed in logs.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scanner.attribution import AttributionSettings, public_credits
from scanner.config import CONFIG_DIR, ConfigError, check_keys, load_yaml
from scanner.labels import LABELS
from scanner.reasons import CODE_SIGNAL, Reason
from scanner.records import Span
from scanner.signals import CodeSettings, Marker, MarkerRule, compile_marker, find_markers, looks_like_source_code

DEFAULT_POLICY_PATH = CONFIG_DIR / "policy.yaml"
# Contexts are compiled as markers of a pseudo-category, so one pass over the text finds both.
CONTEXT_PREFIX = "context:"
TIER_NUMBERS: tuple[int, ...] = (1, 2, 3, 4)
# Every category a policy must place; the order is the tie-break when two categories share a tier.
CATEGORIES: tuple[str, ...] = (
    "classified",
    "privileged",
    "m_and_a",
    "pii",
    "phi",
    "credentials",
    "financial",
    "customer_confidential",
    "internal_strategy",
    "source_code",
    "public",
)


@dataclass(frozen=True, slots=True)
class Tier:
    number: int
    name: str
    description: str
    destinations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelRule:
    """``min_count`` findings among ``labels`` (score >= ``min_score``), plus one of ``with_any`` if set,
    in a document where one of the ``with_context`` contexts (e.g. a letter's salutation) is found."""

    category: str
    labels: frozenset[str]
    min_count: int = 1
    min_score: float = 0.5
    with_any: frozenset[str] = frozenset()
    with_context: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Policy:
    path: Path
    tiers: dict[int, Tier]
    categories: dict[str, int]  # category -> tier
    label_rules: tuple[LabelRule, ...]
    markers: tuple[MarkerRule, ...]
    marker_thresholds: dict[str, int]  # category -> summed weight of distinct markers needed
    source_code: CodeSettings
    attribution: AttributionSettings = AttributionSettings()

    def tier_name(self, tier: int) -> str:
        return self.tiers[tier].name


@dataclass(slots=True)
class Classification:
    tier: int
    tier_name: str
    categories: list[str]  # highest tier first
    reasons: list[Reason]  # the reasons that set the tier first (``reasons.reason_lines``: as text)
    markers: list[Marker] = field(default_factory=list)  # marker occurrences, for `explain`


# --------------------------------------------------------------------------------------------------
# Loading


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and strictly validate a policy file (default ``configs/policy.yaml``)."""
    path = Path(path) if path is not None else DEFAULT_POLICY_PATH
    data = load_yaml(path)
    check_keys(data, ("tiers", "categories", "label_categories", "markers", "contexts", "source_code",
                      "attribution"), path)
    for section in ("tiers", "categories", "label_categories", "markers"):
        if section not in data:
            raise ConfigError(f"{path}: missing key '{section}'")
    tiers = _load_tiers(data["tiers"], path)
    categories = _load_categories(data["categories"], path)
    contexts = _load_contexts(data.get("contexts") or {}, path)
    label_rules = _load_label_rules(data["label_categories"], path, {r.category for r in contexts})
    markers, thresholds = _load_markers(data["markers"], path)
    markers += contexts
    source_code = _load_code_settings(data.get("source_code") or {}, path)
    attribution = _load_attribution(data.get("attribution") or {}, path)
    return Policy(path, tiers, categories, label_rules, markers, thresholds, source_code, attribution)


def _mapping(value: Any, path: Path, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{where}' must be a mapping, got {type(value).__name__}")
    return value


def _list(value: Any, path: Path, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: '{where}' must be a list, got {type(value).__name__}")
    return value


def _typed(value: Any, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    # bool is an int in Python; a tier or count of `true` is a mistake, not 1.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        ok = False
    else:
        ok = isinstance(value, kind)
    if not ok:
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{path}: '{where}' must be {want}, got {value!r}")
    return value


def _tier_number(value: Any, path: Path, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in TIER_NUMBERS:
        raise ConfigError(f"{path}: '{where}': tier must be one of 1-4, got {value!r}")
    return value


def _load_tiers(raw: Any, path: Path) -> dict[int, Tier]:
    raw = _mapping(raw, path, "tiers")
    tiers: dict[int, Tier] = {}
    for key, body in raw.items():
        number = _tier_number(key, path, f"tiers.{key}")
        where = f"tiers.{key}"
        body = _mapping(body, path, where)
        check_keys(body, ("name", "description", "destinations"), path, where)
        if "name" not in body:
            raise ConfigError(f"{path}: missing key '{where}.name'")
        name = _typed(body["name"], str, path, f"{where}.name")
        description = _typed(body.get("description", ""), str, path, f"{where}.description")
        dests = _list(body.get("destinations", []), path, f"{where}.destinations")
        for i, d in enumerate(dests):
            _typed(d, str, path, f"{where}.destinations[{i}]")
        tiers[number] = Tier(number, name, description, tuple(dests))
    for number in TIER_NUMBERS:
        if number not in tiers:
            raise ConfigError(f"{path}: missing key 'tiers.{number}'")
    return tiers


def _load_categories(raw: Any, path: Path) -> dict[str, int]:
    raw = _mapping(raw, path, "categories")
    out: dict[str, int] = {}
    for cat, tier in raw.items():
        if cat not in CATEGORIES:
            raise ConfigError(f"{path}: unknown category 'categories.{cat}' (expected one of: {', '.join(CATEGORIES)})")
        out[cat] = _tier_number(tier, path, f"categories.{cat}")
    for cat in CATEGORIES:
        if cat not in out:
            raise ConfigError(f"{path}: missing key 'categories.{cat}': every category must map to a tier")
    return out


def _labels(value: Any, path: Path, where: str) -> frozenset[str]:
    labels = _list(value, path, where)
    for i, label in enumerate(labels):
        if label not in LABELS:
            raise ConfigError(f"{path}: '{where}[{i}]': unknown label {label!r}")
    return frozenset(labels)


def _load_label_rules(raw: Any, path: Path, contexts: set[str]) -> tuple[LabelRule, ...]:
    raw = _mapping(raw, path, "label_categories")
    rules: list[LabelRule] = []
    for cat, items in raw.items():
        if cat not in CATEGORIES:
            raise ConfigError(f"{path}: unknown category 'label_categories.{cat}'")
        for i, item in enumerate(_list(items, path, f"label_categories.{cat}")):
            where = f"label_categories.{cat}[{i}]"
            item = _mapping(item, path, where)
            check_keys(item, ("labels", "min_count", "min_score", "with_any", "with_context"), path, where)
            if "labels" not in item:
                raise ConfigError(f"{path}: missing key '{where}.labels'")
            min_count = _typed(item.get("min_count", 1), int, path, f"{where}.min_count")
            min_score = float(_typed(item.get("min_score", 0.5), (int, float), path, f"{where}.min_score"))
            if min_count < 1:
                raise ConfigError(f"{path}: '{where}.min_count' must be >= 1, got {min_count}")
            if not 0.0 <= min_score <= 1.0:
                raise ConfigError(f"{path}: '{where}.min_score' must be in [0, 1], got {min_score}")
            rules.append(
                LabelRule(
                    category=cat,
                    labels=_labels(item["labels"], path, f"{where}.labels"),
                    min_count=min_count,
                    min_score=min_score,
                    with_any=_labels(item.get("with_any", []), path, f"{where}.with_any"),
                    with_context=_context_names(item.get("with_context", []), contexts, path, f"{where}.with_context"),
                )
            )
    return tuple(rules)


def _context_names(value: Any, known: set[str], path: Path, where: str) -> frozenset[str]:
    names = _list(value, path, where)
    for i, name in enumerate(names):
        if CONTEXT_PREFIX + str(name) not in known:
            raise ConfigError(f"{path}: '{where}[{i}]': unknown context {name!r} (define it under 'contexts')")
    return frozenset(names)


def _load_contexts(raw: Any, path: Path) -> tuple[MarkerRule, ...]:
    """``contexts.<name>.patterns``: marker patterns that make no category, only a rule's condition."""
    raw = _mapping(raw, path, "contexts")
    rules: list[MarkerRule] = []
    for name, section in raw.items():
        section = _mapping(section, path, f"contexts.{name}")
        check_keys(section, ("patterns",), path, f"contexts.{name}")
        items = _list(section.get("patterns", []), path, f"contexts.{name}.patterns")
        rules += _load_patterns(CONTEXT_PREFIX + str(name), items, path, f"contexts.{name}.patterns")
    return tuple(rules)


_PATTERN_KEYS = ("name", "pattern", "regex", "case_sensitive", "word_boundary", "weight")


def _load_markers(raw: Any, path: Path) -> tuple[tuple[MarkerRule, ...], dict[str, int]]:
    raw = _mapping(raw, path, "markers")
    rules: list[MarkerRule] = []
    thresholds: dict[str, int] = {}
    for cat, section in raw.items():
        if cat not in CATEGORIES:
            raise ConfigError(f"{path}: unknown category 'markers.{cat}'")
        section = _mapping(section, path, f"markers.{cat}")
        check_keys(section, ("threshold", "patterns"), path, f"markers.{cat}")
        threshold = _typed(section.get("threshold", 1), int, path, f"markers.{cat}.threshold")
        if threshold < 1:
            raise ConfigError(f"{path}: 'markers.{cat}.threshold' must be >= 1, got {threshold}")
        thresholds[cat] = threshold
        items = _list(section.get("patterns", []), path, f"markers.{cat}.patterns")
        rules += _load_patterns(cat, items, path, f"markers.{cat}.patterns")
    return tuple(rules), thresholds


def _load_patterns(cat: str, items: list[Any], path: Path, prefix: str) -> list[MarkerRule]:
    rules: list[MarkerRule] = []
    for i, item in enumerate(items):
        where = f"{prefix}[{i}]"
        item = _mapping(item, path, where)
        check_keys(item, _PATTERN_KEYS, path, where)
        for key in ("name", "pattern"):
            if key not in item:
                raise ConfigError(f"{path}: missing key '{where}.{key}'")
        weight = _typed(item.get("weight", 1), int, path, f"{where}.weight")
        if weight < 1:
            raise ConfigError(f"{path}: '{where}.weight' must be >= 1, got {weight}")
        try:
            rule = compile_marker(
                cat,
                _typed(item["name"], str, path, f"{where}.name"),
                _typed(item["pattern"], str, path, f"{where}.pattern"),
                regex=_typed(item.get("regex", False), bool, path, f"{where}.regex"),
                case_sensitive=_typed(item.get("case_sensitive", False), bool, path, f"{where}.case_sensitive"),
                word_boundary=_typed(item.get("word_boundary", True), bool, path, f"{where}.word_boundary"),
                weight=weight,
            )
        except re.error as exc:
            raise ConfigError(f"{path}: '{where}.pattern': invalid regex ({exc})") from None
        if rule.regex.search(""):
            raise ConfigError(f"{path}: '{where}.pattern' matches the empty string")
        rules.append(rule)
    return rules


def _load_code_settings(raw: Any, path: Path) -> CodeSettings:
    raw = _mapping(raw, path, "source_code")
    known = {f.name: f for f in fields(CodeSettings)}
    check_keys(raw, known, path, "source_code")
    kinds: dict[str, type | tuple[type, ...]] = {
        "enabled": bool,
        "min_code_lines": int,
        "min_code_share": (int, float),
        "max_lines": int,
        "config_as_code": bool,
        "examples_are_code": bool,
        "min_prose_lines": int,
    }
    values = {k: _typed(v, kinds[k], path, f"source_code.{k}") for k, v in raw.items()}
    settings = CodeSettings(**values)
    if not 0.0 < settings.min_code_share <= 1.0:
        raise ConfigError(f"{path}: 'source_code.min_code_share' must be in (0, 1], got {settings.min_code_share}")
    if settings.max_lines < 1 or settings.min_code_lines < 1:
        raise ConfigError(f"{path}: 'source_code.max_lines' and 'min_code_lines' must be >= 1")
    return settings


def _load_attribution(raw: Any, path: Path) -> AttributionSettings:
    """``attribution``: labels, and heading / line regexes (each list is joined into one regex)."""
    raw = _mapping(raw, path, "attribution")
    check_keys(raw, ("enabled", "labels", "headings", "lines", "role_addresses"), path, "attribution")
    labels = _list(raw.get("labels", []), path, "attribution.labels")
    for i, label in enumerate(labels):
        if label not in LABELS:
            raise ConfigError(f"{path}: 'attribution.labels[{i}]': unknown label {label!r}")
    compiled: dict[str, re.Pattern[str] | None] = {}
    for key, flags in (("headings", re.IGNORECASE), ("lines", re.MULTILINE), ("role_addresses", 0)):
        items = _list(raw.get(key, []), path, f"attribution.{key}")
        for i, item in enumerate(items):
            _typed(item, str, path, f"attribution.{key}[{i}]")
            try:
                re.compile(item)
            except re.error as exc:
                raise ConfigError(f"{path}: 'attribution.{key}[{i}]': bad regex: {exc}") from None
        compiled[key] = re.compile("|".join(f"(?:{x})" for x in items), flags) if items else None
    return AttributionSettings(frozenset(labels), compiled["headings"], compiled["lines"],
                               _typed(raw.get("enabled", True), bool, path, "attribution.enabled"),
                               compiled["role_addresses"])


# --------------------------------------------------------------------------------------------------
# Classification


def _label_order(item: tuple[str, int]) -> tuple[int, int]:
    label, count = item
    return (-count, LABELS.index(label))


def classify(text: str, spans: list[Span], policy: Policy) -> Classification:
    """Tier = max over the categories the findings and signals put the document in; public if none."""
    # Credits (an author's address in a manual) stay spans but make no category.
    spans, _ = public_credits(text, spans, policy.attribution)
    # One finding per (range, label): the model and a rule detector may report the same entity.
    unique: dict[tuple[int, int, str], float] = {}
    for s in spans:
        key = (s.start, s.end, s.label)
        if s.score > unique.get(key, -1.0):
            unique[key] = s.score

    markers = find_markers(text, policy.markers)
    context_hits: dict[str, list[str]] = defaultdict(list)  # context -> distinct pattern names found
    for m in markers:
        if m.category.startswith(CONTEXT_PREFIX):
            hits = context_hits[m.category[len(CONTEXT_PREFIX):]]
            if m.marker_name not in hits:
                hits.append(m.marker_name)
    contexts = set(context_hits)
    markers = [m for m in markers if not m.category.startswith(CONTEXT_PREFIX)]
    used_contexts: dict[str, set[str]] = defaultdict(set)  # category -> contexts its rules relied on
    hit: dict[str, list[Reason]] = defaultdict(list)  # category -> reasons
    label_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for rule in policy.label_rules:
        if rule.with_context and not rule.with_context & contexts:
            continue
        counts: Counter[str] = Counter(
            label for (_, _, label), score in unique.items() if label in rule.labels and score >= rule.min_score
        )
        if sum(counts.values()) < rule.min_count:
            continue
        if rule.with_any and not any(
            label in rule.with_any and score >= rule.min_score for (_, _, label), score in unique.items()
        ):
            continue
        used_contexts[rule.category] |= rule.with_context & contexts
        for label, n in counts.items():
            # Max, not sum: two rules of one category may both count the same label.
            label_counts[rule.category][label] = max(label_counts[rule.category][label], n)
    for cat, counts in label_counts.items():
        used = tuple(sorted(used_contexts[cat]))
        names = tuple(n for c in used for n in context_hits[c])
        hit[cat] += [Reason(cat, label=label, count=n, context=used, context_markers=names)
                     for label, n in sorted(counts.items(), key=_label_order)]

    weights = {(r.category, r.name): r.weight for r in policy.markers}
    found: dict[str, dict[str, int]] = defaultdict(dict)  # category -> distinct marker name -> weight
    occurrences: Counter[tuple[str, str]] = Counter((mk.category, mk.marker_name) for mk in markers)
    for mk in markers:
        found[mk.category].setdefault(mk.marker_name, weights[(mk.category, mk.marker_name)])
    for cat, names in found.items():
        if sum(names.values()) >= policy.marker_thresholds.get(cat, 1):
            strongest = sorted(names, key=lambda n: -names[n])
            hit[cat] += [Reason(cat, marker=n, count=occurrences[(cat, n)]) for n in strongest]

    if looks_like_source_code(text, policy.source_code):
        hit["source_code"].append(Reason("source_code", marker=CODE_SIGNAL, count=1))

    if not hit:
        tier = policy.categories["public"]
        return Classification(tier, policy.tier_name(tier), ["public"], [Reason("public")], markers)
    order = {cat: i for i, cat in enumerate(CATEGORIES)}
    cats = sorted(hit, key=lambda c: (-policy.categories[c], order[c]))
    tier = policy.categories[cats[0]]
    reasons = [reason for cat in cats for reason in hit[cat]]
    return Classification(tier, policy.tier_name(tier), cats, reasons, markers)
