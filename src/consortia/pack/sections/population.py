"""Population and need: who is registered, how deprived, how ill, how lists are changing."""

from __future__ import annotations

from datetime import date
from functools import partial

from consortia.analyses import population, prevalence
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio
from consortia.schema.reference_tables import provenance_of
from consortia.stats.comparison import compare

SECTION = "Population and need"
CONFIDENCE = 0.95


def population_pyramid(context: Context) -> Figure:
    """Registered population by age band and sex against England's structure."""
    on = context.scope.year_starts()[-1]
    table, sql = context.run(population.age_sex_profile, context.scope, on)
    source = provenance_of("england_population_2013")
    return Figure(
        id="population_pyramid",
        section=SECTION,
        title=f"Registered population on {on.day} {on:%B %Y} by age and sex",
        method=(
            "Patients registered with member practices on the date, by five-year age band and "
            f"sex, as a share of the list; red ticks show England ({source.title}, "
            f"{source.publisher}). A count of the whole list: no sampling error."
        ),
        table=table,
        public=Public((Ratio("share", "patients", within=()),), as_is=("england_share",)),
        chart=charts.pyramid,
        source=sql,
    )


def deprivation_profile(context: Context) -> Figure:
    """Registered patients by deprivation decile of residence, against the whole lake."""
    on = context.scope.year_starts()[-1]
    table, sql = context.run(population.deprivation_comparison, context.scope, on)
    return Figure(
        id="deprivation_profile",
        section=SECTION,
        title="Registered population by deprivation of area of residence",
        method=(
            "Share of registered patients by IMD decile of their area (1 = most deprived tenth "
            "of areas in England), against every patient in the data (grey)."
        ),
        table=table,
        public=Public(
            (
                Ratio("share", "patients", within=()),
                Ratio("share_all", "patients_all", within=()),
            )
        ),
        chart=charts.deprivation_bars,
        source=sql,
    )


def practice_lists(context: Context) -> Figure:
    """List size of each member practice at the start of each year, and growth."""
    table, sql = context.run(population.list_growth, context.scope)
    first, last = table.columns[1], table.columns[-2]
    return Figure(
        id="practice_lists",
        section=SECTION,
        title="List size and growth by practice",
        method="Patients registered on 1 April of each financial year; growth between them.",
        table=table,
        public=Public((Ratio("growth", last, first, offset=-1.0),)),
        chart=partial(charts.list_growth, first=first, last=last),
        source=sql,
    )


def _achievement_date(context: Context) -> date:
    """QOF's achievement date: the last day of the scope's last financial year."""
    return date(context.scope.end.year, 3, 31)


def register_prevalence(context: Context) -> Figure:
    """Each register's recorded prevalence over the CCG's patients of the register's ages."""
    on = _achievement_date(context)
    table, sql = context.run(prevalence.register_prevalence, context.scope, on)
    return Figure(
        id="register_prevalence",
        section=SECTION,
        title=f"Recorded prevalence of long-term conditions, {on.day} {on:%B %Y}",
        method=(
            "Patients on each disease register and registered on the date, over the registered "
            "patients of the register's own ages on the date, as QOF counts them "
            f"({prevalence.RULES}): {prevalence.describe_ages()}. The whole list is shown "
            "beside it. A count of the whole list: no sampling error."
        ),
        table=table,
        public=Public((Ratio("prevalence", "observed", "patients"),)),
        source=sql,
    )


def condition_prevalence(context: Context) -> Figure:
    """Long-term-condition prevalence per practice, observed against expected."""
    on = _achievement_date(context)
    result, sql = context.run(prevalence.observed_and_expected, context.scope, on)
    comparison = compare(result, "condition", confidence=CONFIDENCE)
    table = comparison.table
    funnel = next(iter(comparison.funnels.values()), None)
    return Figure(
        id="condition_prevalence",
        section=SECTION,
        title=f"Recorded prevalence of long-term conditions by practice, {on.day} {on:%B %Y}",
        method=(
            "Patients on each disease register and registered on the date, over the practice's "
            "registered patients of the register's own ages, as QOF counts them "
            f"({prevalence.RULES}: {prevalence.describe_ages()}). Observed against expected: "
            "the prevalence of every patient of those ages in the data by age band and sex "
            "applied to the practice's eligible list (indirect standardisation); ratio with "
            f"{comparison.ratio_description}. "
            + (f"{funnel.approach}, estimated per condition; " if funnel else "")
            + "the PHE exact-Poisson label is kept in the table. A low ratio may mean "
            "under-diagnosis as much as good health."
        ),
        table=table,
        public=Public(
            (
                Ratio("prevalence", "observed", "patients"),
                Ratio("ratio", "observed", "expected"),
            ),
            # expected from the list; φ and τ² describe the spread of every practice at once
            as_is=("expected", "phi", "tau2"),
        ),
        chart=charts.ratio_heatmap,
        confidence=CONFIDENCE,
        source=sql,
    )


BUILDERS = (
    population_pyramid,
    deprivation_profile,
    practice_lists,
    register_prevalence,
    condition_prevalence,
)
