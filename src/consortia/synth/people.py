"""Registered patients of a block of practices: who they are, when they joined and left.

A patient is drawn with an age and sex (England's structure, tilted by the practice), a
deprivation decile near the practice's, and a latent frailty that later raises their chance of
long-term conditions, death and every kind of care. Lists change: patients move away, die,
join from elsewhere and are born.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy import optimize

from consortia.schema.reference_tables import AGE_BANDS, load
from consortia.synth import params
from consortia.synth.calendar import DAYS, DAYS_PER_YEAR, START, YEAR_STARTS
from consortia.synth.targets import target

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BAND_LOWER = np.arange(0, 95, 5, dtype=np.float64)  # 19 bands, 0-4 … 90+
OLDEST = 105.0


@dataclass
class Cohort:
    """Patients of a block as parallel arrays. Days are counted from 1 April 2013."""

    practice: IntArray  # index into the economy's practices
    male: BoolArray
    age: FloatArray  # exact age on 1 April 2013 (negative for those born later)
    deprivation_decile: IntArray
    frailty: FloatArray  # latent, standard normal
    registered_from: Int32Array
    registered_to: Int32Array  # DAYS when still registered at the end of the period
    died_on: Int32Array  # DAYS when alive at the end (or death not known to the practice)
    conditions: BoolArray  # (n, conditions): on the register by the end of the period
    recorded_on: Int32Array  # (n, conditions): day first recorded, DAYS when never
    first_practice: IntArray  # practice registered with at the start (before any closure)
    moved_on: Int32Array  # day re-registered after the first practice closed, DAYS when never

    def __len__(self) -> int:
        return len(self.practice)

    @property
    def deprivation_score(self) -> FloatArray:
        """+1 for the most deprived decile, −1 for the least."""
        return (5.5 - self.deprivation_decile.astype(np.float64)) / 4.5

    def age_on(self, day: int) -> FloatArray:
        """Exact age on `day`."""
        return self.age + day / DAYS_PER_YEAR

    def conditions_before(self, day: int) -> BoolArray:
        """(n, conditions): recorded before `day`."""
        return self.recorded_on < day


@cache
def england_cells() -> tuple[FloatArray, BoolArray, FloatArray]:
    """England mid-2013 population as (band lower age, male, share) over the 38 age–sex cells."""
    table = load("england_population_2013").to_pydict()
    band_index = {band: i for i, band in enumerate(AGE_BANDS)}
    lower = np.array([BAND_LOWER[band_index[b]] for b in table["age_band"]])
    male = np.array([s == "M" for s in table["sex"]])
    share = np.array(table["population"], dtype=np.float64)
    return lower, male, share / share.sum()


def _ages_in_bands(rng: np.random.Generator, lower: FloatArray) -> FloatArray:
    """Exact ages uniformly within five-year bands; 90+ with an exponential tail."""
    age = lower + rng.random(len(lower)) * 5.0
    top = lower >= 90
    age[top] = np.minimum(90.0 + rng.exponential(3.5, int(top.sum())), OLDEST)
    return age


def tilt_shape(lower: FloatArray) -> FloatArray:
    """How an age tilt weighs a five-year band: children count as young adults, log-linear above.

    A tilt `t` multiplies a band's share by exp(t × shape): negative tilts make a younger list
    (fewer people over 65, more of working age) without inflating the number of infants.
    """
    return (np.clip(lower + 2.5, 22.5, 92.5) - 40.0) / 25.0


def share_65_plus(tilt: float) -> float:
    """The share of a list aged 65 and over when England's structure is tilted by `tilt`."""
    lower, _, share = england_cells()
    weights = share * np.exp(tilt * tilt_shape(lower))
    return float(weights[lower >= 65].sum() / weights.sum())


@cache
def tilt_for_65_plus(share: float) -> float:
    """The age tilt that gives a list `share` aged 65 and over (England's untilted is ~17%)."""
    return float(optimize.brentq(lambda t: share_65_plus(t) - share, -5.0, 5.0, xtol=1e-10))


