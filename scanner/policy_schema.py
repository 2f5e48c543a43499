"""The schema of a policy file (``configs/policy.yaml``): pydantic models that build a ``Policy``.

A policy file is complete: ``tiers``, ``categories``, ``label_categories`` and ``markers`` must be
there. ``contexts``, ``source_code`` and ``attribution`` may be left out: then there are no contexts,
the ``source_code`` knobs are ``signals.CodeSettings``' defaults (which the shipped file spells out),
and no credit is exempt. The defaults of a rule's or pattern's optional keys are the models' below.
Errors are worded by ``config_schema.validate``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PlainValidator, PrivateAttr, field_validator, model_validator

from scanner.attribution import AttributionSettings
from scanner.config_schema import Count, Invalid, Label, Regex, Section, Share, Unit, one_of
from scanner.policy import CATEGORIES, CONTEXT_PREFIX, TIER_NUMBERS, LabelRule, Policy, Tier
from scanner.signals import CodeSettings, MarkerRule, compile_marker


def _tier(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    # bool is an int in Python; a tier of `true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in TIER_NUMBERS:
        raise Invalid(f"tier must be one of 1-4, got {value!r}")
    return value


TierNumber = Annotated[int, PlainValidator(_tier)]
Category = Annotated[str, PlainValidator(one_of(CATEGORIES, "category", key=True))]


class TierSection(Section):
    name: str
    description: str = ""
    destinations: list[str] = []


class LabelRuleSection(Section):
    """See ``LabelRule``."""

    labels: list[Label]
    min_count: Count = 1
    min_score: Unit = 0.5
    with_any: list[Label] = []
    with_context: list[str] = []  # names under `contexts`, checked by PolicyFile

    def rule(self, category: str) -> LabelRule:
        return LabelRule(category, frozenset(self.labels), self.min_count, self.min_score,
                         frozenset(self.with_any), frozenset(self.with_context))


class PatternSection(Section):
    """One marker or context pattern (``signals.compile_marker``), compiled once valid."""

    name: str
    pattern: str
    regex: bool = False
    case_sensitive: bool = False
    word_boundary: bool = True
    weight: Count = 1
    _rule: MarkerRule = PrivateAttr()

    @model_validator(mode="after")
    def _compiles(self) -> PatternSection:
        try:
            rule = compile_marker("", self.name, self.pattern, regex=self.regex, case_sensitive=self.case_sensitive,
                                  word_boundary=self.word_boundary, weight=self.weight)
        except re.error as exc:
            raise Invalid(f"invalid regex ({exc})", "pattern") from None
        if rule.regex.search(""):
            raise Invalid("matches the empty string", "pattern")
        self._rule = rule
        return self

    def marker(self, category: str) -> MarkerRule:
        return replace(self._rule, category=category)


class MarkerSection(Section):
    threshold: Count = 1  # summed weight of the distinct markers found
    patterns: list[PatternSection] = []


class ContextSection(Section):
    patterns: list[PatternSection] = []


_CODE = CodeSettings()


class SourceCodeSection(Section):
    """The knobs of ``CodeSettings``; a key left out keeps its default there."""

    enabled: bool = _CODE.enabled
    min_code_lines: Count = _CODE.min_code_lines
    min_code_share: Share = _CODE.min_code_share
    max_lines: Count = _CODE.max_lines
    config_as_code: bool = _CODE.config_as_code
    examples_are_code: bool = _CODE.examples_are_code
    min_prose_lines: Annotated[int, Field(ge=0)] = _CODE.min_prose_lines

    def settings(self) -> CodeSettings:
        return CodeSettings(**self.model_dump())


class AttributionSection(Section):
    """``attribution``: labels, and heading / line / role-address regexes (each list joined into one)."""

    enabled: bool = True
    labels: list[Label] = []
    headings: list[Regex] = []
    lines: list[Regex] = []
    role_addresses: list[Regex] = []
    list_hosts: list[Regex] = []
    _joined: dict[str, re.Pattern[str] | None] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _join(self) -> AttributionSection:
        for key, flags in (("headings", re.IGNORECASE), ("lines", re.MULTILINE), ("role_addresses", 0),
                           ("list_hosts", 0)):
            items = getattr(self, key)
            try:  # each compiles (Regex); together they may not, e.g. one group name used twice
                self._joined[key] = re.compile("|".join(f"(?:{x})" for x in items), flags) if items else None
            except re.error as exc:
                raise Invalid(f"invalid regex once the list is joined ({exc})", key) from None
        return self

    def settings(self) -> AttributionSettings:
        return AttributionSettings(frozenset(self.labels), self._joined["headings"], self._joined["lines"],
                                   self.enabled, self._joined["role_addresses"], self._joined["list_hosts"])


class PolicyFile(Section):
    tiers: dict[TierNumber, TierSection]
    categories: dict[Category, TierNumber]
    label_categories: dict[Category, list[LabelRuleSection]]
    markers: dict[Category, MarkerSection]
    # Patterns that make no category, only a label rule's condition (`with_context`).
    contexts: dict[str, ContextSection] = {}
    source_code: SourceCodeSection = SourceCodeSection()
    attribution: AttributionSection = AttributionSection()

    @field_validator("contexts", "source_code", "attribution", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("tiers")
    @classmethod
    def _every_tier(cls, tiers: dict[int, TierSection]) -> dict[int, TierSection]:
        for number in TIER_NUMBERS:
            if number not in tiers:
                raise Invalid("", number, noun="missing key")
        return tiers

    @field_validator("categories")
    @classmethod
    def _every_category(cls, categories: dict[str, int]) -> dict[str, int]:
        for cat in CATEGORIES:
            if cat not in categories:
                raise Invalid(": every category must map to a tier", cat, noun="missing key")
        return categories

    @model_validator(mode="after")
    def _contexts_defined(self) -> PolicyFile:
        for cat, items in self.label_categories.items():
            for i, item in enumerate(items):
                for j, name in enumerate(item.with_context):
                    if name not in self.contexts:
                        raise Invalid(f"unknown context {name!r} (define it under 'contexts')",
                                      "label_categories", cat, i, "with_context", j)
        return self

    def policy(self, path: Path) -> Policy:
        tiers = {n: Tier(n, t.name, t.description, tuple(t.destinations)) for n, t in self.tiers.items()}
        rules = tuple(item.rule(cat) for cat, items in self.label_categories.items() for item in items)
        markers = tuple(p.marker(cat) for cat, section in self.markers.items() for p in section.patterns)
        contexts = tuple(p.marker(CONTEXT_PREFIX + name) for name, section in self.contexts.items()
                         for p in section.patterns)
        thresholds = {cat: section.threshold for cat, section in self.markers.items()}
        return Policy(path, tiers, dict(self.categories), rules, markers + contexts, thresholds,
                      self.source_code.settings(), self.attribution.settings())
