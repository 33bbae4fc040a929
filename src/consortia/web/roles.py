"""Who may reach what, declared once: every route of the application names the roles that may
use it, and a route missing from the table is refused to everyone (default deny).

The roles themselves, and which release of the figures each reads, are declared in
`consortia.privacy.roles`.
"""

from __future__ import annotations

from consortia.privacy.access import READERS, Data
from consortia.privacy.release import Audience
from consortia.privacy.roles import (
    COMMISSIONING,
    EVERYONE,
    LABELS,
    SIGNED_IN,
    Role,
    audience,
)

__all__ = [
    "ACCESS",
    "COMMISSIONING",
    "EVERYONE",
    "LABELS",
    "OPERATOR_ROLES",
    "PERSON_ROLES",
    "SIGNED_IN",
    "Role",
    "audience",
    "may",
    "sensitive",
]


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
    "practice_patients": READERS[Data.PATIENT_LEVEL],  # and each its own practice's only
    "practice_reidentify": READERS[Data.IDENTIFIED],  # a practice, its own patients only
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


def may(role: Role, route: str | None) -> bool:
    """Whether `role` may use the route named `route`; a route not in the table: nobody."""
    return route is not None and role in ACCESS.get(route, frozenset())


# Routes that serve the pack's figures: counts for practices and small groups as they are,
# to the roles that read the governing body's release (the others read the public's).
FIGURE_ROUTES = frozenset({"pack", "section", "practices", "practice", "api_figures", "api_figure"})


# Routes serving patient-level data: decided and noted in their handler, which knows whose.
PATIENT_ROUTES = {"practice_patients": Data.PATIENT_LEVEL, "practice_reidentify": Data.IDENTIFIED}


def sensitive(route: str | None, role: Role) -> Data | None:
    """The kind of sensitive data `route` serves to `role`, if any (`consortia.privacy.access`)."""
    if route in PATIENT_ROUTES:
        return PATIENT_ROUTES[route]
    if route in FIGURE_ROUTES and audience(role) is Audience.GOVERNING_BODY:
        return Data.SMALL_AREA
    return None