def _draw_people(
    rng: np.random.Generator, counts: IntArray, tilt: FloatArray, weight_by_age: bool = False
) -> tuple[IntArray, BoolArray, FloatArray]:
    """People for each practice: (practice position, male, age), England's structure tilted."""
    lower, male, share = england_cells()
    positions, males, ages = [], [], []
    mid = lower + 2.5
    mover_shape = params.interpolate(params.LEAVING_BY_AGE, mid) if weight_by_age else 1.0
    shape = tilt_shape(lower)
    for position, (count, t) in enumerate(zip(counts, tilt, strict=True)):
        weights = share * np.exp(t * shape) * mover_shape
        cells = rng.choice(len(share), size=int(count), p=weights / weights.sum())
        positions.append(np.full(int(count), position, dtype=np.int64))
        males.append(male[cells])
        ages.append(_ages_in_bands(rng, lower[cells]))
    return np.concatenate(positions), np.concatenate(males), np.concatenate(ages)


@dataclass(frozen=True)
class PracticeSlice:
    """The practices of one block, with what patient generation needs of each."""

    index: IntArray  # into the economy's practices
    list_size: IntArray
    age_tilt: FloatArray
    deprivation_decile: IntArray
    closed_day: IntArray


def demography(rng: np.random.Generator, practices: PracticeSlice) -> Cohort:
    """Patients on the lists at the start, those joining during the period, and births."""
    years = DAYS / DAYS_PER_YEAR
    joiners = rng.poisson(practices.list_size * params.JOINING_RATE * years)
    births = rng.poisson(practices.list_size * target("births_per_1000") / 1000 * years)

    pos0, male0, age0 = _draw_people(rng, practices.list_size, practices.age_tilt)
    from0 = -np.minimum(rng.exponential(params.MEAN_YEARS_REGISTERED, len(age0)), age0)

    # nobody joins, or is born onto, a list after the practice has closed
    open_days = np.minimum(practices.closed_day, DAYS) - 60
    pos1, male1, age_at_join = _draw_people(rng, joiners, practices.age_tilt, weight_by_age=True)
    join_day = np.floor(rng.random(len(pos1)) * open_days[pos1]).astype(np.int64)
    age1 = np.maximum(age_at_join, join_day / DAYS_PER_YEAR + 0.1) - join_day / DAYS_PER_YEAR

    pos2 = np.repeat(np.arange(len(births)), births)
    birth_day = np.floor(rng.random(len(pos2)) * open_days[pos2]).astype(np.int64)
    age2 = -birth_day / DAYS_PER_YEAR
    male2 = rng.random(len(pos2)) < 0.512  # sex ratio at birth, about 105 boys to 100 girls

    position = np.concatenate([pos0, pos1, pos2])
    registered_from = np.concatenate(
        [
            np.floor(from0 * DAYS_PER_YEAR),
            join_day,
            birth_day + rng.integers(14, 60, len(pos2)),
        ]
    ).astype(np.int32)
    n = len(position)
    decile = practices.deprivation_decile[position]
    noise = np.round(rng.normal(0.0, params.PATIENT_DEPRIVATION_SIGMA, n))
    return Cohort(
        practice=practices.index[position],
        first_practice=practices.index[position],
        moved_on=np.full(n, DAYS, dtype=np.int32),
        male=np.concatenate([male0, male1, male2]),
        age=np.concatenate([age0, age1, age2]),
        deprivation_decile=np.clip(decile + noise, 1, 10).astype(np.int64),
        frailty=rng.standard_normal(n),
        registered_from=registered_from,
        registered_to=np.full(n, DAYS, dtype=np.int32),
        died_on=np.full(n, DAYS, dtype=np.int32),
        conditions=np.zeros((n, len(params.CONDITIONS)), dtype=bool),
        recorded_on=np.full((n, len(params.CONDITIONS)), DAYS, dtype=np.int32),
    )


def death_hazard_shape(cohort: Cohort) -> FloatArray:
    """Yearly death hazard before calibration of its level (Gompertz, frailty, conditions)."""
    log_hr = params.GOMPERTZ_SLOPE * np.maximum(cohort.age, 0.0) + params.DEATH_FRAILTY * (
        cohort.frailty
    )
    at_start = cohort.conditions_before(0)
    for i, condition in enumerate(params.CONDITIONS):
        hr = params.DEATH_CONDITION_HR.get(condition)
        if hr is not None:
            log_hr = log_hr + np.log(hr) * at_start[:, i]
    return np.exp(log_hr)


def infant_hazard(cohort: Cohort) -> FloatArray:
    """Yearly death hazard in the first year of life."""
    return np.where(cohort.age < 1.0, params.INFANT_MORTALITY, 0.0)


