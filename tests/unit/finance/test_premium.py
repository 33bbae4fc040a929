"""The quality premium worked by hand.

A scheme of £5 a head: measure A (25%, no increase, from the lake), B (12.5%, a reduction of
at least 3.2%, from the lake), C (12.5%, judged, an input) and one local slot of 50%; two
standards (95% and 85%), 25% off for each failed, added; two gateways.

CCG 00A, 100,000 patients: maximum £500,000.
- A: 990 against 1,000 the year before (−1%): achieved, 25%.
- B: 490 against 500 (−2%, short of −3.2%, which needs 484 or less): not achieved.
- C: the input says achieved: 12.5%.
- local L (50%, at least 0.8): the input gives 0.85: achieved.
  Earned 25% + 12.5% + 50% = 87.5%.
- Standard S1 from the lake: 94% < 95%, failed; S2 from the input: 90% ≥ 85%, met.
  Factor 1 − 25% × 1 = 0.75.
- Gateways passed: payment £500,000 × 0.875 × 0.75 = £328,125.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from consortia.analyses.scope import parse_financial_year
from consortia.errors import DataError
from consortia.finance.premium.evaluate import evaluate, explain
from consortia.finance.premium.rules import (
    Inputs,
    LocalMeasures,
    Scheme,
    inputs,
    local_measures,
    scheme,
)

SCHEME = """
year = "2014/15"
pounds_per_head = 5.0
local_weights = [0.5]
reduction_per_standard = 0.25
reductions = "additive"

[[measures]]
id = "a"
title = "A"
weight = 0.25
rule = "no_increase"
lake = "avoidable_emergency_admissions"

[[measures]]
id = "b"
title = "B"
weight = 0.125
rule = "reduction"
threshold = 0.032
lake = "pyll_under_75"

[[measures]]
id = "c"
title = "C"
weight = 0.125
rule = "achieved"

[[gateways]]
id = "quality"
title = "Quality"

[[gateways]]
id = "financial"
title = "Financial"

[[standards]]
id = "s1"
title = "S1"
threshold = 0.95
lake = "ae_within_4_hours"

