"""The record's codes and values in the words a reader of the pages expects.

The record stores codes (`leave_item`, `does_not_take_proper_account`); a page says what they
mean. A code not listed here is shown with its underscores as spaces, never hidden.
"""

from __future__ import annotations

import math
from datetime import date

_WORDS: dict[str, dict[str, str]] = {
    "ruling": {
        "none": "Declaration noted: takes part and votes",
        "discuss_not_vote": "May take part in the discussion but not vote",
        "leave_item": "Left the meeting for this item",
        "exclude": "Excluded from the rest of the meeting",
    },
    "source": {
        "declared": "declared at the meeting",
        "register": "from the register of interests",
        "affiliation": "from their link to an organisation the item affects",
        "practice": "from their practice, which the item affects",
    },
    "status": {
        "open": "Open",
        "declared": "Declarations made",
        "voting": "Voting",
        "decided": "Decided",
        "referred_to_governing_body": "Referred to the governing body",
        "deferred": "Deferred",
        "draft": "Draft",
        "approved": "Approved",
        "published": "Published",
    },
    "step": {
        "members_consulted": "Member practices consulted",
        "lmc_consulted": "Local Medical Committee consulted",
        "senate_advice": "Clinical senate's advice",
        "hwb_opinion": "Health and Wellbeing Board's opinion",
        "hwb_referral": "Referred to the NHS Commissioning Board",
        "ccg_response": "The CCG's response",
        "published": "Plan published",
        "board_assurance": "NHS Commissioning Board's assurance",
    },
    "opinion": {
        "takes_proper_account": "takes proper account of the joint health and wellbeing strategy",
        "does_not_take_proper_account": (
            "does not take proper account of the joint health and wellbeing strategy"
        ),
    },
    "opinion_tag": {
        "takes_proper_account": "takes proper account",
        "does_not_take_proper_account": "does not take proper account",
    },
    "choice": {"for": "For", "against": "Against", "abstain": "Abstained"},
    "threshold": {
        "majority": "a simple majority",
        "two_thirds": "a two-thirds majority",
    },
    "gift": {
        "accept": "Accepted",
        "accept_and_declare": "Accepted and declared",
        "accept_on_behalf_of_organisation": "Accepted on behalf of the organisation",
        "decline": "Declined",
        "refuse_unless_senior_approval": "Refused (above the limit, no senior approval)",
        "accept_with_senior_approval": "Accepted with senior approval",
    },
    "authorisation": {
        "authorised": "Authorised",
        "authorised_with_conditions": "Authorised with conditions",
        "established_not_authorised": "Established but not authorised",
    },
    "assurance": {
        "assured": "Assured",
        "assured_with_actions": "Assured, with actions",
        "not_assured": "Not assured",
    },
    "support_level": {
        "1": "a model document or toolkit",
        "2": "expert advice",
        "3": "decisions that need the Board's sign-off",
        "4": "a team backed by legal directions",
        "5": "functions exercised by another CCG or the Board, under legal directions",
        "6": "the accountable officer replaced, under legal directions",
    },
    "support_model": {
        "in_house": "In house, by the CCG's own staff",
        "support_unit": "A commissioning support unit hosted by the NHS Commissioning Board",
        "private_firm": "A private firm",
        "joint_venture": "A joint venture",
        "social_enterprise": "A social enterprise",
        "staff_mutual": "A staff mutual",
    },
    "function": {
        "needs_assessment": "needs assessment",
        "business_intelligence": "business intelligence",
        "risk_stratification": "risk stratification",
        "service_redesign": "service redesign",
        "communications_and_engagement": "communications and engagement",
        "procurement": "procurement",
        "contract_monitoring": "contract monitoring",
        "hr": "human resources",
        "finance": "finance",
        "gp_it": "GP IT",
        "continuing_healthcare": "continuing healthcare",
        "individual_funding_requests": "individual funding requests",
        "medicines_management": "medicines management",
    },
    "purpose": {
        "quality_improvement": "Improving the quality of services or outcomes",
        "reducing_inequalities": "Reducing inequalities",
        "practice_incentive_scheme": "An incentive scheme for practices",
    },
}

# Codes whose tag is green (good news), red (a failure) or orange (a warning).
_TONE = {
    "carried": "green",
    "decided": "green",
    "published": "green",
    "quorate": "green",
    "takes_proper_account": "green",
    "lost": "red",
    "inquorate": "red",
    "does_not_take_proper_account": "red",
    "late": "orange",
    "referred_to_governing_body": "orange",
    "deferred": "orange",
    "authorised": "green",
    "authorised_with_conditions": "orange",
    "established_not_authorised": "red",
    "assured": "green",
    "assured_with_actions": "orange",
    "not_assured": "red",
}


def word(kind: str, code: str | None) -> str:
    """A code of the record in words; an unknown one with its underscores as spaces."""
    if code is None:
        return ""
    return _WORDS.get(kind, {}).get(code) or code.replace("_", " ")


def sentence(text: str) -> str:
    """`text` with its first letter in capitals, for a heading or a table cell."""
    return text[:1].upper() + text[1:]


def tone(code: str | None) -> str:
    """The NHS tag colour of a code: green, red, orange, or grey for a plain fact."""
    return _TONE.get(code or "", "grey")


def day(iso: str | None) -> str:
    """An ISO date as people write it: "3 February 2016"; empty for none."""
    if not iso:
        return ""
    value = date.fromisoformat(iso)
    return f"{value.day} {value:%B %Y}"


def pounds(value: int) -> str:
    """Whole pounds with thousands separated: "£25,170,000"."""
    return f"£{value:,}"


def pence(value: int) -> str:
    """Pence as pounds and pence: "£120.00"."""
    return f"£{value // 100:,}.{value % 100:02d}"


def share(value: float | None) -> str:
    """A fraction as a whole percentage: "25%"; a dash where there is nothing to divide."""
    return "–" if value is None else f"{math.floor(value * 100 + 0.5)}%"  # halves round up


def count(value: int) -> str:
    """A count with thousands separated: "78,000"."""
    return f"{value:,}"


def listing(parts: list[str]) -> str:
    """Words joined as a list is written: "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
