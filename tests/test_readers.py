"""Readers against real files of every format, including the broken ones a real corpus contains."""

from __future__ import annotations

import csv
import gzip
import json
import os
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scanner.readers import (
    DuplicateGuard,
    InputError,
    decode_text_file,
    describe_inputs,
    iter_shards,
    read_documents,
)
from scanner.records import Document


def docs(*inputs, **kw) -> list[Document]:
    return list(read_documents(list(inputs), **kw))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


RECORDS = [{"id": "a", "text": "Mail bob@example.com"}, {"id": "b", "text": ""}, {"id": "c", "text": "x\ny"}]


def make_input(kind: str, tmp: Path, records: list[dict]) -> Path:
    """The same records as each format, so every format can be checked by one test."""
    cols = list(records[0])
    if kind == "jsonl":
        return write_jsonl(tmp / "in.jsonl", records)
    if kind == "jsonl.gz":
        p = tmp / "in.jsonl.gz"
        with gzip.open(p, "wt", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in records)
        return p
    if kind in ("csv", "tsv"):
        rows = [cols] + [[r[c] for c in cols] for r in records]
        return write_csv(tmp / f"in.{kind}", rows, "\t" if kind == "tsv" else ",")
    if kind == "parquet":
        p = tmp / "in.parquet"
        pq.write_table(pa.Table.from_pylist(records), p, row_group_size=2)
        return p
    if kind == "parquet-dir":
        d = tmp / "pq"
        d.mkdir()
        pq.write_table(pa.Table.from_pylist(records[:1]), d / "part-0.parquet")
        pq.write_table(pa.Table.from_pylist(records[1:]), d / "part-1.parquet")
        (d / "_SUCCESS").write_text("")
        return d
    if kind == "hf":
        import datasets

        d = tmp / "hf"
        datasets.Dataset.from_list(records).save_to_disk(str(d))
        return d
    raise AssertionError(kind)


FORMATS = ["jsonl", "jsonl.gz", "csv", "tsv", "parquet", "parquet-dir", "hf"]


# ------------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_reads_ids_and_texts(tmp_path, kind):
    path = make_input(kind, tmp_path, RECORDS)
    got = docs(path)
    if kind == "parquet-dir":  # a dataset writer's marker file is no document, but it is accounted for
        assert (got[0].doc_id, got[0].status, got[0].error) == ("_SUCCESS", "skipped", "dataset bookkeeping file")
        got = got[1:]
    assert [(d.doc_id, d.text, d.status, d.error) for d in got] == [
        ("a", "Mail bob@example.com", "ok", None),
        ("b", "", "ok", None),  # empty text is a valid document
        ("c", "x\ny", "ok", None),
    ]
    if kind == "parquet-dir":
        assert [d.source for d in got] == [str(path / "part-0.parquet")] + [str(path / "part-1.parquet")] * 2
    else:
        assert {d.source for d in got} == {str(path)}


@pytest.mark.parametrize("kind", FORMATS)
def test_column_mapping_and_generated_ids(tmp_path, kind):
    records = [{"key": "k1", "body": "one", "other": "zz"}, {"key": "k2", "body": "two", "other": "zz"}]
    path = make_input(kind, tmp_path, records)
    data = lambda got: [d for d in got if d.status != "skipped"]  # noqa: E731 - not _SUCCESS
    got = data(docs(path, text_column="body", id_column="key"))
    assert [(d.doc_id, d.text) for d in got] == [("k1", "one"), ("k2", "two")]
    # no such id column: ids are source:row, 0-based per file, identical on every read
    got = data(docs(path, text_column="body"))
    expected = [f"{d.source}:{i}" for i, d in enumerate(got)] if kind != "parquet-dir" else [
        f"{got[0].source}:0",
        f"{got[1].source}:0",
    ]
    assert [d.doc_id for d in got] == expected
    assert [d.doc_id for d in data(docs(path, text_column="body"))] == expected


