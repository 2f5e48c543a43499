"""``--sample N|FRACTION`` and ``--seed`` for ``scan`` and ``audit``, and how estimates are printed."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table


def _parse(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    from .sample import parse_sample

    try:
        return parse_sample(value, seed=ctx.params.get("seed") or 0)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def sample_options(f):
    """Adds ``sample`` (a ``SampleSpec`` or None) and ``seed`` to a command's keywords."""
    f = click.option("--sample", "sample", default=None, callback=_parse, metavar="N|FRACTION",
                     help="Scan a reproducible random sample: N documents, or a fraction (0.05, 5%); "
                          "tier shares are then estimates with a 95% interval.")(f)
    # is_eager: parsed before --sample, whose callback reads it
    return click.option("--seed", default=0, show_default=True, type=int, is_eager=True,
                        help="Which sample --sample takes (the same seed picks the same documents).")(f)


def check_sample_inputs(spec, inputs: list[str]) -> str | None:
    """A sample of N documents reads the ids first, then the documents: a stream cannot be read twice."""
    if spec is not None and spec.size is not None and any(i == "-" or i.startswith(("/dev/", "/proc/")) for i in inputs):
        return "--sample N reads the input twice and cannot sample a stream; give a fraction (--sample 0.01)"
    return None


def print_estimates(err: Console, sample: dict | None) -> None:
    """'estimated share per tier' table for a sampled run: these are estimates, and say so."""
    if not sample:
        return
    t = Table(title=f"estimates from a sample of {sample['sampled']:,} of {sample['population']:,} documents "
                    f"(95% interval)", box=None)
    for col in ("tier", "sampled", "share", "95% interval", "documents"):
        t.add_column(col)
    for tier, e in sample["estimates"].items():
        t.add_row(tier, f"{e['sampled']:,}", f"{e['share']:.1%}", f"{e['low']:.1%} - {e['high']:.1%}",
                  f"{e['documents_low']:,} - {e['documents_high']:,}")
    err.print(t)
