"""``audit``, ``diff`` and ``report``: the nightly-audit commands, registered on the main group."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .cli import (
    EXIT_BUSY,
    EXIT_TIER,
    _exit_on_sigterm,
    _load_scanner,
    _make_scan_options,
    _progress,
    _scan_options,
    err,
    fatal,
    main,
)
from .cli_sample import check_sample_inputs, print_estimates, sample_options
from .errors import ScannerError
from .formats import FORMATS


def _json_summary(manifest: dict, diff: dict, state: str) -> dict:
    c = manifest["counts"]
    return {"run_id": manifest["run_id"], "previous_run": manifest["previous_run"], "state": state,
            **{k: c[k] for k in ("documents", "scanned", "carried", "added", "changed", "removed")},
            "error": c["error"], "skipped": c["skipped"], "by_tier": c["by_tier"],
            "full_rescan": manifest["full_rescan"], "full_reason": manifest["full_reason"],
            "tier_changes": diff["tier_changes"], "sample": manifest["sample"],
            "wall_s": manifest["timings"]["wall_s"]}


def _print_audit(manifest: dict, diff: dict) -> None:
    from .terminal import safe

    c = manifest["counts"]
    err.print(f"audit run {manifest['run_id']}: {c['documents']:,} documents, {c['scanned']:,} scanned, "
              f"{c['carried']:,} carried; +{c['added']:,} added, {c['changed']:,} changed, "
              f"-{c['removed']:,} removed", soft_wrap=True)
    if manifest["full_reason"]:
        err.print(f"scanned everything: {safe(', '.join(manifest['full_reason']))}", soft_wrap=True)
    err.print("tiers: " + (", ".join(f"tier {k}: {v:,}" for k, v in c["by_tier"].items()) or "-"))
    moves = diff["tier_changes"]
    shown = ", ".join(f"{safe(m['doc_id'])} ({m['from'] or '-'} -> {m['to'] or '-'})" for m in moves[:10])
    err.print(f"tier changes: {len(moves):,}" + (f" ({shown}{', ...' if len(moves) > 10 else ''})" if moves else ""),
              soft_wrap=True)


def _exit_code(manifest: dict, diff: dict, run_dir: Path, fail_on_tier, fail_on_new_tier) -> int:
    """As ``scan`` (4 gate, 3 errors, 0), plus 4 when a document entered ``--fail-on-new-tier`` or above."""
    from .diff import entered_at_or_above
    from .gate import scan_exit_code
    from .runner import RunSummary
    from .terminal import safe

    c = manifest["counts"]
    code = scan_exit_code(err, RunSummary(documents=c["documents"], errors=c["error"]), str(run_dir), fail_on_tier)
    if fail_on_new_tier is not None:
        entered = entered_at_or_above(diff, fail_on_new_tier)
        if entered:
            listed = ", ".join(safe(m["doc_id"]) for m in entered[:10]) + (", ..." if len(entered) > 10 else "")
            err.print(f"[bold yellow]--fail-on-new-tier {fail_on_new_tier}:[/] {len(entered):,} document(s) "
                      f"entered tier >= {fail_on_new_tier} since the last run: {listed}", soft_wrap=True)
            return EXIT_TIER
    return code


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--state", "state_dir", required=True, type=click.Path(file_okay=False),
              help="State folder: current/ (the corpus as of the last complete run) and runs/<id>/.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default=None, help="Id column/field (default: 'id' when present, else file:row).")
@click.option("--format", "fmt", default=None, type=click.Choice(FORMATS))
@click.option("--shard-size", default=1024, show_default=True, type=click.IntRange(min=1))
@click.option("--full", is_flag=True, help="Rescan every document, not only new and changed ones.")
@click.option("--fail-on-tier", type=click.IntRange(1, 4), default=None,
              help=f"Exit {EXIT_TIER} when any document is at this tier or above (or not scanned).")
@click.option("--fail-on-new-tier", type=click.IntRange(1, 4), default=None,
              help=f"Exit {EXIT_TIER} when a document entered this tier or above since the last run.")
@click.option("--keep-runs", default=3, show_default=True, type=click.IntRange(min=1),
              help="Runs whose tables are kept (diff --runs); every run's manifest and diff are kept.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary as the last line of stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@sample_options
@_scan_options
def audit(inputs, state_dir, text_column, id_column, fmt, shard_size, full, fail_on_tier, fail_on_new_tier,
          keep_runs, as_json, quiet, sample, seed, **kw):
    """Audit INPUT into the state folder: scan new and changed documents, carry the rest, diff the runs."""
    from .audit import AuditOptions, run_audit
    from .gate import refuse
    from .readers import InputError, plan_inputs
    from .resume import OutputBusy

    opts = AuditOptions(inputs=list(inputs), state_dir=state_dir, text_column=text_column,
                        id_column=id_column or "id", require_id=id_column is not None, fmt=fmt,
                        shard_size=shard_size, full=full, sample=sample, keep_runs=keep_runs,
                        scan=_make_scan_options(kw))
    if problem := check_sample_inputs(sample, opts.inputs):
        fatal(problem)
    try:
        plan = plan_inputs(opts.inputs, text_column, opts.id_column, fmt, require_id=opts.require_id,
                           exclude=[state_dir])
    except InputError as exc:
        fatal(str(exc))
    t0 = time.perf_counter()
    scanner = _load_scanner(kw, quiet=quiet)
    load_s = time.perf_counter() - t0
    try:
        with _progress(quiet, plan) as on_progress, _exit_on_sigterm():
            manifest, diff = run_audit(opts, scanner, on_progress, plan, model_load_s=load_s)
    except OutputBusy as exc:
        refuse(err, str(exc), EXIT_BUSY)
    except (ScannerError, OSError) as exc:
        fatal(str(exc))
    _print_audit(manifest, diff)
    print_estimates(err, manifest["sample"])
    code = _exit_code(manifest, diff, Path(state_dir) / "runs" / manifest["run_id"], fail_on_tier, fail_on_new_tier)
    if as_json:
        click.echo(json.dumps(_json_summary(manifest, diff, state_dir)))
    sys.exit(code)


@main.command("diff")
@click.argument("state_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--runs", nargs=2, default=None, metavar="A B", help="Compare run B against run A (ids or prefixes).")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
def diff_cmd(state_dir, runs, as_json):
    """What changed between the last two audit runs (or runs A and B): tier moves, categories, labels."""
    from .audit import diff_runs
    from .diff import render_diff
    from .terminal import plain

    try:
        d = diff_runs(Path(state_dir), *(runs or (None, None)))
    except (ValueError, OSError) as exc:
        fatal(str(exc))
    if as_json:
        click.echo(json.dumps(d))
        return
    for line in render_diff(d, f"run {d['run_id']} against {d['previous_run'] or 'nothing (first run)'}"):
        click.echo(plain(line))


@main.command("report")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write (self-contained: opens offline).")
def report_cmd(source, out_path):
    """Write one self-contained HTML report of an audit state folder or a scan output folder."""
    from .report import write_report
    from .terminal import safe

    try:
        data = write_report(source, out_path)
    except (ValueError, OSError) as exc:
        fatal(str(exc))
    err.print(f"wrote {safe(out_path)}: {data.documents:,} documents"
              + (f", {len(data.trend)} runs" if data.trend else ""), soft_wrap=True)
