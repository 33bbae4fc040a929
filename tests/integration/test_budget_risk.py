"""`consortia budget-risk` end to end on the 12-CCG synthetic lake: the spread of spend
recomputed from the JSON's person costs, the chance of overspending falling with size and
with a high-cost pool, and one-line errors for bad input."""

from __future__ import annotations

import json
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from consortia.errors import ExitCode
from tests.integration.test_allocate import ccg_codes
from tests.integration.test_cli import assert_one_line_error, consortia

YEARS = 4_000


def run(lake: Path, folder: Path, *options: str) -> tuple[str, dict[str, Any]]:
    out = folder / "risk.json"
    result = consortia(
        "budget-risk", "--data", str(lake), "--year", "2014/15", "--years", str(YEARS),
        "--json", str(out), *options,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result.stdout, loaded


@pytest.fixture(scope="module")
def risk(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run(england_lake, tmp_path_factory.mktemp("risk"), "--explain")[1]


def noise(p: float) -> float:
    """Three standard errors of a simulated chance, at least a little."""
    return 3 * math.sqrt(max(p * (1 - p), 0.0025) / YEARS)


def test_spread_is_the_coefficient_of_variation_over_root_n(risk: dict[str, Any]) -> None:
    costs, pool = risk["costs"], risk["pool"]
    for row in risk["sizes"]:
        sd = costs["sd"] if row["variant"] == "alone" else pool["sd_of_capped_costs"]
        assert row["relative_sd"] == pytest.approx(
            sd / costs["mean"] / math.sqrt(row["population"]), rel=1e-9
        )
        assert row["simulated_sd"] == pytest.approx(row["relative_sd"], rel=0.08)
    assert risk["slope_of_log_sd_on_log_population"] == pytest.approx(-0.5, abs=0.03)


def test_chance_falls_with_size_and_with_the_pool(risk: dict[str, Any]) -> None:
    grid = {
        variant: [r for r in risk["sizes"] if r["variant"] == variant and r["label"] == "grid"]
        for variant in ("alone", "pooled")
    }
    for key in ("over_1pc", "over_2pc"):
        for rows in grid.values():
            for smaller, larger in pairwise(rows):
                assert larger[key] <= smaller[key] + noise(smaller[key])
        for alone, pooled in zip(grid["alone"], grid["pooled"], strict=True):
            assert pooled[key] <= alone[key] + noise(alone[key])
        for row in grid["alone"]:
            assert row[f"{key}_lower"] <= row[key] <= row[f"{key}_upper"]
    first = grid["alone"][0]
    assert first["over_2pc"] < first["over_1pc"]  # a larger overspend is rarer
    assert first["over_1pc"] > 0.01  # 20,000 people carry a real risk on this lake


def test_smallest_population_and_the_merger(risk: dict[str, Any]) -> None:
    found = {(r["variant"], r["overspend"]): r for r in risk["smallest_population"]}
    assert found["alone", 0.02]["population"] <= found["alone", 0.01]["population"]
    assert found["pooled", 0.01]["population"] <= found["alone", 0.01]["population"] * 1.05
    for row in found.values():  # a little above the normal curve's, never far
        assert row["population"] == pytest.approx(row["normal_population"], rel=0.15)
    alone = [r for r in risk["sizes"] if r["variant"] == "alone"]
    median, merged = alone[-2], alone[-1]
    assert merged["population"] == 2 * median["population"]
    assert merged["relative_sd"] == pytest.approx(median["relative_sd"] / math.sqrt(2))


def test_one_ccg_is_simulated_from_its_own_patients(
    england_lake: Path, tmp_path: Path, risk: dict[str, Any]
) -> None:
    code = ccg_codes(england_lake)[0]
    page = tmp_path / "risk.html"
    text, own = run(
        england_lake, tmp_path, "--ccg", code, "--contingency", "0.01", "--html", str(page)
    )
    html = page.read_text(encoding="utf-8")
    assert "Chance of overspending the budget in a year, by population size" in html
    assert f"CCG {code}" in html
    assert own["ccg"] == code
    assert own["costs"]["people"] < risk["costs"]["people"]
    this = [r for r in own["sizes"] if r["label"] == "this CCG"]
    assert {r["population"] for r in this} == {own["costs"]["people"]}
    assert own["settings"]["contingency_reserve"] == 0.01
    assert "Contingency reserve 1.00%" in text
    assert "this CCG" in text


@pytest.mark.parametrize(
    ("args", "words", "code"),
    [
        (["--ccg", "99Z"], "no CCG with code '99Z'", ExitCode.DATA),
        (["--pool-above", "nan"], "--pool-above nan is out of range", ExitCode.DATA),
        (["--contingency", "nan"], "--contingency nan is out of range", ExitCode.DATA),
        (["--years", "5"], "--years", ExitCode.USAGE),
        (["--level", "2"], "--level", ExitCode.USAGE),
        (["--json", "{tmp}/file/out.json"], "cannot be written", ExitCode.DATA),
        (["--html", "{tmp}/file/out.html"], "cannot be written", ExitCode.DATA),
    ],
)
def test_bad_options_give_one_line(
    tmp_path: Path, small_lake: Path, args: list[str], words: str, code: ExitCode
) -> None:
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = consortia("budget-risk", "--data", str(small_lake), "--year", "2014/15", *filled)
    assert words in assert_one_line_error(result, code)
