"""A year's allocation for every CCG of a lake: targets from weighted capitation, then pace of
change from each CCG's baseline, and the running-cost allowance.

The base year is the financial year before the allocation's: its registered lists, spend and
deaths set the need indices, the populations and each CCG's recurrent baseline, its spend on
the components that year. Every step is kept in the result,
so `explain` prints it and `as_json` carries it for anyone to recompute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from consortia.analyses.scope import Tables, financial_year_label
from consortia.errors import DataError
from consortia.finance.capitation import Capitation, weighted_populations
from consortia.finance.cost_indices import no_indices, read_cost_indices
from consortia.finance.need import base_spend, base_year, deaths_under_75, need_cells
from consortia.finance.output import records
from consortia.finance.pace import Pace, pace_of_change
from consortia.finance.parameters import COST_INDICES, AllocationParameters
from consortia.signed import signed

QUERIES = 4  # organisations, need cells, deaths, baseline spend: the progress bar's steps
DATASETS = ("ccg", "practice", "patient", "registration", "condition", "apc", "op", "ae")

METHOD = (
    "Weighted capitation. Need: for each service component, cost per registered person-year "
    "in the base year fitted by least squares on age band × sex, deprivation quintile and "
    "number of long-term conditions; a practice's need-weighted population is its person-years "
    "weighted by its patients' fitted cost over everyone's. Unmet need: the practice's "
    "standardised mortality ratio under 75 (all causes), blended in at the inequalities weight. "
    "Components are blended by their share of the base year's spend; cost indices multiply the "
    "components they apply to. Target = the envelope × the CCG's share of the cost-adjusted "
    "weighted population. Allocation = the baseline moved towards target within the minimum "
    "and maximum growth, by one common fraction of target that spends the envelope exactly."
)


@dataclass(frozen=True)
class Allocation:
    """An allocation and every step of it."""

    parameters: AllocationParameters
    capitation: Capitation
    ccgs: pd.DataFrame
    envelope: float
    pace: Pace
    cost_indices_from: str

    @property
    def practices(self) -> pd.DataFrame:
        return self.capitation.practices

    @property
    def base_year(self) -> str:
        """The financial year the allocation is set from ("2013/14" for 2014/15's)."""
        return financial_year_label(self.parameters.base_year_start)


def compute(
    backend: Any,
    tables: Tables,
    parameters: AllocationParameters,
    cost_indices: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Allocation:
    """The allocation for `parameters.year` from the lake's tables; `progress` is told of
    each of the lake's queries as it ends."""
    queries = iter(range(1, QUERIES + 1))

    def done() -> None:
        if progress:
            progress(next(queries), QUERIES)

    start = parameters.base_year_start
    base = financial_year_label(start)
    components = tuple(parameters.components)
    practice = backend.execute(tables["practice"].select(practice="code", ccg="ccg"))
    ccg = backend.execute(tables["ccg"].select("code", "name")).rename(columns={"code": "ccg"})
    done()
    codes = sorted(set(practice["ccg"]))
    if cost_indices is None:
        indices, source = no_indices(codes), "none given: every index 1"
    else:  # read before the lake's aggregates: a bad file is refused at once
        indices, source = read_cost_indices(cost_indices, codes), str(cost_indices)
    cells = backend.execute(need_cells(tables, base_year(start), components))
    done()
    spent = [f"cost_{c.name}" for c in components]
    if cells.empty or float(cells[spent].to_numpy().sum()) <= 0:
        raise DataError(
            f"the lake holds no activity of registered patients in {base}, the base year of "
            f"{parameters.year}'s allocation",
            field="year",
            rule="an allocation is set from the lake's year before it",
        )
    deaths = backend.execute(deaths_under_75(tables, base_year(start)))
    done()
    spend = backend.execute(base_spend(tables, base_year(start), components))
    done()
    return from_aggregates(cells, deaths, spend, practice, ccg, indices, parameters, source)


def from_aggregates(
    cells: pd.DataFrame,
    deaths: pd.DataFrame,
    spend: pd.DataFrame,
    practice: pd.DataFrame,
    ccg: pd.DataFrame,
    indices: pd.DataFrame,
    parameters: AllocationParameters,
    source: str,
) -> Allocation:
    """The allocation from the lake's aggregates (`consortia.finance.need`): practices'
    CCGs, CCG names and cost indices, in memory."""
    capitation = weighted_populations(cells, deaths, practice, indices, parameters)
    by_ccg = _ccgs(capitation, spend, practice, ccg, indices)
    envelope = float(by_ccg["baseline"].sum()) * (1 + parameters.envelope_growth)
    by_ccg["target"] = envelope * by_ccg["target_share"]
    pace = pace_of_change(
        by_ccg["baseline"].to_numpy(),
        by_ccg["target"].to_numpy(),
        envelope,
        parameters.minimum_growth,
        parameters.maximum_growth,
        parameters.floor_under_target,
    )
    by_ccg["lowest"] = pace.lowest
    by_ccg["highest"] = pace.highest
    by_ccg["allocation"] = pace.allocation
    by_ccg["growth"] = by_ccg["allocation"] / by_ccg["baseline"] - 1
    by_ccg["distance_before"] = by_ccg["baseline"] / by_ccg["target"] - 1
    by_ccg["distance_after"] = by_ccg["allocation"] / by_ccg["target"] - 1
    by_ccg["allocation_per_head"] = by_ccg["allocation"] / by_ccg["population"]
    by_ccg["running_costs"] = parameters.running_cost_per_head * by_ccg["population"]
    return Allocation(parameters, capitation, by_ccg, envelope, pace, source)


def _ccgs(
    capitation: Capitation,
    spend: pd.DataFrame,
    practice: pd.DataFrame,
    ccg: pd.DataFrame,
    indices: pd.DataFrame,
) -> pd.DataFrame:
    """Practices' populations and shares summed by CCG, with its baseline (base-year spend
    on the components by its practices' records) and cost indices."""
    sums = ["population", "weighted_population", "cost_adjusted", "target_share"]
    by_ccg = capitation.practices.groupby("ccg", as_index=False)[sums].sum()
    baseline = spend.merge(practice, on="practice").groupby("ccg")["cost"].sum()
    by_ccg = by_ccg.join(baseline.rename("baseline"), on="ccg")
    by_ccg["baseline"] = by_ccg["baseline"].fillna(0.0)
    if (by_ccg["baseline"] <= 0).any():
        empty = ", ".join(by_ccg.loc[by_ccg["baseline"] <= 0, "ccg"].astype(str))
        raise DataError(
            f"CCG {empty} spent nothing on the components in the base year: no baseline to "
            "grow from",
            rule="a CCG's baseline is its base-year spend",
        )
    by_ccg = by_ccg.merge(ccg, on="ccg", how="left").merge(indices, on="ccg", how="left")
    by_ccg["need_index"] = by_ccg["weighted_population"] / by_ccg["population"]
    return by_ccg.sort_values("ccg").reset_index(drop=True)


def open_lake(backend: Any, lake_path: Path) -> dict[str, Any]:
    """The datasets an allocation reads, after the schema's check (refused if broken)."""
    from consortia.engine.backends import checking
    from consortia.ingest.checked import open_vouched
    from consortia.ingest.validate import require_valid

    require_valid(checking(backend), lake_path, DATASETS)
    return open_vouched(backend, lake_path, DATASETS)


def as_json(allocation: Allocation) -> dict[str, Any]:
    """Every input and step of the allocation as plain data, enough to recompute it."""
    p = allocation.parameters
    return {
        "year": p.year,
        "base_year": allocation.base_year,
        "method": METHOD,
        "parameters": p.model_dump(mode="json"),
        "cost_indices_from": allocation.cost_indices_from,
        "component_shares": allocation.capitation.shares,
        "need_models": [
            {
                "component": model.component,
                "mean_cost_per_person_year": model.mean_cost,
                "cells_fitted_below_zero": model.negative_cells,
                "effects": model.effects.to_dict(orient="records"),
            }
            for model in allocation.capitation.models
        ],
        "envelope": allocation.envelope,
        "pace_scale": allocation.pace.scale,
        "ccgs": records(allocation.ccgs),
        "practices": records(allocation.practices),
    }


def explain(allocation: Allocation, ccg: str | None = None) -> str:
    """The allocation's steps in words and numbers: the national ones, then each CCG's (or
    only `ccg`'s)."""
    p = allocation.parameters
    lines = [
        f"Allocation {p.year} (base year {allocation.base_year})",
        "",
        METHOD,
        "",
        "1. Need models (cost per person-year, £):",
    ]
    for model in allocation.capitation.models:
        share = allocation.capitation.shares[model.component]
        lines.append(
            f"   {model.component}: everyone's mean £{model.mean_cost:,.2f}; "
            f"{share:.1%} of base-year spend"
            + (
                f"; {model.negative_cells} cells fitted below £0 taken as £0"
                if model.negative_cells
                else ""
            )
        )
        for row in model.effects.itertuples():
            lines.append(f"     {row.term} {row.level}: {row.effect:+,.2f}")
    lines += [
        f"2. Inequalities weight {p.inequalities_weight:.0%}: weighted = "
        f"{1 - p.inequalities_weight:.2f} × need + {p.inequalities_weight:.2f} × population × "
        "mortality ratio under 75 (scaled to sum to the population)",
        f"3. Cost indices: {allocation.cost_indices_from}",
        f"4. Envelope = Σ baseline × (1 + {p.envelope_growth:.2%}) = £{allocation.envelope:,.0f}",
        f"5. Growth between {p.minimum_growth:.2%} and {p.maximum_growth:.2%}"
        + (
            f", no CCG more than {p.floor_under_target:.1%} under target"
            if p.floor_under_target
            else ""
        )
        + f"; common fraction of target {allocation.pace.scale:.6f}",
        f"6. Running costs £{p.running_cost_per_head:,.2f} a head",
        "",
    ]
    rows = allocation.ccgs
    if ccg is not None:
        rows = rows[rows["ccg"] == ccg]
        if rows.empty:
            raise DataError(f"no CCG with code {ccg!r} in the lake", field="ccg")
    for row in rows.itertuples():
        lines += [
            f"{row.ccg} {row.name}",
            f"  population (person-years {allocation.base_year}) {row.population:,.1f}",
            f"  weighted population {row.weighted_population:,.1f} (need index "
            f"{row.need_index:.4f})",
            "  cost indices " + ", ".join(f"{n} {getattr(row, n):.4f}" for n in COST_INDICES),
            f"  cost-adjusted weighted population {row.cost_adjusted:,.1f}; target share "
            f"{row.target_share:.6%}",
            f"  target £{row.target:,.0f}; baseline £{row.baseline:,.0f} "
            f"({signed(row.distance_before, '.2%')} from target)",
            f"  allowed £{row.lowest:,.0f} to £{row.highest:,.0f}; allocation "
            f"£{row.allocation:,.0f} (growth {signed(row.growth, '.2%')}, "
            f"{signed(row.distance_after, '.2%')} from "
            f"target, £{row.allocation_per_head:,.2f} a head)",
            f"  running costs £{row.running_costs:,.0f}",
        ]
    return "\n".join(lines)


def summary(allocation: Allocation, ccg: str | None = None) -> str:
    """One line per CCG: population, need index, target, baseline, allocation, growth and
    distance from target after the allocation."""
    rows = allocation.ccgs
    if ccg is not None:
        rows = rows[rows["ccg"] == ccg]
        if rows.empty:
            raise DataError(f"no CCG with code {ccg!r} in the lake", field="ccg")
    header = (
        f"{'CCG':5} {'population':>12} {'need':>7} {'target £':>15} {'baseline £':>15} "
        f"{'allocation £':>15} {'growth':>7} {'from target':>11}"
    )
    lines = [
        f"Allocation {allocation.parameters.year} from {allocation.base_year}: envelope "
        f"£{allocation.envelope:,.0f}",
        header,
    ]
    for row in rows.itertuples():
        lines.append(
            f"{row.ccg:5} {row.population:12,.0f} {row.need_index:7.4f} {row.target:15,.0f} "
            f"{row.baseline:15,.0f} {row.allocation:15,.0f} {row.growth:+7.2%} "
            f"{row.distance_after:+11.2%}"
        )
    return "\n".join(lines)
