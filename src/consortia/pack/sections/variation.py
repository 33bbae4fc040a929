"""Practice variation: standardised ratios, funnel limits and peer ranks for each measure."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from consortia.analyses import variation
from consortia.measures.definition import Measure, measures
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query
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
    return compare(result, "measure", confidence=CONFIDENCE), sql


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
            f"Percentile rank of the ratio among the CCG's practices "
            f"({DIRECTION[measure.low_is_good]}). Outlying at the outer limits: "
            f"{describe_outlying(rows) or 'none'}."
        ),
        table=rows,
        chart=partial(charts.funnel, rows, comparison.limit_curves(measure.id), measure.title),
        confidence=CONFIDENCE,
        source=sql,
        notes=tuple(named["practice"]),
    )


def builders() -> tuple[Callable[[Context], Figure], ...]:
    """One figure builder per shipped measure."""
    return tuple(
        (lambda context, m=measure: _figure(context, m)) for measure in measures().values()
    )
