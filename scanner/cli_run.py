"""Pieces of the command line shared by ``scan`` and ``audit``: SIGTERM handling, the progress bar, the
scan summary. Split from ``cli.py`` to keep that module about commands."""

from __future__ import annotations

import signal
import time

from rich.console import Console

err = Console(stderr=True, highlight=False)


class _exit_on_sigterm:
    """SIGTERM (a scheduler's timeout, ``kill``) unwinds like Ctrl-C instead of killing the process on
    the spot, so worker processes are stopped too; committed shards stay and a rerun resumes."""

    def __enter__(self):
        def stop(signum, frame):
            raise SystemExit(128 + signum)

        try:
            self.previous = signal.signal(signal.SIGTERM, stop)
        except ValueError:  # not the main thread (an embedding application): leave signals alone
            self.previous = None
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


class _progress:
    """A rich progress bar with docs/s, tokens/s and, once the documents are counted (in a thread:
    ``InputPlan.count_documents``), a total and an ETA; a no-op when quiet."""

    def __init__(self, quiet: bool, plan=None):
        self.quiet = quiet
        self.plan = plan
        self.docs = self.tokens = 0
        self.t0 = time.perf_counter()

    def __enter__(self):
        import threading

        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = None
        if not self.quiet:
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("scanning", total=None)
            if self.plan is not None:
                threading.Thread(target=self._count, daemon=True).start()
        return self.update

    def _count(self) -> None:
        try:
            total = self.plan.count_documents()
        except Exception:  # noqa: BLE001 - only the bar's total; the scan reports real problems
            return
        if total is not None and self.bar is not None:
            self.bar.update(self.task, total=total)

    def update(self, n_docs: int, n_tokens: int) -> None:
        self.docs += n_docs
        self.tokens += n_tokens
        if self.bar is not None:
            dt = max(time.perf_counter() - self.t0, 1e-9)
            self.bar.update(self.task, completed=self.docs, description=(
                f"{self.docs:,} docs  {self.docs / dt:,.1f} docs/s  {self.tokens / dt:,.0f} tokens/s"))

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _print_summary(summary, out_dir: str) -> None:
    from rich.table import Table

    from .terminal import safe

    t = Table(title=f"pii-scanner: {safe(out_dir)}", show_header=False, box=None)
    rate = summary.documents / summary.seconds if summary.seconds else 0.0
    t.add_row("documents", f"{summary.documents:,} ({summary.ok:,} ok, {summary.errors:,} error, "
                            f"{summary.skipped:,} skipped)")
    for reason, n in sorted(summary.reasons.items(), key=lambda x: -x[1]):
        t.add_row("", f"{n:,} {safe(reason)}")
    t.add_row("findings", f"{summary.spans:,}  " + ", ".join(f"{k} {v}" for k, v in
                                                               sorted(summary.labels.items(), key=lambda x: -x[1])))
    t.add_row("tiers", ", ".join(f"tier {k}: {v:,}" for k, v in sorted(summary.tiers.items())) or "-")
    t.add_row("time", f"{summary.seconds:.1f}s  ({rate:,.1f} docs/s, {summary.tokens / max(summary.seconds, 1e-9):,.0f} tokens/s)")
    if summary.shards_resumed:
        t.add_row("resumed", f"{summary.shards_resumed} shard(s) already done, {summary.shards_written} written")
    if summary.shards_rescanned:
        t.add_row("rescanned", f"{summary.shards_rescanned} shard(s) whose input changed since the earlier run")
    err.print(t)
