"""Lake-wide aggregates kept beside the lake: read back only while the lake and the definition
are what they were, and never changing a figure."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from ibis import _

from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import Run, shared
from consortia.engine.backends import connect
from consortia.engine.derived import FOLDER, Derived
from consortia.engine.lake import Lake
from consortia.engine.plans import PLACEHOLDER
from consortia.pack.build import analyse, open_tables

EVERYONE = Scope(None, 2013, 2)
MEMTABLE = re.compile(r"ibis_pandas_memtable_[a-z0-9]+")
built: list[Scope] = []


@shared
def patients_by_sex(tables: Tables, scope: Scope) -> Any:
    """Patients in the lake by sex, with a constant table joined (as pack definitions do)."""
    built.append(scope)
    names = ibis.memtable({"sex": ["F", "M"], "label": ["female", "male"]})
    counts = tables["patient"].group_by("sex").aggregate(patients=_.count())
    return counts.join(names, "sex").order_by("sex")


def run_of(lake: Path) -> tuple[Any, Run]:
    backend = connect()
    return backend, Run(open_tables(backend, lake), Derived(Lake(lake), backend))


def stored(lake: Path) -> list[str]:
    return sorted(p.name for p in (lake / FOLDER).glob("*.parquet"))


def test_an_aggregate_over_everyone_is_stored_once_and_read_back(lake: Path) -> None:
    backend, run = run_of(lake)
    first = backend.execute(patients_by_sex(run, EVERYONE))
    [name] = stored(lake)
    assert name.startswith("patients_by_sex-")
    written = (lake / FOLDER / name).stat().st_mtime_ns

    backend, again = run_of(lake)  # a new process's run: same SQL, same lake, same file
    second = backend.execute(patients_by_sex(again, EVERYONE))
    assert stored(lake) == [name]
    assert (lake / FOLDER / name).stat().st_mtime_ns == written
    pd.testing.assert_frame_equal(first, second)
    # the count is the lake's own: every patient row, by sex
    patients = pd.read_parquet(lake / "patient")
    assert second["patients"].sum() == len(patients)
    # A CCG's result is the run's own, never kept beside the lake.
    patients_by_sex(again, Scope("00A", 2013, 2))
    assert stored(lake) == [name]


def test_a_changed_lake_names_a_new_aggregate_and_the_old_one_goes(lake: Path) -> None:
    backend, run = run_of(lake)
    backend.execute(patients_by_sex(run, EVERYONE))
    [old] = stored(lake)
    part = Lake(lake).files("patient")[0]
    status = part.stat()
    os.utime(part, ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    backend, run = run_of(lake)
    backend.execute(patients_by_sex(run, EVERYONE))
    [new] = stored(lake)
    assert new != old


def test_another_argument_names_another_aggregate(lake: Path) -> None:
    backend, run = run_of(lake)
    backend.execute(patients_by_sex(run, EVERYONE))
    backend.execute(patients_by_sex(run, Scope(None, 2013, 1)))
    assert len(stored(lake)) == 2


def test_a_lake_that_cannot_keep_aggregates_is_computed_and_left_alone(lake: Path) -> None:
    (lake / FOLDER).write_text("not a folder")
    before = sorted(p.name for p in lake.iterdir())
    backend, run = run_of(lake)
    rows = backend.execute(patients_by_sex(run, EVERYONE))
    assert rows["patients"].sum() == len(pd.read_parquet(lake / "patient"))
    assert sorted(p.name for p in lake.iterdir()) == before
    assert (lake / FOLDER).read_text() == "not a folder"


def test_every_figure_is_the_same_read_from_stored_aggregates(lake: Path) -> None:
    plain, _code, _name = analyse(connect(), lake, keep=False)
    assert not (lake / FOLDER).exists()
    analyse(connect(), lake)  # computes and stores
    assert stored(lake)
    kept, _code, _name = analyse(connect(), lake)  # reads them back
    assert [f.id for f in kept] == [f.id for f in plain]
    for ours, theirs in zip(kept, plain, strict=True):
        pd.testing.assert_frame_equal(ours.table, theirs.table, obj=ours.id)
        # the same SQL shown (read back from the lake's store, the CCG's code in place of the
        # placeholder), but for the names Ibis gives constant tables afresh in each run
        assert PLACEHOLDER not in ours.source_sql
        assert MEMTABLE.sub("", ours.source_sql) == MEMTABLE.sub("", theirs.source_sql)


def sexes(run: Any) -> Any:
    return patients_by_sex(run, EVERYONE)


def test_a_kept_file_that_is_not_the_result_is_computed_again(lake: Path) -> None:
    backend, run = run_of(lake)
    expected = backend.execute(sexes(run))
    [name] = [name for name in stored(lake) if name.startswith("patients_by_sex-")]
    kept = lake / FOLDER / name
    for damage in (b"PAR1 truncated", None):  # a torn file, then another table's columns
        if damage is None:
            pd.DataFrame({"x": [1]}).to_parquet(kept)
        else:
            kept.write_bytes(damage)
        backend, again = run_of(lake)
        pd.testing.assert_frame_equal(backend.execute(sexes(again)), expected)
        assert list(pd.read_parquet(kept).columns) == list(expected.columns)


computed: list[int] = []


def _summary() -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table computed in Python, with words about it."""
    computed.append(1)
    frame = pd.DataFrame({"ccg": ["00A", "00B"], "chance": [0.25, None], "ours": [True, False]})
    return frame, {"method": "Counted by hand.", "notes": ["00A"]}


def test_a_frame_is_kept_with_its_words_and_read_back_the_same(lake: Path) -> None:
    computed.clear()
    first = Derived(Lake(lake), connect()).frame(_summary, "00A", _summary)
    again = Derived(Lake(lake), connect()).frame(_summary, "00A", _summary)
    assert computed == [1]  # the second process read it
    assert first is not None
    assert again is not None
    pd.testing.assert_frame_equal(first[0], again[0])
    assert first[1] == again[1] == {"method": "Counted by hand.", "notes": ["00A"]}
    assert list(again[0]["ours"]) == [True, False]
    assert pd.isna(again[0]["chance"].iloc[1])
    derived = Derived(Lake(lake), connect())
    derived.frame(_summary, "00B", _summary)  # another argument: another file
    assert computed == [1, 1]
    derived.path(_summary, "00A").write_bytes(b"PAR1 torn")  # a torn file: computed again
    again = Derived(Lake(lake), connect()).frame(_summary, "00A", _summary)
    assert computed == [1, 1, 1]
    assert again is not None
    pd.testing.assert_frame_equal(first[0], again[0])


def test_nothing_to_keep_is_not_kept(lake: Path) -> None:
    derived = Derived(Lake(lake), connect())
    assert derived.frame(_summary, "none", lambda: None) is None
    assert not derived.path(_summary, "none").exists()


def test_a_frame_of_a_lake_that_cannot_keep_it_is_computed_and_the_lake_left_alone(
    lake: Path,
) -> None:
    (lake / FOLDER).write_text("not a folder")
    found = Derived(Lake(lake), connect()).frame(_summary, "00A", _summary)
    assert found is not None
    assert list(found[0]["ccg"]) == ["00A", "00B"]
    assert (lake / FOLDER).read_text() == "not a folder"
