"""A plain pandas implementation of the pack's headline figures, written independently of the
engine's definitions, as the oracle the engine must agree with.

It reads the lake's Parquet files whole and computes each figure the obvious way, for one CCG
over the financial years 2013/14 and 2014/15. Lists and person-years come from `registration`
(a patient whose practice closed counts at each practice for their time there); each event
goes to the practice its record names (the patient's registered practice on the day), and its
cell (age band on 1 October of its year, sex, deprivation) is read from the record's own sex,
birth and deprivation decile, as is each registration's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

YEARS = {"2013/14": date(2013, 4, 1), "2014/15": date(2014, 4, 1)}
PERIOD_START, PERIOD_END = pd.Timestamp("2013-04-01"), pd.Timestamp("2015-04-01")
PERSON = ["sex", "birth_year", "birth_month", "deprivation_decile"]  # on every record
GROUPS = Path(__file__).parents[2] / "src/consortia/schema/reference/icd10_groups.csv"


@dataclass
class Lake:
    """The datasets of a lake as pandas frames."""

    folder: Path

    def __post_init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            self.frames[name] = pd.read_parquet(self.folder / name)
        return self.frames[name]


def fy_of(days: pd.Series) -> pd.Series:
    """Financial-year label of each date, in the period; None outside it."""
    stamp = pd.to_datetime(days)
    label = pd.Series(
        np.where(stamp >= pd.Timestamp("2014-04-01"), "2014/15", "2013/14"),
        index=days.index,
        dtype=object,
    )
    inside = (stamp >= PERIOD_START) & (stamp < PERIOD_END)
    return label.where(inside, None)


def age_on(patients: pd.DataFrame, on: date) -> pd.Series:
    return on.year - patients["birth_year"] - (on.month < patients["birth_month"]).astype(int)


def band(age: pd.Series) -> pd.Series:
    lower = (age.clip(0, 90) // 5) * 5
    return lower.map(lambda v: "90+" if v >= 90 else f"{v}-{v + 4}")


def registered(patients: pd.DataFrame, on: date) -> pd.DataFrame:
    day = pd.Timestamp(on)
    start = pd.to_datetime(patients["registered_from"])
    end = pd.to_datetime(patients["registered_to"])
    return patients[(start <= day) & (end.isna() | (end > day))]


def registrations(lake: Lake) -> pd.DataFrame:
    """Every registration, with the patient's sex, birth and deprivation it records."""
    return lake["registration"]


def with_cell(frame: pd.DataFrame) -> pd.DataFrame:
    """Records of the period (with `financial_year`) with the age band on 1 October of that
    year and the deprivation quintile, from the record's own birth and decile."""
    year = frame["financial_year"].map({fy: start.year for fy, start in YEARS.items()})
    age = year - frame["birth_year"] - (frame["birth_month"] > 10).astype(int)  # on 1 October
    return frame.assign(
        age_band=band(age), deprivation_quintile=(frame["deprivation_decile"] + 1) // 2
    )


def ccg_practices(lake: Lake, ccg: str) -> set[str]:
    practices = lake["practice"]
    return set(practices.loc[practices["ccg"] == ccg, "code"])


def members(lake: Lake, ccg: str) -> pd.DataFrame:
    """Registrations with the CCG's practices."""
    every = registrations(lake)
    return every[every["practice"].isin(ccg_practices(lake, ccg))]


def ccg_events(lake: Lake, frame: pd.DataFrame, ccg: str) -> pd.DataFrame:
    """The events of `frame` whose records name the CCG's practices."""
    return frame[frame["practice"].isin(ccg_practices(lake, ccg))]


