"""The index page: every meeting and plan the record holds, the registers, the Board's
assurance, commissioning support and the markets, and whether the record verified."""

from __future__ import annotations

from dataclasses import dataclass

from consortia.governance.publish.meeting import meeting_title
from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import day, tone, word


@dataclass(frozen=True)
class Listed:
    """A page the index links to, with a line saying what it holds."""

    text: str
    href: str
    detail: str
    source: Source
    status: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Page:
    """A page of the record as a whole (no row of its own), with a line saying what it holds."""

    text: str
    href: str
    detail: str


@dataclass(frozen=True)
class IndexView:
    """The index page."""

    meetings: tuple[Listed, ...]
    plans: tuple[Listed, ...]
    registers_as_of: str
    oversight: tuple[Page, ...]


def index_view(record: Record) -> IndexView:
    """The list of pages the record publishes."""
    who = record.provenance
    meetings = tuple(
        Listed(
            meeting_title(record, shown),
            f"meetings/{shown['meeting']}.html",
            "; ".join(item["title"] for item in shown["items"]) or "No items",
            who.row("meeting", shown["meeting"]),
        )
        for shown in record.meetings
    )
    plans = tuple(
        Listed(
            shown["title"],
            f"plans/{shown['plan']}.html",
            f"Period {shown['period']}",
            who.row("plan", shown["plan"]),
            word("status", shown["status"]),
            tone(shown["status"]),
        )
        for shown in record.plans
    )
    return IndexView(meetings, plans, day(record.registers["as_of"]), _oversight(record))


def _oversight(record: Record) -> tuple[Page, ...]:
    """The Board's assurance, commissioning support and the markets, each with a line."""
    shown = record.oversight
    on = day(shown.standing["on"])
    status = (
        f"Standing on {on}: {word('authorisation', shown.standing['status'])}"
        if shown.standing["decision"]
        else f"No decision on authorisation by {on}"
    )
    years = [y["year"] for y in shown.dependence]
    return (
        Page("Assurance by the NHS Commissioning Board", "assurance.html", status),
        Page(
            "Commissioning support",
            "support.html",
            f"The register and dependence on outside support, {years[0]} to {years[-1]}"
            if len(years) > 1
            else f"The register and dependence on outside support, {years[0]}"
            if years
            else "No arrangement on the register",
        ),
        Page(
            "Quality premium and any qualified provider",
            "markets.html",
            f"{len(shown.payments)} year{'' if len(shown.payments) == 1 else 's'} of premium; "
            f"{len(shown.services)} service{'' if len(shown.services) == 1 else 's'} open to "
            "any qualified provider",
        ),
    )
