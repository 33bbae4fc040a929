"""Every write to the governance record, one action function each (see `base`)."""

from consortia.governance.actions import interests, meetings, plans, premium, register
from consortia.governance.actions.base import ACTIONS, Action, Outcome, Refused

__all__ = [
    "ACTIONS",
    "Action",
    "Outcome",
    "Refused",
    "interests",
    "meetings",
    "plans",
    "premium",
    "register",
]
