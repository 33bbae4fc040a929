"""Weighted capitation: need indices fitted from the lake's person-level costs, the
inequalities adjustment, the blend of services, cost indices, targets and distance from them.

Works on the small aggregates of `consortia.finance.need` (practice × cell), so every step is
ordinary arithmetic a reader can redo; each is kept in the result for `--explain` and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from consortia.finance.need import CELL, MORBIDITY, UNDER_75
from consortia.finance.parameters import COST_INDICES, AllocationParameters, Component
from consortia.schema.codes import SEX
from consortia.schema.reference_tables import AGE_BANDS


@dataclass(frozen=True)
class NeedModel:
    """A component's fitted cost per person-year: additive effects of age band and sex,
    deprivation quintile and morbidity (£ per person-year), by weighted least squares on the
    cells, which gives the same fit as ordinary least squares on every person."""

    component: str
    effects: pd.DataFrame  # term, level, effect
    mean_cost: float  # cost per person-year over everyone
    negative_cells: int  # cells (of everyone) whose fitted cost was below zero, taken as zero


def _design(cells: pd.DataFrame) -> pd.DataFrame:
    """Indicator columns: one per age band and sex (the curve), then deprivation quintiles
    2–5 against 1 and morbidity 1, 2, 3+ against none (additional need)."""
    levels = [f"age_sex={band}|{sex}" for band in AGE_BANDS for sex in SEX.codes]
    age_sex = "age_sex=" + cells["age_band"].astype(str) + "|" + cells["sex"].astype(str)
    parts = [pd.get_dummies(age_sex.astype(pd.CategoricalDtype(levels)), dtype=float)]
    quintile = "deprivation_quintile=" + cells["deprivation_quintile"].astype(str)
    parts.append(
        pd.get_dummies(quintile, dtype=float).drop(
            columns="deprivation_quintile=1", errors="ignore"
        )
    )
    morbidity = pd.Categorical(cells["morbidity"], categories=MORBIDITY)
    parts.append(
        pd.get_dummies(
            pd.Series(morbidity, index=cells.index), prefix="morbidity", prefix_sep="=", dtype=float
        ).drop(columns="morbidity=0")
    )
    design = pd.concat(parts, axis=1)
    return design.loc[:, design.any(axis=0)]  # a level no one is in has no effect to fit


def fit_need(pooled: pd.DataFrame, component: Component) -> tuple[NeedModel, np.ndarray]:
    """The component's need model and the fitted cost per person-year of each row of
    `pooled`: everyone's person-years and spend by cell (`CELL`), every practice together.

    Pooling first changes no coefficient (every practice's rows in a cell share its
    indicators, so they add up in the normal equations) and fits hundreds of rows, not
    millions.
    """
    weight = pooled["person_years"].to_numpy(dtype=float)
    cost = pooled[f"cost_{component.name}"].to_numpy(dtype=float)
    rate = np.divide(cost, weight, out=np.zeros_like(cost), where=weight > 0)
    design = _design(pooled)
    root = np.sqrt(weight)
    coefficients, *_ = np.linalg.lstsq(design.to_numpy() * root[:, None], rate * root, rcond=None)
    fitted = design.to_numpy() @ coefficients
    negative = int((fitted < 0).sum())
    fitted = np.maximum(fitted, 0.0)
    terms = [column.split("=", 1) for column in design.columns]
    effects = pd.DataFrame(
        {
            "term": [term for term, _ in terms],
            "level": [level for _, level in terms],
            "effect": coefficients,
        }
    )
    mean_cost = float(cost.sum() / weight.sum())
    return NeedModel(component.name, effects, mean_cost, negative), fitted


def inequalities_index(cells: pd.DataFrame, deaths: pd.DataFrame) -> pd.DataFrame:
    """Each practice's standardised mortality ratio under 75 (observed deaths over those
    expected at everyone's rate in each age band and sex), the lake's measure of unmet need.

    All causes: the lake records deaths, not their causes, so avoidable mortality is
    approximated by all deaths before 75. A practice with no one under 75 has a ratio of 1.
    """
    young_bands = [band for band in AGE_BANDS if int(band.split("-")[0].rstrip("+")) < UNDER_75]
    under = cells[cells["age_band"].isin(young_bands)]
    exposure = under.groupby(["practice", "age_band", "sex"], as_index=False)["person_years"].sum()
    observed = deaths[deaths["age_band"].isin(young_bands)]
    rates = (
        exposure.groupby(["age_band", "sex"])["person_years"]
        .sum()
        .to_frame()
        .join(observed.groupby(["age_band", "sex"])["deaths"].sum())
        .fillna({"deaths": 0})
    )
    rates["rate"] = rates["deaths"] / rates["person_years"]
    expected = exposure.join(rates["rate"], on=["age_band", "sex"])
    expected["expected"] = expected["person_years"] * expected["rate"]
    by_practice = pd.DataFrame({"practice": cells["practice"].unique()}).set_index("practice")
    by_practice["expected_deaths"] = expected.groupby("practice")["expected"].sum()
    by_practice["deaths"] = observed.groupby("practice")["deaths"].sum()
    by_practice = by_practice.fillna(0.0)
    by_practice["mortality_ratio"] = np.where(
        by_practice["expected_deaths"] > 0,
        by_practice["deaths"]
        / by_practice["expected_deaths"].where(by_practice["expected_deaths"] > 0, 1.0),
        1.0,
    )
    return by_practice.reset_index()


@dataclass(frozen=True)
class Capitation:
    """Targets by practice and the models and shares behind them."""

    models: tuple[NeedModel, ...]
    shares: dict[str, float]  # each component's share of the base year's spend
    practices: pd.DataFrame


def weighted_populations(
    cells: pd.DataFrame,
    deaths: pd.DataFrame,
    practices: pd.DataFrame,
    indices: pd.DataFrame,
    parameters: AllocationParameters,
) -> Capitation:
    """Each practice's population, weighted population per component (need, then the
    inequalities blend), the cost-adjusted blend and its target share of the envelope.

    `practices` gives each practice's CCG; `indices` each CCG's cost indices (`COST_INDICES`).
    Every weighted population sums to the raw population: need indices have a mean of 1 over
    everyone, and the mortality ratios are scaled to do the same.
    """
    cells = cells[cells["person_years"] > 0].reset_index(drop=True)
    result = cells.groupby("practice")[["person_years"]].sum()
    result = result.rename(columns={"person_years": "population"})
    total = float(result["population"].sum())

    unmet = inequalities_index(cells, deaths).set_index("practice")
    result = result.join(unmet)
    hi = result["population"] * result["mortality_ratio"]
    result["inequalities_weighted"] = hi * total / float(hi.sum())

    models = []
    spend = {}
    groups = cells.groupby(list(CELL), sort=True, dropna=False)
    pooled = groups[["person_years", *(f"cost_{c.name}" for c in parameters.components)]].sum()
    cell_of = groups.ngroup().to_numpy()  # each practice's row → its row of `pooled`
    pooled = pooled.reset_index()
    for component in parameters.components:
        model, fitted = fit_need(pooled, component)
        models.append(model)
        spend[component.name] = float(cells[f"cost_{component.name}"].sum())
        weighted = cells["person_years"] * fitted[cell_of]
        need = weighted.groupby(cells["practice"]).sum()
        result[f"need_{component.name}"] = need * total / float(weighted.sum())
        w = parameters.inequalities_weight
        result[f"weighted_{component.name}"] = (1 - w) * result[
            f"need_{component.name}"
        ] + w * result["inequalities_weighted"]

    all_spend = sum(spend.values())
    shares = {name: value / all_spend for name, value in spend.items()}
    result = result.join(practices.set_index("practice")["ccg"])
    result = result.join(indices.set_index("ccg")[list(COST_INDICES)], on="ccg")
    result[list(COST_INDICES)] = result[list(COST_INDICES)].fillna(1.0)
    result["weighted_population"] = 0.0
    result["cost_adjusted"] = 0.0
    for component in parameters.components:
        share = shares[component.name] * result[f"weighted_{component.name}"]
        result["weighted_population"] += share
        result["cost_adjusted"] += share * result[list(component.cost_indices)].prod(axis=1)
    result["target_share"] = result["cost_adjusted"] / float(result["cost_adjusted"].sum())
    return Capitation(tuple(models), shares, result.reset_index())