@pytest.mark.parametrize("kind", ["csv", "tsv", "parquet", "parquet-dir", "hf"])
def test_missing_text_column_is_one_clear_error(tmp_path, kind):
    path = make_input(kind, tmp_path, [{"id": "1", "text": "x"}])
    with pytest.raises(InputError) as err:
        read_documents([path], text_column="body")  # raised before any iteration
    msg = str(err.value)
    assert "no column 'body' (available: id, text)" in msg
    assert "\n" not in msg


def test_hf_dataset_dict_iterates_each_split(tmp_path):
    import datasets

    d = tmp_path / "dd"
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_list([{"text": "t0"}, {"text": "t1"}]),
            "test": datasets.Dataset.from_list([{"text": None}]),
        }
    ).save_to_disk(str(d))
    got = docs(d)
    assert [(d_.doc_id, d_.source, d_.text, d_.status) for d_ in got] == [
        (f"{d}#train:0", f"{d}#train", "t0", "ok"),
        (f"{d}#train:1", f"{d}#train", "t1", "ok"),
        (f"{d}#test:0", f"{d}#test", None, "error"),
    ]
    assert got[2].error == "text is null"
    assert describe_inputs([d])[0]["format"] == "hf"


def test_csv_long_field_multiline_and_ragged_rows(tmp_path):
    big = "x" * 300_000  # over csv's default 128 KiB field limit
    p = write_csv(tmp_path / "in.csv", [["id", "text"], ["1", big], ["2", 'a "quoted"\nsecond line']])
    with open(p, "a", encoding="utf-8") as f:
        f.write("\n3\n4,ok\n")  # a blank line, a row without its text field, a good row after it
    got = docs(p)
    assert [(d.doc_id, d.status) for d in got] == [("1", "ok"), ("2", "ok"), ("3", "error"), ("4", "ok")]
    assert got[0].text == big and got[1].text == 'a "quoted"\nsecond line'
    assert "1 fields, header has 2" in got[2].error


def test_csv_with_bom_and_empty_file(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfid,text\n1,hello\n")
    assert [(d.doc_id, d.text) for d in docs(p)] == [("1", "hello")]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert docs(empty) == []


def test_parquet_folder_is_sorted_reads_hidden_files_and_skips_bookkeeping_with_a_row(tmp_path):
    d = tmp_path / "pq"
    (d / "b").mkdir(parents=True)
    pq.write_table(pa.table({"text": ["z"]}), d / "b" / "0.parquet")
    pq.write_table(pa.table({"text": ["a"]}), d / "a.parquet")
    pq.write_table(pa.table({"text": ["hidden"]}), d / ".tmp.parquet")
    pq.write_table(pa.table({"x": [1]}), d / "_common_metadata.parquet")  # bookkeeping, no text column
    got = docs(d)
    assert [(d_.text, d_.status) for d_ in got] == [("hidden", "ok"), (None, "skipped"), ("a", "ok"), ("z", "ok")]
    assert got[1].doc_id == "_common_metadata.parquet" and got[1].error == "dataset bookkeeping file"
    assert describe_inputs([d])[0]["format"] == "parquet"


def test_parquet_large_string_binary_and_null_ids(tmp_path):
    p = tmp_path / "in.parquet"
    t = pa.table(
        {
            "id": pa.array([None, 7], pa.int64()),
            "text": pa.array(["é", None], pa.large_string()),
            "raw": pa.array([b"caf\xc3\xa9", b"bad\xff"], pa.binary()),
        }
    )
    pq.write_table(t, p)
    got = docs(p)
    assert [(d.doc_id, d.text, d.status) for d in got] == [(f"{p}:0", "é", "ok"), ("7", None, "error")]
    assert [d.text for d in docs(p, text_column="raw")] == ["café", "bad\ufffd"]


def test_parquet_non_string_text_column_is_rejected(tmp_path):
    p = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), p)
    with pytest.raises(InputError, match="column 'text' is int64, expected string"):
        read_documents([p])


