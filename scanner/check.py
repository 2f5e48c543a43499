"""``pii-scanner check FILE...``: findings as ``path:line:col: LABEL (score, detector)`` for CI and pre-commit.

Used the way secret scanners are (detect-secrets, gitleaks): every file is read as plain text, whole
(a ``.jsonl`` is not split into records: the line and column must point into the file as it is),
scanned, and reported one finding per line; the exit code fails the build when a file reaches a tier
or holds a label the caller named. Binary files (a NUL byte in the first 8 KiB) are skipped. Output
never holds the matched text: a CI log is the last place it should go.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .records import DocResult, Document, Span

BINARY_SNIFF = 8192
FILES_PER_SHARD = 256  # files scanned per call into the shard function
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".tox"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One span located in its file: 1-based line and column (Unicode code points), end exclusive."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    label: str
    score: float
    detector: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.label} ({self.score:.2f}, {self.detector})"


@dataclass
class FileReport:
    """A checked file: its findings and verdict, or why it was not scanned."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    tier: int | None = None
    tier_name: str | None = None
    reasons: list[str] = field(default_factory=list)
    error: str | None = None
    failed: bool = False  # at or above the threshold


@dataclass
class CheckReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.failed]

    @property
    def n_findings(self) -> int:
        return sum(len(f.findings) for f in self.files)


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (``\\n``, ``\\r\\n`` and lone ``\\r`` end a line, as editors count)."""
    starts = [0]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n" or (c == "\r" and (i + 1 == n or text[i + 1] != "\n")):
            starts.append(i + 1)
        i += 1
    return starts


def locate(starts: Sequence[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a ``str`` offset, given ``line_starts``."""
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def findings_in(path: str, text: str, spans: Iterable[Span]) -> list[Finding]:
    starts = line_starts(text)
    out = []
    for s in spans:
        (line, col), (end_line, end_col) = locate(starts, s.start), locate(starts, s.end)
        out.append(Finding(path, line, col, end_line, end_col, s.label, s.score, s.detector))
    return out


def read_text(path: Path) -> str | None:
    """The file decoded as UTF-8 (bad bytes replaced, one character each), or None when binary."""
    data = path.read_bytes()
    if b"\0" in data[:BINARY_SNIFF]:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Files as given; folders walked in sorted order, skipping VCS and virtualenv folders."""
    for p in paths:
        if not os.path.isdir(p):
            yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in sorted(files):
                yield os.path.join(root, name)


def fails(result: DocResult, spans: Sequence[Span], fail_on_tier: int | None,
          fail_on_labels: frozenset[str]) -> bool:
    """At or above the tier threshold, or holding a label the caller fails on."""
    if fail_on_tier is not None and result.tier is not None and result.tier >= fail_on_tier:
        return True
    return any(s.label in fail_on_labels for s in spans)


def _load(paths: Iterable[str], report: CheckReport) -> Iterator[Document]:
    """Documents for the readable text files; unreadable ones get an error entry in the report."""
    for p in paths:
        try:
            text = read_text(Path(p))
        except OSError as exc:
            report.files.append(FileReport(p, error=f"cannot read: {exc.strerror or exc}"))
            continue
        if text is None:  # binary: not a text file to check
            continue
        yield Document(doc_id=p, source=p, text=text)


def _shards(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    shard: list[Document] = []
    for d in docs:
        shard.append(d)
        if len(shard) >= size:
            yield shard
            shard = []
    if shard:
        yield shard


def check_files(engine, paths: Iterable[str], fail_on_tier: int | None = 3,
                fail_on_labels: Iterable[str] = (), min_score: float = 0.0) -> CheckReport:
    """Scan each file with ``engine`` (a ``pipeline.Scanner``) and judge it against the thresholds.

    ``min_score`` drops weaker findings from the report and from the label threshold; the tier is the
    policy's verdict on all of them, as ``scan`` writes it.
    """
    labels = frozenset(fail_on_labels)
    report = CheckReport()
    for shard in _shards(_load(expand(paths), report), FILES_PER_SHARD):
        for doc, res in zip(shard, engine.scan_shard(shard)):
            if res.status != "ok":
                report.files.append(FileReport(doc.doc_id, error=res.error or res.status))
                continue
            spans = [s for s in res.spans if s.score >= min_score]
            report.files.append(FileReport(
                doc.doc_id, findings_in(doc.doc_id, doc.text or "", spans), res.tier, res.tier_name,
                res.reason_text(), failed=fails(res, spans, fail_on_tier, labels)))
    return report


def format_report(report: CheckReport) -> Iterator[str]:
    """Finding lines, then one verdict line per file that fails (its tier and the reasons)."""
    for f in report.files:
        for finding in f.findings:
            yield finding.format()
        if f.failed:
            yield f"{f.path}: tier {f.tier} ({f.tier_name}): {'; '.join(f.reasons)}"


def run_check(engine, paths: Sequence[str], fail_on_tier: int | None, fail_on_labels: Iterable[str],
              min_score: float, sarif_path: str | None, echo: Callable[[str], None],
              warn: Callable[[str], None]) -> str:
    """The ``check`` command after option parsing: ``"found"``, ``"unreadable"`` or ``"ok"``."""
    from . import __version__

    report = check_files(engine, paths, fail_on_tier, fail_on_labels, min_score)
    for line in format_report(report):
        echo(line)
    for f in report.files:
        if f.error:
            warn(f"{f.path}: {f.error}")
    if sarif_path:
        from .sarif import write_sarif

        write_sarif(report, sarif_path, __version__)
    if report.failed:
        warn(f"{len(report.failed)} of {len(report.files)} file(s) at or above the threshold "
             f"({report.n_findings} finding(s))")
        return "found"
    return "unreadable" if any(f.error for f in report.files) else "ok"
