"""Medians, spreads and paired ratios over a ``run.py`` benchmark's rounds, and its tables and chart."""

from __future__ import annotations

import statistics
from pathlib import Path

from .configs import CONFIGS


def _stats(values: list[float]) -> dict:
    if not values:
        return {}
    med = statistics.median(values)
    return {"median": med, "min": min(values), "max": max(values), "n": len(values),
            "spread_pct": 100 * (max(values) - min(values)) / med if med else 0.0}


def summarize(entry: dict, meta: dict) -> dict:
    runs = [r for r in entry["runs"] if r.get("ok")]
    if not runs:
        return {}
    n = runs[0]["n_docs"]
    tokens, chars = sum(meta["tokens"][:n]), sum(meta["chars"][:n])
    s = {"n_docs": n, "tokens": tokens, "chars": chars,
         "seconds": _stats([r["seconds"] for r in runs]),
         "docs_per_s": _stats([n / r["seconds"] for r in runs]),
         "tokens_per_s": _stats([tokens / r["seconds"] for r in runs]),
         "chars_per_s": _stats([chars / r["seconds"] for r in runs]),
         "peak_rss_mb": _stats([r["peak_rss_mb"] for r in runs]),
         "load_s": _stats([r["load_s"] for r in runs])}
    gpu = [r.get("gpu_process_mb") or r.get("gpu_torch_peak_mb") for r in runs]
    if any(g is not None for g in gpu):
        s["gpu_mem_mb"] = _stats([g for g in gpu if g is not None])
        torch_peak = [r["gpu_torch_peak_mb"] for r in runs if r.get("gpu_torch_peak_mb") is not None]
        if torch_peak:
            s["gpu_torch_peak_mb"] = _stats(torch_peak)
    if "model_only" in runs[0]:
        s["model_only_tokens_per_s"] = _stats([r["model_only"]["tokens_per_s"] for r in runs])
        s["e2e_over_model"] = _stats([tokens / r["seconds"] / r["model_only"]["tokens_per_s"]
                                      for r in runs])
        s["stages"] = {k: statistics.median(r["stages"][k] for r in runs) for k in runs[0]["stages"]}
        if runs[0].get("workers", 1) == 1:
            # Corpus tokens per second of everything but inference: what one process can feed a
            # device that costs nothing, so on a CPU box it already bounds a GPU run per process.
            s["host_tokens_per_s"] = _stats([tokens / max(1e-9, r["seconds"] - r["stages"]["infer"])
                                             for r in runs])
        s["backend"] = runs[0].get("backend")
    return s


def _paired(a: dict, b: dict, key: str) -> dict | None:
    """Ratio a/b of ``key`` per round (both ran in the same round), plus the ratio of medians."""
    sa, sb = a.get("summary"), b.get("summary")
    if not sa or not sb:
        return None
    unit = key if sa["n_docs"] == sb["n_docs"] else "tokens_per_s"
    ra = {r["round"]: r for r in a["runs"] if r.get("ok")}
    rb = {r["round"]: r for r in b["runs"] if r.get("ok")}

    def rate(s, r):
        base = {"docs_per_s": s["n_docs"], "tokens_per_s": s["tokens"], "chars_per_s": s["chars"]}[unit]
        return base / r["seconds"]

    per_round = [rate(sa, ra[k]) / rate(sb, rb[k]) for k in sorted(set(ra) & set(rb))]
    return {"unit": unit, "ratio_of_medians": sa[unit]["median"] / sb[unit]["median"],
            "per_round": per_round, "per_round_min": min(per_round, default=None),
            "per_round_max": max(per_round, default=None),
            "same_docs": sa["n_docs"] == sb["n_docs"]}


