"""report: one self-contained HTML file from an audit state or a scan output, never the matched text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import EXIT_OK, main

FAST = ["--no-model", "-q"]
SSN, EMAIL = "536-22-8417", "qx7vzt.plantedkw@example.net"  # planted: must never reach the report


def corpus(path: Path, extra: list[dict] = ()) -> Path:
    items = [{"id": f"doc{i}", "text": f"note {i}, all public"} for i in range(12)]
    items += [{"id": "hr-1", "text": f"Employee SSN {SSN}, mail {EMAIL}"},
              {"id": "mail-2", "text": f"write to {EMAIL} today"},
              {"id": "broken", "text": None}, *extra]
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


class Tables(HTMLParser):
    """Rows of each table by id, as the text a person reads in its cells; and every script tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self._table = None
        self._in_body = False
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
            self.tables.setdefault(self._table, [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._row.append("")
        elif tag == "script":
            self.scripts.append(a)
        elif tag in ("link", "img", "iframe"):
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append([c.strip() for c in self._row])
            self._row = None

    def handle_data(self, data):
        if self._row:
            self._row[-1] += data


def parse(html: str) -> Tables:
    t = Tables()
    t.feed(html)
    return t


def two_runs(tmp_path: Path) -> tuple[Path, dict]:
    c, state = corpus(tmp_path / "c.jsonl"), tmp_path / "state"
    assert invoke("audit", str(c), "--state", str(state), *FAST).exit_code == 3  # 'broken' is an error row
    corpus(c, [{"id": "new-3", "text": f"card holder SSN {SSN}"}])
    text = c.read_text().replace('"note 4, all public"', f'"now ask {EMAIL}"')
    c.write_text(text)
    res = invoke("audit", str(c), "--state", str(state), "--json", *FAST)
    return state, json.loads(res.stdout.strip().splitlines()[-1])


def test_an_audit_report_shows_every_tier_change_and_no_matched_text(tmp_path):
    state, second = two_runs(tmp_path)
    out = tmp_path / "report.html"
    res = invoke("report", str(state), "-o", str(out))
    assert res.exit_code == EXIT_OK, res.output
    html = out.read_text(encoding="utf-8")
    assert SSN not in html
    assert EMAIL not in html and "qx7vzt" not in html
    t = parse(html)
    changes = {(r[0], r[1], r[2]) for r in t.tables["changes"]}
    assert changes == {(m["doc_id"], str(m["from"] or "-"), str(m["to"] or "-")) for m in second["tier_changes"]}
    assert changes == {("doc4", "1", "3"), ("new-3", "-", "3")}
    riskiest = [(r[0], r[1], r[4], r[5]) for r in t.tables["riskiest"]]
    assert riskiest[:4] == [("3", "hr-1", "2", "pii: 1 EMAIL, 1 ID_NUMBER"), ("3", "doc4", "1", "pii: 1 EMAIL"),
                            ("3", "mail-2", "1", "pii: 1 EMAIL"), ("3", "new-3", "1", "pii: 1 ID_NUMBER")]
    assert t.tables["problems"] == [["error: text is null", "1"]]
    assert len(re.findall(r'id="chart-(tiers|trend|categories|labels)"', html)) == 4


def test_the_report_is_self_contained(tmp_path):
    state, _ = two_runs(tmp_path)
    out = tmp_path / "report.html"
    invoke("report", str(state), "-o", str(out))
    html = out.read_text(encoding="utf-8")
    t = parse(html)
    assert t.scripts and all("src" not in s for s in t.scripts)  # plotly.js is inline
    assert t.links == [] and "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html)
    assert "Plotly.newPlot" in html


def test_a_scan_output_gets_a_report_without_trend_and_a_sample_is_marked_as_estimates(tmp_path):
    c, out = corpus(tmp_path / "c.jsonl"), tmp_path / "scan"
    invoke("scan", str(c), "-o", str(out), "--sample", "0.5", *FAST)
    report = tmp_path / "r.html"
    assert invoke("report", str(out), "-o", str(report)).exit_code == EXIT_OK
    html = report.read_text(encoding="utf-8")
    t = parse(html)
    assert 'id="chart-trend"' not in html and "Changes since" not in html
    assert 'id="sample"' in html and "Estimates:" in html and "estimated from a sample" in html
    assert SSN not in html and EMAIL not in html
    assert sum(int(r[2]) for r in t.tables["tiers"]) == json.loads((out / "manifest.json").read_text())["sample"]["sampled"]
