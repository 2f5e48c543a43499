"""Windowing and batching: every token owned exactly once, exact offsets, token budgets respected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.windows import make_batches, make_windows, rust_tokenizer, tokenize


@given(n=st.integers(0, 3000), max_tokens=st.integers(8, 300), data=st.data())
@settings(max_examples=200, deadline=None)
def test_every_token_owned_by_exactly_one_window(n, max_tokens, data):
    stride = data.draw(st.integers(0, max_tokens // 2))
    ids = np.arange(n, dtype=np.int32)
    if n == 0:
        return
    windows = make_windows(0, n, ids, max_tokens, stride)
    owned = np.zeros(n, dtype=int)
    for w in windows:
        assert len(w.ids) <= max_tokens
        assert w.tok_start <= w.keep_start <= w.keep_end <= w.tok_start + len(w.ids)
        assert np.array_equal(w.ids, ids[w.tok_start:w.tok_start + len(w.ids)])
        owned[w.keep_start:w.keep_end] += 1
        # Every owned token sees at least half the overlap of context on each side (or a doc edge).
        end = w.tok_start + len(w.ids)
        assert w.tok_start == 0 or w.keep_start - w.tok_start >= stride // 2
        assert end == n or end - w.keep_end >= stride // 2
    assert (owned == 1).all()
    # Nothing is inferred twice beyond the overlaps: no full-length last window re-reading its neighbour.
    assert sum(len(w.ids) for w in windows) == n + (len(windows) - 1) * stride


@given(lengths=st.lists(st.integers(1, 254), min_size=1, max_size=400), budget=st.integers(256, 8192),
       max_batch=st.integers(1, 64), pad_multiple=st.sampled_from([1, 8]))
@settings(max_examples=150, deadline=None)
def test_batches_are_the_length_sorted_windows_cut_greedily_at_the_budget(lengths, budget, max_batch,
                                                                         pad_multiple):
    """What make_batches promises, on any lengths (no bound fitted to one seed): the batches, in order,
    are the windows sorted by length; each batch's padded size fits the budget (a lone window that
    does not fit goes alone); and each batch is as big as it can be: the next window would break the
    budget or max_batch. So padding is only the spread of one contiguous run of sorted lengths."""
    windows = [make_windows(i, k, np.full(k, 7, dtype=np.int32), 254, 64)[0] for i, k in enumerate(lengths)]
    batches = list(make_batches(windows, budget, 101, 102, max_batch=max_batch, pad_multiple=pad_multiple))

    def width(n: int) -> int:
        return -(-(n + 2) // pad_multiple) * pad_multiple

    got = [len(w.ids) for b in batches for w in b.windows]
    assert got == sorted(lengths)
    assert sorted(w.doc_index for b in batches for w in b.windows) == list(range(len(lengths)))  # each once
    for k, b in enumerate(batches):
        rows, cols = b.input_ids.shape
        assert rows == len(b.windows) <= max_batch and cols == width(len(b.windows[-1].ids))
        assert rows * cols <= budget or rows == 1
        assert (b.input_ids[:, 0] == 101).all()
        assert (b.attention_mask.sum(1) == [len(w.ids) + 2 for w in b.windows]).all()
        if k + 1 < len(batches):  # greedy: the next batch's first window did not fit in this one
            nxt = len(batches[k + 1].windows[0].ids)
            assert rows == max_batch or (rows + 1) * width(nxt) > budget


def test_pad_multiple_rounds_widths_within_the_budget():
    rng = np.random.default_rng(1)
    windows = [make_windows(i, k, np.full(k, 7, dtype=np.int32), 126, 32)[0]
               for i, k in enumerate(rng.integers(1, 127, size=200))]
    plain = list(make_batches(windows, 4096, 101, 102))
    padded = list(make_batches(windows, 4096, 101, 102, pad_multiple=8))
    assert sum(len(b.windows) for b in padded) == 200
    for b in padded:
        rows, width = b.input_ids.shape
        assert width % 8 == 0 and rows * width <= 4096
        for r, w in enumerate(b.windows):  # content and mask unchanged by the extra padding
            n = len(w.ids)
            assert b.input_ids[r, 0] == 101 and b.input_ids[r, n + 1] == 102
            assert (b.input_ids[r, 1:n + 1] == w.ids).all() and b.attention_mask[r].sum() == n + 2
    assert sum(b.n_tokens for b in padded) == sum(b.n_tokens for b in plain)
    assert any(b.input_ids.shape[1] % 8 for b in plain)  # the default really does not round


@pytest.mark.parametrize("text", [
    "Plain ASCII text with Jane Doe.",
    "Emoji 👩‍💻 then Zoë Ångström and 東京都 千代田区 1-1 with combining e\u0301 marks",
    "CRLF lines\r\nSecond line\r\nThird 😀 line",
    "",
])
def test_offsets_are_python_str_offsets(hf_tokenizer, text):
    tok = rust_tokenizer(hf_tokenizer)
    (t,) = tokenize(tok, [text])
    for (s, e) in t.offsets:
        piece = text[s:e]
        assert piece and not piece.isspace()
        assert 0 <= s < e <= len(text)


def test_huge_text_is_tokenised_in_pieces_with_exact_offsets(hf_tokenizer):
    tok = rust_tokenizer(hf_tokenizer)
    unit = "lorem ipsum dolor 😀 sit amet, "
    text = unit * 12_000 + "Contact zbigniew.kowalczyk@example.org now."
    assert len(text) > 300_000  # several pieces
    (big,) = tokenize(tok, [text])
    starts = big.offsets[:, 0]
    assert (np.diff(starts) > 0).all()  # offsets keep increasing across pieces
    assert (np.diff(big.word_ids) >= 0).all()  # word ids too: no word merges across pieces
    email_start = text.index("zbigniew")
    k = int(np.searchsorted(starts, email_start))
    assert starts[k] == email_start
    word = big.word_ids == big.word_ids[k]  # the sub-words of "zbigniew", wherever the pieces were cut
    assert text[big.offsets[word][0][0]:big.offsets[word][-1][1]] == "zbigniew"
