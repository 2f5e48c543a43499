"""Redaction: every style removes every span, keeps the rest in place, and never writes the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.cli import main
from scanner.records import Span
from scanner.redaction import KEY_ENV, KEY_FILE_ENV, STYLES, RedactError, build_redactor, load_key, redact_text
from scanner.runner import RunOptions, run_scan
from scanner.writers import DIR_MODE, FILE_MODE

KEY = "test-key-Zq8v1Lw3Xr5Tn7Yp9Bd2"
OTHER_KEY = "another-key-Hs4Kf6Mj8Nc0Qg2We4"
# Rule-detected values (validated detectors): found whatever the model says.
EMAIL_A = "alice.moreau@example.com"
EMAIL_B = "bjorn.lindqvist@example.org"
CARD = "4111 1111 1111 1111"
CORPUS = [
    {"id": "d1", "text": f"Please write to {EMAIL_A} about the invoice.\nThanks,\n  the team"},
    {"id": "d2", "text": f"Forwarding: {EMAIL_A} and {EMAIL_B} both asked.\tCard {CARD} was charged."},
    {"id": "d3", "text": "Nothing sensitive in here, just the weather report for Tuesday."},
    {"id": "d4", "text": ""},
    {"id": "d5", "text": None},  # an error row: redacted text must be null
    {"id": "d6", "text": f"Reply to {EMAIL_B} — merci, à bientôt 👋\n\n{EMAIL_B}"},
]
SHAPE = {  # what a replaced span looks like in each style, as a regex
    "type": r"\[[A-Z_]+\]",
    "pseudonym": r"[A-Z_]+_[0-9a-f]{8}",
    "hash": r"[A-Z_]+:[0-9a-f]{12}",
}


def _write_corpus(path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CORPUS), encoding="utf-8")
    return path


def _scan(scanner, corpus: Path, out: Path, style: str | None, monkeypatch, key: str | None = KEY):
    if key is None:
        monkeypatch.delenv(KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    run_scan(RunOptions(inputs=[str(corpus)], out_dir=str(out), shard_size=4, redact=style, fresh=True), scanner)
    return out


def _by_id(folder: Path) -> dict[str, str | None]:
    rows = pq.read_table(folder).to_pylist()
    assert len({r["doc_id"] for r in rows}) == len(rows)
    return {r["doc_id"]: r["text"] for r in rows}


def _spans(out: Path) -> dict[str, list[tuple[int, int, str]]]:
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in pq.read_table(out / "spans").to_pylist():
        spans.setdefault(r["doc_id"], []).append((r["start"], r["end"], r["label"]))
    return {k: sorted(v) for k, v in spans.items()}


# --------------------------------------------------------------------------------------------- pure function


def test_styles_on_a_known_text():
    text = "Hi Ann Lee,\nmail ann@x.io now"
    spans = [Span(3, 10, "PERSON", 0.9, "model"), Span(17, 25, "EMAIL", 1.0, "email")]
    assert redact_text(text, spans, "mask") == "Hi *** ***,\nmail ******** now"
    assert redact_text(text, spans, "type") == "Hi [PERSON],\nmail [EMAIL] now"
    hashed = redact_text(text, spans, "hash")
    assert re.fullmatch(r"Hi PERSON:[0-9a-f]{12},\nmail EMAIL:[0-9a-f]{12} now", hashed)
    pseudo = redact_text(text, spans, "pseudonym", KEY.encode())
    assert re.fullmatch(r"Hi PERSON_[0-9a-f]{8},\nmail EMAIL_[0-9a-f]{8} now", pseudo)
    assert redact_text(text, [], "type") == text


def test_overlapping_unsorted_and_out_of_range_spans_are_covered():
    text = "0123456789abcdef"
    spans = [Span(8, 12, "B", 1, "x"), Span(2, 6, "A", 1, "x"), Span(4, 9, "C", 1, "x"),
             Span(14, 99, "D", 1, "x"), Span(5, 5, "E", 1, "x")]
    assert redact_text(text, spans, "mask") == "01**********cd**"
    assert redact_text(text, spans, "type") == "01[A]cd[D]"  # one region per overlapping group


def test_unknown_style_and_missing_key():
    with pytest.raises(RedactError, match="unknown redaction style"):
        redact_text("x", [], "blur")
    with pytest.raises(RedactError):
        redact_text("abc", [Span(0, 1, "A", 1, "x")], "pseudonym", None)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=60),
    raw=st.lists(st.tuples(st.integers(-5, 70), st.integers(0, 20), st.sampled_from(["EMAIL", "PHONE"])), max_size=6),
    style=st.sampled_from(STYLES),
)
def test_property_spans_gone_rest_kept(text, raw, style):
    spans = [Span(a, a + n, label, 1.0, "x") for a, n, label in raw]
    out = redact_text(text, spans, style, KEY.encode())
    covered = set()
    for s in spans:
        covered.update(range(max(0, s.start), min(len(text), s.end)))
    if style == "mask":
        assert len(out) == len(text)
        for i, ch in enumerate(text):
            assert out[i] == (ch if i not in covered or ch.isspace() else "*")
    else:
        # The text between regions survives, in order, and each region (overlapping spans merged;
        # touching ones stay two) became one token of the style.
        regions: list[list[int]] = []
        for a, b in sorted((max(0, s.start), min(len(text), s.end)) for s in spans):
            if b <= a:
                continue
            if regions and a < regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], b)
            else:
                regions.append([a, b])
        bounds = [0] + [x for r in regions for x in r] + [len(text)]
        gaps = [text[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2)]
        pattern = SHAPE[style].join(re.escape(g) for g in gaps)
        assert re.fullmatch(pattern, out, flags=re.S), (text, spans, out)


# --------------------------------------------------------------------------------------------- keys


def test_key_sources_and_errors(tmp_path):
    assert load_key({KEY_ENV: KEY}) == KEY.encode()
    f = tmp_path / "key"
    f.write_text(KEY + "\n")
    assert load_key({KEY_FILE_ENV: str(f)}) == KEY.encode()
    with pytest.raises(RedactError) as e:
        load_key({})
    assert KEY_ENV in str(e.value) and KEY_FILE_ENV in str(e.value)
    with pytest.raises(RedactError, match="only one"):
        load_key({KEY_ENV: KEY, KEY_FILE_ENV: str(f)})
    with pytest.raises(RedactError, match="at least 16") as e:
        load_key({KEY_ENV: "short-secret"})
    assert "short-secret" not in str(e.value)
    with pytest.raises(RedactError, match="cannot read"):
        load_key({KEY_FILE_ENV: str(tmp_path / "nope")})
    assert build_redactor("mask", {}).style == "mask"  # only pseudonym needs a key
    assert build_redactor(None, {}) is None
    assert KEY not in repr(build_redactor("pseudonym", {KEY_ENV: KEY}))


def test_pseudonym_without_key_is_a_clear_fatal_error(tmp_path, monkeypatch):
    corpus = _write_corpus(tmp_path / "c.jsonl")
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "o"), "-q", "--redact",
                                    "pseudonym", "--no-model"])
    assert res.exit_code == 1, res.output
    assert KEY_ENV in res.stderr and KEY_FILE_ENV in res.stderr


# --------------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def scans(scanner, tmp_path_factory):
    """One real scan per style over the same corpus (the model included)."""
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("redact")
    corpus = _write_corpus(root / "corpus.jsonl")
    outs = {style: _scan(scanner, corpus, root / style, style, mp) for style in STYLES}
    outs["other-key"] = _scan(scanner, corpus, root / "other-key", "pseudonym", mp, key=OTHER_KEY)
    mp.undo()
    return corpus, outs


@pytest.mark.parametrize("style", STYLES)
def test_scan_redact_removes_every_span_and_keeps_the_rest(scans, style):
    corpus, outs = scans
    out = outs[style]
    texts = {r["id"]: r["text"] for r in CORPUS}
    red = _by_id(out / "redacted")
    spans = _spans(out)
    assert set(red) == set(texts)
    assert red["d5"] is None  # error row: nothing to redact it with, so nothing is written
    assert red["d4"] == ""
    if not spans.get("d3"):
        assert red["d3"] == texts["d3"]
    all_red = "\n".join(t for t in red.values() if t)
    for value in (EMAIL_A, EMAIL_B, CARD, "alice.moreau", "lindqvist"):
        assert value not in all_red
    for doc_id, text in texts.items():
        if text is None:
            continue
        regions = spans.get(doc_id, [])
        covered = set()
        for a, b, _ in regions:
            covered.update(range(a, b))
        kept = "".join(ch if i not in covered else "\0" for i, ch in enumerate(text))
        for a, b, _ in regions:  # a span's text survives only where the same text was never flagged
            value = text[a:b]
            if len(value.strip()) >= 4 and value not in kept:
                assert value not in red[doc_id], (style, doc_id, value)
        if style == "mask":
            assert len(red[doc_id]) == len(text)
            for i, ch in enumerate(text):
                if i not in covered or ch.isspace():
                    assert red[doc_id][i] == ch
                else:
                    assert red[doc_id][i] == "*"
        else:
            gaps = [text[0:regions[0][0]]] if regions else [text]
            for (_a, b, _), nxt in zip(regions, regions[1:] + [(len(text), 0, "")]):
                gaps.append(text[b:nxt[0]])
            assert re.fullmatch(SHAPE[style].join(re.escape(g) for g in gaps), red[doc_id], flags=re.S)


def test_pseudonyms_are_consistent_and_keyed(scans):
    _, outs = scans
    red, other = _by_id(outs["pseudonym"] / "redacted"), _by_id(outs["other-key"] / "redacted")
    names = lambda t: re.findall(r"EMAIL_[0-9a-f]{8}", t)  # noqa: E731  (the e-mail rule finds all four)
    a1, = names(red["d1"])
    a2, b2 = names(red["d2"])
    b6, b6_again = names(red["d6"])
    assert a1 == a2 and b2 == b6 == b6_again and a1 != b2  # same value -> same pseudonym, everywhere
    assert names(other["d1"])[0] != a1  # another key -> other pseudonyms
    assert red["d3"] == other["d3"]  # text without findings does not depend on the key


def test_key_and_span_text_never_written(scans):
    _, outs = scans
    for out in outs.values():
        for path in out.rglob("*"):
            if path.is_dir():
                assert path.stat().st_mode & 0o777 == DIR_MODE, path
                continue
            assert path.stat().st_mode & 0o777 == FILE_MODE, path
            data = path.read_bytes()
            for secret in (KEY, OTHER_KEY):
                assert secret.encode() not in data, path
            if path.name == "manifest.json":
                assert EMAIL_A.encode() not in data
        assert (out / "redacted").is_dir()


@pytest.mark.parametrize("style", ["mask", "pseudonym"])
def test_redact_command_equals_scan_redact(scans, tmp_path, monkeypatch, style):
    corpus, outs = scans
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    dest = tmp_path / "red"
    res = CliRunner().invoke(main, ["redact", str(outs[style]), str(corpus), "-o", str(dest), "--style", style,
                                    "--shard-size", "3"])
    assert res.exit_code == 3, res.output  # d5 is an error row (null text), as in the scan
    assert "1 error" in res.stderr
    assert pq.read_table(dest).to_pylist() == pq.read_table(outs[style] / "redacted").to_pylist()
    assert dest.stat().st_mode & 0o777 == DIR_MODE
    assert all(p.stat().st_mode & 0o777 == FILE_MODE for p in dest.iterdir())
    # Again into the same folder: refused unless --overwrite (stale parts would mix in).
    again = ["redact", str(outs[style] / "spans"), str(corpus), "-o", str(dest), "--style", style]
    assert CliRunner().invoke(main, again).exit_code == 1
    assert CliRunner().invoke(main, again + ["--overwrite"]).exit_code == 3
    # Without --shard-size the scan's own (from its manifest) is used: the same parts as the scan's.
    names = lambda d: sorted(p.name for p in d.glob("part-*.parquet"))  # noqa: E731
    assert names(dest) == names(outs[style] / "redacted") == ["part-00000.parquet", "part-00001.parquet"]
    assert pq.read_table(dest).to_pylist() == pq.read_table(outs[style] / "redacted").to_pylist()


def test_redact_command_never_copies_unscanned_or_changed_documents(scans, tmp_path):
    corpus, outs = scans
    changed = tmp_path / "corpus.jsonl"
    rows = [dict(r) for r in CORPUS] + [{"id": "new", "text": f"not scanned: {EMAIL_A}"}]
    rows[0]["text"] += " (edited)"
    changed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = CliRunner().invoke(main, ["redact", str(outs["type"]), str(changed), "-o", str(tmp_path / "r"),
                                    "--style", "type"])
    assert res.exit_code == 3, res.output
    red = _by_id(tmp_path / "r")
    assert red["new"] is None and red["d1"] is None  # withheld, not leaked
    assert red["d2"] is not None and EMAIL_A not in red["d2"]


def test_fresh_clears_redacted_and_resume_must_keep_the_style(scanner, tmp_path, monkeypatch):
    corpus = _write_corpus(tmp_path / "c.jsonl")
    out = _scan(scanner, corpus, tmp_path / "o", "type", monkeypatch)
    stale = out / "redacted" / "part-00099.parquet"  # e.g. left by a killed run: not committed
    stale.write_bytes(b"x")
    opts = RunOptions(inputs=[str(corpus)], out_dir=str(out), shard_size=4, redact="mask")
    from scanner.resume import ResumeRefused

    with pytest.raises(ResumeRefused, match="redact"):
        run_scan(opts, scanner)  # resuming with another style would mix two styles in one folder
    assert not stale.exists()  # orphan parts of uncommitted shards are removed on every start
    opts.fresh = True
    summary, _ = run_scan(opts, scanner)
    assert summary.shards_resumed == 0
    assert "*" in _by_id(out / "redacted")["d1"]
