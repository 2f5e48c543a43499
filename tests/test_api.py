"""The public Python API on the real model: texts, tables, datasets, redact, explain, and the README's examples."""

from __future__ import annotations

import doctest
import json
import pickle
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import scanner as pkg
from scanner import DocResult, Scanner, ScanTables, Span, explain, redact
from scanner.cli import main
from scanner.writers import DOCUMENTS_SCHEMA, SPANS_SCHEMA, SPANS_SCHEMA_WITH_TEXT

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PHONE, CARD = "margaret.hamilton@example.com", "+1 415 555 0142", "4111 1111 1111 1111"
ROWS = [
    {"id": "a", "text": f"Hi, reach Margaret Hamilton at {EMAIL} or {PHONE}."},
    {"id": "b", "text": f"Card {CARD} on file."},
    {"id": "c", "text": "Nothing to see here."},
    {"id": "d", "text": "PRIVILEGED & CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION. Our litigation strategy."},
]


@pytest.fixture(scope="module")
def api() -> Scanner:
    """The public Scanner with the reference backend (torch fp32: results independent of batching)."""
    return Scanner(backend="torch", device="cpu")


def _found(text: str, result: DocResult) -> dict[str, str]:
    return {text[s.start:s.end]: s.label for s in result.spans}


def test_scan_returns_one_result_per_text_in_input_order(api):
    texts = [r["text"] for r in ROWS]
    results = api.scan(texts)
    assert [r.doc_id for r in results] == ["0", "1", "2", "3"]
    assert all(r.status == "ok" for r in results)
    found = _found(texts[0], results[0])
    assert found[EMAIL] == "EMAIL" and found[PHONE] == "PHONE" and found["Margaret Hamilton"] == "PERSON"
    assert _found(texts[1], results[1]) == {CARD: "CREDIT_CARD"}
    assert results[2].spans == [] and (results[2].tier, results[2].tier_name) == (1, "any_llm_api")
    assert results[3].tier == 4 and results[3].reasons
    assert results[0].tier == 3 and "pii" in results[0].categories
    for r in results:
        for s in r.spans:
            assert isinstance(s, Span) and 0 <= s.start < s.end and 0 < s.score <= 1 and s.detector


def test_id_text_pairs_keep_their_ids_and_order(api):
    pairs = [(r["id"], r["text"]) for r in reversed(ROWS)]
    results = api.scan(pairs)
    assert [r.doc_id for r in results] == ["d", "c", "b", "a"]
    assert _found(ROWS[1]["text"], results[2]) == {CARD: "CREDIT_CARD"}


def test_a_non_string_text_is_an_error_row_and_the_rest_is_scanned(api):
    results = api.scan(["mail " + EMAIL, None, ("x", 42)])
    assert [r.status for r in results] == ["ok", "error", "error"]
    assert results[1].error == "text is null" and "int" in results[2].error
    assert results[0].spans[0].label == "EMAIL"


def test_scan_refuses_a_bare_string(api):
    with pytest.raises(TypeError, match="scan_text"):
        api.scan("one text")
    assert api.scan_text("mail " + EMAIL).spans[0].label == "EMAIL"


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError):
        Scanner(no_such_option=True)


