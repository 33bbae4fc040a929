"""Every row of every governance table is proved by the audit log, on SQLite and PostgreSQL.

A record that writes rows to every table is built once per database through the actions.
Each tampering runs in a transaction that is rolled back afterwards, so every case starts
from the same record: edits, deletions, insertions and reorderings of any row of any table
are all found, and verification names one of the rows touched first.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from consortia.governance import audit, state
from consortia.store.session import Store, open_store
from tests.governance_db import postgres_schema
from tests.unit.governance import tamper
from tests.unit.governance.ccg import build, constitution, declare_financial, do, item, meeting

TABLES = [table.name for table in state.GOVERNED]


def _co_opted_audit_item(
    store: Store, day: date, visitor: str, role: str | None, ruling: str
) -> None:
    """An audit committee item left inquorate by a conflict, decided after a co-option."""
    opened = do(store, "open_meeting", actor="lay-brown", committee="audit", held_on=day)
    number = int(opened.effect["meeting"])
    do(store, "attend", actor="lay-brown", meeting=number, people=["lay-brown", "lay-wood"])
    on = item(store, number, "lay-brown", "internal_audit_plan", affects=["audit-firm"])
    do(
        store,
        "take_declarations",
        actor="lay-brown",
        item=on,
        declarations=[{"person": "lay-wood", "description": "former partner of the firm"}],
    )
    do(store, "rule_on_conflict", actor="lay-brown", item=on, person="lay-wood", ruling=ruling)
    do(store, "call_vote", actor="lay-brown", item=on)
    do(store, "co_opt", actor="lay-brown", item=on, person=visitor, role=role)
    do(store, "call_vote", actor="lay-brown", item=on)
    do(store, "cast_vote", actor="lay-brown", item=on, choice="for")
    do(store, "cast_vote", actor=visitor, item=on, choice="against")
    do(store, "close_item", actor="lay-brown", item=on)


def _lmc_item(store: Store, number: int, response: str) -> None:
    on = item(store, number, "lay-okafor", "local_incentive_scheme")
    do(store, "take_declarations", actor="lay-okafor", item=on)
    do(
        store,
        "record_lmc_consultation",
        actor="lay-okafor",
        item=on,
        response=response,
        consulted_on=date(2017, 5, 1),
    )
    do(store, "call_vote", actor="lay-okafor", item=on)
    for voter, choice in (("lay-okafor", "for"), ("dr-patel", "for"), ("cfo-jones", "abstain")):
        do(store, "cast_vote", actor=voter, item=on, choice=choice)
    do(store, "close_item", actor="lay-okafor", item=on)


def _plans(store: Store) -> None:
    """Two commissioning plans, each with intentions, evidence, a trail and a Board item."""
    for key, kind in (
        ("northborough-lmc", "lmc"),
        ("northborough-hwb", "health_and_wellbeing_board"),
        ("wessex-senate", "clinical_senate"),
    ):
        do(store, "register_organisation", key=key, name=key, kind=kind)
    for period, drafted_on in (("2018/19", date(2017, 5, 1)), ("2019/20", date(2017, 6, 1))):
        plan = do(
            store,
            "draft_plan",
            actor="ao-smith",
            period=period,
            title=f"Plan {period}",
            drafted_on=drafted_on,
            intentions=[
                {"service": "Diabetes", "activity": 100, "spend_pounds": 50_000},
                {"service": "Orthopaedics", "activity": 90, "spend_pounds": 540_000},
            ],
        ).effect["plan"]
        evidence = [
            {"figure": figure, "title": figure, "ccg": "99X", "sha256": digit * 64}
            for figure, digit in (("activity_rates", "a"), ("budget_risk", "b"))
        ]
        do(
            store,
            "cite_evidence",
            actor="ao-smith",
            plan=plan,
            cited_on=drafted_on,
            evidence=evidence,
        )
        do(
            store,
            "consult_lmc",
            actor="ao-smith",
            plan=plan,
            consulted_on=drafted_on,
            response="supports",
        )
        do(
            store,
            "record_senate_advice",
            actor="ao-smith",
            plan=plan,
            senate="wessex-senate",
            given_on=drafted_on,
            advice="advice",
        )
        do(
            store,
            "record_hwb_opinion",
            actor="ao-smith",
            plan=plan,
            board="northborough-hwb",
            given_on=drafted_on,
            opinion="does_not_take_proper_account",
            statement="adverse",
        )
        do(
            store,
            "refer_to_board",
            actor="ao-smith",
            plan=plan,
            board="northborough-hwb",
            referred_on=drafted_on,
            subject="referred",
        )


def _premium(store: Store) -> None:
    """Two years' quality premium, each spent on two schemes."""
    for year, received in (("2014/15", date(2015, 9, 1)), ("2015/16", date(2016, 9, 1))):
        do(
            store,
            "record_premium_payment",
            actor="cfo-jones",
            year=year,
            amount_pounds=300_000,
            received_on=received,
        )
        do(
            store,
            "spend_premium",
            actor="cfo-jones",
            year=year,
            purpose="quality_improvement",
            description="Community hub",
            amount_pounds=200_000,
            decided_on=received,
            recipient="acme-health",
        )
        do(
            store,
            "spend_premium",
            actor="cfo-jones",
            year=year,
            purpose="practice_incentive_scheme",
            description="Diabetes reviews in practices",
            amount_pounds=50_000,
            decided_on=received,
            recipient="Y00001",
            conditions="£20 a completed review of a patient with diabetes",
        )


