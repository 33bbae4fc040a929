"""One block of practices, generated and written on its own: patients, conditions, activity.

Blocks are independent (each has its own seed, derived from the master seed and the block
number), so they run in parallel and memory stays bounded whatever the size of the economy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from consortia.engine.lake import replace_whole
from consortia.synth import activity, conditions, params, people, pseudonym
from consortia.synth.activity import Events, Levels, Setting
from consortia.synth.calendar import QUARTER_DAYS, START, YEAR_STARTS
from consortia.synth.tables import dates, dates_or_null, table, timestamps

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BlockJob:
    """Everything a worker needs to generate one block."""

    number: int
    seed: int
    practices: people.PracticeSlice
    practice_codes: tuple[str, ...]  # all practices' codes, by index
    closed_day: IntArray  # all practices' closing days, by index
    moves: people.Moves  # where each closing practice's patients re-register
    setting: Setting
    levels: Levels
    lake: Path
    truth: Path


@dataclass(frozen=True)
class BlockResult:
    """What the block wrote, and the registered list sizes payments are computed from."""

    number: int
    patients: int
    rows: dict[str, int]
    registered: IntArray  # (all practices, quarters): registered on each quarter day


def part_path(folder: Path, dataset: str, number: int) -> Path:
    """Where block `number` writes `dataset`."""
    return folder / dataset / f"part-{number:05d}.parquet"


def write(folder: Path, dataset: str, number: int, data: pa.Table) -> None:
    """Write one block's part of a dataset, whole or not at all (a temporary file renamed
    into place: a killed run never leaves a torn part)."""
    replace_whole(
        part_path(folder, dataset, number),
        lambda path: pq.write_table(data, path, compression="zstd", row_group_size=256_000),
    )


def run(job: BlockJob) -> BlockResult:
    """Generate and write one block."""
    rng = np.random.default_rng(np.random.SeedSequence(job.seed, spawn_key=(1, job.number)))
    levels, setting = job.levels, job.setting
    cohort = people.demography(rng, job.practices)
    conditions.assign_prevalent(rng, cohort, levels.condition_shift)
    people.leave_and_die(rng, cohort, job.closed_day[cohort.practice], levels.death, job.moves)
    conditions.assign_incident(rng, cohort, levels.condition_shift)

    home = activity.usual_hospital(rng, cohort, setting)
    use = activity.simulate_use(rng, cohort, levels, setting)
    emergency = activity.emergency_spells(rng, cohort, setting, levels, use, home)
    spells = activity.without_overlaps(
        _concat(
            [
                emergency,
                activity.transfers(rng, setting, emergency, cohort),
                activity.elective_spells(rng, cohort, setting, levels, home),
                activity.maternity_spells(rng, cohort, setting, levels, home),
            ]
        ),
        cohort,
    )
    appointments = activity.outpatient_appointments(rng, cohort, setting, levels, home)
    emergency = _subset(spells, spells.columns["method"] == "emergency")
    attendances = activity.ae_attendances(rng, cohort, setting, levels, use, emergency, home)

    key = pseudonym.key_for(job.seed)
    patient_id = pseudonym.pseudonymise(pseudonym.block_sequence(job.number, len(cohort)), key)
    codes = np.asarray(job.practice_codes)
    who = Registered(cohort, patient_id, codes)
    tables = {
        "patient": _patients(cohort, patient_id, codes),
        "registration": _registrations(cohort, patient_id, codes),
        "condition": _conditions(cohort, patient_id),
        "apc": _apc(spells, who, setting, job.number),
        "op": _op(appointments, who, setting, job.number),
        "ae": _ae(attendances, who, setting, job.number),
    }
    for name, data in tables.items():
        write(job.lake, name, job.number, data)
    write(job.truth, "emergency_risk", job.number, _risk(cohort, patient_id, codes, use))
    return BlockResult(
        number=job.number,
        patients=len(cohort),
        rows={name: data.num_rows for name, data in tables.items()},
        registered=_registered(cohort, len(codes)),
    )


def _concat(parts: list[Events]) -> Events:
    return Events(
        np.concatenate([p.patient for p in parts]),
        {k: np.concatenate([p.columns[k] for p in parts]) for k in parts[0].columns},
    )


def _subset(events: Events, mask: npt.NDArray[np.bool_]) -> Events:
    """The events where `mask` holds."""
    return Events(events.patient[mask], {k: v[mask] for k, v in events.columns.items()})


def practice_on(
    cohort: people.Cohort, patient: IntArray, day: int | npt.NDArray[np.integer]
) -> IntArray:
    """The index of the practice each of `patient` was registered with on `day`: the practice
    moved to from the day of a move, the first practice before it (and before registering, as a
    record made before the list began still names the practice the patient joined)."""
    moved = cohort.moved_on[patient] <= day
    return np.where(moved, cohort.practice[patient], cohort.first_practice[patient])


def _registered(cohort: people.Cohort, n_practices: int) -> IntArray:
    """(practices, quarters): patients on each practice's list on each quarter day.

    A patient who moved after a closure counts at their first practice before the move and
    at the new one from the day of the move.
    """
    result = np.zeros((n_practices, len(QUARTER_DAYS)), dtype=np.int64)
    for q, day in enumerate(QUARTER_DAYS):
        on_list = (cohort.registered_from <= day) & (cohort.registered_to > day)
        practice = practice_on(cohort, np.arange(len(cohort)), day)
        result[:, q] = np.bincount(practice[on_list], minlength=n_practices)
    return result


def _birth(cohort: people.Cohort) -> tuple[IntArray, IntArray]:
    """Year and month of birth from exact age on 1 April 2013."""
    born = np.datetime64(START, "D") - np.round(cohort.age * 365.25).astype("timedelta64[D]")
    months = born.astype("datetime64[M]").astype(np.int64)
    return months // 12 + 1970, months % 12 + 1


def _person(cohort: people.Cohort, patient: IntArray | slice = slice(None)) -> dict[str, Any]:
    """The sex, birth and deprivation decile of `patient` (indices into the cohort; everyone
    by default): the patient row's columns, which every registration and activity record
    carries as well."""
    year, month = _birth(cohort)
    return {
        "sex": np.where(cohort.male[patient], "M", "F"),
        "birth_year": year[patient],
        "birth_month": month[patient],
        "deprivation_decile": cohort.deprivation_decile[patient],
    }


def _patients(cohort: people.Cohort, patient_id: IntArray, codes: npt.NDArray[np.str_]) -> pa.Table:
    return table(
        "patient",
        {
            "patient_id": patient_id,
            "practice": codes[cohort.practice],
            **_person(cohort),
            "registered_from": dates(cohort.registered_from),
            "registered_to": dates_or_null(cohort.registered_to),
            "date_of_death": dates_or_null(cohort.died_on),
        },
    )


def _registrations(
    cohort: people.Cohort, patient_id: IntArray, codes: npt.NDArray[np.str_]
) -> pa.Table:
    """Each registration: one per patient, two for those who moved when their practice closed."""
    moved = cohort.moved_on < cohort.registered_to
    first_to = np.where(moved, cohort.moved_on, cohort.registered_to)
    practice = np.where(moved, cohort.first_practice, cohort.practice)
    rows = np.concatenate([np.arange(len(cohort)), np.flatnonzero(moved)])
    return table(
        "registration",
        {
            "patient_id": patient_id[rows],
            "practice": codes[np.concatenate([practice, cohort.practice[moved]])],
            **_person(cohort, rows),
            "registered_from": dates(
                np.concatenate([cohort.registered_from, cohort.moved_on[moved]])
            ),
            "registered_to": dates_or_null(np.concatenate([first_to, cohort.registered_to[moved]])),
        },
    )


def _conditions(cohort: people.Cohort, patient_id: IntArray) -> pa.Table:
    patient, register = np.nonzero(cohort.conditions)
    return table(
        "condition",
        {
            "patient_id": patient_id[patient],
            "condition": np.asarray(params.CONDITIONS)[register],
            "recorded_on": dates(cohort.recorded_on[patient, register]),
        },
    )


@dataclass(frozen=True)
class Registered:
    """The block's patients as activity records name them: pseudonym and registered practice."""

    cohort: people.Cohort
    patient_id: IntArray
    codes: npt.NDArray[np.str_]

    def practice_on(self, patient: IntArray, day: npt.NDArray[np.integer]) -> npt.NDArray[np.str_]:
        """The code of the practice each of `patient` was registered with on `day`."""
        return self.codes[practice_on(self.cohort, patient, day)]


