"""The configuration check the pack shows (`governance.configuration`): the size against the
CCGs England authorised (ONS mid-2012: 211 CCGs, 63,100 to 869,400, median 221,000), and the
governing body judged on the day asked, not today."""

from __future__ import annotations

from datetime import date

import pytest

from consortia.governance.configuration import checks
from consortia.store.session import Store
from tests.unit.governance.ccg import GOVERNING_BODY, PEOPLE, constitution, do


@pytest.mark.parametrize(
    ("population", "result", "place"),
    [
        (30_000, "flag", "fewer than the smallest"),
        (63_099, "flag", "fewer than the smallest"),
        (63_100, "pass", "fewer than the median"),
        (220_999, "pass", "fewer than the median"),
        (221_000, "pass", "at least the median"),
        (869_400, "pass", "at least the median"),
        (869_401, "pass", "more than the largest"),
    ],
)
def test_size_is_placed_among_the_ccgs_england_authorised(
    store: Store, population: int, result: str, place: str
) -> None:
    with store.reading() as session:
        size = checks(session, population, date(2017, 6, 1))[0]
    assert size["check"] == "Size"
    assert size["result"] == result
    assert size["finding"].startswith(f"{population:,} registered patients: {place} of the 211")
    assert "63,100" in size["rule"]
    assert "NHS Corby" in size["rule"]


def test_the_governing_body_is_judged_on_the_day_asked(store: Store) -> None:
    """A lay member imprisoned for six months on 1 September 2012 is barred for five years
    (SI 2012/1631 Schedule 5): the body constituted on 2 September 2017 passes from then, but
    the same seats judged as at 1 June 2017 break the rule."""
    do(store, "adopt_constitution", constitution=constitution(), adopted_on=date(2017, 4, 1))
    convicted = {"convictions": [{"on": date(2012, 9, 1), "months": 6}]}
    for details in PEOPLE:
        if details["key"] == "lay-wood":
            details = {**details, "facts": convicted}
        do(store, "register_person", **details)
    do(store, "constitute_governing_body", members=GOVERNING_BODY, on=date(2017, 9, 2))
    with store.reading() as session:
        before = {c["check"]: c for c in checks(session, 300_000, date(2017, 6, 1))}
        after = {c["check"]: c for c in checks(session, 300_000, date(2017, 10, 1))}
    assert before["Governing body"]["result"] == "flag"
    assert before["Governing body"]["finding"].startswith("on 1 June 2017, 1 rule broken")
    assert after["Governing body"]["result"] == "pass"
    assert after["Governing body"]["finding"] == "9 members on 1 October 2017; every rule kept"
    assert after["Authorisation"]["result"] == "flag"  # the Board has not decided
