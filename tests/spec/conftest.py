"""Every spec test runs on each engine: DuckDB, and Spark."""

from __future__ import annotations

import pytest

from tests.engines import SPARK, require_spark


@pytest.fixture(scope="session", params=["duckdb", SPARK])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a spec test's lake is opened on."""
    if request.param == "spark":
        require_spark()
    return str(request.param)
