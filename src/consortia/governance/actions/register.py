"""Actions that set up the record: the constitution, organisations, people, seats."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from consortia.governance.actions.base import Context, Effect, Refused, action
from consortia.governance.constitution import GOVERNING_BODY, MEMBERS, Constitution
from consortia.governance.governing_body import (
    RULES,
    Breach,
    Link,
    OrganisationKind,
    PersonFacts,
    Policy,
    Relation,
    Seat,
    practice_relation,
    validate_governing_body,
)
from consortia.governance.roles import ROLES, Clinician
from consortia.store import models

ODS_CODE = r"^[A-Z0-9]{3,8}$"  # an organisation code of the Organisation Data Service


@action
def adopt_constitution(ctx: Context, *, constitution: Constitution, adopted_on: date) -> Effect:
    """Adopt a version of the constitution and register its member practices."""
    previous = ctx.session.scalars(
        select(models.Constitution).order_by(models.Constitution.id.desc()).limit(1)
    ).first()
    if previous is not None and constitution.version <= previous.version:
        raise Refused(
            f"version {constitution.version} is not newer than version {previous.version}",
            rule="a new constitution has a higher version",
        )
    if previous is not None and constitution.ccg.code != previous.ccg:
        raise Refused(
            f"the record is of CCG {previous.ccg}, not {constitution.ccg.code}",
            rule="one CCG per record",
        )
    ctx.session.add(
        models.Constitution(
            ccg=constitution.ccg.code,
            version=constitution.version,
            content=constitution.canonical(),
            sha256=constitution.sha256(),
            adopted_on=adopted_on,
        )
    )
    _register_practices(ctx, constitution)
    return {
        "ccg": constitution.ccg.code,
        "version": constitution.version,
        "sha256": constitution.sha256(),
        "member_practices": len(constitution.member_practices),
    }


def _register_practices(ctx: Context, constitution: Constitution) -> None:
    listed = {p.key for p in constitution.member_practices}
    for member in ctx.session.scalars(
        select(models.Organisation).where(models.Organisation.member)
    ):
        member.member = member.key in listed
    for practice in constitution.member_practices:
        row = ctx.session.get(models.Organisation, practice.key)
        if row is None:
            _new_key(ctx, models.Organisation, practice.key, "organisation")
            row = models.Organisation(key=practice.key, kind=OrganisationKind.PRACTICE.value)
            ctx.session.add(row)
        row.name, row.contract = practice.name, practice.contract
        row.list_size, row.locality = practice.list_size, practice.locality
        # Core GP contracts are held by NHS England (the Board): Schedule 4 para 9 applies.
        row.member, row.serves_area, row.commissioned_by_board = True, True, True
    ctx.session.flush()


def folded(key: str) -> str:
    """A key as compared for uniqueness: Unicode-normalised (NFKC) and case-folded."""
    return unicodedata.normalize("NFKC", key).casefold()


def _new_key(
    ctx: Context, model: type[models.Organisation] | type[models.Person], key: str, what: str
) -> None:
    """Refuse a key already registered, or one that differs from a registered key only in case
    or Unicode normalisation: `DR-PATEL` and `dr-patel` would name one person twice, and a
    script or a later run could then act as either."""
    column: Any = model.key
    # Keys are ASCII (their pattern), so SQL lower() narrows the search on either database;
    # the comparison itself is the normalised, case-folded one.
    candidates = ctx.session.scalars(select(column).where(func.lower(column) == key.lower()))
    for existing in candidates:
        if existing == key:
            raise Refused(f"{what} {key!r} is already registered", rule="keys are unique")
        if folded(existing) == folded(key):
            raise Refused(
                f"{what} {key!r} differs only in case from {existing!r}, already registered",
                rule="keys are unique whatever their case",
            )


@action
def register_organisation(
    ctx: Context,
    *,
    key: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64),
    name: str,
    kind: OrganisationKind,
    serves_area: bool = False,
    commissioned_by_ccg: bool = False,
    commissioned_by_board: bool = False,
    supports_ccg: bool = False,
    ods_code: Annotated[str, Field(pattern=ODS_CODE)] | None = None,
) -> Effect:
    """Register a provider, commissioning-support supplier, LMC or other organisation, with the
    ODS code the lake knows it by, if it has one."""
    _new_key(ctx, models.Organisation, key, "organisation")
    if ods_code is not None:
        holder = ctx.session.scalars(
            select(models.Organisation.key).where(models.Organisation.ods_code == ods_code)
        ).first()
        if holder is not None:
            raise Refused(
                f"ODS code {ods_code} is {holder}'s already", rule="an ODS code names one body"
            )
    ctx.session.add(
        models.Organisation(
            key=key,
            name=name,
            kind=kind.value,
            member=False,
            serves_area=serves_area,
            commissioned_by_ccg=commissioned_by_ccg,
            commissioned_by_board=commissioned_by_board,
            supports_ccg=supports_ccg or kind is OrganisationKind.COMMISSIONING_SUPPORT,
            ods_code=ods_code,
        )
    )
    return {"organisation": key}


@action
def register_person(
    ctx: Context,
    *,
    key: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64),
    name: str,
    clinician: Clinician | None = None,
    practice: str | None = None,
    facts: PersonFacts = PersonFacts(),  # noqa: B008 (an immutable default)
) -> Effect:
    """Register a person: a clinician (and their practice), lay member, officer or other."""
    _new_key(ctx, models.Person, key, "person")
    if practice is not None:
        organisation = ctx.get(models.Organisation, practice, "organisation")
        if organisation.kind != OrganisationKind.PRACTICE:
            raise Refused(f"{practice!r} is not a practice", rule="a clinician's practice")
    ctx.session.add(
        models.Person(
            key=key,
            name=name,
            clinician=clinician.value if clinician else None,
            practice=practice,
            facts=facts.model_dump_json(),
        )
    )
    return {"person": key}


@action
def affiliate(ctx: Context, *, person: str, organisation: str, relation: Relation) -> Effect:
    """Record a person's link to an organisation (employee, partner, shareholder and so on)."""
    ctx.get(models.Person, person, "person")
    ctx.get(models.Organisation, organisation, "organisation")
    row = models.Affiliation(person=person, organisation=organisation, relation=relation.value)
    ctx.session.add(row)
    ctx.session.flush()
    return {"affiliation": row.id}


