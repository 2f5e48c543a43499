"""``explain`` and ``redact``: the commands that show or apply results (a finished scan's, or new ones).

Registered on ``cli.main`` when ``cli`` is imported. Reading a finished scan back is ``stored``'s job, so
both commands see exactly what ``scan`` wrote.
"""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console

from .cli import _load_scanner, _scan_options, err, fatal, main
from .errors import ScannerError
from .formats import FORMATS
from .gate import EXIT_DOC_ERRORS
from .redaction import STYLES


def _show(console: Console, doc_id: str, text: str | None, result, cls) -> None:
    """One document: its status line when it was not scanned, else the highlighted report."""
    from .explanation import render_explain
    from .records import Status
    from .terminal import safe, visible

    if result.status != Status.OK or text is None:
        console.print(f"[bold]{safe(doc_id)}[/]: {result.status}: {safe(result.error)}")
    else:
        render_explain(visible(text), result.spans, cls, console, doc_id=doc_id)


def _explain_new(source: str, doc_id, limit: int, text_column, id_column, fmt, kw: dict) -> int:
    """Scan the documents of ``source`` now and show them; returns how many were shown."""
    from .policy import classify
    from .readers import read_documents

    scanner = _load_scanner(kw)
    console = Console()
    shown = 0
    for doc in read_documents([source], text_column or "text", id_column or "id", fmt):
        if doc_id is not None and doc.doc_id != doc_id:
            continue
        result = scanner.scan_shard([doc])[0]
        cls = classify(doc.text, result.spans, scanner.policy) if doc.text is not None else None
        _show(console, doc.doc_id, doc.text, result, cls)
        shown += 1
        if shown >= limit:
            break
    return shown


def _explain_stored(source: str, inputs, doc_id, limit: int, text_column, id_column, fmt,
                    policy_path) -> tuple[int, int]:
    """Show a finished scan's stored results (spans, tier, reasons as ``scan`` wrote them); the text
    is read again from the inputs. Returns (shown, withheld: text missing or changed since)."""
    from .policy import Classification, classify, load_policy
    from .records import Status
    from .stored import find_documents, how_read, scan_folder, scan_policy_path, stored_results
    from .terminal import safe

    base = scan_folder(source)
    results = stored_results(base, [doc_id] if doc_id is not None else None, limit)
    if not results:
        return 0, 0
    how = how_read(base, inputs, text_column, id_column, fmt)
    docs = find_documents(how, [r.doc_id for r in results], exclude=[base])
    # Markers are highlighted with the scan's policy when it is still there; the verdict is the stored one.
    policy = load_policy(policy_path or scan_policy_path(base))
    console = Console()
    withheld = 0
    for r in results:
        doc = docs.get(r.doc_id)
        why = None
        if r.status == Status.OK and doc is None:
            why = "not found in the inputs (give them as they were given to scan)"
        elif r.status == Status.OK and (doc.text is None or len(doc.text) != r.n_chars):
            why = f"the text changed since the scan ({r.n_chars:,} characters then): scan it again"
        if why:
            console.print(f"[bold]{safe(r.doc_id)}[/]: {why}")
            withheld += 1
            continue
        text = doc.text if doc is not None else None
        cls = None
        if text is not None:
            markers = classify(text, r.spans, policy).markers
            cls = Classification(r.tier, r.tier_name, list(r.categories), list(r.reasons), markers)
        _show(console, r.doc_id, text, r, cls)
    return len(results), withheld


@main.command()
@click.argument("source", type=click.Path(exists=True))
@click.argument("inputs", nargs=-1)
@click.option("--id", "doc_id", default=None, help="Only the document with this id.")
@click.option("--limit", default=5, show_default=True, help="At most this many documents.")
@click.option("--text-column", default=None, help="Default: 'text' (for a scan's folder: as the scan ran).")
@click.option("--id-column", default=None, help="Default: 'id' (for a scan's folder: as the scan ran).")
@click.option("--format", "fmt", default=None, type=click.Choice(FORMATS),
              help="Input format (default: from the extension; for a scan's folder: as the scan ran).")
