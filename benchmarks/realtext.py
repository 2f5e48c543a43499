"""Real-text evaluation: false findings on public technical text, tier shares, side by side with peers.

Synthetic held-out scores hide how a model behaves on text nobody generated. This builds, at run time,
a corpus of real public documents from local sources that training never reads
(``scanner.train.realtext`` reads other places):

* ``npm-readme``: the READMEs and docs that npm bundles with its dependencies (markdown, code blocks,
  tables, shell sessions);
* ``perl-pod``: Perl's own POD manuals (perlfaq, perlop...): reference prose with code;
* ``man-other``: man pages in Italian, Polish, Portuguese, Dutch and Swedish (training reads only
  English, German, French and Spanish ones);
* ``js-code``: npm's bundled JavaScript sources, which must keep the ``source_code`` category.

None of it holds personal data on purpose, so every identifier or credential finding (any label but
PERSON, ORGANIZATION, LOCATION, DATE, URL) is counted as false; the real e-mail address of a package
author would count too, so the numbers are an upper bound. Reported per tool: such findings per
10,000 characters by label, the share of prose documents at tier 1 (scanner only: peers have no
policy), the share of code documents with ``source_code``, and optionally the synthetic held-out
scores. ``python benchmarks/realtext.py [--peers] [--heldout N]``; results go to
``benchmarks/results/realtext-<machine>-<UTC time>.{json,md}`` (``benchlib.results``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchlib.machine import machine_line  # noqa: E402
from benchlib.results import utc_iso, write_result  # noqa: E402

from scanner.train.realtext import RealDoc, read_text, render_man, stable_hash  # noqa: E402

NPM_ROOT = Path("/usr/lib/node_modules/npm")
PERL_POD = [Path("/usr/share/perl"), Path("/usr/lib/x86_64-linux-gnu/perl")]
OTHER_MAN_LANGS = ("it", "pl", "pt", "nl", "sv")
SOFT_LABELS = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "DATE", "URL"})
MAX_CHARS = 20_000


def _cap(text: str) -> str:
    return text[:MAX_CHARS]


def npm_docs(limit: int) -> list[RealDoc]:
    files = sorted(p for p in NPM_ROOT.rglob("*.md") if p.is_file())
    files = [p for p in files if p.name.lower() not in ("changelog.md", "history.md", "license.md")]
    out = [RealDoc(_cap(t), "npm-readme", str(p.relative_to(NPM_ROOT))) for p in files
           if (t := read_text(p)) and len(t) > 300]
    return sorted(out, key=lambda d: stable_hash(d.source))[:limit]


def js_code(limit: int) -> list[RealDoc]:
    files = sorted(p for p in NPM_ROOT.rglob("*.js") if p.is_file() and 1500 < p.stat().st_size < 60_000)
    docs = [RealDoc(_cap(t), "js-code", str(p.relative_to(NPM_ROOT))) for p in files if (t := read_text(p))]
    return sorted(docs, key=lambda d: stable_hash(d.source))[:limit]


def perl_pod(limit: int) -> list[RealDoc]:
    files = sorted(p for root in PERL_POD if root.is_dir() for p in root.rglob("*.pod"))
    docs = []
    for p in sorted(files, key=lambda p: stable_hash(p.name))[:limit]:
        if (t := read_text(p)) and len(t) > 300:
            # A long manual becomes a few documents from its start, middle and end.
            for k, off in enumerate(sorted({0, len(t) // 2, max(0, len(t) - MAX_CHARS)})):
                docs.append(RealDoc(t[off:off + MAX_CHARS // 2], "perl-pod", f"{p.name}#{k}"))
    return docs[:limit]


def other_man(limit_per_lang: int) -> list[RealDoc]:
    docs = []
    for lang in OTHER_MAN_LANGS:
        root = Path("/usr/share/man") / lang
        files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: stable_hash(str(p)))
        n = 0
        for p in files:
            if n >= limit_per_lang:
                break
            if (t := render_man(p)) and len(t) > 300:
                docs.append(RealDoc(_cap(t), "man-other", str(p), lang))
                n += 1
    return docs


def build_corpus(n: int) -> list[RealDoc]:
    """About n prose documents and n/4 code documents, the same set on every run of one machine."""
    prose = npm_docs(n // 2) + perl_pod(n // 4) + other_man(max(1, n // 4 // len(OTHER_MAN_LANGS)))
    return prose + js_code(max(1, n // 4))


# -- scoring --------------------------------------------------------------------------------------

def false_findings(docs: list[RealDoc], spans: list[list]) -> dict:
    """Identifier/credential findings per 10,000 characters, by label and by family."""
    by_label: Counter = Counter()
    by_family: Counter = Counter()
    chars_family: Counter = Counter()
    model_only = 0
    for d, ss in zip(docs, spans):
        chars_family[d.family] += len(d.text)
        for s in ss:
            label = s["label"] if isinstance(s, dict) else s.label
            if label not in SOFT_LABELS:
                by_label[label] += 1
                by_family[d.family] += 1
                model_only += getattr(s, "detector", "model") == "model"
    chars = sum(chars_family.values()) or 1
    return {
        "chars": chars,
        "per_10k": round(sum(by_label.values()) * 1e4 / chars, 2),
        # Validated detectors find real addresses too (a translator's e-mail in a man page): the
        # model's own findings are the ones that are almost all false here.
        "per_10k_model": round(model_only * 1e4 / chars, 2),
        "per_10k_by_label": {k: round(v * 1e4 / chars, 2) for k, v in by_label.most_common()},
        "per_10k_by_family": {f: round(by_family[f] * 1e4 / max(1, c), 2) for f, c in chars_family.items()},
    }


# "Jane Roe <jane@example.org>": an author or translator credit, where the name is certainly a person.
_CREDIT = re.compile(r"(?m)(?<![\w.])([A-ZÀ-Þ][a-zß-ÿ]+(?:[ -](?:[A-ZÀ-Þ]\.|[A-ZÀ-Þ][a-zß-ÿ]+)){1,3})\s*[<(]?[\w.+-]+@[\w-]+\.[\w.-]+")


def credit_names(docs: list[RealDoc], spans: list[list]) -> dict:
    """Recall of PERSON on names written beside an e-mail address in the real corpus."""
    found = total = 0
    for d, ss in zip(docs, spans):
        persons = [(s.start, s.end) for s in ss if s.label == "PERSON"]
        for m in _CREDIT.finditer(d.text):
            total += 1
            found += any(a < m.end(1) and m.start(1) < b for a, b in persons)
    return {"credit_names": total, "credit_name_recall": round(found / total, 3) if total else None}


def examples(docs: list[RealDoc], spans: list[list], k: int = 40, seed: int = 0) -> list[str]:
    """A sample of false findings as `label: text` (public text, so printing it is fine)."""
    found = [(s.label, d.text[s.start:s.end][:60], d.family) for d, ss in zip(docs, spans)
             for s in ss if s.label not in SOFT_LABELS]
    random.Random(seed).shuffle(found)
    return [f"{lab} [{fam}]: {txt!r}" for lab, txt, fam in found[:k]]


def scan_scanner(docs: list[RealDoc], model: str | None, precision: str) -> tuple[list, dict]:
    from scanner.pipeline import Scanner, ScanOptions
    from scanner.records import Document

    sc = Scanner(ScanOptions(model=model, precision=precision))
    t0 = time.perf_counter()
    results = []
    for k in range(0, len(docs), 64):
        part = docs[k:k + 64]
        results += sc.scan_shard([Document(f"d{k + i}", d.family, d.text) for i, d in enumerate(part)])
    wall = time.perf_counter() - t0
    prose = [r for d, r in zip(docs, results) if d.family != "js-code"]
    code = [r for d, r in zip(docs, results) if d.family == "js-code"]
    by_family: dict[str, Counter] = {}
    for d, r in zip(docs, results):
        by_family.setdefault(d.family, Counter())[r.tier] += 1
    cats: Counter = Counter(c for r in prose for c in r.categories)
    tiers = {
        "prose_tier1_share": round(sum(r.tier == 1 for r in prose) / max(1, len(prose)), 3),
        "prose_tiers_by_family": {f: dict(sorted(c.items())) for f, c in by_family.items()},
        "prose_categories": dict(cats.most_common()),
        "code_source_code_share": round(sum("source_code" in r.categories for r in code) / max(1, len(code)), 3),
        "languages": dict(Counter(getattr(r, "language", None) or "-" for r in results).most_common(8)),
        "wall_s": round(wall, 1),
    }
    return [r.spans for r in results], tiers


def scan_peer(name: str, docs: list[RealDoc]) -> list[list[dict]]:
    import peers

    predict = peers.load_presidio() if name == "presidio" else peers.load_rampart()
    return [predict(d.text) for d in docs]


def heldout_scores(model: str | None, n: int, seed: int = 14) -> dict:
    from scanner.evaluate import evaluate_generated

    rep = evaluate_generated(model, n, seed).as_dict()  # None: ModelInfo.resolve's default
    return {k: rep[k] for k in ("micro_overlap", "micro_exact", "char") if k in rep}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=240, help="about this many prose documents")
    ap.add_argument("--model", default=None)
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--peers", action="store_true", help="also Presidio and Rampart")
    ap.add_argument("--heldout", type=int, default=0, help="also synthetic held-out scores on N docs")
    ap.add_argument("--examples", type=int, default=0, help="print N sample false findings")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args(argv)
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

    docs = build_corpus(args.n)
    fam = Counter(d.family for d in docs)
    print(f"corpus: {len(docs)} documents {dict(fam)}, {sum(len(d.text) for d in docs):,} chars", flush=True)
    prose = [d for d in docs if d.family != "js-code"]
    spans, tiers = scan_scanner(docs, args.model, args.precision)
    prose_spans = [s for d, s in zip(docs, spans) if d.family != "js-code"]
    res = {"pii-scanner": {**false_findings(prose, prose_spans), **tiers, **credit_names(prose, prose_spans)}}
    if args.examples:
        print("\n".join(examples(prose, prose_spans, args.examples)))
    if args.peers:
        for peer in ("presidio", "rampart"):
            t0 = time.perf_counter()
            res[peer] = {**false_findings(prose, scan_peer(peer, prose)), "wall_s": round(time.perf_counter() - t0, 1)}
    from scanner.model import ModelInfo

    model = ModelInfo.resolve(args.model)
    doc = {"when": utc_iso(),
           "corpus": {"documents": len(docs), "families": dict(fam),
                      "chars": sum(len(d.text) for d in docs)},
           "model": f"{model.id} (sha256 {model.sha256[:12]})", "precision": args.precision, "results": res}
    if args.heldout:
        doc["heldout"] = {"n": args.heldout, "seed": 14, **heldout_scores(args.model, args.heldout)}
    write_result("realtext", doc, render, args.out)
    return 0


def render(doc: dict) -> str:
    m = doc["machine"]
    lines = [f"# Real-text evaluation {doc['when']}", "",
             f"{machine_line(m)}; model {doc['model']} "
             f"({doc['precision']}); corpus {doc['corpus']['documents']} docs {doc['corpus']['families']}, "
             f"{doc['corpus']['chars']:,} chars", "",
             "| tool | id/credential findings per 10K chars | of them by the model | top labels | prose at tier 1 | code with source_code |",
             "|---|---|---|---|---|---|"]
    for tool, r in doc["results"].items():
        top = ", ".join(f"{k} {v}" for k, v in list(r["per_10k_by_label"].items())[:5])
        lines.append(f"| {tool} | {r['per_10k']} | {r['per_10k_model'] if tool == 'pii-scanner' else '-'} | {top} | {r.get('prose_tier1_share', '-')} | "
                     f"{r.get('code_source_code_share', '-')} |")
    if "heldout" in doc:
        lines += ["", f"Synthetic held-out ({doc['heldout']['n']} docs, seed 14): "
                  + json.dumps({k: v for k, v in doc["heldout"].items() if k not in ("n", "seed")})]
    r = doc["results"]["pii-scanner"]
    lines += ["", f"PERSON recall on names written beside an e-mail (author and translator credits): "
              f"{r.get('credit_name_recall')} of {r.get('credit_names')}",
              "", f"pii-scanner per family: {r['per_10k_by_family']}",
              f"tiers by family: {r['prose_tiers_by_family']}", f"categories: {r['prose_categories']}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
