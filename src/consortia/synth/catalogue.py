"""What care consists of: the diagnoses, procedures and specialties the generator draws from.

Three tables beside this module (CSV, so they read as tables): emergency diagnoses (several
hundred ICD-10 codes), elective procedures and outpatient specialties, each with weights by age
group (children under 16, adults 16–64, older people 65+), optional age limits within a group
(neonatal jaundice before the first birthday, pregnancy from 15 to 45), and links to long-term
condition registers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from consortia.synth import params

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AGE_GROUP_BOUNDS = (16.0, 65.0)  # children below the first, older people from the second


def age_group(age: FloatArray) -> IntArray:
    """0 = child, 1 = adult, 2 = older person."""
    return np.searchsorted(np.array(AGE_GROUP_BOUNDS), age, side="right").astype(np.int64)


@dataclass(frozen=True)
class Catalogue:
    """One table of the catalogue as columns."""

    kind: tuple[str, ...]  # emergency diagnoses: "linked", "general" or "maternity"
    code: tuple[str, ...]  # ICD-10 diagnosis, or the specialty's name
    hrg: tuple[str, ...]
    treatment_function: tuple[str, ...]
    weights: FloatArray  # (rows, 3): by age group
    female_only: npt.NDArray[np.bool_]
    male_only: npt.NDArray[np.bool_]
    condition: IntArray  # register index the row belongs to, −1 for none
    value: FloatArray  # a per-row number: length-of-stay factor, day-case share, follow-ups
    extra: FloatArray  # a second per-row number: mean ordinary stay, or condition weight
    min_age: FloatArray  # youngest age a row applies to (0 when the table gives none)
    max_age: FloatArray  # age from which a row no longer applies (no limit when none given)

    def __len__(self) -> int:
        return len(self.code)

    def rows(self, kind: str) -> IntArray:
        """Positions of the rows of `kind`."""
        return np.flatnonzero(np.asarray(self.kind) == kind)

    def sex_mask(self, male: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """(n, rows): rows open to each patient by sex."""
        return ~np.where(male[:, None], self.female_only[None, :], self.male_only[None, :])

    def draw(
        self,
        rng: np.random.Generator,
        rows: IntArray,
        age: FloatArray,
        male: npt.NDArray[np.bool_],
        has: npt.NDArray[np.bool_] | None = None,
    ) -> IntArray:
        """One of `rows` per event, by the weight of the event's age group, sex and age limits.

        Rows tied to a register (condition ≥ 0) are open only where `has` (events × registers)
        says the patient is on it. Events sharing the same age group, sex, age-limit band and
        registers share one weight vector, so a catalogue of hundreds of rows is drawn without
        an events × rows matrix.
        """
        n = len(age)
        group = age_group(age)
        limits = np.unique(np.concatenate([self.min_age[rows], self.max_age[rows]]))
        limits = limits[np.isfinite(limits)]
        band = np.searchsorted(limits, age, side="right")
        key = (group * 2 + male.astype(np.int64)) * (len(limits) + 1) + band
        condition = self.condition[rows]
        needed = np.unique(condition[condition >= 0])
        if has is not None and len(needed):
            bits = (has[:, needed].astype(np.int64) << np.arange(len(needed))).sum(axis=1)
            key = key * (1 << len(needed)) + bits
        profiles, inverse = np.unique(key, return_inverse=True)
        u = rng.random(n)
        chosen = np.zeros(n, dtype=np.int64)
        order = np.argsort(inverse, kind="stable")
        starts = np.searchsorted(inverse[order], np.arange(len(profiles) + 1))
        for j in range(len(profiles)):
            members = order[starts[j] : starts[j + 1]]
            first = members[0]
            a = age[first]
            weight = self.weights[rows, group[first]] * (
                (self.min_age[rows] <= a) & (a < self.max_age[rows])
            )
            weight = weight * ~(self.female_only[rows] if male[first] else self.male_only[rows])
            if has is not None:
                open_ = np.where(condition >= 0, has[first, np.maximum(condition, 0)], True)
                weight = weight * open_
            cumulative = np.cumsum(weight)
            if cumulative[-1] <= 0:  # nothing applies: fall back to the age group's weights
                cumulative = np.cumsum(self.weights[rows, group[first]] + 1e-12)
            pick = np.searchsorted(cumulative, u[members] * cumulative[-1], side="right")
            chosen[members] = np.minimum(pick, len(rows) - 1)
        return rows[chosen]


def _ages(table: dict[str, list[object]], column: str, default: float, n: int) -> FloatArray:
    """An optional age-limit column, blanks read as `default`."""
    values = table.get(column, [None] * n)
    return np.array([default if v is None or v == "" else float(str(v)) for v in values])


def _read(name: str, value: str, extra: str) -> Catalogue:
    with (resources.files("consortia.synth") / name).open("rb") as stream:
        options = pacsv.ConvertOptions(
            column_types={"code": pa.string(), "min_age": pa.float64(), "max_age": pa.float64()}
        )
        table = pacsv.read_csv(stream, convert_options=options).to_pydict()
    conditions = {c: i for i, c in enumerate(params.CONDITIONS)}
    sex = [s or "" for s in table["sex"]]
    missing = sorted({c for c in table["condition"] if c and c not in conditions})
    if missing:
        raise ValueError(f"{name}: unknown condition register(s) {missing}")
    n = len(sex)
    return Catalogue(
        kind=tuple(str(k) for k in table.get("kind", [""] * len(sex))),
        code=tuple(str(c) for c in table["code"]),
        hrg=tuple(str(h or "") for h in table.get("hrg", [""] * len(sex))),
        treatment_function=tuple(f"{int(t):03d}" for t in table["treatment_function"]),
        weights=np.array(
            [table["weight_child"], table["weight_adult"], table["weight_older"]], dtype=float
        ).T,
        female_only=np.array([s == "F" for s in sex]),
        male_only=np.array([s == "M" for s in sex]),
        condition=np.array([conditions.get(c or "", -1) for c in table["condition"]]),
        value=np.array(table[value], dtype=float),
        extra=np.array(table[extra], dtype=float),
        min_age=_ages(table, "min_age", 0.0, n),
        max_age=_ages(table, "max_age", np.inf, n),
    )


@cache
def emergency() -> Catalogue:
    """Emergency diagnoses: general ones by age, and those linked to a register.

    For a linked row, the age-group weight is the chance that an emergency admission of a
    patient on that register is for that diagnosis.
    """
    return _read("emergency_diagnoses.csv", "los_factor", "los_factor")


@cache
def elective() -> Catalogue:
    """Elective procedures, with each one's day-case share and mean ordinary stay."""
    return _read("elective_procedures.csv", "day_case_share", "mean_los")


@cache
def specialties() -> Catalogue:
    """Outpatient specialties, with mean follow-ups per first attendance and register boost."""
    return _read("outpatient_specialties.csv", "follow_ups", "condition_weight")


def draw_rows(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One column index per row of `weights` (n, k), with probability proportional to weight."""
    cumulative = np.cumsum(weights, axis=1)
    total = cumulative[:, -1:]
    u = rng.random((len(weights), 1)) * total
    return np.minimum((cumulative <= u).sum(axis=1), weights.shape[1] - 1).astype(np.int64)
