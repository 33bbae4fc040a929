"""Budget risk: 10,000 simulated budget years at each of 10 population sizes, against a goal
of 10 s on 2 cores.

Run on demand: `.venv/bin/python bench/bench_budget_risk.py [LAKE]`. Builds, untimed,
England's person costs at its shape (56 million people on the lists, about two in three with
hospital costs: lognormal costs with a heavy tail), then times everything after the lake's
query (median of three): both variants (alone and with the high-cost pool) at the 10 sizes and
the two reference sizes, and the four searches for the smallest population. With a LAKE,
`consortia budget-risk` on it is then timed as a whole, cold process beside a bare scan of
the columns it reads.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from consortia.finance.budget_risk import SIZES, YEARS, Costs, Settings, from_costs
from consortia.finance.parameters import allocation_parameters
from measure import bare_scan, measure

PEOPLE, USERS = 56_000_000, 37_000_000
GOAL_SECONDS = 10.0


def time_simulation() -> None:
    rng = np.random.default_rng(2014)
    costs = Costs.of(PEOPLE, rng.lognormal(5.6, 1.6, USERS))
    parameters = allocation_parameters("2014/15")
    settings = Settings(contingency=parameters.contingency_reserve)
    print(
        f"{PEOPLE:,} people, {USERS:,} with costs: mean £{costs.mean:,.2f}, coefficient of "
        f"variation {costs.sd / costs.mean:.2f}, skewness {costs.skewness:.1f}"
    )
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        risk = from_costs(costs, 250_000, parameters, settings)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(
        f"{YEARS:,} years × {len(SIZES)} sizes (+2 reference sizes) × alone and pooled, and "
        f"four searches: median {median:.2f} s of {[round(s, 2) for s in seconds]} "
        f"(goal {GOAL_SECONDS:.0f} s: {'met' if median < GOAL_SECONDS else 'NOT met'})"
    )
    print(risk.smallest.to_string(index=False))


def time_command(lake: Path) -> None:
    columns = {
        "registration": "patient_id, practice, registered_from, registered_to",
        "patient": "patient_id, date_of_death",
        "apc": "patient_id, admitted_on, method, cost",
        "op": "patient_id, attended_on, cost",
        "ae": "patient_id, arrived_at, cost",
    }
    bare = bare_scan(lake, columns)
    command = [sys.executable, "-m", "consortia", "budget-risk", "--data", str(lake)]
    run = measure([*command, "--year", "2014/15"])
    print(
        f"consortia budget-risk (whole process): {run.seconds:.1f} s, "
        f"peak {run.peak_bytes / 2**20:,.0f} MiB; "
        f"bare scan of the columns it reads: {bare:.1f} s; ratio {run.seconds / bare:.1f}x"
    )


if __name__ == "__main__":
    time_simulation()
    if len(sys.argv) > 1:
        time_command(Path(sys.argv[1]))
