"""The constitution as data: a versioned YAML file a CCG writes, validated into typed objects.

What the constitution must contain follows NHS Act 2006 Schedule 1A Part 1 (name, members,
area, arrangements for committees and decisions, conflicts of interest). Voting models are not
set by statute, so the electorate rule is the CCG's choice. The published JSON Schema is
`docs/constitution.schema.json` (`consortia gov schema`); the format is in docs/governance.md.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.governance.quorum import Quorum, QuorumSyntaxError, parse_quorum
from consortia.governance.roles import expand, known_names
from consortia.governance.sourcefile import read_source
from consortia.store import models

FORMAT = 1
GOVERNING_BODY = "governing_body"
MEMBERS = "members"
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


class ElectorateRule(StrEnum):
    """Who votes in a members' decision, and with what weight (domain §2.1)."""

    PRACTICE_ONE_VOTE = "practice_one_vote"  # each member practice's representative, 1 vote
    LIST_SIZE_WEIGHTED = "list_size_weighted"  # the representative, weighted by list size
    ALL_GPS = "all_gps"  # every GP of a member practice: partners, salaried and sessional
    LOCALITY_DELEGATES = "locality_delegates"  # delegates named for each locality, 1 vote each


class Fallback(StrEnum):
    """What happens to an item that conflicts leave inquorate (domain §3.3)."""

    REFER_TO_GOVERNING_BODY = "refer_to_governing_body"
    CO_OPT = "co_opt"
    DEFER = "defer"


Threshold = Literal["majority", "two_thirds", "three_quarters", "unanimous"]
THRESHOLDS: dict[str, tuple[int, int, bool]] = {
    # name: (numerator, denominator, strictly greater) of the votes cast for and against
    "majority": (1, 2, True),
    "two_thirds": (2, 3, False),
    "three_quarters": (3, 4, False),
    "unanimous": (1, 1, False),
}


# Primary medical care decisions a CCG takes only under joint or delegated co-commissioning
# (NHS England, "Next steps towards primary care co-commissioning", 2014; domain §3.4):
# contract management, enhanced services, local incentive schemes, new practices, mergers and
# discretionary payments.
DELEGABLE_PRIMARY_CARE = frozenset(
    {
        "enhanced_services",
        "local_incentive_scheme",
        "practice_merger",
        "practice_contract",
        "list_dispersal",
        "premises",
    }
)
# Decisions NHS England keeps whatever the level (domain §3.4): no CCG body takes them.
NHS_ENGLAND_RESERVED: dict[str, str] = {
    "performers_list": "individual GP performance: the performers list",
    "appraisal_and_revalidation": "individual GP performance: appraisal and revalidation",
    "public_health_s7a": "section 7A public health services",
    "primary_care_capital": "capital expenditure on primary care",
    "primary_care_complaints": "complaints about primary care",
    "payment_administration": "administering payments to practices",
}
# Awarding or holding a GP core contract (GMS, PMS, APMS) in the CCG's own name: "GP core
# contracts should not be held by CCGs" (LMC conference, 2014; domain §0, §3.4).
CORE_CONTRACT_AWARD = "core_contract_award"


class CoCommissioning(StrEnum):
    """How far the CCG commissions primary medical care with NHS England (domain §3.4)."""

    NONE = "none"
    GREATER_INVOLVEMENT = "greater_involvement"  # collaboration; NHS England decides
    JOINT = "joint"  # decided together in a joint committee
    DELEGATED = "delegated"  # the CCG decides, in its primary care commissioning committee


