"""What changed between two runs over the same corpus: tier moves, new categories and labels, counts.

The diff is computed from the two runs' documents tables only (never the text), so it can be stored
beside a run (``runs/<id>/diff.json``) and recomputed for any two runs whose tables are kept.
A tier change is any document whose tier differs; ``null`` stands for "not in that run" (added or
removed) or "no tier" (not scanned: an error row). Nothing else is listed as a change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

STATE_COLUMNS = ["doc_id", "status", "tier", "categories", "entity_counts"]


@dataclass(frozen=True, slots=True)
class DocState:
    """The part of a documents row a diff compares."""

    tier: int | None
    status: str
    categories: tuple[str, ...]
    labels: dict[str, int]


def _labels(counts) -> dict[str, int]:
    return dict(counts.items() if isinstance(counts, dict) else counts or [])


def states_from_rows(rows: dict[str, list]) -> dict[str, DocState]:
    """``{doc_id: DocState}`` from a documents table as ``to_pydict()`` (``STATE_COLUMNS``)."""
    return {d: DocState(t, s, tuple(c or ()), _labels(e))
            for d, s, t, c, e in zip(rows["doc_id"], rows["status"], rows["tier"], rows["categories"],
                                     rows["entity_counts"])}


def load_states(documents_dir: Path) -> dict[str, DocState]:
    """The states of every document in a ``documents/`` folder of Parquet parts."""
    out: dict[str, DocState] = {}
    for f in sorted(Path(documents_dir).glob("part-*.parquet")):
        out.update(states_from_rows(pq.read_table(f, columns=STATE_COLUMNS).to_pydict()))
    return out


def counts(states: dict[str, DocState]) -> dict[str, dict[str, int]]:
    """Documents by tier and by category, findings by label (keys as strings: JSON)."""
    tiers: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for s in states.values():
        tiers["not scanned" if s.tier is None else str(s.tier)] += 1
        cats.update(s.categories)
        labels.update(s.labels)
    return finish_counts(tiers, cats, labels)


def finish_counts(tiers: Counter, cats: Counter, labels: Counter) -> dict[str, dict[str, int]]:
    return {"by_tier": dict(sorted(tiers.items())), "by_category": dict(sorted(cats.items())),
            "by_label": dict(sorted(labels.items()))}


def table_counts(docs: pa.Table) -> tuple[Counter, Counter, Counter]:
    """What ``counts`` adds up, from a documents table's columns (no Python object per row): documents
    by tier key, by category, and findings by label. Rows must have distinct ``doc_id``s."""
    tiers: Counter[str] = Counter()
    for row in pc.value_counts(docs.column("tier")).to_pylist():
        tiers["not scanned" if row["values"] is None else str(row["values"])] += row["counts"]
    cats: Counter[str] = Counter()
    for row in pc.value_counts(pc.list_flatten(docs.column("categories"))).to_pylist():
        cats[row["values"]] += row["counts"]
    col = docs.column("entity_counts")
    # a map is a list of key/value structs; as such it flattens with its slicing honoured
    pairs = pc.list_flatten(col.cast(pa.list_(pa.struct([col.type.key_field, col.type.item_field]))))
    labels: Counter[str] = Counter()
    if len(pairs):
        pairs = pairs.combine_chunks()
        keys = pc.dictionary_encode(pairs.field(0))
        sums = np.bincount(keys.indices.to_numpy(), weights=pairs.field(1).to_numpy(), minlength=len(keys.dictionary))
        labels.update(dict(zip(keys.dictionary.to_pylist(), (int(n) for n in sums))))
    return tiers, cats, labels


def _tier_key(t: int | None) -> int:
    return -1 if t is None else t


def compute_diff(before: dict[str, DocState], after: dict[str, DocState],
                 changed: list[str] | None = None) -> dict:
    """The diff of ``after`` against ``before``; ``changed`` lists documents whose content changed."""
    return diff_of(set(before), set(after), before, after, counts(before), counts(after), changed)


def diff_of(before_ids: set[str], after_ids: set[str], old: dict[str, DocState], new: dict[str, DocState],
            counts_before: dict, counts_after: dict, changed: list[str] | None = None) -> dict:
    """``compute_diff`` from the two runs' ids, the states of the documents that may differ (``old``:
    before, ``new``: after; a document in neither has the same state in both runs, as a carried one
    has) and both runs' ``counts``: an audit passes only what it scanned and removed."""
    added = sorted(after_ids - before_ids)
    removed = sorted(before_ids - after_ids)
    moves = []
    for doc_id in sorted(set(old) | set(new)):
        was, now = old.get(doc_id), new.get(doc_id)
        t0, t1 = (was.tier if was else None), (now.tier if now else None)
        if t0 != t1:
            moves.append({"doc_id": doc_id, "from": t0, "to": t1})
    moves.sort(key=lambda m: (-_tier_key(m["to"]), -_tier_key(m["from"]), m["doc_id"]))
    new_cats, new_labels = {}, {}
    for doc_id in sorted(set(old) & set(new)):
        if extra := sorted(set(new[doc_id].categories) - set(old[doc_id].categories)):
            new_cats[doc_id] = extra
        if extra := sorted(set(new[doc_id].labels) - set(old[doc_id].labels)):
            new_labels[doc_id] = extra
    return {"added": added, "removed": removed, "changed": sorted(changed or []),
            "tier_changes": moves, "entered": _by_tier(moves, "to"), "left": _by_tier(moves, "from"),
            "new_categories": new_cats, "new_labels": new_labels,
            "counts": {"before": counts_before, "after": counts_after}}


def _by_tier(moves: list[dict], end: str) -> dict[str, list[str]]:
    """Documents that entered (``to``) or left (``from``) each tier."""
    out: dict[str, list[str]] = {}
    for m in moves:
        if m[end] is not None:
            out.setdefault(str(m[end]), []).append(m["doc_id"])
    return dict(sorted(out.items()))


def entered_at_or_above(diff: dict, tier: int) -> list[dict]:
    """Tier changes that put a document at ``tier`` or above from below it (or from nowhere)."""
    return [m for m in diff["tier_changes"]
            if m["to"] is not None and m["to"] >= tier and (m["from"] is None or m["from"] < tier)]


def render_diff(diff: dict, title: str) -> list[str]:
    """Plain lines for the terminal (``pii-scanner diff``); ids are the caller's to make safe."""
    before, after = diff["counts"]["before"], diff["counts"]["after"]
    lines = [title, f"documents: +{len(diff['added'])} added, -{len(diff['removed'])} removed, "
                    f"{len(diff['changed'])} changed content, {len(diff['tier_changes'])} tier changes"]
    for key, name in (("by_tier", "tier"), ("by_category", "category"), ("by_label", "label")):
        names = sorted(set(before[key]) | set(after[key]))
        if names:
            lines.append(f"{name}: " + ", ".join(
                f"{n} {before[key].get(n, 0)}->{after[key].get(n, 0)}" for n in names))
    for m in diff["tier_changes"]:
        lines.append(f"  {m['doc_id']}: {_tier_name(m['from'])} -> {_tier_name(m['to'])}")
    for doc_id, cats in diff["new_categories"].items():
        lines.append(f"  {doc_id}: new categories {', '.join(cats)}")
    for doc_id, labels in diff["new_labels"].items():
        lines.append(f"  {doc_id}: new labels {', '.join(labels)}")
    return lines


def _tier_name(t: int | None) -> str:
    return "-" if t is None else f"tier {t}"
