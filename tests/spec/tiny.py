"""Write tiny lakes from rows, with the schema's declared types, for spec tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from consortia.analyses.population import EVENT_DATE
from consortia.measures.definition import Measure, Numerator, Review
from consortia.schema.datasets import DATASETS

REGISTRATION_COLUMNS = ("patient_id", "practice", "registered_from", "registered_to")


def registrations_of(patients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One registration per patient, as its patient row says: a patient who never moved."""
    return [{column: row[column] for column in REGISTRATION_COLUMNS} for row in patients]


def registered_practice(registrations: list[dict[str, Any]], patient_id: int, day: date) -> str:
    """The practice of the patient's registration begun last on or before `day` (the first
    registration for a day before any): what a national extract's record names."""
    own = sorted(
        (r for r in registrations if r["patient_id"] == patient_id),
        key=lambda r: r["registered_from"],
    )
    begun = [r for r in own if r["registered_from"] <= day]
    return str((begun[-1] if begun else own[0])["practice"])


def with_practices(
    records: list[dict[str, Any]], dataset: str, registrations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Activity records, each naming its patient's registered practice on its date unless it
    names one already."""
    column = EVENT_DATE[dataset]
    named = []
    for record in records:
        if "practice" not in record:
            day = record[column]
            day = day.date() if isinstance(day, datetime) else day
            practice = registered_practice(registrations, record["patient_id"], day)
            record = {"practice": practice} | record
        named.append(record)
    return named


def write_lake(folder: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """A lake holding exactly `rows` (dataset → list of records); missing datasets are empty,
    except `registration`, which when missing is one registration per patient row, and the
    practice on activity records, which when missing is the registered practice on the day."""
    rows = dict(rows)
    rows.setdefault("registration", registrations_of(rows.get("patient", [])))
    for activity in EVENT_DATE:
        rows[activity] = with_practices(rows.get(activity, []), activity, rows["registration"])
    for name, dataset in DATASETS.items():
        table = pa.Table.from_pylist(rows.get(name, []), schema=dataset.arrow_schema)
        (folder / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / name / "part-00000.parquet")
    return folder


def emergency_measure(standardised_for: list[str]) -> Measure:
    """A reviewed measure counting emergency admissions, standardised for `standardised_for`."""
    review = Review(
        authored_by="a", checked_by="b", reviewed_on=date(2026, 1, 1), next_review=date(2027, 1, 1)
    )
    return Measure(
        id="test",
        title="t",
        description="d",
        why_it_matters="w",
        source="s",
        numerator=Numerator(dataset="apc", where={"method": ["emergency"]}),
        standardised_for=standardised_for,
        low_is_good=True,
        review=review,
    )
