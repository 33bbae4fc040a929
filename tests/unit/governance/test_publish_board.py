"""The pages for the Board and the markets: the assurance view, commissioning support with its
dependence indicator and chart, and the quality premium with any qualified provider.

The record is the tamper test's full record (every table written through the actions) with a
review lifting a condition, a revoked direction, the Board's assurance of a plan and a second
year of support added. Expected values are worked out here from what the test recorded and from
the store; the entries come from `state.vouched`, not from the pages' code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from consortia.governance import audit, state
from consortia.governance.authorisation import criteria
from consortia.governance.publish import publish_record
from consortia.store import models
from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import build, do
from tests.unit.governance.test_publish import read, words
from tests.unit.governance.test_tamper import full_record

AS_OF = date(2018, 6, 1)
LIFTED_ON = date(2017, 9, 1)
LIFTED_BECAUSE = "The integrated plan was agreed with the Health and Wellbeing Board"
ASSURED = "Assured; the CCG reports on weight management each quarter"
# 2018/19: one function of four outside the CCG, £100,000 of £400,000.
INSIDE = (["finance", "hr", "procurement"], 300_000)
OUTSIDE = (["business_intelligence"], 100_000)


@dataclass(frozen=True)
class Board:
    """The full record with the Board's later acts, its pages, and what the log vouches."""

    db: str
    out: Path
    written: list[Path]
    vouched: dict[tuple[str, Any], tuple[Any, int]]


def later_acts(store: Store) -> None:
    """A review lifting the integrated-plan condition, the financial-plan direction revoked,
    the Board's assurance of the first plan, and a second year of support."""
    with store.reading() as session:
        condition = session.scalars(
            select(models.AuthorisationCondition.id)
            .where(models.AuthorisationCondition.criterion == "3.1")
            .order_by(models.AuthorisationCondition.id.desc())
        ).first()
        direction = session.scalars(
            select(models.Direction.id).where(models.Direction.matter == "financial_plan")
        ).one()
        plan = session.scalars(select(models.Plan.id).order_by(models.Plan.id)).first()
    do(
        store,
        "review_authorisation",
        actor="ao-smith",
        board="nhs-cb",
        reviewed_on=LIFTED_ON,
        lift=[condition],
        because=LIFTED_BECAUSE,
    )
    do(
        store,
        "revoke_direction",
        actor="ao-smith",
        board="nhs-cb",
        direction=direction,
        revoked_on=date(2018, 3, 1),
        grounds="Financial balance restored",
    )
    do(
        store,
        "record_board_assurance",
        actor="ao-smith",
        plan=plan,
        board="nhs-cb",
        assured_on=date(2018, 2, 1),
        outcome="assured_with_actions",
        statement=ASSURED,
    )
    for (functions, cost), model, supplier in (
        (INSIDE, "in_house", None),
        (OUTSIDE, "support_unit", "north-csu"),
    ):
        do(
            store,
            "record_support_arrangement",
            actor="cfo-jones",
            year="2018/19",
            model=model,
            supplier=supplier,
            functions=functions,
            cost_pounds=cost,
        )


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Board:
    """The full record, the Board's later acts, published on 1 June 2018."""
    folder = tmp_path_factory.mktemp("board")
    db = f"sqlite:///{folder / 'g.sqlite'}"
    store = open_store(db)
    try:
        full_record(store)
        later_acts(store)
        with store.reading() as session:
            vouched, _ = state.vouched(audit.entries(session))
    finally:
        store.close()
    out = folder / "site"
    return Board(db, out, publish_record(db, out, AS_OF), vouched)


def _stored(db: str, query: Any) -> list[Any]:
    """Rows of the store for a query, as plain values (a row's columns as attributes)."""
    store = open_store(db, migrate_schema=False)
    try:
        with store.reading() as session:
            return [_plain(found) for found in session.scalars(query)]
    finally:
        store.close()


def _plain(found: Any) -> Any:
    """A mapped row as a namespace of its columns; any other value as it is."""
    table = getattr(found, "__table__", None)
    if table is None:
        return found
    return SimpleNamespace(**{column.name: getattr(found, column.name) for column in table.columns})


