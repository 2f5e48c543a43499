"""Resume is exact or refuses: what a committed shard depends on is written down and checked.

A shard's result depends on its documents (ids, sources, statuses and texts), the model, the rules and
policy files, the backend's numerics and the run's options. So:

* each documents part carries a fingerprint of the documents it was scanned from (Parquet key-value
  metadata, written in the same atomic rename as the part: a part and its fingerprint never disagree);
* the manifest, written before the first shard, carries the run's ``settings`` (hashes and options).

A rerun whose settings differ from the folder's stops (``ResumeRefused``: its own exit code; ``--fresh``
starts over). With the same settings, a shard is kept only when the documents read now give the same
fingerprint; any other shard is scanned again, and parts past the new end of the input are removed.
So appending, removing or editing lines rescans exactly the shards that changed.

One writer per output folder: ``OutputLock`` holds ``flock`` on the folder itself, which the kernel
drops when the holder dies (kill -9 included), so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import OutputBusy, ResumeRefused  # noqa: F401  (importable from here, as they always were)
from .records import Document

# Settings whose change makes earlier shards incomparable, with how the message names them.
SETTING_NAMES = {
    "inputs": "inputs", "format": "--format", "text_column": "--text-column", "id_column": "--id-column",
    "shard_size": "--shard-size", "include_text": "--include-text", "redact": "--redact",
    "use_model": "--no-model", "use_rules": "--no-rules", "model_sha256": "the model",
    "rules_sha256": "the rules file (--rules)", "policy_sha256": "the policy file (--policy)",
    "backend": "the backend (--backend/--device/--precision)", "version": "the pii-scanner version",
    "output_schema": "the output schema (reasons became structs)", "sample": "--sample/--seed",
    "language_id": "the language identifier (py3langid)",
}


def _feed(h: hashlib._Hash, value: str | None) -> None:
    """Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently; None differs from ""."""
    if value is None:
        h.update(b"\xff")
        return
    data = value.encode("utf-8", "surrogatepass")
    h.update(len(data).to_bytes(8, "little"))
    h.update(data)


def shard_fingerprint(docs: Iterable[Document]) -> str:
    """A digest of everything a shard's result depends on from its documents (not the text itself)."""
    h = hashlib.blake2b(digest_size=16)
    for d in docs:
        for value in (d.doc_id, d.source, d.status, d.error, d.text, getattr(d, "note", None)):
            _feed(h, value)
    return h.hexdigest()


def content_hash(d: Document) -> str:
    """An audit's per-document hash: what its result depends on, but not where it was read from. A
    nightly dump under a new name (``corpus-2026-12-02.jsonl``) changes no document; the carried row
    takes the new source."""
    h = hashlib.blake2b(digest_size=16)
    for value in (d.doc_id, d.status, d.error, d.text, getattr(d, "note", None)):
        _feed(h, value)
    return h.hexdigest()


def settings_differ(before: dict[str, Any] | None, now: dict[str, Any]) -> list[str]:
    """Names of the settings (as a user knows them) that differ; all of them when none were recorded."""
    if not before:
        return ["the earlier run's settings (not recorded)"]
    keys = sorted(set(before) | set(now), key=lambda k: list(SETTING_NAMES).index(k) if k in SETTING_NAMES else 99)
    return [SETTING_NAMES.get(k, k) for k in keys if before.get(k) != now.get(k)]


def check_resumable(out: Path, previous: dict[str, Any] | None, settings: dict[str, Any], has_parts: bool) -> None:
    """Raise ``ResumeRefused`` when the folder's results came from other settings (or cannot tell)."""
    if previous is None and not has_parts:
        return  # a new folder
    differ = settings_differ((previous or {}).get("settings"), settings)
    if differ:
        raise ResumeRefused(
            f"{out} holds results of another scan (different {', '.join(differ)}); resuming would mix "
            f"them with this one's. Run with --fresh to start over, or use another output folder")


class OutputLock:
    """``flock`` on the output folder for the whole run; a second scan into it fails at once."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputBusy(f"{self.folder}: another scan is writing to this folder; wait for it to "
                             f"finish or use another output folder") from None
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None
