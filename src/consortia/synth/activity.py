"""Hospital activity of a cohort: admitted spells, outpatient appointments, A&E attendances.

Every kind of care is a Poisson process per patient-year whose rate is a log-linear function of
age, sex, deprivation, long-term conditions, latent frailty and the practice's own effect, with
a calibrated level and a seasonal intensity through the year. Emergency admission also depends
on the previous year's emergency admissions and A&E attendances (the risk equation); each
patient's true second-year rate and probability are kept for the ground-truth folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from consortia.synth import catalogue, params
from consortia.synth.calendar import (
    DAYS,
    DAYS_PER_YEAR,
    YEAR_STARTS,
    Intensity,
    intensity,
    next_working_day,
    weekday_of,
)
from consortia.synth.catalogue import age_group, draw_rows
from consortia.synth.people import Cohort
from consortia.synth.tariff import prices

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

KINDS = ("emergency", "ae", "ae_minor", "elective", "op_first", "maternity")
LATENT_YEARS = (-2, -1)  # the two years before the period: they give year one its prior use
_HOURS = np.array(  # A&E arrivals by hour of day (midnight first): quiet nights, busy days
    [
        2,
        1.6,
        1.3,
        1.1,
        1,
        1,
        1.3,
        2,
        3.4,
        4.8,
        5.4,
        5.5,
        5.3,
        5.2,
        5.1,
        5.1,
        5.1,
        5.2,
        5.1,
        4.8,
        4.4,
        3.9,
        3.2,
        2.5,
    ]
)


@dataclass(frozen=True)
class Levels:
    """Calibrated levels that turn the model's shapes into national rates (see calibrate.py)."""

    condition_shift: FloatArray
    death: float
    rate: dict[str, float]  # kind → multiplier of the rate shape, per person-year
    follow_ups: float  # multiplier of each specialty's follow-ups per first attendance
    dna: float  # chance of a missed appointment before an attended one, at the reference
    ambulance: float  # multiplier of the arrival-by-ambulance profile
    via_ae: float  # share of emergency admissions that arrive through A&E
    breach: float  # chance a discharged A&E patient stays over four hours
    rtt_log_median: float  # log-normal median of referral-to-treatment weeks (NHS providers)
    stay: float  # multiplier of emergency lengths of stay
    gp_referred_share: float  # share of first outpatient attendances referred by a GP


@dataclass(frozen=True)
class Setting:
    """What activity generation needs of the economy around a cohort, indexed by practice."""

    effects: dict[str, FloatArray]
    provider_shares: FloatArray  # (practices, 3)
    nhs_providers: IntArray  # (practices, 3) provider indices
    independent_providers: IntArray  # (practices, 2) provider indices
    provider_codes: tuple[str, ...]


@dataclass(frozen=True)
class Events:
    """Rows of one dataset before they become a table: patient positions and columns."""

    patient: IntArray
    columns: dict[str, npt.NDArray[Any]]

    def __len__(self) -> int:
        return len(self.patient)


@dataclass(frozen=True)
class EmergencyTruth:
    """Each patient's true second-year emergency admission rate, exposure and probability."""

    annual_rate: FloatArray
    exposure: FloatArray
    probability: FloatArray


def year_day(year: int) -> int:
    """First day of `year` (0 = 2013/14, 1 = 2014/15, negative = before the period)."""
    return YEAR_STARTS[year] if year >= 0 else year * 365