def _entry(board: Board, table: str, *key: Any) -> str:
    """ "entry N" for the entry the log says last wrote a row."""
    return f"entry {board.vouched[(table, tuple(key))][1]}"


def _row(page: Any, first: str) -> list[str]:
    """The table row whose first cell is `first`."""
    return next(row for row in page.rows if row and row[0] == first)


def test_the_new_pages_are_written_and_linked_from_the_index(board: Board) -> None:
    names = [path.relative_to(board.out).as_posix() for path in board.written]
    assert names[-3:] == ["assurance.html", "support.html", "markets.html"]
    index = (board.out / "index.html").read_text("utf-8")
    for page in ("assurance.html", "support.html", "markets.html"):
        assert f'href="{page}"' in index
    text = words(read(board.out / "index.html"))
    assert "Standing on 1 June 2018: Authorised with conditions" in text
    assert "The register and dependence on outside support, 2017/18 to 2018/19" in text
    assert "2 years of premium; 2 services open to any qualified provider" in text


def test_the_assurance_page_states_the_decision_and_the_standing(board: Board) -> None:
    page = read(board.out / "assurance.html")
    text = words(page)
    shipped = criteria()
    assert "Decided by NHS CB" in text
    assert "Decided on 1 March 2017" in text
    assert "The Board's decision Authorised with conditions" in text
    # One of the two conditions lifted: still authorised with conditions, one open.
    assert "Standing on 1 June 2018 Authorised with conditions 1 condition still open." in text
    assert f"{len(shipped) - 2} of {len(shipped)} criteria met when decided" in text


def test_an_open_level_4_condition_shows_its_direction_and_a_lifted_one_its_date(
    board: Board,
) -> None:
    html = (board.out / "assurance.html").read_text("utf-8")
    page = read(board.out / "assurance.html")
    text = words(page)
    financial = next(c for c in criteria() if c.id == "3.2")
    assert f"Criterion 3.2: {financial.text} Financial balance" in text
    assert "Support Level 4 A team backed by legal directions Legal direction d" in text
    cards = re.findall(
        r'<div class="nhsuk-card record-condition[^"]*">.*?</div>\s*</div>', html, re.S
    )
    assert len(cards) == 1  # 3.1 is lifted, so only 3.2 is open
    assert "record-condition--directed" in cards[0]
    open_ones = _stored(
        board.db,
        select(models.AuthorisationCondition).where(
            models.AuthorisationCondition.lifted_on.is_(None),
            models.AuthorisationCondition.criterion == "3.2",
        ),
    )
    latest = max(c.id for c in open_ones)
    assert _entry(board, "authorisation_condition", latest) in cards[0]
    lifted = _stored(
        board.db,
        select(models.AuthorisationCondition).where(
            models.AuthorisationCondition.lifted_on.is_not(None)
        ),
    )
    assert len(lifted) == 1
    assert _row(page, "3.1") == [
        "3.1",
        "An integrated plan",
        "Level 2: Expert advice",
        "1 September 2017",
        LIFTED_BECAUSE,
        _entry(board, "authorisation_condition", lifted[0].id),
    ]


def test_only_directions_in_force_are_shown_with_the_matter_in_words(board: Board) -> None:
    page = read(board.out / "assurance.html")
    procurement = _stored(
        board.db, select(models.Direction).where(models.Direction.matter == "procurement")
    )
    assert _row(page, "Awarding or ending a contract for services") == [
        "Awarding or ending a contract for services",
        "NHS Next CCG",
        "1 January 2018",
        "At risk of failing",
        _entry(board, "direction", procurement[0].id),
    ]
    assert "The annual budget and financial plan" not in words(page)  # revoked 1 March 2018


