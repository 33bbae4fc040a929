"""Long-term conditions on practice registers, by age, sex, deprivation and frailty.

Each register's prevalence follows a logistic model whose level is calibrated to the QOF
prevalence for England; the shared frailty term makes conditions cluster in the same people.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from consortia.synth import params
from consortia.synth.calendar import DAYS, DAYS_PER_YEAR, START
from consortia.synth.people import Cohort

FloatArray = npt.NDArray[np.float64]
# Each register's minimum age (0 for none), in the order of params.CONDITIONS.
_MINIMUM_AGE = np.array([params.CONDITION_MIN_AGE.get(c, 0) for c in params.CONDITIONS])


def _logit_profile(knots: params.Knots, ages: FloatArray) -> FloatArray:
    """The age profile of a prevalence, interpolated on the log-odds scale."""
    x = np.array([k[0] for k in knots])
    y = params.logit(np.clip(np.array([k[1] for k in knots]), 1e-7, 1 - 1e-7))
    return np.interp(ages, x, y)


def eligible(cohort: Cohort) -> npt.NDArray[np.bool_]:
    """(n, conditions): born and old enough, on 1 April 2013, to be on each register."""
    age = cohort.age[:, None]
    return (age >= _MINIMUM_AGE[None, :]) & (age >= 0)


def log_odds(cohort: Cohort) -> FloatArray:
    """(n, conditions): log odds of being on each register, before calibration of its level."""
    age = np.maximum(cohort.age, 0.0)
    columns = []
    for condition in params.CONDITIONS:
        columns.append(
            _logit_profile(params.CONDITION_AGE_PREVALENCE[condition], age)
            + np.log(params.CONDITION_MALE_OR[condition]) * cohort.male
            + params.CONDITION_DEPRIVATION[condition] * cohort.deprivation_score
        )
    result = np.stack(columns, axis=1) + params.CONDITION_FRAILTY * cohort.frailty[:, None]
    return np.where(eligible(cohort), result, -np.inf)


def calibrate(
    cohort: Cohort, prevalence: FloatArray, denominator_age: npt.NDArray[np.int64]
) -> FloatArray:
    """Per-register shifts of the log odds so the cohort's expected prevalence hits `prevalence`.

    Prevalence is over patients aged at least `denominator_age` (per register), as published,
    and measured a year in, so new diagnoses during that year are allowed for.
    """
    shape = log_odds(cohort)
    ok = eligible(cohort)
    counted = (cohort.age[:, None] >= denominator_age[None, :]).sum(axis=0)
    goal = prevalence / (1.0 + params.CONDITION_INCIDENCE_SHARE)
    shift = np.zeros(len(params.CONDITIONS))
    for _ in range(60):  # Newton's method on the mean probability, one root per register
        p = np.where(ok, params.expit(shape + shift), 0.0)
        mean = p.sum(axis=0) / counted
        slope = (p * (1 - p)).sum(axis=0) / counted
        step = (mean - goal) / slope
        shift -= step
        if np.all(np.abs(step) < 1e-10):
            break
    return shift


def _probability(cohort: Cohort, shift: FloatArray) -> FloatArray:
    return params.expit(log_odds(cohort) + shift[None, :])


def earliest_entry(cohort: Cohort) -> FloatArray:
    """(n, conditions): first day (before the period: negative) a patient may enter each
    register — their birth, the register's minimum age, or its earliest diagnosis date."""
    from_age = (_MINIMUM_AGE[None, :] - cohort.age[:, None]) * DAYS_PER_YEAR
    rule = np.array(
        [(params.CONDITION_EARLIEST.get(c, date.min) - START).days for c in params.CONDITIONS]
    )
    return np.maximum(from_age, rule[None, :].astype(np.float64))


def assign_prevalent(rng: np.random.Generator, cohort: Cohort, shift: FloatArray) -> None:
    """Put patients on the registers they were on before the period began.

    Years since entry are exponential with the mean in `params`, truncated to the time the
    register's rules allow (so no entry precedes birth, the minimum age or the earliest date).
    """
    n, k = len(cohort), len(params.CONDITIONS)
    earliest = np.ceil(earliest_entry(cohort))
    prevalent = (rng.random((n, k)) < _probability(cohort, shift)) & (earliest <= -1)
    window = np.maximum(-earliest, 0.0) / DAYS_PER_YEAR
    mean = params.CONDITION_MEAN_YEARS_RECORDED
    u = rng.random((n, k))
    years_before = -mean * np.log1p(-u * -np.expm1(-window / mean))
    before = np.minimum(np.maximum(-np.ceil(years_before * DAYS_PER_YEAR), earliest), -1)
    cohort.recorded_on = np.where(prevalent, before, DAYS).astype(np.int32)
    cohort.conditions = prevalent


def assign_incident(rng: np.random.Generator, cohort: Cohort, shift: FloatArray) -> None:
    """Record new diagnoses during the period, while the patient is registered."""
    n, k = len(cohort), len(params.CONDITIONS)
    start = np.maximum(cohort.registered_from, 0)[:, None]
    end = cohort.registered_to[:, None]
    years_registered = (end - start) / DAYS_PER_YEAR
    chance = params.CONDITION_INCIDENCE_SHARE * _probability(cohort, shift) * years_registered
    new = ~cohort.conditions & eligible(cohort) & (rng.random((n, k)) < chance)
    during = start + np.floor(rng.random((n, k)) * (end - start))
    cohort.recorded_on = np.where(new, during, cohort.recorded_on).astype(np.int32)
    cohort.conditions = cohort.conditions | new
