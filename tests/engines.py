"""The engines tests run analyses on: DuckDB, and Spark (local; slow, so marked)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from consortia.engine.backends import connect

SPARK = pytest.param(
    "spark", marks=[pytest.mark.slow, pytest.mark.spark, pytest.mark.xdist_group("spark")]
)


def require_spark() -> None:
    """Skip the test where Spark cannot run (Java or pyspark missing); fail in CI."""
    missing = [] if shutil.which("java") else ["Java"]
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{' and '.join(missing)} missing: .ci/run installs them")
        pytest.skip(f"{' and '.join(missing)} missing (pip install '.[spark]')")


def backend_of(engine: str) -> Any:
    """A connection to `engine` (Spark's session is shared; DuckDB's is new each time)."""
    return connect(engine)
