"""Roles and permissions as data: who sits where, who may vote, and who may take which action."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Role:
    """A seat's role on a committee or the governing body."""

    name: str
    description: str
    lay: bool = False
    executive: bool = False
    votes: bool = True


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("chair", "chairs the body's meetings"),
        Role("deputy_chair", "chairs when the chair cannot, or is conflicted"),
        Role("accountable_officer", "the CCG's accountable officer (ex officio)", executive=True),
        Role("cfo", "chief finance officer, with an accountancy qualification", executive=True),
        Role("executive", "another employee of the CCG", executive=True),
        Role("lay_audit", "lay member for audit and governance (reg 12(4))", lay=True),
        Role("lay_ppi", "lay member for patient and public involvement (reg 12(3))", lay=True),
        Role("lay", "another lay member", lay=True),
        Role("nurse", "registered nurse"),
        Role("secondary_care_doctor", "secondary care specialist doctor"),
        Role("gp", "a GP: partner, salaried or sessional"),
        Role("practice_representative", "the representative a member practice nominated"),
        Role("coi_guardian", "conflicts of interest guardian (2016 guidance)"),
        Role("lmc_representative", "LMC representative attending", votes=False),
        Role("observer", "attends without a vote", votes=False),
    )
}

# Groups a quorum rule may name; a constitution may add its own (`role_groups`).
DEFAULT_GROUPS: dict[str, frozenset[str]] = {
    "lay": frozenset(name for name, role in ROLES.items() if role.lay),
    "executive": frozenset(name for name, role in ROLES.items() if role.executive),
    "chief_officer": frozenset({"accountable_officer"}),
    "clinician": frozenset({"gp", "nurse", "secondary_care_doctor"}),
    "delegate": frozenset({"delegate"}),
}

# Roles a member gets in a members' meeting, by how they are entitled to vote.
MEMBER_ROLES = frozenset({"practice_representative", "gp", "delegate"})


class Clinician(StrEnum):
    """What kind of clinician a person is, if any."""

    GP_PARTNER = "gp_partner"
    GP_SALARIED = "gp_salaried"
    GP_SESSIONAL = "gp_sessional"
    NURSE = "nurse"


GPS = frozenset({Clinician.GP_PARTNER, Clinician.GP_SALARIED, Clinician.GP_SESSIONAL})


class Who(StrEnum):
    """Who may perform an action."""

    OPERATOR = "operator"  # anyone named; the record keeps the name (setting up the register)
    PERSON = "person"  # a person on the register
    ITEM_CHAIR = "item_chair"  # whoever chairs the item (the deputy if the chair is conflicted)
    MEETING_CHAIR = "meeting_chair"  # whoever chairs the meeting


PERMISSIONS: dict[str, Who] = {
    "adopt_constitution": Who.OPERATOR,
    "register_organisation": Who.OPERATOR,
    "register_person": Who.OPERATOR,
    "affiliate": Who.OPERATOR,
    "nominate_representative": Who.OPERATOR,
    "appoint": Who.OPERATOR,
    "constitute_governing_body": Who.OPERATOR,
    "declare_interest": Who.PERSON,
    "end_interest": Who.PERSON,
    "confirm_interests": Who.PERSON,
    "record_gift": Who.PERSON,
    "approve_hospitality": Who.PERSON,
    "record_breach": Who.PERSON,
    "open_meeting": Who.PERSON,
    "attend": Who.MEETING_CHAIR,
    "add_item": Who.MEETING_CHAIR,
    "take_declarations": Who.MEETING_CHAIR,
    "rule_on_conflict": Who.ITEM_CHAIR,
    "record_lmc_consultation": Who.ITEM_CHAIR,
    "co_opt": Who.ITEM_CHAIR,
    "call_vote": Who.ITEM_CHAIR,
    "cast_vote": Who.PERSON,
    "close_item": Who.ITEM_CHAIR,
    # The commissioning plan: recorded by anyone on the register (the secretary, usually); the
    # record keeps who. The bodies who spoke are named in the step itself.
    "draft_plan": Who.PERSON,
    "revise_plan": Who.PERSON,
    "cite_evidence": Who.PERSON,
    "consult_members": Who.PERSON,
    "consult_lmc": Who.PERSON,
    "record_senate_advice": Who.PERSON,
    "record_hwb_opinion": Who.PERSON,
    "respond_to_hwb": Who.PERSON,
    "refer_to_board": Who.PERSON,
    "record_board_assurance": Who.PERSON,
    "publish_plan": Who.PERSON,
    "record_premium_payment": Who.PERSON,
    "spend_premium": Who.PERSON,
    "open_aqp_service": Who.PERSON,
    "qualify_provider": Who.PERSON,
    "refer_to_aqp_service": Who.PERSON,
    "record_support_arrangement": Who.PERSON,
    # The Board's decisions on the CCG, recorded by a person on the register; the Board (an
    # organisation of kind nhs_commissioning_board) is named in each.
    "decide_authorisation": Who.PERSON,
    "review_authorisation": Who.PERSON,
    "issue_direction": Who.PERSON,
    "revoke_direction": Who.PERSON,
}


def expand(name: str, groups: dict[str, list[str]] | None = None) -> set[str]:
    """The roles a name in a quorum rule covers: a group's roles, or the role itself."""
    if groups and name in groups:
        return set(groups[name]) | {name}
    if name in DEFAULT_GROUPS:
        return set(DEFAULT_GROUPS[name]) | {name}
    return {name}


def known_names(groups: dict[str, list[str]] | None = None) -> set[str]:
    """Every role and group name a quorum rule may use."""
    return set(ROLES) | set(DEFAULT_GROUPS) | set(groups or {})
