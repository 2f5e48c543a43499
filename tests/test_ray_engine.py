"""The Ray engine on a real local Ray cluster (2 CPUs), with the real model and real Parquet.

The contract: ``scan --engine ray`` writes exactly what the local engine writes (torch fp32 for the
comparison), resumes the same way, keeps per-document errors as rows, and writes each document
exactly once even when an actor is killed in the middle of a batch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from scanner.cli import main  # noqa: E402
from scanner.records import Document  # noqa: E402

pytestmark = pytest.mark.ray
REPO = Path(__file__).resolve().parent.parent
FP32 = ["--backend", "torch", "--precision", "fp32"]
NAMES = ["Ana Kowalska", "Bo Lindqvist", "Chen Wei", "Dara O'Neill", "Emil Varga", "Fatima Haddad"]


@pytest.fixture(scope="session")
def ray_cluster():
    """One local cluster for the session: 2 CPUs, no dashboard, no usage stats, no auth token;
    workers import this checkout (not whatever pii-scanner the environment has installed)."""
    for k, v in {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}.items():
        os.environ.setdefault(k, v)
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path, "OMP_WAIT_POLICY": "PASSIVE"}})
    yield
    ray.shutdown()


def _text(i: int) -> str:
    name = NAMES[i % len(NAMES)]
    return [f"Ticket {i}: {name} wrote from {name.split()[0].lower()}.{i}@example.org about invoice {1000 + i}.",
            f"Ticket {i}: printer on floor {i % 9} is jammed again.",
            f"Ticket {i}: call {name} on +44 20 7946 {i % 10000:04d}; card 4111 1111 1111 1111.",
            ][i % 3]


def _corpus(path: Path, n: int) -> Path:
    """Support tickets; one row without text and one malformed line: per-document error rows."""
    lines = [json.dumps({"id": f"t{i:04d}", "text": _text(i)}) for i in range(n)]
    lines[7] = json.dumps({"id": "t0007", "text": None})
    lines[11] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _table(out: Path, sub: str) -> list[dict]:
    rows = pq.read_table(out / sub).to_pylist()
    key = (lambda r: (r["doc_id"], r["start"], r["end"], r["label"])) if sub == "spans" else (
        lambda r: r["doc_id"])
    return sorted(rows, key=key)


def _scan(corpus: Path, out: Path, *extra: str) -> dict:
    res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "--shard-size", "15",
                                    "--redact", "mask", "-q", *FP32, *extra])
    assert res.exit_code == 3, res.output  # 3: the two error rows, every other document scanned
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray")
    corpus = _corpus(root / "corpus.jsonl", 150)
    return corpus, root / "local", _scan(corpus, root / "local")


def test_ray_engine_writes_what_the_local_engine_writes(ray_cluster, local_run, tmp_path):
    corpus, local, ref = local_run
    manifest = _scan(corpus, tmp_path / "ray", "--engine", "ray", "--workers", "2")
    for sub in ("documents", "spans", "redacted"):
        assert _table(tmp_path / "ray", sub) == _table(local, sub), sub
    assert sorted(p.name for p in (tmp_path / "ray" / "documents").iterdir()) == \
        sorted(p.name for p in (local / "documents").iterdir())
    assert manifest["counts"] == ref["counts"] and manifest["shards"] == ref["shards"]
    assert manifest["counts"]["documents"] == 150 and manifest["counts"]["error"] == 2
    assert (manifest["backend"]["engine"], manifest["backend"]["workers"]) == ("ray", 2)
    assert ref["backend"]["engine"] == "local"
    assert manifest["timings"]["tokens"] == ref["timings"]["tokens"] > 0


def test_ray_engine_resumes_what_the_local_engine_wrote(ray_cluster, local_run, tmp_path):
    """The engine is not a setting: a folder the local engine started, the ray engine finishes."""
    corpus, local, _ = local_run
    out = tmp_path / "resumed"
    _scan(corpus, out)
    for shard in (2, 9):  # as if the run had been killed before these shards committed
        (out / "documents" / f"part-{shard:05d}.parquet").unlink()
    counts = _scan(corpus, out, "--engine", "ray")["counts"]
    assert (counts["shards_written"], counts["shards_resumed"]) == (2, 8)
    for sub in ("documents", "spans", "redacted"):
        assert _table(out, sub) == _table(local, sub), sub


def _rows(n: int) -> list[dict]:
    rows = [{"id": f"d{i:03d}", "text": _text(i)} for i in range(n)]
    rows[5]["text"] = None  # not a string: an error row, never a failed job
    return rows


def test_scan_dataset_writes_the_rows_scan_table_returns(ray_cluster, scanner, tmp_path):
    from scanner import Scanner, scan_dataset

    rows = _rows(40)
    manifest = scan_dataset(ray.data.from_items(rows), tmp_path / "out", text_column="text",
                            id_column="id", shard_size=16, backend="torch", precision="fp32")
    ref = Scanner(backend="torch", precision="fp32").scan_table(pa.Table.from_pylist(rows),
                                                                text_column="text", id_column="id")
    assert _table(tmp_path / "out", "documents") == sorted(ref.documents.to_pylist(), key=lambda r: r["doc_id"])
    assert _table(tmp_path / "out", "spans") == sorted(
        ref.spans.to_pylist(), key=lambda r: (r["doc_id"], r["start"], r["end"], r["label"]))
    assert manifest["status"] == "complete" and manifest["counts"]["documents"] == 40
    assert manifest["counts"]["error"] == 1 and manifest["counts"]["parts"] == 3
    # Without an id column, doc_id is the row number in dataset order.
    scan_dataset(ray.data.from_items([{"body": r["text"]} for r in rows]), tmp_path / "noid",
                 text_column="body", shard_size=16, backend="torch", precision="fp32")
    got = pq.read_table(tmp_path / "noid" / "documents")
    assert got.column("doc_id").to_pylist() == [str(i) for i in range(40)]
    assert got.column("tier").to_pylist() == ref.documents.column("tier").to_pylist()


def test_a_killed_actor_is_retried_and_each_document_is_written_once(ray_cluster, tmp_path):
    """An actor process is SIGKILLed inside the batch holding document d012, on its first attempt
    only (a file flag); Ray restarts it and retries the batch. The flag records that the kill
    happened inside an actor (the map fuses into the scanning actor pool)."""
    from scanner import scan_dataset

    flag = tmp_path / "killed.json"

    def kill_once(batch):
        import signal

        if "d012" in batch.column("id").to_pylist() and not flag.exists():
            ctx = ray.get_runtime_context()
            flag.write_text(json.dumps({"pid": os.getpid(), "actor": ctx.get_actor_id()}))
            os.kill(os.getpid(), signal.SIGKILL)
        return batch

    rows = _rows(40)
    ds = ray.data.from_items(rows).map_batches(kill_once, batch_size=None, batch_format="pyarrow",
                                                       num_cpus=0.5)
    manifest = scan_dataset(ds, tmp_path / "out", id_column="id", shard_size=10, backend="torch",
                            precision="fp32")
    killed = json.loads(flag.read_text())
    assert killed["actor"] is not None and killed["pid"] != os.getpid()
    docs = pq.read_table(tmp_path / "out" / "documents").column("doc_id").to_pylist()
    assert sorted(docs) == sorted(r["id"] for r in rows)  # every document, exactly once
    spans = pq.read_table(tmp_path / "out" / "spans").to_pylist()
    keys = [(s["doc_id"], s["start"], s["end"], s["label"]) for s in spans]
    assert len(keys) == len(set(keys)) and any(k[0] == "d012" for k in keys)
    assert manifest["counts"]["documents"] == 40


def test_a_document_that_breaks_the_shard_function_is_an_error_row(scanner, monkeypatch):
    """The ray engine's per-document guard: the backend fails on any batch holding the long
    document; that document becomes an error row and its shard-mates get their normal results."""
    from scanner.ray_engine import safe_scan

    docs = [Document("a", "s", _text(0)), Document("long", "s", "word " * 400), Document("c", "s", _text(2))]
    expected = scanner.scan_shard([docs[0], docs[2]])
    real = scanner.backend.predict

    def predict(ids, mask, types=None):
        if mask.sum(axis=1).max() > 100:
            raise RuntimeError("backend failure")
        return real(ids, mask, types)

    monkeypatch.setattr(scanner.backend, "predict", predict)
    with pytest.raises(RuntimeError):
        scanner.scan_shard(docs)
    got, timings = safe_scan(scanner, docs)
    assert [r.status for r in got] == ["ok", "error", "ok"]
    assert got[1].error == "internal error while scanning: RuntimeError" and got[1].doc_id == "long"
    assert [r.spans for r in (got[0], got[2])] == [r.spans for r in expected]
    # The documents scanned one by one bring their stage timings along.
    assert timings.tokens == sum(scanner.scan_shard_timed([d])[1].tokens for d in (docs[0], docs[2])) > 0


def test_scan_dataset_without_the_text_column_fails_before_any_work(ray_cluster, tmp_path):
    from scanner import scan_dataset

    with pytest.raises(KeyError, match="no column 'text'"):
        scan_dataset(ray.data.from_items([{"body": "x"}]), tmp_path / "out", use_model=False)
    assert not (tmp_path / "out").exists()
