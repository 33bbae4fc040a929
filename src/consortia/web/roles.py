"""Who may reach what, declared once: every route of the application names the roles that may
use it, and a route missing from the table is refused to everyone (default deny).

The roles are the people and bodies around a CCG (issue 13; domain §1): the public, member
practices and their GPs, the governing body and its chair, the CCG's analysts, the Local
Medical Committee, the Health and Wellbeing Board, the NHS Commissioning Board, auditors and
the administrator. The roles with a part in commissioning read the pack as the governing body
does; everyone else (the public, and the LMC and the Health and Wellbeing Board, which are
bodies outside the CCG) reads the figures released to the public under the small-number rule
(`consortia.privacy.release`).
"""

from __future__ import annotations

from enum import StrEnum

from consortia.privacy.release import Audience


class Role(StrEnum):
    """A role a person signs in with (or `public`, for everyone who has not)."""

    PUBLIC = "public"
    MEMBER_PRACTICE = "member_practice"
    GP_MEMBER = "gp_member"
    GOVERNING_BODY_MEMBER = "governing_body_member"
    CHAIR = "chair"
    ANALYST = "analyst"
    LMC = "lmc"
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board"
    NHS_COMMISSIONING_BOARD = "nhs_commissioning_board"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        """The role in words, as a page shows it."""
        return LABELS.get(self, self.value.replace("_", " "))


LABELS = {
    Role.GP_MEMBER: "GP member",
    Role.LMC: "Local Medical Committee",
    Role.HEALTH_AND_WELLBEING_BOARD: "Health and Wellbeing Board",
    Role.NHS_COMMISSIONING_BOARD: "NHS Commissioning Board",
}


EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.PUBLIC}
# The roles that read the pack's figures as the governing body does (the others: as released
# to the public).
COMMISSIONING = frozenset(
    {
        Role.MEMBER_PRACTICE,
        Role.GP_MEMBER,
        Role.GOVERNING_BODY_MEMBER,
        Role.CHAIR,
        Role.ANALYST,
        Role.NHS_COMMISSIONING_BOARD,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    }
)

# Route name -> the roles that may use it. The governance record's pages are published to
# everyone, as the registers, minutes and plans are (2014 statutory guidance; domain §3).
ACCESS: dict[str, frozenset[Role]] = {
    "home": EVERYONE,
    "sign_in_form": EVERYONE,
    "sign_in": EVERYONE,
    "sign_out": SIGNED_IN,
    "actions": SIGNED_IN,
    "action_form": SIGNED_IN,
    "act": SIGNED_IN,
    "pack": EVERYONE,
    "section": EVERYONE,
    "practices": EVERYONE,
    "practice": EVERYONE,
    "record_page": EVERYONE,
    "assets": EVERYONE,
    "api_figures": EVERYONE,
    "api_figure": EVERYONE,
    "api_record": EVERYONE,
    "openapi": EVERYONE,
}


# Which roles may offer which governance actions through the site. Setting the record up
# (organisations, people, the constitution, the governing body) is the administrator's; every
# other action is offered to anyone signed in as a person of the record, and the action layer
# then applies the record's own rules (only the chair rules, only a voting member votes).
OPERATOR_ROLES = frozenset({Role.ADMINISTRATOR})
PERSON_ROLES = SIGNED_IN


def audience(role: Role) -> Audience:
    """Which release of the pack's figures `role` reads."""
    return Audience.GOVERNING_BODY if role in COMMISSIONING else Audience.PUBLIC


def may(role: Role, route: str | None) -> bool:
    """Whether `role` may use the route named `route`; a route not in the table: nobody."""
    return route is not None and role in ACCESS.get(route, frozenset())
