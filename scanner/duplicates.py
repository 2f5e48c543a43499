"""Duplicate ids: every document is scanned, and ids stay unique in the output."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator

from .records import Document


class DuplicateGuard:
    """Renames the second and later documents with an already-seen id, so every document is scanned
    and ids stay unique in the output: ``{id}@{source}``, then ``{id}@{source}#2``, ... (each new name
    checked too), with a ``note`` giving the original id and where it was first seen.

    Ids are kept as 8-byte blake2b digests (as Python ints) with an index into a list of sources, about
    80-100 bytes per distinct id: tens of millions of ids fit in a few GB. A digest collision (odds
    about n^2 / 2^65, ~1e-4 at 50 million ids) would rename one document that needed no renaming.
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._sources: list[str] = []
        self._source_index: dict[str, int] = {}

    @staticmethod
    def _key(doc_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")

    def _remember(self, key: int, source: str) -> None:
        idx = self._source_index.get(source)
        if idx is None:  # one shared int object per source keeps the dict values free
            idx = self._source_index[source] = len(self._sources)
            self._sources.append(source)
        self._seen[key] = idx

    def check(self, doc: Document) -> Document:
        """Return ``doc`` unchanged the first time its id is seen, a renamed copy afterwards."""
        key = self._key(doc.doc_id)
        first = self._seen.get(key)
        if first is None:
            self._remember(key, doc.source)
            return doc
        new_id, n = f"{doc.doc_id}@{doc.source}", 1
        while (new_key := self._key(new_id)) in self._seen:
            n += 1
            new_id = f"{doc.doc_id}@{doc.source}#{n}"
        self._remember(new_key, doc.source)
        note = f"duplicate id {json.dumps(doc.doc_id, ensure_ascii=False)} (first seen in {self._sources[first]}): renamed"
        return Document(new_id, doc.source, doc.text, doc.error, doc.status,
                        note=f"{note}; {doc.note}" if doc.note else note)

    def __call__(self, documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            yield self.check(doc)

    def __len__(self) -> int:
        return len(self._seen)
