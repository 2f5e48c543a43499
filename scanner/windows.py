"""Tokenise documents once, cut them into overlapping model windows, and pack windows into batches.

Why windows: the model sees at most ``max_length`` tokens, but an entity at character 500,000 of a
1 MB document must still be found exactly once. Each document is tokenised once (with character
offsets), cut into windows that overlap by ``stride`` tokens, and every token is *owned* by exactly one
window (the one where it sits furthest from an edge), so stitching window outputs back together gives
one prediction per token.

Why length-sorted token-budget batches: padding is wasted compute. Sorting windows by length and
filling each batch up to a token budget keeps padding near zero on CPU and keeps a GPU busy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

# Texts longer than this are tokenised in pieces cut at whitespace, so a 50 MB document never builds
# one giant Rust encoding (memory) and offsets stay exact.
_PIECE_CHARS = 100_000
# Characters per encode_batch call: big enough for the Rust side to parallelise, small enough that the
# Python objects it returns for one call stay bounded on a 50 MB document.
_GROUP_CHARS = 2_000_000


@dataclass(slots=True)
class Tokenized:
    """One document's tokens: ids, character offsets and word index per token (no special tokens)."""

    ids: np.ndarray  # int32 [n]
    offsets: np.ndarray  # int64 [n, 2], Python str offsets
    word_ids: np.ndarray  # int64 [n], word index within the document
    case: np.ndarray | None = None  # int64 [n], word case classes for models that read them (case.py)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(slots=True)
class Window:
    """A model input: tokens ``[tok_start, tok_start + len(ids))`` of one document.

    ``keep_start``/``keep_end`` are the document token indices whose predictions this window owns.
    """

    doc_index: int
    tok_start: int
    ids: np.ndarray  # int32, without special tokens
    keep_start: int
    keep_end: int
    case: np.ndarray | None = None  # the tokens' case classes, when the model reads them


@dataclass(slots=True)
class Batch:
    """Padded arrays ready for a backend, plus the windows they came from."""

    input_ids: np.ndarray  # int64 [B, T]
    attention_mask: np.ndarray  # int64 [B, T]
    windows: list[Window]
    token_type_ids: np.ndarray | None = None  # int64 [B, T] case classes (0 on special tokens and padding)

    @property
    def n_tokens(self) -> int:
        return int(self.attention_mask.sum())