def log_rate(cohort: Cohort, kind: str, year: int, setting: Setting | None) -> FloatArray:
    """Log rate per person-year of `kind` in `year`, before the calibrated level."""
    day = year_day(year)
    age = cohort.age_on(day)
    base = params.interpolate(params.ACTIVITY_AGE_RATE[kind], np.maximum(age, 0.0))
    base = base * np.where(cohort.male, params.ACTIVITY_MALE_RR[kind], 1.0)
    with np.errstate(divide="ignore"):
        result = np.where((age >= 0) & (base > 0), np.log(np.maximum(base, 1e-300)), -np.inf)
    result = result + params.ACTIVITY_DEPRIVATION[kind] * cohort.deprivation_score
    result = result + params.ACTIVITY_FRAILTY[kind] * cohort.frailty
    rr = params.ACTIVITY_CONDITION_RR[kind]
    if rr:
        log_rr = np.array([np.log(rr.get(c, 1.0)) for c in params.CONDITIONS])
        summed = cohort.conditions_before(day) @ log_rr
        ceiling = params.CONDITION_LOG_RR_CEILING
        result = result + ceiling * (1.0 - np.exp(-summed / ceiling))
    if setting is not None:
        result = result + practice_effect(cohort, kind, setting)
    return result


def yearly_rate(level: float, log_shape: FloatArray) -> FloatArray:
    """Expected events a year: the calibrated level times the shape, within the ceiling."""
    return np.minimum(level * np.exp(log_shape), params.MAX_YEARLY_RATE)


def practice_effect(cohort: Cohort, kind: str, setting: Setting) -> FloatArray:
    """The patient's practice's log effect on `kind` (GP referral applies to its own stream)."""
    if kind == "emergency":
        return setting.effects["emergency"][cohort.practice]
    if kind in ("ae", "ae_minor"):  # a practice's effect on A&E use reaches every type
        return setting.effects["ae"][cohort.practice]
    if kind == "elective":
        return params.ELECTIVE_REFERRAL_ELASTICITY * setting.effects["gp_referral"][cohort.practice]
    return np.zeros(len(cohort))


def window(cohort: Cohort, year: int) -> tuple[Int32Array, Int32Array]:
    """Registered days [start, end) of each patient within `year` of the period."""
    start = np.maximum(cohort.registered_from, YEAR_STARTS[year])
    end = np.minimum(cohort.registered_to, YEAR_STARTS[year + 1])
    return start.astype(np.int32), np.maximum(end, start).astype(np.int32)


def person_years(cohort: Cohort, year: int) -> FloatArray:
    """Registered years of each patient in `year`."""
    start, end = window(cohort, year)
    return (end - start) / 365.0


def prior_terms(prior_emergency: IntArray, prior_ae: IntArray) -> FloatArray:
    """The risk equation's prior-use terms."""
    return params.PRIOR_EMERGENCY_COEF * np.minimum(
        prior_emergency, params.PRIOR_EMERGENCY_CAP
    ) + params.PRIOR_AE_COEF * np.minimum(prior_ae, params.PRIOR_AE_CAP)


@dataclass(frozen=True)
class UseCounts:
    """Emergency admissions and unlinked A&E attendances per patient and year of the period."""

    emergency: list[IntArray]
    ae: list[IntArray]
    truth: EmergencyTruth


def simulate_use(
    rng: np.random.Generator, cohort: Cohort, levels: Levels, setting: Setting | None
) -> UseCounts:
    """Run the emergency risk equation year by year, latent years first."""
    n = len(cohort)
    prior_emergency = np.zeros(n, dtype=np.int64)
    prior_ae = np.zeros(n, dtype=np.int64)
    emergency: list[IntArray] = []
    ae: list[IntArray] = []
    lam = exposure = np.zeros(n)
    for year in (*LATENT_YEARS, 0, 1):
        lam = yearly_rate(
            levels.rate["emergency"],
            log_rate(cohort, "emergency", year, setting) + prior_terms(prior_emergency, prior_ae),
        )
        lam_ae = yearly_rate(levels.rate["ae"], log_rate(cohort, "ae", year, setting))
        if year < 0:
            exposure = exposure_ae = np.ones(n)
        else:
            start, end = window(cohort, year)
            exposure = intensity("emergency").exposure(start, end)
            exposure_ae = intensity("ae").exposure(start, end)
        n_emergency = rng.poisson(lam * exposure)
        n_ae = rng.poisson(lam_ae * exposure_ae)
        prior_emergency = n_emergency
        prior_ae = n_ae + rng.binomial(n_emergency, levels.via_ae)
        if year >= 0:
            emergency.append(n_emergency)
            ae.append(n_ae)
    truth = EmergencyTruth(lam, exposure, 1.0 - np.exp(-lam * exposure))
    return UseCounts(emergency, ae, truth)


