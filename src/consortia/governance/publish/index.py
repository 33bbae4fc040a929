"""The index page: every meeting and plan the record holds, the registers, and whether the
record verified."""

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
class IndexView:
    """The index page."""

    meetings: tuple[Listed, ...]
    plans: tuple[Listed, ...]
    registers_as_of: str


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
    return IndexView(meetings, plans, day(record.registers["as_of"]))
