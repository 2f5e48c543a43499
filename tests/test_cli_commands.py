"""The commands that had no real run in the tests: ``explain``, ``eval`` and ``export-onnx``, and how a
one-process ``scan`` ends on SIGTERM and Ctrl-C. Each is the real command on real files with the real
model, checked against what an independent path computes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from held_input import HeldInput

from scanner.cli import EXIT_FATAL, EXIT_OK, main

TORCH = ["--backend", "torch", "--device", "cpu"]
DOCS = [{"id": "a", "text": "Please call Margaret Okonkwo on +44 20 7946 0958 about invoice 1234."},
        {"id": "b", "text": "The weather is nice today."}]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# -- explain (raw text input) -----------------------------------------------------------------------

@pytest.mark.slow
def test_explain_shows_each_document_with_its_findings_and_the_tier_scan_gives_it(tmp_path):
    corpus = _jsonl(tmp_path / "c.jsonl", DOCS)
    res = invoke("explain", str(corpus), *TORCH)
    assert res.exit_code == EXIT_OK, res.output
    out = " ".join(res.stdout.split())
    a, b = out.index(" a "), out.index(" b ")
    assert a < b  # input order
    shown_a, shown_b = out[a:b], out[b:]
    for piece in ("Margaret Okonkwo", "PERSON", "+44 20 7946 0958", "PHONE", "Tier 3"):
        assert piece in shown_a, piece
    assert "no findings" in shown_b and "Tier 1" in shown_b
    # The tiers it explains are the tiers scan writes for the same input.
    assert invoke("scan", str(corpus), "-o", str(tmp_path / "out"), *TORCH, "-q").exit_code == EXIT_OK
    tiers = {d["doc_id"]: d["tier"] for d in pq.read_table(tmp_path / "out" / "documents").to_pylist()}
    assert tiers == {"a": 3, "b": 1}


def test_explain_picks_a_document_by_id_and_says_when_there_is_none(tmp_path):
    corpus = _jsonl(tmp_path / "c.jsonl", DOCS)
    res = invoke("explain", str(corpus), "--id", "b", "--no-model")
    assert res.exit_code == EXIT_OK and "weather" in res.stdout and "Okonkwo" not in res.stdout
    res = invoke("explain", str(corpus), "--limit", "1", "--no-model")
    assert res.exit_code == EXIT_OK and "Okonkwo" in res.stdout and "weather" not in res.stdout
    res = invoke("explain", str(corpus), "--id", "zz", "--no-model")
    assert res.exit_code == EXIT_FATAL and "no document with id 'zz'" in " ".join(res.output.split())


# -- eval ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_eval_scores_what_the_scanner_finds_and_maps_foreign_labels(tmp_path, scanner):
    from scanner.evaluate import load_labeled, predict, score

    gold = tmp_path / "gold.jsonl"
    assert invoke("generate", "-n", "25", "--seed", "3", "-o", str(gold)).exit_code == EXIT_OK
    records = load_labeled(gold)
    expected = score([r["text"] for r in records], [r["spans"] for r in records],
                     predict(scanner, records)).as_dict()
    assert expected["micro_overlap"]["tp"] > 20  # the documents do hold findings
    # The same gold under foreign label names, plus a label the map drops.
    foreign = []
    for r in records:
        spans = [dict(s, label={"PERSON": "PER", "EMAIL": "MAIL"}.get(s["label"], s["label"])) for s in r["spans"]]
        foreign.append(dict(r, spans=spans + [{"start": 0, "end": 1, "label": "NOISE"}]))
    _jsonl(tmp_path / "foreign.jsonl", foreign)
    (tmp_path / "map.yaml").write_text("PER: PERSON\nMAIL: EMAIL\nNOISE: null\n", encoding="utf-8")
    res = invoke("eval", str(tmp_path / "foreign.jsonl"), "--label-map", str(tmp_path / "map.yaml"),
                 "--json", *TORCH)
    assert res.exit_code == EXIT_OK, res.output
    assert json.loads(res.stdout) == expected


def test_eval_names_the_line_that_is_not_a_labelled_record(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "spans": []}\n{"spans": []}\n', encoding="utf-8")
    res = invoke("eval", str(bad), "--no-model")
    assert res.exit_code == EXIT_FATAL and "bad.jsonl:2: not a labelled record" in " ".join(res.output.split())


# -- export-onnx --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_export_onnx_writes_models_that_run_and_agree_with_torch(tmp_path, model_dir, hf_tokenizer):
    import onnxruntime as ort

    from scanner.backends.onnx_backend import OnnxBackend
    from scanner.backends.torch_backend import TorchBackend

    out = tmp_path / "onnx"
    res = invoke("export-onnx", "--model", str(model_dir), "--out", str(out), "--precision", "fp32",
                 "--precision", "int8")
    assert res.exit_code == EXIT_OK, res.output
    said = "".join(res.stderr.split())  # the paths may wrap
    paths = {p: out / f"model.{p}.onnx" for p in ("fp32", "int8")}
    for precision, path in paths.items():
        assert path.is_file() and f"{precision}:{path}(" in said, res.stderr
    assert json.loads((out / "export.json").read_text())["precisions"] == ["fp32", "int8"]
    enc = hf_tokenizer([d["text"] for d in DOCS] + ["Ping jane.roe@example.org or 10.0.0.7 before Friday."],
                       padding=True, return_tensors="np")
    ids, mask = enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)
    real = mask.astype(bool)
    # fp32 against torch (the reference backend); int8 against the onnx backend's own int8 file (made
    # by scan on first use): the command's file is the one the scanner runs, so the same numbers.
    references = {"fp32": TorchBackend(model_dir, device="cpu", precision="fp32").infer(ids, mask),
                  "int8": OnnxBackend(model_dir, device="cpu", precision="int8").infer(ids, mask)}
    for precision, path in paths.items():
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in {i.name for i in sess.get_inputs()}:
            feed["token_type_ids"] = np.zeros_like(ids)
        logits = sess.run(None, feed)[0].astype(np.float32)
        reference = references[precision]
        assert logits.shape == reference.shape
        assert (logits.argmax(-1) == reference.argmax(-1))[real].all(), precision
        assert np.abs(logits - reference)[real].max() < 1e-3, precision


# -- one process: SIGTERM and Ctrl-C ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 1)])
def test_a_one_process_scan_stopped_by_a_signal_exits_with_its_code_and_resumes(tmp_path, sig, code):
    """The README's table: 143 after SIGTERM, 1 after Ctrl-C; the manifest says interrupted, committed
    shards stay, and the same command finishes the job."""
    lines = [json.dumps({"id": f"t{i:03d}", "text": f"Ticket {i}: write to user{i}@example.com"}) + "\n"
             for i in range(60)]
    fifo, out = tmp_path / "c.jsonl", tmp_path / "out"
    args = ["scan", str(fifo), "-o", str(out), "--shard-size", "10", *TORCH, "-q"]
    held = HeldInput(fifo, lines[:30])  # then no end of input: the run is mid-way when signalled
    proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not list(out.glob("documents/part-*")):
            time.sleep(0.05)
        assert proc.poll() is None and list(out.glob("documents/part-*")), proc.stderr.read().decode()[-2000:]
        proc.send_signal(sig)
        rc = proc.wait(60)
    finally:
        proc.kill()
        held.close()
        stderr = proc.stderr.read().decode()
        proc.stderr.close()
        proc.stdout.close()
    assert rc == code, stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["finished"]
    kept = len(list(out.glob("documents/part-*.parquet")))
    assert 1 <= kept <= 3
    held.as_file(lines)
    res = invoke(*args)
    assert res.exit_code == EXIT_OK, res.output
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["shards_resumed"] == kept and counts["documents"] == 60
