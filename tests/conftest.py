"""Shared fixtures: small synthetic lakes, generated once per test session (per worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from consortia.synth.economy import Request, synthesise


@pytest.fixture(autouse=True, scope="session")
def _cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands run by the tests keep what they cache (figures' plans) in the session's own
    folder, never in the home folder of whoever runs the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSORTIA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def make_lake(root: Path, name: str, **options: Any) -> Path:
    """Generate a lake under `root` (ground truth beside it as NAME-truth)."""
    lake = root / name
    synthesise(Request(out=lake, truth=root / f"{name}-truth", workers=1, **options))
    return lake


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CCG of 30,000 patients: enough for shape and validity checks."""
    return make_lake(tmp_path_factory.mktemp("small"), "lake", patients=30_000, seed=11)


@pytest.fixture(scope="session")
def england_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve CCGs, 240,000 patients: an England-like mix for the calibration tests."""
    return make_lake(tmp_path_factory.mktemp("england"), "lake", patients=240_000, ccgs=12, seed=5)