def _split_points(text: str, piece: int) -> list[int]:
    """Cut positions at whitespace near every ``piece`` characters (never inside a word)."""
    cuts = [0]
    n = len(text)
    while n - cuts[-1] > piece:
        target = cuts[-1] + piece
        cut = text.rfind(" ", cuts[-1] + piece // 2, target)
        if cut == -1:
            cut = text.rfind("\n", cuts[-1] + piece // 2, target)
        if cut == -1:
            cut = target  # no whitespace at all: an unbroken run; cutting it is the only option
        cuts.append(cut)
    cuts.append(n)
    return cuts


def _encode(tokenizer, pieces: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Rust tokenizer directly: skips the Python BatchEncoding layer, which costs more than tokenising."""
    out = []
    start = 0
    while start < len(pieces):
        end, size = start, 0
        while end < len(pieces) and (end == start or size + len(pieces[end]) <= _GROUP_CHARS):
            size += len(pieces[end])
            end += 1
        for e in tokenizer.encode_batch(pieces[start:end], add_special_tokens=False):
            words = np.fromiter((-1 if w is None else w for w in e.word_ids), dtype=np.int64,
                                count=len(e.ids))
            # fromiter over the flattened pairs: twice as fast as asarray on a list of tuples.
            offsets = np.fromiter(itertools.chain.from_iterable(e.offsets), dtype=np.int64,
                                  count=2 * len(e.ids)).reshape(-1, 2)
            out.append((np.asarray(e.ids, dtype=np.int32), offsets, words))
        start = end
    return out


def rust_tokenizer(hf_tokenizer):
    """A copy of the fast tokenizer's Rust core with truncation and padding off (we window ourselves)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(hf_tokenizer.backend_tokenizer.to_str())
    tok.no_truncation()
    tok.no_padding()
    return tok


def tokenize(tokenizer, texts: Sequence[str], case: bool = False) -> list[Tokenized]:
    """Tokenise many documents (a ``tokenizers.Tokenizer``); huge texts are cut into pieces first.

    ``case``: also give each token its word's case class (``case.case_ids``), for models that read it.
    """
    pieces: list[str] = []
    owners: list[tuple[int, int]] = []  # (doc index, char shift)
    for i, text in enumerate(texts):
        if len(text) <= _PIECE_CHARS:
            pieces.append(text)
            owners.append((i, 0))
            continue
        cuts = _split_points(text, _PIECE_CHARS)
        for a, b in zip(cuts, cuts[1:]):
            pieces.append(text[a:b])
            owners.append((i, a))
    encoded = _encode(tokenizer, pieces)
    per_doc: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in texts]
    word_base = [0] * len(texts)
    for (ids, offs, words), (doc, shift) in zip(encoded, owners):
        if shift:
            offs = offs + shift
        if len(words):
            words = words + word_base[doc]
            word_base[doc] = int(words.max()) + 1
        per_doc[doc].append((ids, offs, words))
    out = []
    for parts in per_doc:
        if len(parts) == 1:
            out.append(Tokenized(*parts[0]))
        else:
            out.append(Tokenized(np.concatenate([p[0] for p in parts]),
                                 np.concatenate([p[1] for p in parts]),
                                 np.concatenate([p[2] for p in parts])))
    if case:
        from .case import case_ids

        for text, tk in zip(texts, out):
            tk.case = case_ids(text, tk.offsets, tk.word_ids)
    return out


def make_windows(doc_index: int, n_tokens: int, ids: np.ndarray, max_tokens: int,
                 stride: int, case: np.ndarray | None = None) -> list[Window]:
    """Overlapping windows over one document; each token owned by the window where it is most central.

    ``max_tokens`` excludes the two special tokens. ``stride`` is the overlap in tokens. Windows start
    every ``max_tokens - stride`` tokens and the last one simply ends with the document: aligning it
    to the end instead (a full-length window) would re-infer up to ``max_tokens`` tokens that its
    neighbour already owns (a 130-token document would cost 252 tokens instead of 162).
    """
    if n_tokens <= max_tokens:
        return [Window(doc_index, 0, ids, 0, n_tokens, case)]
    step = max_tokens - stride
    # Exactly one start falls in [n - max_tokens, n - stride): the last window, which reaches the end
    # and is longer than the overlap, so its tokens keep as much left context as any other window's.
    starts = list(range(0, n_tokens - stride, step))
    windows = []
    for j, s in enumerate(starts):
        # Ownership boundary between neighbours: the middle of their overlap.
        keep_start = 0 if j == 0 else (s + starts[j - 1] + max_tokens) // 2
        keep_end = n_tokens if j == len(starts) - 1 else (starts[j + 1] + s + max_tokens) // 2
        windows.append(Window(doc_index, s, ids[s:s + max_tokens], keep_start, keep_end,
                              None if case is None else case[s:s + max_tokens]))
    return windows


def make_batches(windows: list[Window], token_budget: int, cls_id: int, sep_id: int,
                 pad_id: int = 0, max_batch: int = 512, pad_multiple: int = 1) -> Iterator[Batch]:
    """Length-sorted batches whose padded size (rows x longest row) stays within ``token_budget``.

    ``pad_multiple`` rounds each batch's width up (8 suits GPU tensor cores); the budget counts it.
    """
    def width_of(n_ids: int) -> int:
        return -(-(n_ids + 2) // pad_multiple) * pad_multiple

    order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
    i = 0
    while i < len(order):
        # Grow the batch while rows * longest-row-so-far fits the budget (sorted, so the last is longest).
        j = i + 1
        while j < len(order) and j - i < max_batch:
            longest = width_of(len(windows[order[j]].ids))
            if (j - i + 1) * longest > token_budget:
                break
            j += 1
        chosen = [windows[k] for k in order[i:j]]
        width = width_of(len(chosen[-1].ids))
        input_ids = np.full((len(chosen), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(chosen), width), dtype=np.int64)
        types = np.zeros((len(chosen), width), dtype=np.int64) if chosen[0].case is not None else None
        for r, w in enumerate(chosen):
            n = len(w.ids)
            input_ids[r, 0] = cls_id
            input_ids[r, 1:n + 1] = w.ids
            input_ids[r, n + 1] = sep_id
            mask[r, :n + 2] = 1
            if types is not None:
                types[r, 1:n + 1] = w.case
        yield Batch(input_ids, mask, chosen, types)
        i = j