def expand(
    rng: np.random.Generator,
    counts: IntArray,
    start: Int32Array,
    end: Int32Array,
    profile: Intensity,
) -> tuple[IntArray, Int32Array]:
    """Events from per-patient counts: (patient position, day) drawn over each window."""
    patient = np.repeat(np.arange(len(counts)), counts)
    return patient, profile.draw_days(rng, start[patient], end[patient])


def events_by_year(
    rng: np.random.Generator, cohort: Cohort, counts: list[IntArray], profile: str
) -> tuple[IntArray, Int32Array]:
    """Events of each year's per-patient counts, dated within each patient's registered days."""
    patients, days = [], []
    for year, n in enumerate(counts):
        start, end = window(cohort, year)
        p, d = expand(rng, n, start, end, intensity(profile))
        patients.append(p)
        days.append(d)
    return np.concatenate(patients), np.concatenate(days)


def yearly_counts(
    rng: np.random.Generator,
    cohort: Cohort,
    kind: str,
    level: float,
    setting: Setting | None,
    profile: str,
) -> list[IntArray]:
    """Per-patient Poisson counts of `kind` in each year of the period."""
    counts = []
    for year in (0, 1):
        start, end = window(cohort, year)
        lam = yearly_rate(level, log_rate(cohort, kind, year, setting))
        counts.append(rng.poisson(lam * intensity(profile).exposure(start, end)))
    return counts


# ---------------------------------------------------------------------------------------------
# Providers


def nhs_provider(
    rng: np.random.Generator, cohort: Cohort, setting: Setting, patient: IntArray, home: IntArray
) -> IntArray:
    """An NHS provider per episode: the patient's usual hospital, or another by practice share."""
    practice = cohort.practice[patient]
    other = draw_rows(rng, setting.provider_shares[practice])
    slot = np.where(rng.random(len(patient)) < params.HOME_PROVIDER_LOYALTY, home[patient], other)
    return setting.nhs_providers[practice, slot]


def usual_hospital(rng: np.random.Generator, cohort: Cohort, setting: Setting) -> IntArray:
    """Each patient's usual NHS hospital (slot 0–2 of their CCG's providers)."""
    return draw_rows(rng, setting.provider_shares[cohort.practice])


def planned_provider(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    patient: IntArray,
    home: IntArray,
    functions: StrArray,
    day: Int32Array,
) -> IntArray:
    """Planned care: the independent sector takes a growing share where it competes."""
    provider = nhs_provider(rng, cohort, setting, patient, home)
    eligible = np.isin(functions, params.INDEPENDENT_SECTOR_FUNCTIONS)
    share = np.where(day >= YEAR_STARTS[1], *reversed(params.INDEPENDENT_SECTOR_SHARE))
    to_independent = eligible & (rng.random(len(patient)) < share)
    which = rng.integers(0, 2, len(patient))
    independent = setting.independent_providers[cohort.practice[patient], which]
    return np.where(to_independent, independent, provider)


# ---------------------------------------------------------------------------------------------
# Admitted patient care


def _stay(rng: np.random.Generator, mean: FloatArray, zero_share: float) -> IntArray:
    """Length of stay in days: a share of zero-day stays, else geometric with the given mean."""
    positive_mean = np.maximum(mean / (1.0 - zero_share), 1.0)
    days = rng.geometric(1.0 / positive_mean)
    return np.where(rng.random(len(mean)) < zero_share, 0, days).astype(np.int64)


