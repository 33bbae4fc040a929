"""Weighted populations and targets, worked by hand on two practices in two CCGs.

Every patient is a woman in deprivation quintile 1 with no long-term condition, so the need
model has only its age–sex terms and the fitted cost of a cell is everyone's cost per
person-year in it:

- practice P1 (CCG A): 100 person-years aged 0-4 costing £10,000; 50 aged 70-74 costing
  £20,000; one death under 75 (aged 70-74);
- practice P2 (CCG B): 100 aged 0-4 costing £10,000; 150 aged 70-74 costing £40,000; one
  death aged 70-74.

Fitted cost: 0-4 £20,000 / 200 = £100; 70-74 £60,000 / 200 = £300; everyone £80,000 / 400 =
£200 a person-year. Need-weighted populations: P1 (100 × 100 + 50 × 300) / 200 = 125,
P2 (100 × 100 + 150 × 300) / 200 = 275 (sum 400, the population).
Deaths under 75: 2 in 200 person-years aged 70-74, none aged 0-4. Expected P1 0.5, P2 1.5;
ratios 2 and 2/3; population × ratio 300 and 166.67, scaled to sum to 400.
"""

from __future__ import annotations

import pandas as pd
import pytest

from consortia.finance.capitation import weighted_populations
from consortia.finance.parameters import AllocationParameters, Component
from consortia.schema.selection import Source


def cell(practice: str, band: str, person_years: float, cost: float) -> dict[str, object]:
    return {
        "practice": practice,
        "age_band": band,
        "sex": "F",
        "deprivation_quintile": 1,
        "morbidity": "0",
        "person_years": person_years,
        "cost_all": cost,
    }


CELLS = pd.DataFrame(
    [
        cell("P1", "0-4", 100, 10_000),
        cell("P1", "70-74", 50, 20_000),
        cell("P2", "0-4", 100, 10_000),
        cell("P2", "70-74", 150, 40_000),
    ]
)
DEATHS = pd.DataFrame(
    [
        {"practice": "P1", "age_band": "70-74", "sex": "F", "deaths": 1},
        {"practice": "P2", "age_band": "70-74", "sex": "F", "deaths": 1},
    ]
)
PRACTICES = pd.DataFrame({"practice": ["P1", "P2"], "ccg": ["A", "B"]})


def parameters(weight: float) -> AllocationParameters:
    return AllocationParameters(
        year="2014/15",
        envelope_growth=0.03,
        minimum_growth=0.02,
        maximum_growth=0.05,
        inequalities_weight=weight,
        running_cost_per_head=25.0,
        contingency_reserve=0.005,
        components=[
            Component(
                name="all",
                title="All hospital care",
                datasets=[Source(dataset="apc")],
                cost_indices=["market_forces"],
            )
        ],
    )


def indices(market_forces_b: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"ccg": ["A", "B"], "market_forces": [1.0, market_forces_b], "emergency_ambulance": 1.0}
    )


def test_need_inequalities_and_cost_indices_by_hand() -> None:
    result = weighted_populations(CELLS, DEATHS, PRACTICES, indices(1.2), parameters(0.10))
    rows = result.practices.set_index("practice")
    assert rows["population"].tolist() == [150, 250]
    assert rows["need_all"].tolist() == pytest.approx([125, 275], rel=1e-12)
    assert rows["mortality_ratio"].tolist() == pytest.approx([2, 2 / 3], rel=1e-12)
    scale = 400 / (300 + 500 / 3)
    assert rows["inequalities_weighted"].tolist() == pytest.approx(
        [300 * scale, 500 / 3 * scale], rel=1e-12
    )
    p1 = 0.9 * 125 + 0.1 * 300 * scale
    p2 = 0.9 * 275 + 0.1 * 500 / 3 * scale
    assert rows["weighted_population"].tolist() == pytest.approx([p1, p2], rel=1e-12)
    # market forces 1.2 multiply CCG B's hospital component before the shares are taken
    assert rows["target_share"].tolist() == pytest.approx(
        [p1 / (p1 + 1.2 * p2), 1.2 * p2 / (p1 + 1.2 * p2)], rel=1e-12
    )
    assert result.shares == {"all": 1.0}


def test_every_weighted_population_sums_to_the_population() -> None:
    result = weighted_populations(CELLS, DEATHS, PRACTICES, indices(1.0), parameters(0.15))
    rows = result.practices
    for column in ("need_all", "inequalities_weighted", "weighted_all", "weighted_population"):
        assert rows[column].sum() == pytest.approx(rows["population"].sum(), rel=1e-12)
    assert rows["target_share"].sum() == pytest.approx(1.0, rel=1e-12)


def test_a_practice_whose_patients_need_more_gets_a_larger_share() -> None:
    """Move 20 of P1's person-years from 0-4 to 70-74, each band at P1's cost per
    person-year as before (£100 and £400): P1's need rises, its population does not."""
    before = weighted_populations(CELLS, DEATHS, PRACTICES, indices(1.0), parameters(0.10))
    older = CELLS.copy()
    older.loc[0, ["person_years", "cost_all"]] = [80, 8_000]
    older.loc[1, ["person_years", "cost_all"]] = [70, 28_000]
    after = weighted_populations(older, DEATHS, PRACTICES, indices(1.0), parameters(0.10))
    share = before.practices.set_index("practice")["target_share"]
    share_after = after.practices.set_index("practice")["target_share"]
    assert float(share_after["P1"]) > float(share["P1"])
