"""What a risk model knows of each registered patient on a reference date, and what happened
to them after it: one analysis definition, so the same features run on DuckDB and Spark.

The features are those of the combined predictive models the NHS bought (the King's Fund's
Combined Predictive Model, and PARR before it): age, sex, deprivation, long-term conditions on
the practice's registers, and the patient's use of hospital care in the year before — emergency
and elective admissions, A&E and outpatient attendances, their cost at tariff, and how recently
they were last admitted as an emergency. The outcome is emergency admission in the year after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
from ibis import _

from consortia.analyses.activity import activity_events
from consortia.analyses.population import age_on, registered_on, registered_population
from consortia.analyses.scope import Scope, Tables
from consortia.schema.codes import CONDITION

DATASETS = ("patient", "registration", "practice", "condition", "apc", "op", "ae")
YEAR = 365  # the look-back before the reference date and the horizon after it, in days
CONDITIONS = tuple(CONDITION.values)
USE = {  # column → the points of delivery it counts in the year before
    "emergency_admissions": ("emergency",),
    "elective_admissions": ("elective",),
    "ae_attendances": ("ae",),
    "outpatient_attendances": ("op_first", "op_follow_up"),
}
# Days since the last emergency admission for a patient with none in the look-back: one more
# than the look-back, so "longer ago than we can see" sorts after every day we can.
NEVER = YEAR + 1


# Most patients a model is trained and judged on: a larger lake is sampled at random (by
# pseudonym, itself a keyed hash) to about this many. Gradient boosting gains little beyond a
# few hundred thousand patients, and England's 56 million would not fit in memory.
MOST = 1_000_000
SAMPLE_OF = 100_000  # a sample keeps the patients whose pseudonym modulo this is below a cut


@dataclass(frozen=True)
class Sample:
    """Patients chosen at random by pseudonym (itself a keyed hash): those whose pseudonym
    modulo `of` is below `cut`, about cut/of of them."""

    cut: int
    of: int

    def keeps(self, patient_id: Any) -> Any:
        """Whether each patient is in the sample."""
        return patient_id % self.of < self.cut


PERSON = ("practice", "patient_id", "sex", "age", "deprivation_decile")
FEATURES = (
    "male",
    "age",
    "deprivation_decile",
    *CONDITIONS,
    "conditions",
    *USE,
    "cost",
    "days_since_emergency",
)


def sample_of(
    backend: Any, tables: Tables, reference: date, most: int | None, ccg: str | None = None
) -> Sample | None:
    """The sample of about `most` patients a model reads of those registered on `reference`
    with a practice of `ccg` (every CCG when None): None when there are no more than `most`
    (or `most` is None), everyone then being read. Counted from the registered population by
    practice (`registered_population`), which a pack keeps: the same count in every pack."""
    if most is None:
        return None
    listed = registered_population(tables, Scope(ccg), reference).patients.sum()
    people = int(backend.execute(listed.fill_null(0)))
    return Sample(max(1, SAMPLE_OF * most // people), SAMPLE_OF) if people > most else None


def features(
    tables: Tables,
    scope: Scope,
    reference: date,
    horizon: int | None = YEAR,
    sample: Sample | None = None,
) -> Any:
    """Each patient registered (and alive) on `reference` with a practice in scope: who they
    are (practice, pseudonym, sex, age that day, deprivation decile), the `FEATURES` a model
    reads, and — when `horizon` is given — `admitted`, their emergency admissions in the
    `horizon` days from `reference` (with any practice: the outcome is the patient's own).

    Conditions are those recorded before `reference`; use counts the `YEAR` days before it,
    with any practice; cost is at tariff over the same days. With a `sample`, only its
    patients: chosen before their conditions and use are counted, so a sample of a large lake
    costs a scan of its records, not their grouping by everyone.
    """
    people = registered_on(tables, scope, reference)
    if sample is not None:
        people = people.filter(sample.keeps(people.patient_id))
    people = people.select(
        "practice",
        "patient_id",
        "sex",
        "deprivation_decile",
        male=(people.sex == "M").cast("int8"),
        age=age_on(people, reference),
    )
    condition = tables["condition"]
    recorded = condition.filter(condition.recorded_on < reference)
    if sample is not None:
        recorded = recorded.filter(sample.keeps(recorded.patient_id))
    registers = recorded.group_by("patient_id").aggregate(
        **{name: (recorded.condition == name).cast("int8").max() for name in CONDITIONS}
    )
    events = activity_events(tables)
    if sample is not None:
        events = events.filter(sample.keeps(events.patient_id))
    before = events.filter(
        (events.activity_date >= reference - timedelta(days=YEAR))
        & (events.activity_date < reference)
    )
    emergency_days = ibis.ifelse(
        before.pod == "emergency",
        ibis.literal(reference).delta(before.activity_date, unit="day"),
        ibis.null("int64"),
    )
    used = before.group_by("patient_id").aggregate(
        cost=before.cost.sum(),
        nearest=emergency_days.min(),
        **{column: before.pod.isin(list(pods)).cast("int64").sum() for column, pods in USE.items()},
    )
    joined = (
        people.left_join(registers, "patient_id")
        .drop("patient_id_right")
        .left_join(used, "patient_id")
        .drop("patient_id_right")
    )
    filled = joined.mutate(
        cost=joined.cost.fill_null(0.0),
        days_since_emergency=joined.nearest.fill_null(NEVER),
        **{name: joined[name].fill_null(0) for name in (*CONDITIONS, *USE)},
    )
    filled = filled.mutate(conditions=sum((filled[name] for name in CONDITIONS), ibis.literal(0)))
    result = filled.select(*PERSON, *(name for name in FEATURES if name not in PERSON))
    if horizon is not None:
        result = _with_outcome(result, events, reference, horizon)
    return result.order_by("practice", "patient_id")


def _with_outcome(people: Any, events: Any, reference: date, horizon: int) -> Any:
    """`people` with `admitted`: emergency admissions in the `horizon` days from `reference`."""
    after = events.filter(
        (events.pod == "emergency")
        & (events.activity_date >= reference)
        & (events.activity_date < reference + timedelta(days=horizon))
    )
    admitted = after.group_by("patient_id").aggregate(admitted=_.count())
    joined = people.left_join(admitted, "patient_id").drop("patient_id_right")
    return joined.mutate(admitted=joined.admitted.fill_null(0))
