"""The schema of a rules file (``configs/detectors.yaml``): pydantic models that build a ``RulesConfig``.

Every key is required: a user's file is laid over the shipped one first (``load_rules_config``), so
the shipped file is where the defaults live and the models repeat none of them. The one default here
is a custom detector's ``score``, which the shipped file has no entry to carry.
Errors are worded by ``config_schema.validate``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, PlainValidator, field_validator

from scanner.config_schema import EMPTY_IF_NONE, Invalid, Label, Regex, Section, Share, Unit, one_of
from scanner.labels import LABELS
from scanner.rules import DETECTORS, CustomRule, DenyTerm, RulesConfig

_CUSTOM_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*")


def _region(value: str) -> str:
    if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid(f"unknown region {value.upper()!r} (use ISO codes like US, GB)")
    return value.upper()


def _language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}", value.lower()):
        raise Invalid(f"{value.lower()!r} is not an ISO 639-1 code like en, de")
    return value.lower()


def _custom_name(value: Any) -> str:
    if isinstance(value, str) and _CUSTOM_NAME.fullmatch(value):
        return value
    raise Invalid("must be lower-case letters, digits, '_' or '-'")


def _non_empty(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise Invalid("must be a non-empty string")


def _no_empty_match(pattern: str) -> str:
    if re.fullmatch(pattern, ""):
        raise Invalid("matches the empty string")
    return pattern


Detector = Annotated[str, PlainValidator(one_of(DETECTORS, "detector", expected="some of"))]
ThresholdKey = Annotated[str, PlainValidator(one_of(sorted(("default", *LABELS)), "key", key=True))]
Region = Annotated[str, AfterValidator(_region)]
Language = Annotated[str, AfterValidator(_language)]


class PhoneSection(Section):
    # Tried, in order, for numbers written without "+country".
    regions: Annotated[list[Region], EMPTY_IF_NONE]

    @field_validator("regions")
    @classmethod
    def _some(cls, regions: list[str]) -> list[str]:
        if not regions:
            raise Invalid("must name at least one region")
        return regions


class AllowSection(Section):
    values: Annotated[list[str], EMPTY_IF_NONE]  # exact texts, case- and whitespace-insensitive
    patterns: Annotated[list[Regex], EMPTY_IF_NONE]  # full-match against a span's text


class DenyItem(Section):
    value: Annotated[str, PlainValidator(_non_empty)]
    label: Label


class CustomItem(Section):
    name: Annotated[str, PlainValidator(_custom_name)]
    label: Label
    pattern: Annotated[Regex, AfterValidator(_no_empty_match)]
    score: Share = 0.9

    @classmethod
    def item_name(cls, raw: Any, key: str | int | None) -> str | None:
        """By its name once that is valid ('custom[emp].pattern'); its unknown keys and its name by index."""
        name = raw.get("name") if isinstance(raw, dict) else None
        usable = key in cls.model_fields and key != "name" and isinstance(name, str) and _CUSTOM_NAME.fullmatch(name)
        return name if usable else None


class RulesFile(Section):
    enabled: Annotated[list[Detector], EMPTY_IF_NONE]
    phone: PhoneSection
    thresholds: dict[ThresholdKey, Unit]  # a label or "default" -> the min model score
    allow_list: AllowSection
    deny_list: Annotated[list[DenyItem], EMPTY_IF_NONE]
    custom: Annotated[list[CustomItem], EMPTY_IF_NONE]
    model_languages: Annotated[list[Language], EMPTY_IF_NONE]
    language_confidence: Unit
    propagate: bool

    @field_validator("thresholds")
    @classmethod
    def _has_default(cls, thresholds: dict[str, float]) -> dict[str, float]:
        if "default" not in thresholds:
            raise Invalid("", "default", noun="missing key")
        return thresholds

    @field_validator("custom")
    @classmethod
    def _unique_names(cls, items: list[CustomItem]) -> list[CustomItem]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise Invalid(f"duplicate custom detector '{item.name}'", i, "name")
            seen.add(item.name)
        return items

    def config(self, path: Path) -> RulesConfig:
        thresholds = dict(self.thresholds)
        return RulesConfig(
            path=path,
            enabled=tuple(dict.fromkeys(self.enabled)),
            phone_regions=tuple(self.phone.regions),
            default_threshold=thresholds.pop("default"),
            thresholds=thresholds,
            allow_values=frozenset(" ".join(v.lower().split()) for v in self.allow_list.values),
            allow_patterns=tuple(re.compile(p) for p in self.allow_list.patterns),
            deny_list=tuple(DenyTerm(d.value, d.label) for d in self.deny_list),
            custom=tuple(CustomRule(c.name, c.label, re.compile(c.pattern), c.score) for c in self.custom),
            model_languages=tuple(self.model_languages),
            language_confidence=self.language_confidence,
            propagate=self.propagate,
        )
