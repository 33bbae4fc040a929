"""Payments to practices by financial year and category.

The national average payment per registered patient is split into the published shares of
core contract, QOF, enhanced services and premises, with practice-level variation; the CCG's
additional local investment is its own amount per head, which varies between CCGs. Payments
follow the list quarter by quarter (as the global sum does): a practice is paid for the
patients on its list on each quarter day, pro rata for the part of a quarter it was open, and
nothing after it closes; practices that take on a closed practice's patients are paid for them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from consortia.synth.calendar import DAYS, FINANCIAL_YEARS, QUARTER_DAYS, QUARTERS_PER_YEAR
from consortia.synth.organisations import Organisations
from consortia.synth.tables import table
from consortia.synth.targets import target

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# Spread (log scale) of each category between practices: premises and enhanced services vary
# most; PMS practices' core funding per patient was higher than GMS practices'. A practice's
# level persists from year to year, with a small yearly wobble.
_CATEGORY_SPREAD = {"core_contract": 0.06, "qof": 0.08, "enhanced_services": 0.25, "premises": 0.45}
_YEARLY_SPREAD = 0.02
_PMS_CORE_UPLIFT = 1.10
_YEARLY_GROWTH = 1.015


def open_share(closed_day: IntArray) -> FloatArray:
    """(practices, quarters): share of each quarter the practice was open."""
    starts = np.asarray(QUARTER_DAYS)
    ends = np.append(starts[1:], DAYS)
    open_days = np.clip(closed_day[:, None] - starts[None, :], 0, ends - starts)
    return open_days / (ends - starts)[None, :]


def paid_list(registered: IntArray, closed_day: IntArray) -> FloatArray:
    """(practices, years): the list a year's payments are for — the mean over its quarters of
    the patients on the quarter day, pro rata for the part of the quarter the practice was open."""
    quarterly = registered * open_share(closed_day)
    return quarterly.reshape(len(registered), -1, QUARTERS_PER_YEAR).mean(axis=2)


def practice_payments(
    rng: np.random.Generator, orgs: Organisations, registered: IntArray
) -> pa.Table:
    """The `practice_payment` dataset: one row per practice, year open and category."""
    practices = orgs.practices
    n = len(practices)
    per_patient = target("practice_payment_per_patient")
    pms = np.array([c == "PMS" for c in practices.contract])
    heads = paid_list(registered, practices.closed_day)
    level = {
        name: rng.lognormal(-(spread**2) / 2, spread, n)
        for name, spread in _CATEGORY_SPREAD.items()
    }
    codes = np.asarray(practices.code)
    practice, year, category, amount = [], [], [], []
    for y, fy in enumerate(FINANCIAL_YEARS):
        paid = practices.closed_day > QUARTER_DAYS[y * QUARTERS_PER_YEAR]
        count = int(paid.sum())
        for name in _CATEGORY_SPREAD:
            base = per_patient * target(f"payment_share_{name}") * _YEARLY_GROWTH**y
            uplift = np.where(pms, _PMS_CORE_UPLIFT, 1.0) if name == "core_contract" else 1.0
            wobble = rng.lognormal(-(_YEARLY_SPREAD**2) / 2, _YEARLY_SPREAD, n)
            practice.append(codes[paid])
            year.append([fy] * count)
            category.append([name] * count)
            amount.append(np.round((heads[:, y] * base * uplift * level[name] * wobble)[paid], 2))
        local = orgs.ccgs.investment_per_head[practices.ccg, y] * rng.uniform(0.95, 1.05, n)
        practice.append(codes[paid])
        year.append([fy] * count)
        category.append(["ccg_local_investment"] * count)
        amount.append(np.round((heads[:, y] * local)[paid], 2))
    return table(
        "practice_payment",
        {
            "practice": np.concatenate(practice),
            "financial_year": np.concatenate(year),
            "category": np.concatenate(category),
            "amount": np.concatenate(amount),
        },
    )
