"""What the lighter start-up path swapped in gives the same answers as what it replaced."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scanner.model import ModelInfo
from scanner.versions import library_versions
from scanner.windows import rust_tokenizer, tokenize

REPO = Path(__file__).resolve().parent.parent


def test_tokenizer_from_tokenizer_json_equals_transformers_on_the_sample_corpus(model_dir):
    """The pipeline reads tokenizer.json with ``tokenizers`` alone; transformers' AutoTokenizer (which
    it used before, and which imports torch) must give the same tokens, offsets, words and special ids."""
    info = ModelInfo.resolve(model_dir)
    hf, fast = info.tokenizer(), info.fast_tokenizer()
    assert (fast.cls_token_id, fast.sep_token_id, fast.pad_token_id) == \
        (hf.cls_token_id, hf.sep_token_id, hf.pad_token_id)
    texts = [json.loads(line)["text"] for line in (REPO / "samples" / "corpus.jsonl").open(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "samples" / "tiers").glob("*.txt"))]
    texts += ["Ünïcödé ÉMAIL Zoë@Example.com 東京都 🙂 tabs\tand\r\nnewlines", ""]
    want = tokenize(rust_tokenizer(hf), texts)
    got = tokenize(rust_tokenizer(fast), texts)
    assert len(texts) > 20 and sum(len(t) for t in want) > 1000
    for w, g in zip(want, got):
        assert np.array_equal(w.ids, g.ids) and np.array_equal(w.offsets, g.offsets)
        assert np.array_equal(w.word_ids, g.word_ids)


def test_manifest_versions_from_metadata_equal_the_imported_modules():
    import numpy
    import onnxruntime
    import pyarrow
    import tokenizers
    import torch
    import transformers

    got = library_versions()
    for mod in (torch, transformers, onnxruntime, pyarrow, numpy, tokenizers):
        assert got[mod.__name__] == mod.__version__


def test_every_manifest_records_the_one_collection_of_versions(scanner, tmp_path):
    """scan and audit record the same versions (collected once, in ``scanner.versions``), and the
    resume settings take the language identifier's from there too."""
    from scanner.audit import AuditOptions, run_audit
    from scanner.runner import RunOptions, run_scan

    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": "Mail jane.doe@example.com"}) + "\n")
    _, scan = run_scan(RunOptions(inputs=[str(corpus)], out_dir=str(tmp_path / "out")), scanner)
    audit, _ = run_audit(AuditOptions(inputs=[str(corpus)], state_dir=str(tmp_path / "state")), scanner)
    want = library_versions()
    assert scan["versions"] == audit["versions"] == want
    assert {"pii-scanner", "python", "py3langid", "phonenumbers"} <= set(want)
    assert scan["settings"]["language_id"] == want["py3langid"]
    want["python"] = "changed"  # a copy: the next caller still gets the real one
    assert library_versions()["python"] != "changed"
