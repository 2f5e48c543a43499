"""The LLM-data policy: which findings and signals put a document in which tier.

The policy is data (``configs/policy.yaml``), strictly validated on load so that a typo fails with the
file and the key named instead of silently weakening the policy. ``classify`` is pure: text + spans in,
a tier and its reasons out. Reasons name labels, counts and marker names only, never the matched text,
because they are stored in the results table and printed in logs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scanner.attribution import AttributionSettings, public_credits
from scanner.config import CONFIG_DIR, load_yaml
from scanner.labels import LABELS
from scanner.reasons import CODE_SIGNAL, Reason
from scanner.records import Span
from scanner.signals import CodeSettings, Marker, MarkerRule, find_markers, looks_like_source_code

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
    min_count: int
    min_score: float
    with_any: frozenset[str]  # may be empty
    with_context: frozenset[str]  # may be empty


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
    """Load and strictly validate a policy file (default ``configs/policy.yaml``; its schema:
    ``scanner.policy_schema``). Any problem is a one-line ConfigError naming the file and the key."""
    from scanner.config_schema import validate  # pydantic is imported when a policy is loaded
    from scanner.policy_schema import PolicyFile

    path = Path(path) if path is not None else DEFAULT_POLICY_PATH
    return validate(PolicyFile, load_yaml(path), path).policy(path)


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
