"""The one writer of benchmark results: ``benchmarks/results/<name>-<machine>-<UTC time>.{json,md}``.

Every script's JSON gets the same ``machine`` block (``machine.machine_info()``: CPU model and flags,
cores, GPUs, versions, load average), so two results can always be told apart by what they ran on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .machine import machine_info, machine_slug

RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def utc_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ResultFiles:
    """The JSON and markdown of one benchmark run; ``write`` may be called again as the run goes on
    (a run cut short then keeps what it measured)."""

    stem: Path

    @classmethod
    def new(cls, name: str | None, machine: dict, out: str | Path = RESULTS_DIR, gpu: bool = False) -> ResultFiles:
        """``<out>/<name>-<machine>-<UTC time>``; without a name ``<out>/<machine>-<UTC time>``."""
        parts = [p for p in (name, machine_slug(machine, gpu), utc_stamp()) if p]
        return cls(Path(out) / "-".join(parts))

    @property
    def json(self) -> Path:
        return self.stem.with_name(self.stem.name + ".json")

    @property
    def md(self) -> Path:
        return self.stem.with_name(self.stem.name + ".md")

    def sibling(self, suffix: str) -> Path:
        return self.stem.with_name(self.stem.name + suffix)

    def write(self, doc: dict, markdown: str) -> None:
        self.stem.parent.mkdir(parents=True, exist_ok=True)
        self.json.write_text(json.dumps(doc, indent=1, default=str) + "\n")
        self.md.write_text(markdown)


def write_result(name: str, doc: dict, render, out: str | Path = RESULTS_DIR, gpu: bool = False) -> ResultFiles:
    """Record the machine in ``doc`` (unless it is there), write the JSON and ``render(doc)``'s markdown,
    print the markdown, and return the paths."""
    doc.setdefault("machine", machine_info())
    files = ResultFiles.new(name, doc["machine"], out, gpu)
    md = render(doc)
    files.write(doc, md)
    print(md)
    print(f"wrote {files.json} and {files.md.name}")
    return files
