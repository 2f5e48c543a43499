"""The benchmark suite runs end to end (smoke), and the peer label mappings do what they say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
sys.path.insert(0, str(ROOT / "benchmarks"))

import peers  # noqa: E402  (benchmarks/ is scripts, not a package)


def _model_present() -> bool:
    from scanner.model import ModelInfo

    try:
        ModelInfo.resolve(None)
        return True
    except FileNotFoundError:
        return False


def _cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def _bench(tmp_path: Path, *args: str, timeout: int = 300) -> dict:
    cmd = [sys.executable, str(RUN), "--out", str(tmp_path), *args]
    # PASSIVE as `make test` sets it: the benchmark must not hand it on to its runs (checked below).
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = list(tmp_path.glob("quick-*.json"))
    assert len(files) == 1, files
    assert files[0].with_suffix(".md").is_file()
    assert not (tmp_path / "LATEST.md").exists()  # smoke runs never replace the published table
    return json.loads(files[0].read_text())


def _corpus_tokens(docs: list[dict]) -> int:
    from scanner.model import ModelInfo
    from scanner.windows import rust_tokenizer, tokenize

    return sum(len(t) for t in tokenize(rust_tokenizer(ModelInfo.resolve(None).tokenizer()),
                                        [d["text"] for d in docs]))


def _check_rates(entry: dict, n_docs: int, tokens: int) -> None:
    """The published rates are the counted work over the timed seconds of the run."""
    (run,) = entry["runs"]
    s = entry["summary"]
    assert s["n_docs"] == run["n_docs"] == n_docs and s["tokens"] == tokens
    assert s["docs_per_s"]["median"] == pytest.approx(n_docs / run["seconds"])
    assert s["tokens_per_s"]["median"] == pytest.approx(tokens / run["seconds"])
    assert 0 < run["load_s"] and 0 < run["seconds"] < run["process_wall_s"]  # load, run, in one process


@pytest.mark.slow
@pytest.mark.skipif(not _model_present(), reason="no shipped model")
def test_quick_benchmark_runs_both_configs(tmp_path, scanner):
    from benchlib.corpus import build_corpus

    from scanner.evaluate import score
    from scanner.records import Document

    doc = _bench(tmp_path, "--quick", "--configs", "torch-cpu,pipeline-cpu", "--repeats", "1",
                 "--docs", "20", "--model-tokens", "2048")
    docs = build_corpus(20, 0, 0, doc["corpus"]["seed"])  # what --quick --docs 20 generated
    assert doc["corpus"]["docs"] == 20 and doc["corpus"]["tokens"] == _corpus_tokens(docs)
    assert doc["machine"]["cpu"]
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    listed = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    flags = doc["machine"]["cpu_flags"]  # the vector extensions, as the CPU lists them
    assert flags == [f for f in listed if f.startswith(("avx", "amx")) or f in ("fma", "f16c")]
    assert "OMP_WAIT_POLICY" not in doc["machine"]["env"]  # _bench set it; the runs must not see it
    for name in ("torch-cpu", "pipeline-cpu"):
        entry = doc["results"][name]
        assert [r["ok"] for r in entry["runs"]] == [True], entry
        _check_rates(entry, 20, doc["corpus"]["tokens"])
        assert entry["summary"]["peak_rss_mb"]["median"] > 50
        q = entry["quality"]
        assert q["n_docs"] == 20
        for key in ("micro_overlap", "micro_exact", "char", "restricted_presidio", "restricted_rampart"):
            assert key in q
        assert q["micro_overlap"]["f1"] > 0.8  # the shipped model on held-out documents (~0.93)
    # The scanner row's quality is the score of what the scanner finds on those documents, computed
    # here independently (same backend, same documents): the benchmark scored the right spans.
    found = [r.spans for r in scanner.scan_shard([Document(d["id"], "bench", d["text"]) for d in docs])]
    expected = score([d["text"] for d in docs], [d["spans"] for d in docs], found).as_dict()
    q = doc["results"]["torch-cpu"]["quality"]
    assert (q["micro_overlap"], q["micro_exact"], q["char"]) == (
        expected["micro_overlap"], expected["micro_exact"], expected["char"])
    (run,) = doc["results"]["torch-cpu"]["runs"]
    # Model-only: a sample of the corpus' windows up to the --model-tokens cap, then timed.
    assert 2048 <= run["model_only"]["tokens"] < 2048 + 128 and run["model_only"]["batches"] >= 1
    scan = doc["results"]["torch-cpu"]["summary"]
    assert scan["model_only_tokens_per_s"]["median"] == pytest.approx(
        run["model_only"]["tokens"] / run["model_only"]["seconds"])
    assert set(scan["stages"]) >= {"tokenize", "infer", "decode", "rules", "io_other"}
    assert sum(scan["stages"].values()) == pytest.approx(run["seconds"])  # io_other: the rest of the wall
    # Host-side rate: tokens over the non-inference time, so above the end-to-end rate.
    assert scan["host_tokens_per_s"]["median"] > scan["tokens_per_s"]["median"]
    md = next(tmp_path.glob("quick-*.md")).read_text()
    assert "host tok/s" in md
    assert not flags or f"flags {' '.join(flags)}" in md  # the machine line names them
    assert "torch-cpu / pipeline-cpu (docs/s)" in doc["ratios"]


@pytest.mark.slow
@pytest.mark.skipif(not _model_present(), reason="no shipped model")
def test_quick_benchmark_of_a_worker_config(tmp_path):
    """The worker config really runs two processes, times scanning apart from their start-up, and
    scores what the workers found."""
    doc = _bench(tmp_path, "--quick", "--configs", "onnx-int8-cpu-w2", "--repeats", "1",
                 "--docs", "40", "--model-tokens", "2048")
    (run,) = doc["results"]["onnx-int8-cpu-w2"]["runs"]
    assert run["ok"], run
    assert run["workers"] == 2 and run["worker_peak_rss_mb"] > 50
    assert run["peak_rss_mb"] > 2 * run["worker_peak_rss_mb"]  # parent + both workers
    assert 0 < run["start_workers_s"] < run["load_s"]  # worker start-up counts as load, not scanning
    q = doc["results"]["onnx-int8-cpu-w2"]["quality"]
    assert q["n_docs"] == 40 and q["micro_overlap"]["f1"] > 0.5


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="no CUDA GPU")
@pytest.mark.skipif(not _model_present(), reason="no shipped model")
def test_quick_gpu_benchmark(tmp_path):
    doc = _bench(tmp_path, "--quick", "--gpu", "--configs", "torch-fp16-cuda", "--docs", "50")
    entry = doc["results"]["torch-fp16-cuda"]
    _check_rates(entry, 50, doc["corpus"]["tokens"])
    assert entry["summary"]["gpu_mem_mb"]["median"] > 100  # a CUDA context and the fp16 weights
    assert entry["quality"]["micro_overlap"]["f1"] > 0.8
    assert doc["machine"]["gpu"]


# -- peer label mappings (no models needed) ---------------------------------------------------------

Sp = namedtuple("Sp", "start end type")


def test_rampart_parts_join_into_our_labels():
    text = "Ana Lima lives at 12 Elm St, Springfield, IL 62704. In Paris. ana@x.io 123-45-6789"
    spans = [Sp(0, 3, "GIVEN_NAME"), Sp(4, 8, "SURNAME"),
             Sp(18, 20, "BUILDING_NUMBER"), Sp(21, 27, "STREET_NAME"), Sp(29, 40, "CITY"),
             Sp(42, 44, "STATE"), Sp(45, 50, "ZIP_CODE"),
             Sp(55, 60, "CITY"),
             Sp(62, 70, "EMAIL"), Sp(71, 82, "SSN")]
    got = [(s["start"], s["end"], s["label"]) for s in peers.rampart_to_ours(text, spans)]
    assert got == [(0, 8, "PERSON"), (18, 50, "STREET_ADDRESS"), (55, 60, "LOCATION"),
                   (62, 70, "EMAIL"), (71, 82, "ID_NUMBER")]


def test_presidio_overlaps_resolved_by_score_then_length():
    found = [(0, 10, "EMAIL", 1.0), (5, 10, "URL", 0.5), (20, 39, "CREDIT_CARD", 1.0),
             (35, 39, "DATE", 0.85), (50, 55, "PERSON", 0.85)]
    got = [(s["start"], s["end"], s["label"]) for s in peers.resolve_overlaps(found)]
    assert got == [(0, 10, "EMAIL"), (20, 39, "CREDIT_CARD"), (50, 55, "PERSON")]


def test_restricted_collapse_maps_gold_and_predictions_alike():
    labels, mapping = peers.PEER_LABELS["presidio"]
    assert "STREET_ADDRESS" not in labels and "LOCATION" in labels and "SECRET" not in labels
    out = peers.collapse([{"start": 0, "end": 5, "label": "STREET_ADDRESS"}], mapping)
    assert out == [{"start": 0, "end": 5, "label": "LOCATION"}]


@pytest.mark.skipif(peers.rampart_available() is not None, reason="Rampart not installed")
def test_rampart_loads_without_the_arcjet_sdk():
    predict = peers.load_rampart()
    got = predict("Write to jane.doe@example.com or call 415-555-0100.")
    assert {"start": 9, "end": 29, "label": "EMAIL"} in got


@pytest.mark.skipif(not _model_present(), reason="no model")
def test_hf_pipeline_row_feeds_the_case_classes_the_scanner_feeds():
    """The stock-pipeline peer runs the shipped case model with the case ids the scanner gives it."""
    from scanner.model import ModelInfo
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.windows import tokenize

    model_dir = ModelInfo.resolve(None).path
    text = "To be frank, Frank O'Neill met FRANK at iPhone HQ in Paris."
    tok = peers.hf_tokenizer(model_dir)  # what load_hf_pipeline hands the pipeline
    enc = tok(text, return_offsets_mapping=True, return_tensors="pt")
    fed = enc["token_type_ids"][0].tolist()[1:-1]  # without [CLS] and [SEP]
    sc = Scanner(ScanOptions(precision="fp32"))
    assert sc.reads_case
    ours = tokenize(sc.tokenizer, [text], case=True)[0].case.tolist()
    assert fed == ours and len(set(ours)) == 4  # lower, Title, UPPER and mIxed all present


def test_names_sets_parse_into_plain_text_and_exact_gold_spans(tmp_path):
    import names_eval

    from scanner.rules import load_rules_config

    sets = ("v1", "news2", "papers3", "mixed4", "natural5", "blind6", "de5", "fr5", "es5", "case")
    for name in sets:
        block = names_eval.load_set(name)
        items = names_eval.parse(block)
        assert len(items) == len(block.splitlines()) > 50
        for text, gold in items:
            assert "[[" not in text and "]]" not in text  # every mark closed and known
            for a, b, _ in gold:
                assert text[a:b] == text[a:b].strip() and text[a:b]
    assert names_eval.load_set("de5+model") == names_eval.load_set("de5")
    forced = load_rules_config(names_eval.forced_rules(tmp_path))
    shipped = load_rules_config(None)
    assert forced.model_languages == ("en", "de", "fr", "es") and shipped.model_languages == ("en",)
    from dataclasses import fields

    differ = [f.name for f in fields(forced) if getattr(forced, f.name) != getattr(shipped, f.name)]
    assert differ == ["path", "model_languages"]  # only the language setting differs


def test_other_generator_line_breaks_and_whole_addresses():
    """The two conversions the other-generator benchmark makes before scoring move spans exactly."""
    import other_generator as og

    raw = "Ann Lee\\n\\n12 Rue Vert\\n Apt. 3\\n LYON\\n France 69001, said hi"
    gold = [{"start": 0, "end": 7, "label": "PERSON"}]
    for part, label in (("12", "STREET_ADDRESS"), ("Rue Vert", "STREET_ADDRESS"), ("Apt. 3", "STREET_ADDRESS"),
                        ("LYON", "LOCATION"), ("France", "LOCATION"), ("69001", "STREET_ADDRESS")):
        i = raw.index(part)
        gold.append({"start": i, "end": i + len(part), "label": label})
    text, spans = og.real_newlines(raw, gold)
    assert "\\n" not in text and text.count("\n") == 5
    assert [text[s["start"]:s["end"]] for s in spans] == ["Ann Lee", "12", "Rue Vert", "Apt. 3", "LYON",
                                                          "France", "69001"]
    merged = og.merge_addresses(text, spans)
    assert [(text[s["start"]:s["end"]], s["label"]) for s in merged] == [
        ("Ann Lee", "PERSON"), ("12 Rue Vert\n Apt. 3\n LYON\n France 69001", "STREET_ADDRESS")]
    # The generator's own line prefixes sit between the parts of some address blocks.
    block = "}}12 Rue Vert\n}}Apt. 3\n}}LYON"
    parts = [{"start": block.index(p), "end": block.index(p) + len(p), "label": label}
             for p, label in (("12 Rue Vert", "STREET_ADDRESS"), ("Apt. 3", "STREET_ADDRESS"), ("LYON", "LOCATION"))]
    assert [(block[s["start"]:s["end"]], s["label"]) for s in og.merge_addresses(block, parts)] == [
        ("12 Rue Vert\n}}Apt. 3\n}}LYON", "STREET_ADDRESS")]
    # A city on its own stays a LOCATION: only a run holding an address part becomes one.
    alone = "We met in Lyon."
    assert og.merge_addresses(alone, [{"start": 10, "end": 14, "label": "LOCATION"}])[0]["label"] == "LOCATION"


def test_other_generator_our_dates_drops_only_years_and_weekdays():
    """The convention row leaves out gold DATEs that name no day, and nothing else."""
    import other_generator as og

    text = "Founded in 1991, open Friday, seen 2018-05-05 20:42:26 and on March 3, 2024 by Ann."
    gold = []
    for part, label in (("1991", "DATE"), ("Friday", "DATE"), ("2018-05-05 20:42:26", "DATE"),
                        ("March 3, 2024", "DATE"), ("Ann", "PERSON")):
        i = text.index(part)
        gold.append({"start": i, "end": i + len(part), "label": label})
    kept = [text[s["start"]:s["end"]] for s in og.our_dates(text, gold)]
    assert kept == ["2018-05-05 20:42:26", "March 3, 2024", "Ann"]
