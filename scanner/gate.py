"""Exit codes, and the decision which one a finished scan gets (documented in the README's table)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from .terminal import safe

# Nightly jobs branch on these.
EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2  # click's own code for bad options
EXIT_DOC_ERRORS = 3  # finished, but some documents that could hold text were not scanned
EXIT_TIER = 4  # --fail-on-tier: a document at that tier or above, or one not scanned (tier unknown)
EXIT_STALE = 5  # refused: OUT holds results of another scan (inputs/settings differ); --fresh
EXIT_BUSY = 6  # refused: another scan is writing to OUT right now


def refuse(err: Console, message: str, code: int) -> None:
    """A scan that did not start because it would have mixed or clobbered results: its own exit code."""
    err.print(f"[bold red]refused:[/] {safe(message)}", soft_wrap=True)
    sys.exit(code)


def scan_exit_code(err: Console, summary, out_dir: str, fail_on_tier: int | None) -> int:
    """4 when the gate fails (a document at the tier, or one not scanned: its tier is unknown), then 3
    for documents not scanned, else 0. Skipped documents (no text by decision) fail neither."""
    from .runner import gate_documents

    if summary.documents == 0:
        err.print("[bold yellow]warning:[/] the inputs hold no documents")
    if fail_on_tier is not None:
        n, first = gate_documents(Path(out_dir), fail_on_tier)
        if n:
            listed = ", ".join(f"{safe(d)} ({why})" for d, why in first) + (", ..." if n > len(first) else "")
            err.print(f"[bold yellow]--fail-on-tier {fail_on_tier}:[/] {n:,} document(s) at tier >= "
                      f"{fail_on_tier} or not scanned: {listed}", soft_wrap=True)
            return EXIT_TIER
    return EXIT_DOC_ERRORS if summary.errors else EXIT_OK
