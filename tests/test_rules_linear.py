"""Pathological inputs must not make any detector slow: every regex is meant to be linear-time."""

from __future__ import annotations

import time

import pytest

from scanner.rules import RulesConfig, build_detectors

N = 100_000
CASES = {
    "letters": "a" * N,
    "digits": "1" * N,
    "digit-space": "1 " * (N // 2),
    "digit-dash": "12-" * (N // 3),
    "dotted-digits": "1." * (N // 2),
    "dotted-letters": "a." * (N // 2),
    "at-signs": "a@" * (N // 2),
    "colons": ":" * N,
    "hex-colons": "ff::" * (N // 4),
    "pem-headers": "-----BEGIN RSA PRIVATE KEY-----\n" * (N // 32),
    "assignments": "password=" * (N // 9),
    "open-quotes": 'password="' * (N // 10),
    "jwt-ish": "eyJhbGciOiJIUzI1NiJ9." * (N // 21),
    "www": "www." * (N // 4),
    "schemes": "http://" * (N // 7),
    "iban-ish": "AB12 " * (N // 5),
    "parens": "(1" * (N // 2),
    "email-ish": "a.b@c." * (N // 6),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pathological_input_is_fast(name: str) -> None:
    text = CASES[name]
    for det in build_detectors(RulesConfig()):
        t0 = time.perf_counter()
        det.find(text)
        elapsed = time.perf_counter() - t0
        # ~100 KB: linear detectors take milliseconds; a quadratic one takes many seconds.
        assert elapsed < 3.0, f"{det.name} took {elapsed:.1f}s on {name}"
