"""Document-level signals: the source-code heuristic must fire on code and only on code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scaling import superlinear

from scanner.signals import CodeSettings, compile_marker, example_lines, find_markers, looks_like_source_code

PYTHON = '''#!/usr/bin/env python3
"""Compute invoice totals."""
import sys
from decimal import Decimal


class Invoice:
    def __init__(self, lines):
        self.lines = lines

    def total(self) -> Decimal:
        return sum((l.amount for l in self.lines), Decimal(0))


if __name__ == "__main__":
    print(Invoice([]).total())
'''

PYTHON_NO_SHEBANG = PYTHON.split("\n", 1)[1]

JAVASCRIPT = """import { readFile } from 'fs/promises';

const cache = new Map();

export async function load(path) {
  if (cache.has(path)) {
    return cache.get(path);
  }
  const data = await readFile(path, 'utf8');
  cache.set(path, data);
  return data;
}

module.exports = { load };
"""

JAVA = """package com.example.billing;

import java.util.List;

public class InvoiceService {
    private final InvoiceRepository repo;

    public InvoiceService(InvoiceRepository repo) {
        this.repo = repo;
    }

    public List<Invoice> overdue() {
        return repo.findAll().stream().filter(i -> i.isOverdue()).toList();
    }
}
"""

PROSE = """The quarterly town hall will take place in the main auditorium. Everyone is welcome;
coffee and pastries will be served from nine o'clock. If you cannot attend in person,
the session will be streamed and recorded.

For the following reasons, the facilities team asks that bicycles are parked in the
basement rather than in the lobby: the lobby is a fire escape route, and the basement
has more space. Let us know if you have questions.

Return any borrowed chairs to the second floor after the event. Thank you!
"""

CSV = "\n".join(
    ["id,name,email,city,amount;note"]
    + [f"{i},Person {i},person{i}@example.com,City {i % 7},{i * 3.5:.2f};ok" for i in range(40)]
)
CSV_SEMICOLON = "\n".join(["id;name;amount;"] + [f"{i};Item {i};{i * 2};" for i in range(30)])
JSON_PRETTY = json.dumps({"users": [{"id": i, "name": f"User {i}", "tags": ["a", "b"]} for i in range(10)]}, indent=2)
JSON_LINES = "\n".join(json.dumps({"id": i, "event": "login", "ok": True}) for i in range(30))
INI = """[database]
host = db.internal.example
port = 5432
user = app

[cache]
ttl = 300
enabled = true
"""
YAML = """server:
  host: 0.0.0.0
  port: 8080
logging:
  level: info
  format: json
