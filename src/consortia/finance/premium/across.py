"""The premium across every CCG of a lake, set beside what changed in each: does the share
earned go with reduced spend or activity rather than with better outcomes?

Only the measures the lake supplies can be scored for every CCG (the rest need each CCG's
inputs), so the share compared is the share earned on those. Each relationship is a Spearman
rank correlation over CCGs, with a 95% interval from Fisher's z with the standard error
√(1.06 / (n − 3)) (Fieller, Hartley and Pearson, Biometrika 1957).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from ibis import _
from scipy import special

from consortia.analyses.activity import population_by_age, scoped_events
from consortia.analyses.scope import Scope, Tables, financial_year_label
from consortia.analyses.shared import shared
from consortia.finance.budget_risk import list_sizes
from consortia.finance.output import records
from consortia.finance.premium.evaluate import evaluate
from consortia.finance.premium.lake import values
from consortia.finance.premium.rules import Scheme

CONFIDENCE = 0.95
# What changed in each CCG from the year before to the performance year, per registered
# patient on 1 October: (name, points of delivery counted, cost or events, an outcome?)
CHANGES: tuple[tuple[str, tuple[str, ...] | None, str], ...] = (
    ("spend per head", None, "cost"),
    ("emergency admissions per head", ("emergency",), "events"),
    ("elective admissions per head", ("elective",), "events"),
    ("outpatient attendances per head", ("op_first", "op_follow_up"), "events"),
    ("A&E attendances per head", ("ae",), "events"),
)
SHORT = {
    "spend per head": "spend",
    "emergency admissions per head": "emergency",
    "elective admissions per head": "elective",
    "outpatient attendances per head": "outpatients",
    "A&E attendances per head": "A&E",
}  # column heads of the CCG table
OUTCOMES = ("pyll_under_75",)  # outcome measures among the lake's, by their change


@shared
def activity_by_ccg(tables: Tables, scope: Scope) -> Any:
    """Events and cost by CCG (of the practice named on the record), year and point of
    delivery."""
    events = scoped_events(tables, scope)
    practices = tables["practice"].select(practice="code", ccg="ccg")
    joined = events.join(practices, "practice")
    return joined.group_by("ccg", "financial_year", "pod").aggregate(
        events=_.count(), cost=_.cost.sum()
    )


@dataclass(frozen=True)
class Across:
    """Every CCG's share earned on the lake's measures and what changed, and the relationships."""

    year: str
    scored: list[str]  # the measures scored for every CCG
    scored_weight: float
    ccgs: pd.DataFrame
    relationships: pd.DataFrame


def across_ccgs(backend: Any, tables: Tables, scheme: Scheme) -> Across:
    """The premium's lake measures scored for every CCG beside each CCG's changes."""
    start = scheme.performance_start
    scope = Scope(ccg=None, first_year=start - 1, years=2)
    lists = backend.execute(population_by_age(tables, scope))  # counted once for both uses
    found = values(backend, tables, scope, lists)
    sizes = backend.execute(list_sizes(tables, Scope(None, start, 1)))
    scored = [m for m in scheme.measures if m.lake is not None]
    rows = []
    for code, people in zip(sizes["ccg"], sizes["people"], strict=True):
        premium = evaluate(scheme, code, int(people), found[found["ccg"] == code], None, None)
        earned = sum(s.earned for s in premium.measures if s.id in {m.id for m in scored})
        rows.append({"ccg": code, "population": int(people), "earned": earned})
    ccgs = pd.DataFrame(rows)
    ccgs = ccgs.merge(_changes(backend, tables, scope, start, lists), on="ccg", how="left")
    for measure in OUTCOMES:
        ccgs = ccgs.merge(_measure_change(found, measure, start), on="ccg", how="left")
    columns = [name for name, _, _ in CHANGES] + [f"{m} (outcome)" for m in OUTCOMES]
    relationships = pd.DataFrame(
        [_spearman(ccgs["earned"], ccgs[column], column) for column in columns]
    )
    return Across(
        year=scheme.year,
        scored=[m.id for m in scored],
        scored_weight=sum(m.weight for m in scored),
        ccgs=ccgs,
        relationships=relationships,
    )


def _changes(
    backend: Any, tables: Tables, scope: Scope, start: int, people: pd.DataFrame
) -> pd.DataFrame:
    """Each CCG's change in each of `CHANGES` from the year before to the performance year,
    per patient on the lists on 1 October (`people`: `population_by_age` of the scope)."""
    activity = backend.execute(activity_by_ccg(tables, scope))
    heads = people.groupby(["ccg", "financial_year"])["patients"].sum()
    before, year = financial_year_label(start - 1), financial_year_label(start)
    out = pd.DataFrame({"ccg": sorted(set(people["ccg"]))})
    for name, pods, column in CHANGES:
        chosen = activity if pods is None else activity[activity["pod"].isin(pods)]
        totals = chosen.groupby(["ccg", "financial_year"])[column].sum()
        per_head = (totals / heads).rename("rate").reset_index()
        wide = per_head.pivot_table(index="ccg", columns="financial_year", values="rate")
        if before in wide and year in wide:
            out = out.merge(
                (wide[year] / wide[before] - 1).rename(name), left_on="ccg", right_index=True,
                how="left",
            )  # fmt: skip
        else:
            out[name] = np.nan
    return out


def _measure_change(found: pd.DataFrame, measure: str, start: int) -> pd.DataFrame:
    rows = found[found["measure"] == measure]
    wide = rows.pivot_table(index="ccg", columns="financial_year", values="value")
    before, year = financial_year_label(start - 1), financial_year_label(start)
    name = f"{measure} (outcome)"
    if before not in wide or year not in wide:
        return pd.DataFrame({"ccg": [], name: []})
    return (wide[year] / wide[before] - 1).rename(name).reset_index()


def _spearman(earned: pd.Series, change: pd.Series, name: str) -> dict[str, Any]:
    """Spearman's ρ between the share earned and a change, with its Fisher-z interval."""
    both = pd.DataFrame({"earned": earned, "change": change}).dropna()
    n = len(both)
    result: dict[str, Any] = {"change": name, "ccgs": n, "rho": np.nan, "lower": np.nan,
                              "upper": np.nan}  # fmt: skip
    if n < 4 or both["earned"].nunique() < 2 or both["change"].nunique() < 2:
        return result
    rho = float(both["earned"].corr(both["change"], method="spearman"))  # average ranks on ties
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    half = float(-special.ndtri((1 - CONFIDENCE) / 2)) * math.sqrt(1.06 / (n - 3))
    return result | {"rho": rho, "lower": math.tanh(z - half), "upper": math.tanh(z + half)}