def events(lake: Lake) -> pd.DataFrame:
    """Paid activity: patient, provider, point of delivery, date, cost, treatment function."""
    apc, op, ae = lake["apc"], lake["op"], lake["ae"]
    seen = op[op["attendance_status"] == "attended"]
    frames = [
        pd.DataFrame(
            {
                "patient_id": apc["patient_id"],
                "practice": apc["practice"],
                **{column: apc[column] for column in PERSON},
                "provider": apc["provider"],
                "pod": apc["method"]
                .map({"elective": "elective", "emergency": "emergency"})
                .fillna("other_non_elective"),
                "day": pd.to_datetime(apc["admitted_on"]),
                "cost": apc["cost"],
                "service_line": np.where(
                    apc["method"] == "elective",
                    "elective " + apc["treatment_function"],
                    "non-elective",
                ),
            }
        ),
        pd.DataFrame(
            {
                "patient_id": seen["patient_id"],
                "practice": seen["practice"],
                **{column: seen[column] for column in PERSON},
                "provider": seen["provider"],
                "pod": np.where(seen["attendance_type"] == "first", "op_first", "op_follow_up"),
                "day": pd.to_datetime(seen["attended_on"]),
                "cost": seen["cost"],
                "service_line": "outpatient " + seen["treatment_function"],
            }
        ),
        pd.DataFrame(
            {
                "patient_id": ae["patient_id"],
                "practice": ae["practice"],
                **{column: ae[column] for column in PERSON},
                "provider": ae["provider"],
                "pod": "ae",
                "day": pd.to_datetime(ae["arrived_at"]).dt.normalize(),
                "cost": ae["cost"],
                "service_line": "A&E",
            }
        ),
    ]
    every = pd.concat(frames, ignore_index=True)
    every["financial_year"] = fy_of(every["day"])
    return every[every["financial_year"].notna()]


def activity_rates(lake: Lake, ccg: str) -> pd.DataFrame:
    """Events, cost and rate per 1,000 (list on 1 October) by year and point of delivery."""
    patients = members(lake, ccg)
    mine = ccg_events(lake, events(lake), ccg)
    totals = (
        mine.groupby(["financial_year", "pod"])
        .agg(events=("cost", "size"), cost=("cost", "sum"))
        .reset_index()
    )
    lists = {fy: len(registered(patients, date(start.year, 10, 1))) for fy, start in YEARS.items()}
    totals["population"] = totals["financial_year"].map(lists)
    totals["rate_per_1000"] = totals["events"] * 1000 / totals["population"]
    return totals


def _acsc_chronic(codes: pd.Series) -> pd.Series:
    with GROUPS.open() as stream:
        rows = [r for r in csv.DictReader(stream) if r["value_set"] == "acsc_chronic"]

    def matches(code: str) -> bool:
        return any(r["code_from"] <= code[: len(r["code_from"])] <= r["code_to"] for r in rows)

    lookup = {code: matches(code) for code in codes.unique()}
    return codes.map(lookup)


def measure_events(lake: Lake) -> pd.DataFrame:
    """The five variation measures' events: patient, date, measure."""
    apc, op, ae = lake["apc"], lake["op"], lake["ae"]
    emergency = apc[apc["method"] == "emergency"]
    parts = {
        "emergency_admissions": emergency["admitted_on"],
        "acsc_emergency_admissions": emergency.loc[
            _acsc_chronic(emergency["primary_diagnosis"]), "admitted_on"
        ],
        "elective_admissions": apc.loc[apc["method"] == "elective", "admitted_on"],
        "ae_attendances": pd.to_datetime(ae["arrived_at"]).dt.normalize(),
        "gp_referred_first_outpatients": op.loc[
            (op["attendance_type"] == "first")
            & (op["referral_source"] == "gp")
            & (op["attendance_status"] == "attended"),
            "attended_on",
        ],
    }
    frames = []
    for measure, days in parts.items():
        source = {"ae_attendances": ae, "gp_referred_first_outpatients": op}.get(measure, apc)
        frames.append(
            pd.DataFrame(
                {
                    "patient_id": source.loc[days.index, "patient_id"],
                    "practice": source.loc[days.index, "practice"],
                    **{column: source.loc[days.index, column] for column in PERSON},
                    "day": pd.to_datetime(days),
                    "measure": measure,
                }
            )
        )
    every = pd.concat(frames, ignore_index=True)
    every["financial_year"] = fy_of(every["day"])
    return every[every["financial_year"].notna()]


