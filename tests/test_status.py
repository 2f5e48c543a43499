"""Document status values: the ``Status`` enum's values are exactly the strings the documents table stores."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from scanner.records import Status
from scanner.runner import RunOptions, run_scan


def test_status_members_are_the_stored_strings(scanner, tmp_path):
    """A real scan of a folder whose files give every status: an ok text, a binary file (skipped) and
    an archive (an error: it may hold text, but none can be extracted)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Write to jane.doe@example.com about the invoice.")
    (folder / "b.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "c.zip").write_bytes(b"PK\x03\x04" + bytes(64))
    out = tmp_path / "out"
    summary, manifest = run_scan(RunOptions(inputs=[str(folder)], out_dir=str(out), fmt="text"), scanner)
    table = pq.read_table(out / "documents", columns=["doc_id", "status"])
    assert table.schema.field("status").type == pa.string()
    stored = dict(zip(table["doc_id"].to_pylist(), table["status"].to_pylist()))
    by_file = {doc_id.rsplit("/", 1)[-1]: status for doc_id, status in stored.items()}
    assert by_file == {"a.txt": Status.OK, "b.bin": Status.SKIPPED, "c.zip": Status.ERROR}
    assert sorted(by_file.values()) == sorted(s.value for s in Status)  # every member, as a plain string
    assert all(type(v) is str and Status(v).value == v for v in by_file.values())
    # The manifest counts them under the same names.
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert (counts["ok"], counts["error"], counts["skipped"]) == (1, 1, 1)
    assert (summary.ok, summary.errors, summary.skipped) == (1, 1, 1)


def test_a_member_is_its_string():
    assert [str(s) for s in Status] == ["ok", "error", "skipped"]
    assert f"{Status.SKIPPED}" == "skipped" and Status.OK == "ok" and json.dumps(Status.ERROR) == '"error"'
    assert pa.array([Status.OK, Status.ERROR]).to_pylist() == ["ok", "error"]
