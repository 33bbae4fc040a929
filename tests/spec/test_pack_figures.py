"""Spec tests of the analyses behind each pack figure, on tiny lakes worked by hand.

The activity lake is the one of `test_population_and_activity` (CCG 01A: patients 1, 2, 3, 5,
6, 7 at A10001; CCG 02B: patient 4 at B10001) with named providers; the register lake holds
six patients whose ages straddle the QOF register age limits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from consortia.analyses import activity, fragmentation, investment, population, prevalence, trends
from consortia.analyses.scope import Scope
from consortia.pack.build import open_tables
from tests.engines import backend_of
from tests.spec import test_population_and_activity as activity_spec
from tests.spec.test_population_and_activity import START, patient, spell
from tests.spec.tiny import write_lake

CCG = Scope(ccg="01A")
PROVIDERS = [
    {"code": "RAA", "name": "Alpha NHS Trust", "kind": "nhs_trust"},
    {"code": "NXX", "name": "Ex Independent", "kind": "independent_sector"},
]


def rows_of(frame: Any, *keys: str) -> dict[Any, dict[str, Any]]:
    """Rows of a result keyed by `keys`."""
    return {
        tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: row
        for row in frame.to_dict("records")
    }


@pytest.fixture(scope="module")
def economy(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    """The activity spec's lake, with providers named and one practice opening in 2014."""
    rows = activity_spec.rows()
    rows["provider"] = PROVIDERS
    rows["practice"].append(
        rows["practice"][0] | {"code": "A20002", "name": "New", "opened": date(2014, 1, 1)}
    )
    rows["patient"].append(patient(8, "A20002", "M", (1980, 1), date(2014, 2, 1)))
    rows["apc"][0] = rows["apc"][0] | {"treatment_function": "100"}
    rows["apc"][1] = rows["apc"][1] | {"treatment_function": "999"}  # not a known function
    rows["op"][2] = rows["op"][2] | {"provider": "NXX"}  # patient 6's 2014 follow-up
    folder = write_lake(tmp_path_factory.mktemp("economy"), rows)
    backend = backend_of(engine)
    return backend, open_tables(backend, folder)


def run(economy: tuple[Any, Any], definition: Any, *args: Any) -> Any:
    backend, tables = economy
    return backend.execute(definition(tables, *args))


def test_weighted_population(economy: tuple[Any, Any]) -> None:
    """2013/14, everyone on 1 October 2013: 60-64 F (patient 1, cost 1,000 + 500), 90+ M
    (patient 3, nothing), 30-34 F (patient 5, maternity 2,000), 25-29 F (patient 6, 100) and
    50-54 F (02B's patient 4, 9,999): 5 people, 13,599 in all, so each group weighs its cost
    over 13,599/5. 01A's four weigh (1,500 + 0 + 2,000 + 100) × 5/13,599 = 18,000/13,599.
    2014/15 (the list of 1 October 2014 adds patient 2, 0-4 M, and patient 8, 30-34 M, to
    make 7 with 02B's patient 4): every pound (300 + 80 + 120) was spent on 01A's patients
    and patient 4 weighs 0, so 01A weighs all 7 × 500/500 = 7."""
    result = rows_of(run(economy, activity.weighted_population, CCG), "financial_year")
    assert result["2013/14"]["weighted_population"] == pytest.approx(18_000 / 13_599, rel=1e-12)
    assert result["2014/15"]["weighted_population"] == pytest.approx(7.0, rel=1e-12)
    rates = run(economy, activity.activity_with_weighted_cost, CCG)
    emergency = rates[(rates["pod"] == "emergency") & (rates["financial_year"] == "2013/14")]
    assert emergency["cost_per_weighted_head"].iloc[0] == pytest.approx(1000 * 13_599 / 18_000)


def test_events_by_band_fills_every_band(economy: tuple[Any, Any]) -> None:
    """01A, 2013/14, emergency admissions: one (patient 1, 60-64) over 4 patients on 1 October
    2013 in four bands; every one of the 19 bands present, both sexes together."""
    result = run(economy, activity.events_by_band, CCG)
    emergency = result[(result["pod"] == "emergency") & (result["financial_year"] == "2013/14")]
    assert len(emergency) == 19
    assert emergency["events"].sum() == 1
    assert emergency["population"].sum() == 4
    band = rows_of(emergency, "age_band")
    assert (band["60-64"]["events"], band["60-64"]["population"]) == (1, 1)
    assert (band["90+"]["events"], band["90+"]["population"]) == (0, 1)
    assert (band["0-4"]["events"], band["0-4"]["population"]) == (0, 0)


