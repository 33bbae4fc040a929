"""XmR statistical process control charts as NHS England's "Making Data Count" reads them.

Limits are the mean ± 2.66 × the mean moving range (AMR); by default moving ranges of at
least 3.267 × AMR are screened out first (Nelson 1982, NHSRplotthedots' default; switch it
off to match the Making Data Count Excel tool). Four special-cause rules, in precedence
order: a point outside the limits; a trend of `trend_length` points all rising or all
falling (a tie breaks it); two of three consecutive points beyond two sigma on one side of
the mean; a run of `run_length` points on one side of the mean (a point on the mean breaks
it). Every point of a qualifying trend or run is flagged; of a two-in-three, only the points
beyond two sigma. Limits and rules restart at each rebase point. A segment of fewer than
`trial_points` points (12 by default, NHSRplotthedots' short-group threshold) has trial
limits: its points are flagged in `trial_limits`, and no warning is raised.

The two-sigma rule has two readings: "mdc" (the current Making Data Count guidance) counts
every point beyond two sigma, including those beyond the limits; "ptd" counts only points
between two and three sigma, as NHSRplotthedots v0.2.2 does.

Sources: nhs-r-community/NHSRplotthedots `R/ptd_spc_standard.R`,
`R/ptd_calculate_point_type.R`, `R/ptd_calculate_assurance_type.R`,
`R/ptd_add_short_group_warnings.R` (`warning_threshold = 12`); issue #194 (the MDC
two-sigma reading).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from consortia.errors import UsageError
from consortia.stats import arguments
from consortia.stats.result import FloatArray, TextArray

Direction = Literal["increase", "decrease", "neutral"]
TwoSigmaRule = Literal["mdc", "ptd"]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int8]

LIMIT = 2.66  # 3 / d2 with d2 = 1.128, as Making Data Count rounds it
NEAR_LIMIT = 2 * LIMIT / 3  # two sigma
SCREEN = 3.267  # D4 for moving ranges of two points (Nelson 1982)
RULE_NAMES = ("", "outside_limits", "trend", "two_of_three", "run")
NO_RULE, OUTSIDE, TREND, TWO_OF_THREE, RUN = range(5)
SIGNS = {"increase": 1, "decrease": -1, "neutral": 0}
TRIAL_POINTS = 12  # NHSRplotthedots: a group of fewer points gets a short-group warning


@dataclass(frozen=True)
class XmrResult:
    """Per point (series × points): limits and special causes; per series: the icons."""

    values: FloatArray
    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    rule: IntArray
    point_type: TextArray
    variation: TextArray
    assurance: TextArray
    trial_limits: BoolArray
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One row per series and point, with its limits, the rule that fired and its type."""
        series, points = np.indices(self.values.shape)
        return pd.DataFrame(
            {
                "series": series.ravel(),
                "point": points.ravel(),
                "value": self.values.ravel(),
                "mean": self.mean.ravel(),
                "lower": self.lower.ravel(),
                "upper": self.upper.ravel(),
                "rule": np.asarray(RULE_NAMES, dtype=object)[self.rule.ravel()],
                "point_type": self.point_type.ravel().astype(object),
                "trial_limits": self.trial_limits.ravel(),
                "method": self.method,
            }
        )


@dataclass(frozen=True)
class _Limits:
    """A segment's centre line, limits and two-sigma lines, one value per series."""

    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray


def xmr(
    values: ArrayLike,
    *,
    direction: Direction = "increase",
    rebase: Sequence[int] = (),
    screen_outliers: bool = True,
    two_sigma_rule: TwoSigmaRule = "mdc",
    run_length: int = 7,
    trend_length: int = 7,
    target: ArrayLike | None = None,
    fix_after_n_points: int | None = None,
    trial_points: int = TRIAL_POINTS,
) -> XmrResult:
    """XmR chart of each series (a row of a 2-D array; a 1-D array is one series).

    `direction` says which way is improvement; `rebase` lists the point indices where a new
    segment (with its own limits) starts; `fix_after_n_points` takes each segment's limits
    from its first n points only; `target` (one per series or one for all) gives the
    assurance icon of the latest point. Points of a segment shorter than `trial_points` are
    marked in `trial_limits` (limits still settling: a flag, not a warning).
    """
    series = _as_series(values)
    _check_options(direction, two_sigma_rule, run_length, trend_length, fix_after_n_points)
    _check_trial_points(trial_points)
    bounds = _segments(rebase, series.shape[1], fix_after_n_points)
    outputs = [
        _segment(
            series[:, start:stop],
            screen_outliers,
            fix_after_n_points,
            two_sigma_rule,
            run_length,
            trend_length,
            direction,
        )
        for start, stop in pairwise(bounds)
    ]
    mean, lower, upper, rule, side = (
        np.concatenate(parts, axis=1) for parts in zip(*outputs, strict=True)
    )
    point_type = _point_types(rule, side, direction)
    return XmrResult(
        values=series,
        mean=mean,
        lower=lower,
        upper=upper,
        rule=rule,
        point_type=point_type,
        variation=point_type[:, -1].copy(),
        assurance=_assurance(target, lower[:, -1], upper[:, -1], direction, series.shape[0]),
        trial_limits=_trial_limits(bounds, int(trial_points), series.shape),
        method=_describe(screen_outliers, two_sigma_rule, run_length, trend_length),
    )


