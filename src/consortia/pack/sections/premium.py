"""The quality premium as a page of the pack's kind: a CCG's measures step by step, and across
every CCG the share earned beside the change in spend (written by `premium --html`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from consortia.errors import DataError
from consortia.finance.premium.across import Across, across_ccgs
from consortia.finance.premium.evaluate import RULE_WORDS, Premium, evaluate
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.pack.html import Page, write_page
from consortia.pack.sections import money
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules

SECTION = "Quality premium"


def in_pack(context: Context) -> Figure:
    """The CCG's premium for the pack's year on the lake's measures, the rest as the command
    counts them without the CCG's own files."""
    title = "Quality premium: the measures"

    def build() -> Figure:
        scheme = money.premium_scheme(context)
        ccg = str(context.scope.ccg)
        found = money.premium_values(context)
        people = int(money.list_sizes(context, scheme.performance_start).get(ccg, 0))
        premium = evaluate(scheme, ccg, people, found[found["ccg"] == ccg], None, None)
        return steps(premium)

    return money.kept(
        context, in_pack, "premium_steps", SECTION, title, build, charts.premium_steps
    )


def across_in_pack(context: Context) -> Figure:
    """Every CCG's share earned beside its change in spend, for the national page."""
    title = "Share of the premium earned and the change in spend, every CCG"

    def build() -> Figure:
        scheme = money.premium_scheme(context)
        return relation(across_ccgs(context.backend, context.shared, scheme))

    try:
        return build()
    except DataError as error:
        return money.not_computed("premium_relation", SECTION, title, error)


BUILDERS = (in_pack,)


def steps(premium: Premium) -> Figure:
    """Each measure: its weight, its values, the rule and whether it earned its weight."""
    rows = []
    for step in premium.measures:
        missing = step.basis.startswith(("no input", "no value", "no local"))
        rows.append(
            {
                "measure": step.title,
                "weight": step.weight,
                "rule": RULE_WORDS[step.rule].format(threshold=step.threshold or 0.0),
                "this_year": step.current.value if step.current else None,
                "year_before": step.previous.value if step.previous else None,
                "change": step.change,
                "outcome": "no_input" if missing else ("achieved" if step.achieved else
                                                        "not_achieved"),
            }
        )  # fmt: skip
    table = pd.DataFrame(rows)
    return Figure(
        id="premium_steps",
        section=SECTION,
        title=f"Quality premium {premium.year}: the measures",
        method=(
            f"Maximum £{premium.pounds_per_head:,.2f} × {premium.population:,} registered = "
            f"£{premium.maximum:,.0f}; earned {premium.earned:.1%}; gateways "
            f"{'passed' if premium.gated else 'failed'}; {premium.failed_standards} NHS "
            f"Constitution standards failed (factor {premium.factor:.2f}); payment "
            f"£{premium.payment:,.0f}. Values from the lake carry 95% limits in the command's "
            "output; a measure with no value given is counted as not achieved."
            + (f" Assumed: {'; '.join(premium.assumptions)}." if premium.assumptions else "")
            + f" Every step, with the CCG's local measures and inputs: consortia premium "
            f"--ccg {premium.ccg} --year {premium.year} --local FILE --inputs FILE."
        ),
        table=table,
        chart=charts.premium_steps,
    )


def relation(across: Across) -> Figure:
    """Every CCG's share earned on the lake's measures beside its change in spend a head."""
    ccgs = across.ccgs
    table = pd.DataFrame(
        {
            "ccg": ccgs["ccg"],
            "earned": ccgs["earned"],
            "spend_change": ccgs["spend per head"],
            "emergency_change": ccgs["emergency admissions per head"],
            "pyll_change": ccgs["pyll_under_75 (outcome)"],
        }
    )
    rho = across.relationships.set_index("change")
    spend = rho.loc["spend per head"]
    return Figure(
        id="premium_relation",
        section=SECTION,
        title="Share of the premium earned and the change in spend, every CCG",
        method=(
            f"The measures the lake scores for every CCG ({', '.join(across.scored)}; "
            f"{across.scored_weight:.0%} of the premium). Spearman's ρ of the share earned "
            f"with the change in spend a head {spend['rho']:+.2f} (95% CI {spend['lower']:+.2f} "
            f"to {spend['upper']:+.2f}, Fisher's z); a reward for cheapness would show a "
            "negative ρ whose interval excludes 0."
        ),
        table=table,
        chart=charts.premium_relation,
        confidence=0.95,
    )


def write_html(premium: Premium, name: str, path: Path, made: date, rules: Rules = RULES) -> None:
    page = Page(
        heading=f"Quality premium {premium.year}",
        caption=f"{name} ({premium.ccg})",
        summary=f"Payment £{premium.payment:,.0f} of a maximum £{premium.maximum:,.0f}.",
    )
    write_page((steps(premium),), page, path, made, premium.ccg, rules)


def write_across_html(across: Across, path: Path, made: date, rules: Rules = RULES) -> None:
    page = Page(
        heading=f"Quality premium {across.year} across CCGs",
        caption=f"{len(across.ccgs)} CCGs",
        summary="Does the premium earned go with reduced spend or activity rather than better "
        "outcomes?",
    )
    write_page((relation(across),), page, path, made, rules=rules)