def report(across: Across) -> str:
    """The relationships in words, with each CCG's share earned and changes."""
    ccgs = across.ccgs
    earning = int((ccgs["earned"] > 0).sum())
    lines = [
        f"Quality premium {across.year} across {len(ccgs)} CCGs: the measures the lake scores "
        f"for every CCG ({', '.join(across.scored)}; {across.scored_weight:.0%} of the "
        "premium; the rest need each CCG's inputs)",
        f"{earning} of {len(ccgs)} CCGs earned some of it; mean share earned "
        f"{ccgs['earned'].mean():.1%} of the premium",
        "",
        "Spearman correlation of the share earned with the change from the year before in:",
    ]
    for row in across.relationships.to_dict(orient="records"):
        if math.isnan(row["rho"]):
            lines.append(f"  {row['change']:<40} not estimable ({row['ccgs']} CCGs)")
            continue
        lines.append(
            f"  {row['change']:<40} ρ = {row['rho']:+.2f} (95% CI {row['lower']:+.2f} to "
            f"{row['upper']:+.2f}; {row['ccgs']} CCGs)"
        )
    lines += [
        "",
        "Read: if the premium paid for cheapness, the share earned would fall with rising "
        "spend and activity (a negative ρ whose interval excludes 0) while showing no "
        "relationship with outcomes. An interval spanning 0 is no evidence either way.",
        "",
        "Each CCG's share earned and change per head from the year before:",
        f"{'CCG':6}{'population':>12}{'earned':>8} "
        + " ".join(f"{SHORT[name]:>12}" for name, _, _ in CHANGES),
    ]
    for row in ccgs.to_dict(orient="records"):
        cells = " ".join(
            f"{row[name]:>+12.2%}" if pd.notna(row[name]) else f"{'–':>12}"
            for name, _, _ in CHANGES
        )
        lines.append(f"{row['ccg']:6}{row['population']:>12,}{row['earned']:>8.1%} {cells}")
    return "\n".join(lines)


def as_json(across: Across) -> dict[str, Any]:
    return {
        "year": across.year,
        "scored_measures": across.scored,
        "scored_weight": across.scored_weight,
        "method": __doc__,
        "ccgs": records(across.ccgs),
        "relationships": records(across.relationships),
    }
