"""Tables of the governance record: organisations, people, committees, interests, meetings, audit.

The same models run on SQLite (the embedded default) and PostgreSQL; the schema is built by the
migrations in `consortia.store.migrations`, and a test checks the two agree.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KEY = 64  # length of a key: an organisation or person code chosen by the CCG


class Base(DeclarativeBase):
    """Base of every table; constraint names are fixed so migrations can alter them."""

    metadata = MetaData(naming_convention=NAMING)


class Constitution(Base):
    """A version of the CCG's constitution as adopted, held as canonical JSON."""

    __tablename__ = "constitution"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ccg: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    adopted_on: Mapped[date] = mapped_column(Date)


class Organisation(Base):
    """A practice, provider, commissioning-support supplier, LMC or other body."""

    __tablename__ = "organisation"
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    contract: Mapped[str | None] = mapped_column(String(8))
    list_size: Mapped[int | None] = mapped_column(Integer)
    locality: Mapped[str | None] = mapped_column(String(KEY))
    member: Mapped[bool] = mapped_column(Boolean, default=False)
    serves_area: Mapped[bool] = mapped_column(Boolean, default=False)
    commissioned_by_ccg: Mapped[bool] = mapped_column(Boolean, default=False)
    commissioned_by_board: Mapped[bool] = mapped_column(Boolean, default=False)
    supports_ccg: Mapped[bool] = mapped_column(Boolean, default=False)
    ods_code: Mapped[str | None] = mapped_column(String(8), unique=True)  # as the lake names it


class Person(Base):
    """Someone who acts in the CCG: a clinician, lay member, officer or representative."""

    __tablename__ = "person"
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    clinician: Mapped[str | None] = mapped_column(String(16))
    practice: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    facts: Mapped[str] = mapped_column(Text, default="{}")


class Affiliation(Base):
    """A person's link to an organisation: employee, partner, shareholder, director and so on."""

    __tablename__ = "affiliation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    organisation: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    relation: Mapped[str] = mapped_column(String(16))


class Nomination(Base):
    """The practice representative a member practice nominates (2013 GMS regulations)."""

    __tablename__ = "nomination"
    practice: Mapped[str] = mapped_column(ForeignKey("organisation.key"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))


class Membership(Base):
    """A seat on a committee (the governing body included), with its role and vote."""

    __tablename__ = "membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(KEY))
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    role: Mapped[str] = mapped_column(String(32))
    voting: Mapped[bool] = mapped_column(Boolean)


class Interest(Base):
    """An entry on the register of interests."""

    __tablename__ = "interest"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    aware_on: Mapped[date] = mapped_column(Date)
    declared_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class Confirmation(Base):
    """A person's confirmation that their register entries are complete and accurate."""

    __tablename__ = "confirmation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    confirmed_on: Mapped[date] = mapped_column(Date)


class Gift(Base):
    """An entry on the gifts and hospitality register, with the outcome the thresholds gave."""

    __tablename__ = "gift"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    kind: Mapped[str] = mapped_column(String(16))
    value_pence: Mapped[int] = mapped_column(Integer)
    donor: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    offered_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    # The senior approval hospitality above the limit was accepted under, if any.
    approval: Mapped[int | None] = mapped_column(ForeignKey("hospitality_approval.id"))


class HospitalityApproval(Base):
    """A senior officer's approval of hospitality above the limit, with who approved and why."""

    __tablename__ = "hospitality_approval"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    donor: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    value_pence: Mapped[int] = mapped_column(Integer)
    offered_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(ForeignKey("person.key"))
    approved_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)


class Breach(Base):
    """An entry on the breaches register (published anonymised)."""

    __tablename__ = "breach"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str | None] = mapped_column(ForeignKey("person.key"))
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)


