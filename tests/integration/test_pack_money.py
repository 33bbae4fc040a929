"""The money sections of the pack agree with the money commands: a CCG's pack shows the
allocation `consortia allocate` computes, the contract position of `consortia contracts` with
no growth, the premium steps of `consortia premium` without the CCG's files, and budget risk
at its own list size; the national page shows every CCG's allocation and the premium's
relation across CCGs. One definition each, so the numbers must be the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from consortia.analyses.scope import Scope
from consortia.engine.backends import connect
from consortia.pack.all_ccgs import build_all
from consortia.pack.build import figures_of, open_tables
from consortia.pack.context import Context
from consortia.pack.sections import allocation, budget_risk, contracts, premium
from tests.integration.test_allocate import allocate_to_json, ccg_codes
from tests.integration.test_cli import consortia

MONEY = ("Allocation", "Budget risk by population size", "Contracts", "Quality premium")


@pytest.fixture(scope="module")
def packs(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every CCG's pack and the national page of the 12-CCG lake."""
    out = tmp_path_factory.mktemp("money") / "packs"
    build_all(connect(), england_lake, out)
    return out


def _index(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    return loaded


def _table(folder: Path, figure: str) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / f"{figure}.csv")


def _json(tmp_path: Path, name: str, *args: str) -> Any:
    out = tmp_path / f"{name}.json"
    result = consortia(name, *args, "--json", str(out))
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_ccg_pack_has_the_money_sections(england_lake: Path, packs: Path) -> None:
    for code in ccg_codes(england_lake):
        figures = _index(packs / code)["figures"]
        sections = {f["section"] for f in figures}
        assert set(MONEY) <= sections, code
        ids = {f["id"] for f in figures}
        assert {"allocation_distance", "allocation_practices", "budget_risk",
                "contract_position", "premium_steps"} <= ids  # fmt: skip
        assert not [f for f in figures if f["method"].startswith("Not computed")], code
    national = {f["id"] for f in _index(packs / "national")["figures"]}
    assert {"allocation_distance", "budget_risk", "premium_relation"} <= national


def test_the_allocation_is_the_commands(england_lake: Path, packs: Path, tmp_path: Path) -> None:
    command = pd.DataFrame(allocate_to_json(england_lake, tmp_path)["ccgs"])
    code = ccg_codes(england_lake)[3]
    shown = _table(packs / code, "allocation_distance")
    assert shown["this_ccg"].sum() == 1
    assert shown.loc[shown["this_ccg"], "ccg"].item() == code
    merged = shown.merge(command, on="ccg", suffixes=("", "_command"))
    assert len(merged) == len(command)
    pairs = {"allocation_target": "target", "baseline": "baseline_command",
             "allocation": "allocation_command", "allocation_growth": "growth",
             "distance_before": "distance_before_command",
             "distance_after": "distance_after_command"}  # fmt: skip
    for column, theirs in pairs.items():
        pd.testing.assert_series_equal(
            merged[column], merged[theirs], check_names=False, rtol=1e-6, atol=1e-6
        )
    # A CCG's target is the sum of its practices' targets (the practices' figure).
    practices = _table(packs / code, "allocation_practices")
    target = float(shown.loc[shown["this_ccg"], "allocation_target"].item())
    assert practices["allocation_target"].sum() == pytest.approx(target, rel=1e-6)


def test_the_contract_position_is_the_commands(
    england_lake: Path, packs: Path, tmp_path: Path
) -> None:
    code = ccg_codes(england_lake)[0]
    made = _json(tmp_path, "contracts", "--data", str(england_lake), "--ccg", code,
                 "--year", "2014/15")  # fmt: skip
    command = pd.DataFrame(made["lines"])
    shown = _table(packs / code, "contract_position")
    keys = ["provider", "pod"]
    merged = shown.merge(command, on=keys, suffixes=("", "_command"))
    assert len(merged) == len(command) == len(shown)
    for column in ("plan_value", "actual_ytd_value", "forecast_seasonal_value"):
        pd.testing.assert_series_equal(
            merged[column], merged[f"{column}_command"], check_names=False, rtol=1e-6, atol=1e-6
        )
    pods = {f["id"] for f in _index(packs / code)["figures"] if f["section"] == "Contracts"}
    assert pods == {"contract_position"} | {f"contract_activity_{p}" for p in set(command["pod"])}


def test_the_premium_is_the_commands(england_lake: Path, packs: Path, tmp_path: Path) -> None:
    code = ccg_codes(england_lake)[1]
    made = _json(tmp_path, "premium", "--data", str(england_lake), "--ccg", code,
                 "--year", "2014-15")  # fmt: skip
    shown = _table(packs / code, "premium_steps")
    assert list(shown["measure"]) == [m["title"] for m in made["measures"]]
    achieved = [o == "achieved" for o in shown["outcome"]]
    assert achieved == [m["achieved"] for m in made["measures"]]
    method = next(f for f in _index(packs / code)["figures"] if f["id"] == "premium_steps")
    assert f"payment £{made['payment']:,.0f}" in method["method"]


def test_budget_risk_marks_the_ccgs_own_list(england_lake: Path, packs: Path) -> None:
    """The grid is everyone's, the same in every pack and on the national page; each CCG's
    own list is its 1 April list size (the premium's population a year earlier)."""
    codes = ccg_codes(england_lake)
    national = _table(packs / "national", "budget_risk")
    grid = national[national["size"] == "grid"].reset_index(drop=True)
    for code in codes[:3]:
        shown = _table(packs / code, "budget_risk")
        pd.testing.assert_frame_equal(shown[shown["size"] == "grid"].reset_index(drop=True), grid)
        own = shown[shown["size"] == "this CCG"]["population"].unique()
        merged = shown[shown["size"].str.contains("merged")]["population"].unique()
        assert len(own) == 1
        assert list(merged) == [2 * own[0]]
    # The chance of overspending falls as the population grows.
    alone = grid[(grid["variant"] == "alone") & (grid["overspend"] == 0.01)]
    assert alone["chance"].is_monotonic_decreasing


def test_a_year_the_lake_or_the_rules_cannot_give_is_said_not_computed(
    england_lake: Path,
) -> None:
    """No parameters or scheme are shipped for 2016/17 and the lake holds no 2015/16: each
    money figure is empty and says why, and no error stops the pack."""
    backend = connect()
    tables = open_tables(backend, england_lake)
    code = ccg_codes(england_lake)[0]
    context = Context(backend, tables, Scope(code, 2016, 1), "", None)
    steps = (*allocation.BUILDERS, *budget_risk.BUILDERS, *contracts.BUILDERS,
             *premium.BUILDERS)  # fmt: skip
    figures = figures_of(context, steps)
    assert [f.id for f in figures] == [
        "allocation_distance", "allocation_practices", "budget_risk", "contract_position",
        "premium_steps",
    ]  # fmt: skip
    for figure in figures:
        assert figure.table.empty, figure.id
        assert figure.method.startswith("Not computed: "), figure.id
    assert "2016/17" in figures[0].method
