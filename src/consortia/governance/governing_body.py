"""The governing-body validator: composition and disqualification rules, every breach listed.

Sources (read on legislation.gov.uk unless noted):
- SI 2012/1631 reg 11: at least six members including the chair and deputy chair; the
  accountable officer; a chief finance officer with an accountancy qualification; a registered
  nurse; a secondary care specialist doctor; two lay members under reg 12(3) and 12(4).
- reg 12: the nurse and the specialist are not employees of, or partners in, a provider serving
  the CCG's population (reported by the Lords debate of 16 October 2012); the 12(3) lay member
  knows the area, the 12(4) lay member has audit and finance expertise; a lay chair cannot also
  be the finance lay member (reported by the procurement portal's summary of the regulations).
- Schedule 4: who cannot be a lay member; Schedule 5: who cannot hold any seat (paragraphs 1-6
  read in full, including bankruptcy restrictions orders and dismissals by health bodies).
- From 2016 (statutory guidance on conflicts of interest, reported by Hempsons): at least three
  lay members, and a conflicts of interest guardian who is the audit lay member. Applied when
  the year given is 2016 or later ("comply or explain").
- "If the chair is a GP, the deputy is lay" was not found in a published source, so it is a
  local rule a constitution may switch on, never applied by default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from consortia.governance.roles import GPS, ROLES


class OrganisationKind(StrEnum):
    """Kinds of organisation, as the regulations distinguish them."""

    PRACTICE = "practice"
    NHS_TRUST = "nhs_trust"
    FOUNDATION_TRUST = "foundation_trust"
    INDEPENDENT_PROVIDER = "independent_provider"
    COMMISSIONING_SUPPORT = "commissioning_support"
    LMC = "lmc"
    LOCAL_AUTHORITY = "local_authority"
    DEPARTMENT_OF_HEALTH = "department_of_health"
    NHS_BODY = "nhs_body"
    PCT = "pct"
    CQC = "cqc"
    MONITOR = "monitor"
    SOCIAL_CARE_CONTRACTOR = "social_care_contractor"
    # The bodies a commissioning plan passes (domain §2.3-2.4): the Board is an NHS body (NHS
    # Act 2006 s275), a Health and Wellbeing Board a committee of its council (HSCA 2012 s194),
    # a clinical senate advisory and hosted by the Board.
    NHS_COMMISSIONING_BOARD = "nhs_commissioning_board"
    CLINICAL_COMMISSIONING_GROUP = "clinical_commissioning_group"  # another CCG (an NHS body)
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board"
    CLINICAL_SENATE = "clinical_senate"
    OTHER = "other"


PROVIDERS = frozenset(
    {
        OrganisationKind.PRACTICE,
        OrganisationKind.NHS_TRUST,
        OrganisationKind.FOUNDATION_TRUST,
        OrganisationKind.INDEPENDENT_PROVIDER,
    }
)


class Relation(StrEnum):
    """How a person is linked to an organisation."""

    EMPLOYEE = "employee"
    PARTNER = "partner"
    SHAREHOLDER = "shareholder"
    MEMBER = "member"
    DIRECTOR = "director"
    CHAIR = "chair"
    GOVERNOR = "governor"
    OFFICER = "officer"
    CONTRACTOR = "contractor"  # the person provides services to it, or is it


def practice_relation(clinician: str | None) -> Relation:
    """How a clinician is linked to the practice they work in: a GP partner as a partner,
    anyone else as an employee."""
    return Relation.PARTNER if clinician == "gp_partner" else Relation.EMPLOYEE


class Office(StrEnum):
    """Public offices that bar a person from the governing body (Schedule 5 paras 1-2)."""

    MP = "mp"
    MEP = "mep"
    LONDON_ASSEMBLY = "london_assembly"
    COUNCILLOR = "councillor"


class Conviction(BaseModel):
    """A conviction whose final outcome was a sentence of imprisonment."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    on: date
    months: int = Field(ge=0)
    option_of_fine: bool = False


class Dismissal(BaseModel):
    """A dismissal from paid employment."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    on: date
    by_health_body: bool
    redundancy: bool = False


class PersonFacts(BaseModel):
    """What the validator needs to know about a person, as declared on appointment."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    registered_nurse: bool = False
    specialist_register: bool = Field(
        default=False, description="on or eligible for the GMC Specialist Register (10 years)"
    )
    nhs_consultant: bool = Field(default=False, description="an NHS consultant post (10 years)")
    gp_register: bool = False
    accountancy_qualification: bool = False
    ccg_employee: bool = False
    knows_area: bool = False
    audit_expertise: bool = False
    offices: list[Office] = Field(default_factory=list)
    convictions: list[Conviction] = Field(default_factory=list)
    bankruptcy_restrictions_order: bool = False
    dismissals: list[Dismissal] = Field(default_factory=list)


