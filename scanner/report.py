"""One self-contained HTML report for the person who decides what may go to which LLM service.

Input: an audit state folder (``STATE/current`` + ``STATE/runs``: trend and changes) or a plain scan
output (``OUT/documents`` + ``manifest.json``: no trend). Charts are Plotly figures with plotly.js
inlined once, so the file opens offline; nothing is fetched from the network. Only what the tables
already hold goes in: ids, sources, tiers, categories, labels, counts, reasons and error kinds. The
tables never hold matched text (unless ``scan --include-text``, whose ``spans.text`` is never read here).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from .reasons import reason_lines
from .writers import DOCUMENTS_DIR, atomic_write_bytes, read_manifest

TEMPLATE = Path(__file__).parent / "templates" / "report.html"
COLUMNS = ["doc_id", "source", "status", "error", "tier", "tier_name", "categories", "reasons", "entity_counts"]
# Tier colours a person reads at a glance (and the browser test looks for in the screenshot).
TIER_COLORS = {1: "#2ca02c", 2: "#1f77b4", 3: "#ff7f0e", 4: "#d62728", None: "#7f7f7f"}
RISKIEST = 50


@dataclass
class ReportData:
    """Everything the template shows, computed from the tables and manifests."""

    title: str
    kind: str  # "audit" | "scan"
    generated: str
    documents: int = 0
    tiers: list[dict] = field(default_factory=list)  # tier, name, count, color
    categories: dict[str, int] = field(default_factory=dict)  # documents per category
    labels: dict[str, int] = field(default_factory=dict)  # findings per label
    label_docs: dict[str, int] = field(default_factory=dict)  # documents with the label
    trend: list[dict] = field(default_factory=list)  # run_id, finished, by_tier
    diff: dict | None = None
    riskiest: list[dict] = field(default_factory=list)
    problems: list[tuple[str, int]] = field(default_factory=list)  # "status: kind" -> documents
    sample: dict | None = None
    manifest: dict = field(default_factory=dict)


def _source(path: Path) -> tuple[str, Path, dict, list[dict], dict | None]:
    """(kind, folder with documents/, manifest, run manifests for the trend, diff or None)."""
    if (path / "current").is_dir():
        from .audit import DIFF, RUNS, current_run, run_ids

        cur = current_run(path)
        runs = [read_manifest(path / RUNS / r) or {} for r in run_ids(path)]
        diff = json.loads((path / RUNS / cur / DIFF).read_text(encoding="utf-8"))
        return "audit", path / "current", read_manifest(path / "current") or {}, runs, diff
    if (path / DOCUMENTS_DIR).is_dir():
        return "scan", path, read_manifest(path) or {}, [], None
    raise ValueError(f"{path}: neither an audit state folder (current/) nor a scan output (documents/)")


def _total(counts) -> int:
    return sum(n for _, n in (counts.items() if isinstance(counts, dict) else counts or []))


def load_report(path: str | Path) -> ReportData:
    """Read a state folder or scan output into ``ReportData``."""
    from .runner import reason_key

    path = Path(path)
    kind, folder, manifest, runs, diff = _source(path)
    rows = pq.read_table(folder / DOCUMENTS_DIR, columns=COLUMNS).to_pylist()
    data = ReportData(title=path.resolve().name, kind=kind, manifest=manifest, diff=diff,
                      generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                      documents=len(rows), sample=manifest.get("sample"))
    tiers, names = Counter(), {}
    cats, labels, label_docs, problems = Counter(), Counter(), Counter(), Counter()
    for r in rows:
        tiers[r["tier"]] += 1
        names[r["tier"]] = r["tier_name"] or "not scanned"
        cats.update(r["categories"])
        ec = dict(r["entity_counts"] or [])
        labels.update(ec)
        label_docs.update(ec.keys())
        if r["status"] != "ok":
            problems[f"{r['status']}: {reason_key(r['error'])}"] += 1
    data.tiers = [{"tier": t, "name": names[t], "count": tiers[t], "color": TIER_COLORS.get(t, "#7f7f7f")}
                  for t in sorted(tiers, key=lambda t: -1 if t is None else t)]
    data.categories = dict(cats.most_common())
    data.labels, data.label_docs = dict(labels.most_common()), dict(label_docs)
    data.problems = sorted(problems.items(), key=lambda x: (-x[1], x[0]))
    data.trend = [{"run_id": m.get("run_id"), "finished": m.get("finished"),
                   "by_tier": (m.get("counts") or {}).get("by_tier", {}),
                   "sampled": bool(m.get("sample"))} for m in runs]
    data.riskiest = _riskiest(rows)
    return data


def _riskiest(rows: list[dict]) -> list[dict]:
    """The highest-tier documents first, then those with the most findings."""
    ok = [r for r in rows if r["tier"] is not None]
    ok.sort(key=lambda r: (-r["tier"], -_total(r["entity_counts"]), r["doc_id"]))
    return [{"doc_id": r["doc_id"], "source": r["source"], "tier": r["tier"], "tier_name": r["tier_name"],
             "categories": ", ".join(r["categories"]), "findings": _total(r["entity_counts"]),
             "reasons": reason_lines(r["reasons"]), "color": TIER_COLORS.get(r["tier"])}
            for r in ok[:RISKIEST]]


_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}


def _layout(fig, title: str, height: int = 320):
    fig.update_layout(title=title, height=height, template="plotly_white", showlegend=fig.data and len(fig.data) > 1,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, font={"family": "sans-serif", "size": 13})
    return fig


def _charts(data: ReportData) -> dict[str, object]:
    """Plotly figures: tier distribution, categories, labels and (audits) the tier trend."""
    import plotly.graph_objects as go

    est = " (estimated from a sample)" if data.sample else ""
    figs = {"tiers": _layout(go.Figure(go.Bar(
        x=[f"tier {t['tier']} {t['name']}" if t["tier"] is not None else "not scanned" for t in data.tiers],
        y=[t["count"] for t in data.tiers], marker_color=[t["color"] for t in data.tiers],
        text=[t["count"] for t in data.tiers], textposition="auto")), f"Documents per tier{est}")}
    if data.categories:
        cats = list(data.categories)[::-1]
        figs["categories"] = _layout(go.Figure(go.Bar(y=cats, x=[data.categories[c] for c in cats], orientation="h",
                                                      marker_color="#9467bd")), "Documents per category",
                                     max(240, 28 * len(cats) + 80))
    if data.labels:
        labels = list(data.labels)[::-1]
        figs["labels"] = _layout(go.Figure(go.Bar(y=labels, x=[data.labels[x] for x in labels], orientation="h",
                                                  marker_color="#8c564b")), "Findings per label",
                                 max(240, 28 * len(labels) + 80))
    if data.trend:
        tiers = sorted({int(k) for run in data.trend for k in run["by_tier"]})
        x = [run["run_id"] for run in data.trend]
        fig = go.Figure([go.Scatter(x=x, y=[run["by_tier"].get(str(t), 0) for run in data.trend],
                                    mode="lines+markers", name=f"tier {t}", line_color=TIER_COLORS.get(t))
                         for t in tiers])
        figs["trend"] = _layout(fig, "Documents per tier, run by run")
        figs["trend"].update_layout(showlegend=True, xaxis_type="category", yaxis_rangemode="tozero")
    return figs


def render_report(data: ReportData) -> str:
    """The whole HTML document as one string (plotly.js, styles and data inline)."""
    import jinja2
    import plotly.io as pio
    import plotly.offline
    from markupsafe import Markup

    charts = {name: Markup(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                                       config=_CONFIG))
              for name, fig in _charts(data).items()}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE.name).render(d=data, charts=charts, plotly_js=Markup(plotly.offline.get_plotlyjs()))


def write_report(path: str | Path, out: str | Path) -> ReportData:
    """Read ``path`` (state folder or scan output) and write the report to ``out`` atomically."""
    data = load_report(path)
    atomic_write_bytes(render_report(data).encode("utf-8"), Path(out))
    return data
