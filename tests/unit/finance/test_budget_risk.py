"""Budget risk worked by hand.

The two-point population: 1,000 people, 100 of whom cost £1,000 in the year and the rest
nothing. Its mean is £100 and its standard deviation √(0.1 × 1,000² − 100²) = £300. The spend
of N people drawn from it is £1,000 × a Binomial(N, 0.1) count, so the chance of any overspend
is a binomial tail, computed here from the binomial's own distribution, not the simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from consortia.errors import DataError
from consortia.finance.budget_risk import (
    SIZES,
    Costs,
    Settings,
    Simulation,
    for_ccg,
    from_costs,
    normal_smallest,
    simulate,
    smallest_population,
)
from consortia.finance.parameters import allocation_parameters

TWO_POINT = Costs.of(1_000, np.full(100, 1_000.0))
YEARS = 20_000
TOLERANCE = 4 * math.sqrt(0.25 / YEARS) + 0.005  # four simulation errors + the lattice's


def test_two_point_moments_and_split() -> None:
    assert TWO_POINT.mean == pytest.approx(100.0, rel=1e-12)
    assert TWO_POINT.sd == pytest.approx(300.0, rel=1e-12)
    # skewness of a Bernoulli(0.1) count: (1 − 2p)/√(p(1 − p)) = 0.8/0.3
    assert TWO_POINT.skewness == pytest.approx(0.8 / 0.3, rel=1e-12)
    split = TWO_POINT.split
    # the costliest 0.1% of 1,000 people is one person, drawn one by one
    assert split.tail.tolist() == [1_000.0]
    assert split.tail_share == pytest.approx(0.001)
    # the other 999: 99 at £1,000
    assert split.mean == pytest.approx(99_000 / 999, rel=1e-12)
    assert split.variance == pytest.approx(99e6 / 999 - (99_000 / 999) ** 2, rel=1e-12)


def test_overspend_beyond_the_reserve_is_a_binomial_tail() -> None:
    """N = 20,000: budget £2,000,000; overspending by more than 1% beyond a 0.5% reserve
    means spend above £2,030,000, i.e. 2,031 or more of the Binomial(20,000, 0.1) people."""
    simulation = Simulation(TWO_POINT, 100.0, 0.0, Settings(contingency=0.005, years=YEARS))
    exact = float(stats.binom.sf(2_030, 20_000, 0.1))
    assert exact == pytest.approx(0.236, abs=0.005)  # the normal's 1 − Φ(30.5/42.43)
    assert simulation.probability(20_000, 0.01) == pytest.approx(exact, abs=TOLERANCE)
    # more than 2%: above £2,050,000, 2,051 or more
    exact_2 = float(stats.binom.sf(2_050, 20_000, 0.1))
    assert simulation.probability(20_000, 0.02) == pytest.approx(exact_2, abs=TOLERANCE)


def test_a_pool_pays_costs_above_its_threshold_for_the_expected_share() -> None:
    """Pool above £500: each user costs the CCG £500, plus £50 a head into the pool (the
    mean cost above £500: 0.1 × £500). Spend = 500 X + 50 N; more than 1.5% over the
    £100 N budget means X > 0.103 N = 2,060 at N = 20,000."""
    assert TWO_POINT.excess(500.0) == pytest.approx(50.0, rel=1e-12)
    capped = TWO_POINT.capped(500.0)
    assert capped.mean == pytest.approx(50.0, rel=1e-12)
    simulation = Simulation(capped, 100.0, 50.0, Settings(contingency=0.005, years=YEARS))
    exact = float(stats.binom.sf(2_060, 20_000, 0.1))
    assert simulation.probability(20_000, 0.01) == pytest.approx(exact, abs=TOLERANCE)


def test_smallest_population_against_the_normal_formula() -> None:
    """The normal curve: (z₀.₉₅ × 3 / 0.015)² = (1.6448536 × 200)² = 108,221.7 → 108,222.
    The two-point sum is close to normal there (skewness 2.67/√108,222 = 0.008)."""
    assert normal_smallest(3.0, 0.005, 0.01, 0.05) == 108_222
    simulation = Simulation(TWO_POINT, 100.0, 0.0, Settings(contingency=0.005, years=YEARS))
    chances = [simulation.probability(size, 0.01) for size in SIZES]
    found = smallest_population(simulation, chances, 0.01, 0.05)
    assert found is not None
    assert found == pytest.approx(108_222, rel=0.06)
    assert found % 1_000 == 0


def test_no_size_low_enough_says_so() -> None:
    simulation = Simulation(TWO_POINT, 100.0, 0.0, Settings(contingency=0.0, years=1_000))
    assert smallest_population(simulation, [0.5] * len(SIZES), 0.01, 0.05) is None


def test_spread_falls_as_one_over_the_square_root_of_size() -> None:
    rng = np.random.default_rng(7)
    costs = Costs.of(100_000, rng.lognormal(6.0, 1.5, 30_000))
    relative = [
        simulate(costs, size, 5_000, 3).std() / (size * costs.mean) * math.sqrt(size)
        for size in (20_000, 80_000, 320_000)
    ]
    exact = costs.sd / costs.mean
    for value in relative:
        assert value == pytest.approx(exact, rel=0.05)


def test_matches_drawing_every_person_on_a_heavy_tail() -> None:
    """The short cut (tail drawn one by one, the rest through its mean and variance) against
    the plain sum of N draws, on lognormal costs with σ = 2 (a very heavy tail)."""
    rng = np.random.default_rng(11)
    people = 50_000
    costs = Costs.of(people, rng.lognormal(5.0, 2.0, 20_000))
    everyone = np.concatenate([np.zeros(people - costs.used.size), costs.used])
    size, years = 20_000, 1_500
    plain = np.array([rng.choice(everyone, size).sum() for _ in range(years)]) / (size * costs.mean)
    short = simulate(costs, size, 20_000, 5) / (size * costs.mean)
    se = costs.sd / costs.mean / math.sqrt(size) / math.sqrt(years)
    for q in (0.1, 0.5, 0.9, 0.99):
        assert np.quantile(short, q) == pytest.approx(np.quantile(plain, q), abs=6 * se + 0.002)
    # and heavier than a normal's upper tail, as the skewness says
    assert stats.skew(short) == pytest.approx(costs.skewness / math.sqrt(size), abs=0.1)
    assert costs.skewness > 10


def test_excess_and_centile_by_hand() -> None:
    costs = Costs.of(10, np.array([0.0, 10.0, 20.0, 30.0]))
    assert costs.used.tolist() == [10.0, 20.0, 30.0]
    assert costs.mean == pytest.approx(6.0)
    assert costs.excess(15.0) == pytest.approx((5 + 15) / 10)
    assert costs.centile(0.5) == 0.0  # seven of ten cost nothing
    assert costs.centile(0.999) == pytest.approx(30.0, rel=0.01)


def test_no_costs_refused() -> None:
    with pytest.raises(DataError, match="no registered patient has any costed activity"):
        Costs.of(100, np.zeros(3))


def test_a_ccgs_rows_on_everyones_costs_are_those_of_a_run_at_its_size() -> None:
    """`for_ccg` keeps everyone's grid and smallest populations and adds the CCG's own list
    and its merger exactly as a run with that reference would draw them."""
    costs = Costs.of(50_000, np.random.default_rng(7).lognormal(5.0, 1.5, 30_000))
    parameters = allocation_parameters("2014/15")
    settings = Settings(contingency=0.005, years=500)
    national = from_costs(costs, 60_000, parameters, settings)
    own = for_ccg(national, "00X", 37_000)
    direct = from_costs(costs, 37_000, parameters, settings, "00X")
    assert own.ccg == "00X"
    assert own.reference == 37_000
    pd.testing.assert_frame_equal(own.table, direct.table)
    pd.testing.assert_frame_equal(own.smallest, national.smallest)
    assert list(own.table["population"].iloc[10:12]) == [37_000, 74_000]