"""


@pytest.mark.parametrize("text", [PYTHON, PYTHON_NO_SHEBANG, JAVASCRIPT, JAVA], ids=["py", "py-noshebang", "js", "java"])
def test_source_code_is_detected(text: str) -> None:
    assert looks_like_source_code(text)


@pytest.mark.parametrize(
    "text",
    [PROSE, CSV, CSV_SEMICOLON, JSON_PRETTY, JSON_LINES, "", "short;"],
    ids=["prose", "csv", "csv-semicolon", "json", "jsonl", "empty", "tiny"],
)
def test_prose_and_data_are_not_code(text: str) -> None:
    assert not looks_like_source_code(text)


def test_config_files_count_only_when_asked() -> None:
    assert not looks_like_source_code(INI)
    assert not looks_like_source_code(YAML)
    assert looks_like_source_code(INI, CodeSettings(config_as_code=True))


def test_a_snippet_in_an_email_is_not_a_source_file() -> None:
    email = PROSE + "\nRun this:\n\n    pip install foo\n\nThanks.\n" + PROSE
    assert not looks_like_source_code(email)


def test_disabled_never_fires() -> None:
    assert not looks_like_source_code(JAVA, CodeSettings(enabled=False))


def test_phrase_marker_whitespace_case_and_boundaries() -> None:
    rule = compile_marker("m_and_a", "term sheet", "term sheet")
    text = "The TERM\n  Sheet is attached. Termsheets and determ sheets are not."
    found = find_markers(text, [rule])
    assert [(m.start, m.end) for m in found] == [(4, 16)]
    assert found[0].category == "m_and_a" and found[0].marker_name == "term sheet"


def test_case_sensitive_marker() -> None:
    rule = compile_marker("classified", "NOFORN", "NOFORN", case_sensitive=True)
    assert find_markers("SECRET//NOFORN", [rule])
    assert not find_markers("noforn", [rule])


def test_lowered_text_fast_path_keeps_offsets() -> None:
    rule = compile_marker("privileged", "legal advice", r"legal\s+advice", regex=True)
    text = "İİİ LEGAL Advice"  # 'İ'.lower() is two characters: the fast path must not shift offsets
    (m,) = find_markers(text, [rule])
    assert text[m.start : m.end] == "LEGAL Advice"


def test_markers_are_linear_on_a_megabyte() -> None:
    rules = [compile_marker("x", w, w) for w in ("due diligence", "term sheet", "roadmap", "legal advice")]
    line = "lorem ipsum dolor sit amet, due diligence "
    text = (line * 25_000)[:1_000_000]
    found = find_markers(text, rules)
    assert len(found) == text.count("due diligence")
    assert looks_like_source_code(text) is False

    def both(t: str) -> None:
        find_markers(t, rules)
        looks_like_source_code(t)

    problem = superlinear(both, text[:250_000], text)  # grows with the text, not its square
    assert problem is None, problem


# -- documentation's code examples ----------------------------------------------------------------

_REPO = Path(__file__).resolve().parent.parent


def test_a_readme_with_examples_is_not_source_code() -> None:
    readme = (_REPO / "README.md").read_text()
    assert "```" in readme
    assert not looks_like_source_code(readme)
    lines = readme.split("\n")
    fenced = example_lines(lines)
    assert fenced and all(i < len(lines) for i in fenced)
    assert not any(lines[i].startswith("## ") for i in fenced)  # headings are prose


def test_examples_count_as_code_with_the_switch() -> None:
    code = "\n".join(f"const c{i} = new Client(url, {{ pipelining: {i} }});" for i in range(20))
    prose = "\n".join(f"Option {i} sets how the client behaves." for i in range(6))
    doc = f"# Client\n\n{prose}\n\n```js\n{code}\n```\n"
    assert not looks_like_source_code(doc)
    assert looks_like_source_code(doc, CodeSettings(examples_are_code=True))


def test_a_pasted_snippet_is_still_code() -> None:
    text = "Here it is:\n\n```python\nimport os\n\ndef f(x):\n    return os.path.join(x, 'a')\n\nprint(f('b'))\n```\n"
    assert looks_like_source_code(text)


def test_rest_literal_blocks_are_examples() -> None:
    text = ("Usage\n=====\n\nInstall it and call it::\n\n    import thing\n    thing.run(x=1)\n    thing.stop()\n\n"
            "It prints a line.\nThe options are described below.\nEach one has a default.\n"
            "Nothing else is needed.\nThat is all there is.\n")
    lines = text.split("\n")
    assert {lines[i] for i in example_lines(lines)} >= {"    import thing", "    thing.stop()"}
    assert not looks_like_source_code(text)


@pytest.mark.parametrize("name", ["Carp.pm", "File/Temp.pm"])
def test_perl_modules_with_pod_stay_source_code(name: str) -> None:
    hits = sorted(Path("/usr/share/perl").glob(f"5.*/{name}"))
    if not hits:
        pytest.skip("Perl's modules are not installed here")
    text = hits[0].read_text(errors="replace")
    assert "=head1" in text
    assert looks_like_source_code(text)


def test_python_sources_stay_source_code() -> None:
    sources = [p for p in sorted((_REPO / "scanner").glob("*.py")) if p.stat().st_size > 2000]
    assert len(sources) >= 10
    for path in sources:
        assert looks_like_source_code(path.read_text()), path.name
