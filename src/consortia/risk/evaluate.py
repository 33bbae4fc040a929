"""How good a risk model is, in the terms commissioners act on: discrimination (AUROC with
DeLong's confidence interval), calibration (slope, intercept and a reliability curve), and what
a case-management list of the top 0.5–5% would find (PPV, sensitivity, admissions captured).

Methods: DeLong, DeLong & Clarke-Pearson, Biometrics 1988;44:837 (the variance of the AUROC
from its structural components, computed through midranks as in Sun & Xu, IEEE Signal
Processing Letters 2014;21:1389); calibration slope and calibration-in-the-large as in Van
Calster et al., J Clin Epidemiol 2016;74:167; Wilson intervals for proportions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats
from sklearn.linear_model import LogisticRegression

FloatArray = npt.NDArray[np.float64]
Z95 = float(stats.norm.ppf(0.975))
TOP = (0.005, 0.01, 0.02, 0.05)  # the shares of patients a case-management list would take
BINS = 10  # the reliability curve's groups: tenths of patients by predicted risk
EDGE = 1e-9  # probabilities are held this far inside (0, 1) before taking their logit


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95% confidence interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Captured:
    """What a list of the top `share` of patients by predicted risk would hold."""

    share: float
    listed: int
    admitted: int  # listed patients with an emergency admission in the year after
    ppv: Interval  # admitted / listed
    sensitivity: Interval  # admitted / every patient with an admission
    admissions_captured: float  # the listed patients' admissions / everyone's


@dataclass(frozen=True)
class Reliability:
    """One tenth of patients by predicted risk: mean prediction against the observed share."""

    patients: int
    predicted: float
    observed: Interval


@dataclass(frozen=True)
class Performance:
    """One model's performance on one set of patients."""

    patients: int
    with_admission: int
    auroc: Interval
    calibration_slope: float
    calibration_intercept: float
    reliability: tuple[Reliability, ...]
    top: tuple[Captured, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _components(
    outcome: npt.NDArray[np.bool_], score: npt.ArrayLike
) -> tuple[float, FloatArray, FloatArray]:
    """The AUROC and DeLong's structural components: for each patient admitted, the share of
    those not admitted they score above (V10); for each not admitted, the share of those
    admitted scoring above them (V01). Ties count a half."""
    values = np.asarray(score, dtype=np.float64)
    positive, negative = values[outcome], values[~outcome]
    m, n = len(positive), len(negative)
    if m == 0 or n == 0:
        raise ValueError("the AUROC needs patients with and without an admission")
    within_positive = stats.rankdata(positive)
    within_negative = stats.rankdata(negative)
    overall = stats.rankdata(np.concatenate([positive, negative]))
    area = float((overall[:m].sum() - m * (m + 1) / 2) / (m * n))
    above_negatives = (overall[:m] - within_positive) / n
    below_positives = 1.0 - (overall[m:] - within_negative) / m
    return area, above_negatives, below_positives


def _covariance(first: FloatArray, second: FloatArray) -> float:
    """Sample covariance (variance when the two are one), 0 for a single value."""
    if len(first) < 2:
        return 0.0
    return float(np.cov(first, second, ddof=1)[0, 1])


def auroc(admitted: npt.ArrayLike, score: npt.ArrayLike) -> Interval:
    """Area under the ROC curve with DeLong's 95% interval (ties count a half)."""
    outcome = np.asarray(admitted, dtype=bool)
    area, v10, v01 = _components(outcome, score)
    variance = _covariance(v10, v10) / len(v10) + _covariance(v01, v01) / len(v01)
    half = Z95 * math.sqrt(variance)
    return Interval(area, max(area - half, 0.0), min(area + half, 1.0))


def auroc_difference(
    admitted: npt.ArrayLike, score: npt.ArrayLike, baseline: npt.ArrayLike
) -> Interval:
    """How much higher `score`'s AUROC is than `baseline`'s on the same patients, with the
    95% interval of DeLong's paired test (the two share patients, so their components
    covary: a difference is judged far more closely than two separate intervals suggest)."""
    outcome = np.asarray(admitted, dtype=bool)
    area, v10, v01 = _components(outcome, score)
    other, w10, w01 = _components(outcome, baseline)
    variance = _covariance(v10 - w10, v10 - w10) / len(v10) + _covariance(
        v01 - w01, v01 - w01
    ) / len(v01)
    half = Z95 * math.sqrt(max(variance, 0.0))
    return Interval(area - other, area - other - half, area - other + half)


def _logit(probability: FloatArray) -> FloatArray:
    return np.asarray(special.logit(np.clip(probability, EDGE, 1.0 - EDGE)), dtype=np.float64)


def calibration_slope(admitted: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """The slope of a logistic regression of the outcome on the predictions' log odds: 1 when
    predictions spread as much as outcomes do, below 1 when they are too extreme."""
    outcome = np.asarray(admitted, dtype=bool).astype(np.int8)
    odds = _logit(np.asarray(probability, dtype=np.float64)).reshape(-1, 1)
    fitted = LogisticRegression(C=np.inf, max_iter=1000).fit(odds, outcome)
    return float(fitted.coef_[0, 0])


def calibration_intercept(admitted: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """Calibration-in-the-large: the shift `a` of the predictions' log odds (slope held at 1)
    that makes the expected admissions equal the observed; 0 when the level is right."""
    outcome = np.asarray(admitted, dtype=bool)
    odds = _logit(np.asarray(probability, dtype=np.float64))
    observed = float(outcome.sum())

    def gap(shift: float) -> float:
        return float(special.expit(odds + shift).sum()) - observed

    return float(optimize.brentq(gap, -30.0, 30.0, xtol=1e-12))


def wilson(successes: int, trials: int) -> Interval:
    """A proportion with its Wilson 95% interval."""
    if trials == 0:
        return Interval(math.nan, math.nan, math.nan)
    found = stats.binomtest(successes, trials).proportion_ci(method="wilson")
    return Interval(successes / trials, float(found.low), float(found.high))


def ranked(score: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Positions of patients from highest predicted risk down (ties in the frame's order)."""
    return np.argsort(-np.asarray(score, dtype=np.float64), kind="stable")


def listed_count(share: float, patients: int) -> int:
    """How many patients a list of `share` of `patients` holds (rounded up, as the 2% register
    of the unplanned-admissions service is)."""
    return math.ceil(round(share * patients, 9))


def captured(
    admissions: npt.ArrayLike, score: npt.ArrayLike, shares: tuple[float, ...] = TOP
) -> tuple[Captured, ...]:
    """What lists of the top `shares` of patients by `score` would hold."""
    counts = np.asarray(admissions, dtype=np.int64)
    order = ranked(score)
    any_admission = counts > 0
    total_people, total_admissions = int(any_admission.sum()), int(counts.sum())
    found = []
    for share in shares:
        top = order[: listed_count(share, len(counts))]
        hit = int(any_admission[top].sum())
        found.append(
            Captured(
                share=share,
                listed=len(top),
                admitted=hit,
                ppv=wilson(hit, len(top)),
                sensitivity=wilson(hit, total_people),
                admissions_captured=float(counts[top].sum() / total_admissions)
                if total_admissions
                else math.nan,
            )
        )
    return tuple(found)


def reliability(admitted: npt.ArrayLike, probability: npt.ArrayLike) -> tuple[Reliability, ...]:
    """Tenths of patients by predicted risk, each with its mean prediction and observed share."""
    outcome = np.asarray(admitted, dtype=bool)
    values = np.asarray(probability, dtype=np.float64)
    groups = np.array_split(np.argsort(values, kind="stable"), BINS)
    return tuple(
        Reliability(
            patients=len(group),
            predicted=float(values[group].mean()),
            observed=wilson(int(outcome[group].sum()), len(group)),
        )
        for group in groups
        if len(group)
    )


def performance(admissions: npt.ArrayLike, probability: npt.ArrayLike) -> Performance:
    """Every measure of one model's predictions against what happened."""
    counts = np.asarray(admissions, dtype=np.int64)
    outcome = counts > 0
    return Performance(
        patients=len(counts),
        with_admission=int(outcome.sum()),
        auroc=auroc(outcome, probability),
        calibration_slope=calibration_slope(outcome, probability),
        calibration_intercept=calibration_intercept(outcome, probability),
        reliability=reliability(outcome, probability),
        top=captured(counts, probability),
    )
