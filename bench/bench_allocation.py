"""Allocation for 200 CCGs and 8,000 practices from their aggregates, against a goal of 10 s.

Run on demand: `.venv/bin/python bench/bench_allocation.py [LAKE]`. Builds, untimed, the
aggregates the lake's queries return at England's shape (8,000 practices of 200 CCGs, each
practice's person-years and spend in every age band × sex × morbidity cell of two
deprivation quintiles, deaths under 75), then times everything after the queries: two need
models fitted, the inequalities index, the blend, targets, pace of change and the CCG table
(median of three). With a LAKE, `consortia allocate` on it is then timed as a whole, cold
process beside a bare scan of the columns it reads.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from consortia.finance.allocation import from_aggregates
from consortia.finance.cost_indices import no_indices
from consortia.finance.need import MORBIDITY
from consortia.finance.parameters import allocation_parameters
from consortia.schema.reference_tables import AGE_BANDS
from measure import bare_scan, measure

CCGS, PRACTICES = 200, 8_000
GOAL_SECONDS = 10.0


def aggregates(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Cells, deaths, spend and organisations of England's shape."""
    practices = [f"P{n:05d}" for n in range(PRACTICES)]
    ccgs = [f"{n:03d}" for n in range(CCGS)]
    practice = pd.DataFrame(
        {"practice": practices, "ccg": [ccgs[n % CCGS] for n in range(PRACTICES)]}
    )
    grid = pd.MultiIndex.from_product(
        [practices, AGE_BANDS, ["F", "M"], MORBIDITY],
        names=["practice", "age_band", "sex", "morbidity"],
    ).to_frame(index=False)
    cells = pd.concat([grid.assign(deprivation_quintile=q) for q in (1, 2)], ignore_index=True)
    age = cells["age_band"].str.extract(r"^(\d+)")[0].astype(float).to_numpy()
    n = len(cells)
    cells["person_years"] = rng.gamma(2.0, 10.0, n)
    scale = (
        200 + 8 * age + 300 * cells["morbidity"].map({"0": 0, "1": 1, "2": 2, "3+": 3}).to_numpy()
    )
    cells["cost_planned"] = cells["person_years"] * scale * rng.gamma(5.0, 0.2, n)
    cells["cost_urgent"] = cells["person_years"] * 0.6 * scale * rng.gamma(5.0, 0.2, n)
    young = (
        cells[age < 75]
        .groupby(["practice", "age_band", "sex"], as_index=False)[["person_years"]]
        .sum()
    )
    young["deaths"] = rng.poisson(young["person_years"] * np.exp(age_of(young) / 12) * 1e-5)
    deaths = young[young["deaths"] > 0].drop(columns="person_years")
    spend = cells.groupby("practice", as_index=False)[["cost_planned", "cost_urgent"]].sum()
    spend = spend.melt("practice", var_name="component", value_name="cost")
    spend["component"] = spend["component"].str.removeprefix("cost_")
    ccg = pd.DataFrame({"ccg": ccgs, "name": [f"NHS {c} CCG" for c in ccgs]})
    return {"cells": cells, "deaths": deaths, "spend": spend, "practice": practice, "ccg": ccg}


def age_of(frame: pd.DataFrame) -> np.ndarray:
    return frame["age_band"].str.extract(r"^(\d+)")[0].astype(float).to_numpy()


def time_allocation() -> None:
    data = aggregates(np.random.default_rng(2014))
    parameters = allocation_parameters("2014/15")
    indices = no_indices(sorted(set(data["practice"]["ccg"])))
    print(f"{len(data['cells']):,} cells of {PRACTICES:,} practices in {CCGS} CCGs")
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        result = from_aggregates(
            data["cells"],
            data["deaths"],
            data["spend"],
            data["practice"],
            data["ccg"],
            indices,
            parameters,
            "none",
        )
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(
        f"allocation from aggregates: median {median:.2f} s of {[round(s, 2) for s in seconds]} "
        f"(goal {GOAL_SECONDS:.0f} s: {'met' if median < GOAL_SECONDS else 'NOT met'}); "
        f"Σ allocation / envelope = {result.ccgs['allocation'].sum() / result.envelope:.12f}"
    )


def time_command(lake: Path) -> None:
    columns = {
        "patient": "patient_id, practice, sex, birth_year, birth_month, deprivation_decile, "
        "date_of_death",
        "registration": "patient_id, practice, registered_from, registered_to",
        "condition": "patient_id, condition, recorded_on",
        "apc": "patient_id, practice, admitted_on, method, cost",
        "op": "patient_id, practice, attended_on, cost",
        "ae": "patient_id, practice, arrived_at, cost",
    }
    bare = bare_scan(lake, columns)
    run = measure(
        [sys.executable, "-m", "consortia", "allocate", "--data", str(lake), "--year", "2014/15"]
    )
    print(
        f"consortia allocate (whole process): {run.seconds:.1f} s, "
        f"peak {run.peak_bytes / 2**20:,.0f} MiB; "
        f"bare scan of the columns it reads: {bare:.1f} s; ratio {run.seconds / bare:.1f}x"
    )


if __name__ == "__main__":
    time_allocation()
    if len(sys.argv) > 1:
        time_command(Path(sys.argv[1]))
