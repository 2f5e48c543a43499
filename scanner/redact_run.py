"""The ``redact`` command: a finished scan's spans applied to its corpus, read again, with null text
(never the original) for every document the scan has no current ok result for.

The redaction itself is ``redaction.Redactor`` (what ``scan --redact`` uses too); the parts are written by
``writers.write_redacted_part``; reading the scan back is ``stored``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .errors import InputError
from .readers import iter_shards
from .records import Status
from .redaction import RedactError, Redactor
from .stored import HowRead, documents_again, scan_folder
from .writers import (
    DOCUMENTS_DIR,
    SPANS_DIR,
    completed_shards,
    make_output_dir,
    part_ids,
    part_name,
    remove_parts,
    write_redacted_part,
)


class SpanIndex:
    """A finished scan's results, ready to redact its corpus again: per doc_id, status, length, spans.

    Spans live in flat numpy arrays sorted by (doc_id, start), with one ``(lo, hi)`` range per document,
    so millions of spans cost ~20 bytes each plus ~100 bytes per document for the id dict.
    Only committed shards are read (a killed scan's orphan parts are ignored).
    """

    def __init__(self, scan_out: str | Path):
        import numpy as np
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        base = scan_folder(scan_out)
        shards = sorted(completed_shards(base))
        if not shards:
            raise InputError(f"{scan_out}: no completed shards (has the scan run?)")
        self.base = base
        self.shards = len(shards)

        # Documents: doc_id -> row; a repeated id keeps its "ok" row (repeats are skipped duplicates).
        self._row: dict[str, int] = {}
        ok: list[bool] = []
        n_chars: list[int] = []
        for sid in shards:
            t = pq.read_table(base / DOCUMENTS_DIR / part_name(sid), columns=["doc_id", "status", "n_chars"])
            for doc_id, status, n in zip(t["doc_id"].to_pylist(), t["status"].to_pylist(), t["n_chars"].to_pylist()):
                row = self._row.get(doc_id)
                if row is None:
                    self._row[doc_id] = len(ok)
                    ok.append(status == Status.OK)
                    n_chars.append(n)
                elif status == Status.OK and not ok[row]:
                    ok[row], n_chars[row] = True, n
        self._ok = np.asarray(ok, dtype=bool)
        self._n_chars = np.asarray(n_chars, dtype=np.int64)
        self._lo = np.zeros(len(ok), dtype=np.int64)
        self._hi = np.zeros(len(ok), dtype=np.int64)

        cols = ["doc_id", "start", "end", "label"]
        tables = [pq.read_table(base / SPANS_DIR / part_name(sid), columns=cols) for sid in shards]
        spans = pa.concat_tables(tables) if tables else None
        self.n_spans = spans.num_rows if spans is not None else 0
        if self.n_spans:
            spans = spans.take(pc.sort_indices(spans, [("doc_id", "ascending"), ("start", "ascending"),
                                                        ("end", "descending")]))
            self._start = spans["start"].to_numpy()
            self._end = spans["end"].to_numpy()
            labels = pc.dictionary_encode(spans["label"]).combine_chunks()
            self._label_code = labels.indices.to_numpy()
            self._label_names: list[str] = labels.dictionary.to_pylist()
            runs = pc.run_end_encode(spans["doc_id"].combine_chunks())
            ends = runs.run_ends.to_numpy()
            lo = 0
            for doc_id, hi in zip(runs.values.to_pylist(), ends.tolist()):
                row = self._row.get(doc_id)
                if row is not None:
                    self._lo[row], self._hi[row] = lo, hi
                lo = hi
            del spans, runs

    def __len__(self) -> int:
        return len(self._row)

    def lookup(self, doc_id: str) -> tuple[str, int, list[tuple[int, int, str]]]:
        """(state, n_chars, spans): state ``ok``, ``missing`` (not in the scan) or ``not-ok``."""
        row = self._row.get(doc_id)
        if row is None:
            return "missing", 0, []
        if not self._ok[row]:
            return "not-ok", 0, []
        lo, hi = int(self._lo[row]), int(self._hi[row])
        names = self._label_names if hi > lo else []
        regions = [(s, e, names[c]) for s, e, c in zip(self._start[lo:hi].tolist(), self._end[lo:hi].tolist(),
                                                       self._label_code[lo:hi].tolist())]
        return "ok", int(self._n_chars[row]), regions


@dataclass
class RedactSummary:
    documents: int = 0
    redacted: int = 0  # written with text
    spans: int = 0  # spans applied
    skipped: int = 0  # null: skipped by the reader or as a duplicate id (as in the scan)
    errors: int = 0  # null: unreadable here, or an error in the scan
    missing: int = 0  # null: id not in the scan's results (different input, or an unfinished scan)
    changed: int = 0  # null: text length differs from the scanned one (the input changed since)
    parts: int = 0

    @property
    def withheld(self) -> int:
        return self.skipped + self.errors + self.missing + self.changed


def _clear_parts(folder: Path, overwrite: bool) -> None:
    parts = part_ids(folder)
    if parts and not overwrite:
        raise RedactError(f"{folder}: already holds {len(parts)} part file(s); pass --overwrite to replace them")
    remove_parts(folder)


def redact_corpus(scan_out: str | Path, how: HowRead, out_dir: str | Path, redactor: Redactor,
                  overwrite: bool = False) -> RedactSummary:
    """Apply a finished scan's spans to its corpus, read again; ``out_dir/part-XXXXX.parquet`` (doc_id, text).

    The corpus must be read as ``scan`` read it (``stored.how_read``: same paths, columns, format):
    generated ids contain the input path, and offsets are only right on the same text. A document is
    written with null text (never unredacted) when the scan has no ok result for its id or its length
    differs from the scanned one. Documents stream through in shards of ``how.shard_size``; memory is
    the span index plus a shard.
    """
    # InputError before any output; the scan never read its own output folder, nor does this
    docs = documents_again(how, exclude=[scan_out, out_dir])
    index = SpanIndex(scan_out)
    out = Path(out_dir)
    try:
        make_output_dir(out)
    except NotADirectoryError:
        raise RedactError(f"{out}: exists and is not a directory") from None
    _clear_parts(out, overwrite)
    s = RedactSummary()
    for shard_id, shard in iter_shards(docs, how.shard_size):
        texts = [_redacted(doc, index, redactor, s) for doc in shard]
        write_redacted_part(out, shard_id, [d.doc_id for d in shard], texts)
        s.parts += 1
    if s.parts == 0:
        write_redacted_part(out, 0, [], [])
        s.parts = 1
    return s


def _redacted(doc, index: SpanIndex, redactor: Redactor, s: RedactSummary) -> str | None:
    """One document's redacted text, or None (counted in ``s`` by why)."""
    s.documents += 1
    if doc.status != Status.OK or doc.text is None:
        if doc.status == Status.SKIPPED:
            s.skipped += 1
        else:
            s.errors += 1
        return None
    state, n_chars, regions = index.lookup(doc.doc_id)
    if state == "missing":
        s.missing += 1
    elif state == "not-ok":
        s.errors += 1
    elif n_chars != len(doc.text):
        s.changed += 1
    else:
        s.redacted += 1
        s.spans += len(regions)
        return redactor.redact_regions(doc.text, regions)
    return None


__all__ = ["RedactSummary", "SpanIndex", "redact_corpus"]
