"""Calibration: set each level so an England-like population reproduces the published figures.

A fixed reference population (England's age and sex structure, every deprivation decile alike,
no practice effects) is generated with its own seed, and each level is solved on it: in closed
form where the rate is linear in the level, by a short fixed-point iteration for emergency
admission (whose prior-use terms feed back). The result depends only on the targets and the
model's shapes, never on the user's seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

import numpy as np
from scipy import optimize, stats

from consortia.synth import activity, conditions, params, people
from consortia.synth.activity import Levels, Setting
from consortia.synth.calendar import DAYS, DAYS_PER_YEAR, intensity
from consortia.synth.targets import target, targets

REFERENCE_SEED = 20130401
REFERENCE_PRACTICES = 20
REFERENCE_LIST_SIZE = 5_000


def reference_setting() -> Setting:
    """One CCG's worth of providers with no practice effects."""
    n = REFERENCE_PRACTICES
    return Setting(
        effects={m: np.zeros(n) for m in params.PRACTICE_MEASURES},
        provider_shares=np.tile(np.array(params.NHS_PROVIDER_SHARES), (n, 1)),
        nhs_providers=np.tile(np.arange(3), (n, 1)),
        independent_providers=np.tile(np.arange(3, 5), (n, 1)),
        provider_codes=("R01", "R02", "R03", "N01", "N02"),
    )


def reference_practices() -> people.PracticeSlice:
    """Equal practices covering every deprivation decile, with England's age structure."""
    n = REFERENCE_PRACTICES
    return people.PracticeSlice(
        index=np.arange(n),
        list_size=np.full(n, REFERENCE_LIST_SIZE),
        age_tilt=np.zeros(n),
        deprivation_decile=np.arange(n) % 10 + 1,
        closed_day=np.full(n, DAYS),
    )


def prevalence_targets() -> tuple[np.ndarray, np.ndarray]:
    """QOF prevalence of each register and the youngest age of its denominator."""
    published = [targets()[f"prevalence_{c}"] for c in params.CONDITIONS]
    return np.array([t.value for t in published]), np.array([t.minimum_age for t in published])


def _per_year(name: str) -> float:
    return target(name) / 1000.0


def _linear_level(cohort: people.Cohort, kind: str, profile: str, goal: float) -> float:
    """Level making the first year's expected rate per person-year equal `goal`."""
    start, end = activity.window(cohort, 0)
    shape = np.exp(activity.log_rate(cohort, kind, 0, None))
    expected = float((shape * intensity(profile).exposure(start, end)).sum())
    return goal * float(activity.person_years(cohort, 0).sum()) / expected


def _solve(function: Callable[[float], float], low: float, high: float) -> float:
    return float(optimize.brentq(function, low, high, xtol=1e-12))


@cache
def levels() -> Levels:
    """The calibrated levels (computed once per process)."""
    rng = np.random.default_rng(REFERENCE_SEED)
    practices = reference_practices()
    cohort = people.demography(rng, practices)
    shift = conditions.calibrate(cohort, *prevalence_targets())
    conditions.assign_prevalent(rng, cohort, shift)
    start = np.maximum(cohort.registered_from, 0)
    years = (DAYS - start) / DAYS_PER_YEAR
    deaths_goal = _per_year("deaths_per_1000") * years.sum()
    death = (deaths_goal - (people.infant_hazard(cohort) * years).sum()) / (
        people.death_hazard_shape(cohort) * years
    ).sum()
    people.leave_and_die(rng, cohort, practices.closed_day[cohort.practice], float(death))
    conditions.assign_incident(rng, cohort, shift)

    # A&E: every type's attendances per head, type 1's share of them, and the share admitted
    # (all from type 1 departments) fix the three streams.
    all_types = _per_year("ae_attendances_all_types")
    admitted = target("ae_admitted_share") * all_types
    type_1 = _per_year("ae_attendances")
    via_ae = min(admitted / _per_year("emergency_admissions"), 0.95)
    rate = {
        "ae": _linear_level(cohort, "ae", "ae", type_1 - admitted),
        "ae_minor": _linear_level(cohort, "ae_minor", "ae", all_types - type_1),
        "elective": _linear_level(cohort, "elective", "planned", _per_year("elective_admissions")),
        "op_first": _linear_level(cohort, "op_first", "planned", _per_year("op_first_attendances")),
        "maternity": _linear_level(cohort, "maternity", "maternity", _per_year("births_per_1000")),
        "emergency": _linear_level(
            cohort, "emergency", "emergency", _per_year("emergency_admissions")
        ),
    }
    breach = (
        (1 - target("ae_within_4_hours"))
        / (
            params.AE_ADMITTED_BREACH_RR * admitted
            + (type_1 - admitted)
            + params.AE_MINOR_BREACH_RR * (all_types - type_1)
        )
        * all_types
    )
    rtt = float(
        np.log(18.0) - params.RTT_SIGMA * stats.norm.ppf(target("rtt_admitted_within_18_weeks"))
    )
    draft = Levels(
        condition_shift=shift,
        death=float(death),
        rate=rate,
        follow_ups=1.0,
        dna=target("op_dna_rate"),
        ambulance=1.0,
        via_ae=via_ae,
        breach=breach,
        rtt_log_median=rtt,
        stay=1.0,
        gp_referred_share=target("op_gp_referred_share"),
    )
    draft = _calibrate_emergency(cohort, draft)
    return _calibrate_care_details(cohort, draft)


