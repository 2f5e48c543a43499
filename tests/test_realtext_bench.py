"""The real-text evaluation: its corpus comes from sources training never reads, and it counts right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import realtext  # noqa: E402  (benchmarks/ is scripts, not a package)

from scanner.records import Span  # noqa: E402
from scanner.train.realtext import RealDoc  # noqa: E402


def test_false_findings_count_only_identifier_and_credential_labels():
    docs = [RealDoc("x" * 5000, "npm-readme", "a"), RealDoc("y" * 5000, "perl-pod", "b")]
    spans = [[Span(0, 4, "USERNAME", 0.9, "model"), Span(5, 9, "PERSON", 0.9, "model")],
             [Span(0, 4, "SECRET", 0.9, "model"), Span(5, 9, "URL", 1.0, "url")]]
    res = realtext.false_findings(docs, spans)
    assert res["per_10k"] == 2.0 and res["per_10k_by_label"] == {"USERNAME": 1.0, "SECRET": 1.0}
    assert res["per_10k_by_family"] == {"npm-readme": 2.0, "perl-pod": 2.0}


@pytest.mark.skipif(not realtext.NPM_ROOT.is_dir(), reason="npm is not installed here")
def test_the_corpus_is_disjoint_from_training_sources():
    docs = realtext.build_corpus(16)
    fams = {d.family for d in docs}
    assert {"npm-readme", "js-code"} <= fams
    for d in docs:
        assert "changelog" not in d.source.lower() and "site-packages" not in d.source
        assert d.lang not in ("de", "fr", "es")  # training reads those man pages


@pytest.mark.slow
@pytest.mark.skipif(not realtext.NPM_ROOT.is_dir(), reason="npm is not installed here")
def test_the_evaluation_runs_end_to_end(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "realtext.py"), "-n", "12",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (md,) = tmp_path.glob("realtext-*.md")
    assert "| pii-scanner |" in md.read_text()


def test_names_eval_parses_its_markup_and_scores_overlaps():
    import names_eval

    items = names_eval.parse("[[PERSON:Ann Lee]] flew to [[LOC:Jordan]] for [[ORG:Acme]].")
    text, gold = items[0]
    assert text == "Ann Lee flew to Jordan for Acme." and [text[a:b] for a, b, _ in gold] == ["Ann Lee", "Jordan", "Acme"]
    # one right span (partial overlap counts), one on a place, one on nothing labelled
    res = names_eval.score(items, [[(4, 7), (16, 22), (8, 12)]])
    assert (res["found"], res["person_spans"], res["correct_spans"]) == (1, 3, 1)
    assert res["wrong_spans_on"] == {"LOC": 1, "ORG": 0, "unlabelled": 1}
    assert len(names_eval.parse(names_eval.SENTENCES)) >= 70


def test_names_eval_sets_load_and_the_unseen_split_names_nothing_trained():
    import names_eval

    sizes = {}
    for name in ("v1", "news2", "news2-unseen", "papers3", "mixed4", "case"):
        items = names_eval.parse(names_eval.load_set(name))
        sizes[name] = sum(g[2] == "PERSON" for _, gold in items for g in gold)
        assert all(text and "[[" not in text for text, _ in items)
    assert sizes["news2"] > sizes["news2-unseen"] > 100 and sizes["case"] > 40
    news2 = names_eval.load_set("news2").splitlines()
    unseen = names_eval.load_set("news2-unseen").splitlines()
    assert any(names_eval.trained_names(line) for line in news2)
    assert not any(names_eval.trained_names(line) for line in unseen)
    assert names_eval.trained_names("Shares of [[ORG:Ferrari]] rose.") == ["Ferrari"]
