"""One realistic document per tier through the real `pii-scanner scan` command and the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from scanner.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "tiers"
EXPECTED = {
    "tier1_public_press_release.txt": (1, {"public"}),
    "tier2_internal_strategy.txt": (2, {"internal_strategy"}),
    "tier3_customer_email.txt": (3, {"pii"}),
    "tier4_privileged_memo.txt": (4, {"privileged"}),
}


def _scan(tmp_path: Path, *extra: str):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLES, corpus)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["scan", str(corpus), "-o", str(out), "-q", "--backend", "torch", *extra])
    return res, out


def test_each_sample_lands_in_its_tier_with_reasons(tmp_path):
    res, out = _scan(tmp_path)
    assert res.exit_code == 0, res.output
    rows = {r["doc_id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert set(rows) == set(EXPECTED)
    for name, (tier, must_have) in EXPECTED.items():
        row = rows[name]
        assert row["tier"] == tier, (name, row["categories"], row["reasons"])
        assert must_have <= set(row["categories"]), (name, row["categories"])
        assert row["reasons"], name
        assert row["tier_name"]


def test_custom_policy_moves_a_tier_and_fail_on_tier_alerts(tmp_path):
    import yaml

    policy = yaml.safe_load((Path(__file__).resolve().parent.parent / "configs" / "policy.yaml").read_text())
    policy["categories"]["internal_strategy"] = 3  # this organisation keeps strategy on-premise
    custom = tmp_path / "strict.yaml"
    custom.write_text(yaml.safe_dump(policy))
    res, out = _scan(tmp_path, "--policy", str(custom), "--fail-on-tier", "4")
    assert res.exit_code == 4, res.output  # the privileged memo is tier 4
    rows = {r["doc_id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert rows["tier2_internal_strategy.txt"]["tier"] == 3


def test_unknown_policy_key_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tiers: {}\ncategoriess: {}\n")
    res, _ = _scan(tmp_path, "--policy", str(bad))
    assert res.exit_code == 1
    assert "bad.yaml" in res.output and "categoriess" in res.output
