"""Language identification: the English model's findings only count where it was trained."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scanner.language import identify
from scanner.records import Document

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "languages"


def scan(scanner, name: str):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    (res,) = scanner.scan_shard([Document(name, "t", text)])
    return res


@pytest.mark.parametrize("name, lang", [("de_public.txt", "de"), ("fr_public.txt", "fr"),
                                        ("es_public.txt", "es")])
def test_public_text_in_another_language_stays_public(scanner, name, lang):
    res = scan(scanner, name)
    assert (res.language, res.model_used) == (lang, False)
    assert (res.tier, res.categories) == (1, ["public"])
    assert res.spans == []


@pytest.mark.parametrize("name, lang", [("de_letter.txt", "de"), ("fr_letter.txt", "fr")])
def test_identifiers_in_another_language_still_reach_tier_3(scanner, name, lang):
    res = scan(scanner, name)
    assert (res.language, res.model_used, res.tier) == (lang, False, 3)
    assert {s.label for s in res.spans} == {"EMAIL", "PHONE"}
    assert all(s.detector != "model" for s in res.spans)


def test_english_and_unsure_text_keep_the_model(scanner):
    (en, code) = scanner.scan_shard([
        Document("en", "t", "Please send the signed contract to Jane Roe at Acme Corp before Friday."),
        Document("code", "t", "x = f(a, b)\ny = [i for i in range(10)]\n"),
    ])
    assert (en.language, en.model_used) == ("en", True)
    assert any(s.label == "PERSON" and s.detector == "model" for s in en.spans)
    assert (code.language, code.model_used) == ("en", True)  # too few letters to decide: default


def test_identify_needs_confidence():
    assert identify("Der Rhein ist einer der längsten Flüsse Europas und fließt in die Nordsee.", "en", 0.9) == "de"
    assert identify("ok", "en", 0.9) == "en"
    assert identify("Der Rhein ist einer der längsten Flüsse Europas.", "en", 1.01) == "en"


@pytest.mark.slow
def test_language_and_propagation_reach_the_parquet(tmp_path):
    corpus = tmp_path / "c.jsonl"
    rows = [{"id": "de", "text": (SAMPLES / "de_letter.txt").read_text(encoding="utf-8")},
            {"id": "en", "text": "Mail jane.roe@example.com today; jane.roe@example.com is on file."}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(corpus), "-o", str(out), "-q",
                           "--backend", "torch"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    docs = {r["doc_id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert (docs["de"]["language"], docs["de"]["model_used"]) == ("de", False)
    assert (docs["en"]["language"], docs["en"]["model_used"]) == ("en", True)
    spans = [s for s in pq.read_table(out / "spans").to_pylist() if s["doc_id"] == "en"]
    assert [(s["label"], s["propagated"]) for s in spans] == [("EMAIL", False), ("EMAIL", False)]


def test_text_with_no_language_keeps_the_model():
    """Logs and tables are py3langid's "zxx" (no linguistic content): the model's own ground."""
    from scanner.language import _identifier, sample
    from scanner.train.generator import generate

    texts = [r["text"] for r in generate(200, 14, "heldout")]
    zxx = [t for t in texts if (c := _identifier().classify(sample(t)))[0] == "zxx" and c[1] >= 0.9]
    assert zxx  # generated access and audit logs are such documents
    assert {identify(t, "en", 0.9) for t in zxx} == {"en"}
