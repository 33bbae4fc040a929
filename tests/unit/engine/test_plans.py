"""Each figure's kept SQL: run by later packs of the lake, giving what building it gives, kept
in the user's cache (not the lake), and never trusted when damaged or of another version."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from consortia.engine.backends import connect
from consortia.engine.derived import FOLDER
from consortia.engine.plans import PLACEHOLDER, Plans
from consortia.pack.build import analyse
from consortia.pack.figure import Figure
from tests.conftest import make_lake

PLANS = "plans"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """The user's cache, where plans are kept."""
    return tmp_path / "cache"


@pytest.fixture
def plain(small_lake: Path) -> tuple[Figure, ...]:
    """Every figure computed with nothing kept: what every plan must give."""
    figures, _code, _name = analyse(connect(), small_lake, keep=False)
    return figures


def counted(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each figure's query came from a plan kept before (True) or was built (False):
    the first lookup of each plan (a figure built is then run from the plan it keeps)."""
    used: list[bool] = []
    looked: set[tuple[int, str]] = set()
    execute = Plans.execute

    def counting(self: Plans, name: str) -> Any:
        result = execute(self, name)
        if (id(self), name) not in looked:
            looked.add((id(self), name))
            used.append(result is not None)
        return result

    monkeypatch.setattr(Plans, "execute", counting)
    return used


def same(figures: tuple[Figure, ...], expected: tuple[Figure, ...]) -> None:
    assert [f.id for f in figures] == [f.id for f in expected]
    for ours, theirs in zip(figures, expected, strict=True):
        pd.testing.assert_frame_equal(ours.table, theirs.table, obj=ours.id)


def plan_files(cache: Path) -> list[Path]:
    return sorted((cache / PLANS).rglob("*.json"))


def test_a_second_pack_runs_every_figure_from_its_plan(
    lake: Path, cache: Path, plain: tuple[Figure, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    used = counted(monkeypatch)
    first, _code, _name = analyse(connect(), lake, cache=cache)
    assert used
    assert not any(used)
    assert plan_files(cache)
    used.clear()
    second, _code, _name = analyse(connect(), lake, cache=cache)
    assert used
    assert all(used)
    # kept in the user's cache, never in the lake: a plan is SQL run as it is written
    assert not [p for p in lake.rglob("*") if p.suffix in (".json", ".arrow") and "plan" in str(p)]
    same(first, plain)
    same(second, plain)


@pytest.fixture(scope="module")
def two_ccgs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two CCGs sharing providers."""
    return make_lake(tmp_path_factory.mktemp("two"), "lake", patients=16_000, ccgs=2, seed=3)


def test_a_ccg_runs_every_figure_from_the_plans_another_ccg_kept(
    two_ccgs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CCG's plan is compiled once with a placeholder for its code: the second CCG's pack is
    run wholly from the first's, and gives what its figures computed directly give."""
    plain_b, _code, _name = analyse(connect(), two_ccgs, "00B", keep=False)
    used = counted(monkeypatch)
    analyse(connect(), two_ccgs, "00A", cache=cache)
    assert used
    assert not any(used)
    templates = [p for p in plan_files(cache) if p.stem.endswith(f"_{PLACEHOLDER}")]
    assert templates
    assert not [p for p in plan_files(cache) if p.stem.endswith("_00B")]
    used.clear()
    second, _code, _name = analyse(connect(), two_ccgs, "00B", cache=cache)
    assert used
    assert all(used)
    same(second, plain_b)
    # nothing of the CCG it was first compiled for is left in a template
    assert not any(code in p.read_text() for p in templates for code in ("'00A'", "_00A"))


NOT_PLANS = (
    {"sql": "SELECT * FROM nowhere", "schema": [], "reads": {}},  # a table that is not there
    {"sql": "SELECT 1", "schema": [], "reads": {"x": 3}},  # a read of no known kind
    {"sql": "SELECT 1 AS x", "schema": [["x"]], "reads": {}},  # a column without its type
    {"sql": "SELECT 1 AS x", "schema": [["x", "?"]], "reads": {}},  # a type that is none
    {"sql": 7, "schema": [], "reads": []},  # SQL that is not text
    {"sql": "SELECT 1 AS y", "schema": [["x", "int64"]], "reads": {}},  # other columns
    {"sql": "SELECT 1", "schema": [], "reads": {"v": {"parquet": "../x"}}},  # outside the lake
)
DAMAGES: tuple[Callable[[Path], object], ...] = (
    lambda plan: plan.write_text("{not json"),  # torn
    lambda plan: plan.write_bytes(b"\xff\xfe"),  # not text
    lambda plan: plan.write_text("[]"),  # not a plan
    lambda plan: plan.unlink(),  # gone
    *(functools.partial(Path.write_text, data=json.dumps(wrong)) for wrong in NOT_PLANS),
)


def test_a_damaged_plan_is_built_again(
    lake: Path, cache: Path, plain: tuple[Figure, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every plan damaged, each in one of eleven ways: each figure is built instead."""
    analyse(connect(), lake, cache=cache)
    plans = plan_files(cache)
    assert len(plans) > len(DAMAGES)
    for number, plan in enumerate(plans):
        DAMAGES[number % len(DAMAGES)](plan)
    used = counted(monkeypatch)
    again, _code, _name = analyse(connect(), lake, cache=cache)
    assert used
    assert not any(used)
    same(again, plain)


def test_a_plans_constant_table_that_is_damaged_is_built_again(
    lake: Path, cache: Path, plain: tuple[Figure, ...]
) -> None:
    analyse(connect(), lake, cache=cache)
    constants = sorted((cache / PLANS).rglob("*.arrow"))
    assert constants  # the pack's definitions join small constant tables
    for constant in constants:
        constant.write_bytes(b"ARROW1 torn")
    again, _code, _name = analyse(connect(), lake, cache=cache)
    same(again, plain)


def test_a_changed_lake_keeps_new_plans_and_drops_the_old(lake: Path, cache: Path) -> None:
    analyse(connect(), lake, cache=cache)
    [old] = {plan.parent for plan in plan_files(cache)}
    part = next((lake / "patient").glob("*.parquet"))
    part.write_bytes(part.read_bytes())  # the same rows, but another file: another content
    analyse(connect(), lake, cache=cache)
    folders = {plan.parent for plan in plan_files(cache)}
    assert len(folders) == 1
    assert old not in folders


def test_a_lake_that_cannot_keep_results_still_keeps_plans(
    lake: Path, cache: Path, plain: tuple[Figure, ...]
) -> None:
    (lake / FOLDER).write_text("not a folder")
    figures, _code, _name = analyse(connect(), lake, cache=cache)
    same(figures, plain)
    assert (lake / FOLDER).read_text() == "not a folder"
    assert plan_files(cache)
    again, _code, _name = analyse(connect(), lake, cache=cache)
    same(again, plain)
