"""The one way to write the governance record: an action.

An action is a function with keyword-only arguments, applied by `Action.__call__` (or
`perform`) naming who acted and why. It runs in one transaction that also appends its entry,
carrying the rows the action wrote, to the audit chain, so either both are stored or neither
is. A refused action raises `Refused` with the rule that refused it, and changes nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from consortia.errors import ConsortiaError, DataError, ExitCode
from consortia.governance import audit
from consortia.governance.constitution import Constitution
from consortia.governance.governing_body import OrganisationKind
from consortia.governance.roles import PERMISSIONS, Who
from consortia.governance.sourcefile import FIRST_YEAR, LAST_YEAR, MAX_INTEGER, text_problem
from consortia.governance.state import Recorder
from consortia.store import models
from consortia.store.session import Store
from consortia.years import parse_financial_year

Effect = dict[str, Any]
T = TypeVar("T")

# Constitutions parsed so far, by the SHA-256 of their canonical JSON (a few versions at most).
_PARSED: dict[str, Constitution] = {}
_KEEP = 16
# Built once (on the table, not the mapped class): reading the head then costs a lookup.
_TABLE = models.Constitution.__table__
_CONSTITUTION_HEAD = select(_TABLE.c.id, _TABLE.c.sha256).order_by(_TABLE.c.id.desc()).limit(1)
_CONSTITUTION_CONTENT = select(_TABLE.c.content).where(_TABLE.c.id == bindparam("id"))
_PERSON = models.Person.__table__.c
_REGISTERED = select(_PERSON.key).where(_PERSON.key == bindparam("key"))


class Refused(ConsortiaError):  # noqa: N818 (a refusal is an outcome the user sees)
    """An action a rule does not allow; nothing was written. `details` lists every breach."""

    exit_code = ExitCode.DATA

    def __init__(
        self, message: str, *, rule: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, rule=rule)
        self.details = details or []


@dataclass(frozen=True)
class Outcome:
    """An accepted action: its audit sequence number and what it did."""

    action: str
    seq: int
    effect: Effect


@dataclass
class Context:
    """What an action body works with: the session of its transaction and who is acting."""

    session: Session
    actor: str

    def constitution(self) -> Constitution:
        """The constitution in force (the last adopted).

        Parsed once per version: the row's SHA-256 names its content, so a later call reads only
        the hash (a constitution is frozen, so the parsed model is shared safely).
        """
        head = self.session.execute(_CONSTITUTION_HEAD).first()
        if head is None:
            raise Refused("no constitution has been adopted", rule="a constitution in force")
        parsed = _PARSED.get(head.sha256)
        if parsed is None:
            content = self.session.execute(_CONSTITUTION_CONTENT, {"id": head.id}).scalar_one()
            parsed = Constitution.model_validate_json(content)
            if parsed.sha256() == head.sha256:  # never cache a row its hash does not name
                if len(_PARSED) >= _KEEP:
                    _PARSED.clear()
                _PARSED[head.sha256] = parsed
        return parsed

    def get(self, model: type[T], key: Any, what: str) -> T:
        """The row of `model` with this primary key, or a refusal naming what is missing."""
        row = self.session.get(model, key)
        if row is None:
            raise Refused(f"no {what} {key!r}", rule=f"a registered {what}")
        return row

    def organisation(
        self, key: str, kind: OrganisationKind, what: str, rule: str | None = None
    ) -> models.Organisation:
        """The registered organisation `key`, refused unless it is of `kind` (a `what`)."""
        row = self.get(models.Organisation, key, "organisation")
        if row.kind != kind.value:
            raise Refused(
                f"{key} is registered as {row.kind}, not {kind.value}",
                rule=rule or f"{what.capitalize()}s are organisations of kind {kind.value}",
            )
        return row


Body = Callable[..., Effect]

# Argument types the actions share: what a body said or decided (bounded, never blank), and
# whole pounds or counts (bounded far beyond any NHS budget, within a 64-bit column).
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
MAX_AMOUNT = 10**15
Pounds = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]


def financial_year(text: str) -> tuple[str, int]:
    """A financial year as an action is given it ("2014/15"): its label and the calendar year
    it starts in; refused otherwise."""
    try:
        label = parse_financial_year(text)
    except DataError as error:
        raise Refused(error.message, rule="a financial year such as 2014/15") from None
    return label, int(label[:4])


@dataclass(frozen=True)
class Action:
    """A named write to the governance record, with its validated arguments."""

    name: str
    body: Body
    arguments: type[BaseModel]
    who: Who

    @property
    def doc(self) -> str:
        """The first line of the body's docstring."""
        return (self.body.__doc__ or "").strip().splitlines()[0]

    def validate(self, arguments: dict[str, Any]) -> BaseModel:
        """The arguments, checked and converted (raises pydantic's ValidationError)."""
        return self.arguments.model_validate(arguments)

    def __call__(self, store: Store, /, *, actor: str, reason: str, **arguments: Any) -> Outcome:
        try:
            validated = self.validate(arguments)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise Refused(f"{self.name}: {where}: {first['msg']}", rule=first["type"]) from None
        return self.apply(store, actor=actor, reason=reason, arguments=validated)

    def apply(self, store: Store, *, actor: str, reason: str, arguments: BaseModel) -> Outcome:
        """Run the body and append the audit entry, in one transaction."""
        if not actor.strip():
            raise Refused("every action names who acted", rule="an actor")
        if not reason.strip():
            raise Refused("every action says why", rule="a reason")
        values = {name: getattr(arguments, name) for name in type(arguments).model_fields}
        _storable(self.name, arguments.model_dump())
        with store.transaction() as session:
            recorder = Recorder(session)
            try:
                context = Context(session, actor)
                _permitted(context, self, values)
                effect = self.body(context, **values)
                entry = audit.append(
                    session,
                    actor=actor,
                    action=self.name,
                    reason=reason,
                    arguments=arguments.model_dump(mode="json"),
                    effect=effect,
                    writes=recorder.writes(),
                )
            finally:
                recorder.close()
        return Outcome(self.name, entry.seq, effect)


