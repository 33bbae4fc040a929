"""The roles of the people and bodies around a CCG, and which release of the figures each reads.

The roles are the people and bodies around a CCG (issue 13; domain §1): the public, member
practices and their GPs, the governing body and its chair, the CCG's analysts, the Local
Medical Committee, the Health and Wellbeing Board, the NHS Commissioning Board, auditors and
the administrator. The roles with a part in commissioning read the pack as the governing body
does; everyone else (the public, and the LMC and the Health and Wellbeing Board, which are
bodies outside the CCG) reads the figures released to the public under the small-number rule
(`consortia.privacy.release`). Who may read sensitive data is `consortia.privacy.access`'s;
which page or API route each role may use is the web's (`consortia.web.roles`).
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


def audience(role: Role) -> Audience:
    """Which release of the pack's figures `role` reads."""
    return Audience.GOVERNING_BODY if role in COMMISSIONING else Audience.PUBLIC
