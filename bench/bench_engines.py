"""DuckDB against Spark (local) on the same national workload, with the answers compared.

The workload is what `consortia pack --all-ccgs` computes once over everyone: every CCG listed
with its patients, every practice's observed and expected events for every measure, and every
CCG's, and the registered population by practice and age. Each engine opens the same lake;
each query runs twice and the second time is reported (Spark's first run includes compiling
its plan). Run: `.venv/bin/python bench/bench_engines.py --lake LAKE` (default: generates two
CCGs of 600,000 patients under a temporary folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from consortia.analyses import national, population, variation
from consortia.analyses.scope import Scope
from consortia.engine.backends import connect
from consortia.measures.definition import measures
from consortia.pack.build import open_tables
from measure import lake_or_generated

EVERYONE = Scope()


def workload() -> dict[str, Any]:
    """Each query of the workload, as a function of the lake's tables."""
    every = tuple(measures().values())
    return {
        "ccgs": lambda t: national.ccgs(t, EVERYONE),
        "every_practice": lambda t: variation.every_practice(t, EVERYONE, every),
        "ccg_observed_and_expected": lambda t: national.ccg_observed_and_expected(
            t, EVERYONE, every
        ),
        "mid_year_population": lambda t: population.mid_year_population(t, EVERYONE),
    }


def run(engine: str, lake: Path) -> tuple[float, dict[str, float], dict[str, pd.DataFrame]]:
    """Seconds to connect, each query's seconds (second run), and its result."""
    start = time.perf_counter()
    backend = connect(engine)
    tables = open_tables(backend, lake)
    connected = time.perf_counter() - start
    seconds, results = {}, {}
    for name, query in workload().items():
        backend.execute(query(tables))
        start = time.perf_counter()
        results[name] = backend.execute(query(tables))
        seconds[name] = time.perf_counter() - start
    return connected, seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, help="a lake (default: generate)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lake = lake_or_generated(args.lake, Path(folder), ccgs=2, patients=600_000)
        measured = {engine: run(engine, lake) for engine in ("duckdb", "spark")}
    print(f"lake: {lake}")
    print(f"{'':28} {'DuckDB':>9} {'Spark':>9} {'Spark/DuckDB':>13}")
    d_start, s_start = measured["duckdb"][0], measured["spark"][0]
    print(
        f"{'start and open the lake':28} {d_start:8.2f}s {s_start:8.2f}s {s_start / d_start:12.1f}×"
    )
    for name in workload():
        d, s = measured["duckdb"][1][name], measured["spark"][1][name]
        left, right = (measured[e][2][name] for e in ("duckdb", "spark"))
        keys = list(left.columns)
        pd.testing.assert_frame_equal(
            left.sort_values(keys, ignore_index=True).convert_dtypes(),
            right[keys].sort_values(keys, ignore_index=True).convert_dtypes(),
            check_dtype=False,
            rtol=1e-9,
        )
        print(f"{name:28} {d:8.2f}s {s:8.2f}s {s / d:12.1f}×  (same {len(left):,} rows)")


if __name__ == "__main__":
    main()
