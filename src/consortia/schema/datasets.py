"""Every dataset of the lake, declared once.

A lake is a folder with one sub-folder of Parquet files per dataset named here. Identifiers of
people are pseudonyms. In a synthetic lake they are a keyed bijection of a row counter whose
mixing function is public: unique and unordered, but not a secret — anyone holding the seed
(and so the key) can reverse them. A lake of extracts holds keyed hashes of NHS numbers, made
at ingest (`consortia.ingest.pseudonym`).
"""

from __future__ import annotations

from consortia.schema import codes
from consortia.schema.model import Column, Dataset, NotBeforeBirth, Ordered, PresentOnlyWhen

CCG_CODE = r"^[0-9]{2}[A-Z0-9]$"
PRACTICE_CODE = r"^[A-Y][0-9]{5}$"
PROVIDER_CODE = r"^[RN][A-Z0-9]{2}$"
ICD10_CODE = r"^[A-Z][0-9]{2}[0-9X]?$"
HRG_CODE = r"^[A-Z]{2}[0-9]{2}[A-Z]?$"
TFC_CODE = r"^[0-9]{3}$"
FINANCIAL_YEAR = r"^[0-9]{4}/[0-9]{2}$"


def _patient(references: bool = True) -> Column:
    return Column(
        "patient_id",
        "int64",
        "pseudonymous patient identifier: from an extract, a keyed hash (HMAC-SHA256) of the "
        "NHS number made at ingest; in a synthetic lake, a keyed bijection of a counter, "
        "reversible with the key",
        references="patient.patient_id" if references else None,
    )


def _provider() -> Column:
    return Column(
        "provider",
        "string",
        "provider organisation code",
        pattern=PROVIDER_CODE,
        references="provider.code",
    )


# Ceilings no real record reaches, so that sums over millions of rows stay finite: a single
# spell, appointment or attendance above £10 million, or a practice payment above £100 million.
MAXIMUM_EVENT_COST = 10_000_000.0
MAXIMUM_PAYMENT = 100_000_000.0


def _registered_practice() -> Column:
    return Column(
        "practice",
        "string",
        "practice the patient was registered with on the day of the event (NHS Data "
        "Dictionary: General Medical Practice Code (Patient Registration)); the record's "
        "responsible commissioner is this practice's CCG",
        references="practice.code",
    )


def _cost() -> Column:
    return Column(
        "cost",
        "float64",
        "cost to the commissioner in pounds (tariff price)",
        minimum=0,
        maximum=MAXIMUM_EVENT_COST,
    )


def _treatment_function() -> Column:
    return Column(
        "treatment_function",
        "string",
        "treatment function code (NHS Data Dictionary)",
        pattern=TFC_CODE,
    )


def _recorded_person(record: str) -> tuple[Column, ...]:
    """The patient's sex, month and year of birth and deprivation decile of residence as the
    `record` carries them, as HES records carry the patient's own data and the socio-economic
    data derived from their postcode (HES Data Dictionary: "Patient data"; "Geographical
    (derived) data: socio-economic"). A record's analyses read its patient's cell from the
    record itself, with no join to the patient table."""
    return (
        Column("sex", "string", f"patient's sex, as the {record} records it", codes=codes.SEX),
        Column(
            "birth_year",
            "int16",
            f"patient's year of birth, as the {record} records it",
            minimum=1890,
            maximum=2100,
        ),
        Column(
            "birth_month",
            "int8",
            f"patient's month of birth, as the {record} records it",
            minimum=1,
            maximum=12,
        ),
        Column(
            "deprivation_decile",
            "int8",
            f"IMD decile of the patient's area of residence, as the {record} records it "
            "(1 = most deprived)",
            minimum=1,
            maximum=10,
        ),
    )


# The names of those columns: what an analysis reads a record's cell from.
RECORDED_PERSON = tuple(column.name for column in _recorded_person("record"))