def person_years(lake: Lake) -> pd.DataFrame:
    """Registered person-years per registration and year, with age band, sex, deprivation
    quintile."""
    patients = registrations(lake)
    parts = []
    for fy, start in YEARS.items():
        first = pd.Timestamp(start)
        last = pd.Timestamp(date(start.year + 1, 4, 1))
        begin = pd.to_datetime(patients["registered_from"])
        begin = begin.where(begin > first, first)
        end = pd.to_datetime(patients["registered_to"]).fillna(last)
        end = end.where(end < last, last)
        days = (end - begin).dt.days
        frame = patients.assign(
            financial_year=fy,
            person_years=days / 365.0,
            age_band=band(age_on(patients, date(start.year, 10, 1))),
            deprivation_quintile=(patients["deprivation_decile"] + 1) // 2,
        )
        parts.append(frame[days > 0])
    columns = [
        "patient_id",
        "practice",
        "sex",
        "financial_year",
        "age_band",
        "deprivation_quintile",
        "person_years",
    ]
    return pd.concat(parts, ignore_index=True)[columns]


def variation(lake: Lake, ccg: str) -> pd.DataFrame:
    """Observed and expected events per measure and practice (indirect standardisation)."""
    cells = ["age_band", "sex", "deprivation_quintile"]
    exposure = person_years(lake)
    located = with_cell(measure_events(lake))
    observed_cells = located.groupby(["measure", "practice", *cells]).size().rename("observed")
    exposure_cells = exposure.groupby(["practice", *cells])["person_years"].sum()
    rows = []
    for measure in located["measure"].unique():
        frame = exposure_cells.reset_index().assign(measure=measure)
        frame = frame.merge(
            observed_cells.reset_index(), how="left", on=["measure", "practice", *cells]
        ).fillna({"observed": 0})
        sums = frame.groupby(cells)[["observed", "person_years"]].transform("sum")
        frame["expected"] = frame["person_years"] * sums["observed"] / sums["person_years"]
        rows.append(frame)
    every = pd.concat(rows)
    result = (
        every.groupby(["measure", "practice"])
        .agg(
            observed=("observed", "sum"),
            expected=("expected", "sum"),
            person_years=("person_years", "sum"),
        )
        .reset_index()
    )
    practices = lake["practice"]
    mine = set(practices.loc[practices["ccg"] == ccg, "code"])
    return result[result["practice"].isin(mine)].reset_index(drop=True)


def concentration(lake: Lake, ccg: str) -> pd.DataFrame:
    """HHI per service line and year over the CCG's patients' contacts."""
    mine = ccg_events(lake, events(lake), ccg)
    counts = mine.groupby(["financial_year", "service_line", "provider"]).size()
    shares = counts / counts.groupby(level=[0, 1]).transform("sum")
    return (shares.mul(100) ** 2).groupby(level=[0, 1]).sum().rename("hhi").reset_index()


def continuity(lake: Lake, ccg: str) -> pd.DataFrame:
    """Mean providers and mean Bice–Boxerman index per practice and year."""
    mine = ccg_events(lake, events(lake), ccg)
    n = mine.groupby(["financial_year", "practice", "patient_id", "provider"]).size()
    per = n.groupby(level=[0, 1, 2]).agg(contacts="sum", providers="size")
    per["squares"] = (n**2).groupby(level=[0, 1, 2]).sum()
    big = per["contacts"] >= 3
    per["coc"] = np.where(
        big, (per["squares"] - per["contacts"]) / (per["contacts"] * (per["contacts"] - 1)), np.nan
    )
    return (
        per.groupby(level=[0, 1])
        .agg(
            patients=("contacts", "size"),
            mean_providers=("providers", "mean"),
            mean_continuity=("coc", "mean"),
        )
        .reset_index()
    )