def emergency_spells(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    levels: Levels,
    counts: UseCounts,
    home: IntArray,
) -> Events:
    """Emergency spells, their diagnoses (register-linked or general), stays and providers."""
    patient, day = events_by_year(rng, cohort, counts.emergency, "emergency")
    cat = catalogue.emergency()
    age = cohort.age[patient] + day / DAYS_PER_YEAR
    group = age_group(age)
    linked_rows = cat.rows("linked")
    has = cohort.recorded_on[patient][:, cat.condition[linked_rows]] < day[:, None]
    link_weight = cat.weights[linked_rows][:, group].T * has
    p_link = 1.0 - np.prod(1.0 - link_weight, axis=1)
    linked = rng.random(len(patient)) < p_link
    general = cat.draw(rng, cat.rows("general"), age, cohort.male[patient])
    row = np.where(linked, linked_rows[draw_rows(rng, link_weight + 1e-12)], general)
    mean_stay = params.interpolate(params.EMERGENCY_LOS_BY_AGE, age) * cat.value[row] * levels.stay
    stay = _stay(rng, mean_stay, params.EMERGENCY_ZERO_DAY_SHARE)
    provider = nhs_provider(rng, cohort, setting, patient, home)
    return _spells(cohort, patient, day, stay, row, cat, provider, "emergency", "non_elective")


def _spells(
    cohort: Cohort,
    patient: IntArray,
    day: Int32Array,
    stay: IntArray,
    row: IntArray,
    cat: catalogue.Catalogue,
    provider: IntArray,
    method: str | StrArray,
    pod: str | StrArray,
) -> Events:
    """Spell rows; a stay ends no later than the patient's death."""
    discharged = np.minimum(day + stay, np.maximum(cohort.died_on[patient], day))
    stay = (discharged - day).astype(np.int64)
    hrg = np.asarray(cat.hrg)[row]
    pods = np.broadcast_to(np.asarray(pod), len(row))
    return Events(
        patient,
        {
            "provider": provider,
            "admitted_on": day,
            "discharged_on": discharged.astype(np.int32),
            "method": np.broadcast_to(np.asarray(method), len(row)).astype(str),
            "day_case": np.zeros(len(row), dtype=bool),
            "primary_diagnosis": np.asarray(cat.code)[row],
            "hrg": hrg,
            "treatment_function": np.asarray(cat.treatment_function)[row],
            "cost": prices().cost(pods, hrg, stay),
            "rtt_weeks": np.full(len(row), -1, dtype=np.int64),
        },
    )


def without_overlaps(spells: Events, cohort: Cohort) -> Events:
    """Spells moved so that none starts while the same patient is still an inpatient.

    Spells are taken in order of admission within each patient (a transfer after the spell it
    continues); one that starts before an earlier spell's discharge is moved to that discharge
    day, keeping its length, as a real second admission would wait for the first to end. A
    moved spell that would then start after the patient's death, registration or the period is
    dropped; one that would end after death ends on the day of death.
    """
    admitted = spells.columns["admitted_on"].astype(np.int64)
    stay = spells.columns["discharged_on"].astype(np.int64) - admitted
    transfer = spells.columns["method"] == "transfer"
    order = np.lexsort((transfer, admitted, spells.patient))
    patient = spells.patient[order]
    start = admitted[order].copy()
    length = stay[order]
    first = np.r_[True, patient[1:] != patient[:-1]]
    for _ in range(64):  # each pass settles at least one more spell of every patient
        end = start + length
        reach = np.maximum.accumulate(np.where(first, -1, np.r_[-1, end[:-1]]) + _offsets(patient))
        reach = reach - _offsets(patient)
        late = start < reach
        if not late.any():
            break
        start = np.where(late, reach, start)
    limit = np.minimum(
        np.minimum(cohort.died_on[patient], cohort.registered_to[patient]).astype(np.int64), DAYS
    )
    keep = start < np.maximum(limit, admitted[order] + 1)
    discharged = np.minimum(start + length, np.maximum(cohort.died_on[patient], start))
    columns = {k: v[order][keep] for k, v in spells.columns.items()}
    columns["admitted_on"] = start[keep].astype(np.int32)
    columns["discharged_on"] = discharged[keep].astype(np.int32)
    return Events(patient[keep], columns)


