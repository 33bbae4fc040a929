"""Every column a pack table can show: its readable header and the kind that formats it.

One registry for the whole pack: a column of a figure's table is shown under its label's
header and formatted by its kind (thousands separators for counts, percentages for shares,
£ for money, dates as words). Where the column is a lake column, the description (and the
names of its codes) come from the schema. A missing value is shown as an em dash and the
table's notes say why. A table column without a label is a programming error: the pack's
tests build a pack and fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from consortia.schema import codes
from consortia.schema.datasets import DATASETS
from consortia.schema.reference_tables import load

MISSING = "—"


class Kind(StrEnum):
    """How a column's values read."""

    COUNT = "count"  # whole number, thousands separated
    RATE = "rate"  # per 1,000, one decimal place
    SHARE = "share"  # a fraction shown as a percentage
    POUNDS = "pounds"  # £, thousands separated
    RATIO = "ratio"  # observed / expected and the like, two decimal places
    NUMBER = "number"  # any other quantity, to `decimals` places
    DATE = "date"  # an ISO date shown as "1 April 2013"
    MONTH = "month"  # the first day of a month shown as "April 2013"
    CODE = "code"  # an identifier shown as it is
    NAME = "name"  # a name shown as it is
    TEXT = "text"  # words (or codes translated into words)
    FLAG = "flag"  # true or false shown as Yes or No
    MEASURE = "measure"  # an SPC value: a share when the series has a denominator, else a number


NUMERIC = frozenset(
    {
        Kind.COUNT,
        Kind.RATE,
        Kind.SHARE,
        Kind.POUNDS,
        Kind.RATIO,
        Kind.NUMBER,
        Kind.MEASURE,
    }
)


@dataclass(frozen=True)
class Label:
    """A column's header, its kind, what it means, and why a value may be missing."""

    header: str
    kind: Kind
    description: str = ""
    decimals: int | None = None  # overrides the kind's usual precision
    names: Mapping[str, str] = field(default_factory=dict)  # code -> words, for TEXT columns
    missing: str = "not available"
    rename: Callable[[str], str] | None = None  # words for values a mapping cannot list
    chart_only: bool = False  # drawn by the chart; another column of the table says it in words
    # A count of people or of their care (a COUNT the small-number rule applies to), rather
    # than of organisations, functions or years of age.
    of_people: bool = True

    @property
    def numeric(self) -> bool:
        """Whether the column is a quantity (right-aligned, formatted as a number)."""
        return self.kind in NUMERIC


def _sentence(text: str) -> str:
    """Text with its first letter capitalised."""
    return text[:1].upper() + text[1:]


def _schema(dataset: str, column: str, header: str, kind: Kind, **options: Any) -> Label:
    """A label whose description and code names come from the lake's schema."""
    spec = DATASETS[dataset].column(column)
    names = (
        {code: _sentence(words) for code, words in spec.codes.codes.items()} if spec.codes else {}
    )
    return Label(header, kind, _sentence(spec.description), names=names, **options)


@cache
def _treatment_functions() -> dict[str, str]:
    """Treatment function names by code, from the reference table."""
    table = load("treatment_functions").to_pandas()
    return dict(zip(table["code"].astype(str), table["name"].astype(str), strict=True))


def _service_line(value: str) -> str:
    """'outpatient 100' as 'Outpatient: 100 General Surgery' (a name beside the code)."""
    match = re.fullmatch(r"(.*?)\s*(\d{3})", value)
    if not match:
        return _sentence(value)  # a line with no treatment function: "A&E", "Non-elective"
    prefix, code = match.groups()
    name = _treatment_functions().get(code)
    words = f"{code} {name}" if name else code
    return f"{_sentence(prefix)}: {words}" if prefix else words


POD = {code: _sentence(words) for code, words in codes.POINT_OF_DELIVERY.codes.items()}
POINT_TYPES = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause – improving",
    "special_cause_concern": "Special cause – concerning",
    "special_cause_neutral_high": "Special cause – high",
    "special_cause_neutral_low": "Special cause – low",
}
INTERVAL = "Lower limit of the 95% confidence interval"

