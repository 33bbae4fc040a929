"""An attacker who knows the small-number rule takes the public's release of planted small
counts (practices' registers by condition, and each condition's total for the CCG in another
figure) and solves for every withheld count with integer programming over everything released:
each released count within 2 of the truth, each withheld count from 1 to 7, each total within 2
of the sum of its cells. A withheld count whose least and greatest feasible values are equal
has been recovered exactly. With the release's protection of margins there are none; without
it the attack recovers some (the attack has teeth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from consortia.pack.figure import Figure
from consortia.privacy.margins import bounds, financial_years, pinned
from consortia.privacy.publication import Margin, Public
from consortia.privacy.release import Audience, release, released

CONDITIONS = ("dementia", "smi", "heart_failure")
# Small counts, and counts at the edges of rounding (8 and 13 round up by 2, 12 and 18 down):
# where differencing through a rounded total does best.
PLANTED = (0, 1, 2, 6, 7, 8, 12, 13, 18)


def planted(seed: int, practices: int = 4) -> tuple[Figure, Figure]:
    """A CCG of a few practices with small registers (many of 1 to 12), and its totals: few
    cells to a total is where a total gives most away."""
    rng = np.random.default_rng(seed)
    cells = pd.DataFrame(
        [
            {"practice": f"P{p:02d}", "condition": c, "observed": int(rng.choice(PLANTED))}
            for c in CONDITIONS
            for p in range(practices)
        ]
    )
    totals = cells.groupby("condition", sort=False)["observed"].sum().reset_index()
    by_practice = Figure(
        id="registers", section="Test", title="Registers by practice", method="m", table=cells,
        public=Public(margins=(Margin("observed", "totals", "observed", ("condition",)),)),
    )  # fmt: skip
    total = Figure(
        id="totals", section="Test", title="Registers", method="m", table=totals, public=Public()
    )
    return by_practice, total


def interval(value: Any) -> tuple[float, float] | None:
    """The attacker's reading of a released count (None: it tells nothing, a withheld total)."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return (0.0, 0.0) if value == 0 else (max(value - 2, 8.0), value + 2)


def recovered(cells: pd.DataFrame, totals: pd.DataFrame) -> list[tuple[str, str, int]]:
    """Every withheld count the released tables pin to one value: (practice, condition, value)."""
    found = []
    for condition in cells["condition"].unique():
        group = cells[cells["condition"] == condition].reset_index(drop=True)
        low, high = [], []
        for value in group["observed"]:
            known = interval(value)
            low.append(1.0 if known is None else known[0])
            high.append(7.0 if known is None else known[1])
        constraints = []
        total = interval(totals.loc[totals["condition"] == condition, "observed"].iloc[0])
        if total is not None:
            constraints.append(LinearConstraint(np.ones((1, len(group))), total[0], total[1]))
        limits = Bounds(low, high)
        whole = np.ones(len(group))
        for k in np.flatnonzero(group["observed"].isna().to_numpy()):
            objective = np.zeros(len(group))
            objective[k] = 1.0
            least = milp(objective, constraints=constraints, bounds=limits, integrality=whole)
            most = milp(-objective, constraints=constraints, bounds=limits, integrality=whole)
            assert least.success
            assert most.success
            if round(least.x[k]) == round(most.x[k]):
                found.append((str(group.at[k, "practice"]), condition, round(least.x[k])))
    return found


SEEDS = range(150)


def test_no_withheld_count_is_recovered_from_the_public_release() -> None:
    withheld = 0
    for seed in SEEDS:
        figures = released(planted(seed), Audience.PUBLIC)
        cells, totals = (f.table for f in figures)
        withheld += int(cells["observed"].isna().sum())
        assert recovered(cells, totals) == [], f"seed {seed}"
    assert withheld > 300  # the planted counts are small: many were withheld


def test_without_protecting_the_totals_the_attack_recovers_counts() -> None:
    """The same release figure by figure, the totals left as they are: the attack works."""
    found = []
    for seed in SEEDS:
        each = [release(figure, Audience.PUBLIC) for figure in planted(seed)]
        cells, totals = (f.table for f in each if f is not None)
        truth = planted(seed)[0].table.set_index(["practice", "condition"])["observed"]
        for practice, condition, value in recovered(cells, totals):
            assert truth[practice, condition] == value  # recovered means recovered truly
            found.append(value)
    assert len(found) >= 5, len(found)


def test_a_withheld_total_is_said_and_its_cells_stay_released() -> None:
    # A cell of 7 beside three of 12, total 43: released —, 10, 10, 10 and 45, the 7 is pinned.
    cells = pd.DataFrame(
        {"practice": ["A", "B", "C", "D"], "condition": ["smi"] * 4, "observed": [7, 12, 12, 12]}
    )
    by_practice = Figure(
        id="registers", section="Test", title="t", method="m", table=cells,
        public=Public(margins=(Margin("observed", "totals", "observed", ("condition",)),)),
    )  # fmt: skip
    totals = pd.DataFrame({"condition": ["smi"], "observed": [43]})
    total = Figure(
        id="totals", section="Test", title="t", method="m", table=totals, public=Public()
    )
    alone = [release(f, Audience.PUBLIC) for f in (by_practice, total)]
    assert recovered(*(f.table for f in alone if f is not None)) == [("A", "smi", 7)]
    shown_cells, shown_totals = released((by_practice, total), Audience.PUBLIC)
    assert shown_cells.table["observed"].tolist() == [pd.NA, 10, 10, 10]
    assert shown_totals.table["observed"].isna().all()
    assert "1 total under Observed is withheld" in shown_totals.disclosure


@pytest.mark.parametrize(
    ("cells", "total", "expected"),
    [
        ([None, 10, 10, 10], 45, [0]),  # 43 − 3 × 12 = 7: pinned at the top
        ([None, 10, 10], 15, [0]),  # 17 − 2 × 8 = 1 at most: pinned at the bottom
        ([None, 10, 10, 10], 40, []),  # 38 − 36 = 2 up to 7: several values
        ([None, None, 10], 15, []),  # two withheld share what is left
    ],
)
def test_what_a_total_pins(cells: list[Any], total: int, expected: list[int]) -> None:
    shown = [bounds(value, 7, 5) for value in cells]
    hidden = [i for i, value in enumerate(cells) if value is None]
    assert pinned(shown, bounds(total, 7, 5), hidden) == expected


def test_months_add_up_to_their_financial_year() -> None:
    # 2013/14: a withheld month of 7 beside three of 12 and the year's 43 (pinned: withheld);
    # 2014/15 (April is its first month): 20 and the year's 20 (nothing withheld to pin).
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2013-12-01", "2014-01-01", "2014-02-01", "2014-03-01",
                                     "2014-04-01"]),
            "pod": ["ae"] * 5,
            "events": [12, 12, 12, 7, 20],
        }
    )  # fmt: skip
    assert financial_years(months["month"]).tolist() == ["2013/14"] * 4 + ["2014/15"]
    monthly = Figure(
        id="monthly", section="Test", title="t", method="m", table=months,
        public=Public(margins=(
            Margin("events", "yearly", "events", ("pod",), month_of="month"),
        )),
    )  # fmt: skip
    years = pd.DataFrame(
        {"financial_year": ["2013/14", "2014/15"], "pod": ["ae", "ae"], "events": [43, 20]}
    )
    yearly = Figure(
        id="yearly", section="Test", title="t", method="m", table=years, public=Public()
    )
    _, shown = released((monthly, yearly), Audience.PUBLIC)
    assert shown.table["events"].tolist() == [pd.NA, 20]
