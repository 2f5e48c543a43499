"""The corpus every tool of one ``run.py`` benchmark reads, and what is counted about it once.

Held-out generated documents (``scanner.train.generator.generate(n, seed, "heldout")``: templates and
genres training never saw) plus a few long documents made by joining held-out documents. Our
tokenizer counts its tokens once: that count is the tokens/s denominator for every tool.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path


def join_docs(docs: list[dict], target_chars: int, doc_id: str) -> dict:
    """Documents joined with blank lines until ``target_chars``, gold spans shifted along."""
    parts, spans, pos = [], [], 0
    for d in docs:
        if pos >= target_chars:
            break
        if parts:
            parts.append("\n\n")
            pos += 2
        spans += [{"start": s["start"] + pos, "end": s["end"] + pos, "label": s["label"]}
                  for s in d["spans"]]
        parts.append(d["text"])
        pos += len(d["text"])
    return {"id": doc_id, "text": "".join(parts), "genre": "long", "spans": spans}


def build_corpus(n_docs: int, n_long: int, long_chars: int, seed: int) -> list[dict]:
    """Held-out docs, with ``n_long`` long ones (joined held-out docs) spread evenly among them."""
    from scanner.train.generator import generate

    docs = list(generate(n_docs, seed, "heldout"))
    if n_long:
        pool = list(generate(max(50, n_long * long_chars // 700), seed + 1, "heldout"))
        per = max(1, len(pool) // n_long)
        longs = [join_docs(pool[i * per:] + pool, long_chars, f"long-{seed}-{i}") for i in range(n_long)]
        for k, d in enumerate(longs):
            docs.insert((k + 1) * len(docs) // (n_long + 1), d)
    return docs


def heldout_corpus(path: Path, n: int, seed: int) -> int:
    """``n`` held-out documents as ``{"id", "text"}`` lines (what a scan reads); returns the count."""
    from scanner.jsonl import write_jsonl
    from scanner.train.generator import generate

    return write_jsonl(path, ({"id": d["id"], "text": d["text"]} for d in generate(n, seed, "heldout")))


def corpus_meta(docs: list[dict], model: str | None, max_length: int, stride: int) -> dict:
    """Characters and tokens per document, and the token length of every window the scanner makes."""
    from scanner.model import ModelInfo
    from scanner.windows import make_windows, rust_tokenizer, tokenize

    tok = rust_tokenizer(ModelInfo.resolve(model).tokenizer())
    toks = tokenize(tok, [d["text"] for d in docs])
    lengths = []
    for i, t in enumerate(toks):
        if len(t):
            lengths += [len(w.ids) for w in make_windows(i, len(t), t.ids, max_length - 2, stride)]
    return {"chars": [len(d["text"]) for d in docs], "tokens": [len(t) for t in toks],
            "window_lengths": lengths}


@dataclass(frozen=True)
class Corpus:
    """The corpus as the workers read it: ``corpus.jsonl`` (id, text), ``gold.jsonl`` (with spans) and
    ``meta.json`` (``corpus_meta``), and the summary that goes into the result."""

    corpus: Path
    gold: Path
    meta_path: Path
    meta: dict
    summary: dict


def load_or_build(args) -> tuple[list[dict], str]:
    """``--corpus`` when it exists (``--docs``: a prefix of it), else a generated one (saved to
    ``--corpus`` when given). Returns the documents and where they came from."""
    from scanner.jsonl import read_jsonl, write_jsonl

    if args.corpus and Path(args.corpus).exists():
        return read_jsonl(args.corpus, args.docs), args.corpus
    docs = build_corpus(args.n_docs, args.n_long, args.long_chars, args.seed)
    if args.corpus:
        write_jsonl(args.corpus, docs)
    return docs, "generated"


def write_corpus(docs: list[dict], source: str, work: Path, model: str, max_length: int, stride: int,
                 seed: int) -> Corpus:
    """The worker's files under ``work``, and the token and window counts (our tokenizer)."""
    from scanner.jsonl import write_jsonl

    gold, corpus, meta_path = work / "gold.jsonl", work / "corpus.jsonl", work / "meta.json"
    write_jsonl(gold, ({"id": d["id"], "text": d["text"], "spans": d["spans"]} for d in docs))
    write_jsonl(corpus, ({"id": d["id"], "text": d["text"]} for d in docs))
    meta = corpus_meta(docs, model, max_length, stride)
    meta_path.write_text(json.dumps(meta))
    summary = {
        "docs": len(docs), "long_docs": sum(1 for d in docs if d.get("genre") == "long"),
        "chars": sum(meta["chars"]), "tokens": sum(meta["tokens"]),
        "windows": len(meta["window_lengths"]), "window_tokens": sum(meta["window_lengths"]),
        "seed": seed, "source": source, "split": "heldout",
        "chars_p50": int(statistics.median(meta["chars"])), "chars_max": max(meta["chars"])}
    return Corpus(corpus, gold, meta_path, meta, summary)


def read_meta(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())