def compute_ratios(results: dict) -> dict:
    out: dict = {}
    scans = [n for n, e in results.items() if CONFIGS[n].kind == "scan" and e.get("summary")]
    for n in scans:
        pipe = f"pipeline-{CONFIGS[n].device}"
        if pipe in results and results[pipe].get("summary"):
            out[f"{n} / {pipe} (docs/s)"] = _paired(results[n], results[pipe], "docs_per_s")
        for peer in ("presidio", "rampart"):
            if peer in results and results[peer].get("summary"):
                out[f"{n} / {peer} (chars/s)"] = _paired(results[n], results[peer], "chars_per_s")
        s = results[n]["summary"]
        if "e2e_over_model" in s:
            runs = [r for r in results[n]["runs"] if r.get("ok")]
            per_run = [s["tokens"] / r["seconds"] / r["model_only"]["tokens_per_s"] for r in runs]
            out[f"{n}: end-to-end / model-only (tokens/s)"] = {
                "unit": "tokens_per_s",
                "ratio_of_medians": s["tokens_per_s"]["median"] / s["model_only_tokens_per_s"]["median"],
                "per_round": per_run, "per_round_min": min(per_run), "per_round_max": max(per_run)}
    return {k: v for k, v in out.items() if v}


def _fmt(x, nd=0) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and x >= 1000 and nd == 0:
        return f"{x:,.0f}"
    return f"{x:,.{nd}f}"


def _f1(q: dict | None, key: str, sub: str = "f1") -> str:
    if not q:
        return "-"
    block = q
    for k in key.split("."):
        block = block.get(k, {}) if isinstance(block, dict) else {}
    v = block.get(sub) if isinstance(block, dict) else None
    return "-" if v is None else f"{v:.3f}"


def _code_line(code: dict) -> str:
    if not code.get("snapshot"):
        return "live checkout"
    head = (code.get("git_head") or "no git")[:10]
    dirty = code.get("uncommitted") or []
    return (f"snapshot {code['snapshot_sha256'][:12]} of {head}"
            + (f" + {len(dirty)} uncommitted file(s)" if dirty else ""))


