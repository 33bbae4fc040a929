"""Practice variation: standardised ratios, funnel limits and peer ranks for each measure."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd

from consortia.analyses import variation
from consortia.measures.definition import Measure, measures
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query
from consortia.privacy.publication import Public, Ratio
from consortia.stats.comparison import Comparison, compare, describe_outlying, outlying_units

SECTION = "Practice variation"
CONFIDENCE = 0.95
DIRECTION = {True: "lower is better", False: "higher is not worse", None: "no direction"}


def variation_table(context: Context) -> tuple[Comparison, Query]:
    """Every measure's ratio, interval, funnel labels and percentile rank, by practice."""
    return context.remember("variation_table", lambda: _variation_table(context))


def _variation_table(context: Context) -> tuple[Comparison, Query]:
    every = tuple(measures().values())
    result, sql = context.run(variation.observed_and_expected, context.scope, every)
    comparison = compare(result, "measure", confidence=CONFIDENCE)
    ranks = national_ranks(context)[["measure", "practice", "percentile"]]
    table = comparison.table.merge(
        ranks.rename(columns={"percentile": "national_percentile"}),
        on=["measure", "practice"],
        how="left",
    )
    return comparison.with_table(table), sql


def national_ranks(context: Context) -> pd.DataFrame:
    """Every practice in the lake compared with every other, per measure (once per run: the
    same for every CCG's pack)."""

    def compute() -> pd.DataFrame:
        every = tuple(measures().values())
        result, _ = context.run(variation.every_practice, context.scope.everyone, every)
        return compare(result, "measure", confidence=CONFIDENCE).table

    return context.remember_for_everyone("variation_national_ranks", compute)


def _figure(context: Context, measure: Measure) -> Figure:
    comparison, sql = variation_table(context)
    table = comparison.table
    rows = table[table["measure"] == measure.id].drop(columns=["measure"]).reset_index(drop=True)
    funnel = comparison.funnels[measure.id]
    named = outlying_units(rows)
    return Figure(
        id=f"variation_{measure.id}",
        section=SECTION,
        title=f"{measure.title}: practices against expected",
        method=(
            f"{measure.description} Indirectly standardised ratio of observed to expected "
            f"events with {comparison.ratio_description}; expected events from the rates of "
            "every patient in the data by "
            f"{', '.join(s.replace('_', ' ') for s in measure.standardised_for)}, over the "
            f"period. {funnel.description}; the PHE exact-Poisson label is kept in the table. "
            "Percentile rank of the ratio among the CCG's practices, and among every practice "
            f"in the data ({DIRECTION[measure.low_is_good]}). Outlying at the outer limits: "
            f"{describe_outlying(rows) or 'none'}."
        ),
        table=rows,
        # expected events and person-years come from the practice's list (published exactly);
        # φ and τ² describe the spread of every practice at once (the method text states them)
        public=Public(
            (Ratio("ratio", "observed", "expected"),),
            as_is=("expected", "person_years", "phi", "tau2"),
        ),
        chart=partial(
            charts.funnel, limits=comparison.limit_curves(measure.id), title=measure.title
        ),
        confidence=CONFIDENCE,
        source=sql,
        notes=tuple(named["practice"]),
    )


def builders() -> tuple[Callable[[Context], Figure], ...]:
    """One figure builder per shipped measure."""
    return tuple(
        (lambda context, m=measure: _figure(context, m)) for measure in measures().values()
    )