@dataclass(frozen=True)
class Link:
    """A person's link to an organisation, with the organisation's relevant facts."""

    organisation: str
    kind: OrganisationKind
    relation: Relation
    serves_area: bool = False
    commissioned_by_ccg: bool = False
    commissioned_by_board: bool = False
    supports_ccg: bool = False


@dataclass(frozen=True)
class Seat:
    """A proposed member of the governing body."""

    person: str
    roles: frozenset[str]
    facts: PersonFacts = field(default_factory=PersonFacts)
    links: tuple[Link, ...] = ()
    clinician: str | None = None

    @property
    def lay(self) -> bool:
        """Whether the seat is a lay seat."""
        return any(ROLES[r].lay for r in self.roles if r in ROLES)


@dataclass(frozen=True)
class Breach:
    """A broken rule: which, where it comes from, and who breaks it."""

    rule: str
    citation: str
    message: str
    person: str | None = None


@dataclass(frozen=True)
class Policy:
    """Which rules apply: the year (guidance era), and local rules the constitution adopts."""

    year: int = 2013
    on: date = field(default_factory=date.today)
    gp_chair_needs_lay_deputy: bool = False


Check = Callable[[Sequence[Seat], Policy], list[tuple[str | None, str]]]


@dataclass(frozen=True)
class Rule:
    """A rule of composition or disqualification."""

    id: str
    citation: str
    check: Check
    from_year: int = 2012
    local_option: str | None = None


def _holders(seats: Sequence[Seat], role: str) -> list[Seat]:
    return [s for s in seats if role in s.roles]


