"""A lake of the test's own, with nothing kept beside it yet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from consortia.engine.derived import FOLDER


@pytest.fixture
def lake(small_lake: Path, tmp_path: Path) -> Path:
    """A copy of the small lake, its kept results removed."""
    copy = tmp_path / "lake"
    shutil.copytree(small_lake, copy)
    shutil.rmtree(copy / FOLDER, ignore_errors=True)
    return copy
