"""Fragmentation and continuity: providers per patient, continuity of care, market concentration."""

from __future__ import annotations

from consortia.analyses import fragmentation
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio

SECTION = "Fragmentation and continuity"


def market_concentration(context: Context) -> Figure:
    """Herfindahl–Hirschman index of each service line, year on year."""
    table, sql = context.run(fragmentation.concentration_change, context.scope)
    return Figure(
        id="market_concentration",
        section=SECTION,
        title="How concentrated each service line is among providers",
        method=(
            "Herfindahl–Hirschman index of providers' shares of the CCG's patients' contacts "
            "(admissions, attended outpatient appointments, A&E attendances) per service line: "
            "Σ (share × 100)², 10,000 for a single provider; a falling index means care spread "
            "over more providers. Change from the first year to the last. Non-elective "
            "admissions are every unplanned admission: emergency, maternity and transfers."
        ),
        table=table,
        chart=charts.concentration,
        source=sql,
    )


def market_shares(context: Context) -> Figure:
    """Each provider's share of each service line by year."""
    table, sql = context.run(fragmentation.market_shares_by_kind, context.scope)
    return Figure(
        id="market_shares",
        section=SECTION,
        title="Provider market shares by service line",
        method="Providers' shares of contacts per service line and year.",
        table=table,
        public=Public((Ratio("share", "contacts", within=("service_line", "financial_year")),)),
        chart=charts.independent_sector_share,
        source=sql,
    )


def practice_continuity(context: Context) -> Figure:
    """Per practice and year: providers per patient and the continuity-of-care index."""
    table, sql = context.run(fragmentation.practice_continuity, context.scope)
    return Figure(
        id="practice_continuity",
        section=SECTION,
        title="Continuity of care by practice",
        method=(
            "For patients with any hospital contact in the year: the mean number of distinct "
            "providers, the share using two or more, and, for patients with at least "
            f"{fragmentation.MINIMUM_CONTACTS} contacts, the mean Bice–Boxerman continuity-of-"
            "care index (Σnⱼ² − N) / (N(N − 1)): 1 when all contacts are with one provider."
        ),
        table=table,
        chart=charts.continuity,
        source=sql,
    )


BUILDERS = (market_concentration, market_shares, practice_continuity)