LABELS: dict[str, Label] = {
    # organisations and places
    "ccg": _schema("practice", "ccg", "CCG", Kind.CODE),
    "practice": _schema("patient", "practice", "Practice", Kind.CODE),
    "provider": Label("Provider code", Kind.CODE, "Provider organisation code"),
    "provider_name": Label("Provider", Kind.NAME, "Provider name"),
    "provider_kind": _schema("provider", "kind", "Kind of provider", Kind.TEXT),
    "this_ccg": Label("This CCG", Kind.FLAG),
    "name": Label("Name", Kind.NAME),
    "region": _schema("ccg", "region", "Region", Kind.TEXT),
    "practices": Label("Practices", Kind.COUNT, "Member practices"),
    # people
    "age_band": Label("Age band", Kind.TEXT, "Five-year age band (years)"),
    "sex": _schema("patient", "sex", "Sex", Kind.TEXT),
    "deprivation_decile": _schema(
        "patient", "deprivation_decile", "Deprivation decile (1 = most deprived)", Kind.CODE
    ),
    "condition": _schema("condition", "condition", "Condition", Kind.TEXT),
    # periods
    "financial_year": Label("Financial year", Kind.TEXT, "April to March"),
    "month": Label("Month", Kind.MONTH),
    # activity and money
    "pod": Label(
        "Point of delivery", Kind.TEXT, "Kind of hospital activity", names=POD, chart_only=True
    ),
    "treatment_function": _schema("op", "treatment_function", "Treatment function", Kind.CODE),
    "specialty": Label("Specialty", Kind.NAME, "Treatment function name (NHS Data Dictionary)"),
    "point_of_delivery": Label("Point of delivery", Kind.NAME, "Kind of hospital activity"),
    "treatment_function_label": Label(
        "Treatment function", Kind.NAME, "Treatment function code and name", chart_only=True
    ),
    "service_line": Label(
        "Service line",
        Kind.TEXT,
        "Admissions by method, outpatients by treatment function, or A&E",
        rename=_service_line,
    ),
    "events": Label("Events", Kind.COUNT, "Admissions, appointments or attendances"),
    "cost": _schema("apc", "cost", "Cost", Kind.POUNDS),
    "amount": _schema("practice_payment", "amount", "Amount", Kind.POUNDS),
    "category": _schema("practice_payment", "category", "Payment category", Kind.TEXT),
    "cost_per_head": Label("Cost per head", Kind.POUNDS, "Cost over registered patients", 2),
    "cost_per_weighted_head": Label(
        "Cost per weighted head", Kind.POUNDS, "Cost over the need-weighted population", 2
    ),
    "per_patient": Label("£ per patient", Kind.POUNDS, "Amount over registered patients", 2),
    "per_head": Label("£ a head", Kind.POUNDS, "Amount over registered patients", 2),
    "at_least_5_pounds": Label("At least £5 a head", Kind.FLAG),
    # budget risk
    "size": Label(
        "Population",
        Kind.TEXT,
        "A size on the curve, or a CCG's own list",
        names={"grid": "A size on the curve"},
    ),
    "variant": Label(
        "Risk pooling",
        Kind.TEXT,
        "Alone, or with a national pool paying each patient's cost above a threshold",
        names={"alone": "Alone", "pooled": "With the high-cost pool"},
    ),
    "overspend": Label("Overspend beyond the reserve", Kind.SHARE, "As a share of the budget"),
    "chance": Label("Chance in a year", Kind.SHARE, "Simulated share of budget years"),
    "chance_lower": Label("Lower 95% limit", Kind.SHARE, "Of the simulated chance"),
    "chance_upper": Label("Upper 95% limit", Kind.SHARE, "Of the simulated chance"),
    "normal": Label(
        "Chance if spend were normal", Kind.SHARE, "A normal curve with the same spread"
    ),
    # quality premium
    "weight": Label("Weight", Kind.SHARE, "Share of the premium the measure earns"),
    "rule": Label("Achieved when", Kind.TEXT, "The scheme's rule"),
    "this_year": Label("This year", Kind.NUMBER, "The measure's value in the year", 3),
    "year_before": Label("Year before", Kind.NUMBER, "The measure's value the year before", 3),
    "change": Label("Change", Kind.SHARE, "This year over the year before, less one"),
    "outcome": Label(
        "Outcome",
        Kind.TEXT,
        "Whether the measure earned its weight",
        names={
            "achieved": "Achieved",
            "not_achieved": "Not achieved",
            "no_input": "No value given",
        },
    ),
    "earned": Label("Share earned", Kind.SHARE, "Of the premium, on the measures scored"),
    "spend_change": Label("Change in spend a head", Kind.SHARE, "From the year before"),
    "emergency_change": Label(
        "Change in emergency admissions a head", Kind.SHARE, "From the year before"
    ),
    "pyll_change": Label("Change in years of life lost", Kind.SHARE, "From the year before"),
    # contracts
    "plan_value": Label("Plan £", Kind.POUNDS, "The year's contract value"),
    "plan_ytd_value": Label("Plan to date £", Kind.POUNDS, "The plan phased to the month"),
    "actual_ytd_value": Label("Actual to date £", Kind.POUNDS, "Recorded cost to the month"),
    "variance_ytd_share": Label("Variance to date", Kind.SHARE, "Actual over plan, less one"),
    "forecast_seasonal_value": Label(
        "Forecast £", Kind.POUNDS, "Seasonally adjusted forecast outturn"
    ),
    "forecast_run_rate_value": Label(
        "Run-rate forecast £", Kind.POUNDS, "Year to date × 12 ÷ months"
    ),
    "forecast_variance_value": Label("Forecast over plan £", Kind.POUNDS, "Forecast less plan"),
    "latest_variation": Label(
        "SPC this month",
        Kind.TEXT,
        "Making Data Count point type of the month's activity",
        names={
            "common_cause": "Common cause",
            "special_cause_neutral_high": "Special cause – high",
            "special_cause_neutral_low": "Special cause – low",
        },
    ),
    "plan_activity": Label("Plan activity", Kind.NUMBER, "Planned events", 0),
    # populations
    "patients": Label("Patients", Kind.COUNT, "Registered patients"),
    "patients_all": Label("Patients (all CCGs)", Kind.COUNT, "Registered patients in all the data"),
    "population": Label("Registered patients", Kind.COUNT, "Patients registered at mid-year"),
    "weighted_population": Label(
        "Weighted population", Kind.NUMBER, "Registered patients weighted by need", 0
    ),
    "person_years": Label("Person-years", Kind.NUMBER, "Time registered, in years", 0),
    "share": Label("Share", Kind.SHARE, "Share of the total"),
    "share_all": Label("Share (all CCGs)", Kind.SHARE, "Share among every patient in the data"),
    "england_share": Label("Share in England", Kind.SHARE, "ONS mid-2013 population of England"),
    "growth": Label("Growth", Kind.SHARE, "Change in list size over the period"),
    # rates and ratios
    "rate_per_1000": Label("Rate per 1,000", Kind.RATE, "Crude rate per 1,000 patients"),
    "ccg_rate_per_1000": Label(
        "CCG rate per 1,000", Kind.RATE, "Crude rate per 1,000 over the whole CCG list"
    ),
    "minimum_age": Label(
        "Register's minimum age",
        Kind.COUNT,
        "Youngest age the QOF register counts (0: all ages)",
        of_people=False,
    ),
    "list_size": Label("Whole list", Kind.COUNT, "Registered patients of every age"),
    "outlying": Label(
        "Outlying", Kind.FLAG, "Beyond the outermost funnel limit (allowing for over-dispersion)"
    ),
    "ccgs": Label("CCGs", Kind.COUNT, "Number of CCGs", of_people=False),
    "share_at_least_5_pounds": Label(
        "Share of CCGs at £5 a head or more", Kind.SHARE, "CCGs investing at least £5 a head"
    ),
    "lower": Label("Lower 95% limit", Kind.NUMBER, INTERVAL),
    "upper": Label("Upper 95% limit", Kind.NUMBER, INTERVAL.replace("Lower", "Upper")),
    "dsr_per_1000": Label(
        "Standardised rate per 1,000", Kind.RATE, "Directly standardised rate (ESP 2013)"
    ),
    "dsr_lower": Label("Standardised rate: lower 95% limit", Kind.RATE),
    "dsr_upper": Label("Standardised rate: upper 95% limit", Kind.RATE),
    "method": Label("Interval method", Kind.TEXT, "How the confidence interval was computed"),
    "observed": Label("Observed", Kind.COUNT, "Events or patients counted"),
    "expected": Label("Expected", Kind.NUMBER, "Expected from the reference rates", 1),
    "prevalence": Label("Recorded prevalence", Kind.SHARE, "On the register over registered"),
    "ratio": Label("Observed / expected", Kind.RATIO, "Indirectly standardised ratio"),
    "significance": Label("Funnel plot", Kind.TEXT, "Position against the funnel limits"),
    "poisson_significance": Label(
        "Funnel plot (Poisson only)", Kind.TEXT, "Position against exact Poisson limits"
    ),
    "percentile": Label("Percentile rank", Kind.NUMBER, "Rank of the ratio among its peers", 0),
    "national_percentile": Label(
        "National percentile rank", Kind.NUMBER, "Rank of the ratio among every practice", 0
    ),
    "region_percentile": Label(
        "Percentile rank in region", Kind.NUMBER, "Rank of the ratio among the region's CCGs", 0
    ),
    "measure": Label("Measure", Kind.TEXT),
    "decile": Label("Percentile", Kind.NUMBER, "Point of the distribution of practices", 0),
    "phi": Label("Over-dispersion (φ)", Kind.NUMBER, "Spiegelhalter's dispersion factor", 2),
    "tau2": Label("Between-practice variance (τ²)", Kind.NUMBER, "Random-effects variance", 4),
    # trends (statistical process control)
    "numerator": Label("Count", Kind.COUNT, "Events, or those meeting the standard"),
    "denominator": Label(
        "Out of", Kind.COUNT, "The total the count is a share of", missing="a count, not a share"
    ),
    "value": Label("Value", Kind.MEASURE, "The count, or the share"),
    "mean": Label("Mean", Kind.MEASURE, "Centre line"),
    "lower_limit": Label("Lower process limit", Kind.MEASURE, "Mean − 2.66 × mean moving range"),
    "upper_limit": Label("Upper process limit", Kind.MEASURE, "Mean + 2.66 × mean moving range"),
    "point_type": Label("Variation", Kind.TEXT, "Making Data Count point type", names=POINT_TYPES),
    "target": Label("Target", Kind.MEASURE, "The national standard", missing="no target"),
    # allocation (consortia allocate)
    "need_index": Label(
        "Need index", Kind.RATIO, "Need-weighted over raw population (1 = average)"
    ),
    "target_share": Label("Target share", Kind.SHARE, "Share of the national envelope"),
    "baseline": Label("Baseline", Kind.POUNDS, "Base year's spend on the components"),
    "allocation_target": Label(
        "Target", Kind.POUNDS, "The envelope × the share of the weighted population"
    ),
    "allocation": Label("Allocation", Kind.POUNDS, "Baseline moved towards target"),
    "allocation_growth": Label("Growth", Kind.SHARE, "Allocation over baseline, less 1"),
    "distance_before": Label(
        "Distance from target before", Kind.SHARE, "Baseline over target, less 1"
    ),
    "distance_after": Label(
        "Distance from target after", Kind.SHARE, "Allocation over target, less 1"
    ),
    "allocation_per_head": Label(
        "Allocation a head", Kind.POUNDS, "Allocation over registered person-years", 2
    ),
    "running_costs": Label("Running-cost allowance", Kind.POUNDS, "£ a head × population"),
    # a practice's patients (patient-level: served only as the access rules decide)
    "patient_id": Label("Pseudonym", Kind.CODE, "The patient's pseudonym (a keyed hash)"),
    "nhs_number": Label(
        "NHS number", Kind.CODE, "From the practice's own list, re-identified for it"
    ),
    "rank": Label("Rank", Kind.COUNT, "By emergency admissions, then cost", of_people=False),
    "age": Label("Age", Kind.COUNT, "Age in whole years on the list's day", of_people=False),
    "emergency_admissions": Label("Emergency admissions", Kind.COUNT, "In the latest year"),
    "elective_admissions": Label("Elective admissions", Kind.COUNT, "In the latest year"),
    "ae_attendances": Label("A&E attendances", Kind.COUNT, "In the latest year"),
    "outpatient_attendances": Label(
        "Outpatient attendances", Kind.COUNT, "Attended, in the latest year"
    ),
    # risk stratification (consortia risk)
    "model": Label("Model", Kind.TEXT, "A risk model (docs/risk.md)"),
    "auroc": Label(
        "AUROC", Kind.NUMBER, "Area under the ROC curve: 0.5 is chance, 1 is perfect", 3
    ),
    "auroc_lower": Label("AUROC: lower 95% limit", Kind.NUMBER, "DeLong interval", 3),
    "auroc_upper": Label("AUROC: upper 95% limit", Kind.NUMBER, "DeLong interval", 3),
    "auroc_gain": Label(
        "Gradient-boosted's AUROC higher by",
        Kind.NUMBER,
        "Its AUROC less this model's, on the same patients",
        3,
        missing="the model itself",
    ),
    "auroc_gain_lower": Label("Higher by: lower 95% limit", Kind.NUMBER, "DeLong paired", 3),
    "auroc_gain_upper": Label("Higher by: upper 95% limit", Kind.NUMBER, "DeLong paired", 3),
    "calibration_slope": Label(
        "Calibration slope", Kind.NUMBER, "1 is ideal; below 1, predictions too extreme", 2
    ),
    "calibration_intercept": Label(
        "Calibration-in-the-large", Kind.NUMBER, "0 is ideal; above 0, predictions too low", 2
    ),
    "ppv": Label("PPV", Kind.SHARE, "Share of the listed patients admitted as an emergency"),
    "ppv_lower": Label("PPV: lower 95% limit", Kind.SHARE, "Wilson interval"),
    "ppv_upper": Label("PPV: upper 95% limit", Kind.SHARE, "Wilson interval"),
    "sensitivity": Label(
        "Sensitivity", Kind.SHARE, "Share of the patients admitted as an emergency who are listed"
    ),
    "sensitivity_lower": Label("Sensitivity: lower 95% limit", Kind.SHARE, "Wilson interval"),
    "sensitivity_upper": Label("Sensitivity: upper 95% limit", Kind.SHARE, "Wilson interval"),
    "admissions_captured": Label(
        "Admissions captured", Kind.SHARE, "The listed patients' share of all emergency admissions"
    ),
    "listed_share": Label("List", Kind.SHARE, "Top share of patients by predicted risk"),
    "listed": Label("Listed", Kind.COUNT, "Patients on the list"),
    "admitted": Label("Admitted", Kind.COUNT, "Listed patients admitted as an emergency"),
    "risk": Label(
        "Predicted risk", Kind.SHARE, "Chance of an emergency admission in the coming year"
    ),
    "risk_rank": Label(
        "Rank", Kind.COUNT, "Among the practice's adults, by predicted risk", of_people=False
    ),
    "adults": Label("Adults", Kind.COUNT, "The practice's registered adults (18 and over)"),
    "conditions": Label(
        "Long-term conditions", Kind.COUNT, "On the practice's registers", of_people=False
    ),
    "tenth": Label(
        "Tenth", Kind.COUNT, "Tenth of patients by predicted risk (1: lowest)", of_people=False
    ),
    "predicted": Label("Predicted", Kind.SHARE, "Mean predicted chance of emergency admission"),
    "observed_share": Label("Observed", Kind.SHARE, "Share admitted as an emergency"),
    "observed_lower": Label("Observed: lower 95% limit", Kind.SHARE, "Wilson interval"),
    "observed_upper": Label("Observed: upper 95% limit", Kind.SHARE, "Wilson interval"),
    # markets and continuity
    "contacts": Label("Contacts", Kind.COUNT, "Admissions, attended appointments, attendances"),
    "providers": Label("Providers", Kind.COUNT, "Providers with any contact", of_people=False),
    "hhi": Label("Concentration (HHI)", Kind.NUMBER, "Herfindahl–Hirschman index", 0),
    "hhi_change": Label("Change in HHI", Kind.NUMBER, "Last year minus first year", 0),
    "largest_share": Label("Largest provider's share", Kind.SHARE),
    "mean_providers": Label("Providers per patient", Kind.NUMBER, "Mean distinct providers", 2),
    "several_providers": Label("Patients with 2+ providers", Kind.COUNT),
    "share_several_providers": Label("Share with 2+ providers", Kind.SHARE),
    "continuity_patients": Label(
        "Patients in the continuity index", Kind.COUNT, "Patients with enough contacts"
    ),
    "mean_continuity": Label(
        "Continuity of care", Kind.NUMBER, "Mean Bice–Boxerman index (1 = one provider)", 3
    ),
    # The governance record's configuration check and commissioning support.
    "check": Label("Check", Kind.TEXT, "What is checked"),
    "finding": Label("Finding", Kind.TEXT, "What the record and the lake show"),
    "result": Label("Result", Kind.TEXT, "Pass, or flag: the Board would not authorise it so"),
    "standard": Label("Standard", Kind.TEXT, "The rule checked against, with its source"),
    "functions": Label(
        "Support functions", Kind.COUNT, "Commissioning-support functions used", of_people=False
    ),
    "functions_outside": Label(
        "Performed outside", Kind.COUNT, "Functions an outside supplier performs", of_people=False
    ),
    "share_of_functions_outside": Label(
        "Share of functions outside", Kind.SHARE, "Functions performed outside over all used"
    ),
    "support_cost": Label("Cost of support", Kind.POUNDS, "In-house and outside, in the year"),
    "support_cost_outside": Label("Paid outside", Kind.POUNDS, "Paid to outside suppliers"),
    "share_of_cost_outside": Label(
        "Share of cost outside", Kind.SHARE, "Paid outside over the cost of all support"
    ),
    "support_cost_per_head": Label(
        "Support per head", Kind.POUNDS, "Cost of support over the member practices' lists", 2
    ),
}

