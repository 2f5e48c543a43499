"""Scanner behaviour that a GPU run relies on, checked on CPU with the real model."""

from __future__ import annotations

from dataclasses import replace

from scanner.pipeline import Scanner
from scanner.records import Document

TEXTS = [
    "Hi, I'm Dolores Abernathy, reach me at dolores@example.net or (415) 555-0132.",
    "Invoice INV-2024-00817 for 3 items, total $1,250.00.",
    "Patient Kwame Mensah, DOB 03/14/1987, was prescribed metformin for type 2 diabetes.",
    "Server 10.20.30.40 rejected the login of user jdoe42 at 02:14.",
] * 6


def _docs():
    return [Document(f"d{i}", "t", t) for i, t in enumerate(TEXTS)]


def _spans(results):
    return [[(s.start, s.end, s.label, s.detector) for s in r.spans] for r in results]


def test_out_of_memory_halves_the_batch_and_gives_identical_results(scanner):
    reference = _spans(scanner.scan_shard(_docs()))
    real_infer = scanner.backend.infer
    seen_rows = []

    def infer_with_small_memory(input_ids, mask):
        seen_rows.append(input_ids.shape[0])
        if input_ids.shape[0] > 4:  # fault injection: a device that only fits 4 rows
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_infer(input_ids, mask)

    budget = scanner.token_budget
    scanner.backend.infer = infer_with_small_memory
    try:
        got = _spans(scanner.scan_shard(_docs()))
    finally:
        scanner.backend.infer = real_infer
        scanner.token_budget = budget
    assert got == reference
    assert max(seen_rows) > 4 and min(seen_rows) <= 4


def test_rules_beside_inference_give_identical_results(scanner):
    reference = _spans(scanner.scan_shard(_docs()))
    overlapped = Scanner(replace(scanner.options, overlap_rules=True))
    assert overlapped._pool is not None
    assert _spans(overlapped.scan_shard(_docs())) == reference
