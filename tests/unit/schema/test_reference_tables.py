"""Shipped reference tables load and keep their rules; a malformed one stops with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from consortia.errors import DataError
from consortia.schema.reference_tables import (
    AGE_BANDS,
    ENGLAND_POPULATION_2013,
    ESP2013,
    REFERENCE_TABLES,
    TREATMENT_FUNCTIONS,
    load,
    read_table,
)


def population_csv(rows: list[tuple[str, str, str]]) -> str:
    return "age_band,sex,population\n" + "".join(f"{a},{s},{p}\n" for a, s, p in rows)


def complete_population() -> list[tuple[str, str, str]]:
    return [(band, sex, "1000") for band in AGE_BANDS for sex in ("F", "M")]


def error_for(tmp_path: Path, dataset: object, text: str) -> DataError:
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_table(dataset, path)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return caught.value


@pytest.mark.parametrize("name", sorted(REFERENCE_TABLES))
def test_shipped_tables_keep_their_rules(name: str) -> None:
    assert load(name).num_rows > 0


def test_age_tables_hold_every_band() -> None:
    esp = load("esp2013").to_pydict()
    assert esp["age_band"] == list(AGE_BANDS)
    assert sum(esp["population"]) == 100_000  # the ESP 2013 weights sum to 100,000
    population = load("england_population_2013").to_pydict()
    assert sorted(zip(population["age_band"], population["sex"], strict=True)) == sorted(
        (band, sex) for band in AGE_BANDS for sex in ("F", "M")
    )


def test_a_good_table_reads(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(population_csv(complete_population()), encoding="utf-8")
    table = read_table(ENGLAND_POPULATION_2013, path)
    assert table.num_rows == 38
    assert sum(table.column("population").to_pylist()) == 38_000


def test_missing_age_band(tmp_path: Path) -> None:
    rows = [r for r in complete_population() if not (r[0] == "45-49" and r[1] == "M")]
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert "45-49, M" in str(error)
    assert error.rule == "every age_band and sex present"


def test_unknown_age_band(tmp_path: Path) -> None:
    rows = [*complete_population(), ("95+", "F", "10")]
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert (error.row, error.field) == (40, "age_band")  # header is line 1, 38 rows, then this
    assert error.rule is not None
    assert error.rule.startswith("one of age_band")


def test_unknown_sex_code(tmp_path: Path) -> None:
    rows = complete_population()
    rows[3] = (rows[3][0], "X", "1000")
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert (error.row, error.field) == (5, "sex")
    assert error.rule is not None
    assert error.rule.startswith("one of sex")


def test_unknown_treatment_function_code(tmp_path: Path) -> None:
    error = error_for(tmp_path, TREATMENT_FUNCTIONS, "code,name\n100,General Surgery\n1X0,Bad\n")
    assert (error.row, error.field) == (3, "code")
    assert error.rule == r"matches ^[0-9]{3}$"


def test_wrong_type(tmp_path: Path) -> None:
    rows = complete_population()
    rows[0] = (rows[0][0], rows[0][1], "many")
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert (error.row, error.field, error.rule) == (2, "population", "whole number (int64)")


def test_value_out_of_range(tmp_path: Path) -> None:
    rows = complete_population()
    rows[10] = (rows[10][0], rows[10][1], "-5")
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert (error.row, error.field, error.rule) == (12, "population", "≥ 0")


def test_duplicate_key(tmp_path: Path) -> None:
    rows = complete_population()
    rows.insert(5, rows[2])
    error = error_for(tmp_path, ENGLAND_POPULATION_2013, population_csv(rows))
    assert error.row == 7
    assert "first on line 4" in str(error)
    assert error.rule == "key is unique"


def test_missing_value_and_missing_column(tmp_path: Path) -> None:
    text = "age_band,lower_age,upper_age,population\n0-4,0,4,\n"
    error = error_for(tmp_path, ESP2013, text)
    assert (error.row, error.field, error.rule) == (2, "population", "required")
    error = error_for(tmp_path, ESP2013, "age_band,lower_age,population\n0-4,0,5000\n")
    assert (error.row, error.field) == (1, "upper_age")