def _offsets(patient: IntArray) -> IntArray:
    """A large step per patient, so a running maximum never carries across patients."""
    return patient.astype(np.int64) * (4 * DAYS + 10_000)


def transfers(rng: np.random.Generator, setting: Setting, spells: Events, cohort: Cohort) -> Events:
    """A few emergency spells continue at another provider: a transfer spell on discharge."""
    chosen = np.flatnonzero(
        (rng.random(len(spells)) < params.TRANSFER_SHARE)
        & (spells.columns["discharged_on"] < cohort.died_on[spells.patient])
        & (spells.columns["discharged_on"] < DAYS)
    )
    patient = spells.patient[chosen]
    practice = cohort.practice[patient]
    origin = spells.columns["provider"][chosen]
    slots = setting.nhs_providers[practice]
    # the next of the CCG's NHS providers after the one the patient was in
    position = np.argmax(slots == origin[:, None], axis=1)
    destination = slots[np.arange(len(chosen)), (position + 1) % slots.shape[1]]
    day = spells.columns["discharged_on"][chosen].astype(np.int32)
    stay = rng.geometric(1.0 / 8.0, len(chosen)).astype(np.int64)
    discharged = np.minimum(day + stay, np.maximum(cohort.died_on[patient], day))
    columns = {k: v[chosen] for k, v in spells.columns.items()}
    columns.update(
        provider=destination,
        admitted_on=day,
        discharged_on=discharged.astype(np.int32),
        method=np.full(len(chosen), "transfer"),
        cost=prices().cost(
            np.full(len(chosen), "non_elective"),
            columns["hrg"].astype(str),
            (discharged - day).astype(np.int64),
        ),
    )
    return Events(patient, columns)


def elective_spells(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    levels: Levels,
    home: IntArray,
) -> Events:
    """Elective spells: procedure by age, sex and registers; day case or ordinary; RTT wait."""
    counts = yearly_counts(rng, cohort, "elective", levels.rate["elective"], setting, "planned")
    patient, day = events_by_year(rng, cohort, counts, "planned")
    cat = catalogue.elective()
    age = cohort.age[patient] + day / DAYS_PER_YEAR
    has = cohort.recorded_on[patient] < day[:, None]
    row = cat.draw(rng, np.arange(len(cat)), age, cohort.male[patient], has)
    day_case = rng.random(len(row)) < cat.value[row]
    stay = np.where(day_case, 0, 1 + rng.geometric(1.0 / np.maximum(cat.extra[row], 1.0)) - 1)
    functions = np.asarray(cat.treatment_function)[row]
    provider = planned_provider(rng, cohort, setting, patient, home, functions, day)
    events = _spells(
        cohort,
        patient,
        day,
        stay.astype(np.int64),
        row,
        cat,
        provider,
        "elective",
        np.where(day_case, "elective_day_case", "elective_ordinary"),
    )
    shift = np.where(
        np.isin(provider, np.unique(setting.independent_providers)),
        params.RTT_INDEPENDENT_SECTOR_SHIFT,
        0.0,
    )
    weeks = np.exp(levels.rtt_log_median + shift + params.RTT_SIGMA * rng.standard_normal(len(row)))
    events.columns["day_case"] = day_case
    events.columns["rtt_weeks"] = np.floor(weeks).astype(np.int64)
    return events


