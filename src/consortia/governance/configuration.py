"""The configuration check: would the CCG, as its record stands, fail on its size or its
governing body? Read by the pack beside the lake's figures.

Size: the NHS Commissioning Board risk-rated each proposed configuration on "size and shape"
(domain §1.3) but published no threshold; the smallest CCG England authorised had 63,100 people
(NHS Corby, ONS mid-2012 estimates; domain §5.3), so a registered population below it is
flagged, and the finding places the CCG among the 211. Governing body: the seats held, checked
on the day asked against the regulations as `constitute_governing_body` checks a new one (SI
2012/1631; domain §1.2). Authorisation: the Board's decision and conditions open that day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.governance import authorisation
from consortia.governance.actions.base import Context
from consortia.governance.actions.register import GoverningBodyMember, seat_of
from consortia.governance.constitution import GOVERNING_BODY, Constitution, in_force
from consortia.governance.governing_body import Policy, validate_governing_body
from consortia.schema import england
from consortia.store import models

PASS, FLAG = "pass", "flag"


def checks(session: Session, population: int, on: date) -> list[dict[str, Any]]:
    """Each check of the CCG's configuration on `on`: what was checked, the finding, pass or
    flag, and the rule."""
    adopted = in_force(session)
    constitution = adopted[1] if adopted else None
    found = [_size(population)]
    if constitution is None:
        return [*found, _row("Governing body", "no constitution adopted", FLAG, "a constitution")]
    found.append(_governing_body(session, constitution, on))
    standing = authorisation.standing(session, on)
    if standing["decision"] is None:
        found.append(_row("Authorisation", "not yet decided", FLAG, "authorised by the Board"))
    else:
        heavy = [c for c in standing["conditions"] if c["support_level"] >= 4]
        status = str(standing["status"]).replace("_", " ")
        open_now = _count(len(standing["conditions"]), "condition")
        finding = f"{status}; {open_now} open on {on:%-d %B %Y}"
        bad = standing["status"] == "established_not_authorised" or heavy
        found.append(
            _row(
                "Authorisation",
                finding,
                FLAG if bad else PASS,
                "authorised, without conditions backed by legal directions (NHS CB, 2012)",
            )
        )
    return found


def _size(population: int) -> dict[str, Any]:
    """The registered population against the CCGs England authorised."""
    place = (
        "fewer than the smallest"
        if population < england.SMALLEST_POPULATION
        else "fewer than the median"
        if population < england.MEDIAN_POPULATION
        else "more than the largest"
        if population > england.LARGEST_POPULATION
        else "at least the median"
    )
    return _row(
        "Size",
        f"{population:,} registered patients: {place} of the {england.CCGS} CCGs England "
        f"authorised ({england.SMALLEST_POPULATION:,}, {england.SMALLEST_NAME}, to "
        f"{england.LARGEST_POPULATION:,}; median {england.MEDIAN_POPULATION:,})",
        PASS if population >= england.SMALLEST_POPULATION else FLAG,
        f"at least the smallest CCG England authorised ({england.SMALLEST_NAME}, "
        f"{england.SMALLEST_POPULATION:,}; {england.SOURCE})",
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _row(check: str, finding: str, result: str, rule: str) -> dict[str, Any]:
    return {"check": check, "finding": finding, "result": result, "rule": rule}


def _governing_body(session: Session, constitution: Constitution, on: date) -> dict[str, Any]:
    roles: dict[str, list[str]] = defaultdict(list)
    for seat in session.scalars(
        select(models.Membership).where(models.Membership.committee == GOVERNING_BODY)
    ):
        roles[seat.person].append(seat.role)
    rule = "the governing body keeps SI 2012/1631 regs 11-12 and Schedules 4-5"
    if not roles:
        return _row("Governing body", "no governing body seated", FLAG, rule)
    reader = Context(session, actor="configuration check")
    seats = [seat_of(reader, GoverningBodyMember(person=p, roles=r)) for p, r in roles.items()]
    policy = Policy(
        year=constitution.governing_body.year,
        on=on,
        gp_chair_needs_lay_deputy=constitution.governing_body.gp_chair_needs_lay_deputy,
    )
    breaches = validate_governing_body(seats, policy)
    if not breaches:
        return _row(
            "Governing body", f"{len(seats)} members on {on:%-d %B %Y}; every rule kept", PASS, rule
        )
    shown = "; ".join(b.message for b in breaches[:3])
    more = f" (and {len(breaches) - 3} more)" if len(breaches) > 3 else ""
    return _row(
        "Governing body",
        f"on {on:%-d %B %Y}, {_count(len(breaches), 'rule')} broken: {shown}{more}",
        FLAG,
        rule,
    )
