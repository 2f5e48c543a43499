"""Tests for the synthetic training/evaluation data generator (fast: a few seconds)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scanner.labels import LABELS
from scanner.train import fakes as F
from scanner.train.generator import (
    FRESH,
    HELDOUT_GENRES,
    HELDOUT_ONLY_GENRES,
    HELDOUT_TEMPLATE_IDS,
    SLOTS,
    TRAIN_GENRES,
    TRAIN_TEMPLATE_IDS,
    Ctx,
    _run,
    generate,
    main,
    prefix_lines,
    write_jsonl,
)
from scanner.train.template_lang import Doc, compile_template
from scanner.train.templates import TEMPLATES

N = 3000


@pytest.fixture(scope="module")
def train_docs():
    return list(generate(N, seed=11, split="train"))


@pytest.fixture(scope="module")
def heldout_docs():
    return list(generate(N, seed=11, split="heldout"))


def _check_doc(doc):
    assert set(doc) == {"id", "text", "genre", "spans"}
    text = doc["text"]
    assert isinstance(text, str) and text
    prev_end = 0
    for s in doc["spans"]:
        assert set(s) == {"start", "end", "label"}
        assert s["label"] in LABELS
        assert 0 <= s["start"] < s["end"] <= len(text)
        assert s["start"] >= prev_end, "spans overlap or are unsorted"
        v = text[s["start"]:s["end"]]
        assert v == v.strip() and v, f"edge whitespace in {v!r}"
        prev_end = s["end"]


def test_spans_valid(train_docs, heldout_docs):
    for d in train_docs + heldout_docs:
        _check_doc(d)


def test_spans_valid_property():
    # many seeds, few docs each: catches rare template paths
    for seed in range(40):
        for d in generate(25, seed=seed, split=random.Random(seed).choice(["train", "heldout"])):
            _check_doc(d)


def test_line_prefixes_move_every_span_with_its_text(train_docs):
    """Quoted and bulleted blocks keep their entities: each span covers the same characters, with the
    prefix inside a multi-line span and never at a span's edge."""
    multi = [d for d in train_docs if d["text"].count("\n") >= 2 and d["spans"]][:300]
    assert multi
    for d in multi:
        for prefix in ("> ", "??? ", "â€¢ "):
            text, spans = prefix_lines(d["text"], d["spans"], prefix)
            assert all(line.startswith(prefix) for line in text.split("\n"))
            for old, new in zip(d["spans"], spans):
                value = d["text"][old["start"]:old["end"]]
                assert text[new["start"]:new["end"]] == value.replace("\n", "\n" + prefix)
    prefixed = [d for d in train_docs if d["text"].startswith(("> ", "??? ", "• ", "- ", "| "))]
    assert 0.01 * N < len(prefixed) < 0.15 * N  # the train split has some; held-out none (next test)


def test_heldout_split_has_no_line_prefixes(heldout_docs):
    markers = ("> ", ">> ", "• ", "?? ", "â€¢ ", "· ", "» ")  # not "| " or "* ": tables and lists have them
    assert not [d for d in heldout_docs if all(line.startswith(markers) for line in d["text"].split("\n"))
                and d["text"].count("\n") >= 2]


def test_deterministic():
    a = list(generate(60, seed=5, split="train"))
    b = list(generate(60, seed=5, split="train"))
    c = list(generate(60, seed=6, split="train"))
    assert a == b
    assert [d["text"] for d in a] != [d["text"] for d in c]
    # interleaving two generators does not change either
    g1, g2 = generate(30, seed=5, split="train"), generate(30, seed=9, split="heldout")
    inter = [x for pair in zip(g1, g2) for x in pair][::2]
    assert inter == a[:30]


def test_ids_unique(train_docs):
    assert len({d["id"] for d in train_docs}) == len(train_docs)


@pytest.mark.parametrize("which", ["train", "heldout"])
def test_every_label_in_both_splits(which, train_docs, heldout_docs):
    docs = train_docs if which == "train" else heldout_docs
    seen = Counter(s["label"] for d in docs for s in d["spans"])
    missing = [lab for lab in LABELS if seen[lab] < 20]
    assert not missing, f"{which} lacks {missing}"


def test_templates_disjoint_and_heldout_genres():
    assert TRAIN_TEMPLATE_IDS and HELDOUT_TEMPLATE_IDS
    assert not (TRAIN_TEMPLATE_IDS & HELDOUT_TEMPLATE_IDS)
    assert len({t.id for t in TEMPLATES}) == len(TEMPLATES)
    assert len(HELDOUT_ONLY_GENRES) >= 3
    assert HELDOUT_ONLY_GENRES == HELDOUT_GENRES - TRAIN_GENRES