def test_board_items_show_open_or_closed_and_each_plan_its_assurance(board: Board) -> None:
    page = read(board.out / "assurance.html")
    items = _stored(board.db, select(models.BoardItem).order_by(models.BoardItem.id))
    plans = _stored(board.db, select(models.Plan).order_by(models.Plan.id))
    first, second = (row for row in page.rows if row and "Referred by" in row[0])
    assert first == [
        f"{plans[0].title} Referred by northborough-hwb on 1 May 2017",
        "referred",
        f"Closed on 1 February 2018 Assured, with actions: {ASSURED}",
        _entry(board, "board_item", items[0].id),
    ]
    assert second[0] == f"{plans[1].title} Referred by northborough-hwb on 1 June 2017"
    assert second[2] == "Open"
    assured = _stored(
        board.db, select(models.PlanStep).where(models.PlanStep.step == "board_assurance")
    )
    rows = [row for row in page.rows if row and row[0] in (plans[0].title, plans[1].title)]
    assert rows[-2:] == [
        [
            plans[0].title,
            "Assured, with actions",
            "1 February 2018",
            ASSURED,
            _entry(board, "plan_step", assured[0].id),
        ],
        [plans[1].title, "Not yet assured", "", "", _entry(board, "plan", plans[1].id)],
    ]


def test_support_shows_the_register_and_the_share_outside_per_year(board: Board) -> None:
    page = read(board.out / "support.html")
    content = json.loads(
        _stored(
            board.db, select(models.Constitution.content).order_by(models.Constitution.version)
        )[-1]
    )
    patients = sum(p["list_size"] for p in content["member_practices"])
    share = OUTSIDE[1] / (INSIDE[1] + OUTSIDE[1])
    assert f"{share:.0%}" == "25%"
    year = _row(page, "2018/19")
    assert year[:7] == [
        "2018/19",
        "1 of 4",
        "25%",
        "£100,000",
        "£400,000",
        "25%",
        f"£{400_000 / patients:,.2f}",
    ]
    assert _row(page, "2017/18")[:7] == [
        "2017/18",
        "2 of 4",
        "50%",
        "£900,000",
        "£1,800,000",
        "50%",
        f"£{1_800_000 / patients:,.2f}",
    ]
    arrangements = _stored(
        board.db,
        select(models.SupportArrangement)
        .where(models.SupportArrangement.year == "2018/19")
        .order_by(models.SupportArrangement.id),
    )
    csu = next(
        row
        for row in page.rows
        if row[:3]
        == [
            "2018/19",
            "A commissioning support unit hosted by the NHS Commissioning Board",
            "North CSU",
        ]
    )
    assert csu[3:] == [
        "Business intelligence",
        "£100,000",
        _entry(board, "support_arrangement", arrangements[1].id),
    ]
    inside = next(
        row for row in page.rows if row[:2] == ["2018/19", "In house, by the CCG's own staff"]
    )
    assert inside[2:5] == ["The CCG", "Finance, human resources and procurement", "£300,000"]
    constitution = _stored(
        board.db, select(models.Constitution.id).order_by(models.Constitution.version)
    )[-1]
    seqs = sorted(
        {board.vouched[("support_arrangement", (a.id,))][1] for a in arrangements}
        | {board.vouched[("constitution", (constitution,))][1]}
    )
    assert year[7] == f"entries {', '.join(map(str, seqs[:-1]))} and {seqs[-1]}"


