"""Letter-case classes: what an uncased encoder is told about each word's case."""

from __future__ import annotations

import numpy as np
import pytest

from scanner.case import LOWER, MIXED, TITLE, UPPER, case_ids, uses_case, word_case


def test_word_case_classes():
    assert [word_case(w) for w in ("Frank", "frank", "FRANK", "iPhone", "J", "McDonald", "Åkesson")] == \
        [TITLE, LOWER, UPPER, MIXED, TITLE, TITLE, TITLE]
    assert [word_case(w) for w in ("123", "'s", "", "NHS2", "é")] == [LOWER, LOWER, LOWER, UPPER, LOWER]


def test_case_ids_follow_the_word_not_the_piece():
    from scanner.model import ModelInfo
    from scanner.windows import rust_tokenizer, tokenize

    tok = rust_tokenizer(ModelInfo.resolve(None).fast_tokenizer())
    text = "Kowalczykowski met KOWALCZYKOWSKI and kowalczykowski."
    (t,) = tokenize(tok, [text])
    got = case_ids(text, t.offsets, t.word_ids)
    by_word: dict[str, set[int]] = {}
    for w, c in zip(t.word_ids.tolist(), got.tolist()):
        by_word.setdefault(f"{w}", set()).add(c)
    words = {f"{w}": text[a:b] for (a, b), w in zip(t.offsets.tolist(), t.word_ids.tolist())}
    assert len(t) > 9  # the surname splits into several pieces, each told its word's case
    assert by_word["0"] == {TITLE} and by_word["2"] == {UPPER} and by_word["4"] == {LOWER}
    assert words["5"] == "." and by_word["5"] == {LOWER}


def test_case_ids_of_nothing_and_of_tokens_without_words():
    assert case_ids("", np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)).shape == (0,)
    got = case_ids("Ab", np.array([[0, 0], [0, 2]]), np.array([-1, 0]))
    assert got.tolist() == [LOWER, TITLE]


def test_only_models_trained_with_case_read_it():
    assert uses_case({"case_features": True}) and not uses_case({}) and not uses_case({"case_features": False})


# -- a model that reads case, end to end ------------------------------------------------------------

CASE_TEXTS = [
    "Frank Baker will call Grace Hope about the frank report on Monday.",
    "ask frank and rose to send the will to MARIA LOPEZ at maria.lopez@example.com",
    "The iPhone order for IBM ships to Baker Street, London.",
]


@pytest.fixture(scope="module")
def case_model(model_dir, tmp_path_factory):
    """The shipped model if it reads case; else a copy widened for case with distinct case rows."""
    import json

    from scanner.model import ModelInfo

    if uses_case(ModelInfo.resolve(model_dir).config):
        return model_dir
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from scanner.train.train import add_case_embeddings

    out = tmp_path_factory.mktemp("case-model")
    model = AutoModelForTokenClassification.from_pretrained(model_dir, dtype=torch.float32)
    add_case_embeddings(model)
    with torch.no_grad():  # what training would do: move the case rows apart
        rows = model.base_model.embeddings.token_type_embeddings.weight
        rows[1:] += torch.randn(rows[1:].shape, generator=torch.Generator().manual_seed(0)) * 0.5
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(model_dir).save_pretrained(out)
    assert json.loads((out / "config.json").read_text())["case_features"] is True
    return out


def _batch(model_dir):
    from scanner.model import ModelInfo
    from scanner.windows import make_batches, make_windows, rust_tokenizer, tokenize

    hf = ModelInfo.resolve(model_dir).fast_tokenizer()
    toks = tokenize(rust_tokenizer(hf), CASE_TEXTS, case=True)
    windows = [w for i, t in enumerate(toks) for w in make_windows(i, len(t), t.ids, 126, 32, t.case)]
    (batch,) = make_batches(windows, 10_000, hf.cls_token_id, hf.sep_token_id, hf.pad_token_id or 0)
    return batch


def test_batches_carry_case_classes_beside_their_tokens(case_model):
    batch = _batch(case_model)
    assert batch.token_type_ids is not None and batch.token_type_ids.shape == batch.input_ids.shape
    assert not batch.token_type_ids[batch.attention_mask == 0].any()  # padding
    assert not batch.token_type_ids[:, 0].any()  # [CLS]
    for r, w in enumerate(batch.windows):
        np.testing.assert_array_equal(batch.token_type_ids[r, 1:len(w.ids) + 1], w.case)
    assert set(np.unique(batch.token_type_ids).tolist()) == {LOWER, TITLE, UPPER, MIXED}


def test_case_model_reads_case_the_same_in_torch_and_onnx(case_model, onnx_cache):
    pytest.importorskip("onnxruntime")
    from scanner.backends.onnx_backend import OnnxBackend
    from scanner.backends.torch_backend import TorchBackend

    b = _batch(case_model)
    ref = TorchBackend(case_model, device="cpu", precision="fp32", threads=1)
    want = ref.infer(b.input_ids, b.attention_mask, b.token_type_ids)
    blind = ref.infer(b.input_ids, b.attention_mask)
    valid = b.attention_mask.astype(bool)
    assert np.abs(want - blind)[valid].max() > 0.1  # the case classes change what the model sees
    fp32 = OnnxBackend(case_model, device="cpu", precision="fp32", threads=1)
    assert "token_type_ids" in fp32._inputs
    np.testing.assert_allclose(fp32.infer(b.input_ids, b.attention_mask, b.token_type_ids)[valid], want[valid],
                               atol=1e-3, rtol=0)
    int8 = OnnxBackend(case_model, device="cpu", precision="int8", threads=1)
    got = int8.infer(b.input_ids, b.attention_mask, b.token_type_ids)
    assert (got.argmax(-1) == want.argmax(-1))[valid].mean() > 0.95


def test_scanner_feeds_case_to_a_case_model_and_not_to_others(case_model, model_dir):
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document

    docs = [Document(str(i), "t", t) for i, t in enumerate(CASE_TEXTS)]
    sc = Scanner(ScanOptions(model=str(case_model), backend="torch", device="cpu"))
    assert sc.reads_case
    prepared = sc.prepare(docs)
    assert all(t.case is not None and len(t.case) == len(t) for t in prepared.toks)
    torch_rows = sc.scan_shard(docs)
    onnx_rows = Scanner(ScanOptions(model=str(case_model), backend="onnx", precision="fp32",
                                    device="cpu")).scan_shard(docs)
    assert [[(s.start, s.end, s.label) for s in r.spans] for r in torch_rows] == \
        [[(s.start, s.end, s.label) for s in r.spans] for r in onnx_rows]
    assert not Scanner(ScanOptions(model=str(case_model), use_model=False)).reads_case


def test_export_and_tensorrt_profile_name_the_case_input_only_for_a_case_model(case_model, tmp_path):
    import json
    import shutil

    from scanner.backends.onnx_backend import _profile
    from scanner.export import input_names

    assert _profile(input_names(case_model), "1x1") == "input_ids:1x1,attention_mask:1x1,token_type_ids:1x1"
    plain = tmp_path / "plain"
    shutil.copytree(case_model, plain)
    config = json.loads((plain / "config.json").read_text())
    config.pop("case_features")
    (plain / "config.json").write_text(json.dumps(config))
    assert input_names(plain) == ["input_ids", "attention_mask"]
