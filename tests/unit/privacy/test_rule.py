"""The small-number rule of each audience, as a CCG sets it: the public's at least NHS
Digital's (stricter allowed, never looser), the commissioning roles' anywhere from exact to
the public's, each worked by hand on small tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from consortia.errors import ExitCode, UsageError
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio
from consortia.privacy.release import Audience, release, rounded_count
from consortia.privacy.rule import EXACT, STANDARD, Rule, Rules
from tests.cli_run import run


@pytest.mark.parametrize(
    ("public", "internal"),
    [
        (STANDARD, EXACT),
        (Rule(10, 10), EXACT),  # a CCG may withhold more and round coarser
        (STANDARD, Rule(5, 1)),  # the commissioning roles' papers withhold 1 to 5
        (STANDARD, STANDARD),  # up to the public's own rule
        (Rule(10, 10), Rule(10, 5)),
    ],
)
def test_a_rule_as_strict_as_the_standard_is_accepted(public: Rule, internal: Rule) -> None:
    assert Rules(public, internal).public == public


@pytest.mark.parametrize(
    ("public", "internal", "words"),
    [
        (Rule(5, 5), EXACT, "never looser"),  # withholds less than 1 to 7
        (Rule(7, 3), EXACT, "never looser"),  # rounds to a figure that is no multiple of 5
        (Rule(7, 1), EXACT, "never looser"),
        (STANDARD, Rule(8, 1), "from exact"),  # stricter for the CCG than for everyone
        (STANDARD, Rule(0, 2), "from exact"),  # 2 does not divide 5: a pair of roundings leak
        (STANDARD, Rule(-1, 1), "from exact"),
    ],
)
def test_a_rule_looser_than_allowed_is_refused(public: Rule, internal: Rule, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        Rules(public, internal)


def test_the_public_rule_set_stricter_withholds_and_rounds_by_it() -> None:
    # 1 to 10 withheld, others to the nearest 10: 8 → —, 12 → 10, 23 → 20, 25 → 30, 0 → 0
    counts = pd.Series([8, 12, 23, 25, 0], name="patients")
    assert rounded_count(counts, Rule(10, 10)).tolist() == [pd.NA, 10, 20, 30, 0]
    figure = Figure(
        id="lists", section="Test", title="t", method="m",
        table=pd.DataFrame({"practice": ["A", "B"], "patients": [8, 23]}), public=Public(),
    )  # fmt: skip
    shown = release(figure, Audience.PUBLIC, Rules(public=Rule(10, 10)))
    assert shown is not None
    assert shown.table["patients"].tolist() == [pd.NA, 20]
    assert "counts of 1 to 10 are withheld and other counts rounded to the nearest 10" in (
        shown.disclosure
    )


def test_the_commissioning_roles_read_exact_counts_by_default() -> None:
    table = pd.DataFrame({"practice": ["A"], "observed": [3], "rate": [12.5]})
    figure = Figure(id="f", section="Test", title="t", method="m", table=table)
    shown = release(figure, Audience.GOVERNING_BODY)
    assert shown is not None
    assert shown.table["observed"].tolist() == [3]
    assert shown.disclosure == ""


def test_an_internal_rule_withholds_small_counts_and_their_rows_numbers() -> None:
    # 1 to 5 withheld, the rest as counted: practice A's 3 admissions go, and its rate with
    # them (3 per 240 would give the 3 back); practice B's 12 and its rate stay.
    table = pd.DataFrame(
        {"practice": ["A", "B"], "observed": [3, 12], "patients": [240, 960], "rate": [12.5, 12.5]}
    )
    undeclared = Figure(id="f", section="Test", title="t", method="m", table=table)
    rules = Rules(internal=Rule(5, 1))
    shown = release(undeclared, Audience.GOVERNING_BODY, rules)
    assert shown is not None
    assert shown.table["observed"].tolist() == [pd.NA, 12]
    assert shown.table["patients"].tolist() == [240, 960]
    assert shown.table["rate"].isna().tolist() == [True, False]
    assert shown.disclosure.startswith(
        "Released to the commissioning roles under the CCG's small-number rule: counts of 1 "
        "to 5 are withheld."
    )
    assert shown.audience == "governing_body"
    # a figure that declares its publication has its ratios worked out again, as for everyone
    declared = Figure(
        id="g", section="Test", title="t", method="m", table=table,
        public=Public((Ratio("rate", "observed", "patients", scale=1000),)),
    )  # fmt: skip
    worked = release(declared, Audience.GOVERNING_BODY, Rules(internal=Rule(5, 5)))
    assert worked is not None
    assert worked.table["observed"].tolist() == [pd.NA, 10]
    assert worked.table["rate"].tolist()[1] == pytest.approx(10 / 960 * 1000)


def test_a_command_refuses_a_rule_that_loosens_the_standard(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONSORTIA_PUBLIC_THRESHOLD", "5")
    code, error = run("pack", "--data", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == ExitCode.USAGE
    assert error.count("\n") == 1
    assert "never looser" in error
    assert not (tmp_path / "out").exists()