@action
def nominate_representative(ctx: Context, *, practice: str, person: str) -> Effect:
    """Record the representative a member practice nominates (2013 GMS regulations)."""
    organisation = ctx.get(models.Organisation, practice, "organisation")
    if not organisation.member:
        raise Refused(f"{practice!r} is not a member practice", rule="members are practices")
    someone = ctx.get(models.Person, person, "person")
    if someone.practice != practice:
        raise Refused(
            f"{person} does not work in {practice}",
            rule="a practice nominates one of its own",
        )
    ctx.session.merge(models.Nomination(practice=practice, person=person))
    return {"practice": practice, "representative": person}


@action
def appoint(
    ctx: Context,
    *,
    person: str,
    committee: str,
    role: str,
    voting: bool | None = None,
    on: date | None = None,
) -> Effect:
    """Give a person a seat on a committee, if they pass the checks its kind of seat requires.

    A lay or governing-body seat runs the governing body's checks for that seat (`seat_rules`);
    the governing body itself is constituted as a whole (`constitute_governing_body`)."""
    constitution = ctx.constitution()
    ctx.get(models.Person, person, "person")
    if committee in (GOVERNING_BODY, MEMBERS):
        raise Refused(
            f"seats on {committee!r} are not appointed one by one",
            rule="the governing body is constituted as a whole; members are practices",
        )
    body = constitution.committee(committee)
    if body is None:
        raise Refused(f"the constitution has no committee {committee!r}", rule="known committees")
    if role not in ROLES:
        raise Refused(f"unknown role {role!r}", rule="known roles")
    votes = ROLES[role].votes and role in body.voting_roles if voting is None else voting
    if votes and role not in body.voting_roles:
        raise Refused(
            f"{role!r} is not a voting role of {committee!r}",
            rule="the committee's terms of reference say who votes",
        )
    day = on or date.today()
    checked = _seat_checks(ctx, constitution, person, role, day)
    ctx.session.add(models.Membership(committee=committee, person=person, role=role, voting=votes))
    return {
        "committee": committee,
        "person": person,
        "role": role,
        "voting": votes,
        "on": day.isoformat(),
        "checked": checked,
    }


# Schedule 5 bars a person from any seat on the governing body; a committee seat that is a lay
# or governing-body seat is held on the same terms.
SCHEDULE_5 = ("public_office", "commissioning_support", "conviction", "bankruptcy", "dismissal")
# The rules of SI 2012/1631 regs 11-12 that qualify the holder of each governing-body role.
ROLE_RULES: dict[str, tuple[str, ...]] = {
    "accountable_officer": ("accountable_officer",),
    "cfo": ("cfo",),
    "nurse": ("nurse", "nurse_out_of_area"),
    "secondary_care_doctor": ("secondary_care_doctor", "specialist_out_of_area"),
    "lay_ppi": ("lay_ppi",),
    "lay_audit": ("lay_audit",),
}