def test_treatment_functions_are_named(economy: tuple[Any, Any]) -> None:
    """Function 100 is General Surgery in the NHS Data Dictionary list; 999 is not a code."""
    result = rows_of(
        run(economy, activity.activity_by_function, CCG), "financial_year", "treatment_function"
    )
    assert result[("2013/14", "100")]["specialty"] == "General Surgery"
    assert result[("2013/14", "100")]["treatment_function_label"] == "100 General Surgery"
    assert result[("2013/14", "100")]["point_of_delivery"].startswith("emergency admissions")
    assert pd.isna(result[("2013/14", "999")]["specialty"])
    assert result[("2013/14", "999")]["treatment_function_label"] == "999 "


def test_cost_by_provider_and_month_are_named(economy: tuple[Any, Any]) -> None:
    """All of 01A's activity is at RAA: 2013/14 other non-elective is the maternity spell."""
    result = rows_of(run(economy, activity.cost_by_provider, CCG), "financial_year", "pod")
    maternity = result[("2013/14", "other_non_elective")]
    assert (maternity["provider_name"], maternity["events"], maternity["cost"]) == (
        "Alpha NHS Trust",
        1,
        2000.0,
    )
    monthly = rows_of(run(economy, activity.monthly_activity, CCG), "month", "pod")
    assert monthly[("2014-01-01", "other_non_elective")]["cost"] == 2000.0
    assert monthly[("2013-05-01", "emergency")]["point_of_delivery"] == (
        "emergency admissions (admission methods 21–28)"
    )


def test_practice_rates_carry_the_ccg_rate(economy: tuple[Any, Any]) -> None:
    """2014/15 (the latest year): A10001's list on 1 October 2014 is patients 1, 2, 3, 5, 6
    (5), A20002's is patient 8 (1). A&E: one attendance (patient 2) → A10001 200 per 1,000,
    CCG 1 × 1,000 / 6 — A20002's list counts though it had no A&E attendance."""
    result = rows_of(run(economy, activity.practice_rates, CCG), "pod", "practice")
    ae = result[("ae", "A10001")]
    assert ae["financial_year"] == "2014/15"
    assert ae["rate_per_1000"] == pytest.approx(200.0)
    assert ae["ccg_rate_per_1000"] == pytest.approx(1000 / 6)


def test_age_sex_profile(economy: tuple[Any, Any]) -> None:
    """On 1 April 2014 01A lists patients 1 (F 60-64), 2 (M 0-4), 3 (M 90+), 5 (F 30-34),
    6 (F 30-34: 30 since November 2013) and 8 (M 30-34): 30-34 F is 2 of 6. England's share
    is its mid-2013 count over England's total."""
    backend, tables = economy
    result = rows_of(
        run(economy, population.age_sex_profile, CCG, date(2014, 4, 1)), "age_band", "sex"
    )
    assert result[("30-34", "F")]["share"] == pytest.approx(2 / 6)
    england = backend.execute(tables["england_population_2013"])
    cell = england[(england["age_band"] == "30-34") & (england["sex"] == "F")]
    expected = cell["population"].iloc[0] / england["population"].sum()
    assert result[("30-34", "F")]["england_share"] == pytest.approx(expected, rel=1e-12)
    ordered = run(economy, population.age_sex_profile, CCG, date(2014, 4, 1))
    assert (ordered["age_band"].iloc[0], ordered["age_band"].iloc[-1]) == ("0-4", "90+")


def test_deprivation_comparison(economy: tuple[Any, Any]) -> None:
    """Everyone is in decile 5: 6 of 01A's, 7 in the lake on 1 April 2014; shares 1."""
    result = run(economy, population.deprivation_comparison, CCG, date(2014, 4, 1)).iloc[0]
    assert (result["patients"], result["patients_all"]) == (6, 7)
    assert (result["share"], result["share_all"]) == (1.0, 1.0)


def test_list_growth(economy: tuple[Any, Any]) -> None:
    """A10001: 5 on 1 April 2013 (patients 1, 3, 5, 6, 7), 5 on 1 April 2014 (7 died, 2
    joined): growth 0. A20002 opened in 2014: no list in 2013, so no growth figure."""
    result = rows_of(run(economy, population.list_growth, CCG), "practice")
    a = result["A10001"]
    assert (a["registered_2013-04-01"], a["registered_2014-04-01"], a["growth"]) == (5, 5, 0.0)
    new = result["A20002"]
    assert new["registered_2014-04-01"] == 1
    assert new["growth"] is None or new["growth"] != new["growth"]  # missing