CCG = Dataset(
    "ccg",
    "Clinical commissioning groups.",
    "one row per CCG",
    (
        Column("code", "string", "CCG organisation code", pattern=CCG_CODE),
        Column("name", "string", "CCG name"),
        Column("region", "string", "NHS Commissioning Board region", codes=codes.REGION),
    ),
    key=("code",),
)

PRACTICE = Dataset(
    "practice",
    "GP practices, the members of a CCG.",
    "one row per practice",
    (
        Column("code", "string", "practice code", pattern=PRACTICE_CODE),
        Column("name", "string", "practice name"),
        Column("ccg", "string", "CCG the practice is a member of", references="ccg.code"),
        Column("contract", "string", "primary medical care contract type", codes=codes.CONTRACT),
        Column(
            "deprivation_decile",
            "int8",
            "IMD decile of the practice population (1 = most deprived)",
            minimum=1,
            maximum=10,
        ),
        Column("opened", "date", "date the practice opened"),
        Column("closed", "date", "date the practice closed", nullable=True),
    ),
    key=("code",),
    checks=(Ordered("opened", "closed"),),
)

CLINICIAN = Dataset(
    "clinician",
    "GPs and practice nurses working in member practices.",
    "one row per clinician",
    (
        Column("id", "string", "clinician identifier"),
        Column("practice", "string", "practice the clinician works in", references="practice.code"),
        Column("role", "string", "role in the practice", codes=codes.CLINICIAN_ROLE),
    ),
    key=("id",),
)

PROVIDER = Dataset(
    "provider",
    "Providers of hospital care: NHS trusts, foundation trusts and independent-sector providers.",
    "one row per provider",
    (
        Column("code", "string", "provider organisation code", pattern=PROVIDER_CODE),
        Column("name", "string", "provider name"),
        Column("kind", "string", "kind of provider", codes=codes.PROVIDER_KIND),
    ),
    key=("code",),
)

PATIENT = Dataset(
    "patient",
    "Patients registered with member practices during the period, at their latest practice "
    "(`registration` holds each registration, including moves when a practice closed).",
    "one row per patient",
    (
        _patient(references=False),
        Column(
            "practice",
            "string",
            "practice of the latest registration (after any move when a practice closed)",
            references="practice.code",
        ),
        Column("sex", "string", "sex", codes=codes.SEX),
        Column("birth_year", "int16", "year of birth", minimum=1890, maximum=2100),
        Column("birth_month", "int8", "month of birth", minimum=1, maximum=12),
        Column(
            "deprivation_decile",
            "int8",
            "IMD decile of the patient's area of residence (1 = most deprived)",
            minimum=1,
            maximum=10,
        ),
        Column(
            "registered_from",
            "date",
            "date registration with a member practice began (the first, if the patient moved)",
        ),
        Column(
            "registered_to",
            "date",
            "date registration with the member practices ended (moved away or died)",
            nullable=True,
        ),
        Column("date_of_death", "date", "date of death", nullable=True),
    ),
    key=("patient_id",),
    checks=(Ordered("registered_from", "registered_to"), NotBeforeBirth("date_of_death")),
)

REGISTRATION = Dataset(
    "registration",
    "Each registration of a patient with a member practice: one for most patients, two for "
    "those whose practice closed or merged and who re-registered nearby.",
    "one row per patient and registration",
    (
        _patient(),
        Column("practice", "string", "practice registered with", references="practice.code"),
        *_recorded_person("registration"),
        Column("registered_from", "date", "date this registration began"),
        Column(
            "registered_to",
            "date",
            "date this registration ended (moved, practice closed, or died)",
            nullable=True,
        ),
    ),
    key=("patient_id", "registered_from"),
    checks=(Ordered("registered_from", "registered_to"),),
)

CONDITION = Dataset(
    "condition",
    "Long-term conditions on practice disease registers.",
    "one row per patient and register",
    (
        _patient(),
        Column("condition", "string", "disease register", codes=codes.CONDITION),
        Column(
            "recorded_on",
            "date",
            "date the patient entered the register under the QOF business rules (never before "
            "birth, the register's minimum age or its earliest diagnosis date)",
        ),
    ),
    key=("patient_id", "condition"),
)