def maternity_spells(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    levels: Levels,
    home: IntArray,
) -> Events:
    """Deliveries: women of child-bearing age, by age-specific fertility."""
    counts = yearly_counts(rng, cohort, "maternity", levels.rate["maternity"], None, "maternity")
    at_most_one = [np.minimum(n, 1) for n in counts]  # one delivery a year at most
    patient, day = events_by_year(rng, cohort, at_most_one, "maternity")
    cat = catalogue.emergency()
    maternity_rows = cat.rows("maternity")
    row = maternity_rows[
        draw_rows(
            rng,
            np.broadcast_to(cat.weights[maternity_rows, 1], (len(patient), len(maternity_rows))),
        )
    ]
    stay = _stay(rng, cat.value[row], 0.2)
    provider = nhs_provider(rng, cohort, setting, patient, home)
    return _spells(cohort, patient, day, stay, row, cat, provider, "maternity", "non_elective")


# ---------------------------------------------------------------------------------------------
# Outpatients


def outpatient_appointments(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    levels: Levels,
    home: IntArray,
) -> Events:
    """First attendances by referral source, their follow-ups, and missed appointments."""
    patients, days, sources = [], [], []
    share = {
        "gp": levels.gp_referred_share,
        "consultant": (1 - levels.gp_referred_share) * params.CONSULTANT_SHARE_OF_OTHER_REFERRALS,
        "other": (1 - levels.gp_referred_share) * (1 - params.CONSULTANT_SHARE_OF_OTHER_REFERRALS),
    }
    referral = setting.effects["gp_referral"][cohort.practice]
    for year in (-1, 0, 1):
        if year < 0:  # first attendances of the year before, whose follow-ups fall in the period
            start = np.full(len(cohort), -365, dtype=np.int32)
            end = np.zeros(len(cohort), dtype=np.int32)
            exposure = np.where(cohort.age >= 0, 1.0, 0.0)
        else:
            start, end = window(cohort, year)
            exposure = intensity("planned").exposure(start, end)
        lam = yearly_rate(levels.rate["op_first"], log_rate(cohort, "op_first", max(year, 0), None))
        for source, s in share.items():
            effect = np.exp(referral) if source == "gp" else 1.0
            n = rng.poisson(lam * s * effect * exposure)
            if year < 0:
                p = np.repeat(np.arange(len(cohort)), n)
                d = rng.integers(-365, 0, len(p)).astype(np.int32)
            else:
                p, d = expand(rng, n, start, end, intensity("planned"))
            patients.append(p)
            days.append(d)
            sources.append(np.full(len(p), source))
    patient = np.concatenate(patients)
    day = np.concatenate(days)
    referred_by = np.concatenate(sources)
    cat = catalogue.specialties()
    group = age_group(cohort.age[patient] + day / DAYS_PER_YEAR)
    has = cohort.recorded_on[patient][:, np.maximum(cat.condition, 0)] < day[:, None]
    boost = np.where(cat.condition[None, :] >= 0, cat.extra[None, :] * has, 0.0)
    weight = (cat.weights[:, group].T + boost) * cat.sex_mask(cohort.male[patient])
    row = draw_rows(rng, weight)
    functions = np.asarray(cat.treatment_function)[row]
    provider = planned_provider(rng, cohort, setting, patient, home, functions, day)

    # follow-ups: a Poisson number per first, spaced by gamma-distributed gaps
    k = rng.poisson(levels.follow_ups * cat.value[row])
    parent = np.repeat(np.arange(len(patient)), k)
    order = np.arange(len(parent)) - np.repeat(np.cumsum(k) - k, k)  # 0, 1, … within a first
    gap = rng.gamma(2.0, params.MEAN_FOLLOW_UP_GAP_DAYS / 2.0, len(parent))
    follow_day = day[parent] + np.ceil(gap * (order + 1)).astype(np.int32)

    all_patient = np.concatenate([patient, patient[parent]])
    all_day = clinic_days(rng, np.concatenate([day, follow_day]))
    all_row = np.concatenate([row, row[parent]])
    kind = np.concatenate([np.full(len(patient), "first"), np.full(len(parent), "follow_up")])
    keep = (
        (all_day >= 0)
        & (all_day >= cohort.registered_from[all_patient])
        & (all_day < cohort.registered_to[all_patient])
    )
    all_provider = np.concatenate([provider, provider[parent]])[keep]
    all_source = np.concatenate([referred_by, referred_by[parent]])[keep]
    all_patient, all_day, all_row, kind = (
        all_patient[keep],
        all_day[keep],
        all_row[keep],
        kind[keep],
    )
    function = np.asarray(cat.treatment_function)[all_row]
    pods = np.char.add("op_", kind)
    attended = Events(
        all_patient,
        {
            "provider": all_provider,
            "attended_on": all_day,
            "attendance_type": kind,
            "treatment_function": function,
            "referral_source": all_source,
            "attendance_status": np.full(len(all_patient), "attended"),
            "cost": prices().cost(pods, function),
        },
    )
    return _with_missed(rng, cohort, attended, levels)


