"""Investment in general practice: payments per patient and the £5 a head."""

from __future__ import annotations

from functools import partial

from consortia.analyses import investment
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio

SECTION = "Investment in general practice"


def practice_payments(context: Context) -> Figure:
    """Payments to each practice per registered patient, by category and year."""
    table, sql = context.run(investment.payments_per_patient, context.scope)
    return Figure(
        id="practice_payments",
        section=SECTION,
        title="Payments to practices per registered patient",
        method="Payments by category over patients registered on 1 April of the year.",
        table=table,
        # NHS payments to each practice are published by practice (NHS Digital)
        public=Public((Ratio("per_patient", "amount", "patients"),), as_is=("amount",)),
        chart=charts.payments,
        source=sql,
    )


def local_investment(context: Context) -> Figure:
    """The CCG's additional investment per head against £5, and how many CCGs reach it."""
    table, sql = context.run(investment.local_investment_comparison, context.scope)
    latest = table[table["financial_year"] == table["financial_year"].iloc[-1]]
    ours = latest[latest["this_ccg"]]
    this_ccg = f"£{float(ours['per_head'].iloc[0]):.2f} a head" if len(ours) else "no payments"
    reaching = float(latest["share_at_least_5_pounds"].iloc[0])
    return Figure(
        id="local_investment",
        section=SECTION,
        title="Additional CCG investment in general practice per head",
        method=(
            f"Payments in the category 'CCG local investment' over registered patients on "
            f"1 April. Everyone Counts 2014/15 asked for about £{investment.POUNDS_A_HEAD:.0f} a "
            f"head. This CCG, {latest['financial_year'].iloc[0]}: {this_ccg}; "
            f"{reaching:.0%} of the {int(latest['ccgs'].iloc[0])} CCGs in the data reach "
            f"£{investment.POUNDS_A_HEAD:.0f}."
        ),
        table=table,
        chart=partial(charts.investment, pounds=investment.POUNDS_A_HEAD),
        source=sql,
    )


BUILDERS = (practice_payments, local_investment)
