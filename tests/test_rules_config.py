from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scanner.config import ConfigError
from scanner.rules import (
    DEFAULT_RULES_PATH,
    DETECTORS,
    RulesConfig,
    authoritative_labels,
    build_detectors,
    find_all,
    load_rules_config,
)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_config_equals_builtin_defaults() -> None:
    cfg = load_rules_config(None)
    assert cfg == RulesConfig()  # the shipped file is where the defaults live
    assert cfg.path == DEFAULT_RULES_PATH
    assert cfg.threshold("CREDIT_CARD") == 1.0  # model-only card guesses are off by default
    assert cfg.threshold("PERSON") == 0.5
    assert [d.name for d in build_detectors(cfg)] == list(DETECTORS)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("enabeld: [email]\n", "enabeld"),
        ("phone:\n  region: [US]\n", "phone.region"),
        ("thresholds:\n  PERSN: 0.5\n", "thresholds.PERSN"),
        ("allow_list:\n  value: [x]\n", "allow_list.value"),
        ("deny_list:\n  - {value: x, label: PERSON, score: 1}\n", "deny_list[0].score"),
        ("custom:\n  - {name: a, label: PERSON, pattern: 'x', flags: i}\n", "custom[0].flags"),
    ],
)
def test_unknown_key_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_rules_config(path)
    msg = str(exc.value)
    assert str(path) in msg and f"'{key}'" in msg and "\n" not in msg


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("enabled: [email, fax]\n", "'fax'"),
        ("phone:\n  regions: [US, XX]\n", "'XX'"),
        ("thresholds:\n  default: 1.5\n", "thresholds.default"),
        ("deny_list:\n  - {value: Falcon, label: PROJECT}\n", "deny_list[0].label"),
        ("custom:\n  - {name: emp, label: ID_NUMBER, pattern: 'EMP-(\\d+'}\n", "custom[emp].pattern"),
        ("custom:\n  - {name: emp, label: ID_NUMBER, pattern: '\\d*'}\n", "empty string"),
        ("custom:\n  - {name: emp, label: EMPLOYEE, pattern: 'x'}\n", "custom[emp].label"),
        ("custom:\n  - {name: Bad Name, label: PERSON, pattern: 'x'}\n", "custom[0].name"),
        ("custom:\n  - {name: a, label: PERSON, pattern: x}\n  - {name: a, label: PERSON, pattern: y}\n", "duplicate"),
        ("custom: {name: a}\n", "'custom' must be a list"),
        ("thresholds: [0.5]\n", "'thresholds' must be a mapping"),
        ("enabled: [email\n", "rules.yaml"),  # bad YAML
    ],
)
def test_invalid_values(tmp_path: Path, body: str, needle: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_rules_config(path)
    assert needle in str(exc.value) and str(path) in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules_config(tmp_path / "nope.yaml")


def test_full_config_and_custom_detector(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
enabled: [email]
phone: {regions: [gb]}
thresholds: {default: 0.6, PERSON: 0.8}
allow_list:
  values: ["  Support@Example.com "]
  patterns: ['(?i)noreply@.*']
deny_list:
  - {value: Project Falcon, label: ORGANIZATION}
custom:
  - name: employee_id
    label: ID_NUMBER
    pattern: '\\bEMP-(?P<value>\\d{6})\\b'
    score: 0.97
  - name: ticket
    label: ID_NUMBER
    pattern: 'TKT-\\d+'
""",
    )
    cfg = load_rules_config(path)
    assert cfg.enabled == ("email",) and cfg.phone_regions == ("GB",)
    assert cfg.threshold("PERSON") == 0.8 and cfg.threshold("EMAIL") == 0.6
    assert cfg.is_allowed("support@example.com") and cfg.is_allowed("NoReply@x.org") and not cfg.is_allowed("a@b.com")
    dets = build_detectors(cfg)
    assert [d.name for d in dets] == ["email", "custom:employee_id", "custom:ticket", "deny"]
    assert authoritative_labels(dets) == frozenset({"EMAIL", "ID_NUMBER", "ORGANIZATION"})
    text = "Ünïcode 😀 EMP-123456 filed TKT-42 about project falcon"
    spans = sorted(find_all(dets, text), key=lambda s: s.start)
    assert [(text[s.start : s.end], s.label, s.detector, s.score) for s in spans] == [
        ("123456", "ID_NUMBER", "custom:employee_id", 0.97),
        ("TKT-42", "ID_NUMBER", "custom:ticket", 0.9),
        ("project falcon", "ORGANIZATION", "deny", 1.0),
    ]


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    cfg = load_rules_config(write(tmp_path, "# nothing\n"))
    assert cfg.enabled == RulesConfig().enabled and cfg.default_threshold == 0.5


@pytest.mark.parametrize("body", ["", "# nothing\n", "custom:\n"])
def test_empty_file_shipped_file_and_rules_config_are_one_config(tmp_path: Path, body: str) -> None:
    """One source of defaults: an empty file must not turn model-only card and secret guesses back on."""
    empty = load_rules_config(write(tmp_path, body))
    shipped = load_rules_config(None)
    assert replace(empty, path=DEFAULT_RULES_PATH) == shipped == RulesConfig()
    for cfg in (empty, shipped, RulesConfig()):
        assert (cfg.threshold("CREDIT_CARD"), cfg.threshold("SECRET"), cfg.threshold("PERSON")) == (1.0, 0.8, 0.5)
        assert cfg.phone_regions == ("US", "GB", "DE", "FR", "IN") and cfg.model_languages == ("en",)


def test_a_file_overrides_the_shipped_one_key_by_key(tmp_path: Path) -> None:
    cfg = load_rules_config(write(tmp_path, "thresholds: {PERSON: 0.8}\nenabled: [email]\nphone: {regions: [GB]}\n"))
    assert cfg.thresholds == {**RulesConfig().thresholds, "PERSON": 0.8}  # a mapping merges
    assert cfg.threshold("CREDIT_CARD") == 1.0 and cfg.default_threshold == 0.5
    assert cfg.enabled == ("email",) and cfg.phone_regions == ("GB",)  # a list replaces
    assert cfg.propagate is True and cfg.language_confidence == 0.9  # left out: the shipped value
    assert load_rules_config(write(tmp_path, "thresholds: {CREDIT_CARD: 0.6}\n")).threshold("CREDIT_CARD") == 0.6


def test_rules_configs_share_no_mutable_default() -> None:
    a, b = RulesConfig(), RulesConfig()
    a.thresholds["PERSON"] = 0.99
    assert "PERSON" not in b.thresholds and "PERSON" not in load_rules_config(None).thresholds


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("enabled: [email, fax]\n",
         "'enabled[1]': unknown detector 'fax' (expected some of: " + ", ".join(DETECTORS) + ")"),
        ("phone:\n  regions: []\n", "'phone.regions' must name at least one region"),
        ("phone: [US]\n", "'phone' must be a mapping, got list"),
        ("thresholds:\n  PERSON: '0.8'\n", "'thresholds.PERSON' must be int or float, got '0.8'"),
        ("thresholds:\n  PERSON: true\n", "'thresholds.PERSON' must be int or float, got True"),
        ("deny_list:\n  - {value: '  ', label: PERSON}\n", "'deny_list[0].value' must be a non-empty string"),
        ("deny_list:\n  - {label: PERSON}\n", "missing key 'deny_list[0].value'"),
        # Below a custom detector with a valid name, the path names it; its own name and keys by index.
        ("custom:\n  - {name: emp, label: PERSON, pattern: x, score: 0}\n",
         "'custom[emp].score' must be in (0, 1], got 0"),
        ("custom:\n  - {name: emp, label: PERSON}\n", "missing key 'custom[emp].pattern'"),
        ("custom:\n  - {name: emp, label: PERSON, pattern: x, flags: i}\n",
         "unknown key 'custom[0].flags' (expected one of: label, name, pattern, score)"),
        ("custom:\n  - {name: a, label: PERSON, pattern: x}\n  - {name: a, label: PERSON, pattern: y}\n",
         "'custom[1].name': duplicate custom detector 'a'"),
        ("allow_list:\n  patterns: ['(x']\n",
         "'allow_list.patterns[0]': invalid regex (missing ), unterminated subpattern at position 0)"),
        ("model_languages: [en, x1]\n", "'model_languages[1]': 'x1' is not an ISO 639-1 code like en, de"),
        ("language_confidence: 1.5\n", "'language_confidence' must be in [0, 1], got 1.5"),
        ("propagate: 1\n", "'propagate' must be true or false, got 1"),
        ("phone: {region: [US]}\nenabled: [fax]\n", "unknown key 'phone.region' (expected one of: regions)"),
    ],
)
def test_exact_messages(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_rules_config(path)
    assert str(exc.value) == f"{path}: {message}"


def test_an_unknown_key_is_reported_before_a_wrong_value_beside_it(tmp_path: Path) -> None:
    path = write(tmp_path, "thresholds: {default: 2, PERSN: 0.5}\n")
    with pytest.raises(ConfigError, match=r"unknown key 'thresholds\.PERSN'"):
        load_rules_config(path)
