"""JSON Lines files the project writes or is handed as data: one reader and one writer, ``.gz`` or plain.

Generated corpora (``pii-scanner generate``), labelled gold sets (``pii-scanner eval``)
and the benchmarks' corpora and specs go through here. Scanning does NOT: ``scanner.formats`` reads a
user's JSONL leniently, one error row per bad line, with encodings sniffed; here a bad line is an error.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """UTF-8 text, gzip-compressed when the name ends in ``.gz``."""
    if str(path).endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def iter_jsonl(path: str | Path, limit: int | None = None) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line, at most ``limit`` of them.

    A line that is not JSON raises ``ValueError("PATH:LINE: not JSON (...)")``.
    """
    if limit is not None and limit <= 0:
        return
    n_read = 0
    with open_text(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:  # JSONDecodeError, and e.g. an integer too long to convert
                raise ValueError(f"{path}:{n}: not JSON ({exc})") from None
            yield n, value
            n_read += 1
            if limit is not None and n_read >= limit:
                return


def read_jsonl(path: str | Path, limit: int | None = None) -> list[Any]:
    """The values of the first ``limit`` (default: every) non-blank lines."""
    return [value for _, value in iter_jsonl(path, limit)]


def write_jsonl(path: str | Path, rows: Iterable[Any]) -> int:
    """One JSON value per line (non-ASCII kept as is), parent folders created; returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open_text(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