def local_investment(lake: Lake) -> pd.DataFrame:
    """Local investment per head (everyone on the CCG's lists on 1 April) per CCG and year;
    a CCG that paid nothing at £0."""
    payments = lake["practice_payment"]
    local = payments[payments["category"] == "ccg_local_investment"]
    ccg_of = lake["practice"][["code", "ccg"]].rename(columns={"code": "practice"})
    rows = []
    for fy, start in YEARS.items():
        lists = registered(registrations(lake), start).groupby("practice").size()
        listed = lists.rename("patients").reset_index().merge(ccg_of, on="practice")
        heads = listed.groupby("ccg")["patients"].sum()
        paid = local[local["financial_year"] == fy].merge(ccg_of, on="practice")
        amount = paid.groupby("ccg")["amount"].sum().reindex(heads.index).fillna(0.0)
        rows.append(
            pd.DataFrame(
                {"ccg": heads.index, "patients": heads.to_numpy(), "amount": amount.to_numpy()}
            ).assign(financial_year=fy)
        )
    result = pd.concat(rows, ignore_index=True)
    result["per_head"] = result["amount"] / result["patients"]
    return result


# QOF 2013/14 (business rules v26) and 2014/15: the youngest age on each register
QOF_AGES = {"diabetes": 17, "ckd": 18, "depression": 18, "epilepsy": 18, "obesity": 16}
ACHIEVEMENT = date(2015, 3, 31)
ESP = Path(__file__).parents[2] / "src/consortia/schema/reference/esp2013.csv"


def register_prevalence(lake: Lake, ccg: str) -> pd.DataFrame:
    """Each register over the CCG's patients of the register's ages on 31 March 2015."""
    listed = registered(members(lake, ccg), ACHIEVEMENT)
    ages = age_on(listed, ACHIEVEMENT)
    conditions = lake["condition"]
    recorded = conditions[pd.to_datetime(conditions["recorded_on"]) <= pd.Timestamp(ACHIEVEMENT)]
    rows = []
    for condition, register in recorded.groupby("condition"):
        eligible = listed[ages >= QOF_AGES.get(str(condition), 0)]
        observed = int(eligible["patient_id"].isin(register["patient_id"]).sum())
        rows.append(
            {
                "condition": condition,
                "patients": len(eligible),
                "observed": observed,
                "prevalence": observed / len(eligible),
                "list_size": len(listed),
            }
        )
    return pd.DataFrame(rows)


def prevalence_by_practice(lake: Lake, ccg: str) -> pd.DataFrame:
    """Per practice and register: eligible list, on the register, expected (indirect
    standardisation by age band and sex over every eligible patient in the lake)."""
    listed = registered(registrations(lake), ACHIEVEMENT)
    listed = listed.assign(age=age_on(listed, ACHIEVEMENT))
    listed["age_band"] = band(listed["age"])
    conditions = lake["condition"]
    recorded = conditions[pd.to_datetime(conditions["recorded_on"]) <= pd.Timestamp(ACHIEVEMENT)]
    parts = []
    for condition, register in recorded.groupby("condition"):
        eligible = listed[listed["age"] >= QOF_AGES.get(str(condition), 0)].copy()
        eligible["on"] = eligible["patient_id"].isin(register["patient_id"]).astype(int)
        reference = eligible.groupby(["age_band", "sex"])["on"].mean().rename("reference")
        eligible = eligible.join(reference, on=["age_band", "sex"])
        per = eligible.groupby("practice").agg(
            patients=("on", "size"), observed=("on", "sum"), expected=("reference", "sum")
        )
        parts.append(per.reset_index().assign(condition=condition))
    result = pd.concat(parts, ignore_index=True)
    practices = lake["practice"]
    mine = set(practices.loc[practices["ccg"] == ccg, "code"])
    return result[result["practice"].isin(mine) & (result["expected"] > 0)]


def _mid_year(lake: Lake, fy: str) -> pd.DataFrame:
    """Everyone registered on 1 October of the year, with age band, sex and CCG."""
    on = date(YEARS[fy].year, 10, 1)
    listed = registered(registrations(lake), on)
    listed = listed.assign(age_band=band(age_on(listed, on)))
    ccgs = lake["practice"].set_index("code")["ccg"]
    return listed.assign(ccg=listed["practice"].map(ccgs))


