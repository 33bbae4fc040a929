"""What the first pack remembers crosses to the worker processes only when it comes back whole."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from consortia.errors import DataError
from consortia.pack.all_ccgs import _portable, _unpacked


class _UnrebuildableError(Exception):
    """Pickles, but cannot be built again from its arguments (a keyword-only field)."""

    def __init__(self, *, why: str) -> None:
        super().__init__(why)


def test_only_what_survives_a_round_trip_is_given() -> None:
    memory: dict[Hashable, Any] = {
        ("allocation", "2014/15"): {"weights": [0.5, 1.5]},
        ("budget_risk", "2014/15"): DataError("nobody on the lists", field="year"),
        "a function": lambda: 1,
        "an error that cannot be rebuilt": _UnrebuildableError(why="keyword only"),
    }
    given = _unpacked(_portable(memory))
    assert set(given) == {("allocation", "2014/15"), ("budget_risk", "2014/15")}
    assert given[("allocation", "2014/15")] == {"weights": [0.5, 1.5]}