# The matters a CCG decides, shipped as the default vocabulary; a constitution that lists its
# own `matters` replaces these. Every matter an item decides, a committee is delegated, the
# members reserve or the LMC is consulted on must be one of the constitution's matters.
STANDARD_MATTERS: dict[str, str] = {
    "constitution_change": "A change to the constitution (NHS Act 2006 s14E).",
    "merger": "Merging with, or dissolving into, another CCG.",
    "commissioning_plan": "The annual commissioning plan (NHS Act 2006 s14Z11).",
    "financial_plan": "The annual budget and financial plan.",
    "annual_report_and_accounts": "Approving the annual report and accounts.",
    "appointments": "Appointments to the governing body and its committees.",
    "remuneration": "Pay and terms of the governing body and senior staff.",
    "new_service_model": "A new model of care not tried in the area before.",
    "procurement": "Awarding or ending a contract for services.",
    "enhanced_services": "Primary care, commissioning enhanced services.",
    "local_incentive_scheme": "Primary care, a local incentive scheme for practices.",
    "practice_merger": "Primary care, a merger of practices.",
    "practice_contract": "Primary care, a new, varied or ended practice contract.",
    "list_dispersal": "Primary care, dispersing a practice's registered list.",
    "premises": "Primary care, premises costs and improvement grants.",
    CORE_CONTRACT_AWARD: "Primary care, awarding or holding a GP core contract in the CCG's name.",
    "internal_audit_plan": "The internal audit plan.",
    "risk_and_assurance": "The assurance framework and risk register.",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ccg(_Model):
    """The group's code, name and area."""

    code: Annotated[str, Field(pattern=r"^[0-9]{2}[A-Z0-9]$")]
    name: str
    area: str

    @field_validator("name")
    @classmethod
    def _statutory_name(cls, name: str) -> str:
        # SI 2012/1631 regs 3-6: the name begins "NHS" and ends "Clinical Commissioning Group".
        if not (name.startswith("NHS ") and name.endswith(" Clinical Commissioning Group")):
            raise ValueError(
                "a CCG's name begins 'NHS' and ends 'Clinical Commissioning Group' "
                "(SI 2012/1631 regs 3-6)"
            )
        return name


class MemberPractice(_Model):
    """A member practice: a provider of essential primary medical services (SI 2012/1631 reg 2)."""

    code: Annotated[str, Field(pattern=r"^[A-Z][0-9]{5}$")]
    name: str
    contract: Literal["GMS", "PMS", "APMS"]
    list_size: Annotated[int, Field(gt=0)]
    locality: Key | None = None

    @property
    def key(self) -> str:
        """The organisation key the practice has in the store (its code)."""
        return self.code


class Electorate(_Model):
    """The electorate rule for decisions reserved to members."""

    rule: ElectorateRule
    delegates: dict[Key, list[Key]] = Field(
        default_factory=dict, description="locality -> person keys (locality_delegates only)"
    )


class ReservedMatter(_Model):
    """A decision only the members may take, and the share of votes it needs."""

    matter: Key
    threshold: Threshold = "majority"
    description: str = ""


class Committee(_Model):
    """A committee (the governing body included): its terms, voting roles, quorum and fallback."""

    key: Key
    name: str
    terms_of_reference: str
    voting_roles: list[str]
    quorum: str
    when_inquorate: Fallback
    decides: list[Key] = Field(default_factory=list, description="matters delegated to it")

    def parsed_quorum(self) -> Quorum:
        """The quorum rule, parsed."""
        return parse_quorum(self.quorum)


class MembersMeeting(_Model):
    """How the members meet to take reserved decisions."""

    quorum: str = "at least 50%"
    when_inquorate: Literal[Fallback.DEFER, Fallback.CO_OPT] = Fallback.DEFER

    def parsed_quorum(self) -> Quorum:
        """The quorum rule, parsed."""
        return parse_quorum(self.quorum)


class Lmc(_Model):
    """The local medical committee and the CCG's duties towards it (domain §2.2)."""

    name: str
    organisation: Key | None = None
    consult_on: list[Key] = Field(default_factory=list, description="matters needing its view")
    observer_at: list[Key] = Field(default_factory=list, description="committees it observes")


class ConflictsPolicy(_Model):
    """Conflict-of-interest arrangements (NHS Act 2006 s14O; domain §3)."""

    guidance: Literal[2016, 2017] = 2017
    declare_within_days: Annotated[int, Field(ge=1)] = 28
    no_conflict_on_financial: Literal["with_grounds", "forbidden"] = Field(
        default="with_grounds",
        description="whether a chair may rule 'none' on a registered financial interest: only "
        "with recorded grounds, or never",
    )


class GoverningBodyPolicy(_Model):
    """Which governing-body rules apply: the guidance year and locally adopted rules."""

    year: Annotated[int, Field(ge=2012, le=2022)] = 2013
    gp_chair_needs_lay_deputy: bool = Field(
        default=False, description="a local rule (not found in the regulations): see governing_body"
    )


class PlanningPolicy(_Model):
    """How the members and the Health and Wellbeing Boards take part in the commissioning plan
    (NHS Act 2006 ss14Z11-14Z16; domain §2.1, §2.3)."""

    member_engagement: Literal["consultation", "vote"] = Field(
        default="consultation",
        description="how the members are engaged on the draft plan: a recorded consultation, "
        "or a vote at a members' meeting under the electorate rule",
    )
    health_and_wellbeing_boards: list[Key] = Field(
        default_factory=list,
        description="the organisation key of each relevant Health and Wellbeing Board: each "
        "gives its opinion before the governing body approves (none listed: at least one)",
    )


class PrimaryCarePolicy(_Model):
    """Co-commissioning of primary medical care: the level, the committee that decides, and
    whether the CCG may hold GP core contracts (domain §3.4-3.5)."""

    co_commissioning: CoCommissioning = CoCommissioning.NONE
    committee: Key | None = Field(
        default=None,
        description="the primary care commissioning committee (delegated) or joint committee "
        "(joint) that takes the primary-care decisions",
    )
    may_hold_core_contracts: bool = Field(
        default=False,
        description="whether the CCG may award or hold a GP core contract in its own name "
        "(off: 'GP core contracts should not be held by CCGs')",
    )


class Constitution(_Model):
    """A CCG's constitution (format 1)."""

    format: Literal[1]
    version: Annotated[int, Field(ge=1)]
    ccg: Ccg
    member_practices: Annotated[list[MemberPractice], Field(min_length=2)]
    electorate: Electorate
    matters: dict[Key, str] = Field(
        default_factory=lambda: dict(STANDARD_MATTERS),
        min_length=1,
        description="the closed vocabulary of matters the CCG decides: matter -> description "
        "(default: the standard matters)",
    )
    ordinary_threshold: Threshold = "majority"
    reserved_matters: list[ReservedMatter] = Field(default_factory=list)
    committees: list[Committee]
    members_meeting: MembersMeeting = MembersMeeting()
    role_groups: dict[Key, list[str]] = Field(default_factory=dict)
    lmc: Lmc | None = None
    conflicts: ConflictsPolicy = ConflictsPolicy()
    governing_body: GoverningBodyPolicy = GoverningBodyPolicy()
    planning: PlanningPolicy = PlanningPolicy()
    primary_care: PrimaryCarePolicy = PrimaryCarePolicy()

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        # A file's loader reports these itself, at the line of the part that is wrong.
        if not (info.context or {}).get("deferred"):
            for problem in problems(self)[:1]:
                raise ValueError(f"{'.'.join(map(str, problem.where))}: {problem.message}")
        return self

    @cached_property
    def list_sizes(self) -> dict[str, int]:
        """Each member practice's list size, by practice key (read once per constitution)."""
        return {p.key: p.list_size for p in self.member_practices}

    @cached_property
    def delegates(self) -> frozenset[str]:
        """Every locality delegate the electorate names."""
        return frozenset(d for names in self.electorate.delegates.values() for d in names)

    def committee(self, key: str) -> Committee | None:
        """The committee with this key, if any."""
        return next((c for c in self.committees if c.key == key), None)

    def reserved(self, matter: str) -> ReservedMatter | None:
        """The reserved matter of this name, if the matter is reserved to members."""
        return next((m for m in self.reserved_matters if m.matter == matter), None)

    def expand(self, name: str) -> set[str]:
        """The roles a quorum name covers under this constitution's groups."""
        return expand(name, self.role_groups)

    def canonical(self) -> str:
        """Canonical JSON of the constitution: what the store keeps and the audit log hashes."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        """SHA-256 of the canonical JSON."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()


@dataclass(frozen=True)
class Problem:
    """A rule of the format that spans fields, broken at `where`."""

    where: tuple[str | int, ...]
    message: str
    rule: str


def problems(c: Constitution) -> list[Problem]:
    """Every broken cross-field rule of a constitution, in file order."""
    found = [*_repeats(c), *_quorum_problems(c), *_electorate_problems(c)]
    found += _delegation_problems(c)
    found += _unknown_matters(c)
    found += _primary_care_problems(c)
    if GOVERNING_BODY not in {committee.key for committee in c.committees}:
        found.append(Problem(("committees",), "no governing_body", "a governing body (reg 11)"))
    return found


def _primary_care_problems(c: Constitution) -> list[Problem]:
    """Joint and delegated co-commissioning name the committee that decides, one of the
    constitution's committees (other than the governing body)."""
    policy = c.primary_care
    if policy.co_commissioning not in (CoCommissioning.JOINT, CoCommissioning.DELEGATED):
        return []
    where = ("primary_care", "committee")
    rule = "joint and delegated co-commissioning decide in a committee of their own"
    keys = {committee.key for committee in c.committees} - {GOVERNING_BODY}
    if policy.committee is None:
        return [Problem(where, "no committee named", rule)]
    if policy.committee not in keys:
        return [Problem(where, f"no committee {policy.committee!r}", rule)]
    return []


def _repeats(c: Constitution) -> list[Problem]:
    found = []
    for name, keys in (
        ("member_practices", [p.code for p in c.member_practices]),
        ("committees", [m.key for m in c.committees]),
        ("reserved_matters", [m.matter for m in c.reserved_matters]),
    ):
        for index, key in enumerate(keys):
            if key in keys[:index]:
                found.append(Problem((name, index), f"{key!r} appears twice", "keys are unique"))
    return found


def _quorum_problems(c: Constitution) -> list[Problem]:
    names = known_names(c.role_groups)
    found = []
    for index, committee in enumerate(c.committees):
        where = ("committees", index)
        try:
            rule = committee.parsed_quorum()
        except QuorumSyntaxError as error:
            found.append(Problem((*where, "quorum"), str(error), "quorum grammar"))
            continue
        unknown = sorted(rule.roles() - names)
        if unknown:
            found.append(Problem((*where, "quorum"), f"unknown roles {unknown}", "known roles"))
        roles = sorted(set(committee.voting_roles) - names)
        if roles:
            found.append(Problem((*where, "voting_roles"), f"unknown roles {roles}", "known roles"))
        if (
            committee.key == GOVERNING_BODY
            and committee.when_inquorate is Fallback.REFER_TO_GOVERNING_BODY
        ):
            found.append(
                Problem(
                    (*where, "when_inquorate"),
                    "the governing body cannot refer an item to itself",
                    "fallback of the governing body",
                )
            )
    try:
        c.members_meeting.parsed_quorum()
    except QuorumSyntaxError as error:
        found.append(Problem(("members_meeting", "quorum"), str(error), "quorum grammar"))
    return found


def _electorate_problems(c: Constitution) -> list[Problem]:
    localities = {p.locality for p in c.member_practices if p.locality}
    found = []
    if c.electorate.rule is ElectorateRule.LOCALITY_DELEGATES:
        missing = sorted(localities - set(c.electorate.delegates))
        if not localities or missing:
            found.append(
                Problem(
                    ("electorate", "delegates"),
                    f"no delegates for localities {missing or '(none defined)'}",
                    "locality_delegates names delegates for every locality",
                )
            )
    unknown = sorted(set(c.electorate.delegates) - localities)
    if unknown:
        found.append(
            Problem(
                ("electorate", "delegates", unknown[0]),
                f"unknown localities {unknown}",
                "delegates are for localities of member practices",
            )
        )
    return found


def _delegation_problems(c: Constitution) -> list[Problem]:
    reserved = {m.matter for m in c.reserved_matters}
    found = []
    for index, committee in enumerate(c.committees):
        clash = sorted(reserved & set(committee.decides))
        if clash:
            found.append(
                Problem(
                    ("committees", index, "decides"),
                    f"{clash} are reserved to members",
                    "reserved matters are decided by the members",
                )
            )
    return found


def unknown_matter(c: Constitution, matter: str) -> str | None:
    """Why `matter` is not in the constitution's vocabulary (with the nearest match), or None."""
    if matter in c.matters:
        return None
    near = difflib.get_close_matches(matter, list(c.matters), n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown matter {matter!r}{hint}; known matters: {', '.join(sorted(c.matters))}"


def _unknown_matters(c: Constitution) -> list[Problem]:
    named: list[tuple[tuple[str | int, ...], str]] = [
        (("reserved_matters", i, "matter"), m.matter) for i, m in enumerate(c.reserved_matters)
    ]
    for i, committee in enumerate(c.committees):
        named += [(("committees", i, "decides"), m) for m in committee.decides]
    if c.lmc is not None:
        named += [(("lmc", "consult_on"), m) for m in c.lmc.consult_on]
    found = []
    for where, matter in named:
        message = unknown_matter(c, matter)
        if message is not None:
            found.append(Problem(where, message, "matters are the constitution's matters"))
    return found


def load_constitution(path: Path) -> Constitution:
    """Read and validate a constitution file; errors name the file, line and rule."""
    source = read_source(path)
    constitution = source.parse(Constitution, context={"deferred": True})
    for problem in problems(constitution)[:1]:
        raise source.error(problem.message, problem.where, problem.rule)
    return constitution


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the constitution format."""
    schema = Constitution.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://consortia.invalid/schema/constitution-1.json"
    return schema


def in_force(session: Session) -> tuple[int, Constitution] | None:
    """The constitution last adopted (its row's id, and the constitution), if any."""
    row = session.execute(
        select(models.Constitution.id, models.Constitution.content)
        .order_by(models.Constitution.id.desc())
        .limit(1)
    ).first()
    return (row.id, Constitution.model_validate_json(row.content)) if row else None