def test_concentration_change_and_provider_kind(economy: tuple[Any, Any]) -> None:
    """Each year every line has one provider (patient 6's 2014 follow-up is at NXX, the
    independent provider, the 2013 first appointment at RAA): each HHI is 10,000, unchanged
    where a line has both years; a line seen in one year only has no change. NXX holds all
    of outpatient 300 in 2014/15."""
    result = rows_of(
        run(economy, fragmentation.concentration_change, CCG), "service_line", "financial_year"
    )
    assert result[("A&E", "2014/15")]["hhi"] == pytest.approx(10_000)
    assert result[("A&E", "2014/15")]["hhi_change"] is None or (
        result[("A&E", "2014/15")]["hhi_change"] != result[("A&E", "2014/15")]["hhi_change"]
    )
    assert result[("non-elective", "2013/14")]["hhi_change"] == pytest.approx(0.0)
    kinds = run(economy, fragmentation.market_shares_by_kind, CCG)
    assert set(kinds["provider_kind"]) == {"nhs_trust", "independent_sector"}
    independent = run(economy, fragmentation.independent_sector_share, CCG)
    assert independent[["service_line", "financial_year", "share"]].values.tolist() == [
        ["outpatient 300", "2014/15", 1.0]
    ]


def test_local_investment_comparison(economy: tuple[Any, Any]) -> None:
    """No payments in the lake: every CCG with patients at £0 a head, none reaching £5. (The
    register lake below works the £5 share.)"""
    result = run(economy, investment.local_investment_comparison, CCG)
    assert not result.empty
    assert (result["amount"] == 0).all()
    assert (result["per_head"] == 0).all()
    assert (result["share_at_least_5_pounds"] == 0).all()
    assert set(result["ccg"]) == {"01A", "02B"}


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    """Six patients, ages on 31 March 2014: A10001 — 1 (F, 24: diabetes, depression),
    2 (M, 17: diabetes, depression), 3 (F, 16: diabetes, asthma), 4 (M, 4: asthma);
    B10001 — 5 (F, 54: diabetes), 6 (M, 18: depression). Both practices in CCG 01A."""
    practice = {"contract": "GMS", "deprivation_decile": 5, "opened": START, "closed": None}
    people = [
        (1, "A10001", "F", (1990, 1), ["diabetes", "depression"]),
        (2, "A10001", "M", (1997, 1), ["diabetes", "depression"]),
        (3, "A10001", "F", (1997, 6), ["diabetes", "asthma"]),
        (4, "A10001", "M", (2010, 1), ["asthma"]),
        (5, "B10001", "F", (1960, 1), ["diabetes"]),
        (6, "B10001", "M", (1996, 1), ["depression"]),
    ]
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [{"code": "01A", "name": "NHS One CCG", "region": "north"}],
        "practice": [
            {"code": "A10001", "name": "A", "ccg": "01A"} | practice,
            {"code": "B10001", "name": "B", "ccg": "01A"} | practice,
        ],
        "patient": [patient(i, p, s, born, START) for i, p, s, born, _ in people],
        "condition": [
            {"patient_id": i, "condition": c, "recorded_on": date(2010, 1, 1)}
            for i, _, _, _, conditions in people
            for c in conditions
        ],
        "practice_payment": [
            {
                "practice": "A10001",
                "financial_year": "2013/14",
                "category": "ccg_local_investment",
                "amount": 30.0,
            }
        ],
        "apc": [spell(1, 1, "emergency", date(2013, 5, 1), 100)],
    }
    folder = write_lake(tmp_path_factory.mktemp("registers"), rows)
    backend = backend_of(engine)
    return backend, open_tables(backend, folder)


ONE_YEAR = Scope(ccg="01A", first_year=2013, years=1)
ACHIEVEMENT = date(2014, 3, 31)


def test_register_prevalence_uses_each_registers_ages(registers: tuple[Any, Any]) -> None:
    """Diabetes counts patients 17 and over: 1, 2, 5 of 1, 2, 5, 6 (patient 3, 16, is on
    neither side): 3/4, where the whole list would give 4/6. Depression counts 18 and over:
    1 and 6 of 1, 5, 6 (patient 2, 17, is left out): 2/3. Asthma counts all ages: 2/6."""
    result = rows_of(
        run(registers, prevalence.register_prevalence, ONE_YEAR, ACHIEVEMENT), "condition"
    )
    diabetes, depression, asthma = result["diabetes"], result["depression"], result["asthma"]
    assert (diabetes["minimum_age"], diabetes["patients"], diabetes["observed"]) == (17, 4, 3)
    assert diabetes["prevalence"] == pytest.approx(3 / 4)
    assert diabetes["list_size"] == 6
    assert (depression["minimum_age"], depression["patients"], depression["observed"]) == (
        18,
        3,
        2,
    )
    assert depression["prevalence"] == pytest.approx(2 / 3)
    assert (asthma["minimum_age"], asthma["patients"], asthma["observed"]) == (0, 6, 2)