def test_split_uses_only_its_genres(train_docs, heldout_docs):
    assert {d["genre"] for d in train_docs} <= TRAIN_GENRES
    assert not ({d["genre"] for d in train_docs} & HELDOUT_ONLY_GENRES)
    assert {d["genre"] for d in heldout_docs} & HELDOUT_ONLY_GENRES == HELDOUT_ONLY_GENRES


def _slot_names(nodes: list):
    for n in nodes:
        if type(n) is str:
            continue
        if n[0] == "s":
            yield n[1]
        elif n[0] == "a":
            for alt in n[1]:
                yield from _slot_names(alt)
        else:
            yield from _slot_names(n[2])


def test_every_template_names_known_slots_and_renders_what_its_kind_says():
    """Each template on its own: a string template names only slots the generator has (a typo would
    otherwise surface only when a rare alternative is drawn); a PII template yields labelled spans
    and a negative one none, with valid offsets."""
    known = set(SLOTS) | set(FRESH)
    for t in TEMPLATES:
        if isinstance(t.body, str):
            unknown = {s for s in _slot_names(compile_template(t.body)) if s.rstrip("0123456789") not in known}
            assert not unknown, f"{t.id}: unknown slots {unknown}"
        labels = set()
        for seed in range(4):
            rng = random.Random(f"{t.id}:{seed}")
            d = Doc()
            _run(t, d, Ctx(rng))
            text, spans = d.finish(rng)
            _check_doc({"id": t.id, "text": text, "genre": t.genre, "spans": spans})
            labels |= {s["label"] for s in spans}
        assert (not labels) if t.kind == "neg" else labels, f"{t.id} ({t.kind}): {sorted(labels)}"


def test_compile_template_reads_the_mini_language():
    assert compile_template(r"Hi {first2}[, {tname}|][?!][??\[x\]]") == [
        "Hi ", ("s", "first2"), ("a", [[", ", ("s", "tname")], []]), ("o", 0.5, ["!"]),
        ("o", 0.25, ["[x]"])]


def test_templates_and_their_language_import_without_the_generator():
    """No import cycle: the template table and the mini-language load on their own."""
    code = ("import sys, scanner.train.templates, scanner.train.template_lang; "
            "assert 'scanner.train.generator' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def _digits(s):
    return re.sub(r"\D", "", s)


def test_cards_pass_luhn_and_ibans_mod97(train_docs, heldout_docs):
    n_cards = n_iban = 0
    for d in train_docs + heldout_docs:
        for s in d["spans"]:
            v = d["text"][s["start"]:s["end"]]
            if s["label"] == "CREDIT_CARD":
                digits = _digits(v)
                assert 12 <= len(digits) <= 19, v
                assert F.luhn_ok(digits), v
                n_cards += 1
            elif s["label"] == "BANK_ACCOUNT" and re.match(r"[A-Za-z]{2}\d{2}", v):
                assert F.iban_ok(v), v
                n_iban += 1
    assert n_cards > 100 and n_iban > 100


def test_value_generators():
    rng = random.Random(3)
    for _ in range(500):
        assert F.luhn_ok(_digits(F.card(rng)[1]))
        assert F.iban_ok(F.iban(rng))
        r = F.routing_number(rng)
        assert sum(int(c) * w for c, w in zip(r, [3, 7, 1] * 3)) % 10 == 0
        area, group, serial = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", F.ssn(rng)).groups()
        assert area not in ("000", "666") and int(area) < 900 and group != "00" and serial != "0000"
    brands = {F.card(rng)[0] for _ in range(400)}
    assert len(brands) == len(F.CARD_BRANDS)


def test_mix_of_document_shapes(train_docs):
    empty = sum(not d["spans"] for d in train_docs) / len(train_docs)
    assert 0.08 <= empty <= 0.25
    words = [len(d["text"].split()) for d in train_docs]
    long_frac = sum(w >= 400 for w in words) / len(words)
    assert 0.04 <= long_frac <= 0.2
    assert len({d["genre"] for d in train_docs}) >= 10
    upper = sum(d["text"] == d["text"].upper() and any(c.isalpha() for c in d["text"]) for d in train_docs)
    assert upper > 30


def test_titles_not_in_person_spans(train_docs):
    for d in train_docs:
        for s in d["spans"]:
            if s["label"] == "PERSON":
                v = d["text"][s["start"]:s["end"]]
                assert not re.match(r"(?i)(dr|mr|mrs|ms|prof)\.? ", v), v


def test_write_jsonl_and_cli(tmp_path):
    p = tmp_path / "a.jsonl"
    assert write_jsonl(p, 25, 1, "heldout") == 25
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
    assert rows == list(generate(25, 1, "heldout"))
    q = tmp_path / "b.jsonl"
    assert main(["--n", "10", "--seed", "1", "--split", "heldout", "-o", str(q)]) == 0
    assert q.read_text(encoding="utf-8").splitlines() == p.read_text(encoding="utf-8").splitlines()[:10]


def test_bad_split():
    with pytest.raises(ValueError):
        next(generate(1, 0, "test"))
