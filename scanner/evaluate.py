"""Score detections against gold spans: what `pii-scanner eval` prints and the benchmarks compare.

Scoring is a pure function of (texts, gold spans, predicted spans), so the scanner, Presidio and any
other tool are scored by the same code. The scanner's predictions come from ``Scanner.scan_shard``,
the exact code path ``scan`` runs (model, pattern detectors, merge, thresholds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .jsonl import iter_jsonl
from .records import Document, Span


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    n_docs: int = 0
    exact: dict[str, PRF] = field(default_factory=dict)  # per label
    overlap: dict[str, PRF] = field(default_factory=dict)  # per label
    agnostic_overlap: PRF = field(default_factory=PRF)  # any label, overlapping
    char: PRF = field(default_factory=PRF)  # characters, label-agnostic (what redaction needs)

    def micro(self, table: dict[str, PRF]) -> PRF:
        return PRF(sum(p.tp for p in table.values()), sum(p.fp for p in table.values()),
                   sum(p.fn for p in table.values()))

    def as_dict(self) -> dict:
        labels = sorted(set(self.exact) | set(self.overlap))
        return {
            "n_docs": self.n_docs,
            "micro_exact": self.micro(self.exact).as_dict(),
            "micro_overlap": self.micro(self.overlap).as_dict(),
            "agnostic_overlap": self.agnostic_overlap.as_dict(),
            "char": self.char.as_dict(),
            "per_label": {l: {"exact": self.exact.get(l, PRF()).as_dict(),
                              "overlap": self.overlap.get(l, PRF()).as_dict()} for l in labels},
        }


def _match(gold: list[tuple[int, int]], pred: list[tuple[int, int]], exact: bool) -> int:
    """One-to-one matches; overlap mode pairs each prediction with the unmatched gold it overlaps most."""
    if exact:
        g = set(gold)
        return sum(1 for p in set(pred) if p in g)
    used = [False] * len(gold)
    hits = 0
    for ps, pe in sorted(pred):
        best, best_ov = -1, 0
        for k, (gs, ge) in enumerate(gold):
            ov = min(pe, ge) - max(ps, gs)
            if ov > best_ov and not used[k]:
                best, best_ov = k, ov
        if best >= 0:
            used[best] = True
            hits += 1
    return hits


def _add(table: dict[str, PRF], label: str, tp: int, n_pred: int, n_gold: int) -> None:
    prf = table.setdefault(label, PRF())
    prf.tp += tp
    prf.fp += n_pred - tp
    prf.fn += n_gold - tp


def score(texts: Sequence[str], gold: Sequence[Iterable], pred: Sequence[Iterable],
          labels: set[str] | None = None) -> Report:
    """Score predictions; spans are anything with ``start``, ``end``, ``label`` (Span or dict).

    ``labels`` restricts scoring to a label subset (e.g. the labels a peer tool can produce).
    """
    rep = Report(n_docs=len(texts))

    def norm(spans) -> list[tuple[int, int, str]]:
        out = []
        for s in spans:
            start, end, label = (s["start"], s["end"], s["label"]) if isinstance(s, dict) else (s.start, s.end, s.label)
            if labels is None or label in labels:
                out.append((int(start), int(end), label))
        return out

    for text, g_spans, p_spans in zip(texts, gold, pred):
        g, p = norm(g_spans), norm(p_spans)
        for label in {x[2] for x in g} | {x[2] for x in p}:
            gl = [(s, e) for s, e, l in g if l == label]
            pl = [(s, e) for s, e, l in p if l == label]
            _add(rep.exact, label, _match(gl, pl, exact=True), len(pl), len(gl))
            _add(rep.overlap, label, _match(gl, pl, exact=False), len(pl), len(gl))
        ga, pa = [(s, e) for s, e, _ in g], [(s, e) for s, e, _ in p]
        tp = _match(ga, pa, exact=False)
        rep.agnostic_overlap.tp += tp
        rep.agnostic_overlap.fp += len(pa) - tp
        rep.agnostic_overlap.fn += len(ga) - tp
        gm = np.zeros(len(text) + 1, dtype=bool)
        pm = np.zeros(len(text) + 1, dtype=bool)
        for s, e in ga:
            gm[s:e] = True
        for s, e in pa:
            pm[s:e] = True
        # Whitespace inside a span is not sensitive; counting it would reward sloppy boundaries.
        ws = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) if text else np.zeros(0, np.uint32)
        content = np.ones(len(text) + 1, dtype=bool)
        content[:len(text)] = ~np.isin(ws, [9, 10, 13, 32])
        content[len(text)] = False
        rep.char.tp += int((gm & pm & content).sum())
        rep.char.fp += int((~gm & pm & content).sum())
        rep.char.fn += int((gm & ~pm & content).sum())
    return rep


def load_labeled(path: str | Path, label_map: dict[str, str | None] | None = None) -> list[dict]:
    """Read ``{"id","text","spans":[{"start","end","label"}]}`` lines (``.gz`` too); map foreign labels, drop
    unmapped None. A line that is not such a record raises ``ValueError`` naming the file and line."""
    records = []
    for n, r in iter_jsonl(path):
        try:
            text = r["text"]
            spans = r.get("spans") or []
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{n}: not a labelled record ({exc!r})") from None
        if label_map:
            spans = [dict(s, label=label_map.get(s["label"], s["label"])) for s in spans]
            spans = [s for s in spans if s["label"]]
        records.append({"id": str(r.get("id", n)), "text": text, "spans": spans})
    return records


def predict(scanner, records: list[dict], batch: int = 256) -> list[list[Span]]:
    """The scanner's spans for labelled records, through ``scan_shard`` exactly as ``scan`` runs it."""
    out: list[list[Span]] = []
    for i in range(0, len(records), batch):
        docs = [Document(r["id"], "eval", r["text"]) for r in records[i:i + batch]]
        out += [res.spans for res in scanner.scan_shard(docs)]
    return out


