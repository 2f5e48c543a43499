"""The real ``pii-scanner`` command: exit codes, and outputs that are safe by default.

Safe by default: no span text (the PII itself) in any file under OUT unless ``--include-text``, every
file 0600 and folder 0700 whatever the umask, no key and no document text in the manifest, and no
matched text in stdout, stderr or the logs.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import EXIT_DOC_ERRORS, EXIT_FATAL, EXIT_OK, EXIT_STALE, EXIT_TIER, EXIT_USAGE, main
from scanner.redaction import KEY_ENV, KEY_FILE_ENV

SCAN = ["--backend", "torch", "--device", "cpu", "-q"]
KEY = "cli-test-key-8f3KzW0pQ7rT2vX9"
PII = {  # all found by the validated pattern detectors, whatever the model does
    "email": "margaret.hamilton@example.com",
    "email2": "k.johnson@example.org",
    "phone": "+1 415 555 0142",
    "card": "4111 1111 1111 1111",
    "ssn": "078-05-1120",
}
SECRET_PROSE = "The quarterly zebra migration plan stays internal"  # document text, not a finding
CORPUS = [
    {"id": "a", "text": f"Hi, reach me at {PII['email']} or {PII['phone']}. {SECRET_PROSE}."},
    {"id": "b", "text": f"Card {PII['card']} for {PII['email2']}; SSN {PII['ssn']}."},
    {"id": "c", "text": "Nothing to see here."},
]


def write_jsonl(path: Path, rows: list[dict], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + extra, encoding="utf-8")
    return path


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def said(res) -> str:
    """stderr with line breaks undone (rich wraps long lines when stderr is not a terminal)."""
    return " ".join(res.stderr.split())


# --------------------------------------------------------------------------------------------- exit codes


def test_exit_0_on_a_clean_run(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "text": "Nothing to see here."}, {"id": "y", "text": ""}])
    res = invoke("scan", str(corpus), "-o", str(tmp_path / "o"), *SCAN)
    assert res.exit_code == EXIT_OK, res.output


def test_exit_3_when_a_document_failed(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "text": "fine"}], extra='{"id": "broken", "text": \n')
    res = invoke("scan", str(corpus), "-o", str(tmp_path / "o"), *SCAN)
    assert res.exit_code == EXIT_DOC_ERRORS, res.output
    rows = pq.read_table(tmp_path / "o" / "documents").to_pylist()
    assert [(r["status"], (r["error"] or "")[:14]) for r in rows] == [("ok", ""), ("error", "malformed JSON")]


def test_exit_4_on_fail_on_tier(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", CORPUS)  # e-mail addresses: PII, tier 3
    res = invoke("scan", str(corpus), "-o", str(tmp_path / "o"), "--fail-on-tier", "3", *SCAN)
    assert res.exit_code == EXIT_TIER, res.output
    res = invoke("scan", str(corpus), "-o", str(tmp_path / "o2"), "--fail-on-tier", "4", *SCAN)
    assert res.exit_code == EXIT_OK, res.output  # nothing at tier 4 (the sample texts hold no M&A)


def test_exit_1_for_a_missing_input(tmp_path):
    res = invoke("scan", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o"), *SCAN)
    assert res.exit_code == EXIT_FATAL
    assert "nope.jsonl: no such file or directory" in said(res)
    assert "Traceback" not in res.output


def test_exit_1_for_a_missing_text_column(tmp_path):
    (tmp_path / "c.csv").write_text("id,body\n1,hello\n")
    res = invoke("scan", str(tmp_path / "c.csv"), "-o", str(tmp_path / "o"), *SCAN)
    assert res.exit_code == EXIT_FATAL
    assert "no column 'text' (available: id, body)" in said(res)
    assert "Traceback" not in res.output


def test_fatal_error_is_one_line_even_when_long(tmp_path):
    name = "a-rather-long-file-name-so-the-message-is-wider-than-eighty-columns.csv"
    (tmp_path / name).write_text("id,body\n1,hello\n")
    res = invoke("scan", str(tmp_path / name), "-o", str(tmp_path / "o"), *SCAN)
    assert res.exit_code == EXIT_FATAL
    (line,) = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert line.rstrip().endswith("no column 'text' (available: id, body)"), res.stderr


@pytest.mark.parametrize("bad", [["--fail-on-tier", "9"], ["--shard-size", "many"], ["--redact", "blur"],
                                 ["--no-such-option"], ["--format", "xml"]])
def test_exit_2_for_a_bad_option(tmp_path, bad):
    corpus = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    res = invoke("scan", str(corpus), "-o", str(tmp_path / "o"), *bad, *SCAN)
    assert res.exit_code == EXIT_USAGE, res.output
    assert not (tmp_path / "o").exists()  # rejected before anything was written


def test_redact_command_exit_codes(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    res = invoke("redact", str(tmp_path / "no-scan"), str(corpus), "-o", str(tmp_path / "r"), "--style", "mask")
    assert res.exit_code == EXIT_USAGE  # SPANS_OUT must exist
    (tmp_path / "empty").mkdir()
    res = invoke("redact", str(tmp_path / "empty"), str(corpus), "-o", str(tmp_path / "r"), "--style", "mask")
    assert res.exit_code == EXIT_FATAL and "not a scan output" in said(res)
    res = invoke("redact", str(tmp_path / "empty"), str(corpus), "-o", str(tmp_path / "r"), "--style", "x")
    assert res.exit_code == EXIT_USAGE


# --------------------------------------------------------------------------------------------- safe by default


def _values_in(path: Path) -> str:
    """Everything a file says: its raw bytes, and for Parquet (compressed) every decoded value too."""
    raw = path.read_bytes().decode("utf-8", "replace")
    if path.suffix == ".parquet":
        raw += "\n" + json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str)
    return raw


@pytest.fixture
def umask_0():
    old = os.umask(0)  # the most permissive umask: modes must still be 0600/0700
    yield
    os.umask(old)


def test_nothing_sensitive_leaves_the_scan_by_default(tmp_path, umask_0, caplog):
    corpus = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    env = {KEY_ENV: KEY, KEY_FILE_ENV: None}
    res = invoke("-v", "scan", str(corpus), "-o", str(out), "--redact", "pseudonym", "--shard-size", "2",
                 "--backend", "torch", "--device", "cpu", env=env)  # progress bar on, debug logging on
    assert res.exit_code == EXIT_OK, res.output

    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.relative_to(out).parts[0] for p in files} == {"documents", "spans", "redacted", "manifest.json"}
    spans = pq.read_table(out / "spans").to_pylist()
    assert "text" not in spans[0]
    found = {s["doc_id"] for s in spans}
    assert found >= {"a", "b"}
    for path in [out, *out.rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path
    for path in files:
        content = _values_in(path)
        for value in PII.values():
            assert value not in content, (path, value)
        assert KEY not in content, path
    manifest = (out / "manifest.json").read_text()
    assert SECRET_PROSE not in manifest and "Nothing to see here" not in manifest
    json.loads(manifest)  # and it is still a valid manifest
    said = res.output + caplog.text
    for value in [*PII.values(), KEY, SECRET_PROSE]:
        assert value not in said, value


def test_include_text_is_the_opt_in(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    out = tmp_path / "out"
    res = invoke("scan", str(corpus), "-o", str(out), "--include-text", *SCAN)
    assert res.exit_code == EXIT_OK, res.output
    texts = {s["text"] for s in pq.read_table(out / "spans").to_pylist()}
    assert {PII["email"], PII["card"], PII["ssn"]} <= texts  # the check above would have seen them
    # Resuming without --include-text would mix the two schemas: refused, with its own exit code.
    res = invoke("scan", str(corpus), "-o", str(out), *SCAN)
    assert res.exit_code == EXIT_STALE and "--include-text" in said(res)
