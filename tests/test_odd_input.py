"""Odd input never crashes a run and never silently loses a document (issue 12, items 4-14).

The real CLI on real files: click's runner in process, or a subprocess for stdin and raw file names.
``--no-model``: the pattern detectors find the e-mail addresses, SSNs and keys these tests plant.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from scanner.cli import EXIT_DOC_ERRORS, EXIT_FATAL, EXIT_OK, EXIT_TIER, EXIT_USAGE, main

FAST = ["--no-model", "-q"]
SSN = "078-05-1120"


def scan(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["scan", *args], env=env)


def said(res) -> str:
    return " ".join(res.stderr.split())


def rows(out: Path) -> list[dict]:
    return pq.read_table(out / "documents").to_pylist()


def found(out: Path, label: str) -> set[str]:
    return {s["doc_id"] for s in pq.read_table(out / "spans").to_pylist() if s["label"] == label}


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- item 4


def test_duplicate_ids_across_files_and_splits_are_scanned_under_unique_ids(tmp_path):
    import datasets

    a = jsonl(tmp_path / "a.jsonl", [{"id": 0, "text": "fine"}, {"id": 1, "text": "fine"}])
    b = jsonl(tmp_path / "b.jsonl", [{"id": "0", "text": f"SSN {SSN}"}, {"id": "1", "text": "mail b@example.com"}])
    hf = tmp_path / "hf"
    datasets.DatasetDict({"train": datasets.Dataset.from_list([{"id": "0", "text": "x"}]),
                          "test": datasets.Dataset.from_list([{"id": "0", "text": "mail t@example.com"}])}
                         ).save_to_disk(str(hf))
    out = tmp_path / "out"
    res = scan(str(a), str(b), str(hf), "-o", str(out), "--fail-on-tier", "3", *FAST)
    assert res.exit_code == EXIT_TIER, res.output  # b's SSN and e-mail were looked at
    got = rows(out)
    ids = [r["doc_id"] for r in got]
    assert ids == ["0", "1", f"0@{b}", f"1@{b}", f"0@{hf}#train", f"0@{hf}#test"]  # HF ids per split
    assert all(r["status"] == "ok" for r in got)
    assert found(out, "ID_NUMBER") == {f"0@{b}"} and found(out, "EMAIL") == {f"1@{b}", f"0@{hf}#test"}
    notes = {r["doc_id"]: r["note"] for r in got}
    assert notes[f"0@{b}"] == f'duplicate id "0" (first seen in {a}): renamed'  # the number 0 and "0"
    assert notes["0"] is None


# --------------------------------------------------------------------------------------------- item 5


def test_file_names_that_are_not_utf8_are_scanned(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(b"mail cafe@example.com")
    direct = os.fsencode(tmp_path) + b"/r\xe9sum\xe9.jsonl"
    with open(direct, "wb") as f:
        f.write(b'{"id": "r", "text": "mail r@example.com"}\n')
    out = tmp_path / "out"
    res = subprocess.run([os.fsencode(sys.executable), b"-m", b"scanner", b"scan", os.fsencode(folder), direct,
                          b"-o", os.fsencode(out), b"--no-model", b"-q"], capture_output=True)
    assert res.returncode == EXIT_OK, res.stderr.decode(errors="replace")
    got = {r["doc_id"]: r for r in rows(out)}
    assert set(got) == {"caf\\xe9.txt", "r"}
    assert got["r"]["source"] == f"{tmp_path}/r\\xe9sum\\xe9.jsonl"
    assert got["caf\\xe9.txt"]["note"] == "file name is not valid UTF-8: shown with \\x escapes"
    assert found(out, "EMAIL") == {"caf\\xe9.txt", "r"}


# --------------------------------------------------------------------------------------------- item 6


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("mail a@example.com")
    out = corpus / "results"
    for _ in range(2):  # the second run finds the first one's manifest and parts in the input folder
        res = scan(str(corpus), "-o", str(out), *FAST)
        assert res.exit_code == EXIT_OK, res.output
        assert [r["doc_id"] for r in rows(out)] == ["a.txt"]


# --------------------------------------------------------------------------------------------- items 7, 8


def test_hidden_files_and_writer_files_are_read_or_accounted_for(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".env").write_text("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nADMIN=ops@example.com\n")
    (repo / ".git" / "config").write_text('[remote "origin"]\n  url = https://git.example.com/x.git\n')
    (repo / "notes.txt").write_text("nothing")
    data = tmp_path / "data"
    data.mkdir()
    jsonl(data / "_part0.jsonl", [{"id": "p0", "text": "mail p0@example.com"}])
    jsonl(data / "part1.jsonl", [{"id": "p1", "text": "hi"}])
    (data / "_SUCCESS").write_text("")
    out = tmp_path / "out"
    res = scan(str(repo), str(data), "-o", str(out), *FAST)
    assert res.exit_code == EXIT_OK, res.output
    got = {r["doc_id"]: r for r in rows(out)}
    assert set(got) == {".env", ".git/config", "notes.txt", "p0", "p1", "_SUCCESS"}
    assert ".env" in found(out, "EMAIL") and "p0" in found(out, "EMAIL")
    assert (got["_SUCCESS"]["status"], got["_SUCCESS"]["error"]) == ("skipped", "dataset bookkeeping file")
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["by_reason"] == {"skipped: dataset bookkeeping file": 1}


def test_a_folder_reads_each_file_by_its_own_format(tmp_path):
    jl = tmp_path / "jl"
    jl.mkdir()
    jsonl(jl / "a.jsonl", [{"id": "j1", "text": "one"}, {"id": "j2", "text": "mail j2@example.com"}])
    (jl / "README.md").write_text("Export of tickets. Contact: owner@example.com")
    pqd = tmp_path / "pq"
    pqd.mkdir()
    pq.write_table(pa.table({"id": ["q1"], "text": ["mail q1@example.com"]}), pqd / "part-0.parquet")
    (pqd / "README").write_text("written by the nightly export")
    with pa.ipc.new_file(str(pqd / "extra.arrow"), pa.schema([("id", pa.string()), ("text", pa.string())])) as w:
        w.write_table(pa.table({"id": ["r1"], "text": ["mail r1@example.com"]}))
    out = tmp_path / "out"
    res = scan(str(jl), str(pqd), "-o", str(out), *FAST)
    assert res.exit_code == EXIT_OK, res.output
    got = [(r["doc_id"], r["status"]) for r in rows(out)]
    assert got == [("README.md", "ok"), ("j1", "ok"), ("j2", "ok"), ("README", "ok"), ("r1", "ok"), ("q1", "ok")]
    assert found(out, "EMAIL") == {"README.md", "j2", "r1", "q1"}


def test_files_that_hold_text_we_cannot_extract_fail_the_gate_images_do_not(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "contract.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Filter /FlateDecode>> stream\n"
                                          + bytes(range(256)) * 4)
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (folder / "a.txt").write_text("hello")
    out = tmp_path / "out"
    res = scan(str(folder), "-o", str(out), "--fail-on-tier", "3", *FAST)
    assert res.exit_code == EXIT_TIER and "contract.pdf (not scanned)" in said(res), res.output
    got = {r["doc_id"]: (r["status"], r["error"]) for r in rows(out)}
    assert got["contract.pdf"] == ("error", "cannot extract text from PDF files: convert or unpack it and scan the result")
    assert got["logo.png"][0] == "skipped" and got["a.txt"] == ("ok", None)
    (folder / "contract.pdf").unlink()
    assert scan(str(folder), "-o", str(tmp_path / "o2"), "--fail-on-tier", "3", *FAST).exit_code == EXIT_OK


# --------------------------------------------------------------------------------------------- item 9


def test_an_unterminated_quote_costs_one_row_not_the_rest_of_the_file(tmp_path):
    p = tmp_path / "c.csv"
    lines = ["id,text"] + [f"{i},row {i} mail u{i}@example.com" for i in range(100)]
    lines[3] = '2,"broken row with an opening quote only'
    p.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    res = scan(str(p), "-o", str(out), *FAST)
    assert res.exit_code == EXIT_DOC_ERRORS, res.output
    got = rows(out)
    bad = [r for r in got if r["status"] != "ok"]
    assert len(bad) == 1 and bad[0]["error"].startswith("malformed CSV at line 4: unexpected end of data")
    assert {r["doc_id"] for r in got if r["status"] == "ok"} == {str(i) for i in range(100) if i != 2}
    assert len(found(out, "EMAIL")) == 99


# --------------------------------------------------------------------------------------------- item 10


def test_no_document_text_in_error_messages(tmp_path):
    headerless = tmp_path / "h.csv"
    headerless.write_text(f"1,{SSN},Jane\n2,219-09-9999,John\n")
    res = scan(str(headerless), "-o", str(tmp_path / "o1"), *FAST)
    assert res.exit_code == EXIT_FATAL and "no column 'text'" in said(res) and "header row" in said(res)
    assert SSN not in res.output
    j = jsonl(tmp_path / "j.jsonl", [{"id": "1", "text": f"SSN {SSN} here, and more"}])
    res = scan(str(j), "--format", "csv", "-o", str(tmp_path / "o2"), *FAST)
    assert res.exit_code == EXIT_FATAL and SSN not in res.output
    keyed = jsonl(tmp_path / "k.jsonl", [{"id": "1", "text": "ok"}, {"id": "2", "jane.doe@example.com": "x"}])
    out = tmp_path / "o3"
    assert scan(str(keyed), "-o", str(out), *FAST).exit_code == EXIT_DOC_ERRORS
    (bad,) = [r for r in rows(out) if r["status"] == "error"]
    assert "jane.doe" not in bad["error"] and bad["error"].startswith("no field 'text'")


# --------------------------------------------------------------------------------------------- item 11


def test_markup_and_escapes_in_paths_and_ids_are_printed_as_data(tmp_path):
    corpus = jsonl(tmp_path / "c.jsonl", [{"id": "[/x]\x1b[2Jboom", "text": f"SSN {SSN} \x1b[2J\r[/b] end"}])
    out = tmp_path / "[/x]out[bold]"
    res = scan(str(corpus), "-o", str(out), "--fail-on-tier", "3", "--no-model")  # summary printed
    assert res.exit_code == EXIT_TIER, res.output
    assert "[/x]out[bold]" in said(res) and "\x1b" not in res.stderr
    assert "[/x]\\x1b[2Jboom (tier 3)" in said(res)  # the gate names the document, escape shown as text
    res = CliRunner().invoke(main, ["explain", str(corpus), "--no-model"])
    assert res.exit_code == EXIT_OK, res.output
    assert "\x1b[2J" not in res.output and "[/x]\\x1b[2Jboom" in res.output
    assert "SSN" in res.output and "\u241b[2J\u240d[/b] end" in res.output  # the text: one symbol per control


# --------------------------------------------------------------------------------------------- item 12


@pytest.mark.slow
@pytest.mark.parametrize("arg", ["-", "/dev/stdin"])
def test_stdin_is_scanned(tmp_path, arg):
    data = "".join(json.dumps({"id": f"s{i}", "text": f"mail s{i}@example.com"}) + "\n" for i in range(3))
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "scanner", "scan", arg, "-o", str(out), *FAST],
                         input=data.encode(), capture_output=True, timeout=300)
    assert res.returncode == EXIT_OK, res.stderr.decode()
    assert [r["doc_id"] for r in rows(out)] == ["s0", "s1", "s2"]
    assert found(out, "EMAIL") == {"s0", "s1", "s2"}
    res = subprocess.run([sys.executable, "-m", "scanner", "scan", "-", "-o", str(tmp_path / "t"), *FAST],
                         input=b"plain text from a pipe: p@example.com", capture_output=True, timeout=300)
    assert res.returncode == EXIT_OK and [r["doc_id"] for r in rows(tmp_path / "t")] == ["<stdin>"]
    res = subprocess.run([sys.executable, "-m", "scanner", "scan", arg, "-o", str(tmp_path / "u"), "--text-column",
                          "body", *FAST], input=data.encode(), capture_output=True, timeout=300)
    assert res.returncode == EXIT_FATAL and b"no field 'body'" in res.stderr  # as for a file


# --------------------------------------------------------------------------------------------- item 13


def test_utf16_and_windows_1252_inputs(tmp_path):
    lines = "".join(json.dumps({"id": f"u{i}", "text": f"é mail u{i}@example.com"}, ensure_ascii=False) + "\n"
                    for i in range(2))
    (tmp_path / "u16.jsonl").write_bytes(lines.encode("utf-16"))  # with a BOM
    with open(tmp_path / "u16.csv", "w", encoding="utf-16", newline="") as f:
        csv.writer(f).writerows([["id", "text"], ["c1", "mail c1@example.com"]])
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "nobom.txt").write_bytes("mail nobom@example.com".encode("utf-16-le"))
    (folder / "legacy.txt").write_bytes("Café Müller, mail legacy@example.com".encode("cp1252"))
    out = tmp_path / "out"
    res = scan(str(tmp_path / "u16.jsonl"), str(tmp_path / "u16.csv"), str(folder), "-o", str(out), *FAST)
    assert res.exit_code == EXIT_OK, res.output
    got = {r["doc_id"]: r for r in rows(out)}
    assert set(got) == {"u0", "u1", "c1", "nobom.txt", "legacy.txt"}
    assert all(r["status"] == "ok" for r in got.values())
    assert found(out, "EMAIL") == set(got)
    assert got["legacy.txt"]["note"] == "not UTF-8: decoded as Windows-1252"
    assert got["legacy.txt"]["n_chars"] == len("Café Müller, mail legacy@example.com")
    assert got["nobom.txt"]["note"] == "decoded as UTF-16-LE"
    legacy_csv = tmp_path / "legacy.csv"
    legacy_csv.write_bytes("id,text\nl1,Müller\n".encode("cp1252"))
    out = tmp_path / "out2"
    assert scan(str(legacy_csv), "-o", str(out), *FAST).exit_code == EXIT_OK
    (row,) = rows(out)
    assert row["note"] == "invalid UTF-8 bytes replaced by U+FFFD (is the file UTF-8?)"  # not silent


# --------------------------------------------------------------------------------------------- item 14


def test_shard_size_zero_is_a_usage_error(tmp_path):
    corpus = jsonl(tmp_path / "c.jsonl", [{"text": "x"}])
    res = scan(str(corpus), "-o", str(tmp_path / "o"), "--shard-size", "0", *FAST)
    assert res.exit_code == EXIT_USAGE and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_an_empty_corpus_says_so(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    res = scan(str(tmp_path / "empty.jsonl"), "-o", str(tmp_path / "o"), *FAST)
    assert res.exit_code == EXIT_OK and "the inputs hold no documents" in said(res)
    assert rows(tmp_path / "o") == []


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_wrong_text_or_id_column_is_fatal_for_every_format_before_the_model_loads(tmp_path, kind):
    path = tmp_path / f"c.{kind}"
    data = [{"id": "1", "body": "x"}, {"id": "2", "body": "y"}]
    if kind == "jsonl":
        jsonl(path, data)
    elif kind == "csv":
        path.write_text("id,body\n1,x\n2,y\n")
    else:
        pq.write_table(pa.Table.from_pylist(data), path)
    res = scan(str(path), "-o", str(tmp_path / "o"), "--backend", "torch", "--device", "cpu", "-q")
    assert res.exit_code == EXIT_FATAL and "no " in said(res) and "'text'" in said(res)
    assert "torch" not in res.stderr  # the backend line: printed once the model has loaded
    res = scan(str(path), "-o", str(tmp_path / "o"), "--text-column", "body", "--id-column", "uuid", *FAST)
    assert res.exit_code == EXIT_FATAL and "'uuid'" in said(res) and "--id-column" in said(res)
    res = scan(str(path), "-o", str(tmp_path / "o"), "--text-column", "body", *FAST)
    assert res.exit_code == EXIT_OK, res.output  # "id" by default: used when there


def test_summary_lists_every_label_and_the_gate_names_documents(tmp_path):
    labels = ["PERSON", "LOCATION", "ORGANIZATION", "DATE", "AGE", "NRP", "USERNAME", "MEDICAL", "STREET_ADDRESS", "URL"]
    rules = tmp_path / "rules.yaml"
    rules.write_text("custom:\n" + "".join(f"  - {{name: l{i}, label: {lab}, pattern: 'TOK{i}X'}}\n"
                                           for i, lab in enumerate(labels)))
    corpus = jsonl(tmp_path / "c.jsonl", [{"id": f"d{i}", "text": f"TOK{i}X and {SSN}"} for i in range(10)]
                   + [{"id": "broken", "text": None}])
    res = scan(str(corpus), "-o", str(tmp_path / "o"), "--rules", str(rules), "--fail-on-tier", "3", "--no-model")
    assert res.exit_code == EXIT_TIER, res.output
    text = said(res)
    for lab in labels:
        assert f"{lab} 1" in text
    assert "11 document(s) at tier >= 3 or not scanned" in text
    assert "d0 (tier 3)" in text and "broken (not scanned)" not in text  # the first 10 are listed
    assert "1 error: text is null" in text


def test_the_gate_fails_on_a_document_that_was_not_scanned(tmp_path):
    corpus = jsonl(tmp_path / "c.jsonl", [{"id": "fine", "text": "hello"}, {"id": "bad", "text": 5}])
    res = scan(str(corpus), "-o", str(tmp_path / "o"), "--fail-on-tier", "3", *FAST)
    assert res.exit_code == EXIT_TIER and "bad (not scanned)" in said(res)


def test_progress_has_a_total(tmp_path):
    from scanner.cli import _progress
    from scanner.readers import plan_inputs

    jsonl(tmp_path / "a.jsonl", [{"text": "x"}] * 5)
    pq.write_table(pa.table({"text": ["y"] * 7}), tmp_path / "b.parquet")
    (tmp_path / "c.csv").write_text("text\n1\n2\n")
    plan = plan_inputs([tmp_path / "a.jsonl", tmp_path / "b.parquet", tmp_path / "c.csv"])
    assert plan.count_documents() == 14
    prog = _progress(False, plan)
    with prog as update:
        prog._count()  # what its thread does
        update(3, 10)
        task = prog.bar.tasks[0]
        assert (task.total, task.completed) == (14, 3)
