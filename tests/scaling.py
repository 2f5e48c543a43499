"""A time-complexity check for the edit loop's unit tests that no machine speed or busy neighbour fails.

A wall-clock limit ("under 3 s") fails on a slow or loaded machine and passes a quadratic regression
on a fast one. ``superlinear`` times the same call on an input and on one ``factor`` times smaller
(best of ``repeats`` each) and reports a problem only when BOTH hold: the big input took longer than
``floor_s`` (so millisecond noise cannot trip it) and the time grew more than ``max_ratio`` times
(4x the input: about 4x the time when linear, 16x when quadratic, more when exponential).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def _best(fn: Callable[[Any], object], arg: Any, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - t0)
    return best


def superlinear(fn: Callable[[Any], object], small: Any, big: Any, factor: float = 4, max_ratio: float = 10,
                floor_s: float = 0.5, repeats: int = 3) -> str | None:
    """``None`` when ``fn`` scales about linearly from ``small`` to ``big`` (``factor`` times bigger),
    else what was measured."""
    t_big = _best(fn, big, repeats)
    if t_big <= floor_s:
        return None
    t_small = _best(fn, small, repeats)
    if t_big <= max_ratio * max(t_small, 1e-6):
        return None
    return f"{factor:g}x the input took {t_big / max(t_small, 1e-6):.0f}x the time ({t_small:.3f}s -> {t_big:.2f}s)"