def test_prevalence_expected_over_eligible_patients(registers: tuple[Any, Any]) -> None:
    """Reference prevalence by age band and sex over eligible patients. Diabetes: 20-24 F 1/1
    (patient 1), 15-19 M 1/2 (patients 2 on, 6 off), 50-54 F 1/1: A10001 expects 1 + ½ and
    has 2; B10001 expects 1 + ½ and has 1. Asthma: 15-19 F 1/1, 0-4 M 1/1, every other cell 0:
    A10001 expects 2 and has 2; B10001 expects none and is left out."""
    result = rows_of(
        run(registers, prevalence.observed_and_expected, ONE_YEAR, ACHIEVEMENT),
        "condition",
        "practice",
    )
    a, b = result[("diabetes", "A10001")], result[("diabetes", "B10001")]
    assert (a["patients"], a["observed"], a["prevalence"]) == (2, 2, 1.0)
    assert a["expected"] == pytest.approx(1.5, rel=1e-12)
    assert (b["patients"], b["observed"]) == (2, 1)
    assert b["expected"] == pytest.approx(1.5, rel=1e-12)
    assert result[("asthma", "A10001")]["expected"] == pytest.approx(2.0, rel=1e-12)
    assert ("asthma", "B10001") not in result
    assert result[("depression", "A10001")]["patients"] == 1


def test_every_register_has_an_age_rule() -> None:
    """Each register in the code list counts all ages or names its QOF minimum age."""
    from consortia.schema.codes import CONDITION

    for code, meaning in CONDITION.codes.items():
        if "aged 17 and over" in meaning:
            assert prevalence.MINIMUM_AGE[code] == 17
        elif "aged 18 and over" in meaning:
            assert prevalence.MINIMUM_AGE[code] == 18
        else:
            assert code not in prevalence.MINIMUM_AGE


def test_national_local_investment(economy: tuple[Any, Any], registers: tuple[Any, Any]) -> None:
    """Rolled up: the register lake's one CCG, £30 over 6 heads, reaches £5 with no shortfall;
    the economy lake's CCGs paid nothing, so each falls £5 a head short."""
    one = run(registers, investment.national_local_investment, ONE_YEAR).iloc[0]
    assert (one["ccgs"], one["ccgs_at_least_5_pounds"]) == (1, 1)
    assert (one["amount"], one["patients"]) == (30.0, 6)
    assert one["per_head"] == pytest.approx(5.0)
    assert one["shortfall"] == pytest.approx(0.0)
    none = run(economy, investment.national_local_investment, CCG)
    heads = run(economy, investment.ccg_local_investment, CCG)
    for row in none.to_dict(orient="records"):
        year = heads[heads["financial_year"] == row["financial_year"]]
        assert row["ccgs_at_least_5_pounds"] == 0
        assert row["shortfall"] == pytest.approx(5.0 * float(year["patients"].sum()))


def test_local_investment_share_reaching_five_pounds(registers: tuple[Any, Any]) -> None:
    """£30 paid to A10001, over the CCG's 6 patients on 1 April 2013 (A10001's 4 and
    B10001's 2, paid nothing): £5.00 a head, which reaches £5; the one CCG reaches it."""
    result = run(registers, investment.local_investment_comparison, ONE_YEAR).iloc[0]
    assert result["per_head"] == pytest.approx(5.0)
    assert bool(result["this_ccg"])
    assert (result["ccgs"], result["share_at_least_5_pounds"]) == (1, 1.0)


def test_monthly_series_value(registers: tuple[Any, Any]) -> None:
    """One emergency admission in May 2013: a count, so the value is the count itself."""
    result = run(registers, trends.monthly_series, ONE_YEAR)
    may = result[(result["series"] == "emergency_admissions") & (result["month"] == "2013-05-01")]
    assert may["value"].iloc[0] == 1.0


def test_continuity_share_of_several(economy: tuple[Any, Any]) -> None:
    """Every 01A patient used one provider in each year: nobody used several."""
    result = run(economy, fragmentation.practice_continuity, CCG)
    assert (result["share_several_providers"] == 0).all()


def test_payments_per_patient(registers: tuple[Any, Any]) -> None:
    """A10001's £30 over its 4 patients on 1 April 2013: £7.50 each; B10001 had nothing."""
    result = run(registers, investment.payments_per_patient, ONE_YEAR)
    assert result[["practice", "category", "patients", "per_patient"]].values.tolist() == [
        ["A10001", "ccg_local_investment", 4, 7.5]
    ]
