"""Scanner behaviour that a GPU run relies on, checked on CPU with the real model."""

from __future__ import annotations

from dataclasses import replace

from scanner.pipeline import Scanner
from scanner.records import Document
from scanner.workers import worker_scan_options

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

    def infer_with_small_memory(input_ids, mask, types=None):
        seen_rows.append(input_ids.shape[0])
        if input_ids.shape[0] > 4:  # fault injection: a device that only fits 4 rows
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_infer(input_ids, mask, types)

    budget = scanner.token_budget
    scanner.backend.infer = infer_with_small_memory
    try:
        got = _spans(scanner.scan_shard(_docs()))
        halved = scanner.token_budget
        workers_start_with = worker_scan_options(scanner, 2).token_budget
    finally:
        scanner.backend.infer = real_infer
        scanner.token_budget = budget
    assert got == reference
    assert max(seen_rows) > 4 and min(seen_rows) <= 4
    # The smaller budget is kept in its own field; the settled options stay as they were resolved,
    # and worker processes started now begin from the budget the parent has now.
    assert halved < budget == scanner.resolved.token_budget
    assert workers_start_with == halved


def test_options_are_resolved_once_for_the_device(scanner):
    r = scanner.resolved
    assert scanner.options.token_budget is None and scanner.options.pad_multiple is None  # as given
    assert (r.backend, r.device, r.precision, r.strict_backend) == (
        scanner.backend.name, scanner.backend.device, scanner.backend.precision, True)
    assert (r.token_budget, r.pad_multiple, r.overlap_rules) == (1_024, 1, False)  # a CPU's defaults
    assert r.for_device("cuda").token_budget == 1_024  # settled values are not re-decided
    gpu = replace(scanner.options, token_budget=None, overlap_rules=None).for_device("cuda")
    assert (gpu.token_budget, gpu.pad_multiple, gpu.overlap_rules) == (65_536, 8, True)
    # A Scanner built from the resolved options runs the same thing and resolves to the same options.
    again = Scanner(r)
    assert again.resolved == r
    assert _spans(again.scan_shard(_docs())) == _spans(scanner.scan_shard(_docs()))


def test_rules_beside_inference_give_identical_results(scanner):
    reference = _spans(scanner.scan_shard(_docs()))
    overlapped = Scanner(replace(scanner.options, overlap_rules=True))
    assert overlapped._pool is not None
    assert _spans(overlapped.scan_shard(_docs())) == reference