def _markets(store: Store) -> None:
    """Two AQP services with qualified providers and referrals; two support arrangements."""
    do(
        store,
        "register_organisation",
        key="hear-well",
        name="Hear Well Ltd",
        kind="independent_provider",
        serves_area=True,
    )
    for service in ("hearing", "podiatry"):
        do(
            store,
            "open_aqp_service",
            actor="cfo-jones",
            key=service,
            title=service,
            tariff_pence=12_000,
            referral_protocol="GP referral on the pathway",
            opened_on=date(2017, 4, 1),
            activity={"dataset": "op", "where": {"treatment_function": ["840"]}},
        )
        for provider, licence in (("acme-health", "IPL-1"), ("hear-well", "IPL-2")):
            do(
                store,
                "qualify_provider",
                actor="cfo-jones",
                service=service,
                provider=provider,
                cqc_registration="1-101",
                monitor_licence=licence,
                standard_contract_signed_on=date(2017, 4, 1),
                quality_assured_on=date(2017, 4, 1),
                valid_from=date(2017, 4, 1),
                valid_to=date(2019, 3, 31),
            )
        do(
            store,
            "refer_to_aqp_service",
            actor="dr-lee",
            service=service,
            practice="Y00002",
            referred_on=date(2017, 6, 1),
            offered=["acme-health", "hear-well"],
            chosen="hear-well",
        )
    for model, supplier, functions in (
        ("in_house", None, ["finance", "hr"]),
        ("support_unit", "north-csu", ["business_intelligence", "contract_monitoring"]),
    ):
        do(
            store,
            "record_support_arrangement",
            actor="cfo-jones",
            year="2017/18",
            model=model,
            supplier=supplier,
            functions=functions,
            cost_pounds=900_000,
        )


def _authorisation(store: Store) -> None:
    """Established but not authorised, then authorised with conditions; two directions."""
    from consortia.governance.authorisation import criteria

    do(store, "register_organisation", key="nhs-cb", name="NHS CB", kind="nhs_commissioning_board")
    do(
        store,
        "register_organisation",
        key="next-ccg",
        name="NHS Next CCG",
        kind="clinical_commissioning_group",
    )
    ids = [c.id for c in criteria()]
    unmet = {
        "3.1": {"condition": "An integrated plan", "support_level": 2},
        "3.2": {"condition": "Financial balance", "support_level": 4, "direction": "d"},
    }
    for decided_on, authorise in ((date(2017, 1, 10), False), (date(2017, 3, 1), True)):
        do(
            store,
            "decide_authorisation",
            actor="ao-smith",
            board="nhs-cb",
            decided_on=decided_on,
            authorise=authorise,
            assessments=[
                {"criterion": c, "met": False, **unmet[c]}
                if c in unmet
                else {"criterion": c, "met": True}
                for c in ids
            ],
        )
    for matter, to in (("procurement", "next-ccg"), ("financial_plan", "nhs-cb")):
        do(
            store,
            "issue_direction",
            actor="ao-smith",
            board="nhs-cb",
            issued_on=date(2018, 1, 1),
            matter=matter,
            to=to,
            grounds="At risk of failing",
        )


