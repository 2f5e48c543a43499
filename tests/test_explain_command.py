"""``pii-scanner explain`` through the real CLI: on a scan's output folder it shows the stored result (the
spans, tier and reasons ``scan`` wrote, no model run); on raw input it scans now; ``--format`` is honoured
in both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import EXIT_DOC_ERRORS, EXIT_FATAL, EXIT_OK, main

ROWS = [
    {"id": "d1", "text": "Dear John Smith, please write to john.smith@example.org today."},
    {"id": "d2", "text": "Card 4111 1111 1111 1111 was charged; call Maria Garcia on +1 415 555 0142."},
    {"id": "d3", "text": "The quarterly weather summary: mild, some rain on Tuesday."},
]
# One findings-table row: "│ 1 │ EMAIL │ email │ 1.00 │ 33 │ 55 │"
ROW = re.compile(r"^│\s*\d+\s*│\s*([A-Z_]+)\s*│\s*(\S+)\s*│\s*([\d.]+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│$")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "160"})


def findings(output: str) -> dict[str, list[tuple]]:
    """(label, detector, score, start, end) per document, from each report's findings table."""
    out: dict[str, list[tuple]] = {}
    current = None
    for line in output.splitlines():
        head = re.match(r"^─+ (\S+)  ·  \d+ chars", line)
        if head:
            current = out.setdefault(head.group(1), [])
        elif (m := ROW.match(line.strip())) and current is not None:
            current.append((m[1], m[2], m[3], int(m[4]), int(m[5])))
    return out


def stored_spans(out: Path) -> dict[str, list[tuple]]:
    spans: dict[str, list[tuple]] = {}
    for r in pq.read_table(out / "spans").to_pylist():
        spans.setdefault(r["doc_id"], []).append((r["label"], r["detector"], f"{r['score']:.2f}", r["start"], r["end"]))
    return {k: sorted(v, key=lambda s: (s[3], s[4], s[0])) for k, v in spans.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """JSON lines under an extension no reader knows: only --format jsonl reads it as records."""
    path = tmp_path_factory.mktemp("explain") / "corpus.data"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scans(corpus):
    """Two real scans of the corpus: with the model, and pattern detectors only."""
    outs = {}
    for name, extra in (("model", ["--backend", "torch", "--device", "cpu"]), ("rules", ["--no-model"])):
        out = corpus.parent / name
        res = invoke("scan", str(corpus), "--format", "jsonl", "-o", str(out), "-q", *extra)
        assert res.exit_code == EXIT_OK, res.output
        outs[name] = out
    return outs


def test_a_scan_folder_shows_exactly_the_stored_spans(scans):
    res = invoke("explain", str(scans["model"]), "--limit", "10")
    assert res.exit_code == EXIT_OK, res.output
    shown = findings(res.stdout)
    assert set(shown) == {r["id"] for r in ROWS}
    spans = stored_spans(scans["model"])
    assert {k: v for k, v in shown.items() if v} == spans
    assert any(s[0] == "PERSON" for s in spans["d1"])  # the model's findings are there too
    tiers = dict(zip(*pq.read_table(scans["model"] / "documents", columns=["doc_id", "tier_name"]).to_pydict().values()))
    for tier_name in tiers.values():
        assert re.search(rf"Tier \d \({tier_name}\)", res.stdout)


def test_the_stored_result_is_shown_not_a_new_run(scans, corpus):
    """The pattern-only scan stored no PERSON; explain of its folder (model options at their defaults)
    shows what was stored, while scanning the same document now does find the name."""
    res = invoke("explain", str(scans["rules"]), "--id", "d1")
    assert res.exit_code == EXIT_OK, res.output
    assert findings(res.stdout) == {"d1": stored_spans(scans["rules"])["d1"]}
    assert "PERSON" not in res.stdout and "[EMAIL]" in res.stdout
    assert "pii: 1 EMAIL" in res.stdout  # the stored reasons
    now = invoke("explain", str(corpus), "--format", "jsonl", "--id", "d1", "--backend", "torch", "--device", "cpu")
    assert now.exit_code == EXIT_OK, now.output
    assert "John Smith[PERSON]" in now.stdout  # a new run disagrees: the stored result is what was shown


def test_format_is_honoured_for_raw_input(corpus):
    as_records = invoke("explain", str(corpus), "--format", "jsonl", "--id", "d2", "--no-model")
    assert as_records.exit_code == EXIT_OK, as_records.output
    assert list(findings(as_records.stdout)) == ["d2"]
    assert "4111 1111 1111 1111[CREDIT_CARD]" in as_records.stdout
    whole_file = invoke("explain", str(corpus), "--no-model")  # no --format: one text document, the file
    assert whole_file.exit_code == EXIT_OK
    assert list(findings(whole_file.stdout)) == [str(corpus)]
    assert invoke("explain", str(corpus), "--format", "jsonl", "--id", "nope", "--no-model").exit_code == EXIT_FATAL


def test_format_is_honoured_for_a_scan_folder(scans, corpus):
    # The scan's own format (its manifest) by default, and when given explicitly.
    for extra in ([], [str(corpus), "--format", "jsonl"]):
        res = invoke("explain", str(scans["rules"]), *extra, "--id", "d2")
        assert res.exit_code == EXIT_OK, res.output
        assert findings(res.stdout) == {"d2": stored_spans(scans["rules"])["d2"]}
    # Read another way, the documents get other ids: nothing is shown as if it matched.
    res = invoke("explain", str(scans["rules"]), str(corpus), "--format", "text", "--id", "d2")
    assert res.exit_code == EXIT_DOC_ERRORS
    assert "d2: not found in the inputs" in res.stdout and not findings(res.stdout)


def test_a_changed_document_is_not_shown_with_stale_offsets(scans, corpus, tmp_path):
    edited = tmp_path / "corpus.data"
    rows = [dict(r) for r in ROWS]
    rows[0]["text"] = "Edited. " + rows[0]["text"]
    edited.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = invoke("explain", str(scans["rules"]), str(edited), "--limit", "10")
    assert res.exit_code == EXIT_DOC_ERRORS
    assert "d1: the text changed since the scan" in res.stdout
    assert set(findings(res.stdout)) == {"d2", "d3"}
    assert "john.smith@example.org" not in res.stdout
    assert invoke("explain", str(scans["rules"]), "--id", "nope").exit_code == EXIT_FATAL
    assert invoke("explain", str(corpus), str(corpus)).exit_code == 2  # INPUTS only with a scan folder