def seat_rules(role: str) -> tuple[str, ...]:
    """The governing-body rules a committee seat in `role` must keep (empty if none).

    A lay seat (any lay role) is held by a lay person: Schedule 4 says who is not one. A seat
    in a role the regulations define for the governing body (accountable officer, chief finance
    officer, nurse, secondary care doctor, the reg 12(3) and 12(4) lay members) needs that
    role's qualification. Either kind is a governing-body seat, so Schedule 5 applies. A GP,
    practice representative, executive or observer seat on a committee is none of these.
    """
    rules = ROLE_RULES.get(role, ())
    if role in ROLES and ROLES[role].lay:
        rules += ("lay_exclusions",)
    return (*rules, *SCHEDULE_5) if rules else ()


def _seat_checks(
    ctx: Context, constitution: Constitution, person: str, role: str, on: date
) -> list[str]:
    """Run the checks `constitute_governing_body` runs for this kind of seat; refuse on a breach.

    Returns the rules checked, for the record."""
    wanted = seat_rules(role)
    if not wanted:
        return []
    seat = seat_of(ctx, GoverningBodyMember(person=person, roles=[role]))
    policy = Policy(year=constitution.governing_body.year, on=on)
    breaches = [
        Breach(rule.id, rule.citation, message, who)
        for rule in RULES
        if rule.id in wanted
        for who, message in rule.check([seat], policy)
    ]
    if breaches:
        raise _breaking(f"{person} may not hold a {role} seat", breaches)
    return list(wanted)


def _breaking(what: str, breaches: list[Breach]) -> Refused:
    """The refusal of a seat or a governing body that breaks rules: each with its citation."""
    return Refused(
        f"{what}: " + "; ".join(f"{b.message} [{b.citation}]" for b in breaches),
        rule=", ".join(sorted({b.rule for b in breaches})),
        details=[
            {"rule": b.rule, "citation": b.citation, "message": b.message, "person": b.person}
            for b in breaches
        ],
    )


class GoverningBodyMember(BaseModel):
    """A proposed seat on the governing body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    person: str
    roles: list[str] = Field(min_length=1)


@action
def constitute_governing_body(
    ctx: Context, *, members: list[GoverningBodyMember], on: date
) -> Effect:
    """Set the governing body's membership, if it keeps every rule of the regulations."""
    constitution = ctx.constitution()
    proposed = [seat_of(ctx, member) for member in members]
    policy = Policy(
        year=constitution.governing_body.year,
        on=on,
        gp_chair_needs_lay_deputy=constitution.governing_body.gp_chair_needs_lay_deputy,
    )
    breaches = validate_governing_body(proposed, policy)
    if breaches:
        raise _breaking(f"the governing body breaks {len(breaches)} rules", breaches)
    for seat in ctx.session.scalars(
        select(models.Membership).where(models.Membership.committee == GOVERNING_BODY)
    ).all():
        ctx.session.delete(seat)
    body = constitution.committee(GOVERNING_BODY)
    voting_roles = set(body.voting_roles) if body else set(ROLES)
    for member in members:
        for role in member.roles:
            ctx.session.add(
                models.Membership(
                    committee=GOVERNING_BODY,
                    person=member.person,
                    role=role,
                    voting=ROLES[role].votes and role in voting_roles,
                )
            )
    return {"governing_body": [m.person for m in members], "year": policy.year}


def seat_of(ctx: Context, member: GoverningBodyMember) -> Seat:
    """A proposed seat as the governing-body rules see it: the person's facts and links."""
    person = ctx.get(models.Person, member.person, "person")
    unknown = [r for r in member.roles if r not in ROLES]
    if unknown:
        raise Refused(f"unknown roles {unknown}", rule="known roles")
    links = []
    rows = ctx.session.execute(
        select(models.Affiliation, models.Organisation)
        .join(models.Organisation, models.Organisation.key == models.Affiliation.organisation)
        .where(models.Affiliation.person == person.key)
    ).all()
    for affiliation, organisation in rows:
        links.append(
            Link(
                organisation=organisation.key,
                kind=OrganisationKind(organisation.kind),
                relation=Relation(affiliation.relation),
                serves_area=organisation.serves_area,
                commissioned_by_ccg=organisation.commissioned_by_ccg,
                commissioned_by_board=organisation.commissioned_by_board,
                supports_ccg=organisation.supports_ccg,
            )
        )
    if person.practice:
        practice = ctx.get(models.Organisation, person.practice, "organisation")
        relation = practice_relation(person.clinician)
        links.append(
            Link(
                practice.key,
                OrganisationKind.PRACTICE,
                relation,
                serves_area=practice.serves_area,
                commissioned_by_ccg=practice.commissioned_by_ccg,
                commissioned_by_board=practice.commissioned_by_board,
            )
        )
    return Seat(
        person=person.key,
        roles=frozenset(member.roles),
        facts=PersonFacts.model_validate(json.loads(person.facts)),
        links=tuple(links),
        clinician=person.clinician,
    )
