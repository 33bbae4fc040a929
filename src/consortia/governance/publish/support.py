"""The commissioning-support register as a page, with the dependence indicator per year.

GPs' representatives feared outside support becoming the CCG's management in all but name; the
indicator (`governance.support.dependence`) shows, year by year, the share of the support
functions someone outside performs, the share of support's cost paid outside, and what support
costs per registered patient. The page gives it as a table and as a bar chart drawn from the
same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consortia.governance.publish.chart import BarChart, share_chart
from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import count, listing, pounds, sentence, share, word

SERIES = ("Share of functions outside", "Share of cost outside")


@dataclass(frozen=True)
class Arrangement:
    """An entry on the register: who performs which functions in a year, at what cost."""

    year: str
    model: str
    supplier: str
    functions: str
    cost: str
    source: Source


@dataclass(frozen=True)
class Dependence:
    """A year of the indicator."""

    year: str
    functions_outside: str  # "1 of 4"
    share_of_functions: str  # "25%"
    cost_outside: str  # "£100,000"
    cost: str  # "£400,000", what support cost in all
    share_of_cost: str
    per_head: str  # "£12.50"
    source: Source


@dataclass(frozen=True)
class SupportView:
    """The commissioning-support page."""

    arrangements: tuple[Arrangement, ...]
    years: tuple[Dependence, ...]
    list_size: str  # "32,000", the member practices' registered patients
    chart: BarChart | None


def support_view(record: Record) -> SupportView:
    """The register and the indicator, from the record's oversight."""
    shown = record.oversight
    who = record.provenance
    by_year: dict[str, Source] = {}
    arrangements = []
    for a in shown.arrangements:
        source = who.row("support_arrangement", a["arrangement"])
        by_year[a["year"]] = by_year.get(a["year"], Source((), ())) + source
        arrangements.append(_arrangement(record, a, source))
    lists = who.row("constitution", shown.constitution) if shown.constitution is not None else None
    years = tuple(
        _dependence(y, by_year[y["year"]] + lists if lists else by_year[y["year"]])
        for y in shown.dependence
    )
    chart = None
    if shown.dependence:
        chart = share_chart(
            "Dependence on support from outside the CCG, by year",
            "; ".join(
                f"{y.year}: {y.share_of_functions} of functions and {y.share_of_cost} of cost "
                "outside"
                for y in years
            ),
            SERIES,
            [
                (y["year"], (y["share_of_functions_outside"], y["share_of_cost_outside"]))
                for y in shown.dependence
            ],
        )
    return SupportView(tuple(arrangements), years, count(shown.list_size), chart)


def _arrangement(record: Record, a: dict[str, Any], source: Source) -> Arrangement:
    """An arrangement in words: in-house support has no supplier but the CCG."""
    supplier = a["supplier"]
    return Arrangement(
        year=a["year"],
        model=word("support_model", a["model"]),
        supplier=record.provenance.name("organisation", supplier) if supplier else "The CCG",
        functions=sentence(listing([word("function", f) for f in a["functions"]])),
        cost=pounds(a["cost_pounds"]),
        source=source,
    )


def _dependence(year: dict[str, Any], source: Source) -> Dependence:
    """A year of the indicator; its source is that year's arrangements and the constitution
    whose list sizes the cost is divided by."""
    per_head = year["cost_per_head_pounds"]
    return Dependence(
        year=year["year"],
        functions_outside=f"{year['functions_outside']} of {year['functions']}",
        share_of_functions=share(year["share_of_functions_outside"]),
        cost_outside=pounds(year["cost_outside_pounds"]),
        cost=pounds(year["cost_pounds"]),
        share_of_cost=share(year["share_of_cost_outside"]),
        per_head="–" if per_head is None else f"£{per_head:,.2f}",
        source=source,
    )