def _as_series(values: ArrayLike) -> FloatArray:
    """Series as rows of a 2-D float array of finite values."""
    series = arguments.as_floats(values, "values")
    if series.ndim == 1:
        series = series[None, :]
    if series.ndim != 2:
        raise UsageError("values must be a series or series × points", field="values")
    if not np.all(np.isfinite(series)):
        raise UsageError("values must not be missing", field="values", rule="finite values")
    return series


def _check_options(
    direction: str, rule: str, run_length: int, trend_length: int, fix: int | None
) -> None:
    """Reject option values the method does not define."""
    if direction not in SIGNS:
        raise UsageError("direction must be increase, decrease or neutral", field="direction")
    if rule not in ("mdc", "ptd"):
        raise UsageError("two_sigma_rule must be 'mdc' or 'ptd'", field="two_sigma_rule")
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if int(length) < 2:
            raise UsageError(f"{name} must be at least 2", field=name, rule=">= 2")
    if fix is not None and int(fix) < 2:
        raise UsageError("fix_after_n_points must be at least 2", field="fix_after_n_points")


def _check_trial_points(trial_points: int) -> None:
    """The short-segment threshold is a positive whole number of points."""
    if isinstance(trial_points, bool) or int(trial_points) != trial_points or trial_points < 1:
        raise UsageError(
            "trial_points must be a whole number of at least 1", field="trial_points", rule=">= 1"
        )


def _trial_limits(bounds: list[int], trial_points: int, shape: tuple[int, ...]) -> BoolArray:
    """Per point: whether its segment has fewer than `trial_points` points."""
    short = np.zeros(shape[1], dtype=bool)
    for start, stop in pairwise(bounds):
        short[start:stop] = stop - start < trial_points
    return np.broadcast_to(short, shape).copy()


def _segments(rebase: Sequence[int], points: int, fix: int | None) -> list[int]:
    """Start and stop indices of the segments between rebase points."""
    starts = sorted({int(index) for index in rebase})
    if any(not 0 < index < points for index in starts):
        raise UsageError(
            f"rebase points must lie between 1 and {points - 1}", field="rebase", rule="in range"
        )
    bounds = [0, *starts, points]
    shortest = min(stop - start for start, stop in pairwise(bounds))
    if shortest < 2:
        raise UsageError("every segment needs at least two points", field="rebase")
    return bounds


def _segment(
    y: FloatArray,
    screen: bool,
    fix: int | None,
    two_sigma_rule: str,
    run_length: int,
    trend_length: int,
    direction: str,
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray, NDArray[np.int8]]:
    """Limits and rule codes of one segment, with the side each special cause is on."""
    limits = _limits(y[:, :fix] if fix else y, screen)
    mean = np.broadcast_to(limits.mean[:, None], y.shape)
    side = np.sign(y - mean).astype(np.int8)
    outside = (y > limits.upper[:, None]) | (y < limits.lower[:, None])
    beyond = (y > limits.near_upper[:, None]) | (y < limits.near_lower[:, None])
    if two_sigma_rule == "ptd":
        beyond &= ~outside
    rising, falling = _trends(y, int(trend_length))
    rule = np.full(y.shape, NO_RULE, dtype=np.int8)
    # Lowest precedence first, so that a stronger rule overwrites a weaker one.
    rule[_runs(side, int(run_length))] = RUN
    rule[_two_of_three(beyond, side)] = TWO_OF_THREE
    rule[rising | falling] = TREND
    rule[outside] = OUTSIDE
    trend_side = np.where(rising, 1, -1).astype(np.int8)
    side = np.where(rule == TREND, trend_side, side).astype(np.int8)
    return (
        mean.copy(),
        np.broadcast_to(limits.lower[:, None], y.shape).copy(),
        np.broadcast_to(limits.upper[:, None], y.shape).copy(),
        rule,
        side,
    )


