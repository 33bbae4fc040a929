"""The period the synthetic economy covers, and when in it things happen.

Days are counted from the start of the period (1 April 2013 = day 0). Each kind of activity has
a daily intensity (month and weekday effects, growth between years) normalised so that a whole
first year integrates to 1; a patient's exposure is the integral over their registered days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np
import numpy.typing as npt

START = date(2013, 4, 1)
YEARS = 2
YEAR_STARTS: tuple[int, ...] = (0, 365, 730)  # day of 1 April 2013, 2014 and 2015
DAYS = YEAR_STARTS[-1]
FINANCIAL_YEARS: tuple[str, ...] = ("2013/14", "2014/15")
DAYS_PER_YEAR = 365.25
# 1 April, 1 July, 1 October and 1 January of each financial year, as days of the period.
QUARTERS_PER_YEAR = 4
QUARTER_DAYS: tuple[int, ...] = tuple(
    (date(START.year + (m < 4) + y, m, 1) - START).days
    for y in range(len(FINANCIAL_YEARS))
    for m in (4, 7, 10, 1)
)

# Month and weekday profiles. Assumed shapes (winter pressure on emergency admissions, summer
# peak in A&E, the August and Christmas dips in planned care); the level of each kind of activity
# is calibrated separately to national totals.
_MONTH: dict[str, tuple[float, ...]] = {  # January … December
    "emergency": (1.07, 1.02, 1.02, 0.98, 0.99, 0.97, 0.99, 0.95, 0.98, 1.00, 1.00, 1.06),
    "ae": (0.93, 0.93, 1.00, 1.00, 1.06, 1.05, 1.07, 1.01, 1.00, 1.00, 0.97, 0.96),
    "planned": (1.03, 1.03, 1.03, 0.93, 1.03, 1.03, 1.03, 0.90, 1.03, 1.03, 1.03, 0.85),
    "maternity": (1.0,) * 12,
}
_WEEKDAY: dict[str, tuple[float, ...]] = {  # Monday … Sunday
    "emergency": (1.10, 1.02, 1.02, 1.02, 1.02, 0.88, 0.85),
    "ae": (1.12, 0.98, 0.98, 0.98, 0.98, 0.97, 0.99),
    "planned": (1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 0.02),
    "maternity": (1.0,) * 7,
}
# Growth from the first year to the second (activity rose year on year in this period).
_GROWTH: dict[str, float] = {"emergency": 1.02, "ae": 1.03, "planned": 1.03, "maternity": 1.0}

PROFILES: tuple[str, ...] = tuple(_MONTH)

# Bank holidays in England from a year before the period to its end (gov.uk bank holidays).
BANK_HOLIDAYS: tuple[date, ...] = (
    date(2012, 4, 6),
    date(2012, 4, 9),
    date(2012, 5, 7),
    date(2012, 6, 4),
    date(2012, 6, 5),
    date(2012, 8, 27),
    date(2012, 12, 25),
    date(2012, 12, 26),
    date(2013, 1, 1),
    date(2013, 3, 29),
    date(2013, 4, 1),
    date(2013, 5, 6),
    date(2013, 5, 27),
    date(2013, 8, 26),
    date(2013, 12, 25),
    date(2013, 12, 26),
    date(2014, 1, 1),
    date(2014, 4, 18),
    date(2014, 4, 21),
    date(2014, 5, 5),
    date(2014, 5, 26),
    date(2014, 8, 25),
    date(2014, 12, 25),
    date(2014, 12, 26),
    date(2015, 1, 1),
    date(2015, 4, 3),
    date(2015, 4, 6),
)
_FIRST_DAY = -400  # working-day tables start a little more than a year before the period
_LAST_DAY = DAYS + 30


@cache
def _next_working_day() -> npt.NDArray[np.int32]:
    """For each day from _FIRST_DAY to _LAST_DAY, the first weekday on or after it that is not a
    bank holiday (indexed from _FIRST_DAY)."""
    days = np.arange(_FIRST_DAY, _LAST_DAY + 10)
    holidays = [(d - START).days for d in BANK_HOLIDAYS]
    working = (weekday_of(days) < 5) & ~np.isin(days, holidays)
    following = np.where(working, days, np.iinfo(np.int32).max)
    following = np.minimum.accumulate(following[::-1])[::-1]
    return following.astype(np.int32)


def weekday_of(days: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Day of the week of each day number (0 = Monday … 6 = Sunday)."""
    return ((days.astype(np.int64) + START.weekday()) % 7).astype(np.int64)


def next_working_day(days: npt.NDArray[np.integer]) -> npt.NDArray[np.int32]:
    """Each day moved forward to the first weekday that is not a bank holiday (unchanged if it
    already is one)."""
    index = np.clip(days.astype(np.int64), _FIRST_DAY, _LAST_DAY) - _FIRST_DAY
    moved = _next_working_day()[index]
    inside = (days >= _FIRST_DAY) & (days <= _LAST_DAY)
    return np.where(inside, moved, days).astype(np.int32)


def day_to_date(day: int) -> date:
    """The calendar date of a day number."""
    return START + timedelta(days=int(day))


def dates_of(days: npt.NDArray[np.integer]) -> npt.NDArray[np.datetime64]:
    """Day numbers as numpy dates."""
    return np.datetime64(START, "D") + days.astype("timedelta64[D]")


@dataclass(frozen=True)
class Intensity:
    """Cumulative daily intensity of one kind of activity over the period."""

    cumulative: npt.NDArray[np.float64]  # length DAYS + 1, cumulative[0] = 0, [365] = 1

    def exposure(
        self, start: npt.NDArray[np.int32], end: npt.NDArray[np.int32]
    ) -> npt.NDArray[np.float64]:
        """Intensity integrated over days [start, end), each clipped to the period."""
        a = np.clip(start, 0, DAYS)
        b = np.clip(end, 0, DAYS)
        return np.maximum(self.cumulative[b] - self.cumulative[a], 0.0)

    def draw_days(
        self,
        rng: np.random.Generator,
        start: npt.NDArray[np.int32],
        end: npt.NDArray[np.int32],
    ) -> npt.NDArray[np.int32]:
        """One day per row in [start, end), with probability proportional to the intensity."""
        a = np.clip(start, 0, DAYS)
        b = np.clip(end, 0, DAYS)
        low = self.cumulative[a]
        u = low + rng.random(len(a)) * (self.cumulative[b] - low)
        day = np.searchsorted(self.cumulative, u, side="right") - 1
        return np.clip(day, a, np.maximum(b - 1, a)).astype(np.int32)


@cache
def intensity(profile: str) -> Intensity:
    """The intensity of `profile` ("emergency", "ae", "planned" or "maternity")."""
    days = np.arange(DAYS)
    dates = np.datetime64(START, "D") + days.astype("timedelta64[D]")
    months = dates.astype("datetime64[M]").astype(int) % 12  # 0 = January
    weekdays = (dates.astype("datetime64[D]").astype(int) + 3) % 7  # 0 = Monday
    weight = np.asarray(_MONTH[profile])[months] * np.asarray(_WEEKDAY[profile])[weekdays]
    first = slice(YEAR_STARTS[0], YEAR_STARTS[1])
    weight = weight / weight[first].sum()
    weight[YEAR_STARTS[1] :] *= _GROWTH[profile] / weight[YEAR_STARTS[1] :].sum()
    return Intensity(np.concatenate([[0.0], np.cumsum(weight)]))
