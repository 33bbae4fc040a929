"""Budget risk as a page of the pack's kind: the chance of overspending by population size,
charted, with its table, method and limits (written by `consortia budget-risk --html`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from consortia.finance.budget_risk import METHOD, SIZES, BudgetRisk, chances
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.pack.html import Page, write_page
from consortia.pack.sections import money
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules

SECTION = "Budget risk by population size"
TITLE = "Chance of overspending the budget in a year, by population size"


def in_pack(context: Context) -> Figure:
    """The pack's budget risk: everyone's person costs, with this CCG's list marked."""
    return money.kept(
        context, in_pack, "budget_risk", SECTION, TITLE,
        lambda: figure(money.budget_risk(context), everyone=True), charts.budget_risk,
        lambda: money.budget_risk_source(context),
    )  # fmt: skip


def figure(risk: BudgetRisk, everyone: bool = False) -> Figure:
    """The chance of each overspend at each size, alone and with the high-cost pool; with
    `everyone`, from every patient's costs whatever the CCG (as the pack shows it)."""
    table = chances(risk)
    s = risk.settings
    whose = (
        "every patient in the data"
        if everyone or risk.ccg is None
        else f"CCG {risk.ccg}'s patients"
    )
    marked = (
        f" This CCG's list ({risk.reference:,} people) and a merger to twice it are marked."
        if risk.ccg is not None
        else ""
    )
    return Figure(
        id="budget_risk",
        section=SECTION,
        title=TITLE,
        method=(
            f"{METHOD} Budgets for {risk.year} from the person costs of {risk.base_year} "
            f"({whose}); contingency reserve {s.contingency:.2%}; high-cost pool above "
            f"£{risk.pool_above:,.0f} a patient; {s.years:,} simulated years per size. "
            f"{smallest(risk)}{marked}"
        ),
        table=table,
        chart=charts.budget_risk,
        confidence=0.95,
    )


BUILDERS = (in_pack,)


def page(risk: BudgetRisk) -> Page:
    """The page's heading and summary, with the smallest populations in words."""
    s = risk.settings
    return Page(
        heading="Budget risk by population size",
        caption=f"CCG {risk.ccg}" if risk.ccg else "Every CCG in the data",
        summary=(
            f"How likely a commissioner is to overspend its {risk.year} budget beyond a "
            f"{s.contingency:.1%} reserve, by the size of its registered population. "
            f"{smallest(risk)}"
        ),
    )


def smallest(risk: BudgetRisk) -> str:
    """The smallest populations under the chosen level, alone, in words."""
    found = []
    for row in risk.smallest.to_dict(orient="records"):
        if row["variant"] == "alone":
            size = row["population"]
            where = f"{size:,.0f} people" if pd.notna(size) else f"over {SIZES[-1]:,}"
            found.append(f"by more than {row['overspend']:.0%} from {where}")
    return (
        f"The chance falls under {risk.settings.level:.0%} of overspending "
        + ", and ".join(found)
        + "."
    )


def write_html(risk: BudgetRisk, path: Path, made: date, rules: Rules = RULES) -> None:
    """The page written whole to `path`, or a one-line error."""
    write_page((figure(risk),), page(risk), path, made, risk.ccg or "", rules)