def render(report: Report, console, title: str = "evaluation") -> None:
    """A per-label table plus the micro, label-agnostic and character-level rows."""
    from rich.table import Table

    t = Table(title=f"{title} ({report.n_docs} documents)")
    for col in ("label", "P exact", "R exact", "F1 exact", "P overlap", "R overlap", "F1 overlap", "gold"):
        t.add_column(col, justify="right" if col != "label" else "left")

    def row(name: str, ex: PRF | None, ov: PRF, style: str | None = None) -> None:
        cells = [f"{ex.precision:.3f}", f"{ex.recall:.3f}", f"{ex.f1:.3f}"] if ex else ["", "", ""]
        t.add_row(name, *cells, f"{ov.precision:.3f}", f"{ov.recall:.3f}", f"{ov.f1:.3f}",
                  str(ov.tp + ov.fn), style=style)

    for label in sorted(report.overlap):
        row(label, report.exact.get(label, PRF()), report.overlap[label])
    t.add_section()
    row("micro", report.micro(report.exact), report.micro(report.overlap), "bold")
    row("any label (overlap)", None, report.agnostic_overlap)
    row("characters", None, report.char)
    console.print(t)


def evaluate_generated(model_path: str | Path | None, n: int, seed: int) -> Report:
    """Held-out metrics right after training, on generator templates training never saw (``None``: the
    default model, as ``ModelInfo.resolve`` finds it)."""
    from rich.console import Console

    from .pipeline import Scanner, ScanOptions
    from .train.generator import generate

    records = list(generate(n, seed, "heldout"))
    scanner = Scanner(ScanOptions(model=model_path))
    rep = score([r["text"] for r in records], [r["spans"] for r in records], predict(scanner, records))
    render(rep, Console(), title=f"held-out, seed {seed}")
    return rep