@_scan_options
def explain(source, inputs, doc_id, limit, text_column, id_column, fmt, **kw):
    """Show documents with their findings highlighted, and why each got its tier.

    SOURCE is a file or folder, scanned now; or a scan's output folder (OUT), whose stored results are
    shown: the spans, tier and reasons `scan` wrote, no model is run. Their text is read again from
    INPUTS, by default the scan's own inputs (its manifest); a document whose text changed since the
    scan is not shown (exit 3).

    This prints the matched text to your terminal: that is its purpose.
    """
    from .stored import is_scan_folder

    stored = is_scan_folder(source)
    if inputs and not stored:
        raise click.UsageError("INPUTS are only read for a scan's output folder (SOURCE holds documents/ and spans/)")
    withheld = 0
    try:
        if stored:
            shown, withheld = _explain_stored(source, inputs, doc_id, limit, text_column, id_column, fmt,
                                              kw["policy"])
        else:
            shown = _explain_new(source, doc_id, limit, text_column, id_column, fmt, kw)
    except (ScannerError, OSError) as exc:
        fatal(str(exc))
    if shown == 0:
        fatal(f"{source}: no document" + (f" with id '{doc_id}'" if doc_id else ""))
    if withheld:
        sys.exit(EXIT_DOC_ERRORS)


@main.command("redact")
@click.argument("spans_out", type=click.Path(exists=True, file_okay=False))
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the redacted parts (doc_id, text).")
@click.option("--style", required=True, type=click.Choice(STYLES),
              help="mask: ***; type: [EMAIL]; pseudonym: EMAIL_1a2b3c4d (keyed); hash: EMAIL:... (unkeyed).")
@click.option("--text-column", default=None, help="Default: as the scan ran (its manifest), else 'text'.")
@click.option("--id-column", default=None, help="Default: as the scan ran, else 'id'.")
@click.option("--format", "fmt", default=None, type=click.Choice(FORMATS),
              help="Input format (default: as the scan ran, else from the extension or folder contents).")
@click.option("--shard-size", default=None, type=click.IntRange(1),
              help="Documents per output part (default: the scan's shard size, else 1024).")
@click.option("--overwrite", is_flag=True, help="Replace part files already in OUT.")
def redact_cmd(spans_out, inputs, out_dir, style, text_column, id_column, fmt, shard_size, overwrite):
    """Apply a finished scan (SPANS_OUT: its output folder) to INPUT, read again, and write redacted copies.

    Give the inputs exactly as they were given to `scan`. A document the scan has no ok result for, or
    whose text changed since, is written with null text, never unredacted (exit 3). `pseudonym` reads its
    key from PII_SCANNER_REDACT_KEY or PII_SCANNER_REDACT_KEY_FILE.
    """
    from .redact_run import redact_corpus
    from .redaction import build_redactor
    from .stored import how_read, scan_folder
    from .terminal import safe

    t0 = time.perf_counter()
    try:
        base = scan_folder(spans_out)
        # the scan's own options unless given: the ids and offsets depend on them
        how = how_read(base, inputs, text_column, id_column, fmt, shard_size)
        s = redact_corpus(base, how, out_dir, build_redactor(style), overwrite=overwrite)
    except (ScannerError, OSError) as exc:
        fatal(str(exc))
    err.print(f"redacted {s.redacted:,} of {s.documents:,} documents ({s.spans:,} spans, style {style}) "
              f"into {safe(out_dir)} in {time.perf_counter() - t0:.1f}s")
    if s.withheld:
        err.print(f"[bold yellow]{s.withheld:,} written with null text:[/] {s.skipped:,} skipped, "
                  f"{s.errors:,} error, {s.missing:,} not in the scan results, "
                  f"{s.changed:,} changed since the scan")
    if s.errors or s.missing or s.changed:
        sys.exit(EXIT_DOC_ERRORS)