def _sorted(
    events: Events, by: str, id_column: str, who: Registered, setting: Setting, number: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Events in date order: their columns, and the identifier, patient, registered practice
    and provider columns every activity dataset starts with."""
    order = np.lexsort((events.patient, events.columns[by]))
    columns = {k: v[order] for k, v in events.columns.items()}
    patient = events.patient[order]
    day = columns[by] // 86_400 if by == "arrived_at" else columns[by]
    common = {
        id_column: pseudonym.block_sequence(number, len(order)),
        "patient_id": who.patient_id[patient],
        "practice": who.practice_on(patient, day),
        **_person(who.cohort, patient),
        "provider": np.asarray(setting.provider_codes)[columns["provider"]],
    }
    return columns, common


def _apc(spells: Events, who: Registered, setting: Setting, number: int) -> pa.Table:
    c, common = _sorted(spells, "admitted_on", "spell_id", who, setting, number)
    rtt = c["rtt_weeks"]
    return table(
        "apc",
        common
        | {
            "admitted_on": dates(c["admitted_on"]),
            "discharged_on": dates(c["discharged_on"]),
            "method": c["method"],
            "day_case": c["day_case"],
            "primary_diagnosis": c["primary_diagnosis"],
            "hrg": c["hrg"],
            "treatment_function": c["treatment_function"],
            "cost": np.round(c["cost"], 2),
            "rtt_weeks": pa.array(rtt, mask=rtt < 0),
        },
    )


def _op(appointments: Events, who: Registered, setting: Setting, number: int) -> pa.Table:
    c, common = _sorted(appointments, "attended_on", "attendance_id", who, setting, number)
    return table(
        "op",
        common
        | {
            "attended_on": dates(c["attended_on"]),
            "attendance_type": c["attendance_type"],
            "treatment_function": c["treatment_function"],
            "referral_source": c["referral_source"],
            "attendance_status": c["attendance_status"],
            "cost": np.round(c["cost"], 2),
        },
    )


def _ae(attendances: Events, who: Registered, setting: Setting, number: int) -> pa.Table:
    c, common = _sorted(attendances, "arrived_at", "attendance_id", who, setting, number)
    return table(
        "ae",
        common
        | {
            "department_type": c["department_type"],
            "arrived_at": timestamps(c["arrived_at"]),
            "departed_at": timestamps(c["departed_at"]),
            "arrival_mode": c["arrival_mode"],
            "disposal": c["disposal"],
            "cost": np.round(c["cost"], 2),
        },
    )


def _risk(
    cohort: people.Cohort,
    patient_id: IntArray,
    codes: npt.NDArray[np.str_],
    use: activity.UseCounts,
) -> pa.Table:
    """Each patient's true second-year emergency admission rate and probability."""
    truth = use.truth
    registered = (cohort.registered_from < YEAR_STARTS[2]) & (cohort.registered_to > YEAR_STARTS[1])
    return pa.table(
        {
            "patient_id": patient_id[registered],
            "practice": codes[cohort.practice[registered]],
            "annual_rate": truth.annual_rate[registered],
            "exposure": truth.exposure[registered],
            "probability": truth.probability[registered],
            "probability_full_year": 1.0 - np.exp(-truth.annual_rate[registered]),
        }
    )
