"""SARIF 2.1.0 output for ``pii-scanner check --sarif FILE`` (GitHub code scanning and other dashboards).

One rule per label, one result per finding, located by line and column. Columns count Unicode code
points (``columnKind: unicodeCodePoints``), which is what Python ``str`` offsets are; ``endColumn`` is
exclusive, as SARIF defines it. A file that fails the threshold also gets one file-level result with
its tier and reasons. No result holds the matched text (no ``snippet``): SARIF files are uploaded to
dashboards that many people read.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from .check import CheckReport, FileReport, Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TIER_RULE = "pii-scanner/tier"


def artifact_uri(path: str) -> str:
    """A relative path as a relative URI reference (POSIX separators, percent-encoded); absolute as file://."""
    p = PurePath(path)
    if p.is_absolute():
        return Path(path).as_uri()
    return quote(p.as_posix())


def _rule(rule_id: str, text: str) -> dict[str, Any]:
    return {"id": rule_id, "name": rule_id, "shortDescription": {"text": text}}


def _finding_result(f: Finding, rule_index: int, failed: bool) -> dict[str, Any]:
    return {
        "ruleId": f.label,
        "ruleIndex": rule_index,
        "level": "error" if failed else "warning",
        "message": {"text": f"{f.label} ({f.score:.2f}, {f.detector})"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(f.path)},
            "region": {"startLine": f.line, "startColumn": f.col, "endLine": f.end_line, "endColumn": f.end_col},
        }}],
        "properties": {"score": round(float(f.score), 4), "detector": f.detector},
    }


def _tier_result(f: FileReport, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": TIER_RULE,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"tier {f.tier} ({f.tier_name}): {'; '.join(f.reasons)}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.path)}}}],
        "properties": {"tier": f.tier, "tier_name": f.tier_name},
    }


def sarif_log(report: CheckReport, version: str) -> dict[str, Any]:
    """The SARIF log object for a check report."""
    labels = sorted({x.label for f in report.files for x in f.findings})
    rules = [_rule(label, f"{label} found by pii-scanner") for label in labels]
    rules.append(_rule(TIER_RULE, "file at or above the configured policy tier"))
    index = {r["id"]: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in report.files:
        results += [_finding_result(x, index[x.label], f.failed) for x in f.findings]
        if f.failed:
            results.append(_tier_result(f, index[TIER_RULE]))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pii-scanner", "version": version, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{"executionSuccessful": not any(f.error for f in report.files)}],
        }],
    }


def write_sarif(report: CheckReport, path: str | Path, version: str) -> None:
    Path(path).write_text(json.dumps(sarif_log(report, version), indent=2) + "\n", encoding="utf-8")
