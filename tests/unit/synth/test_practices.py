"""Practice closures and mergers, and CCG age structure by region, in the organisation model."""

from __future__ import annotations

import numpy as np

from consortia.synth import organisations, params, people
from consortia.synth.calendar import DAYS, QUARTER_DAYS
from consortia.synth.payments import open_share, paid_list
from consortia.synth.targets import target


def economy() -> organisations.Organisations:
    rng = np.random.default_rng(7)
    return organisations.organisations(rng, patients=3_000_000, n_ccgs=20)


def test_closing_practices_send_patients_to_open_neighbours_in_their_ccg() -> None:
    practices = economy().practices
    closing = np.flatnonzero(practices.closed_day < DAYS)
    # about PRACTICE_CLOSURE_SHARE of ~350 practices, at most one per CCG
    assert len(closing) >= 5
    assert len(set(practices.ccg[closing].tolist())) == len(closing)
    kinds = set()
    for practice in closing:
        to = practices.moves.to[practice]
        weight = practices.moves.weight[practice]
        used = to[to >= 0]
        assert len(used) >= 1
        assert np.all(practices.ccg[used] == practices.ccg[practice])
        assert np.all(practices.closed_day[used] == DAYS)  # never to another closing practice
        assert np.isclose(weight.sum(), 1.0)
        kinds.add("merger" if len(used) == 1 else "dispersal")
    assert kinds == {"merger", "dispersal"}
    # practices that stay open move nobody
    assert np.all(practices.moves.to[practices.closed_day == DAYS] == -1)


def test_ccg_age_tilt_follows_its_region() -> None:
    orgs = economy()
    practices = orgs.practices
    for c, region in enumerate(orgs.ccgs.region):
        members = practices.ccg == c
        weights = practices.list_size[members]
        tilt = float(np.average(practices.age_tilt[members], weights=weights))
        goal = people.tilt_for_65_plus(target(f"share_aged_65_plus_{region}"))
        assert np.isclose(tilt, goal)

    assert set(orgs.ccgs.region) == set(params.REGION_POPULATION_SHARES)


def test_tilt_reproduces_the_share_aged_65_plus() -> None:
    assert np.isclose(people.share_65_plus(people.tilt_for_65_plus(0.111)), 0.111)
    assert people.tilt_for_65_plus(0.111) < 0 < people.tilt_for_65_plus(0.192)


def test_payments_pro_rata_for_the_quarter_of_closure() -> None:
    # closes half-way through the second quarter (1 July 2013 is day 91, 1 October day 183)
    closed = np.array([91 + 46, DAYS])
    share = open_share(closed)
    assert share[0, 0] == 1.0
    assert np.isclose(share[0, 1], 46 / 92)
    assert np.all(share[0, 2:] == 0.0)
    assert np.all(share[1] == 1.0)
    registered = np.full((2, len(QUARTER_DAYS)), 1_000)
    registered[0, 2:] = 0  # nobody on the list after the closure
    paid = paid_list(registered, closed)
    assert np.isclose(paid[0, 0], 1_000 * (1 + 46 / 92) / 4)
    assert paid[0, 1] == 0.0
    assert np.all(paid[1] == 1_000)