def test_text_folder(tmp_path):
    d = tmp_path / "corpus"
    (d / "sub" / "deeper").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "b.txt").write_text("bee")
    (d / "a.md").write_text("")
    (d / "sub" / "c.txt").write_bytes(b"caf\xe9 ok")  # no UTF-8 at all: a Windows-1252 file
    (d / "sub" / "damaged.txt").write_bytes("café ".encode() + b"\xff ok")  # UTF-8 with a bad byte
    (d / "sub" / "deeper" / "d.txt").write_bytes(b"\xef\xbb\xbfwith bom")
    (d / "sub" / "u16.txt").write_bytes("hé".encode("utf-16"))
    (d / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (d / "noise.bin").write_bytes(bytes(range(128, 256)) * 10)  # no NUL, but not UTF-8 at all
    (d / ".hidden.txt").write_text("secret")
    (d / ".git" / "config").write_text("x")
    got = docs(d)
    by_id = {x.doc_id: x for x in got}
    assert set(by_id) == {"a.md", "b.txt", "img.png", "noise.bin", "sub/c.txt", "sub/u16.txt", "sub/deeper/d.txt",
                          "sub/damaged.txt", ".hidden.txt", ".git/config"}  # hidden files are read too
    assert by_id[".hidden.txt"].text == "secret"
    assert all(x.source == str(d) for x in got)
    assert by_id["b.txt"].text == "bee"
    assert (by_id["a.md"].status, by_id["a.md"].text) == ("ok", "")
    assert (by_id["sub/c.txt"].status, by_id["sub/c.txt"].text) == ("ok", "café ok")
    assert by_id["sub/c.txt"].note == "not UTF-8: decoded as Windows-1252"
    assert by_id["sub/damaged.txt"].text == "café \ufffd ok"
    assert by_id["sub/damaged.txt"].note == "1 invalid UTF-8 byte sequence(s) replaced by U+FFFD"
    assert by_id["sub/deeper/d.txt"].text == "with bom"
    assert by_id["sub/u16.txt"].text == "hé"
    for name in ("img.png", "noise.bin"):
        assert by_id[name].status == "skipped" and by_id[name].text is None
        assert by_id[name].error.startswith("binary file")
    # deterministic: same order every time, files of a folder before its subfolders
    assert [x.doc_id for x in docs(d)] == [x.doc_id for x in got]
    assert [x.doc_id for x in got][:6] == [".hidden.txt", "a.md", "b.txt", "img.png", "noise.bin", ".git/config"]


def test_single_text_file_and_explicit_format_override(tmp_path):
    t = tmp_path / "notes.txt"
    t.write_text("call me")
    assert [(d.doc_id, d.source, d.text) for d in docs(t)] == [(str(t), str(t), "call me")]
    # JSON lines in a .txt file: the extension says text, fmt says otherwise
    j = tmp_path / "dump.txt"
    write_jsonl(j, [{"id": "1", "text": "hi"}])
    assert [(d.doc_id, d.text) for d in docs(j, fmt="jsonl")] == [("1", "hi")]
    # a folder of .jsonl files would be detected as JSONL; fmt="text" reads them as whole documents
    d = tmp_path / "jl"
    d.mkdir()
    write_jsonl(d / "x.jsonl", [{"text": "a"}, {"text": "b"}])
    assert len(docs(d)) == 2
    assert [x.doc_id for x in docs(d, fmt="text")] == ["x.jsonl"]
    with pytest.raises(InputError, match="unknown format 'xml'"):
        read_documents([t], fmt="xml")


def test_missing_input_path(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as err:
        read_documents([missing])
    assert str(err.value) == f"{missing}: no such file or directory"
    with pytest.raises(InputError):
        describe_inputs([missing])


def test_json_array_file_is_explained(tmp_path):
    p = tmp_path / "data.json"
    p.write_text(json.dumps([{"text": "a"}], indent=2))
    with pytest.raises(InputError, match="JSON array, not JSON lines"):
        read_documents([p])


# ------------------------------------------------------------------------------------------ bad records


def test_malformed_and_bad_jsonl_records_become_error_rows(tmp_path):
    p = tmp_path / "in.jsonl"
    lines = [
        '{"id": "1", "text": "first"}',
        "",
        "{not json",
        '{"id": "n", "text": null}',
        '{"id": "i", "text": 42}',
        '{"id": "l", "text": ["a"]}',
        "[1, 2]",
        '{"id": "nobody", "body": "x"}',
        '{"id": "nul", "text": "a\\u0000b"}',
        '{"id": "sur", "text": "a\\ud800b"}',
        '{"id": 5, "text": "int id"}',
        '{"id": "", "text": "empty id"}',
        '{"id": "tab", "text": "raw\ttab"}',
        '{"id": "last", "text": "still read"}',
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = docs(p)
    assert len(got) == len(lines) - 1  # one per non-blank line
    by_id = {d.doc_id: d for d in got}
    bad = by_id[f"{p}:2"]
    assert bad.status == "error" and bad.text is None
    assert bad.error.startswith("malformed JSON at line 3: ")
    assert by_id["n"].error == "text is null"
    assert by_id["i"].error == "text is int, expected string"
    assert by_id["l"].error == "text is array, expected string"
    assert by_id[f"{p}:6"].error == "not a JSON object at line 7: got array"
    assert by_id["nobody"].error == "no field 'text' (the record has 2 other fields)"  # key names can be data
    assert by_id["nul"].text == "a\x00b"  # NULs are kept
    assert by_id["sur"].text == "a\ufffdb"  # lone surrogate cannot be stored as UTF-8
    assert by_id["5"].text == "int id"
    assert by_id[f"{p}:11"].text == "empty id"
    assert by_id["tab"].text == "raw\ttab"
    assert by_id["last"].status == "ok"


def test_unreadable_file_gives_one_error_row_and_the_scan_goes_on(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": "ok"}])
    locked = write_jsonl(tmp_path / "locked.jsonl", [{"text": "secret"}])
    os.chmod(locked, 0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user that can read mode-000 files (root)")
        got = docs(locked, good)
    finally:
        os.chmod(locked, 0o600)
    assert [(d.doc_id, d.status) for d in got] == [(str(locked), "error"), (f"{good}:0", "ok")]
    assert "Permission denied" in got[0].error


def test_permission_denied_as_root_too(tmp_path, monkeypatch):
    """The chmod test above is skipped as root; simulate the same PermissionError on open."""
    import builtins

    import scanner.formats as readers

    d = tmp_path / "folder"
    d.mkdir()
    (d / "a.txt").write_text("a")
    (d / "b.txt").write_text("b")
    locked = write_jsonl(tmp_path / "locked.jsonl", [{"text": "x"}])
    denied = {str(d / "a.txt"), str(locked)}

    def fake_open(file, *args, **kwargs):
        if str(file) in denied:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(readers, "open", fake_open, raising=False)
    got = docs(locked, d)
    assert [(x.doc_id, x.status) for x in got] == [(str(locked), "error"), ("a.txt", "error"), ("b.txt", "ok")]
    assert got[0].error == "cannot read file at open: Permission denied"
    assert got[1].error == "cannot read file at open: Permission denied"


def test_vanished_or_dangling_files_give_error_rows(tmp_path):
    """Same path as a permission error (any OSError on open), but testable as root."""
    dangling = tmp_path / "gone.jsonl"
    dangling.symlink_to(tmp_path / "does-not-exist.jsonl")
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": "ok"}])
    got = docs(dangling, good)
    assert [(d.doc_id, d.status) for d in got] == [(str(dangling), "error"), (f"{good}:0", "ok")]
    assert got[0].error.startswith("cannot read file")
    d = tmp_path / "folder"
    d.mkdir()
    (d / "a.txt").symlink_to(tmp_path / "missing.txt")
    (d / "b.txt").write_text("b")
    (d / "loop").symlink_to(d)
    got = docs(d)
    assert [(x.doc_id, x.status) for x in got] == [("a.txt", "error"), ("b.txt", "ok"), ("loop", "skipped")]


def test_truncated_gzip_and_corrupt_parquet_give_error_rows(tmp_path):
    gz = tmp_path / "in.jsonl.gz"
    with gzip.open(gz, "wt") as f:
        f.writelines(json.dumps({"text": f"doc {i} " + "pad" * 50}) + "\n" for i in range(2000))
    gz.write_bytes(gz.read_bytes()[:4000])
    got = docs(gz)
    assert got[-1].status == "error" and got[-1].doc_id == f"{gz}:read-error"
    assert all(d.status == "ok" for d in got[:-1])
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet PAR1")
    got = docs(bad)
    assert [(d.doc_id, d.status) for d in got] == [(str(bad), "error")]


def test_duplicate_guard(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "1"}, {"id": "y", "text": "2"}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "3"}, {"id": "x", "text": "4"}])
    guard = DuplicateGuard()
    got = list(guard(read_documents([a, b])))
    # repeats are scanned under a new, unique id; the note keeps the original
    assert [(d.doc_id, d.status, d.text) for d in got] == [
        ("x", "ok", "1"), ("y", "ok", "2"), (f"x@{b}", "ok", "3"), (f"x@{b}#2", "ok", "4")]
    assert got[2].note == f'duplicate id "x" (first seen in {a}): renamed'
    assert got[2].source == str(b)
    assert len(guard) == 4
    # without the guard, readers yield ids as they are
    assert [d.doc_id for d in docs(a, b)] == ["x", "y", "x", "x"]


# ------------------------------------------------------------------------------------------ streaming


def test_read_documents_streams_with_bounded_memory(tmp_path):
    p = tmp_path / "big.jsonl"
    with open(p, "w", encoding="utf-8") as f:
        for i in range(200_000):
            f.write(f'{{"id": "d{i}", "text": "document number {i} with some words in it"}}\n')
    size = p.stat().st_size
    it = read_documents([p])
    tracemalloc.start()  # traced for the first 20k documents only: tracing every allocation is slow
    try:
        n = 0
        for _ in it:
            n += 1
            if n == 20_000:
                break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 20, (peak, size)  # the file is ~12 MB; reading it whole would show here
    n += sum(1 for _ in it)
    assert n == 200_000


def test_first_document_arrives_before_the_input_ends(tmp_path):
    """A FIFO input: the writer holds back the rest until the first document has been read."""
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    first_seen = threading.Event()
    errors: list[BaseException] = []

    def feed() -> None:
        try:
            with open(fifo, "w") as f:
                f.write('{"id": "first", "text": "a"}\n')
                f.flush()
                if not first_seen.wait(10):
                    raise TimeoutError("reader did not yield before the input ended")
                f.write('{"id": "second", "text": "b"}\n')
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    it = read_documents([fifo])
    first = next(it)
    first_seen.set()
    rest = list(it)
    t.join(10)
    assert not errors
    assert [first.doc_id] + [d.doc_id for d in rest] == ["first", "second"]


def test_iter_shards_sizes():
    documents = (Document(str(i), "s", "t") for i in range(10))
    shards = list(iter_shards(documents, 4))
    assert [(sid, [d.doc_id for d in ds]) for sid, ds in shards] == [
        (0, ["0", "1", "2", "3"]),
        (1, ["4", "5", "6", "7"]),
        (2, ["8", "9"]),
    ]
    assert list(iter_shards(iter([]), 4)) == []
    with pytest.raises(ValueError):
        list(iter_shards(iter([]), 0))


def test_describe_inputs(tmp_path):
    j = write_jsonl(tmp_path / "a.jsonl", [{"text": "x"}])
    d = tmp_path / "txt"
    d.mkdir()
    (d / "1.txt").write_text("abc")
    (d / "2.txt").write_text("de")
    assert describe_inputs([j, d]) == [
        {"path": str(j), "format": "jsonl", "size_bytes": j.stat().st_size, "files": 1},
        {"path": str(d), "format": "text", "size_bytes": 5, "files": 2},
    ]


def test_decode_text_file():
    assert decode_text_file(b"plain") == ("plain", None)
    assert decode_text_file(b"a\x00b") == (None, "binary file (NUL byte in the first 8 KB)")
    assert decode_text_file(b"x" * 9000 + b"\x00") == ("x" * 9000 + "\x00", None)  # NUL past the sniff


# ------------------------------------------------------------------------------------------ properties

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
_json_lines = st.dictionaries(st.sampled_from(["id", "text", "other"]), _json_values, max_size=3).map(
    lambda d: json.dumps(d).encode()
)
_nasty = st.sampled_from(
    [
        b"9" * 5000,  # over Python's int-string limit
        b'{"text": 1' + b"0" * 5000 + b"}",
        b"[" * 100_000,  # deep nesting
        b'{"text": "\\ud800"}',
        b'{"id": {"a": [1]}, "text": "nested id"}',
        b'{"text": "a\x00b"}',
        b"\xff\xfe{}",
        b'{"text": "\xe9t\xe9"}',
        b"\xef\xbb\xbf",
        b"\r",
        b"1e400",
        b"null",
    ]
)
_lines = st.lists(
    st.one_of(_json_lines, _nasty, st.binary(max_size=60)).map(lambda b: b.replace(b"\n", b" ")), max_size=12
)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines)
@example([b"\x00", b"{}"])  # a NUL every other byte of five: once taken for UTF-16, a line was lost
@example([b"\x00", b'{"text": "x"}'])
def test_any_jsonl_bytes_give_one_document_per_non_blank_line(lines):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "fuzz.jsonl"
        p.write_bytes(b"".join(line + b"\n" for line in lines))
        try:
            got = list(read_documents([p]))
        except InputError as exc:  # only when objects are there and none of them has a text field
            assert "no field 'text'" in str(exc) and "\n" not in str(exc)
            return
    def blank(i: int, line: bytes) -> bool:
        if i == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        return not line.strip()

    assert len(got) == sum(not blank(i, line) for i, line in enumerate(lines))
    for d in got:
        assert d.status in ("ok", "error")
        assert (d.text is None) == (d.status == "error")
        assert (d.error is None) == (d.status == "ok")
        assert d.doc_id
        d.doc_id.encode("utf-8")  # everything must be storable as UTF-8 (Parquet)
        if d.text is not None:
            d.text.encode("utf-8")
        if d.error is not None:
            assert "\n" not in d.error


def test_fifo_inside_a_record_folder_is_skipped_not_waited_on(tmp_path):
    import threading

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": "1", "text": "hello"}\n')
    os.mkfifo(folder / "b.jsonl")  # nobody will ever write to it
    result: list = []
    t = threading.Thread(target=lambda: result.extend(read_documents([folder])), daemon=True)
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "reader blocked on a FIFO found in a folder"
    by_status = {d.status: d for d in result}
    assert [d.doc_id for d in result if d.status == "ok"] == ["1"]
    assert by_status["skipped"].error == "not a regular file"


def test_a_named_pipe_is_closed_once_read(tmp_path) -> None:
    """An in-process scan (the API, a test runner) must not leave the pipe it read open."""
    import threading

    from scanner.readers import plan_inputs

    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w") as f:
            f.write('{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')

    threading.Thread(target=write, daemon=True).start()
    plan = plan_inputs([str(fifo)])
    assert [d.doc_id for d in plan.documents()] == ["a", "b"]
    open_paths = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                  if os.path.exists(f"/proc/self/fd/{fd}")}
    assert str(fifo) not in open_paths