# Columns whose names carry a value: "registered_2013-04-01" is the list on that date.
PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Label]], ...] = (
    (
        re.compile(r"registered_(\d{4}-\d{2}-\d{2})"),
        lambda m: Label(
            f"Registered on {_day(date.fromisoformat(m.group(1)))}",
            Kind.COUNT,
            "Patients registered on the date",
        ),
    ),
)


def label(column: str) -> Label:
    """The label of `column`; a KeyError names a column the registry does not know."""
    if column in LABELS:
        return LABELS[column]
    for pattern, make in PATTERNS:
        match = pattern.fullmatch(column)
        if match:
            return make(match)
    raise KeyError(f"no label for the pack table column {column!r}: add it to pack/labels.py")


def label_or_fallback(column: str, numeric: bool) -> Label:
    """The label of `column`, or, for a column the registry does not know yet, its name in
    words (the pack still builds; the test that every column has a label fails)."""
    try:
        return label(column)
    except KeyError:
        words = _sentence(column.replace("_", " "))
        return Label(words, Kind.NUMBER if numeric else Kind.TEXT)


def missing(value: Any) -> bool:
    """Whether `value` is absent (None, NaN, NaT, pandas' NA)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):  # pandas.NA refuses a truth value
        return True


def _day(day: date) -> str:
    """A date as '1 April 2013'."""
    return f"{day.day} {day:%B %Y}"


def _number(value: float, decimals: int) -> str:
    """A number with thousands separators and a true minus sign."""
    text = f"{value:,.{decimals}f}"
    return text.replace("-", "−") if value < 0 and text.strip("-0.,") else text.lstrip("-")


def _share(value: float, decimals: int) -> str:
    """A fraction as a percentage; tiny non-zero shares say so rather than round to zero."""
    smallest = 0.5 * 10 ** (-decimals) / 100
    if 0 < abs(value) < smallest:
        return f"<{10 ** (-decimals):.{decimals}f}%"
    return f"{_number(value * 100, decimals)}%"


def format_value(column: Label, value: Any, *, as_share: bool = False) -> str:
    """`value` as a reader expects it under `column` (an em dash when missing).

    `as_share` makes a MEASURE column read as a percentage (an SPC series of shares).
    """
    if missing(value):
        return MISSING
    kind = column.kind
    if kind is Kind.MEASURE:
        kind = Kind.SHARE if as_share else Kind.NUMBER
    if kind is Kind.COUNT:
        return _number(float(value), column.decimals or 0)
    if kind is Kind.RATE:
        return _number(float(value), 1 if column.decimals is None else column.decimals)
    if kind is Kind.SHARE:
        return _share(float(value), 1 if column.decimals is None else column.decimals)
    if kind is Kind.POUNDS:
        text = _number(float(value), column.decimals or 0)
        return f"−£{text[1:]}" if text.startswith("−") else f"£{text}"
    if kind is Kind.RATIO:
        return _number(float(value), 2 if column.decimals is None else column.decimals)
    if kind is Kind.NUMBER:
        decimals = column.decimals
        if decimals is None:
            decimals = 0 if float(value).is_integer() else 2 if abs(value) < 10 else 1
        return _number(float(value), decimals)
    if kind is Kind.DATE:
        return _day(_as_date(value))
    if kind is Kind.MONTH:
        return f"{_as_date(value):%B %Y}"
    if kind is Kind.FLAG:
        return "Yes" if bool(value) else "No"
    text = str(value)
    if kind is Kind.TEXT:
        if text in column.names:
            return column.names[text]
        if column.rename is not None:
            return column.rename(text)
    return text


def _as_date(value: Any) -> date:
    """A date from an ISO string, a date or a timestamp."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date") and callable(value.date):
        return date.fromisoformat(str(value.date()))
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")
