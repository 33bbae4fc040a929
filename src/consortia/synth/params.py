"""The generator's assumptions: age profiles, relative risks and the risk equation.

Levels are not set here: each kind of activity, each condition register and mortality is
calibrated at run time so that an England-like population reproduces the published figure in
`targets.toml`. What is set here is shape — how rates change with age, sex, deprivation,
long-term conditions and prior use — which is what makes the data realistic rather than uniform.
Shapes are assumptions in the direction and rough size the literature reports; docs/data.md
lists them.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from consortia.schema.codes import CONDITION, REGISTER_MINIMUM_AGE

FloatArray = npt.NDArray[np.float64]
Knots = tuple[tuple[float, float], ...]

CONDITIONS: Final = CONDITION.values

# ---------------------------------------------------------------------------------------------
# Long-term conditions: prevalence by age (knots of age, prevalence), before calibration.
CONDITION_AGE_PREVALENCE: Final[dict[str, Knots]] = {
    "hypertension": (
        (0, 5e-4),
        (18, 5e-3),
        (30, 0.02),
        (40, 0.06),
        (50, 0.15),
        (60, 0.28),
        (70, 0.45),
        (80, 0.58),
        (95, 0.6),
    ),
    "diabetes": (
        (0, 2e-3),
        (17, 4e-3),
        (30, 0.015),
        (40, 0.035),
        (50, 0.07),
        (60, 0.12),
        (70, 0.17),
        (80, 0.18),
        (95, 0.14),
    ),
    "copd": ((0, 1e-5), (35, 2e-3), (45, 8e-3), (55, 0.025), (65, 0.05), (75, 0.08), (95, 0.08)),
    "asthma": ((0, 0.02), (5, 0.08), (12, 0.09), (20, 0.065), (40, 0.055), (60, 0.06), (95, 0.06)),
    "chd": ((0, 1e-5), (35, 2e-3), (45, 0.01), (55, 0.035), (65, 0.08), (75, 0.14), (95, 0.2)),
    "heart_failure": (
        (0, 1e-5),
        (40, 1e-3),
        (55, 4e-3),
        (65, 0.01),
        (75, 0.03),
        (85, 0.07),
        (95, 0.09),
    ),
    "stroke_tia": (
        (0, 1e-5),
        (30, 1e-3),
        (45, 5e-3),
        (55, 0.013),
        (65, 0.03),
        (75, 0.06),
        (95, 0.1),
    ),
    "ckd": ((18, 1e-3), (40, 5e-3), (50, 0.015), (60, 0.04), (70, 0.1), (80, 0.22), (95, 0.35)),
    "atrial_fibrillation": (
        (0, 1e-5),
        (40, 1e-3),
        (50, 4e-3),
        (60, 0.015),
        (70, 0.04),
        (80, 0.09),
        (95, 0.13),
    ),
    "dementia": ((0, 1e-6), (55, 1e-3), (65, 5e-3), (75, 0.025), (85, 0.1), (95, 0.2)),
    "depression": ((18, 0.05), (30, 0.07), (45, 0.09), (60, 0.08), (75, 0.07), (95, 0.07)),
    "smi": ((0, 1e-5), (18, 4e-3), (30, 0.01), (45, 0.013), (60, 0.011), (95, 0.008)),
    "cancer": ((0, 5e-4), (30, 3e-3), (45, 0.012), (55, 0.025), (65, 0.05), (75, 0.08), (95, 0.1)),
}

# Register rules of the QOF for 2013/14 and 2014/15 (NHS Employers' QOF guidance for the GMS
# contract 2013/14 and 2014/15; HSCIC business rules v26, revised as v27 in October 2013, and
# the 2014/15 set, whose version number was not read): the youngest age on each shipped
# register (codes.REGISTER_MINIMUM_AGE, which the analyses count by too: diabetes 17+; CKD and
# depression 18+; every other shipped register has no age limit) and the earliest
# diagnosis date a register counts (cancer diagnosed on or after 1 April 2003; depression on or
# after 1 April 2006). The asthma register's rule (an asthma drug in the last 12 months) needs
# prescriptions, which the lake does not hold.
CONDITION_MIN_AGE: Final = MappingProxyType(
    {c: age for c, age in REGISTER_MINIMUM_AGE.items() if c in CONDITIONS}
)
CONDITION_EARLIEST: Final = MappingProxyType(
    {"cancer": date(2003, 4, 1), "depression": date(2006, 4, 1)}
)

# Odds ratio, men against women.
CONDITION_MALE_OR: Final = MappingProxyType(
    {
        "hypertension": 1.05,
        "diabetes": 1.3,
        "copd": 1.1,
        "asthma": 0.85,
        "chd": 1.9,
        "heart_failure": 1.4,
        "stroke_tia": 1.15,
        "ckd": 0.75,
        "atrial_fibrillation": 1.35,
        "dementia": 0.7,
        "depression": 0.55,
        "smi": 1.1,
        "cancer": 0.95,
    }
)

# Log odds ratio per unit of deprivation score (+1 most deprived decile, −1 least deprived).
CONDITION_DEPRIVATION: Final = MappingProxyType(
    {
        "hypertension": 0.1,
        "diabetes": 0.25,
        "copd": 0.45,
        "asthma": 0.12,
        "chd": 0.25,
        "heart_failure": 0.2,
        "stroke_tia": 0.2,
        "ckd": 0.1,
        "atrial_fibrillation": -0.05,
        "dementia": 0.05,
        "depression": 0.25,
        "smi": 0.35,
        "cancer": -0.05,
    }
)

# Log odds ratio per standard deviation of the patient's latent frailty: shared by every
# condition, it makes conditions cluster in the same people (multimorbidity).
CONDITION_FRAILTY = 0.6

# Yearly incidence of a new record, as a share of the condition's prevalence.
CONDITION_INCIDENCE_SHARE = 0.05

# Mean years since a prevalent condition was first recorded.
CONDITION_MEAN_YEARS_RECORDED = 6.0

# ---------------------------------------------------------------------------------------------
# Activity: rate per person-year by age (knots of age, relative rate), men against women.
# Emergency admissions and A&E attendances are shaped on the published rates by age (HES and
# birth-cohort figures in targets.toml: under-1s about 310 emergency admissions per 1,000, people
# 65 and over about 245); the knots are the model's rates before conditions, frailty and prior use
# steepen them, set so that the reference population reproduces those figures.
ACTIVITY_AGE_RATE: Final[dict[str, Knots]] = {
    "emergency": (
        (0, 1150),
        (0.5, 740),
        (1, 330),
        (2, 115),
        (4, 64),
        (7, 30),
        (12, 38),
        (17, 83),
        (25, 73),
        (35, 67),
        (45, 68),
        (55, 80),
        (62, 104),
        (70, 134),
        (77, 198),
        (82, 229),
        (87, 307),
        (92, 334),
        (97, 327),
    ),
    # type 1 (major) A&E attendances that do not end in admission
    "ae": (
        (0, 1000),
        (1, 700),
        (3, 360),
        (6, 156),
        (10, 270),
        (14, 298),
        (18, 410),
        (22, 427),
        (30, 286),
        (40, 231),
        (50, 189),
        (60, 161),
        (70, 152),
        (80, 196),
        (90, 290),
        (97, 354),
    ),
    # minor injury units, walk-in centres and single-specialty departments (types 2 and 3)
    "ae_minor": (
        (0, 80),
        (2, 200),
        (6, 180),
        (12, 200),
        (18, 230),
        (25, 210),
        (35, 170),
        (50, 120),
        (65, 90),
        (80, 100),
        (95, 100),
    ),
    "elective": (
        (0, 40),
        (10, 30),
        (20, 60),
        (30, 80),
        (45, 150),
        (60, 190),
        (70, 250),
        (80, 240),
        (95, 150),
    ),
    "op_first": (
        (0, 260),
        (10, 200),
        (20, 230),
        (30, 280),
        (45, 360),
        (60, 480),
        (70, 560),
        (80, 580),
        (95, 420),
    ),
    # births per 1,000 women (age-specific fertility, England 2013 shape)
    "maternity": (
        (14, 0),
        (17, 16),
        (22, 62),
        (27, 102),
        (32, 111),
        (37, 63),
        (42, 14),
        (47, 1),
        (50, 0),
    ),
}
ACTIVITY_MALE_RR: Final = MappingProxyType(
    {
        "emergency": 1.0,
        "ae": 1.05,
        "ae_minor": 1.05,
        "elective": 0.9,
        "op_first": 0.8,
        "maternity": 0.0,
    }
)

# Log rate ratio per unit of deprivation score.
ACTIVITY_DEPRIVATION: Final = MappingProxyType(
    {
        "emergency": 0.24,
        "ae": 0.22,
        "ae_minor": 0.1,
        "elective": 0.05,
        "op_first": 0.05,
        "maternity": 0.1,
    }
)

# Rate ratios for people on each register.
ACTIVITY_CONDITION_RR: Final[dict[str, dict[str, float]]] = {
    "emergency": {
        "hypertension": 1.05,
        "diabetes": 1.4,
        "copd": 1.9,
        "asthma": 1.2,
        "chd": 1.4,
        "heart_failure": 2.0,
        "stroke_tia": 1.4,
        "ckd": 1.3,
        "atrial_fibrillation": 1.4,
        "dementia": 1.8,
        "depression": 1.3,
        "smi": 1.6,
        "cancer": 1.6,
    },
    "ae": {
        "copd": 1.35,
        "asthma": 1.2,
        "heart_failure": 1.2,
        "dementia": 1.2,
        "depression": 1.35,
        "smi": 1.6,
        "diabetes": 1.1,
    },
    "elective": {
        "cancer": 3.3,
        "ckd": 1.35,
        "chd": 1.35,
        "diabetes": 1.2,
        "atrial_fibrillation": 1.2,
    },
    "op_first": {
        "cancer": 2.4,
        "heart_failure": 1.6,
        "atrial_fibrillation": 1.5,
        "ckd": 1.5,
        "chd": 1.5,
        "diabetes": 1.4,
        "copd": 1.35,
        "stroke_tia": 1.35,
    },
    "ae_minor": {},
    "maternity": {},
}

# Several conditions raise a rate less than the product of their rate ratios: the summed log
# rate ratio saturates smoothly at this ceiling (a patient's conditions together at most
# multiply a rate by 4).
CONDITION_LOG_RR_CEILING = float(np.log(4.0))

# No patient's expected rate of any kind of care exceeds this many events a year.
MAX_YEARLY_RATE = 20.0

# Log rate ratio per standard deviation of latent frailty (unmeasured need).
ACTIVITY_FRAILTY: Final = MappingProxyType(
    {
        "emergency": 0.35,
        "ae": 0.3,
        "ae_minor": 0.1,
        "elective": 0.2,
        "op_first": 0.25,
        "maternity": 0.0,
    }
)

# The emergency-admission risk equation's prior-use terms: log rate ratio per emergency
# admission in the previous year (counted up to 3) and per A&E attendance (up to 5).
PRIOR_EMERGENCY_COEF = 0.4
PRIOR_EMERGENCY_CAP = 3
PRIOR_AE_COEF = 0.06
PRIOR_AE_CAP = 5

# ---------------------------------------------------------------------------------------------
# Practices.
DEMO_LIST_SIZE = 8_500  # patients per practice: the demo CCG's 300,000 in about 35 practices
LIST_SIZE_SIGMA = 0.55  # log-normal spread of list sizes
MIN_LIST_SIZE = 1_200
PRACTICE_EFFECT_SIGMA = 0.02  # ordinary practices' spread (log scale) on each measure
OUTLIER_SHARE = 0.08  # share of practices made outlying on each measure
OUTLIER_MIN_LIST = 3_000  # outliers are chosen among practices large enough to be detectable
OUTLIER_EFFECT = (0.35, 0.6)  # size of an outlying effect (log scale), up or down
PRACTICE_MEASURES: Final = ("gp_referral", "emergency", "ae")
ELECTIVE_REFERRAL_ELASTICITY = 0.5  # elective admissions follow GP referrals, half as strongly
PRACTICE_AGE_TILT_SIGMA = 0.15  # younger or older lists than the CCG's
PATIENT_DEPRIVATION_SIGMA = 1.3  # patients' deciles around their practice's
CCG_DEPRIVATION_RANGE = (2.5, 8.5)
PRACTICE_DEPRIVATION_SIGMA = 2.2
CONTRACT_SHARES: Final = MappingProxyType({"GMS": 0.55, "PMS": 0.40, "APMS": 0.05})
# Practices that close or merge during the two years: the number of practices in England fell
# by about 1.5% a year in this period (closures net of openings; an assumption, not read).
PRACTICE_CLOSURE_SHARE = 0.03
PRACTICE_MERGER_SHARE = 0.5  # of those, the share merged into one neighbour (the rest disperse)
NEARBY_PRACTICES = 3  # a closing practice's patients re-register at up to this many neighbours
# Share of England's population in each NHS Commissioning Board region: ONS mid-2013 totals of
# the government office regions (as quoted in LeonardoCastro/BritishDrugDynamics, data/demographic/
# population_England_and_regions.csv), grouped North = North East + North West + Yorkshire and the
# Humber, Midlands and East = East Midlands + West Midlands + East, South = South East + South West
# (the Board's regions followed these boundaries closely, not exactly). A CCG's region is drawn
# with these weights.
REGION_POPULATION_SHARES: Final = MappingProxyType(
    {
        "north": 15_051_991 / 53_865_817,
        "midlands_east": 16_369_334 / 53_865_817,
        "london": 8_417_458 / 53_865_817,
        "south": 14_027_034 / 53_865_817,
    }
)
PATIENTS_PER_GP = 1_500
GP_ROLE_SHARES: Final = MappingProxyType({"partner": 0.65, "salaried": 0.25, "sessional": 0.10})
PATIENTS_PER_NURSE = 3_500

# Registration: yearly chance of leaving the list by age (moving away), and of a new
# registration per registered patient per year (movers in; births are added separately).
LEAVING_BY_AGE: Knots = (
    (0, 0.05),
    (18, 0.07),
    (22, 0.16),
    (30, 0.12),
    (40, 0.06),
    (65, 0.03),
    (95, 0.03),
)
JOINING_RATE = 0.075
MEAN_YEARS_REGISTERED = 9.0

# Mortality: Gompertz law (log hazard rises 0.094 a year of age), plus infant mortality;
# the level is calibrated to the crude death rate.
GOMPERTZ_SLOPE = 0.094
# Yearly fall in age-specific mortality (ONS: age-standardised mortality rates in England and
# Wales fell by about 2% a year, 20% for men and 17% for women between 2004 and 2014).
MORTALITY_IMPROVEMENT = 0.02
INFANT_MORTALITY = 0.004
DEATH_FRAILTY = 0.4  # log hazard ratio per SD of frailty
DEATH_CONDITION_HR: Final = MappingProxyType(
    {
        "heart_failure": 1.8,
        "cancer": 1.8,
        "dementia": 2.0,
        "copd": 1.5,
        "ckd": 1.3,
    }
)

# ---------------------------------------------------------------------------------------------
# Providers: the CCG's three NHS providers' shares, and the independent sector's share of
# planned care in the specialties it competes for under "any qualified provider".
NHS_PROVIDER_SHARES = (0.62, 0.25, 0.13)
PRACTICE_PROVIDER_CONCENTRATION = 12.0  # Dirichlet concentration of practices' shares
HOME_PROVIDER_LOYALTY = 0.85  # chance an episode goes to the patient's usual hospital
INDEPENDENT_SECTOR_SHARE = (0.12, 0.18)  # first and second year, in the eligible specialties
INDEPENDENT_SECTOR_FUNCTIONS: Final = ("100", "101", "110", "120", "130", "301", "330")

# Outpatients.
MEAN_FOLLOW_UP_GAP_DAYS = 56.0
OP_SATURDAY_CLINIC_SHARE = 0.2  # appointments falling on a Saturday that a Saturday clinic keeps
CONSULTANT_SHARE_OF_OTHER_REFERRALS = 0.4

# A&E.
AE_DISCHARGED_SHARE_UNADMITTED = 0.85
AE_ADMITTED_BREACH_RR = 3.0  # patients waiting for a bed breach four hours more often
AE_AMBULANCE_BY_AGE: Knots = ((0, 0.06), (16, 0.12), (40, 0.15), (65, 0.35), (80, 0.55), (95, 0.65))
AE_AMBULANCE_ADMITTED_RR = 2.2
AE_MINOR_AMBULANCE_RR = 0.05  # ambulances take patients to type 1 departments
AE_MINOR_BREACH_RR = 0.1  # minor units rarely keep a patient four hours
AE_TYPE_2_SHARE_OF_MINOR = 0.06  # single-specialty departments among types 2 and 3

# Admitted care.
EMERGENCY_LOS_BY_AGE: Knots = ((0, 1.2), (16, 3.0), (40, 4.0), (65, 5.2), (80, 7.0), (95, 8.0))
EMERGENCY_ZERO_DAY_SHARE = 0.25
TRANSFER_SHARE = 0.01  # emergency spells followed by a transfer to another provider
RTT_SIGMA = 0.75  # log-normal spread of referral-to-treatment times
RTT_INDEPENDENT_SECTOR_SHIFT = -0.3  # shorter waits in the independent sector (log scale)


def interpolate(knots: Knots, ages: FloatArray, *, log: bool = False) -> FloatArray:
    """A profile given at knots, linearly interpolated (in logs if `log`) at `ages`."""
    x = np.array([k[0] for k in knots], dtype=np.float64)
    y = np.array([k[1] for k in knots], dtype=np.float64)
    if not log:
        return np.interp(ages, x, y)
    return np.exp(np.interp(ages, x, np.log(np.maximum(y, 1e-12))))


def logit(p: FloatArray) -> FloatArray:
    """Log odds."""
    return np.log(p) - np.log1p(-p)


def expit(x: FloatArray) -> FloatArray:
    """Inverse of `logit`."""
    return 1.0 / (1.0 + np.exp(-x))
