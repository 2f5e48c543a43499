"""Writers: schemas, atomic commits, resume bookkeeping, permissions, and that real readers read the output."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import scanner.writers as writers
from scanner.reasons import Reason
from scanner.records import DocResult, Span
from scanner.writers import (
    DOCUMENTS_SCHEMA,
    SPANS_SCHEMA,
    SPANS_SCHEMA_WITH_TEXT,
    atomic_write_bytes,
    completed_shards,
    prepare_output,
    read_manifest,
    write_manifest,
    write_shard,
)

TEXTS = ["Mail bob@example.com now", None, "Call 555-0100"]


def results() -> list[DocResult]:
    return [
        DocResult(
            "d1",
            "in.jsonl",
            "ok",
            None,
            24,
            6,
            spans=[Span(5, 20, "EMAIL", 0.99, "email"), Span(5, 8, "PERSON", 0.5, "model")],
            entity_counts={"PERSON": 1, "EMAIL": 1},
            tier=2,
            tier_name="high",
            categories=["contact"],
            reasons=[Reason("pii", label="EMAIL", count=1)],
        ),
        DocResult("d2", "in.jsonl", "error", "text is null", 0, 0),
        DocResult("d3", "in.jsonl", "ok", None, 13, 4, spans=[Span(5, 13, "PHONE", 0.75, "phone")], entity_counts={"PHONE": 1}),
    ]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def out(tmp_path) -> Path:
    o = tmp_path / "out"
    prepare_output(o, fresh=True)
    return o


def test_schemas_and_rows(out):
    write_shard(out, 0, results())
    assert pq.read_schema(out / "documents" / "part-00000.parquet").equals(DOCUMENTS_SCHEMA)
    assert pq.read_schema(out / "spans" / "part-00000.parquet").equals(SPANS_SCHEMA)
    docs = pq.read_table(out / "documents" / "part-00000.parquet").to_pylist()
    assert [d["doc_id"] for d in docs] == ["d1", "d2", "d3"]  # one row per result, errors included
    assert docs[0]["entity_counts"] == [("EMAIL", 1), ("PERSON", 1)]  # keys sorted
    assert (docs[0]["tier"], docs[0]["tier_name"], docs[0]["categories"]) == (2, "high", ["contact"])
    assert docs[0]["reasons"] == [{"category": "pii", "label": "EMAIL", "marker": None, "count": 1,
                                   "context": [], "context_markers": []}]  # a struct per cause
    assert (docs[1]["status"], docs[1]["error"], docs[1]["tier"], docs[1]["entity_counts"]) == ("error", "text is null", None, [])
    spans = pq.read_table(out / "spans" / "part-00000.parquet").to_pylist()
    assert [(s["doc_id"], s["start"], s["end"], s["label"], s["detector"]) for s in spans] == [
        ("d1", 5, 20, "EMAIL", "email"),
        ("d1", 5, 8, "PERSON", "model"),
        ("d3", 5, 13, "PHONE", "phone"),
    ]
    assert spans[0]["score"] == pytest.approx(0.99)
    assert "text" not in spans[0]  # off by default: the span text is the PII itself
    meta = pq.ParquetFile(out / "spans" / "part-00000.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_include_text(out):
    write_shard(out, 0, results(), include_text=True, texts=TEXTS)
    t = pq.read_table(out / "spans" / "part-00000.parquet")
    assert t.schema.equals(SPANS_SCHEMA_WITH_TEXT)
    assert t.column("text").to_pylist() == ["bob@example.com", "bob", "555-0100"]
    with pytest.raises(ValueError):
        write_shard(out, 1, results(), include_text=True, texts=None)


def test_empty_shard_has_full_schema(out):
    no_spans = [DocResult("d", "s", "ok", None, 0, 0)]
    write_shard(out, 0, no_spans)
    write_shard(out, 1, [])
    for shard in ("part-00000.parquet", "part-00001.parquet"):
        t = pq.read_table(out / "spans" / shard)
        assert t.num_rows == 0 and t.schema.equals(SPANS_SCHEMA)
    assert pq.read_table(out / "documents" / "part-00001.parquet").schema.equals(DOCUMENTS_SCHEMA)


def test_pandas_and_duckdb_read_the_folders(out):
    write_shard(out, 0, results()[:2])
    write_shard(out, 1, results()[2:])
    write_shard(out, 2, [])
    df = pd.read_parquet(out / "documents")
    assert sorted(df["doc_id"]) == ["d1", "d2", "d3"]
    assert dict(df.set_index("doc_id").loc["d1", "entity_counts"]) == {"EMAIL": 1, "PERSON": 1}
    assert len(pd.read_parquet(out / "spans")) == 3
    con = duckdb.connect()
    rows = con.sql(
        f"select doc_id, entity_counts['EMAIL'] as n, tier, categories from '{out}/documents/*.parquet' order by doc_id"
    ).fetchall()
    assert rows == [("d1", 1, 2, ["contact"]), ("d2", None, None, []), ("d3", None, None, [])]
    n = con.sql(f"select count(*) from '{out}/spans/*.parquet' where label = 'PHONE'").fetchall()
    assert n == [(1,)]
    con.close()


def test_no_temp_files_and_permissions(tmp_path):
    old = os.umask(0o022)  # a typical umask would make files 0644 and folders 0755
    try:
        out = tmp_path / "new" / "out"
        prepare_output(out, fresh=False)
        write_shard(out, 0, results())
        write_manifest(out, {"run": 1})
    finally:
        os.umask(old)
    assert mode(out) == 0o700
    for sub in ("documents", "spans"):
        assert mode(out / sub) == 0o700
        assert mode(out / sub / "part-00000.parquet") == 0o600
    assert mode(out / "manifest.json") == 0o600
    assert all_files(out) == [
        "documents",
        "documents/part-00000.parquet",
        "manifest.json",
        "spans",
        "spans/part-00000.parquet",
    ]


def test_existing_output_folder_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    prepare_output(shared, fresh=True)
    assert mode(shared) == 0o755  # the user's folder; ours inside it are private
    assert mode(shared / "documents") == 0o700


def test_crash_mid_write_leaves_nothing(out, monkeypatch):
    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(writers.pq, "write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        write_shard(out, 0, results())
    assert all_files(out) == ["documents", "spans"]
    assert completed_shards(out) == set()


def test_bad_value_fails_before_any_file(out):
    bad = [DocResult(None, "s", "ok", None, 0, 0)]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="doc_id"):
        write_shard(out, 0, bad)
    assert all_files(out) == ["documents", "spans"]


def test_killed_run_is_cleaned_and_resumed_without_duplicates(out):
    write_shard(out, 0, results())
    write_shard(out, 1, results())
    # a run killed while writing shard 2: spans committed, documents not, plus temp files
    write_shard(out, 2, results())
    (out / "documents" / "part-00002.parquet").unlink()
    stale = [
        out / "documents" / ".part-00003.parquet.tmp-12345",
        out / "spans" / ".part-00003.parquet.tmp-12345",
        out / ".manifest.json.tmp-12345",
    ]
    for p in stale:
        p.write_bytes(b"half")
    assert completed_shards(out) == {0, 1}

    prepare_output(out, fresh=False)
    assert not any(p.exists() for p in stale)
    assert not (out / "spans" / "part-00002.parquet").exists()  # orphan spans of an uncommitted shard
    assert completed_shards(out) == {0, 1}
    # the resumed run writes shard 2 again: exactly one copy of its spans
    write_shard(out, 2, results())
    assert completed_shards(out) == {0, 1, 2}
    assert len(pd.read_parquet(out / "spans")) == 3 * 3
    assert len(pd.read_parquet(out / "documents")) == 3 * 3
    # rewriting a committed shard replaces it too
    write_shard(out, 1, results())
    assert len(pd.read_parquet(out / "spans")) == 3 * 3


def test_fresh_removes_previous_results_only(out):
    write_shard(out, 0, results())
    write_manifest(out, {"old": True})
    (out / "notes.txt").write_text("user file")
    prepare_output(out, fresh=True)
    assert completed_shards(out) == set()
    assert read_manifest(out) is None
    assert (out / "notes.txt").read_text() == "user file"
    assert all_files(out) == ["documents", "notes.txt", "spans"]


def test_output_path_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(NotADirectoryError):
        prepare_output(f, fresh=True)


def test_manifest_round_trip(out):
    manifest = {"inputs": [{"path": Path("a.jsonl"), "size_bytes": 3}], "name": "dé"}
    write_manifest(out, manifest)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert text.startswith("{\n  ") and text.endswith("}\n") and "dé" in text
    assert read_manifest(out) == json.loads(text) == {"inputs": [{"path": "a.jsonl", "size_bytes": 3}], "name": "dé"}
    write_manifest(out, {"v": 2})
    assert read_manifest(out) == {"v": 2}


def test_atomic_write_bytes_replaces(tmp_path):
    p = tmp_path / "f.bin"
    atomic_write_bytes(b"one", p)
    atomic_write_bytes(b"two", p)
    assert p.read_bytes() == b"two" and mode(p) == 0o600
    assert os.listdir(tmp_path) == ["f.bin"]


def test_reasons_aggregate_in_duckdb(out):
    write_shard(out, 0, results())
    got = duckdb.sql(f"select r.category, r.label, sum(r.count) from (select unnest(reasons) as r "
                     f"from '{out}/documents/*.parquet') group by all").fetchall()
    assert got == [("pii", "EMAIL", 1)]
