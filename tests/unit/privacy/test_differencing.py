"""Differencing attacks on the public release, by an attacker written apart from the release
(`tests.privacy_attack`): it knows the rule and which numbers add up to which, and solves for
every withheld number with integer programming over everything released. Planted small
counts are attacked through totals (margins), through two breakdowns of the same people
(overlapping geographies: practices and wards), through months and their year (time
windows), through cumulative age bands and through exact money (a price times a count):
with the release's audit there are no exact recoveries; figure by figure, without it, the
attacks recover counts (they have teeth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from consortia.pack.figure import Figure
from consortia.privacy.differencing import relations
from consortia.privacy.publication import Public
from consortia.privacy.release import Audience, release, released
from tests.privacy_attack import Recovery, recoveries, sums

CONDITIONS = ("dementia", "smi", "heart_failure")
# Small counts, and counts at the edges of rounding (8 and 13 round up by 2, 12 and 18 down):
# where differencing through a rounded total does best.
PLANTED = (0, 1, 2, 6, 7, 8, 12, 13, 18)
SEEDS = range(120)


def figure(id: str, table: pd.DataFrame, as_is: tuple[str, ...] = ()) -> Figure:
    return Figure(
        id=id, section="Test", title=id, method="m", table=table, public=Public(as_is=as_is)
    )


def planted(seed: int, practices: int = 4) -> tuple[Figure, ...]:
    """A CCG of a few practices with small registers (many of 1 to 12); each condition's
    register for the CCG; and the same people by ward, a grouping that crosses practices."""
    rng = np.random.default_rng(seed)
    people = []
    for condition in CONDITIONS:
        for p in range(practices):
            for _ in range(int(rng.choice(PLANTED))):
                people.append((f"P{p:02d}", f"W{int(rng.integers(2))}", condition))
    everyone = pd.DataFrame(people, columns=["practice", "ward", "condition"])
    full = pd.MultiIndex.from_product([[f"P{p:02d}" for p in range(practices)], CONDITIONS])
    by_practice = (
        (everyone.groupby(["practice", "condition"]).size().reindex(full, fill_value=0))
        .rename_axis(["practice", "condition"])
        .rename("observed")
        .reset_index()
    )
    by_ward = (
        everyone.groupby(["ward", "condition"]).size()
        .reindex(pd.MultiIndex.from_product([["W0", "W1"], CONDITIONS]), fill_value=0)
    ).rename_axis(["provider", "condition"]).rename("observed").reset_index()  # fmt: skip
    totals = by_practice.groupby("condition", sort=False)["observed"].sum().reset_index()
    return (
        figure("registers", by_practice),
        figure("wards", by_ward),
        figure("totals", totals),
    )


def attack(exact: tuple[Figure, ...], public: tuple[Figure, ...]) -> list[Recovery]:
    """The attacker's recoveries, told which rows were withheld to protect others."""
    protecting = set()
    for k, (truth, shown) in enumerate(zip(exact, public, strict=True)):
        for column in ("observed", "events", "patients"):
            if column not in shown.table:
                continue
            hidden = shown.table[column].isna() & ~truth.table[column].between(1, 7)
            protecting |= {(k, int(row)) for row in np.flatnonzero(hidden)}
    found = recoveries(exact, public, sums(exact), protecting)
    for recovery in found:  # recovered means recovered truly (money to the penny)
        k = [f.id for f in public].index(recovery.figure)
        true: Any = exact[k].table.reset_index(drop=True).at[recovery.row, recovery.column]
        assert abs(true - recovery.value) < 0.011
    return found