def _limits(base: FloatArray, screen: bool) -> _Limits:
    """Centre line and limits from the baseline points of each series."""
    mean = base.mean(axis=1)
    ranges = np.abs(np.diff(base, axis=1))
    amr = ranges.mean(axis=1)
    if screen:
        kept = ranges < SCREEN * amr[:, None]
        count = kept.sum(axis=1)
        # A flat baseline has no moving range to screen: keep its zero AMR.
        with np.errstate(invalid="ignore", divide="ignore"):
            amr = np.where(count > 0, (ranges * kept).sum(axis=1) / count, amr)
    return _Limits(
        mean=mean,
        lower=mean - LIMIT * amr,
        upper=mean + LIMIT * amr,
        near_lower=mean - NEAR_LIMIT * amr,
        near_upper=mean + NEAR_LIMIT * amr,
    )


def _spread(starts: BoolArray, width: int, points: int) -> BoolArray:
    """Mark every point covered by a qualifying window (window k covers k … k + width − 1)."""
    marks = np.zeros((starts.shape[0], points + 1), dtype=np.int32)
    marks[:, : starts.shape[1]] += starts
    marks[:, width : width + starts.shape[1]] -= starts
    return np.cumsum(marks, axis=1)[:, :points] > 0


def _windows(values: NDArray[np.int8], width: int) -> NDArray[np.int8]:
    """Sliding windows along the points (series × windows × width)."""
    return sliding_window_view(values, width, axis=1)


def _trends(y: FloatArray, length: int) -> tuple[BoolArray, BoolArray]:
    """Points in a run of `length` strictly rising (or strictly falling) points."""
    points = y.shape[1]
    if points < length:
        empty = np.zeros(y.shape, dtype=bool)
        return empty, empty.copy()
    steps = _windows(np.sign(np.diff(y, axis=1)).astype(np.int8), length - 1)
    rising = _spread(np.all(steps == 1, axis=2), length, points)
    falling = _spread(np.all(steps == -1, axis=2), length, points)
    return rising, falling


def _runs(side: NDArray[np.int8], length: int) -> BoolArray:
    """Points in a run of `length` points on one side of the mean."""
    points = side.shape[1]
    if points < length:
        return np.zeros(side.shape, dtype=bool)
    total = _windows(side, length).sum(axis=2, dtype=np.int32)
    return _spread(np.abs(total) == length, length, points)


def _two_of_three(beyond: BoolArray, side: NDArray[np.int8]) -> BoolArray:
    """Points beyond two sigma in a window of three with two such points, all on one side."""
    points = side.shape[1]
    if points < 3:
        return np.zeros(side.shape, dtype=bool)
    enough = _windows(beyond.astype(np.int8), 3).sum(axis=2) >= 2
    one_side = np.abs(_windows(side, 3).sum(axis=2, dtype=np.int32)) == 3
    return _spread(enough & one_side, 3, points) & beyond


def _point_types(rule: IntArray, side: NDArray[np.int8], direction: str) -> TextArray:
    """Common cause, or special cause of improvement, concern or (neutral) high/low."""
    sign = SIGNS[direction]
    if sign == 0:
        special = np.where(side > 0, "special_cause_neutral_high", "special_cause_neutral_low")
    else:
        special = np.where(side == sign, "special_cause_improvement", "special_cause_concern")
    return np.where(rule == NO_RULE, "common_cause", special)


def _assurance(
    target: ArrayLike | None,
    lower: FloatArray,
    upper: FloatArray,
    direction: str,
    count: int,
) -> TextArray:
    """Whether the latest limits consistently pass, fail or straddle the target."""
    sign = SIGNS[direction]
    if target is None or sign == 0:
        return np.full(count, "")
    goal = np.broadcast_to(arguments.as_floats(target, "target"), (count,))
    above, below = goal > upper, goal < lower
    passing = below if sign > 0 else above
    failing = above if sign > 0 else below
    labels = np.where(passing, "consistent_pass", "inconsistent")
    labels = np.where(failing, "consistent_fail", labels)
    return np.where(np.isnan(goal), "", labels)


def _describe(screen: bool, rule: str, run_length: int, trend_length: int) -> str:
    """The rule set in words, for chart captions that must reconcile with other tools."""
    screening = (
        f"moving ranges above {SCREEN} × their mean screened out"
        if screen
        else "no moving ranges screened out"
    )
    two_sigma = {
        "mdc": "two of three points beyond two sigma on the same side",
        "ptd": "two of three points between two and three sigma on the same side",
    }[rule]
    return (
        f"XmR chart: mean and process limits at mean ± {LIMIT} × mean moving range "
        f"({screening}); special causes in Making Data Count's order: a point beyond the "
        f"limits; a run of {trend_length} rising or falling; {two_sigma}; "
        f"{run_length} points on one side of the mean"
    )
