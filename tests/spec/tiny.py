"""Write tiny lakes from rows, with the schema's declared types, for spec tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from consortia.analyses.population import EVENT_DATE
from consortia.measures.definition import Measure, Numerator, Review
from consortia.schema.datasets import DATASETS, RECORDED_PERSON

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


def with_person(
    records: list[dict[str, Any]], patients: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Registration or activity records, each carrying its patient's sex, birth and
    deprivation decile (`RECORDED_PERSON`) from the patient row unless it carries them already
    (a patient with no row lends none: the record keeps what it has)."""
    person = {row["patient_id"]: row for row in patients}
    carried = []
    for record in records:
        own = person.get(record["patient_id"], {})
        lent = {c: own[c] for c in RECORDED_PERSON if c in own and c not in record}
        carried.append(record | lent)
    return carried


def write_lake(folder: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """A lake holding exactly `rows` (dataset → list of records); missing datasets are empty,
    except `registration`, which when missing is one registration per patient row, the
    practice on activity records, which when missing is the registered practice on the day,
    and the patient's own columns on registration and activity records, which when missing
    are the patient row's."""
    rows = dict(rows)
    patients = rows.get("patient", [])
    rows.setdefault("registration", registrations_of(patients))
    rows["registration"] = with_person(rows["registration"], patients)
    for activity in EVENT_DATE:
        named = with_practices(rows.get(activity, []), activity, rows["registration"])
        rows[activity] = with_person(named, patients)
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