[[standards]]
id = "s2"
title = "S2"
threshold = 0.85
"""

LOCAL = """
year = "2014/15"
ccg = "00A"
[[measures]]
id = "l"
title = "L"
weight = 0.5
rule = "at_least"
threshold = 0.8
"""

INPUTS = """
year = "2014/15"
ccg = "00A"
[measures.c]
achieved = true
source = "the CCG's board papers"
[measures.l]
value = 0.85
[gateways.quality]
passed = true
[gateways.financial]
passed = true
[standards.s2]
value = 0.9
"""


def lake_values() -> pd.DataFrame:
    rows = [
        ("avoidable_emergency_admissions", "2013/14", 1000.0),
        ("avoidable_emergency_admissions", "2014/15", 990.0),
        ("pyll_under_75", "2013/14", 500.0),
        ("pyll_under_75", "2014/15", 490.0),
        ("ae_within_4_hours", "2014/15", 0.94),
    ]
    return pd.DataFrame(
        [
            {"ccg": "00A", "measure": m, "financial_year": y, "value": v, "lower": v * 0.9,
             "upper": v * 1.1}
            for m, y, v in rows
        ]
    )  # fmt: skip


def files(tmp_path: Path) -> tuple[Scheme, LocalMeasures, Inputs]:
    for name, text in (("scheme", SCHEME), ("local", LOCAL), ("inputs", INPUTS)):
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    chosen = scheme("2014/15", tmp_path / "scheme.toml")
    own = local_measures(tmp_path / "local.toml", chosen, "00A")
    given = inputs(tmp_path / "inputs.toml", chosen, [*chosen.measures, *own.measures], "00A")
    return chosen, own, given


def test_the_worked_example(tmp_path: Path) -> None:
    chosen, own, given = files(tmp_path)
    premium = evaluate(chosen, "00A", 100_000, lake_values(), own, given)
    achieved = {step.id: step.achieved for step in premium.measures}
    assert achieved == {"a": True, "b": False, "c": True, "l": True}
    assert premium.maximum == pytest.approx(500_000.0)
    assert premium.earned == pytest.approx(0.875)
    assert [s.met for s in premium.standards] == [False, True]
    assert premium.factor == pytest.approx(0.75)
    assert premium.payment == pytest.approx(328_125.0)
    assert premium.assumptions == []
    text = explain(premium)
    assert "= £328,125.00" in text
    assert "change -1.00%" in text
    assert "change -2.00%" in text


def test_reductions_compounded_and_a_failed_gateway(tmp_path: Path) -> None:
    chosen, own, given = files(tmp_path)
    both_failed = given.model_copy(
        update={"standards": {"s2": given.standards["s2"].model_copy(update={"value": 0.5})}}
    )
    added = evaluate(chosen, "00A", 100_000, lake_values(), own, both_failed)
    assert added.factor == pytest.approx(0.5)  # 1 − 25% × 2
    compounded = chosen.model_copy(update={"reductions": "compounded"})
    assert evaluate(
        compounded, "00A", 100_000, lake_values(), own, both_failed
    ).factor == pytest.approx(0.5625)  # 0.75²
    failed = given.model_copy(
        update={"gateways": {**given.gateways, "financial": given.gateways["quality"].model_copy(
            update={"passed": False})}}
    )  # fmt: skip
    assert evaluate(chosen, "00A", 100_000, lake_values(), own, failed).payment == 0.0


def test_missing_inputs_are_said(tmp_path: Path) -> None:
    chosen, _, _ = files(tmp_path)
    premium = evaluate(chosen, "00A", 100_000, lake_values(), None, None)
    # a (25%) only: c and the local slot want inputs; S1 failed, S2 assumed met
    assert premium.earned == pytest.approx(0.25)
    assert premium.payment == pytest.approx(500_000 * 0.25 * 0.75)
    said = "\n".join(premium.assumptions)
    assert "measure c: no input" in said
    assert "gateway quality: no input, assumed passed" in said
    assert "standard s2: no value, assumed met" in said
    assert "no local measures given" in said


def test_an_input_fills_a_year_the_lake_lacks(tmp_path: Path) -> None:
    chosen, own, given = files(tmp_path)
    lake = lake_values()
    lake = lake[lake["financial_year"] == "2014/15"]
    premium = evaluate(chosen, "00A", 100_000, lake, own, given)
    assert not premium.measures[0].achieved  # no 2013/14 for A
    entry = given.measures | {
        "a": given.measures["l"].model_copy(update={"value": None, "previous": 995.0})
    }
    filled = evaluate(
        chosen, "00A", 100_000, lake, own, given.model_copy(update={"measures": entry})
    )
    assert filled.measures[0].achieved  # 990 ≤ 995
    assert filled.measures[0].previous is not None
    assert filled.measures[0].previous.where == "input"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("local_weights = [0.5]", "local_weights = [0.4]", "sum to 0.9, not 1"),
        ("threshold = 0.032\n", "", "rule reduction needs a threshold"),
        ('rule = "achieved"', 'rule = "achieved"\nlake = "pyll_under_75"', "is an input"),
        ('lake = "pyll_under_75"', 'lake = "cholera"', "measures.1.lake"),
        ('reductions = "additive"', 'reductions = "sometimes"', "reductions"),
        ('id = "c"', 'id = "a"', "measure a named more than once"),
        ('year = "2014/15"', 'year = "2013/14"', "the file is for 2013/14, not 2014/15"),
        ("pounds_per_head = 5.0", "pounds_per_head = nan", "pounds_per_head"),
        ("pounds_per_head = 5.0", "pounds_per_head = [", "TOML syntax"),
    ],
)
def test_a_bad_scheme_is_refused(tmp_path: Path, old: str, new: str, words: str) -> None:
    path = tmp_path / "scheme.toml"
    path.write_text(SCHEME.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        scheme("2014/15", path)
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("which", "old", "new", "words"),
    [
        ("local", "weight = 0.5", "weight = 0.25", "do not fill the scheme's 1 local slots"),
        ("local", 'id = "l"', 'id = "a"', "has a national measure's id"),
        ("local", 'ccg = "00A"', 'ccg = "00B"', "for CCG 00B, not 00A"),
        ("inputs", "[measures.c]", "[measures.z]", "the scheme has no measure 'z'"),
        ("inputs", "[gateways.quality]", "[gateways.luck]", "no gateway 'luck'"),
        ("inputs", "[standards.s2]", "[standards.s9]", "no standard 's9'"),
        ("inputs", "value = 0.9", "value = 1.5", "standards.s2.value"),
        ("inputs", "passed = true", "passed = 'yes'", "gateways.quality.passed"),
        ("inputs", "value = 0.85", "value = 1e300", "measures.l.value"),
    ],
)
def test_bad_local_and_input_files_are_refused(
    tmp_path: Path, which: str, old: str, new: str, words: str
) -> None:
    chosen, _, _ = files(tmp_path)
    text = {"local": LOCAL, "inputs": INPUTS}[which].replace(old, new, 1)
    path = tmp_path / f"{which}.toml"
    path.write_text(text, encoding="utf-8")
    own = LocalMeasures.model_validate(
        {"year": "2014/15", "ccg": "00A", "measures": [
            {"id": "l", "title": "L", "weight": 0.5, "rule": "at_least", "threshold": 0.8}]}
    )  # fmt: skip

    def read() -> object:
        if which == "local":
            return local_measures(path, chosen, "00A")
        return inputs(path, chosen, [*chosen.measures, *own.measures], "00A")

    with pytest.raises(DataError) as caught:
        read()
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_years_and_shipped_schemes() -> None:
    assert parse_financial_year("2013-14") == "2013/14"
    for bad in ("2013", "2013-15", "13/14"):
        with pytest.raises(DataError, match="not a financial year"):
            parse_financial_year(bad)
    with pytest.raises(DataError, match="no quality premium scheme for 2019/20"):
        scheme("2019/20")
    for year in ("2013/14", "2014/15"):
        shipped = scheme(year)
        total = sum(m.weight for m in shipped.measures) + sum(shipped.local_weights)
        assert total == pytest.approx(1.0)
        assert shipped.pounds_per_head == 5.0


def test_standardised_rates_by_hand() -> None:
    """1,000 people in every age band; 20 avoidable admissions, all aged 60-64, whose band
    weighs 6,000 of the European Standard Population's 100,000: 0.06 × 20/1,000 × 100,000 =
    120 per 100,000. Twelve deaths at 60-64, each losing 10 years: 0.06 × 120/1,000 ×
    100,000 = 720 years per 100,000."""
    from consortia.finance.premium.lake import _pyll, _standardised
    from consortia.schema.reference_tables import AGE_BANDS

    people = pd.DataFrame(
        {"ccg": "00A", "financial_year": "2014/15", "age_band": list(AGE_BANDS), "population": 1000}
    )
    events = pd.DataFrame(
        [{"ccg": "00A", "financial_year": "2014/15", "age_band": "60-64", "events": 20}]
    )
    rate = _standardised("avoidable_emergency_admissions", events, people)
    assert rate["value"].tolist() == pytest.approx([120.0])
    assert rate["lower"].iloc[0] < 120.0 < rate["upper"].iloc[0]
    deaths = pd.DataFrame(
        [{"ccg": "00A", "financial_year": "2014/15", "age_band": "60-64", "lost": 10, "deaths": 12}]
    )
    pyll = _pyll(deaths, people)
    assert pyll["value"].tolist() == pytest.approx([720.0])
    assert pyll["numerator"].tolist() == [120.0]
    # years lost repeat in a person: wider limits than 120 independent events would give
    assert pyll["upper"].iloc[0] - pyll["lower"].iloc[0] > 6 * (
        rate["upper"].iloc[0] - rate["lower"].iloc[0]
    )