def clinic_days(rng: np.random.Generator, days: npt.NDArray[np.integer]) -> Int32Array:
    """Appointment days on which clinics run: a day falling on a weekend or bank holiday moves to
    the next working day, except the few Saturday clinics (a share of Saturdays kept)."""
    saturday_clinic = (weekday_of(days) == 5) & (
        rng.random(len(days)) < params.OP_SATURDAY_CLINIC_SHARE
    )
    return np.where(saturday_clinic, days, next_working_day(days)).astype(np.int32)


def dna_chance(cohort: Cohort, patient: IntArray, level: float) -> FloatArray:
    """Chance an appointment is missed: higher for young adults and in deprived areas."""
    age = cohort.age[patient]
    factor = np.where((age >= 18) & (age < 35), 1.6, np.where(age >= 65, 0.7, 1.0))
    return np.clip(level * factor * np.exp(0.2 * cohort.deprivation_score[patient]), 0.0, 0.5)


def _with_missed(
    rng: np.random.Generator, cohort: Cohort, attended: Events, levels: Levels
) -> Events:
    """Add a missed (did-not-attend) appointment before some attended ones; it costs nothing."""
    q = dna_chance(cohort, attended.patient, levels.dna)
    missed = np.flatnonzero(rng.random(len(attended)) < q / (1 - q))
    day = clinic_days(
        rng, attended.columns["attended_on"][missed] - rng.integers(7, 43, len(missed))
    )
    patient = attended.patient[missed]
    ok = (day >= 0) & (day >= cohort.registered_from[patient])
    missed, day = missed[ok], day[ok]
    columns = {k: np.concatenate([v, v[missed]]) for k, v in attended.columns.items()}
    columns["attended_on"] = np.concatenate([attended.columns["attended_on"], day]).astype(np.int32)
    columns["attendance_status"] = np.concatenate(
        [attended.columns["attendance_status"], np.full(len(missed), "did_not_attend")]
    )
    columns["cost"] = np.concatenate([attended.columns["cost"], np.zeros(len(missed))])
    return Events(np.concatenate([attended.patient, attended.patient[missed]]), columns)


# ---------------------------------------------------------------------------------------------
# A&E


