"""The policy: default decisions, marker categories, false-positive guards, and strict loading."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.config import ConfigError
from scanner.policy import CATEGORIES, DEFAULT_POLICY_PATH, Policy, classify, load_policy
from scanner.reasons import Reason, reason_lines
from scanner.records import Span

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "tiers"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def span_of(text: str, value: str, label: str, score: float = 0.95, detector: str = "model") -> Span:
    start = text.index(value)
    return Span(start, start + len(value), label, score, detector)


def write_policy(tmp_path: Path, data: dict[str, Any], name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------ defaults


def test_default_policy_places_every_category(policy: Policy) -> None:
    assert set(policy.categories) == set(CATEGORIES)
    assert [policy.tiers[n].name for n in (1, 2, 3, 4)] == [
        "any_llm_api",
        "business_api_logged",
        "on_premise_only",
        "prohibited",
    ]
    assert policy.tiers[4].destinations == ()
    assert policy.categories["pii"] == 3 and policy.categories["privileged"] == 4


def test_nothing_found_is_public(policy: Policy) -> None:
    cls = classify("The weather was mild and the trains ran on time.", [], policy)
    assert (cls.tier, cls.tier_name, cls.categories) == (1, "any_llm_api", ["public"])
    assert cls.reasons == [Reason("public")] and reason_lines(cls.reasons)[0].startswith("public")


# ------------------------------------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("text", "category", "tier", "marker"),
    [
        ("PRIVILEGED & CONFIDENTIAL\n\nTeam, see the analysis below.", "privileged", 4, "Privileged & Confidential"),
        ("Attorney-Client Communication\nRe: the supplier dispute", "privileged", 4, "Attorney-Client Communication"),
        ("This memo is attorney work product.", "privileged", 4, "attorney work product"),
        ("Our outside counsel gave legal advice on the claim.", "privileged", 4, "outside counsel"),
        ("Attached is the revised term sheet for Project Heron.", "m_and_a", 4, "term sheet"),
        ("We signed the letter of intent; due diligence starts Monday.", "m_and_a", 4, "letter of intent"),
        ("The LOI was countersigned. Due diligence starts Monday.", "m_and_a", 4, "letter of intent"),
        ("Draft merger agreement attached for review.", "m_and_a", 4, "merger agreement"),
        ("The board of directors will vote on the acquisition of Corvid Ltd.", "m_and_a", 4, "acquisition of"),
        ("TOP SECRET//SI//NOFORN\n\nSubject: weekly summary", "classified", 4, "TOP SECRET banner"),
        ("SECRET\n\nSubject: weekly summary\n\nSECRET", "classified", 4, "SECRET banner"),
        ("(S//NF) The convoy departed at dawn.", "classified", 4, "portion marking"),
        ("Report text.\nCLASSIFIED\n", "classified", 4, "CLASSIFIED banner"),
        ("Classified By: J. Doe\nReason: 1.4(c)\nDeclassify On: 20351231", "classified", 4, "classification authority block"),
        ("Confidential - Client\nQuarterly usage summary for Acme.", "customer_confidential", 3, "Confidential - Client"),
        ("The pricing below is subject to NDA.", "customer_confidential", 3, "Subject to NDA"),
        ("We shared the benchmark under NDA with two vendors.", "customer_confidential", 3, "under NDA"),
        ("INTERNAL ONLY\nQ3 numbers", "internal_strategy", 2, "internal only"),
        ("Updated roadmap and go-to-market plan for EMEA.", "internal_strategy", 2, "roadmap"),
        ("Financial projections assume the reorganisation closes in Q2.", "internal_strategy", 2, "financial projections"),
        ("CONFIDENTIAL\nHeadcount by team, Q3.", "internal_strategy", 2, "confidential banner"),
    ],
)
def test_each_marker_category_triggers(policy: Policy, text: str, category: str, tier: int, marker: str) -> None:
    cls = classify(text, [], policy)
    assert cls.tier == tier, cls
    assert category in cls.categories
    reason = next(r for r in reason_lines(cls.reasons) if r.startswith(f"{category}:"))
    assert any(r.category == category and r.marker == marker and r.count >= 1 for r in cls.reasons)
    assert f"'{marker}'" in reason
    assert any(m.category == category and m.marker_name == marker for m in cls.markers)


@pytest.mark.parametrize(
    "text",
    [
        "She kept her recipe a secret for years; the secret ingredient was nutmeg.",
        "The Secret Garden is a novel by Frances Hodgson Burnett.",
        "Our TOP SECRET recipe is back this summer, say the bakers.",
        "Some things are classified as hazardous; check the classified ads.",
        "Nothing on this blog is legal advice. This is not legal advice.",
        "We did our due diligence before choosing a cloud vendor.",
        "The board of directors approved the acquisition of new customers as a goal.",
        "The team plans to restructure the wiki.",
        "What is a non-disclosure agreement? An NDA is a contract between two parties.",
        "The product roadmap is public on our website.",
        "SECRETARY OF STATE\nSECRETS OF THE NILE",
    ],
    ids=[
        "secret-prose",
        "secret-title",
        "top-secret-mid-line",
        "classified-ads",
        "not-legal-advice",
        "due-diligence-alone",
        "board-without-deal",
        "restructure",
        "nda-explainer",
        "roadmap-alone",
        "secret-prefix",
    ],
)
def test_false_positive_guards_stay_public(policy: Policy, text: str) -> None:
    cls = classify(text, [], policy)
    assert cls.tier == 1, cls.reasons
    assert cls.categories == ["public"]


def test_markers_count_once_however_often_repeated(policy: Policy) -> None:
    # Two weak privileged markers are needed; one repeated five times is still one.
    assert classify("Seek legal advice. " * 5, [], policy).tier == 1
    assert classify("Seek legal advice from outside counsel.", [], policy).tier == 4


# ------------------------------------------------------------------------------------ entity findings


def test_news_with_city_and_company_is_public(policy: Policy) -> None:
    text = "Acme Corp opened a new office in Rotterdam on Monday, the company said on acme.example."
    spans = [
        span_of(text, "Acme Corp", "ORGANIZATION"),
        span_of(text, "Rotterdam", "LOCATION"),
        span_of(text, "Monday", "DATE"),
        span_of(text, "acme.example", "URL", 1.0, "url"),
    ]
    cls = classify(text, spans, policy)
    assert (cls.tier, cls.categories) == (1, ["public"])


def test_person_and_email_make_pii_without_leaking_values(policy: Policy) -> None:
    text = "Contact Jane Roe or John Poe at jane.roe@example.com about Lyon."
    spans = [
        span_of(text, "Jane Roe", "PERSON"),
        span_of(text, "John Poe", "PERSON"),
        span_of(text, "jane.roe@example.com", "EMAIL", 1.0, "email"),
        span_of(text, "Lyon", "LOCATION"),
    ]
    cls = classify(text, spans, policy)
    assert (cls.tier, cls.tier_name, cls.categories) == (3, "on_premise_only", ["pii"])
    # The quasi-identifier counts once a person is identified.
    assert reason_lines(cls.reasons) == ["pii: 2 PERSON, 1 EMAIL, 1 LOCATION"]
    for value in ("Jane", "Roe", "example.com", "Lyon"):
        assert all(value not in r for r in reason_lines(cls.reasons) + [str(x.as_row()) for x in cls.reasons])


def test_duplicate_findings_count_once(policy: Policy) -> None:
    text = "Mail jane.roe@example.com today."
    email = span_of(text, "jane.roe@example.com", "EMAIL", 0.8)
    cls = classify(text, [email, Span(email.start, email.end, "EMAIL", 1.0, "email")], policy)
    assert reason_lines(cls.reasons) == ["pii: 1 EMAIL"]


def test_low_score_findings_do_not_count(policy: Policy) -> None:
    text = "Call me Ishmael."
    assert classify(text, [span_of(text, "Ishmael", "PERSON", 0.3)], policy).tier == 1


@pytest.mark.parametrize(
    ("labels", "category", "tier"),
    [
        (["MEDICAL", "PERSON"], "phi", 3),
        (["PASSWORD"], "credentials", 3),
        (["SECRET"], "credentials", 3),
        (["CREDIT_CARD"], "financial", 3),
        (["BANK_ACCOUNT"], "financial", 3),
        (["ID_NUMBER"], "pii", 3),
        (["PHONE"], "pii", 3),
        (["STREET_ADDRESS"], "pii", 3),
    ],
)
def test_label_categories(policy: Policy, labels: list[str], category: str, tier: int) -> None:
    text = "x" * 100
    spans = [Span(i * 10, i * 10 + 5, label, 0.9, "model") for i, label in enumerate(labels)]
    cls = classify(text, spans, policy)
    assert cls.tier == tier and category in cls.categories


@pytest.mark.parametrize("label", ["MEDICAL", "LOCATION", "DATE", "AGE", "NRP", "ORGANIZATION", "URL", "USERNAME", "IP_ADDRESS"])
def test_labels_that_are_not_sensitive_alone(policy: Policy, label: str) -> None:
    spans = [Span(0, 5, label, 0.99, "model"), Span(10, 15, label, 0.99, "model")]
    assert classify("x" * 20, spans, policy).tier == 1


def test_highest_tier_reasons_come_first(policy: Policy) -> None:
    text = "INTERNAL ONLY\nPrivileged & Confidential\nClient: Jane Roe\n" + "def f(x):\n    return x\n" * 5
    cls = classify(text, [span_of(text, "Jane Roe", "PERSON")], policy)
    assert cls.tier == 4
    assert cls.categories == ["privileged", "pii", "internal_strategy", "source_code"]
    assert reason_lines(cls.reasons)[0].startswith("privileged: marker")
    assert reason_lines(cls.reasons)[-1] == "source_code: code-like text"


def test_source_code_is_tier_2(policy: Policy) -> None:
    code = "import os\n\n\ndef main():\n    path = os.getcwd()\n    print(path)\n    return 0\n"
    cls = classify(code, [], policy)
    assert (cls.tier, cls.categories, reason_lines(cls.reasons)) == (2, ["source_code"], ["source_code: code-like text"])


# ------------------------------------------------------------------------------------- sample files


@pytest.mark.parametrize(
    ("name", "tier", "category"),
    [
        ("tier1_public_press_release.txt", 1, "public"),
        ("tier2_internal_strategy.txt", 2, "internal_strategy"),
        ("tier4_privileged_memo.txt", 4, "privileged"),
    ],
)
def test_sample_documents_by_markers_alone(policy: Policy, name: str, tier: int, category: str) -> None:
    cls = classify((SAMPLES / name).read_text(encoding="utf-8"), [], policy)
    assert cls.tier == tier and cls.categories[0] == category


def test_sample_customer_email_is_tier_3_with_its_findings(policy: Policy) -> None:
    text = (SAMPLES / "tier3_customer_email.txt").read_text(encoding="utf-8")
    assert classify(text, [], policy).tier == 1  # no markers: the tier comes from the findings
    spans = [
        span_of(text, "Margaret Okafor", "PERSON"),
        span_of(text, "margaret.okafor@example.com", "EMAIL"),
        span_of(text, "(217) 555-0143", "PHONE"),
        span_of(text, "1842 Larkspur Lane, Apt 3B", "STREET_ADDRESS"),
    ]
    cls = classify(text, spans, policy)
    assert (cls.tier, cls.categories) == (3, ["pii"])


# ------------------------------------------------------------------------------------ custom policies


def test_custom_policy_changes_the_tier(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["categories"]["pii"] = 4
    data["categories"]["source_code"] = 1  # "all our code is open source"
    custom = load_policy(write_policy(tmp_path, data))
    text = "Dear Jane Roe, please call."
    spans = [span_of(text, "Jane Roe", "PERSON")]
    assert classify(text, spans, load_policy()).tier == 3
    cls = classify(text, spans, custom)
    assert (cls.tier, cls.tier_name) == (4, "prohibited")
    code = "import os\n\ndef main():\n    print(os.getcwd())\n    return 0\n"
    assert classify(code, [], custom).categories == ["source_code"]
    assert classify(code, [], custom).tier == 1


def test_custom_min_count(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["label_categories"]["pii"][0]["min_count"] = 2
    custom = load_policy(write_policy(tmp_path, data))
    one = [Span(0, 4, "PERSON", 0.9, "model")]
    assert classify("x" * 10, one, custom).tier == 1
    assert classify("x" * 10, one + [Span(5, 9, "PHONE", 0.9, "phone")], custom).tier == 3


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["tiers"][3].update(destination=["x"]), "unknown key 'tiers.3.destination'"),
        (lambda d: d.update(extra=1), "unknown key 'extra'"),
        (lambda d: d["categories"].update(pii=5), "'categories.pii': tier must be one of 1-4, got 5"),
        (lambda d: d["categories"].update(pii=True), "'categories.pii': tier must be one of 1-4"),
        (lambda d: d["categories"].update(gossip=2), "unknown category 'categories.gossip'"),
        (lambda d: d["categories"].pop("phi"), "missing key 'categories.phi'"),
        (lambda d: d["tiers"].pop(2), "missing key 'tiers.2'"),
        (lambda d: d["tiers"].update({5: d["tiers"][4]}), "'tiers.5': tier must be one of 1-4"),
        (lambda d: d["label_categories"]["pii"][0].update(labels=["PERSN"]), "unknown label 'PERSN'"),
        (lambda d: d["label_categories"]["pii"][0].update(min_cont=2), "unknown key 'label_categories.pii[0].min_cont'"),
        (lambda d: d["label_categories"]["pii"][0].update(min_score=2), "'label_categories.pii[0].min_score' must be in [0, 1]"),
        (lambda d: d["markers"]["privileged"]["patterns"][0].update(pattern="(unclosed"), "'markers.privileged.patterns[0].pattern': invalid regex"),
        (lambda d: d["markers"]["privileged"]["patterns"][0].update(casesensitive=True), "unknown key 'markers.privileged.patterns[0].casesensitive'"),
        (lambda d: d["markers"]["privileged"]["patterns"][0].update(pattern="x*", regex=True), "matches the empty string"),
        (lambda d: d["markers"].update(gossip={"patterns": []}), "unknown category 'markers.gossip'"),
        (lambda d: d["source_code"].update(min_code_share="high"), "'source_code.min_code_share' must be int or float"),
        (lambda d: d["source_code"].update(max_line=5), "unknown key 'source_code.max_line'"),
        (lambda d: d.pop("markers"), "missing key 'markers'"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_invalid_policies_name_file_and_key(tmp_path: Path, raw: dict[str, Any], mutate: Any, expected: str) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    path = write_policy(tmp_path, data, "bad_policy.yaml")
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_bad_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("tiers:\n  1: {name: any_llm_api\ncategories: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_policy(tmp_path / "nope.yaml")


# -- public figures and personal context ------------------------------------------------------------

NEWS = ("Federal Reserve Chair Jerome Powell said on Tuesday in Washington that the central bank would "
        "hold rates, after talks with Christine Lagarde of the European Central Bank.")


def test_names_in_public_reporting_are_public(policy: Policy) -> None:
    spans = [span_of(NEWS, "Jerome Powell", "PERSON"), span_of(NEWS, "Christine Lagarde", "PERSON"),
             span_of(NEWS, "Washington", "LOCATION"), span_of(NEWS, "Federal Reserve", "ORGANIZATION")]
    cls = classify(NEWS, spans, policy)
    assert (cls.tier, cls.categories) == (1, ["public"])


def test_a_name_with_a_direct_identifier_is_pii(policy: Policy) -> None:
    text = NEWS + " Reach him at jerome.powell@example.org."
    spans = [span_of(text, "Jerome Powell", "PERSON"), span_of(text, "jerome.powell@example.org", "EMAIL")]
    cls = classify(text, spans, policy)
    assert cls.tier == 3 and reason_lines(cls.reasons) == ["pii: 1 PERSON, 1 EMAIL"]
    assert cls.reasons == [Reason("pii", label="PERSON", count=1), Reason("pii", label="EMAIL", count=1)]


@pytest.mark.parametrize("text, context", [
    ("Dear Jane,\nyour results are ready.", "salutation"),
    ("Thanks for the call.\n\nKind regards\nJane Roe", "sign-off"),
    ("Patient: Jane Roe\nWard 4", "record field"),
    ("Jane Roe (date of birth 1984) joined in March.", "date of birth"),
])
def test_a_name_in_a_personal_context_is_pii(policy: Policy, text: str, context: str) -> None:
    name = "Jane Roe" if "Jane Roe" in text else "Jane"
    cls = classify(text, [span_of(text, name, "PERSON")], policy)
    assert cls.tier == 3 and cls.categories == ["pii"]
    assert reason_lines(cls.reasons) == [f"pii: 1 PERSON in a personal context ('{context}')"]
    assert cls.reasons == [Reason("pii", label="PERSON", count=1, context=("personal",), context_markers=(context,))]


def test_quasi_identifiers_need_an_identified_person(policy: Policy) -> None:
    text = "Dear Jane, we met in Lyon."
    spans = [span_of(text, "Jane", "PERSON"), span_of(text, "Lyon", "LOCATION")]
    assert reason_lines(classify(text, spans, policy).reasons) == [
        "pii: 1 PERSON, 1 LOCATION in a personal context ('salutation')"]
    assert classify(NEWS + " In Lyon.", [span_of(NEWS, "Jerome Powell", "PERSON"),
                                        Span(len(NEWS) + 4, len(NEWS) + 8, "LOCATION", 0.9, "model")],
                    policy).tier == 1


def test_with_context_must_name_a_defined_context(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["label_categories"]["pii"][1]["with_context"] = ["nosuch"]
    with pytest.raises(ConfigError, match=r"label_categories\.pii\[1\]\.with_context\[0\]': unknown context 'nosuch'"):
        load_policy(write_policy(tmp_path, data))


def test_contexts_make_no_category_by_themselves(policy: Policy) -> None:
    cls = classify("Dear customer, our newsletter is out.", [], policy)
    assert (cls.tier, cls.categories, cls.markers) == (1, ["public"], [])


def test_manifest_keys_are_not_a_personal_context(policy: Policy) -> None:
    text = "name: left-pad\nmember: core\nauthor: Azer Koculu\n"
    cls = classify(text, [span_of(text, "Azer Koculu", "PERSON")], policy)
    assert cls.tier == 1


def test_reasons_are_structs_that_count_markers_and_round_trip(policy: Policy) -> None:
    text = "PRIVILEGED & CONFIDENTIAL\nPrivileged & Confidential: the term sheet. Term sheet v2."
    cls = classify(text, [], policy)
    by_marker = {r.marker: r for r in cls.reasons}
    assert by_marker["Privileged & Confidential"].count == 2 and by_marker["term sheet"].count == 2
    assert all(r.label is None and r.category in CATEGORIES for r in cls.reasons)
    assert [Reason.from_row(r.as_row()) for r in cls.reasons] == cls.reasons
