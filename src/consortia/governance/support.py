"""Commissioning support, read from the store: how dependent the CCG has become on support from
outside, year by year.

GPs' representatives feared outside support becoming "the de facto CCG management" (domain §0,
§7). The dependence indicator is the share of the commissioning-support functions the CCG uses
that someone outside performs, and the share of what support costs that is paid outside; both
are shown with what support costs per head of the member practices' lists.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.store import models


class SupportModel(StrEnum):
    """Who performs the support (domain §7: CSUs and their 2014 externalisation models)."""

    IN_HOUSE = "in_house"
    SUPPORT_UNIT = "support_unit"  # a commissioning support unit hosted by the NHS CB
    PRIVATE_FIRM = "private_firm"
    JOINT_VENTURE = "joint_venture"
    SOCIAL_ENTERPRISE = "social_enterprise"
    STAFF_MUTUAL = "staff_mutual"


class Function(StrEnum):
    """Commissioning-support functions (domain §7)."""

    NEEDS_ASSESSMENT = "needs_assessment"
    BUSINESS_INTELLIGENCE = "business_intelligence"
    RISK_STRATIFICATION = "risk_stratification"
    SERVICE_REDESIGN = "service_redesign"
    COMMUNICATIONS_AND_ENGAGEMENT = "communications_and_engagement"
    PROCUREMENT = "procurement"
    CONTRACT_MONITORING = "contract_monitoring"
    HR = "hr"
    FINANCE = "finance"
    GP_IT = "gp_it"
    CONTINUING_HEALTHCARE = "continuing_healthcare"
    INDIVIDUAL_FUNDING_REQUESTS = "individual_funding_requests"
    MEDICINES_MANAGEMENT = "medicines_management"


def dependence(session: Session, list_size: int) -> list[dict[str, Any]]:
    """Per year: the functions used and those performed outside, what support costs in all and
    outside, both shares, and the cost per head of `list_size` registered patients."""
    years: dict[str, dict[str, Any]] = {}
    for row in session.scalars(
        select(models.SupportArrangement).order_by(
            models.SupportArrangement.year, models.SupportArrangement.id
        )
    ):
        year = years.setdefault(
            row.year, {"functions": set(), "outside": set(), "cost": 0, "cost_outside": 0}
        )
        functions = set(json.loads(row.functions))
        year["functions"] |= functions
        year["cost"] += row.cost_pounds
        if row.model != SupportModel.IN_HOUSE:
            year["outside"] |= functions
            year["cost_outside"] += row.cost_pounds
    shown = []
    for name, year in years.items():
        used, outside = len(year["functions"]), len(year["outside"])
        shown.append(
            {
                "year": name,
                "functions": used,
                "functions_outside": outside,
                "share_of_functions_outside": outside / used if used else None,
                "cost_pounds": year["cost"],
                "cost_outside_pounds": year["cost_outside"],
                "share_of_cost_outside": year["cost_outside"] / year["cost"]
                if year["cost"]
                else None,
                "cost_per_head_pounds": year["cost"] / list_size if list_size else None,
            }
        )
    return shown
