"""Broken copies of a good lake, each with one defect a careless user or an attacker could make.

A copy links every Parquet part of the good lake and replaces only the part it breaks, so a
lake costs a few file operations, not a new synthesis.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from consortia.schema.datasets import DATASETS


def copy_lake(good: Path, to: Path) -> Path:
    """A lake at `to` whose parts link those of `good` (replace a part before changing it)."""
    for name in DATASETS:
        (to / name).mkdir(parents=True)
        for part in sorted((good / name).glob("*.parquet")):
            (to / name / part.name).symlink_to(part)
    shutil.copy(good / "_lake.json", to / "_lake.json")
    return to


def part(lake: Path, dataset: str) -> Path:
    """The first Parquet part of `dataset`."""
    return sorted((lake / dataset).glob("*.parquet"))[0]


def rewrite(lake: Path, dataset: str, change: Callable[[pa.Table], pa.Table]) -> Path:
    """Replace the first part of `dataset` by `change` of its table; returns the part's path."""
    path = part(lake, dataset)
    table = change(pq.read_table(path))
    path.unlink()
    pq.write_table(table, path)
    return path


def set_value(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    """`table` with `column` at 0-based `row` set to `value` (keeping the column's type)."""
    values = table[column].to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    field = table.schema.field(column)
    return table.set_column(index, field, pa.array(values, type=field.type))


def not_utf8(table: pa.Table, column: str, row: int) -> pa.Table:
    """`table` with a string that is not UTF-8 (bytes 0xFF 0xFE) at `row` of `column`."""
    values = [v.encode() for v in table[column].to_pylist()]
    values[row] = b"\xff\xfe"
    index = table.schema.get_field_index(column)
    raw = pa.array(values, type=pa.binary()).view(pa.string())  # view() does not validate
    return table.set_column(index, table.schema.field(column), raw)


# Each defect: (name, dataset broken, function breaking a copied lake → the file it broke)
def empty_part(lake: Path) -> Path:
    path = lake / "apc" / "part-99999.parquet"
    path.write_bytes(b"")
    return path


def csv_renamed(lake: Path) -> Path:
    path = lake / "apc" / "part-99999.parquet"
    path.write_text("spell_id,patient_id,cost\n1,2,3.5\n")
    return path


def truncated(lake: Path) -> Path:
    path = part(lake, "patient")
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


def folder_named_parquet(lake: Path) -> Path:
    path = lake / "op" / "part-99999.parquet"
    path.mkdir()
    return path


def dangling_link(lake: Path) -> Path:
    path = lake / "ae" / "part-99999.parquet"
    path.symlink_to(lake / "no-such-file.parquet")
    return path


def non_utf8_string(lake: Path) -> Path:
    return rewrite(lake, "practice", lambda t: not_utf8(t, "name", 0))


def nan_cost(lake: Path) -> Path:
    return rewrite(lake, "apc", lambda t: set_value(t, "cost", 4, float("nan")))


def infinite_cost(lake: Path) -> Path:
    return rewrite(lake, "apc", lambda t: set_value(t, "cost", 4, float("inf")))


def provider_not_a_code(lake: Path) -> Path:
    """An outpatient appointment whose provider is not an organisation code (`PROVIDER_CODE`)."""
    return rewrite(lake, "op", lambda t: set_value(t, "provider", 4, "XYZ"))


def birth_month_13(lake: Path) -> Path:
    """An A&E record whose patient's month of birth is 13 (decided by the column's maximum)."""
    return rewrite(lake, "ae", lambda t: set_value(t, "birth_month", 4, 13))


def registration_without_sex(lake: Path) -> Path:
    """A registration that records no sex for its patient (decided by the column's count)."""

    def change(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("sex")
        values = table["sex"].to_pylist()
        values[4] = None
        return table.set_column(index, pa.field("sex", pa.string()), pa.array(values))

    return rewrite(lake, "registration", change)


def unknown_patient(lake: Path) -> Path:
    """An outpatient appointment naming a patient the lake does not hold (one reference among
    the six datasets naming a patient)."""
    return rewrite(lake, "op", lambda t: set_value(t, "patient_id", 4, -1))


def year_0001(lake: Path) -> Path:
    return rewrite(lake, "op", lambda t: set_value(t, "attended_on", 4, date(1, 1, 1)))


def year_2999(lake: Path) -> Path:
    return rewrite(lake, "op", lambda t: set_value(t, "attended_on", 4, date(2999, 1, 1)))


def death_before_birth(lake: Path) -> Path:
    def change(table: pa.Table) -> pa.Table:
        born = table["birth_year"][4].as_py()
        return set_value(table, "date_of_death", 4, date(born - 1, 6, 1))

    return rewrite(lake, "patient", change)


def nhs_number_column(lake: Path) -> Path:
    def change(table: pa.Table) -> pa.Table:
        numbers = [f"{943_476_5919 + i:010d}" for i in range(table.num_rows)]
        return table.append_column("nhs_number", pa.array(numbers))

    return rewrite(lake, "patient", change)


def duplicated_part(lake: Path) -> Path:
    original = part(lake, "apc")
    copy = lake / "apc" / "part-99999.parquet"
    shutil.copy(original, copy)
    return copy


def patient_key_as_text(lake: Path) -> Path:
    def change(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("patient_id")
        as_text = table["patient_id"].cast(pa.string())
        return table.set_column(index, pa.field("patient_id", pa.string()), as_text)

    return rewrite(lake, "patient", change)
