"""A finished scan, read back: its folder, how it read its inputs, the inputs read again the same way,
and the stored result of a document.

``redact`` (``redact_run``) and ``explain`` build on this, so both show what ``scan`` wrote rather than
what a new run would find: only committed shards are read (a killed scan's orphan parts are ignored),
and documents get the ids the scan gave them (generated ids hold the input path as given, and a
repeated id is renamed by the same ``DuplicateGuard``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .records import DocResult, Document, Span
from .writers import DOCUMENTS_DIR, SPANS_DIR, completed_shards, part_name, read_manifest


def scan_folder(path: str | Path) -> Path:
    """The scan's OUT folder, given OUT or OUT/spans; ``InputError`` when it is not one."""
    base = Path(path)
    if not (base / SPANS_DIR).is_dir() and base.name == SPANS_DIR and base.is_dir():
        base = base.parent
    if not (base / SPANS_DIR).is_dir() or not (base / DOCUMENTS_DIR).is_dir():
        raise InputError(f"{path}: not a scan output folder (expected {SPANS_DIR}/ and "
                         f"{DOCUMENTS_DIR}/ written by `pii-scanner scan`)")
    return base


def is_scan_folder(path: str | Path) -> bool:
    try:
        scan_folder(path)
    except InputError:
        return False
    return True


def _manifest(base: Path) -> dict:
    try:
        return read_manifest(base) or {}
    except OSError:
        return {}


@dataclass(frozen=True)
class HowRead:
    """How to read a scan's corpus again as the scan did: its inputs, columns, format and shard size."""

    inputs: tuple[str, ...]
    text_column: str = "text"
    id_column: str = "id"
    fmt: str | None = None
    shard_size: int = 1024


def how_read(base: Path, inputs: Sequence[str | Path] = (), text_column: str | None = None,
             id_column: str | None = None, fmt: str | None = None, shard_size: int | None = None) -> HowRead:
    """The scan's own way of reading (its manifest's options and inputs), each part overridden when given."""
    manifest = _manifest(base)
    ran = manifest.get("options") if isinstance(manifest.get("options"), dict) else {}
    if not inputs:
        settings = manifest.get("settings") if isinstance(manifest.get("settings"), dict) else {}
        inputs = [str(p) for p in settings.get("inputs") or []]
        if not inputs or "-" in inputs:
            raise InputError(f"{base}: the scan's manifest names no inputs that can be read again "
                             f"(stdin?): give them after the folder, exactly as they were given to scan")
    return HowRead(tuple(str(p) for p in inputs), text_column or ran.get("text_column") or "text",
                   id_column or ran.get("id_column") or "id", fmt or ran.get("format"),
                   shard_size or ran.get("shard_size") or 1024)


def documents_again(how: HowRead, exclude: Iterable[str | Path] = ()) -> Iterator[Document]:
    """The scan's documents, read again with the ids it gave them; inputs are checked before this
    returns (``InputError``)."""
    from .readers import DuplicateGuard, read_documents

    return DuplicateGuard()(read_documents(list(how.inputs), how.text_column, how.id_column, how.fmt,
                                           exclude=list(exclude)))


def stored_results(base: Path, doc_ids: Sequence[str] | None = None, limit: int | None = None) -> list[DocResult]:
    """Stored results, spans included, in output order: those of ``doc_ids`` (all when None), at most
    ``limit``; read from committed shards only."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .reasons import Reason

    out: list[DocResult] = []
    wanted = pa.array(list(doc_ids), pa.string()) if doc_ids is not None else None
    for sid in sorted(completed_shards(base)):
        if limit is not None and len(out) >= limit:
            break
        docs = pq.read_table(base / DOCUMENTS_DIR / part_name(sid))
        if wanted is not None:
            docs = docs.filter(pc.is_in(docs["doc_id"], value_set=wanted))
        rows = docs.to_pylist()[: None if limit is None else limit - len(out)]
        if not rows:
            continue
        spans = pq.read_table(base / SPANS_DIR / part_name(sid))
        spans = spans.filter(pc.is_in(spans["doc_id"], value_set=pa.array([r["doc_id"] for r in rows])))
        by_doc: dict[str, list[Span]] = {}
        for s in spans.to_pylist():
            by_doc.setdefault(s["doc_id"], []).append(
                Span(s["start"], s["end"], s["label"], s["score"], s["detector"], s["propagated"]))
        for r in rows:
            out.append(DocResult(
                doc_id=r["doc_id"], source=r["source"], status=r["status"], error=r["error"],
                n_chars=r["n_chars"], n_tokens=r["n_tokens"], spans=by_doc.get(r["doc_id"], []),
                entity_counts=dict(r["entity_counts"]), tier=r["tier"], tier_name=r["tier_name"],
                categories=list(r["categories"]), reasons=[Reason.from_row(x) for x in r["reasons"]],
                language=r["language"], model_used=r["model_used"]))
    return out


def find_documents(how: HowRead, doc_ids: Iterable[str], exclude: Iterable[str | Path] = ()) -> dict[str, Document]:
    """The documents with these ids, read again (stops reading once all are found)."""
    todo = set(doc_ids)
    found: dict[str, Document] = {}
    if not todo:
        return found
    for doc in documents_again(how, exclude):
        if doc.doc_id in todo:
            found[doc.doc_id] = doc
            if len(found) == len(todo):
                break
    return found


def scan_policy_path(base: Path) -> Path | None:
    """The policy file the scan ran with, when it is still there unchanged (same sha256); else None."""
    manifest = _manifest(base)
    path = (manifest.get("config") or {}).get("policy_file")
    want = (manifest.get("settings") or {}).get("policy_sha256")
    if not path or not want:
        return None
    try:
        return Path(path) if hashlib.sha256(Path(path).read_bytes()).hexdigest() == want else None
    except OSError:
        return None


__all__ = ["HowRead", "documents_again", "find_documents", "how_read", "is_scan_folder", "scan_folder",
           "scan_policy_path", "stored_results"]