class Plan(Base):
    """A commissioning plan for a period: drafted, approved by the governing body, published."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    drafted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    published_on: Mapped[date | None] = mapped_column(Date)


class PlanIntention(Base):
    """A commissioning intention of a plan: a service line with its planned activity and spend."""

    __tablename__ = "plan_intention"
    plan: Mapped[int] = mapped_column(ForeignKey("plan.id"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(200))
    activity: Mapped[int] = mapped_column(BigInteger)
    spend_pounds: Mapped[int] = mapped_column(BigInteger)


class PlanEvidence(Base):
    """A pack figure a plan cites, by id and the SHA-256 of its released table."""

    __tablename__ = "plan_evidence"
    plan: Mapped[int] = mapped_column(ForeignKey("plan.id"), primary_key=True)
    figure: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    ccg: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    cited_on: Mapped[date] = mapped_column(Date)


class PlanStep(Base):
    """A step of a plan's consultation trail: who (`body`) said what, when, with what opinion."""

    __tablename__ = "plan_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    step: Mapped[str] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    opinion: Mapped[str | None] = mapped_column(String(32))


class BoardItem(Base):
    """An item opened for the NHS Commissioning Board (a Health and Wellbeing Board's referral
    of its opinion on a plan); it never blocks the CCG."""

    __tablename__ = "board_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    raised_by: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    opened_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)


class PremiumPayment(Base):
    """The quality premium the NHS Commissioning Board paid the CCG for a year's performance."""

    __tablename__ = "premium_payment"
    year: Mapped[str] = mapped_column(String(16), primary_key=True)
    amount_pounds: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)


class PremiumSpend(Base):
    """A use of a year's quality premium: its purpose, what it buys, from whom, and for how much."""

    __tablename__ = "premium_spend"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[str] = mapped_column(ForeignKey("premium_payment.year"))
    purpose: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    conditions: Mapped[str | None] = mapped_column(Text)
    amount_pounds: Mapped[int] = mapped_column(BigInteger)
    decided_on: Mapped[date] = mapped_column(Date)


class AqpService(Base):
    """A service open to any qualified provider at a set tariff, with its referral protocol."""

    __tablename__ = "aqp_service"
    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    tariff_pence: Mapped[int] = mapped_column(BigInteger)
    referral_protocol: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str | None] = mapped_column(Text)  # the activity it counts (JSON), if named


class AqpQualification(Base):
    """A provider qualified for an AQP service, on what evidence, for which dates."""

    __tablename__ = "aqp_qualification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(ForeignKey("aqp_service.key"))
    provider: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    cqc_registration: Mapped[str] = mapped_column(String(32))
    monitor_licence: Mapped[str | None] = mapped_column(String(32))
    standard_contract_signed_on: Mapped[date] = mapped_column(Date)
    quality_assured_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)


class AqpReferral(Base):
    """A referral to an AQP service: the providers offered (every qualified one) and chosen."""

    __tablename__ = "aqp_referral"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(ForeignKey("aqp_service.key"))
    practice: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    referred_on: Mapped[date] = mapped_column(Date)
    offered: Mapped[str] = mapped_column(Text)  # JSON list of provider keys
    chosen: Mapped[str] = mapped_column(ForeignKey("organisation.key"))


class SupportArrangement(Base):
    """Who performs which commissioning-support functions for the CCG in a year, at what cost."""

    __tablename__ = "support_arrangement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(32))
    supplier: Mapped[str | None] = mapped_column(ForeignKey("organisation.key"))
    functions: Mapped[str] = mapped_column(Text)  # JSON list of function keys
    cost_pounds: Mapped[int] = mapped_column(BigInteger)


class Authorisation(Base):
    """The NHS Commissioning Board's decision on authorising the CCG, with the criteria used."""

    __tablename__ = "authorisation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    decided_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(32))
    criteria: Mapped[str] = mapped_column(Text)  # JSON: each criterion assessed and if met


