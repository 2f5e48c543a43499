"""The config schemas: the shipped policy's newer sections, what a left-out section means, and the one
formatter's exact one-line messages (file, key path, what is wrong), on broken copies of the real files."""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.attribution import AttributionSettings
from scanner.config import ConfigError
from scanner.labels import LABELS
from scanner.policy import DEFAULT_POLICY_PATH, classify, load_policy
from scanner.policy_schema import SourceCodeSection
from scanner.records import Span
from scanner.signals import CodeSettings


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def message_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    return str(info.value)


def test_source_code_section_covers_every_code_setting_and_the_shipped_values_are_its_defaults() -> None:
    assert list(SourceCodeSection.model_fields) == [f.name for f in fields(CodeSettings)]
    # policy.yaml spells source_code out; a policy that leaves a key out gets the same value.
    assert load_policy().source_code == CodeSettings() == SourceCodeSection().settings()


def test_shipped_attribution_and_new_source_code_keys_load(raw: dict[str, Any]) -> None:
    pol = load_policy()
    att = pol.attribution
    assert att.enabled and att.labels == frozenset(raw["attribution"]["labels"])
    assert att.headings is not None and att.headings.flags & 2  # re.IGNORECASE
    assert att.lines is not None and att.role_addresses is not None
    assert att.role_addresses.fullmatch("perl5-porters") and not att.role_addresses.fullmatch("jane.roe")
    assert (pol.source_code.examples_are_code, pol.source_code.min_prose_lines) == (False, 5)


def test_new_keys_change_the_settings(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["source_code"].update(examples_are_code=True, min_prose_lines=0)
    data["attribution"].update(enabled=False, headings=[], role_addresses=["noreply"])
    pol = load_policy(write(tmp_path, data))
    assert (pol.source_code.examples_are_code, pol.source_code.min_prose_lines) == (True, 0)
    assert not pol.attribution.enabled and pol.attribution.headings is None
    assert pol.attribution.role_addresses is not None and pol.attribution.role_addresses.pattern == "(?:noreply)"


def test_left_out_sections(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = {k: v for k, v in raw.items() if k not in ("source_code", "attribution")}
    pol = load_policy(write(tmp_path, data))
    assert pol.source_code == CodeSettings() and pol.attribution == AttributionSettings()
    # No attribution section: a credit line's address counts like any other finding.
    text = "Copyright 2024 Jane Roe <jane@example.org>"
    spans = [Span(15, 23, "PERSON", 0.95, "model"), Span(25, 41, "EMAIL", 0.99, "email")]
    assert classify(text, spans, pol).tier == 3 and classify(text, spans, load_policy()).tier == 1
    data.update(source_code=None, attribution=None, contexts=None)  # `key:` with nothing after it
    data["label_categories"]["pii"] = [r for r in data["label_categories"]["pii"] if "with_context" not in r]
    assert load_policy(write(tmp_path, data)).source_code == CodeSettings()


def _set(*keys: Any, value: Any) -> Any:
    def mutate(d: dict[str, Any]) -> None:
        for key in keys[:-1]:
            d = d[key]
        d[keys[-1]] = value
    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("source_code", "examples_are_code", value="no"),
         "'source_code.examples_are_code' must be true or false, got 'no'"),
        (_set("source_code", "min_prose_lines", value=1.5), "'source_code.min_prose_lines' must be int, got 1.5"),
        (_set("source_code", "min_prose_lines", value=-1), "'source_code.min_prose_lines' must be >= 0, got -1"),
        (_set("source_code", "min_code_share", value=0), "'source_code.min_code_share' must be in (0, 1], got 0"),
        (_set("source_code", "max_lines", value=0), "'source_code.max_lines' must be >= 1, got 0"),
        (_set("source_code", value=[]), "'source_code' must be a mapping, got list"),
        (_set("attribution", "enabled", value=1), "'attribution.enabled' must be true or false, got 1"),
        (_set("attribution", "heading", value=[]),
         "unknown key 'attribution.heading' (expected one of: enabled, headings, labels, lines, list_hosts, role_addresses)"),
        (_set("attribution", "labels", value="PERSON"), "'attribution.labels' must be a list, got str"),
        (_set("attribution", "labels", value=["NAME"]),
         "'attribution.labels[0]': unknown label 'NAME' (expected one of: " + ", ".join(LABELS) + ")"),
        (_set("attribution", "role_addresses", value=["info", 5]),
         "'attribution.role_addresses[1]' must be a string, got 5"),
        (_set("attribution", "headings", value=["(authors"]),
         "'attribution.headings[0]': invalid regex (missing ), unterminated subpattern at position 0)"),
        (_set("attribution", "lines", value=["(?P<a>x)", "(?P<a>y)"]),
         ("'attribution.lines': invalid regex once the list is joined "
          "(redefinition of group name 'a' as group 2; was group 1 at position 20)")),
        (_set("tiers", 1, "name", value=5), "'tiers.1.name' must be a string, got 5"),
        (_set("tiers", 1, "destinations", value="x"), "'tiers.1.destinations' must be a list, got str"),
        (_set("categories", "pii", value="3"), None),  # a tier written as a string is a tier
        (_set("label_categories", "pii", 0, "min_count", value=True),
         "'label_categories.pii[0].min_count' must be int, got True"),
        (_set("markers", "privileged", "patterns", 0, "regex", value="yes"),
         "'markers.privileged.patterns[0].regex' must be true or false, got 'yes'"),
        (_set("contexts", "personal", "pattern", value=[]),
         "unknown key 'contexts.personal.pattern' (expected one of: patterns)"),
        # Of two problems, the one at the shallower key; at one depth, an unknown key first.
        (lambda d: d.update(categoriess={}, markers=5), ("unknown key 'categoriess' (expected one of: attribution, "
                                                         "categories, contexts, label_categories, markers, "
                                                         "source_code, tiers)")),
        (lambda d: (d["tiers"].pop(2), d["categories"].update(pii=5)), "missing key 'tiers.2'"),
        (lambda d: (d["tiers"].pop(2), d["markers"].update(gossip={})),
         ("unknown category 'markers.gossip' (expected one of: classified, privileged, m_and_a, pii, phi, "
          "credentials, financial, customer_confidential, internal_strategy, source_code, public)")),
    ],
)
def test_exact_policy_messages(tmp_path: Path, raw: dict[str, Any], mutate: Any, message: str | None) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    path = write(tmp_path, data)
    if message is None:
        load_policy(path)
    else:
        assert message_of(path) == f"{path}: {message}"
