"""Every write to the governance record, one action function each (see `base`)."""

from consortia.governance.actions import (
    aqp,
    authorisation,
    interests,
    meetings,
    plans,
    premium,
    register,
    support,
)
from consortia.governance.actions.base import ACTIONS, Action, Outcome, Refused

__all__ = [
    "ACTIONS",
    "Action",
    "Outcome",
    "Refused",
    "aqp",
    "authorisation",
    "interests",
    "meetings",
    "plans",
    "premium",
    "register",
    "support",
]