def _header(doc: dict) -> list[str]:
    m, c = doc["machine"], doc["corpus"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ""
    flags = f"; flags {' '.join(m['cpu_flags'])}" if m.get("cpu_flags") else ""
    lines = [f"# pii-scanner benchmark {doc['created']}", "",
             f"Machine: CPU {m['cpu']} ({m.get('usable_cpus', m['logical_cpus'])} usable cores, "
             f"{m.get('physical_cores', '?')} physical{flags}){gpu}; load average at start "
             f"{', '.join(f'{x:.1f}' for x in m['loadavg_start'])}.  ",
             f"Model: `{doc['model']['id']}` (sha256 {doc['model']['sha256'][:12]}); code: "
             f"{_code_line(doc.get('code', {}))}.  ",
             f"Corpus: {c['docs']} held-out generated docs ({c['long_docs']} long), "
             f"{c['chars']:,} chars, {c['tokens']:,} tokens (our tokenizer; {c['windows']:,} model "
             f"windows holding {c['window_tokens']:,} tokens with overlap); seed {c['seed']}.  ",
             f"Repeats: {doc['settings']['repeats']} interleaved rounds (order rotated per round); "
             f"medians, spread = (max-min)/median.", ""]
    if doc.get("complete") is False:
        lines[1:1] = ["", "**Partial: written after every run; this run had not finished.**"]
    return lines


def _main_table(results: dict) -> list[str]:
    hdr = ("| config | what | docs | docs/s | spread | tokens/s | chars/s | model-only tok/s "
           "| e2e/model | peak RSS MB | GPU MB | scored docs | F1 overlap | F1 exact | char R "
           "| F1 ovl @Presidio labels | F1 ovl @Rampart labels |")
    lines = [hdr, "|" + "|".join(["---"] * (hdr.count("|") - 1)) + "|"]
    for name, e in results.items():
        s, q = e.get("summary"), e.get("quality")
        cfg = CONFIGS[name]
        if not s:
            why = e.get("error") or e.get("skipped") or "no successful run"
            lines.append(f"| {name} | {cfg.what} | - | n/a: {why[:120].replace('|', '/')} "
                         + "| " * 13 + "|")
            continue
        mo = s.get("model_only_tokens_per_s", {}).get("median")
        ratio = s.get("e2e_over_model", {}).get("median")
        gpu_mb = s.get("gpu_mem_mb", {}).get("median")
        be = s.get("backend") or {}
        what = cfg.what + (f" [{be.get('precision')}, {be.get('provider') or be.get('device')}]"
                           if be else "")
        lines.append(
            f"| {name} | {what} | {s['n_docs']} | {_fmt(s['docs_per_s']['median'], 1)} "
            f"| {s['docs_per_s']['spread_pct']:.0f}% | {_fmt(s['tokens_per_s']['median'])} "
            f"| {_fmt(s['chars_per_s']['median'])} | {_fmt(mo)} "
            f"| {'-' if ratio is None else f'{ratio:.2f}'} | {_fmt(s['peak_rss_mb']['median'])} "
            f"| {_fmt(gpu_mb)} | {q.get('n_docs', '-') if q else '-'} | {_f1(q, 'micro_overlap')} "
            f"| {_f1(q, 'micro_exact')} "
            f"| {_f1(q, 'char', 'recall')} | {_f1(q, 'restricted_presidio.micro_overlap')} "
            f"| {_f1(q, 'restricted_rampart.micro_overlap')} |")
    lines += ["", "docs/s min-max per config: " + "; ".join(
        f"{n} {e['summary']['docs_per_s']['min']:.1f}-{e['summary']['docs_per_s']['max']:.1f}"
        for n, e in results.items() if e.get("summary")), ""]
    return lines


def _stage_table(results: dict) -> list[str]:
    rows = [(n, e["summary"]["stages"], e["summary"]["seconds"]["median"])
            for n, e in results.items() if e.get("summary", {}).get("stages")]
    if not rows:
        return []
    keys = list(rows[0][1])
    lines = ["Scanner stages, median seconds (share of wall) from the manifest's timings; io_other = "
             "wall - stages (read, parquet write, shard bookkeeping); host tok/s = corpus tokens / "
             "(wall - infer), one-process configs: the most one process can feed any device:", "",
             "| config | wall s | " + " | ".join(keys) + " | host tok/s |",
             "|" + "|".join(["---"] * (len(keys) + 3)) + "|"]
    for n, st, wall in rows:
        host = results[n]["summary"].get("host_tokens_per_s", {}).get("median")
        lines.append(f"| {n} | {wall:.2f} | " + " | ".join(
            f"{st[k]:.2f} ({100 * st[k] / wall:.0f}%)" for k in keys) + f" | {_fmt(host)} |")
    return lines + [""]


def _ratio_lines(ratios: dict) -> list[str]:
    if not ratios:
        return []
    lines = ["Ratios (median of per-round paired ratios, range; ratio of medians):", ""]
    for k, r in ratios.items():
        pr = r.get("per_round") or []
        med = statistics.median(pr) if pr else r["ratio_of_medians"]
        rng = (f"{r['per_round_min']:.2f}-{r['per_round_max']:.2f}"
               if r.get("per_round_min") is not None else "-")
        note = "" if r.get("same_docs", True) else " (different doc sets: tokens/s)"
        lines.append(f"- {k}: **{med:.2f}x** (range {rng}; ratio of medians "
                     f"{r['ratio_of_medians']:.2f}x){note}")
    return lines + [""]


_NOTES = ("Notes: F1 = micro F1 over our labels via `scanner.evaluate.score` (overlap: one-to-one "
          "best-overlap matching; exact: identical offsets); char R = label-agnostic character "
          "recall (whitespace ignored). `@Presidio labels`/`@Rampart labels`: micro overlap F1 "
          "counting only the labels that peer can emit, gold and predictions both with "
          "STREET_ADDRESS collapsed to LOCATION (see benchmarks/README.md). Scanner rows time "
          "`run_scan` end to end (read JSONL, tokenise, infer, decode, rules, policy, write "
          "Parquet); peer rows time read + detect (no writing). Model load and a small warm-up "
          "are excluded everywhere (load_s in the JSON). GPU MB: nvidia-smi's per-process "
          "figure, else torch's peak allocation.")


def render_markdown(doc: dict) -> str:
    results = doc["results"]
    lines = (_header(doc) + _main_table(results) + _stage_table(results) + _ratio_lines(doc["ratios"])
             + [_NOTES, ""])
    return "\n".join(lines)


def render_chart(doc: dict, path: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed: no chart"
    rows = [(n, e["summary"]["docs_per_s"]) for n, e in doc["results"].items() if e.get("summary")]
    if not rows:
        return "no results to chart"
    sizes = {n: e["summary"]["n_docs"] for n, e in doc["results"].items() if e.get("summary")}
    names = [n if len(set(sizes.values())) == 1 else f"{n} ({sizes[n]} docs)" for n, _ in rows]
    med = [s["median"] for _, s in rows]
    err = [[s["median"] - s["min"] for _, s in rows], [s["max"] - s["median"] for _, s in rows]]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    colors = ["tab:blue" if CONFIGS[n].kind == "scan" else "tab:gray" for n, _ in rows]
    ax.barh(names, med, xerr=err, color=colors, capsize=3)
    ax.set_xscale("log")
    ax.set_xlim(left=min(s["min"] for _, s in rows) / 4)
    ax.invert_yaxis()
    ax.set_xlabel("documents / second (median, min-max bars; log scale)")
    m = doc["machine"]
    ax.set_title(f"pii-scanner, {doc['corpus']['docs']} held-out docs - "
                 f"{m.get('gpu') or m['cpu']}", fontsize=9)
    for y, ((_, st), v) in enumerate(zip(rows, med)):
        ax.text(st["max"] * 1.04, y, f"{v:,.1f}", va="center", fontsize=8)
    ax.set_xlim(right=max(s["max"] for _, s in rows) * 1.6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def short_table(doc: dict) -> str:
    lines = [f"{'config':<17}{'docs':>7}{'docs/s':>10}{'spread':>8}{'tokens/s':>12}{'model tok/s':>13}"
             f"{'host tok/s':>12}{'RSS MB':>8}{'GPU MB':>8}{'F1 ovl':>8}"]
    for n, e in doc["results"].items():
        s, q = e.get("summary"), e.get("quality")
        if not s:
            lines.append(f"{n:<17}  n/a: {(e.get('error') or e.get('skipped') or '?')[:90]}")
            continue
        mo = s.get("model_only_tokens_per_s", {}).get("median")
        g = s.get("gpu_mem_mb", {}).get("median")
        host = s.get("host_tokens_per_s", {}).get("median")
        lines.append(f"{n:<17}{s['n_docs']:>7}{s['docs_per_s']['median']:>10.1f}"
                     f"{s['docs_per_s']['spread_pct']:>7.0f}%{s['tokens_per_s']['median']:>12,.0f}"
                     f"{(f'{mo:,.0f}' if mo else '-'):>13}{_fmt(host):>12}{s['peak_rss_mb']['median']:>8.0f}"
                     f"{(f'{g:.0f}' if g else '-'):>8}{_f1(q, 'micro_overlap'):>8}")
    return "\n".join(lines)


def show(doc: dict) -> str:
    """``--show``: the machine line, the short table and the ratios of an earlier result."""
    m = doc["machine"]
    lines = [f"{m.get('gpu') or '-'} | {m['cpu']} | {doc['corpus']['docs']} docs, "
             f"{doc['corpus']['tokens']:,} tokens | {doc['settings']['repeats']} rounds", short_table(doc)]
    lines += [f"  {k}: {r['ratio_of_medians']:.2f}x" for k, r in doc.get("ratios", {}).items()]
    return "\n".join(lines)
