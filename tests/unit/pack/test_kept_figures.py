"""Figures computed in Python and kept beside the lake: a later pack reads every one of them,
words and table, rather than computing them again; a lake that cannot give them is said so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from consortia.analyses.scope import Scope
from consortia.engine.backends import connect
from consortia.engine.derived import FOLDER, WORDS, Derived
from consortia.engine.lake import Lake
from consortia.errors import DataError
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.pack.sections.money import NOT_COMPUTED, kept_all

built: list[str] = []


def _figures() -> tuple[Figure, ...]:
    """Two figures worked by hand: a position table and a monthly series."""
    built.append("built")
    position = pd.DataFrame({"provider": ["RX1", "RX2"], "variance": [0.1, -0.05]})
    monthly = pd.DataFrame({"month": ["2014-04-01", "2014-05-01"], "value": [3.0, 5.0]})
    return (
        Figure("position", "Contracts", "Position", "Plan against actual.", position),
        Figure(
            "activity", "Contracts", "Activity", "XmR.", monthly, confidence=0.95,
            notes=("one note",), improvement="neutral",
        ),
    )  # fmt: skip


def _chart(table: pd.DataFrame, words: dict[str, Any]) -> tuple[str, int]:
    return str(words["id"]), len(table)


def _builder(context: Context) -> tuple[Figure, ...]:
    """The builder the figures are kept under."""
    return ()


def context_of(folder: Path) -> Context:
    backend = connect()
    return Context(backend, {}, Scope(ccg="00A"), "A CCG", Derived(Lake(folder), backend))


def kept(context: Context, build: Any = _figures) -> tuple[Figure, ...]:
    return kept_all(context, _builder, "position", "Contracts", "Position", build, _chart)


def test_every_figure_is_kept_and_read_back_the_same(tmp_path: Path) -> None:
    built.clear()
    first = kept(context_of(tmp_path))
    again = kept(context_of(tmp_path))  # another process: reads them
    assert built == ["built"]
    assert len(list((tmp_path / FOLDER).glob("*.parquet"))) == 2
    assert [f.id for f in again] == ["position", "activity"]
    for ours, theirs in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(ours.table, theirs.table)
        assert (ours.title, ours.method, ours.confidence, ours.notes, ours.improvement) == (
            theirs.title, theirs.method, theirs.confidence, theirs.notes, theirs.improvement,
        )  # fmt: skip
    assert again[1].improvement == "neutral"
    assert again[1].notes == ("one note",)
    assert again[0].chart is not None
    assert again[0].draw() == ("position", 2)  # drawn from the kept table and words


def test_a_lost_figure_is_computed_again(tmp_path: Path) -> None:
    built.clear()
    kept(context_of(tmp_path))
    for path in (tmp_path / FOLDER).glob("*.parquet"):
        if b'"id": "activity"' in path.read_bytes():
            path.unlink()  # the second figure's file, lost
    again = kept(context_of(tmp_path))
    assert built == ["built", "built"]
    assert [f.id for f in again] == ["position", "activity"]


def test_a_lake_that_cannot_give_them_says_so_in_one_figure_kept_nowhere(tmp_path: Path) -> None:
    def refused() -> tuple[Figure, ...]:
        raise DataError("no activity in the base year 2012/13")

    made = kept(context_of(tmp_path), refused)
    assert [f.id for f in made] == ["position"]
    assert made[0].method == f"{NOT_COMPUTED}no activity in the base year 2012/13."
    assert made[0].table.empty
    assert not list(tmp_path.rglob("*.parquet"))


def test_no_figures_are_none_kept(tmp_path: Path) -> None:
    assert kept(context_of(tmp_path), lambda: ()) == ()
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_kept_figure_whose_words_are_damaged_is_computed_again(tmp_path: Path) -> None:
    built.clear()
    first = kept(context_of(tmp_path))
    for path in (tmp_path / FOLDER).glob("*.parquet"):
        table = pq.read_table(path)
        words = json.loads(table.schema.metadata[WORDS])
        del words["of"]  # a file a hand or a torn write left without one of its words
        words["notes"] = "not a list"
        damaged = {**table.schema.metadata, WORDS: json.dumps(words).encode()}
        pq.write_table(table.replace_schema_metadata(damaged), path)
    again = kept(context_of(tmp_path))
    assert built == ["built", "built"]
    assert [(f.id, f.notes) for f in again] == [(f.id, f.notes) for f in first]
    assert len(kept(context_of(tmp_path))) == 2
    assert built == ["built", "built"]  # written whole again: read the third time