def figure_by_figure(figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
    """Each figure released alone to the public: the small-number rule, no audit of sums."""
    made = (release(f, Audience.PUBLIC) for f in figures)
    return tuple(f for f in made if f is not None)


def test_no_withheld_count_is_recovered_through_totals_or_crossing_groupings() -> None:
    withheld = 0
    for seed in SEEDS:
        exact = planted(seed)
        public = released(exact, Audience.PUBLIC)
        withheld += int(public[0].table["observed"].isna().sum())
        assert attack(exact, public) == [], f"seed {seed}"
    assert withheld > 300  # the planted counts are small: many were withheld


def test_without_the_audit_the_same_attack_recovers_counts() -> None:
    found = [r for seed in SEEDS for r in attack(planted(seed), figure_by_figure(planted(seed)))]
    assert len(found) >= 3, len(found)
    assert {r.figure for r in found} >= {"registers"}


def test_a_row_beside_a_pinned_count_is_withheld_and_said() -> None:
    # A cell of 7 beside three of 12, total 43: released —, 10, 10, 10 and 45, the 7 is
    # pinned (43 − 3 × 12 = 7 at most, and it is at most 7).
    cells = pd.DataFrame(
        {"practice": ["A", "B", "C", "D"], "condition": ["smi"] * 4, "observed": [7, 12, 12, 12]}
    )
    exact = (
        figure("registers", cells),
        figure("totals", pd.DataFrame({"condition": ["smi"], "observed": [43]})),
    )
    assert attack(exact, figure_by_figure(exact)) == [Recovery("registers", "observed", 0, 7)]
    shown_cells, shown_totals = released(exact, Audience.PUBLIC)
    # the smallest released count beside it is withheld too; the CCG's total stays published
    assert shown_cells.table["observed"].isna().tolist() == [True, True, False, False]
    assert shown_totals.table["observed"].tolist() == [45]
    assert "1 row is withheld to protect others" in shown_cells.disclosure
    assert attack(exact, (shown_cells, shown_totals)) == []


def test_months_add_up_to_their_financial_year() -> None:
    # 2013/14: a withheld month of 7 beside three of 12 and the year's 43: pinned through the
    # year (January to March 2014 are in 2013/14; April 2014 opens 2014/15).
    months = pd.DataFrame(
        {
            "month": ["2013-12-01", "2014-01-01", "2014-02-01", "2014-03-01", "2014-04-01"],
            "pod": ["ae"] * 5,
            "events": [12, 12, 12, 7, 20],
        }
    )
    years = pd.DataFrame(
        {"financial_year": ["2013/14", "2014/15"], "pod": ["ae", "ae"], "events": [43, 20]}
    )
    exact = (figure("monthly", months), figure("yearly", years))
    assert attack(exact, figure_by_figure(exact)) == [Recovery("monthly", "events", 3, 7)]
    public = released(exact, Audience.PUBLIC)
    assert attack(exact, public) == []
    assert public[1].table["events"].tolist() == [45, 20]


def test_money_published_exactly_does_not_give_a_withheld_count_back() -> None:
    # Each attendance costs £117: the month of 3 attendances cost £351. With every other month
    # and the year published to the penny, its cost (and so its count) is the year's less the
    # rest, unless another month is withheld with it.
    months = pd.DataFrame(
        {
            "month": ["2014-04-01", "2014-05-01", "2014-06-01", "2014-07-01"],
            "pod": ["ae"] * 4,
            "events": [3, 40, 52, 61],
        }
    )
    months["cost"] = months["events"] * 117.0
    years = pd.DataFrame({"financial_year": ["2014/15"], "pod": ["ae"], "events": [156]})
    years["cost"] = years["events"] * 117.0
    exact = (figure("monthly", months, ("cost",)), figure("yearly", years, ("cost",)))
    alone = attack(exact, figure_by_figure(exact))
    assert Recovery("monthly", "cost", 0, 351.0) in alone
    public = released(exact, Audience.PUBLIC)
    assert attack(exact, public) == []
    assert public[0].table["cost"].isna().sum() == 2


def test_cumulative_bands_do_not_give_a_band_back() -> None:
    # Patients by age band, and those aged 65 and over (a band that sums the older ones): the
    # 85+ band of 7 is the 65+ count less the others (43 − 3 × 12 = 7 at most).
    bands = pd.DataFrame(
        {
            "age_band": ["65-69", "70-74", "75-84", "85+"],
            "practice": ["A"] * 4,
            "patients": [12, 12, 12, 7],
        }
    )
    older = pd.DataFrame({"practice": ["A"], "patients": [43]})
    exact = (figure("bands", bands), figure("aged_65_and_over", older))
    assert attack(exact, figure_by_figure(exact)) == [Recovery("bands", "patients", 3, 7)]
    assert attack(exact, released(exact, Audience.PUBLIC)) == []


def test_the_audit_finds_the_sums_the_attacker_knows() -> None:
    """Every sum the attacker writes down is one the release's audit found for itself."""
    for seed in range(10):
        exact = planted(seed)
        audited = {(frozenset(r.left), frozenset(r.right)) for r in relations(exact)} | {
            (frozenset(r.right), frozenset(r.left)) for r in relations(exact)
        }
        for left, right in sums(exact):
            assert (frozenset(left), frozenset(right)) in audited


def test_a_small_month_shown_by_midpoint6_is_not_pinned_by_its_year() -> None:
    # Months of 1, 7, 7 and 7 shown by midpoint 6 as 3, 9, 9, 9; the year's 22 as 20 (18 to
    # 22): the first month is at most 22 − 3 × 7 = 1, so 1 exactly, and then each 7 too.
    months = pd.DataFrame(
        {
            "month": ["2014-04-01", "2014-05-01", "2014-06-01", "2014-07-01"],
            "pod": ["ae"] * 4,
            "numerator": [1, 7, 7, 7],
        }
    )
    years = pd.DataFrame({"financial_year": ["2014/15"], "pod": ["ae"], "events": [22]})
    monthly = Figure(
        id="monthly", section="Test", title="t", method="m", table=months,
        public=Public(midpoint6=True),
    )  # fmt: skip
    exact = (monthly, figure("yearly", years))
    alone = figure_by_figure(exact)
    assert alone[0].table["numerator"].tolist() == [3, 9, 9, 9]
    assert attack(exact, alone) == [
        Recovery("monthly", "numerator", row, value) for row, value in enumerate([1, 7, 7, 7])
    ]
    assert attack(exact, released(exact, Audience.PUBLIC)) == []
