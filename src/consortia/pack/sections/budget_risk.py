"""Budget risk as a page of the pack's kind: the chance of overspending by population size,
charted, with its table, method and limits (written by `consortia budget-risk --html`)."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from consortia.finance.budget_risk import METHOD, SIZES, BudgetRisk, chances
from consortia.pack import charts
from consortia.pack.figure import Figure
from consortia.pack.html import Page, write_page

SECTION = "Budget risk by population size"


def figure(risk: BudgetRisk) -> Figure:
    """The chance of each overspend at each size, alone and with the high-cost pool."""
    table = chances(risk)
    s = risk.settings
    return Figure(
        id="budget_risk",
        section=SECTION,
        title="Chance of overspending the budget in a year, by population size",
        method=(
            f"{METHOD} Budgets for {risk.year} from the person costs of {risk.base_year}; "
            f"contingency reserve {s.contingency:.2%}; high-cost pool above "
            f"£{risk.pool_above:,.0f} a patient; {s.years:,} simulated years per size."
        ),
        table=table,
        chart=partial(charts.budget_risk, table),
        confidence=0.95,
    )


def page(risk: BudgetRisk) -> Page:
    """The page's heading and summary, with the smallest populations in words."""
    s = risk.settings
    found = []
    for row in risk.smallest.to_dict(orient="records"):
        if row["variant"] == "alone":
            size = row["population"]
            where = f"{size:,.0f} people" if pd.notna(size) else f"over {SIZES[-1]:,}"
            found.append(f"by more than {row['overspend']:.0%} from {where}")
    return Page(
        heading="Budget risk by population size",
        caption=f"CCG {risk.ccg}" if risk.ccg else "Every CCG in the data",
        summary=(
            f"How likely a commissioner is to overspend its {risk.year} budget beyond a "
            f"{s.contingency:.1%} reserve, by the size of its registered population. The "
            f"chance falls under {s.level:.0%} of overspending " + ", and ".join(found) + "."
        ),
    )


def write_html(risk: BudgetRisk, path: Path, made: date) -> None:
    """The page written whole to `path`, or a one-line error."""
    write_page((figure(risk),), page(risk), path, made, risk.ccg or "")
