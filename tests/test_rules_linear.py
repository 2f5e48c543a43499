"""Pathological inputs must not make any detector slow: every regex is meant to be linear-time.

Checked by how the time grows (``scaling.superlinear``: 4x the input, not 16x the time), not by a
wall-clock limit that a loaded machine would fail and a fast one would pass with a quadratic pattern.
"""

from __future__ import annotations

import pytest
from scaling import superlinear

from scanner.rules import RulesConfig, build_detectors

N = 100_000
UNITS = {
    "letters": "a",
    "digits": "1",
    "digit-space": "1 ",
    "digit-dash": "12-",
    "dotted-digits": "1.",
    "dotted-letters": "a.",
    "at-signs": "a@",
    "colons": ":",
    "hex-colons": "ff::",
    "pem-headers": "-----BEGIN RSA PRIVATE KEY-----\n",
    "assignments": "password=",
    "open-quotes": 'password="',
    "jwt-ish": "eyJhbGciOiJIUzI1NiJ9.",
    "www": "www.",
    "schemes": "http://",
    "iban-ish": "AB12 ",
    "parens": "(1",
    "email-ish": "a.b@c.",
}


@pytest.mark.parametrize("name", list(UNITS))
def test_pathological_input_is_linear(name: str) -> None:
    unit = UNITS[name]
    big, small = unit * (N // len(unit)), unit * (N // 4 // len(unit))
    for det in build_detectors(RulesConfig()):
        problem = superlinear(det.find, small, big)
        assert problem is None, f"{det.name} on {name} (~100 KB): {problem}"
