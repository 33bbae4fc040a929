"""Every figure published to the public, from a real lake: what each declares is what its
analysis does, the small-number rule holds in every table, and every chart draws only what
the table releases (the chart is an output path too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from consortia.engine.backends import connect
from consortia.errors import ExitCode
from consortia.pack.build import analyse
from consortia.pack.charts import draw
from consortia.pack.figure import Figure
from consortia.pack.labels import Kind, label_or_fallback
from consortia.privacy.differencing import relations
from consortia.privacy.release import Audience, _worked_out, released
from tests.privacy_attack import counted, recoveries, sums

pytestmark = pytest.mark.xdist_group("small")


@pytest.fixture(scope="module")
def figures(small_lake: Path) -> tuple[Figure, ...]:
    made, _, _ = analyse(connect(), small_lake)
    return made


@pytest.fixture(scope="module")
def public(figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
    return released(figures, Audience.PUBLIC)


def kind(table: pd.DataFrame, column: str) -> Any:
    return label_or_fallback(column, pd.api.types.is_numeric_dtype(table[column]))


def test_each_declared_ratio_is_what_the_analysis_computes(figures: tuple[Figure, ...]) -> None:
    declared = [f for f in figures if f.public is not None]
    assert len(declared) >= 15  # population, activity, variation, trends, markets, payments…
    for figure in declared:
        assert figure.public is not None
        for ratio in figure.public.ratios:
            again = _worked_out(figure.table, ratio).to_numpy(dtype=float)
            made = figure.table[ratio.column].to_numpy(dtype=float)
            assert np.allclose(again, made, rtol=1e-6, atol=1e-6, equal_nan=True), (
                f"{figure.id}: {ratio} is not how the analysis computes {ratio.column}"
            )


def test_no_public_table_holds_a_count_of_one_to_seven(public: tuple[Figure, ...]) -> None:
    withheld = 0
    for figure in public:
        for column in figure.table.columns:
            found = kind(figure.table, str(column))
            if found.kind is not Kind.COUNT or not found.of_people:
                continue
            values = figure.table[column].dropna().astype(int)
            if figure.public is not None and figure.public.midpoint6:  # 0, 3, 9, 15…
                assert ((values == 0) | (values % 6 == 3)).all(), (figure.id, column)
                continue
            assert ((values == 0) | (values >= 10)).all(), (figure.id, column)
            assert (values % 5 == 0).all(), (figure.id, column)
            withheld += int(figure.table[column].isna().sum())
    assert withheld > 0  # the small lake has small counts, and they were withheld


def test_every_public_number_is_a_count_a_worked_out_ratio_or_declared(
    public: tuple[Figure, ...],
) -> None:
    for figure in public:
        assert figure.public is not None
        ratios = {r.column for r in figure.public.ratios}
        for column in figure.table.columns:
            name = str(column)
            found = kind(figure.table, name)
            if not pd.api.types.is_numeric_dtype(figure.table[column]):
                continue
            if found.kind in KEYS or name in ratios:
                continue
            if name in figure.public.as_is:
                continue
            assert figure.table[column].isna().all(), f"{figure.id}: {name} is published"
            assert found.header in figure.disclosure


KEYS = frozenset({Kind.COUNT, Kind.FLAG, Kind.CODE, Kind.NAME, Kind.TEXT, Kind.DATE, Kind.MONTH})


def inline_rows(spec: Any) -> list[dict[str, Any]]:
    """Every row of data a Vega-Lite specification carries, wherever it sits."""
    rows: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "values" and isinstance(value, list):
                rows.extend(v for v in value if isinstance(v, dict))
            elif key == "datasets" and isinstance(value, dict):
                for data in value.values():
                    rows.extend(v for v in data if isinstance(v, dict))
            else:
                rows.extend(inline_rows(value))
    elif isinstance(spec, list):
        for value in spec:
            rows.extend(inline_rows(value))
    return rows


def test_every_chart_draws_only_what_its_table_releases(public: tuple[Figure, ...]) -> None:
    charted = [f for f in public if f.chart is not None]
    assert len(charted) >= 12
    whole = 0  # charts that carry the table's own rows (others draw a summary of them)
    for figure in charted:
        table = figure.table
        every = inline_rows(draw(figure.draw))
        assert every, figure.id
        # the table's rows as the chart carries them (a funnel's limit curves are other rows)
        rows = [row for row in every if set(map(str, table.columns)) <= set(row)]
        whole += bool(rows)
        for column in table.columns:
            name = str(column)
            found = kind(table, name)
            drawn = {row[name] for row in rows if name in row}
            if not drawn:
                continue
            if table[column].isna().all():
                assert drawn == {None}, f"{figure.id} draws the withheld {name}"
            elif found.kind is Kind.COUNT and found.of_people:
                shown = set(table[column].dropna().astype(int)) | {None}
                assert drawn <= shown, f"{figure.id} draws {name} values it does not release"
    assert whole >= 10


def test_the_public_pack_is_written_as_the_public_reads_it(
    tmp_path: Path, small_lake: Path, public: tuple[Figure, ...]
) -> None:
    from tests.integration.test_cli import assert_one_line_error, consortia

    out = tmp_path / "public"
    made = consortia("pack", "--data", str(small_lake), "--out", str(out), "--public")
    assert made.returncode == 0, made.stderr
    assert "as published to everyone" in made.stdout
    index = json.loads((out / "pack.json").read_text())
    assert [f["id"] for f in index["figures"]] == [f.id for f in public]
    for figure in public:
        written = pd.read_csv(out / "tables" / f"{figure.id}.csv")
        for column in written.columns:
            found = kind(figure.table, column)
            if found.kind is Kind.COUNT and found.of_people:
                values = written[column].dropna()
                if figure.public is not None and figure.public.midpoint6:
                    assert ((values == 0) | (values % 6 == 3)).all()
                    continue
                assert (values % 5 == 0).all()
                assert not values.between(1, 7).any()
    assert "Published under the small-number rule" in (out / "pack.html").read_text()
    both = consortia(
        "pack", "--data", str(small_lake), "--out", str(tmp_path / "x"), "--public", "--all-ccgs"
    )
    assert "--public" in assert_one_line_error(both, ExitCode.USAGE)


def test_the_attacker_recovers_no_withheld_number_from_the_public_pack(
    figures: tuple[Figure, ...], public: tuple[Figure, ...]
) -> None:
    """Every sum between the public figures of a real pack, as the attacker writes them down
    from the analyses' definitions, is one the release audited; and solving over all of them
    and everything released recovers no withheld number."""
    exact = tuple(f for f in figures if f.public is not None)
    assert [f.id for f in exact] == [f.id for f in public]
    known = sums(exact)
    # among them: the practices' registers add up to the CCG's; months to their year
    named = {(exact[left[0][0]].id, exact[right[0][0]].id) for left, right in known}
    assert ("condition_prevalence", "register_prevalence") in named
    assert ("activity_monthly", "activity_rates") in named
    audited = set()
    for relation in relations(exact):
        audited.add((frozenset(relation.left), frozenset(relation.right)))
        audited.add((frozenset(relation.right), frozenset(relation.left)))
    assert all((frozenset(left), frozenset(right)) in audited for left, right in known)
    withheld = sum(int(f.table.isna().to_numpy().sum()) for f in public)
    assert withheld > 0
    protecting = set()
    for k, (truth, shown) in enumerate(zip(exact, public, strict=True)):
        for column in truth.table.columns:
            if counted(str(column)) and column in shown.table:
                hidden = shown.table[column].isna() & ~truth.table[column].between(1, 7)
                protecting |= {(k, int(row)) for row in np.flatnonzero(hidden)}
    assert recoveries(exact, public, known, protecting) == []