def test_scan_table_equals_the_cli_parquet_output(api, tmp_path):
    """Same documents and spans, same schemas, as ``pii-scanner scan`` writes for the same rows."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "o"), "--backend", "torch",
                                    "--device", "cpu", "-q"])
    assert res.exit_code == 0, res.output
    cli_docs = pq.read_table(tmp_path / "o" / "documents")
    cli_spans = pq.read_table(tmp_path / "o" / "spans")

    got = api.scan_table(pa.Table.from_pylist(ROWS), text_column="text", id_column="id")
    assert isinstance(got, ScanTables)
    assert got.documents.schema.equals(DOCUMENTS_SCHEMA) and got.spans.schema.equals(SPANS_SCHEMA)
    assert cli_docs.schema.equals(DOCUMENTS_SCHEMA) and cli_spans.schema.equals(SPANS_SCHEMA)
    assert got.documents.drop_columns(["source"]).to_pylist() == cli_docs.drop_columns(["source"]).to_pylist()
    assert got.spans.to_pylist() == cli_spans.to_pylist()


def test_pandas_and_datasets_give_the_arrow_result(api):
    import datasets
    import pandas as pd

    table = pa.Table.from_pylist(ROWS)
    want = api.scan_table(table, "text", "id", batch_size=3)  # batches of 3: ids and order must hold
    for data in (pd.DataFrame(ROWS), datasets.Dataset.from_list(ROWS)):
        got = api.scan_table(data, "text", "id", batch_size=3)
        assert got.documents.equals(want.documents) and got.spans.equals(want.spans), type(data)
    shuffled = datasets.Dataset.from_list(ROWS).select([3, 0])  # an indices mapping, not a copy
    got = api.scan_table(shuffled, "text", "id")
    assert got.documents["doc_id"].to_pylist() == ["d", "a"]


def test_scan_table_without_an_id_column_numbers_rows_and_text_is_opt_in(api):
    table = pa.table({"body": [ROWS[2]["text"], ROWS[1]["text"]]})
    plain = api.scan_table(table, "body")
    assert plain.documents["doc_id"].to_pylist() == ["0", "1"]
    assert "text" not in plain.spans.column_names
    with_text = api.scan_table(table, "body", include_text=True)
    assert with_text.spans.schema.equals(SPANS_SCHEMA_WITH_TEXT)
    assert with_text.spans.to_pylist()[0] | {"score": 0} == {"doc_id": "1", "start": 5, "end": 24,
                                                             "label": "CREDIT_CARD", "score": 0,
                                                             "detector": "card", "propagated": False,
                                                             "text": CARD}


def test_scan_table_names_a_missing_column(api):
    with pytest.raises(KeyError, match="'body'.*columns: id, text"):
        api.scan_table(pa.Table.from_pylist(ROWS), "body")
    with pytest.raises(TypeError, match="pyarrow.Table"):
        api.scan_table([{"text": "x"}], "text")


def test_dataset_map_recipe_adds_the_results_and_fingerprints(api):
    import datasets
    from datasets.fingerprint import Hasher

    fn = api.map_function("text")
    ds = datasets.Dataset.from_list(ROWS).map(fn, batched=True, batch_size=2)
    want = api.scan([r["text"] for r in ROWS])
    assert ds["pii_tier"] == [r.tier for r in want]
    assert ds["pii_tier_name"] == [r.tier_name for r in want]
    assert ds["pii_reasons"] == [r.reason_text() for r in want]
    assert [[(s["start"], s["end"], s["label"]) for s in row] for row in ds["pii_spans"]] == \
        [[(s.start, s.end, s.label) for s in r.spans] for r in want]
    # It pickles as its options (no model inside), and the same options give the same fingerprint,
    # so datasets can cache the map and num_proc workers rebuild the scanner themselves.
    assert len(pickle.dumps(fn)) < 2_000
    assert Hasher.hash(fn) == Hasher.hash(api.map_function("text"))
    assert Hasher.hash(fn) != Hasher.hash(api.map_function("body"))
    rebuilt = pickle.loads(pickle.dumps(fn))
    assert rebuilt({"text": [ROWS[1]["text"]]})["pii_tier"] == [want[1].tier]


def test_redact_styles_on_real_spans(api):
    text = ROWS[0]["text"]
    spans = api.scan_text(text).spans
    typed = redact(text, spans, "type")
    assert EMAIL not in typed and PHONE not in typed and "[EMAIL]" in typed and "[PHONE]" in typed
    masked = redact(text, spans, "mask")
    assert len(masked) == len(text) and EMAIL not in masked
    key = "api-test-key-0123456789abcdef"
    p1, p2 = redact(text, spans, "pseudonym", key=key), redact(text, spans, "pseudonym", key=key)
    assert p1 == p2 and EMAIL not in p1 and "EMAIL_" in p1
    assert redact(text, spans, "pseudonym", key=key + "x") != p1
    with pytest.raises(ValueError, match="at least 16"):
        redact(text, spans, "pseudonym", key="short")


def test_explain_returns_the_report(api):
    text = ROWS[3]["text"]
    report = explain(text, scanner=api, doc_id="memo")
    assert "memo" in report and "Tier 4 (prohibited)" in report and "Reasons:" in report
    result = api.scan_text(ROWS[0]["text"])
    report = explain(ROWS[0]["text"], result.spans, width=120)
    assert "[EMAIL]" in report and "Tier 3 (on_premise_only)" in report and "\x1b[" not in report
    assert "\x1b[" in explain(ROWS[0]["text"], result.spans, color=True)


def test_public_names_and_py_typed():
    assert set(pkg.__all__) >= {"Scanner", "ScanTables", "DocResult", "Span", "redact", "explain"}
    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
    assert (Path(pkg.__file__).parent / "py.typed").exists()
    # The functions keep their names after the internals load (a submodule named ``redact`` or
    # ``explain`` would replace them on the package as soon as it is imported).
    import scanner.api
    import scanner.explanation  # noqa: F401
    import scanner.redaction  # noqa: F401

    assert pkg.redact is scanner.api.redact and pkg.explain is scanner.api.explain
    with pytest.raises(AttributeError):
        pkg.scan_shard  # noqa: B018 - internals are not part of the package namespace


def test_api_docstring_examples():
    import scanner.api

    result = doctest.testmod(scanner.api, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.slow
def test_readme_python_examples():
    """Every ``>>>`` example in the README's Python API section runs and prints what it says."""
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 15 and result.failed == 0