def test_the_chart_is_drawn_from_the_same_numbers_with_a_title_and_no_script(
    board: Board,
) -> None:
    html = (board.out / "support.html").read_text("utf-8")
    assert "<script" not in html
    svg = re.search(r"<svg[^>]*role=\"img\".*?</svg>", html, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert '<title id="dependence-title">' in chart
    assert "2018/19: 25% of functions and 25% of cost outside" in chart
    assert "2017/18: 50% of functions and 50% of cost outside" in chart
    # Bars are drawn to scale: a 25% bar is half as long as a 50% one.
    widths = [
        float(w)
        for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="18"', chart)
    ]
    assert len(widths) == 4
    assert widths[0] == widths[1] == pytest.approx(2 * widths[2]) == pytest.approx(2 * widths[3])
    labels = re.findall(r'class="record-chart__text">(\d+%)</text>', chart)
    assert labels == ["50%", "50%", "25%", "25%"]


def test_the_markets_page_shows_the_premium_and_its_uses(board: Board) -> None:
    page = read(board.out / "markets.html")
    spends = _stored(board.db, select(models.PremiumSpend).order_by(models.PremiumSpend.id))
    received = _row(page, "2014/15")
    spent = sum(s.amount_pounds for s in spends if s.year == "2014/15")
    assert received[:5] == [
        "2014/15",
        "1 September 2015",
        "£300,000",
        f"£{spent:,}",
        f"£{300_000 - spent:,}",
    ]
    riverside = _stored(
        board.db, select(models.Organisation.name).where(models.Organisation.key == "Y00001")
    )[0]
    scheme = next(s for s in spends if s.year == "2015/16" and s.recipient == "Y00001")
    row = next(row for row in page.rows if row and row[0] == "2015/16" and riverside in row)
    assert row == [
        "2015/16",
        "An incentive scheme for practices Diabetes reviews in practices; decided on "
        "1 September 2016",
        riverside,
        "£20 a completed review of a patient with diabetes",
        "£50,000",
        _entry(board, "premium_spend", scheme.id),
    ]


def test_the_markets_page_counts_referrals_and_choices_per_provider(board: Board) -> None:
    page = read(board.out / "markets.html")
    text = words(page)
    assert "Tariff £120.00 a referral, the same for every provider" in text
    assert "Referral protocol GP referral on the pathway" in text
    referrals = _stored(
        board.db, select(models.AqpReferral).where(models.AqpReferral.service == "hearing")
    )
    chosen = {r.chosen for r in referrals}
    hear_well = [row for row in page.rows if row and row[0].startswith("Hear Well Ltd")]
    acme = [row for row in page.rows if row and row[0].startswith("Acme Health Ltd")]
    assert len(hear_well) == len(acme) == 2  # one line per service
    assert hear_well[0][0] == "Hear Well Ltd Offered on 1 June 2018"
    assert hear_well[0][1].startswith(
        "1 April 2017 to 31 March 2019 CQC registration 1-101 Monitor licence IPL-2"
    )
    assert hear_well[0][2:4] == [
        str(len(referrals)),
        str(sum(1 for r in referrals if r.chosen == "hear-well")),
    ]
    assert acme[0][2:4] == [str(len(referrals)), "0"]
    assert chosen == {"hear-well"}
    qualification = _stored(
        board.db,
        select(models.AqpQualification.id).where(
            models.AqpQualification.service == "hearing",
            models.AqpQualification.provider == "hear-well",
        ),
    )[0]
    seqs = sorted(
        {board.vouched[("aqp_qualification", (qualification,))][1]}
        | {board.vouched[("aqp_referral", (r.id,))][1] for r in referrals}
    )
    assert hear_well[0][4] == (
        f"entry {seqs[0]}"
        if len(seqs) == 1
        else f"entries {', '.join(map(str, seqs[:-1]))} and {seqs[-1]}"
    )


def test_every_fact_on_the_new_pages_names_the_entries_that_wrote_its_rows(board: Board) -> None:
    checked = 0
    for name in ("assurance", "support", "markets"):
        for rows, shown in read(board.out / f"{name}.html").sources:
            assert rows, f"{name}: a source names no row"
            seqs = sorted({board.vouched[(str(table), tuple(key))][1] for table, key in rows})
            expected = (
                f"entry {seqs[0]}"
                if len(seqs) == 1
                else f"entries {', '.join(map(str, seqs[:-1]))} and {seqs[-1]}"
            )
            assert shown == expected, (name, rows)
            checked += 1
    assert checked > 30


def test_a_record_with_none_of_it_says_so(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.sqlite'}"
    store = open_store(db)
    try:
        build(store)
    finally:
        store.close()
    publish_record(db, tmp_path / "site", AS_OF)
    assert "The Board had decided nothing on the CCG's authorisation by 1 June 2018." in words(
        read(tmp_path / "site" / "assurance.html")
    )
    assert "No direction is in force on 1 June 2018." in words(
        read(tmp_path / "site" / "assurance.html")
    )
    support = (tmp_path / "site" / "support.html").read_text("utf-8")
    assert "The register holds no commissioning-support arrangement." in support
    assert "<svg" not in support
    markets = words(read(tmp_path / "site" / "markets.html"))
    assert "The record holds no quality premium received by 1 June 2018." in markets
    assert "No service was open to any qualified provider by 1 June 2018." in markets
    index = words(read(tmp_path / "site" / "index.html"))
    assert "No decision on authorisation by 1 June 2018" in index
