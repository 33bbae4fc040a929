"""`consortia premium` end to end on the 12-CCG synthetic lake: the payment recomputed from
the printed JSON steps alone, a CCG's local measures and inputs used and said, and one-line
errors naming the file, key and rule for bad rules and inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from consortia.errors import ExitCode
from tests.integration.test_allocate import ccg_codes
from tests.integration.test_cli import assert_one_line_error, consortia

SHIPPED = Path(__file__).parents[2] / "src/consortia/finance/years/premium-2014-15.toml"

LOCAL = """
year = "2014/15"
ccg = "{ccg}"
[[measures]]
id = "rtt_admitted"
title = "Elective patients treated within 18 weeks"
weight = 0.15
rule = "at_least"
threshold = 0.5
lake = "rtt_admitted_within_18_weeks"
"""

INPUTS = """
year = "2014/15"
ccg = "{ccg}"
[measures.iapt_access]
achieved = true
source = "IAPT quarterly return, Q4 2014/15"
[measures.friends_and_family]
achieved = false
[gateways.quality]
passed = true
[gateways.financial]
passed = true
[standards.cancer_62_days]
value = 0.80
source = "Cancer waiting times, 2014/15"
"""


def run(lake: Path, folder: Path, *options: str) -> tuple[str, dict[str, Any]]:
    out = folder / "premium.json"
    result = consortia(
        "premium", "--data", str(lake), "--year", "2014-15", "--json", str(out), *options
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result.stdout, loaded


@pytest.fixture(scope="module")
def premium(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    folder = tmp_path_factory.mktemp("premium")
    code = ccg_codes(england_lake)[0]
    (folder / "local.toml").write_text(LOCAL.format(ccg=code), encoding="utf-8")
    (folder / "inputs.toml").write_text(INPUTS.format(ccg=code), encoding="utf-8")
    text, steps = run(
        england_lake, folder, "--ccg", code,
        "--local", str(folder / "local.toml"), "--inputs", str(folder / "inputs.toml"),
        "--html", str(folder / "premium.html"),
    )  # fmt: skip
    assert "Quality premium 2014/15: the measures" in (folder / "premium.html").read_text("utf-8")
    return text, steps


def test_the_payment_recomputes_from_the_steps(premium: tuple[str, Any]) -> None:
    text, steps = premium
    earned = 0.0
    for measure in steps["measures"]:
        current, previous = measure["current"], measure["previous"]
        rule = measure["rule"]
        if rule == "no_increase" and current and previous:
            assert measure["achieved"] == (current["value"] <= previous["value"])
        if rule == "reduction" and current and previous:
            limit = previous["value"] * (1 - measure["threshold"])
            assert measure["achieved"] == (current["value"] <= limit)
        if rule == "at_least" and current:
            assert measure["achieved"] == (current["value"] >= measure["threshold"])
        earned += measure["weight"] if measure["achieved"] else 0.0
    failed = 0
    for standard in steps["standards"]:
        if standard["reading"] is not None:
            assert standard["met"] == (standard["reading"]["value"] >= standard["threshold"])
        failed += not standard["met"]
    gated = all(g["passed"] for g in steps["gateways"])
    factor = max(0.0, 1 - steps["reduction_per_standard"] * failed)
    payment = steps["pounds_per_head"] * steps["population"] * earned * gated * factor
    assert steps["payment"] == pytest.approx(payment, rel=1e-12)
    assert f"£{payment:,.2f}" in text
    # the inputs were used: IAPT achieved, FFT not, cancer 80% < 85% failed
    by_id = {m["id"]: m for m in steps["measures"]}
    assert by_id["iapt_access"]["achieved"]
    assert not by_id["friends_and_family"]["achieved"]
    assert by_id["rtt_admitted"]["local"]
    assert by_id["rtt_admitted"]["achieved"]  # the lake's elective patients, most within 18 weeks
    cancer = {s["id"]: s for s in steps["standards"]}["cancer_62_days"]
    assert not cancer["met"]
    assert cancer["reading"]["where"] == "input"
    assert "IAPT quarterly return" in text
    # still assumed: medication safety reporting (no input), two standards without values
    assert "measure medication_safety_reporting: no input" in text
    assert "standard rtt_incomplete_18_weeks: no value, assumed met" in text


def test_the_lake_supplies_both_years(premium: tuple[str, Any]) -> None:
    _, steps = premium
    lake_measures = [m for m in steps["measures"] if m["id"] == "avoidable_emergency_admissions"]
    (measure,) = lake_measures
    assert measure["current"]["where"] == measure["previous"]["where"] == "lake"
    assert measure["current"]["lower"] < measure["current"]["value"] < measure["current"]["upper"]
    assert measure["change"] == pytest.approx(
        measure["current"]["value"] / measure["previous"]["value"] - 1
    )


def test_the_2013_14_scheme_says_what_the_lake_lacks(england_lake: Path, tmp_path: Path) -> None:
    code = ccg_codes(england_lake)[0]
    out = tmp_path / "p.json"
    result = consortia(
        "premium", "--data", str(england_lake), "--year", "2013/14", "--ccg", code,
        "--json", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no value for 2012/13 (give `previous` in --inputs)" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--year", "2019/20"], "no quality premium scheme for 2019/20"),
        (["--year", "2014"], "not a financial year"),
        (["--ccg", "99Z"], "no CCG with code '99Z'"),
        (["--rules", "{tmp}/weights.toml"], "sum to 1.1, not 1"),
        (["--inputs", "{tmp}/unknown.toml"], "the scheme has no measure 'waiting_lists'"),
        (["--local", "{tmp}/none.toml"], "cannot read"),
        (["--json", "{tmp}/file/out.json"], "cannot be written"),
    ],
)
def test_bad_rules_and_inputs_give_one_line(
    tmp_path: Path, small_lake: Path, args: list[str], words: str
) -> None:
    code = ccg_codes(small_lake)[0]
    shipped = SHIPPED.read_text(encoding="utf-8")
    (tmp_path / "weights.toml").write_text(
        shipped.replace("weight = 0.25", "weight = 0.35", 1), encoding="utf-8"
    )
    (tmp_path / "unknown.toml").write_text(
        f'year = "2014/15"\nccg = "{code}"\n[measures.waiting_lists]\nachieved = true\n',
        encoding="utf-8",
    )
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    options = {"--year": "2014/15", "--ccg": code}
    for key in ("--year", "--ccg"):
        if key in filled:
            options.pop(key)
    extra = [item for pair in options.items() for item in pair]
    result = consortia("premium", "--data", str(small_lake), *extra, *filled)
    line = assert_one_line_error(result, ExitCode.DATA)
    assert words in line
    if "{tmp}" in " ".join(args) and "json" not in " ".join(args):
        assert str(tmp_path) in line


def test_across_every_ccg(england_lake: Path, tmp_path: Path, premium: tuple[str, Any]) -> None:
    """Each CCG's share earned on the lake's measures is what its own run scores on them, and
    every Spearman ρ recomputes from the CCGs' rows."""
    from scipy import stats

    out = tmp_path / "across.json"
    result = consortia(
        "premium", "--data", str(england_lake), "--year", "2014/15", "--all-ccgs",
        "--json", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    across = json.loads(out.read_text(encoding="utf-8"))
    assert across["scored_measures"] == ["pyll_amenable", "avoidable_emergency_admissions"]
    assert across["scored_weight"] == pytest.approx(0.40)
    rows = across["ccgs"]
    assert len(rows) == len(ccg_codes(england_lake))
    _, own = premium
    lake_ids = set(across["scored_measures"])
    mine = sum(m["weight"] for m in own["measures"] if m["id"] in lake_ids and m["achieved"])
    first = next(r for r in rows if r["ccg"] == own["ccg"])
    assert first["earned"] == pytest.approx(mine)
    assert first["population"] == own["population"]
    for relation in across["relationships"]:
        pairs = [(r["earned"], r[relation["change"]]) for r in rows]
        pairs = [(e, c) for e, c in pairs if c is not None]
        if relation["rho"] is None:
            continue
        expected = stats.spearmanr([e for e, _ in pairs], [c for _, c in pairs]).statistic
        assert relation["rho"] == pytest.approx(expected, abs=1e-12)
        assert relation["lower"] <= relation["rho"] <= relation["upper"]
    assert "Spearman correlation of the share earned" in result.stdout


def test_the_example_files_work(england_lake: Path) -> None:
    examples = Path(__file__).parents[2] / "docs/examples"
    assert "00A" in ccg_codes(england_lake)
    result = consortia(
        "premium", "--data", str(england_lake), "--year", "2014-15", "--ccg", "00A",
        "--local", str(examples / "premium-local-2014-15.toml"),
        "--inputs", str(examples / "premium-inputs-2014-15.toml"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "source: Ambulance quality indicators, 2014/15" in result.stdout
    assert "74.0% < 75% → FAILED" in result.stdout