def ae_attendances(
    rng: np.random.Generator,
    cohort: Cohort,
    setting: Setting,
    levels: Levels,
    counts: UseCounts,
    spells: Events,
    home: IntArray,
) -> Events:
    """A&E attendances: type 1 ones ending in an emergency admission, other type 1 ones, and
    those at minor injury units, walk-in centres and single-specialty departments (types 2, 3)."""
    unlinked_patient, unlinked_day = events_by_year(rng, cohort, counts.ae, "ae")
    minor_counts = yearly_counts(rng, cohort, "ae_minor", levels.rate["ae_minor"], setting, "ae")
    minor_patient, minor_day = events_by_year(rng, cohort, minor_counts, "ae")
    via = np.flatnonzero(rng.random(len(spells)) < levels.via_ae)
    patient = np.concatenate([unlinked_patient, minor_patient, spells.patient[via]])
    day = np.concatenate([unlinked_day, minor_day, spells.columns["admitted_on"][via]]).astype(
        np.int64
    )
    sizes = (len(unlinked_patient), len(minor_patient), len(via))
    admitted = np.repeat(np.array([False, False, True]), sizes)
    minor = np.repeat(np.array([False, True, False]), sizes)
    department = np.where(
        minor,
        np.where(rng.random(len(patient)) < params.AE_TYPE_2_SHARE_OF_MINOR, "02", "03"),
        "01",
    )
    provider = np.concatenate(
        [
            nhs_provider(rng, cohort, setting, patient[~admitted], home),
            spells.columns["provider"][via],
        ]
    )
    referred = ~admitted & (rng.random(len(patient)) > params.AE_DISCHARGED_SHARE_UNADMITTED)
    disposal = np.where(admitted, "admitted", np.where(referred, "referred", "discharged"))

    age = np.maximum(cohort.age[patient] + day / DAYS_PER_YEAR, 0.0)
    p_ambulance = ambulance_chance(age, admitted, levels.ambulance, minor)
    ambulance = rng.random(len(patient)) < p_ambulance

    hour = rng.choice(24, size=len(patient), p=_HOURS / _HOURS.sum())
    arrived = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, len(patient))
    breach_rr = np.where(
        admitted, params.AE_ADMITTED_BREACH_RR, np.where(minor, params.AE_MINOR_BREACH_RR, 1.0)
    )
    breach = rng.random(len(patient)) < levels.breach * breach_rr
    within = 240.0 * rng.beta(2.2, 1.4, len(patient)) * np.where(minor, 0.5, 1.0)
    over = 240.0 + rng.exponential(np.where(admitted, 150.0, 70.0))
    minutes = np.maximum(np.where(breach, over, within), 5.0)
    departed = arrived + np.floor(minutes * 60).astype(np.int64)

    hrg = ae_hrg(rng, admitted, ambulance, minor)
    return Events(
        patient,
        {
            "provider": provider,
            "department_type": department,
            "arrived_at": arrived,
            "departed_at": departed,
            "arrival_mode": np.where(ambulance, "ambulance", "other"),
            "disposal": disposal,
            "cost": prices().cost(np.where(minor, "ae_minor", "ae"), hrg),
        },
    )


def ambulance_chance(
    age: FloatArray, admitted: BoolArray, level: float, minor: BoolArray
) -> FloatArray:
    """Chance of arriving by ambulance: rises with age, higher for those then admitted, rare at
    minor injury units and walk-in centres."""
    base = level * params.interpolate(params.AE_AMBULANCE_BY_AGE, age)
    base = np.where(minor, base * params.AE_MINOR_AMBULANCE_RR, base)
    return np.clip(np.where(admitted, base * params.AE_AMBULANCE_ADMITTED_RR, base), 0.0, 0.95)


def ae_hrg(
    rng: np.random.Generator, admitted: BoolArray, ambulance: BoolArray, minor: BoolArray
) -> StrArray:
    """An A&E HRG by acuity: admitted patients high, ambulance arrivals middle, others low;
    minor units treat only the low-acuity groups."""
    high = np.array(["VB01Z", "VB02Z", "VB03Z"])
    middle = np.array(["VB04Z", "VB05Z", "VB06Z"])
    low = np.array(["VB07Z", "VB08Z", "VB09Z", "VB10Z", "VB11Z"])
    pick = rng.random(len(admitted))
    return np.where(
        admitted,
        high[(pick * len(high)).astype(int)],
        np.where(
            ambulance & ~minor,
            middle[(pick * len(middle)).astype(int)],
            low[(pick * len(low)).astype(int)],
        ),
    )