class AuthorisationCondition(Base):
    """An unmet criterion as a condition, with its support level, until a review lifts it."""

    __tablename__ = "authorisation_condition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authorisation: Mapped[int] = mapped_column(ForeignKey("authorisation.id"))
    criterion: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    support_level: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str | None] = mapped_column(Text)  # the legal direction, levels 4-6
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_because: Mapped[str | None] = mapped_column(Text)


class Direction(Base):
    """A direction of the Board moving a matter from the CCG to another CCG or the Board."""

    __tablename__ = "direction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(KEY))
    to_body: Mapped[str] = mapped_column(ForeignKey("organisation.key"))
    issued_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    revoked_on: Mapped[date | None] = mapped_column(Date)


class Meeting(Base):
    """A meeting of a committee, of the governing body or of the members."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(KEY))
    held_on: Mapped[date] = mapped_column(Date)
    chair: Mapped[str | None] = mapped_column(ForeignKey("person.key"))


class Attendance(Base):
    """Who is present at a meeting; `excluded` once the chair has excluded them."""

    __tablename__ = "attendance"
    meeting: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"), primary_key=True)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


class Item(Base):
    """An agenda item: what it decides, which organisations it affects, and how it ended."""

    __tablename__ = "item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    title: Mapped[str] = mapped_column(String(300))
    decides: Mapped[str] = mapped_column(String(KEY))
    affects: Mapped[str] = mapped_column(Text, default="[]")
    chair: Mapped[str | None] = mapped_column(ForeignKey("person.key"))
    status: Mapped[str] = mapped_column(String(40))
    quorum: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))  # the plan it decides on


class Declaration(Base):
    """An interest declared on an item, or raised from the register."""

    __tablename__ = "declaration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[int] = mapped_column(ForeignKey("item.id"))
    person: Mapped[str] = mapped_column(ForeignKey("person.key"))
    interest: Mapped[int | None] = mapped_column(ForeignKey("interest.id"))
    source: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)


class Ruling(Base):
    """The chair's ruling on a declared conflict, per person per item."""

    __tablename__ = "ruling"
    item: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"), primary_key=True)
    ruling: Mapped[str] = mapped_column(String(24))
    ruled_by: Mapped[str] = mapped_column(ForeignKey("person.key"))
    grounds: Mapped[str | None] = mapped_column(Text)  # why, where the rule asks for a reason


class CoOption(Base):
    """A person co-opted to vote on one item after conflicts left it inquorate."""

    __tablename__ = "co_option"
    item: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(32))


class LmcConsultation(Base):
    """The LMC's recorded response when the constitution requires it be consulted."""

    __tablename__ = "lmc_consultation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[int] = mapped_column(ForeignKey("item.id"))
    response: Mapped[str] = mapped_column(Text)
    consulted_on: Mapped[date] = mapped_column(Date)


class Vote(Base):
    """A vote cast on an item, with the weight the electorate rule gives it."""

    __tablename__ = "vote"
    item: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    person: Mapped[str] = mapped_column(ForeignKey("person.key"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(8))
    weight: Mapped[int] = mapped_column(Integer)


class AuditEntry(Base):
    """One link of the hash-chained audit log; written in the same transaction as its action."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(KEY))
    action: Mapped[str] = mapped_column(String(KEY))
    reason: Mapped[str] = mapped_column(Text)
    arguments: Mapped[str] = mapped_column(Text)
    effect: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The rows the action wrote, as stored at its end (consortia.governance.state); null only in
    # entries made before rows were recorded.
    writes: Mapped[str | None] = mapped_column(Text)


class AccessEvent(Base):
    """One read of sensitive data, refusal or re-identification (`consortia.privacy.access`).

    Appended as it happens, outside the audit log (reads are not governance actions, and the
    log's proof of every governed row leaves this table out); never holds a patient identifier.
    """

    __tablename__ = "access_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 in UTC
    who: Mapped[str] = mapped_column(String(KEY))
    role: Mapped[str] = mapped_column(String(KEY))
    data: Mapped[str] = mapped_column(String(32))
    what: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