APC = Dataset(
    "apc",
    "Admitted patient care: hospital spells.",
    "one row per spell",
    (
        Column("spell_id", "int64", "spell identifier"),
        _patient(),
        _registered_practice(),
        *_recorded_person("spell"),
        _provider(),
        Column("admitted_on", "date", "date of admission"),
        Column("discharged_on", "date", "date of discharge"),
        Column("method", "string", "admission method", codes=codes.ADMISSION_METHOD),
        Column("day_case", "bool", "planned day case (admitted and discharged the same day)"),
        Column("primary_diagnosis", "string", "primary diagnosis, ICD-10", pattern=ICD10_CODE),
        Column("hrg", "string", "healthcare resource group (HRG4)", pattern=HRG_CODE),
        _treatment_function(),
        _cost(),
        Column(
            "rtt_weeks",
            "int16",
            "weeks from referral to treatment (elective spells only)",
            nullable=True,
            minimum=0,
        ),
    ),
    key=("spell_id",),
    checks=(
        Ordered("admitted_on", "discharged_on"),
        PresentOnlyWhen("rtt_weeks", "method", ("elective",)),
    ),
)

OP = Dataset(
    "op",
    "Outpatient appointments, attended or not.",
    "one row per appointment",
    (
        Column("attendance_id", "int64", "appointment identifier"),
        _patient(),
        _registered_practice(),
        *_recorded_person("appointment"),
        _provider(),
        Column("attended_on", "date", "date of the appointment"),
        Column("attendance_type", "string", "first or follow-up", codes=codes.ATTENDANCE_TYPE),
        _treatment_function(),
        Column("referral_source", "string", "who referred", codes=codes.REFERRAL_SOURCE),
        Column("attendance_status", "string", "attended or not", codes=codes.ATTENDANCE_STATUS),
        _cost(),
    ),
    key=("attendance_id",),
)

AE = Dataset(
    "ae",
    "Accident and emergency attendances.",
    "one row per attendance",
    (
        Column("attendance_id", "int64", "attendance identifier"),
        _patient(),
        _registered_practice(),
        *_recorded_person("attendance"),
        _provider(),
        Column(
            "department_type",
            "string",
            "A&E department type (major, single specialty, minor)",
            codes=codes.AE_DEPARTMENT_TYPE,
        ),
        Column("arrived_at", "timestamp", "time of arrival"),
        Column("departed_at", "timestamp", "time of departure (admission, discharge, transfer)"),
        Column("arrival_mode", "string", "how the patient arrived", codes=codes.ARRIVAL_MODE),
        Column("disposal", "string", "what happened next", codes=codes.AE_DISPOSAL),
        _cost(),
    ),
    key=("attendance_id",),
    checks=(Ordered("arrived_at", "departed_at"),),
)

PRACTICE_PAYMENT = Dataset(
    "practice_payment",
    "Payments to member practices, for the quarters each was open (pro rata in the quarter it "
    "closed; none after).",
    "one row per practice, financial year it was open in, and category",
    (
        Column("practice", "string", "practice paid", references="practice.code"),
        Column(
            "financial_year",
            "string",
            "financial year, April to March (e.g. 2013/14)",
            pattern=FINANCIAL_YEAR,
        ),
        Column("category", "string", "what the payment is for", codes=codes.PAYMENT_CATEGORY),
        Column("amount", "float64", "amount in pounds", minimum=0, maximum=MAXIMUM_PAYMENT),
    ),
    key=("practice", "financial_year", "category"),
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        CCG,
        PRACTICE,
        CLINICIAN,
        PROVIDER,
        PATIENT,
        REGISTRATION,
        CONDITION,
        APC,
        OP,
        AE,
        PRACTICE_PAYMENT,
    )
}