def _needs(role: str, qualified: Callable[[Seat], bool], noun: str, qualification: str) -> Check:
    def check(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
        holders = _holders(seats, role)
        if not holders:
            return [(None, f"no {noun}")]
        return [
            (s.person, f"the {noun} {s.person} is not {qualification}")
            for s in holders
            if not qualified(s)
        ]

    return check


def _anyone(_: Seat) -> bool:
    return True


def _size(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    return [] if len(seats) >= 6 else [(None, f"{len(seats)} members; at least 6 are required")]


def _within_years(then: date, now: date, years: int) -> bool:
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    return cutoff <= then <= now


def _specialist(seat: Seat) -> bool:
    facts = seat.facts
    return facts.specialist_register and facts.nhs_consultant and not facts.gp_register


def _from_provider_in_area(role: str, what: str) -> Check:
    def check(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        for seat in _holders(seats, role):
            for link in seat.links:
                if (
                    link.kind in PROVIDERS
                    and link.serves_area
                    and link.relation in {Relation.EMPLOYEE, Relation.PARTNER}
                ):
                    found.append(
                        (
                            seat.person,
                            f"the {what} {seat.person} is {link.relation.value} of "
                            f"{link.organisation}, a provider serving the area",
                        )
                    )
        return found

    return check


SCHEDULE_4: tuple[tuple[str, Callable[[Link], bool]], ...] = (
    (
        "para 1: employee of a local authority",
        lambda k: k.kind is OrganisationKind.LOCAL_AUTHORITY and k.relation is Relation.EMPLOYEE,
    ),
    (
        "para 2: officer or employee of the Department of Health",
        lambda k: (
            k.kind is OrganisationKind.DEPARTMENT_OF_HEALTH
            and k.relation in {Relation.OFFICER, Relation.EMPLOYEE}
        ),
    ),
    (
        "para 3: chair, director, member or employee of an NHS body",
        lambda k: (
            k.kind
            in {
                OrganisationKind.NHS_BODY,
                OrganisationKind.NHS_TRUST,
                OrganisationKind.NHS_COMMISSIONING_BOARD,
                OrganisationKind.CLINICAL_COMMISSIONING_GROUP,
            }
            and k.relation
            in {Relation.CHAIR, Relation.DIRECTOR, Relation.MEMBER, Relation.EMPLOYEE}
        ),
    ),
    (
        "para 4: chair, director, governor, member or employee of an NHS foundation trust",
        lambda k: (
            k.kind is OrganisationKind.FOUNDATION_TRUST
            and k.relation
            in {
                Relation.CHAIR,
                Relation.DIRECTOR,
                Relation.GOVERNOR,
                Relation.MEMBER,
                Relation.EMPLOYEE,
            }
        ),
    ),
    (
        "para 5: employee of a Primary Care Trust",
        lambda k: k.kind is OrganisationKind.PCT and k.relation is Relation.EMPLOYEE,
    ),
    (
        "paras 6-7: member or employee of the CQC or Monitor",
        lambda k: (
            k.kind in {OrganisationKind.CQC, OrganisationKind.MONITOR}
            and k.relation in {Relation.MEMBER, Relation.EMPLOYEE}
        ),
    ),
    (
        "para 8: provides services commissioned by the CCG, or works for, owns or is partner "
        "in a body that does",
        lambda k: (
            k.commissioned_by_ccg
            and k.relation
            in {
                Relation.CONTRACTOR,
                Relation.EMPLOYEE,
                Relation.MEMBER,
                Relation.SHAREHOLDER,
                Relation.PARTNER,
            }
        ),
    ),
    (
        "para 9: provides services commissioned by the Board, or works for, owns or is partner "
        "in a body that does",
        lambda k: (
            k.commissioned_by_board
            and k.relation
            in {
                Relation.CONTRACTOR,
                Relation.EMPLOYEE,
                Relation.MEMBER,
                Relation.SHAREHOLDER,
                Relation.PARTNER,
            }
        ),
    ),
    (
        "para 11: contracts with a local authority for social services, or is employed by one "
        "who does",
        lambda k: (
            k.kind is OrganisationKind.SOCIAL_CARE_CONTRACTOR
            and k.relation in {Relation.CONTRACTOR, Relation.EMPLOYEE}
        ),
    ),
)


def _schedule_4(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for seat in seats:
        if not seat.lay:
            continue
        for link in seat.links:
            for paragraph, applies in SCHEDULE_4:
                if applies(link):
                    found.append(
                        (
                            seat.person,
                            f"lay member {seat.person} ({link.organisation}): {paragraph}",
                        )
                    )
    return found


def _offices(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    return [
        (
            s.person,
            f"{s.person} holds the office of {office.value} (Schedule 5 "
            f"{'para 2' if office is Office.COUNCILLOR else 'para 1'})",
        )
        for s in seats
        for office in s.facts.offices
    ]


# The links to a commissioning-support supplier that bar a person from the governing body: its
# staff and its owners (domain §1.2, §7).
SUPPORT_LINKS = frozenset(
    {
        Relation.CONTRACTOR,
        Relation.EMPLOYEE,
        Relation.MEMBER,
        Relation.SHAREHOLDER,
        Relation.PARTNER,
        Relation.DIRECTOR,
    }
)


def _commissioning_support(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    linked = SUPPORT_LINKS
    return [
        (
            s.person,
            f"{s.person} is {k.relation.value} of {k.organisation}, which provides "
            "commissioning support to the CCG",
        )
        for s in seats
        for k in s.links
        if (k.supports_ccg or k.kind is OrganisationKind.COMMISSIONING_SUPPORT)
        and k.relation in linked
    ]


def _convictions(seats: Sequence[Seat], policy: Policy) -> list[tuple[str | None, str]]:
    return [
        (s.person, f"{s.person} was sentenced on {c.on} to {c.months} months' imprisonment")
        for s in seats
        for c in s.facts.convictions
        if c.months >= 3 and not c.option_of_fine and _within_years(c.on, policy.on, 5)
    ]


def _bankruptcy(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    return [
        (s.person, f"{s.person} is subject to a bankruptcy restrictions order")
        for s in seats
        if s.facts.bankruptcy_restrictions_order
    ]


def _dismissals(seats: Sequence[Seat], policy: Policy) -> list[tuple[str | None, str]]:
    return [
        (s.person, f"{s.person} was dismissed by a health body on {d.on}")
        for s in seats
        for d in s.facts.dismissals
        if d.by_health_body and not d.redundancy and _within_years(d.on, policy.on, 5)
    ]


def _lay_chair_not_audit(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    return [
        (s.person, f"{s.person} is both chair and the audit lay member")
        for s in seats
        if {"chair", "lay_audit"} <= s.roles
    ]


def _three_lay(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    lay = sum(1 for s in seats if s.lay)
    return [] if lay >= 3 else [(None, f"{lay} lay members; at least 3 are expected from 2016")]


def _guardian(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    guardians = _holders(seats, "coi_guardian")
    if not guardians:
        return [(None, "no conflicts of interest guardian")]
    return [
        (s.person, f"the guardian {s.person} is not the audit lay member")
        for s in guardians
        if "lay_audit" not in s.roles
    ]


def _gp_chair_lay_deputy(seats: Sequence[Seat], _: Policy) -> list[tuple[str | None, str]]:
    gp_chair = any(s.clinician in GPS for s in _holders(seats, "chair"))
    deputies = _holders(seats, "deputy_chair")
    if gp_chair and not any(d.lay for d in deputies):
        return [(None, "the chair is a GP but no deputy chair is lay")]
    return []


REG = "SI 2012/1631"
RULES: tuple[Rule, ...] = (
    Rule("size", f"{REG} reg 11", _size),
    Rule("chair", f"{REG} reg 11", _needs("chair", _anyone, "chair", "")),
    Rule("deputy_chair", f"{REG} reg 11", _needs("deputy_chair", _anyone, "deputy chair", "")),
    Rule(
        "accountable_officer",
        f"{REG} reg 11",
        _needs("accountable_officer", _anyone, "accountable officer", ""),
    ),
    Rule(
        "cfo",
        f"{REG} reg 11",
        _needs(
            "cfo",
            lambda s: s.facts.accountancy_qualification and s.facts.ccg_employee,
            "chief finance officer",
            "an employee of the CCG with an accountancy qualification",
        ),
    ),
    Rule(
        "nurse",
        f"{REG} reg 11",
        _needs("nurse", lambda s: s.facts.registered_nurse, "nurse", "a registered nurse"),
    ),
    Rule(
        "secondary_care_doctor",
        f"{REG} reg 11",
        _needs(
            "secondary_care_doctor",
            _specialist,
            "secondary care specialist doctor",
            "on the specialist register with a consultant post within 10 years, and not on the "
            "GP register",
        ),
    ),
    Rule(
        "lay_ppi",
        f"{REG} reg 12(3)",
        _needs(
            "lay_ppi",
            lambda s: s.facts.knows_area,
            "lay member (reg 12(3))",
            "someone who knows the area",
        ),
    ),
    Rule(
        "lay_audit",
        f"{REG} reg 12(4)",
        _needs(
            "lay_audit",
            lambda s: s.facts.audit_expertise,
            "lay member (reg 12(4))",
            "someone with audit and finance expertise",
        ),
    ),
    Rule("nurse_out_of_area", f"{REG} reg 12", _from_provider_in_area("nurse", "nurse")),
    Rule(
        "specialist_out_of_area",
        f"{REG} reg 12",
        _from_provider_in_area("secondary_care_doctor", "secondary care doctor"),
    ),
    Rule("lay_chair_not_audit", f"{REG} reg 12", _lay_chair_not_audit),
    Rule("lay_exclusions", f"{REG} Schedule 4", _schedule_4),
    Rule("public_office", f"{REG} Schedule 5 paras 1-2", _offices),
    Rule("commissioning_support", f"{REG} Schedule 5 para 3", _commissioning_support),
    Rule("conviction", f"{REG} Schedule 5 para 4", _convictions),
    Rule("bankruptcy", f"{REG} Schedule 5 para 5", _bankruptcy),
    Rule("dismissal", f"{REG} Schedule 5 para 6", _dismissals),
    Rule(
        "three_lay_members",
        "Managing conflicts of interest: revised statutory guidance for CCGs (June 2016)",
        _three_lay,
        from_year=2016,
    ),
    Rule(
        "coi_guardian",
        "Managing conflicts of interest: revised statutory guidance for CCGs (June 2016)",
        _guardian,
        from_year=2016,
    ),
    Rule(
        "gp_chair_lay_deputy",
        "local rule of the constitution (governing_body.gp_chair_needs_lay_deputy)",
        _gp_chair_lay_deputy,
        local_option="gp_chair_needs_lay_deputy",
    ),
)


def validate_governing_body(seats: Sequence[Seat], policy: Policy) -> list[Breach]:
    """Every rule the proposed governing body breaks, each with its citation (empty if none)."""
    breaches = []
    for rule in RULES:
        if rule.from_year > policy.year:
            continue
        if rule.local_option and not getattr(policy, rule.local_option):
            continue
        for person, message in rule.check(seats, policy):
            breaches.append(Breach(rule.id, rule.citation, message, person))
    return breaches