def _calibrate_emergency(cohort: people.Cohort, levels: Levels) -> Levels:
    """Fixed point: scale the emergency level until year one's rate meets the target."""
    goal = _per_year("emergency_admissions")
    person_years = float(activity.person_years(cohort, 0).sum())
    for _ in range(8):
        use = activity.simulate_use(np.random.default_rng(REFERENCE_SEED + 1), cohort, levels, None)
        observed = use.emergency[0].sum() / person_years
        rate = dict(levels.rate, emergency=levels.rate["emergency"] * goal / observed)
        levels = replace(levels, rate=rate)
        if abs(observed / goal - 1) < 1e-3:
            break
    return levels


def _calibrate_care_details(cohort: people.Cohort, levels: Levels) -> Levels:
    """Follow-ups per first, missed appointments and ambulance arrivals, solved on the cohort."""
    rng = np.random.default_rng(REFERENCE_SEED + 2)
    setting = reference_setting()
    home = activity.usual_hospital(rng, cohort, setting)
    op = activity.outpatient_appointments(rng, cohort, setting, levels, home)
    first_year = op.columns["attended_on"] < 365
    attended = op.columns["attendance_status"] == "attended"
    follow = op.columns["attendance_type"] == "follow_up"
    person_years = float(activity.person_years(cohort, 0).sum())
    observed_follow_ups = (first_year & attended & follow).sum() / person_years
    follow_ups = _per_year("op_follow_up_attendances") / observed_follow_ups

    seen = op.patient[attended]
    goal_dna = target("op_dna_rate")

    def dna_gap(level: float) -> float:
        q = activity.dna_chance(cohort, seen, level)
        r = q / (1 - q)
        return float(r.sum() / (len(seen) + r.sum()) - goal_dna)

    dna = _solve(dna_gap, 1e-6, 0.45)

    use = activity.simulate_use(rng, cohort, levels, None)
    age = np.maximum(cohort.age, 0.0)
    unlinked = use.ae[0].astype(float)
    linked = use.emergency[0] * levels.via_ae
    start, end = activity.window(cohort, 0)
    minor = levels.rate["ae_minor"] * np.exp(activity.log_rate(cohort, "ae_minor", 0, None))
    minor = minor * intensity("ae").exposure(start, end)
    goal_ambulance = target("ae_ambulance_arrival_share")
    no, yes = np.zeros(len(age), bool), np.ones(len(age), bool)

    def ambulance_gap(level: float) -> float:
        plain = activity.ambulance_chance(age, no, level, no)
        admitted = activity.ambulance_chance(age, yes, level, no)
        at_minor = activity.ambulance_chance(age, no, level, yes)
        arrivals = (unlinked * plain + linked * admitted + minor * at_minor).sum()
        return float(arrivals / (unlinked + linked + minor).sum() - goal_ambulance)

    ambulance = _solve(ambulance_gap, 1e-3, 10.0)

    levels = replace(levels, follow_ups=follow_ups, dna=dna, ambulance=ambulance)
    for _ in range(3):  # stays are nearly proportional to the multiplier (not quite: whole days)
        spells = activity.emergency_spells(
            np.random.default_rng(REFERENCE_SEED + 3), cohort, setting, levels, use, home
        )
        stay = spells.columns["discharged_on"] - spells.columns["admitted_on"]
        ratio = target("emergency_mean_length_of_stay") / float(stay.mean())
        levels = replace(levels, stay=levels.stay * ratio)
    return levels