def full_record(store: Store) -> None:
    """A record with at least two rows that differ in every governance table."""
    build(store)
    do(
        store,
        "adopt_constitution",
        constitution=constitution(version=2),
        adopted_on=date(2017, 4, 20),
    )
    do(store, "affiliate", person="cfo-jones", organisation="acme-health", relation="shareholder")
    do(store, "affiliate", person="nurse-evans", organisation="acme-health", relation="employee")
    declare_financial(store, "dr-moss", "shares in Acme Health")
    declare_financial(store, "cfo-jones", "director of Acme Health", declared_on=date(2017, 4, 9))
    do(store, "confirm_interests", actor="dr-lee", confirmed_on=date(2017, 3, 1))
    do(store, "confirm_interests", actor="dr-ng", confirmed_on=date(2017, 3, 2))
    for person, value in (("dr-lee", 9_000), ("dr-ng", 12_000)):
        approval = do(
            store,
            "approve_hospitality",
            actor="ao-smith",
            person=person,
            value_pence=value,
            donor="acme-health",
            offered_on=date(2017, 6, 1),
            approved_on=date(2017, 5, 30),
            grounds="speaker at the provider's clinical conference",
        ).effect["approval"]
        do(
            store,
            "record_gift",
            actor=person,
            kind="hospitality",
            value_pence=value,
            donor="acme-health",
            offered_on=date(2017, 6, 1),
            approval=approval,
        )
    do(
        store,
        "record_breach",
        actor="lay-brown",
        description="late declaration",
        occurred_on=date(2017, 3, 1),
    )
    do(
        store,
        "record_breach",
        actor="lay-brown",
        description="gift not declared",
        person="dr-moss",
        occurred_on=date(2017, 3, 9),
    )
    do(store, "appoint", person="lay-brown", committee="audit", role="lay_audit")
    do(store, "appoint", person="lay-wood", committee="audit", role="lay")
    do(store, "register_organisation", key="audit-firm", name="Audit Firm LLP", kind="other")
    _co_opted_audit_item(store, date(2017, 5, 10), "lay-visitor", "lay", "leave_item")
    _co_opted_audit_item(store, date(2017, 6, 14), "nurse-evans", None, "exclude")
    pccc = ["lay-okafor", "lay-brown", "ao-smith", "cfo-jones", "dr-patel", "dr-ng"]
    number = meeting(store, "pccc", "lay-okafor", pccc)
    _lmc_item(store, number, "supports the scheme")
    _lmc_item(store, number, "supports, with a review after a year")
    _plans(store)
    _premium(store)
    do(
        store,
        "register_organisation",
        key="north-csu",
        name="North CSU",
        kind="commissioning_support",
    )
    _markets(store)
    _authorisation(store)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The full record, built once per database."""
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{tmp_path_factory.mktemp('tamper') / 'g.sqlite'}")
        full_record(store)
        yield store
        store.close()
        return
    with postgres_schema() as url:
        store = open_store(url)
        full_record(store)
        yield store
        store.close()


def tampered(store: Store, forge: Any) -> tuple[state.Proof, Any]:
    """Apply `forge(connection)` and prove the record, then roll the forgery back."""
    with store.engine.connect() as connection:
        transaction = connection.begin()
        try:
            touched = forge(connection)
            with Session(bind=connection) as session:
                proof = state.prove(session)
        finally:
            transaction.rollback()
    return proof, touched


def named(proof: state.Proof) -> tuple[str, tuple[Any, ...]]:
    first = proof.disagreements[0]
    return first.table, first.key


def test_the_untouched_record_is_proved_row_by_row(record: Store) -> None:
    with record.reading() as session:
        proof = state.prove(session)
        counts = {
            t: int(session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES
        }
    assert proof.intact, proof.summary()
    assert all(n >= 2 for n in counts.values()), counts  # every table holds rows to tamper with
    assert proof.rows == sum(counts.values())
    assert f"the {proof.rows} rows of {len(TABLES)} tables match" in proof.summary()


@pytest.mark.parametrize("kind", tamper.KINDS)
@pytest.mark.parametrize("table", TABLES)
def test_every_tampering_of_every_table_is_found_at_a_touched_row(
    record: Store, table: str, kind: str
) -> None:
    target = state.GOVERNED[TABLES.index(table)]
    rng = random.Random(f"{table}-{kind}")
    proof, touched = tampered(record, lambda c: tamper.TAMPER[kind](c, target, rng))
    assert proof.chain.intact  # the log itself was not touched
    assert not proof.intact
    assert named(proof) in touched, (proof.summary(), touched)
    assert proof.rule == "every row proved by the audit log"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(TABLES), st.sampled_from(tamper.KINDS)), min_size=1, max_size=4
    ),
    st.integers(0, 2**32),
)
def test_any_sequence_of_tamperings_is_found(
    record: Store, steps: list[tuple[str, str]], seed: int
) -> None:
    rng = random.Random(seed)

    def forge(connection: Any) -> tamper.Touched:
        touched: tamper.Touched = set()
        for table, kind in steps:
            target = state.GOVERNED[TABLES.index(table)]
            if tamper.rows(connection, target) and (
                kind != "reorder" or _can_reorder(connection, target)
            ):
                touched |= tamper.accepted(connection, kind, target, rng)
        return touched

    proof, touched = tampered(record, forge)
    if touched:
        # Steps may undo one another (a swap swapped back); the record then still holds.
        assert proof.intact or named(proof) in touched
        assert all(d.table in {t for t, _ in touched} for d in proof.disagreements)


def _can_reorder(connection: Any, table: Any) -> bool:
    existing = tamper.rows(connection, table)
    columns = [c.name for c in table.columns if not c.primary_key]
    return len({tuple(r[c] for c in columns) for r in existing}) >= 2


def test_the_issues_forgeries_are_named(record: Store) -> None:
    """Flip a vote, change a result, delete the declarations, empty the log."""
    vote, _ = tampered(
        record, lambda c: c.execute(text("UPDATE vote SET choice = 'for' WHERE choice = 'against'"))
    )
    assert vote.disagreements[0].table == "vote"
    assert "choice is 'for' where entry" in vote.summary()
    result, _ = tampered(record, lambda c: c.execute(text("UPDATE item SET result = NULL")))
    assert named(result)[0] == "item"
    assert "result is None" in result.summary()
    declarations, _ = tampered(record, lambda c: c.execute(text("DELETE FROM declaration")))
    assert {d.table for d in declarations.disagreements} == {"declaration"}
    assert "missing, but entry" in declarations.summary()
    emptied, _ = tampered(record, lambda c: c.execute(text("DELETE FROM audit_entry")))
    assert emptied.chain.intact  # an empty log is a consistent chain ...
    assert emptied.disagreements[0].problem == "written by no entry (inserted)"  # ... of nothing


def test_a_forger_who_rewrites_the_log_to_match_is_caught_by_a_checkpoint(record: Store) -> None:
    """Edit a vote and rewrite its entry's writes and every hash after it: consistent without a
    checkpoint (which is why the head is signed), caught against one signed before."""
    key = b"operator-key-for-tests-0123456789"
    with record.reading() as session:
        chain = audit.entries(session)
    checkpoint = audit.make_checkpoint(chain, key)
    target = next(e for e in chain if e.action == "cast_vote" and '"against"' in (e.writes or ""))

    def forge(connection: Any) -> None:
        connection.execute(
            text("UPDATE vote SET choice = 'for' WHERE choice = 'against' AND item = :item"),
            {"item": json.loads(target.arguments)["item"]},
        )
        previous = next(e for e in chain if e.seq == target.seq - 1).hash
        for entry in chain[target.seq - 1 :]:
            fields = asdict(entry)
            del fields["hash"]
            if entry.seq == target.seq:
                fields["writes"] = entry.writes.replace('"against"', '"for"')  # type: ignore[union-attr]
            fields["prev_hash"] = previous
            forged = audit.seal(**fields)
            connection.execute(
                text(
                    "UPDATE audit_entry SET writes = :w, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"w": forged.writes, "p": forged.prev_hash, "h": forged.hash, "s": forged.seq},
            )
            previous = forged.hash

    def prove_against_checkpoint(connection: Any) -> audit.Verdict:
        forge(connection)
        with Session(bind=connection) as session:
            return audit.verify(audit.entries(session), checkpoint, key)

    rewritten, _ = tampered(record, forge)
    assert rewritten.intact  # a consistent rewrite: only the signed head can tell
    with record.engine.connect() as connection:
        transaction = connection.begin()
        try:
            verdict = prove_against_checkpoint(connection)
        finally:
            transaction.rollback()
    assert not verdict.intact
    assert "rewritten" in (verdict.problem or "")