# Winter months' share of a season's excess deaths (December … March, mean 1): deaths peak in
# January, as in ONS monthly death occurrences.
_WINTER_MONTHS = {12: 0.9, 1: 1.3, 2: 1.0, 3: 0.8}


@cache
def death_clock() -> FloatArray:
    """Cumulative relative death hazard by day (length DAYS + 1), in years of the first year's mean.

    Every hazard rises with age along the Gompertz slope as the period goes on, and each
    winter (December to March) carries the excess ONS published for it; the first year
    integrates to exactly one year, so calibrated levels keep their meaning.
    """
    days = np.arange(DAYS)
    dates = np.datetime64(START, "D") + days.astype("timedelta64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    season = np.searchsorted(np.asarray(YEAR_STARTS[1:]), days, side="right")
    excess = np.array([target(f"excess_winter_mortality_{fy}") for fy in ("2013_14", "2014_15")])
    winter = np.array([_WINTER_MONTHS.get(int(m), 0.0) for m in range(13)])[months]
    weight = (1.0 + excess[season] * winter) * np.exp(
        (params.GOMPERTZ_SLOPE - params.MORTALITY_IMPROVEMENT) * days / DAYS_PER_YEAR
    )
    weight /= weight[: YEAR_STARTS[1]].sum()
    return np.concatenate([[0.0], np.cumsum(weight)])


@dataclass(frozen=True)
class Moves:
    """Where the patients of each closing practice re-register (indexed by practice).

    `to` holds up to three practices of the same CCG (−1 where unused) and `weight` the
    chance of each; a merger has one destination with weight 1.
    """

    to: IntArray  # (practices, 3)
    weight: FloatArray  # (practices, 3)


def leave_and_die(
    rng: np.random.Generator,
    cohort: Cohort,
    closed_day: IntArray,
    death_level: float,
    moves: Moves | None = None,
) -> None:
    """End registrations by moving away or death; re-register patients of closing practices.

    `closed_day` is each patient's practice's closing day (DAYS when it stays open). A patient
    still on the list when the practice closes re-registers, that day, at one of the nearby
    practices in `moves` (without `moves`, the registration simply ends at the closure).
    Deaths follow `death_clock`: a winter excess and ageing through the period.
    """
    n = len(cohort)
    start = np.maximum(cohort.registered_from, 0)
    leave_rate = params.interpolate(params.LEAVING_BY_AGE, np.maximum(cohort.age, 0.0))
    leave = start + rng.exponential(1.0, n) / leave_rate * DAYS_PER_YEAR
    hazard = death_level * death_hazard_shape(cohort) + infant_hazard(cohort)
    born = np.maximum(np.ceil(-cohort.age * DAYS_PER_YEAR), 0)
    clock = death_clock()
    at_risk = np.minimum(np.maximum(start, born), DAYS)
    reached = clock[at_risk.astype(np.int64)] + rng.exponential(1.0, n) / hazard
    death = np.where(reached < clock[-1], np.interp(reached, clock, np.arange(DAYS + 1.0)), np.inf)
    closes = closed_day < np.minimum(np.minimum(leave, death), DAYS)
    if moves is not None:
        choice = _choose(rng, moves.weight[cohort.practice[closes]])
        cohort.practice = cohort.practice.copy()
        cohort.practice[closes] = moves.to[cohort.practice[closes], choice]
        cohort.moved_on = np.where(closes, closed_day, DAYS).astype(np.int32)
        end = np.minimum(leave, death).clip(max=DAYS)
    else:
        end = np.minimum(np.minimum(leave, death), closed_day).clip(max=DAYS)
    last = np.ceil(end)
    # a list that ends on the day its practice closes ended the day before: the closure day
    # belongs to the moves
    last = np.where(~closes & (closed_day < DAYS) & (last == closed_day), last - 1, last)
    cohort.registered_to = np.maximum(last, start + 1).clip(max=DAYS).astype(np.int32)
    dies = (death < DAYS) & (death <= leave)
    if moves is None:
        dies &= death <= closed_day
    cohort.died_on = np.where(dies, cohort.registered_to, DAYS).astype(np.int32)


def _choose(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One column index per row, with probability proportional to the row's weights."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cumulative[:, -1]
    return (u[:, None] >= cumulative).sum(axis=1).astype(np.int64)