def _events_with_cells(lake: Lake) -> pd.DataFrame:
    """Every event with its patient's mid-year age band and sex, as its record gives them, and
    the CCG of its practice on the day."""
    located = with_cell(events(lake))
    ccgs = lake["practice"].set_index("code")["ccg"]
    return located.assign(ccg=located["practice"].map(ccgs))


def weighted_population(lake: Lake, ccg: str) -> pd.DataFrame:
    """Per year: the CCG's 1 October list, each age–sex group weighted by its cost per head
    over the lake relative to everyone's cost per head."""
    spend = _events_with_cells(lake)
    rows = []
    for fy in YEARS:
        people = _mid_year(lake, fy)
        heads = people.groupby(["age_band", "sex"]).size()
        cost = spend[spend["financial_year"] == fy].groupby(["age_band", "sex"])["cost"].sum()
        cost = cost.reindex(heads.index, fill_value=0.0)
        weight = (cost / heads) / (cost.sum() / heads.sum())
        ours = people[people["ccg"] == ccg].groupby(["age_band", "sex"]).size()
        rows.append({"financial_year": fy, "weighted_population": float((ours * weight).sum())})
    return pd.DataFrame(rows)


def standardised_rates(lake: Lake, ccg: str) -> pd.DataFrame:
    """DSR per 1,000 by year and point of delivery over ESP 2013 five-year bands."""
    esp = pd.read_csv(ESP).set_index("age_band")["population"]
    spend = _events_with_cells(lake)
    spend = spend[spend["ccg"] == ccg]
    rows = []
    for fy in YEARS:
        people = _mid_year(lake, fy)
        heads = people[people["ccg"] == ccg].groupby("age_band").size()
        for pod, group in spend[spend["financial_year"] == fy].groupby("pod"):
            counts = group.groupby("age_band").size().reindex(esp.index, fill_value=0)
            rate = (counts / heads.reindex(esp.index) * esp).sum() / esp.sum()
            rows.append({"financial_year": fy, "pod": pod, "dsr_per_1000": rate * 1000})
    return pd.DataFrame(rows)


def monthly_emergency_admissions(lake: Lake, ccg: str) -> pd.DataFrame:
    """Emergency admissions (admission methods 21–28) of the CCG's patients by month."""
    apc = lake["apc"]
    apc = apc[apc["method"] == "emergency"]
    frame = pd.DataFrame({"practice": apc["practice"], "day": pd.to_datetime(apc["admitted_on"])})
    spells = ccg_events(lake, frame, ccg)
    day = spells["day"]
    day = day[(day >= PERIOD_START) & (day < PERIOD_END)]
    months = day.dt.strftime("%Y-%m-01").value_counts().rename("numerator")
    return months.rename_axis("month").reset_index()


def age_sex_shares(lake: Lake, ccg: str) -> pd.DataFrame:
    """Share of the CCG's list on 1 April 2014 in each age band and sex."""
    on = YEARS["2014/15"]
    listed = registered(members(lake, ccg), on)
    counts = listed.groupby([band(age_on(listed, on)), listed["sex"]]).size()
    shares = (counts / counts.sum()).rename("share").rename_axis(["age_band", "sex"])
    return shares.reset_index()


def headline(lake_folder: Path, ccg: str) -> dict[str, pd.DataFrame]:
    """Every headline figure for `ccg`."""
    lake = Lake(lake_folder)
    return {
        "register_prevalence": register_prevalence(lake, ccg),
        "prevalence_by_practice": prevalence_by_practice(lake, ccg),
        "weighted_population": weighted_population(lake, ccg),
        "standardised_rates": standardised_rates(lake, ccg),
        "monthly_emergency_admissions": monthly_emergency_admissions(lake, ccg),
        "age_sex_shares": age_sex_shares(lake, ccg),
        "activity_rates": activity_rates(lake, ccg),
        "variation": variation(lake, ccg),
        "concentration": concentration(lake, ccg),
        "continuity": continuity(lake, ccg),
        "local_investment": local_investment(lake),
    }
