"""Each registered patient's use of hospital care, under their pseudonym: the patient-level
data a member practice reads of its own patients, and the CCG's analysts of every practice's.
Never released in the pack: it is served only as `consortia.privacy.access` decides, and each
read is entered in the access record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ibis
from ibis import _

from consortia.analyses.activity import DATASETS as ACTIVITY_DATASETS
from consortia.analyses.activity import scoped_events
from consortia.analyses.population import age_on, registered_on
from consortia.analyses.scope import Scope, Tables, financial_year_label

DATASETS = ACTIVITY_DATASETS
LISTED = 100  # patients a practice's list shows: those with most emergency admissions
USE = {  # column → the points of delivery it counts
    "emergency_admissions": ("emergency",),
    "elective_admissions": ("elective",),
    "ae_attendances": ("ae",),
    "outpatient_attendances": ("op_first", "op_follow_up"),
}


def patient_use(tables: Tables, scope: Scope, listed: int = LISTED) -> Any:
    """The `listed` patients of each practice in scope, registered with it on the last day of
    the scope's period, with most emergency admissions (then most cost) in its latest
    financial year: pseudonym, sex, age that day, deprivation decile, admissions and
    attendances by kind and cost at tariff (events credited to the practice the patient was
    registered with on the day, in scope)."""
    last_day = scope.end - timedelta(days=1)
    year = financial_year_label(scope.first_year + scope.years - 1)
    events = scoped_events(tables, scope)
    latest = events.filter(events.financial_year == year)
    used = latest.group_by("patient_id").aggregate(
        cost=_.cost.sum(),
        **{column: latest.pod.isin(list(pods)).cast("int64").sum() for column, pods in USE.items()},
    )
    people = registered_on(tables, scope, last_day)
    people = people.mutate(age=age_on(people, last_day)).select(
        "practice", "patient_id", "sex", "age", "deprivation_decile"
    )
    joined = people.left_join(used, "patient_id").drop("patient_id_right")
    filled = joined.mutate(
        cost=joined.cost.fill_null(0.0),
        **{column: joined[column].fill_null(0) for column in USE},
    )
    rank = ibis.row_number().over(
        group_by="practice",
        order_by=[
            ibis.desc(filled.emergency_admissions),
            ibis.desc(filled.cost),
            filled.patient_id,
        ],
    )
    ranked = filled.mutate(rank=rank + 1)
    return (
        ranked.filter(ranked["rank"] <= listed)
        .select("practice", "rank", "patient_id", "sex", "age", "deprivation_decile", *USE, "cost")
        .order_by("practice", "rank")
    )
