"""Code lists used by the datasets. Each code is a stable lower_snake_case word."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from consortia.schema.model import CodeList

REGION = CodeList(
    "region",
    {
        "north": "North of England",
        "midlands_east": "Midlands and East of England",
        "london": "London",
        "south": "South of England",
    },
    source="NHS Commissioning Board regions, April 2013",
)

CONTRACT = CodeList(
    "contract",
    {
        "GMS": "General Medical Services",
        "PMS": "Personal Medical Services",
        "APMS": "Alternative Provider Medical Services",
    },
    source="GP contract types held by the NHS Commissioning Board",
)

CLINICIAN_ROLE = CodeList(
    "clinician_role",
    {
        "partner": "GP partner (contractor)",
        "salaried": "salaried GP",
        "sessional": "sessional (locum) GP",
        "nurse": "practice nurse",
    },
)

PROVIDER_KIND = CodeList(
    "provider_kind",
    {
        "nhs_trust": "NHS trust",
        "foundation_trust": "NHS foundation trust",
        "independent_sector": "independent-sector provider",
    },
)

SEX = CodeList("sex", {"F": "female", "M": "male"})

CONDITION = CodeList(
    "condition",
    {
        "hypertension": "hypertension",
        "diabetes": "diabetes mellitus (aged 17 and over)",
        "copd": "chronic obstructive pulmonary disease",
        "asthma": "asthma",
        "chd": "coronary heart disease",
        "heart_failure": "heart failure",
        "stroke_tia": "stroke or transient ischaemic attack",
        "ckd": "chronic kidney disease stages 3–5 (aged 18 and over)",
        "atrial_fibrillation": "atrial fibrillation",
        "dementia": "dementia",
        "depression": "depression (aged 18 and over)",
        "smi": "serious mental illness (schizophrenia, bipolar disorder, other psychoses)",
        "cancer": "cancer",
    },
    source="Quality and Outcomes Framework disease registers, 2013/14",
)

# The youngest age (on the achievement date, 31 March) a patient may be on each QOF register;
# registers not named count all ages (QOF business rules v26, 2013/14, and the 2014/15 rules;
# HSCIC, QOF Prevalence, Achievements and Exceptions Report, Technical Annex 2013-14, 28 October
# 2014). Epilepsy, learning disability and obesity are registers the lake does not hold.
REGISTER_MINIMUM_AGE: Final = MappingProxyType(
    {
        "diabetes": 17,
        "ckd": 18,
        "depression": 18,
        "epilepsy": 18,
        "learning_disability": 18,
        "obesity": 16,
    }
)

ADMISSION_METHOD = CodeList(
    "admission_method",
    {
        "elective": "planned admission from a waiting list or booked",
        "emergency": "unplanned admission",
        "maternity": "admission for childbirth",
        "transfer": "transfer from another hospital provider",
    },
)

ATTENDANCE_TYPE = CodeList(
    "attendance_type",
    {"first": "first attendance", "follow_up": "follow-up attendance"},
)

REFERRAL_SOURCE = CodeList(
    "referral_source",
    {
        "gp": "referred by a general practitioner",
        "consultant": "referred by a consultant",
        "other": "any other source (self, A&E, optometrist, dentist…)",
    },
)

ATTENDANCE_STATUS = CodeList(
    "attendance_status",
    {"attended": "seen", "did_not_attend": "did not attend without notice"},
)

ARRIVAL_MODE = CodeList(
    "arrival_mode",
    {"ambulance": "brought by ambulance", "other": "any other means"},
)

AE_DISPOSAL = CodeList(
    "ae_disposal",
    {
        "admitted": "admitted to a hospital bed",
        "discharged": "discharged (with or without GP follow-up)",
        "referred": "referred to another service or clinic",
    },
)

AE_DEPARTMENT_TYPE = CodeList(
    "ae_department_type",
    {
        "01": "type 1: consultant-led 24-hour major emergency department with full resuscitation",
        "02": "type 2: consultant-led single-specialty A&E (e.g. eye, dental)",
        "03": "type 3: other A&E (minor injury unit, walk-in centre, urgent care centre)",
    },
    source="NHS Data Dictionary, Accident and Emergency Department Type",
)

PAYMENT_CATEGORY = CodeList(
    "payment_category",
    {
        "core_contract": "core contract (global sum, MPIG, PMS/APMS baseline)",
        "qof": "Quality and Outcomes Framework",
        "enhanced_services": "directed, national and local enhanced services",
        "premises": "premises reimbursements",
        "ccg_local_investment": "additional investment by the CCG in general practice",
    },
)

POINT_OF_DELIVERY = CodeList(
    "point_of_delivery",
    {
        "elective": "elective admissions",
        "non_elective": "non-elective admissions (emergency, maternity and transfers)",
        "emergency": "emergency admissions (admission methods 21–28)",
        "other_non_elective": "other non-elective admissions (maternity and transfers)",
        "op_first": "outpatient first attendances",
        "op_follow_up": "outpatient follow-ups",
        "ae": "A&E attendances",
    },
)

ALL_CODE_LISTS: tuple[CodeList, ...] = (
    REGION,
    CONTRACT,
    CLINICIAN_ROLE,
    PROVIDER_KIND,
    SEX,
    CONDITION,
    ADMISSION_METHOD,
    ATTENDANCE_TYPE,
    REFERRAL_SOURCE,
    ATTENDANCE_STATUS,
    ARRIVAL_MODE,
    AE_DISPOSAL,
    AE_DEPARTMENT_TYPE,
    PAYMENT_CATEGORY,
    POINT_OF_DELIVERY,
)
