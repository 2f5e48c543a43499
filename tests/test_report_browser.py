"""The report in a real browser: headless Chromium, offline, draws every chart and fills the tables.

Skipped where Debian's ``chromium`` is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import re

import chromium
import numpy as np
import pytest
from click.testing import CliRunner
from test_report import EMAIL, SSN, parse, two_runs

from scanner.cli import EXIT_OK, main
from scanner.report import TIER_COLORS

pytestmark = [pytest.mark.slow,  # a headless browser
              pytest.mark.skipif(chromium.binary() is None, reason="chromium is not installed (apt-get install chromium)")]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    state, second = two_runs(tmp)
    out = tmp / "report.html"
    assert CliRunner().invoke(main, ["report", str(state), "-o", str(out)]).exit_code == EXIT_OK
    return out, second


def _chart(dom: str, name: str) -> str:
    start = dom.index(f'id="chart-{name}"')
    nxt = dom.find('id="chart-', start + 10)
    return dom[start: nxt if nxt > 0 else len(dom)]


def test_the_charts_draw_and_the_tables_have_rows_offline(report):
    out, second = report
    dom = chromium.dump_dom(out)
    for name in ("tiers", "trend", "categories", "labels"):
        assert 'class="main-svg"' in _chart(dom, name), f"{name} chart did not draw"
    assert len(re.findall(r'class="point"', _chart(dom, "tiers"))) == 3  # a bar each: tier 1, tier 3, not scanned
    assert len(re.findall(r'class="trace scatter', _chart(dom, "trend"))) == 2  # a line per tier (1, 3)
    t = parse(dom)
    assert len(t.tables["changes"]) == len(second["tier_changes"]) == 2
    assert len(t.tables["riskiest"]) >= 4 and t.tables["tiers"]
    assert SSN not in dom and EMAIL not in dom


def test_a_person_sees_the_tier_bars_in_the_screenshot(report, tmp_path):
    from PIL import Image

    out, _ = report
    png = chromium.screenshot(out, tmp_path / "report.png", 1280, 1400)
    pixels = np.asarray(Image.open(png).convert("RGB"))
    assert pixels.shape == (1400, 1280, 3)
    for tier in (1, 3):
        rgb = [int(TIER_COLORS[tier][i:i + 2], 16) for i in (1, 3, 5)]
        assert (pixels == rgb).all(axis=2).sum() > 5_000, f"tier {tier} bar not visible"  # a bar: ~10^4 px
    assert (pixels == 255).all(axis=2).mean() < 0.97  # not a blank page
