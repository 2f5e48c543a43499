"""Reproducible random samples of a corpus, and tier shares estimated from them with an interval.

A first look at a huge corpus need not scan all of it. A document is in the sample when a keyed hash
of its id falls below a threshold, so the same ``--sample`` and ``--seed`` pick the same documents
whatever the input order, and a document added later joins the sample with the same probability.
``N`` (a count) needs the N smallest hashes: one extra pass over the ids before the scan.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .records import Document

_SPACE = 2**64
Z_95 = 1.959964  # two-sided 95%


@dataclass(frozen=True)
class SampleSpec:
    """``size`` documents, or a ``fraction`` of them; ``seed`` picks another sample."""

    size: int | None = None
    fraction: float | None = None
    seed: int = 0

    def describe(self) -> dict:
        return {"size": self.size, "fraction": self.fraction, "seed": self.seed}


def parse_sample(value: str, seed: int = 0) -> SampleSpec:
    """``1000`` -> 1,000 documents; ``0.05`` or ``5%`` -> that share of them."""
    text = value.strip()
    try:
        if text.endswith("%"):
            fraction = float(text[:-1]) / 100
        elif text.isdigit():
            n = int(text)
            if n < 1:
                raise ValueError
            return SampleSpec(size=n, seed=seed)
        else:
            fraction = float(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a count >= 1 or a fraction in (0, 1]") from None
    if not 0 < fraction <= 1:
        raise ValueError(f"'{value}' is not a count >= 1 or a fraction in (0, 1]")
    return SampleSpec(fraction=fraction, seed=seed)


def sample_key(doc_id: str, seed: int) -> int:
    """A uniform 64-bit key per (seed, id): the sample's order."""
    h = hashlib.blake2b(f"{seed}\0{doc_id}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(h.digest(), "big")


class Sampler:
    """Filters documents into the sample and counts the population it saw (for the estimates)."""

    def __init__(self, spec: SampleSpec, ids: Callable[[], Iterable[str]] | None = None) -> None:
        self.spec = spec
        self.population = 0
        self.sampled = 0
        if spec.size is not None:
            if ids is None:
                raise ValueError("a sample of N documents needs a first pass over the ids")
            keys = heapq.nsmallest(spec.size, (sample_key(i, spec.seed) for i in ids()))
            self.threshold = keys[-1] + 1 if len(keys) == spec.size else _SPACE
        else:
            self.threshold = math.ceil((spec.fraction or 0.0) * _SPACE)

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        for d in docs:
            self.population += 1
            if sample_key(d.doc_id, self.spec.seed) < self.threshold:
                self.sampled += 1
                yield d


def wilson(k: int, n: int, population: int | None = None, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for k of n, narrowed by the finite-population correction (a sample of
    the whole corpus has no uncertainty left)."""
    if n == 0:
        return 0.0, 1.0
    if population is not None and population > 1 and n < population:
        n_eff = n * (population - 1) / (population - n)
    elif population is not None and n >= population:
        return k / n, k / n
    else:
        n_eff = float(n)
    p = k / n
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def tier_estimates(by_tier: dict, unscanned: int, n: int, population: int) -> dict[str, dict]:
    """Estimated share of the corpus per tier (and not scanned), 95% interval, and documents implied."""
    groups = {str(k): int(v) for k, v in sorted(by_tier.items(), key=lambda x: int(x[0]))}
    if unscanned:
        groups["not scanned"] = unscanned
    out = {}
    for key, k in groups.items():
        low, high = wilson(k, n, population)
        out[key] = {"sampled": k, "share": k / n if n else 0.0, "low": low, "high": high,
                    "documents_low": math.floor(low * population), "documents_high": math.ceil(high * population)}
    return out


def sample_report(spec: SampleSpec, sampler: Sampler, by_tier: dict, unscanned: int) -> dict:
    """The manifest's ``sample`` section: what was sampled, and the estimates."""
    return {**spec.describe(), "population": sampler.population, "sampled": sampler.sampled,
            "confidence": 0.95, "method": "Wilson score interval, finite-population corrected",
            "estimates": tier_estimates(by_tier, unscanned, sampler.sampled, sampler.population)}