ACTIONS: dict[str, Action] = {}


def _storable(name: str, value: Any, where: str = "") -> None:
    """Refuse, before anything is written and whatever path the arguments came by (a script,
    the command line, a web form), the values a script file's reader refuses (the same rules,
    `governance.sourcefile`): integers past ±2^53, numbers that are not finite, dates outside
    1948-2100, control characters (NUL among them) and bidirectional controls in text."""
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(name, item, f"{where}.{key}" if where else str(key))
        return
    if isinstance(value, list | tuple):
        for number, item in enumerate(value):
            _storable(name, item, f"{where}.{number}")
        return
    found: tuple[str, str] | None = None
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        found = (f"{value} is out of range", "integers within ±2^53")
    elif isinstance(value, float) and not abs(value) <= MAX_INTEGER:
        found = (f"{value} is out of range", "finite numbers")
    elif isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        found = (f"{value.isoformat()} is not a plausible date", "dates from 1948 to 2100")
    elif isinstance(value, str):
        found = text_problem(value)
    if found is not None:
        raise Refused(f"{name}: {where}: {found[0]}", rule=found[1])


def action(body: Body) -> Action:
    """Register `body` (keyword-only arguments after the context) as the action of its name."""
    name = body.__name__
    hints = get_type_hints(body, include_extras=True)  # keep Field constraints in Annotated
    fields: dict[str, Any] = {}
    for parameter in list(inspect.signature(body).parameters.values())[1:]:
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{name}: argument {parameter.name} must be keyword-only")
        if parameter.name in ("actor", "reason"):  # every action's own: who acted and why
            raise TypeError(f"{name}: argument {parameter.name} is every action's own")
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[parameter.name] = (hints[parameter.name], default)
    model = create_model(f"{name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)
    registered = Action(name, body, model, PERMISSIONS[name])
    ACTIONS[name] = registered
    return registered


def _permitted(context: Context, act: Action, values: dict[str, Any]) -> None:
    if act.who is Who.OPERATOR:
        return
    registered = context.session.connection().execute(_REGISTERED, {"key": context.actor})
    if registered.first() is None:
        raise Refused(f"no person {context.actor!r}", rule="a registered person")
    if act.who is Who.PERSON:
        return
    if "item" in values:
        item = context.get(models.Item, values["item"], "item")
        meeting = context.get(models.Meeting, item.meeting, "meeting")
        chair = (item.chair or meeting.chair) if act.who is Who.ITEM_CHAIR else meeting.chair
    else:
        meeting = context.get(models.Meeting, values["meeting"], "meeting")
        chair = meeting.chair
    if context.actor != chair:
        role = "the item's chair" if act.who is Who.ITEM_CHAIR else "the meeting's chair"
        raise Refused(
            f"{context.actor} may not {act.name}: only {role} ({chair}) may",
            rule=f"{act.name} is for {role}",
        )
