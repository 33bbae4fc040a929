"""Investment in general practice: payments per registered patient, and the £5 a head.

Everyone Counts 2014/15 asked CCGs to invest about £5 a head in general practice in 2014/15
(domain rules §5.4); registered patients are those on 1 April of the financial year.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import registered_on
from consortia.analyses.scope import Scope, Tables, financial_year_label
from consortia.analyses.shared import shared

DATASETS = ("patient", "registration", "practice", "practice_payment")
POUNDS_A_HEAD = 5.0


@shared
def list_sizes(tables: Tables, scope: Scope) -> Any:
    """Registered patients of every practice (in the lake) on 1 April of each financial year:
    those whose registration with the practice covers the day."""
    parts = []
    for start in scope.year_starts():
        parts.append(
            registered_on(tables, scope.everyone, start)
            .group_by("practice")
            .aggregate(patients=_.count())
            .mutate(financial_year=ibis.literal(financial_year_label(start.year)))
        )
    return ibis.union(*parts)


def ccg_list_sizes(tables: Tables, scope: Scope) -> Any:
    """Registered patients of every CCG (in the lake) on 1 April of each financial year: its
    practices' `list_sizes` summed."""
    practices = tables["practice"].select(practice="code", ccg="ccg")
    return (
        list_sizes(tables, scope.everyone)
        .join(practices, "practice")
        .group_by("ccg", "financial_year")
        .aggregate(patients=_.patients.sum())
    )


def payments_per_patient(tables: Tables, scope: Scope) -> Any:
    """Per practice, year and category: amount and amount per registered patient."""
    practices = tables["practice"]
    if scope.ccg is not None:
        practices = practices.filter(practices.ccg == scope.ccg)
    payments = tables["practice_payment"].semi_join(
        practices, tables["practice_payment"].practice == practices.code
    )
    joined = payments.join(list_sizes(tables, scope.everyone), ["practice", "financial_year"])
    return joined.select(
        "financial_year",
        "practice",
        "category",
        "amount",
        "patients",
        per_patient=joined.amount / joined.patients,
    ).order_by("financial_year", "practice", "category")


@shared
def ccg_local_investment(tables: Tables, scope: Scope) -> Any:
    """Per CCG and year: additional local investment in general practice per registered head.

    The heads are every patient on the CCG's lists on 1 April, paid or not, and a CCG that paid
    nothing counts at £0: a CCG's investment is over its whole population, and the share of
    CCGs reaching £5 is of every CCG."""
    practices = tables["practice"].select(practice="code", ccg="ccg")
    heads = ccg_list_sizes(tables, scope)
    payments = tables["practice_payment"]
    paid = (
        payments.filter(payments.category == "ccg_local_investment")
        .join(practices, "practice")
        .group_by("ccg", "financial_year")
        .aggregate(amount=_.amount.sum())
    )
    joined = heads.left_join(paid, ["ccg", "financial_year"])
    return (
        joined.select("ccg", "financial_year", "patients", amount=joined.amount.fill_null(0.0))
        .mutate(
            per_head=_.amount / _.patients,
            at_least_5_pounds=(_.amount / _.patients) >= POUNDS_A_HEAD,
        )
        .order_by("financial_year", "ccg")
    )


def national_local_investment(tables: Tables, scope: Scope) -> Any:
    """Per year, every CCG's additional investment rolled up: CCGs, those reaching £5 a head,
    the amount and heads in all, the national amount a head, and the shortfall — what the
    CCGs under £5 would have had to add to reach it."""
    every = ccg_local_investment(tables, scope.everyone)
    short = ibis.greatest(POUNDS_A_HEAD * every.patients - every.amount, 0.0)
    return (
        every.mutate(short=short)
        .group_by("financial_year")
        .aggregate(
            ccgs=_.ccg.count(),
            ccgs_at_least_5_pounds=_.at_least_5_pounds.cast("int64").sum(),
            amount=_.amount.sum(),
            patients=_.patients.sum(),
            shortfall=_.short.sum(),
        )
        .mutate(per_head=_.amount / _.patients)
        .order_by("financial_year")
    )


def local_investment_comparison(tables: Tables, scope: Scope) -> Any:
    """`ccg_local_investment` of every CCG, the scope's CCG flagged (`this_ccg`), with how many
    CCGs there are each year (`ccgs`) and the share of them reaching £5 a head
    (`share_at_least_5_pounds`)."""
    every = ccg_local_investment(tables, scope.everyone)
    year = ibis.window(group_by="financial_year")
    return every.mutate(
        this_ccg=every.ccg == ibis.literal(scope.ccg, type="string"),
        ccgs=every.ccg.count().over(year),
        share_at_least_5_pounds=every.at_least_5_pounds.cast("float64").mean().over(year),
    ).order_by("financial_year", "ccg")
