"""Meeting scripts: a YAML (or JSON) file of actions in order, checked whole, then applied.

Each step names the action, who acts, why, and the arguments. A step may be named (`as:`) and
later steps may use a number from its effect as "${name.field}" (the id of a meeting or item,
say). The whole file is checked before anything is written: a malformed step is reported with
the file, line and rule. Each step is then applied in its own transaction; a refused step
changes nothing and the run goes on. A step that fails for any other reason stops the run: the
steps before it stay applied and are reported so. `atomic` applies the whole script in one
transaction instead: the first refused or failed step rolls every step back.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.governance import templates
from consortia.governance.actions import ACTIONS, Refused
from consortia.governance.authorisation import criteria
from consortia.governance.constitution import load_constitution
from consortia.governance.evidence import cite
from consortia.governance.sourcefile import SourceFile, read_source
from consortia.store.session import Store

REFERENCE = re.compile(r"^\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$")


class Step(BaseModel):
    """One step of a script."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    action: str
    actor: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    name: str | None = Field(default=None, alias="as")


class Script(BaseModel):
    """A meeting script (format 1); each entry is an action `Step` or a template `ItemStep`."""

    model_config = ConfigDict(extra="forbid")
    format: Literal[1]
    actions: list[Any]


@dataclass(frozen=True)
class Planned:
    """A checked step, ready to apply."""

    line: int
    step: Step


@dataclass(frozen=True)
class Later:
    """Steps a template makes when the run reaches it, from earlier steps' effects (the
    rulings on conflicts that declarations raised)."""

    line: int
    make: Callable[[Mapping[str, Mapping[str, Any]]], list[Step]]


def load_script(path: Path, pack: Path | None = None) -> list[Planned | Later]:
    """Read and check a whole script; the first problem raises DataError with file and line.

    An `item:` step (a template, see `governance.templates`) is expanded here to its actions,
    each checked as if written by hand. `pack`, if given, is the pack folder every
    `cite_evidence` step cites from (the demo's, wherever it was built), in place of its own.
    """
    source = read_source(path)
    script = source.parse(Script)
    names: dict[str, str] = {}  # casefolded `as` name -> the name as first written
    people: dict[str, str] = {}  # casefolded person key -> the key as registered
    planned: list[Planned | Later] = []
    for index, entry in enumerate(script.actions):
        where: tuple[str | int, ...] = ("actions", index)
        if isinstance(entry, dict) and "item" in entry and "action" not in entry:
            for made in _expand(source, entry, where):
                if isinstance(made, Later):
                    planned.append(made)
                else:
                    planned.append(_plan(source, path, made, where, names, people, pack))
            continue
        step = source.parse_part(Step, entry, where)
        planned.append(_plan(source, path, step, where, names, people, pack))
    return planned


def _plan(
    source: SourceFile,
    path: Path,
    step: Step,
    where: tuple[str | int, ...],
    names: dict[str, str],
    people: dict[str, str],
    pack: Path | None = None,
) -> Planned:
    """Check one step against the script so far and plan it (`names`: the casefolded `as`
    names so far, each with the name as first written)."""
    if step.action not in ACTIONS:
        raise source.error(f"unknown action {step.action!r}", (*where, "action"), "known actions")
    arguments = _inline_files(source, path.parent, step, where, pack)
    _check_references(source, {"actor": step.actor, **arguments}, set(names.values()), where)
    _check_arguments(source, step.action, arguments, where)
    _check_person(source, step, people, where)
    actor = people.get(step.actor.casefold(), step.actor)
    step = step.model_copy(update={"arguments": arguments, "actor": actor})
    if step.name:
        # `as` names are unique whatever their case, as person keys are.
        earlier = names.get(step.name.casefold())
        if earlier is not None:
            raise source.error(
                f"{step.name!r} names an earlier step too ({earlier!r})",
                (*where, "as"),
                "each `as` once",
            )
        names[step.name.casefold()] = step.name
    return Planned(source.line(where), step)


def _expand(
    source: SourceFile, entry: dict[str, Any], where: tuple[str | int, ...]
) -> list[Step | Later]:
    """The steps an `item:` template stands for, and the rulings it makes at run time."""
    template = source.parse_part(templates.ItemStep, entry, where)
    for inner, message, rule in templates.problems(template):
        raise source.error(message, (*where, *inner), rule)
    steps, raised = templates.expand(template, f"_item{where[-1]}")
    line = source.line(where)

    def make(effects: Mapping[str, Mapping[str, Any]]) -> list[Step]:
        effect = effects.get(raised["declared"])
        if effect is None:  # declarations were refused: nothing was raised
            return []
        return [Step.model_validate(s) for s in templates.raised_rulings(template, raised, effect)]

    return [Later(line, make) if "raised" in s else Step.model_validate(s) for s in steps]


def _check_person(
    source: SourceFile, step: Step, people: dict[str, str], where: tuple[str | int, ...]
) -> None:
    """Refuse a person key that differs from one registered earlier only in case."""
    key = step.arguments.get("key") if step.action == "register_person" else None
    if not isinstance(key, str):
        return
    earlier = people.get(key.casefold())
    if earlier is not None:
        raise source.error(
            f"person {key!r} is {earlier!r} again (keys differ only in case)",
            (*where, "arguments", "key"),
            "person keys are unique whatever their case",
        )
    people[key.casefold()] = key


def _inline_files(
    source: SourceFile,
    folder: Path,
    step: Step,
    where: tuple[str | int, ...],
    pack_folder: Path | None,
) -> dict[str, Any]:
    """Read what a step names by file: a constitution, or the pack whose figures a plan cites
    (`pack:` a folder and `figures:` ids become `evidence`, each with its table's hash)."""
    arguments = dict(step.arguments)
    if step.action == "adopt_constitution" and isinstance(arguments.get("constitution"), str):
        arguments["constitution"] = load_constitution(
            folder / arguments["constitution"]
        ).model_dump(mode="json")
    if step.action == "decide_authorisation" and "criteria_file" in arguments:
        extra = arguments.pop("criteria_file")
        where_file = (*where, "arguments", "criteria_file")
        if not isinstance(extra, str):
            raise source.error("a criteria file is named by its path", where_file, "a file")
        try:
            chosen = criteria(folder / extra)
        except DataError as error:
            message = f"{error.file}: {error.message}" if error.file else error.message
            raise source.error(message, where_file, error.rule or "a criteria file") from None
        arguments["criteria_set"] = [c.model_dump() for c in chosen]
    if step.action == "cite_evidence" and "pack" in arguments:
        pack, figures = arguments.pop("pack"), arguments.pop("figures", None)
        if not isinstance(pack, str) or not (
            isinstance(figures, list) and figures and all(isinstance(f, str) for f in figures)
        ):
            raise source.error(
                "cite a pack by its folder (`pack`) and a list of figure ids (`figures`)",
                (*where, "arguments"),
                "a plan cites figures of a pack",
            )
        try:
            arguments["evidence"] = cite(pack_folder or folder / pack, figures)
        except DataError as error:
            where_pack = (*where, "arguments", "pack")
            message = f"{error.file}: {error.message}" if error.file else error.message
            raise source.error(message, where_pack, error.rule or "a citable pack") from None
    return arguments


def _references(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str) and (match := REFERENCE.match(value)):
        yield match.group(1), match.group(2)
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def _check_references(
    source: SourceFile, arguments: dict[str, Any], named: set[str], where: tuple[str | int, ...]
) -> None:
    for name, _ in _references(arguments):
        if name not in named:
            raise source.error(
                f"${{{name}...}} names no earlier step",
                (*where, "arguments"),
                "references name an earlier step's `as`",
            )


def _substitute(value: Any, resolve: Any) -> Any:
    if isinstance(value, str) and (match := REFERENCE.match(value)):
        return resolve(match.group(1), match.group(2))
    if isinstance(value, dict):
        return {k: _substitute(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, resolve) for v in value]
    return value


def _check_arguments(
    source: SourceFile, name: str, arguments: dict[str, Any], where: tuple[str | int, ...]
) -> None:
    # References stand for ids, which are numbers: check the rest with a number in their place.
    substituted = _substitute(arguments, lambda _n, _f: 1)
    try:
        validated = ACTIONS[name].validate(substituted)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [p for p in first["loc"] if isinstance(p, str | int)]
        raise source.error(
            f"{name}: {first['msg']}", (*where, "arguments", *loc), first["type"]
        ) from None
    source.check_booleans(substituted, validated, (*where, "arguments"))


class _UnresolvedError(Exception):
    """A reference to a step that was refused."""


class _RollBackError(Exception):
    """Raised inside an atomic run's transaction to undo every step."""


class _AtomicStore(Store):
    """A store whose every transaction is a savepoint inside one outer transaction."""

    def __init__(self, store: Store, session: Session) -> None:
        super().__init__(store.engine)
        self.session = session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A savepoint: a refused step undoes its own writes only."""
        with self.session.begin_nested():
            yield self.session


def run_script(
    store: Store, planned: Sequence[Planned | Later], *, atomic: bool = False
) -> Iterator[dict[str, Any]]:
    """Apply checked steps in order; yield one report per step (accepted, refused or failed).

    A failed step (an error other than a refusal) ends the run. With `atomic`, the steps run in
    one transaction that is committed only if every step is accepted; otherwise the run ends at
    the first refused or failed step and the earlier steps are reported as rolled back.
    """
    if not atomic:
        yield from _run(store, planned, stop_at_refusal=False)
        return
    reports: list[dict[str, Any]] = []
    try:
        with store.transaction() as session:
            for report in _run(_AtomicStore(store, session), planned, stop_at_refusal=True):
                reports.append(report)
            if any(r["status"] != "accepted" for r in reports):
                raise _RollBackError
    except _RollBackError:
        for report in reports:
            if report["status"] == "accepted":
                yield {**report, "status": "rolled back", "seq": None}
            else:
                yield report
        return
    yield from reports


def _run(
    store: Store, planned: Sequence[Planned | Later], *, stop_at_refusal: bool
) -> Iterator[dict[str, Any]]:
    effects: dict[str, dict[str, Any]] = {}

    def resolve(name: str, field: str) -> Any:
        if name not in effects or field not in effects[name]:
            raise _UnresolvedError(f"${{{name}.{field}}}")
        return effects[name][field]

    queue = deque(planned)
    while queue:
        plan = queue.popleft()
        if isinstance(plan, Later):
            queue.extendleft(Planned(plan.line, s) for s in reversed(plan.make(effects)))
            continue
        step = plan.step
        report: dict[str, Any] = {"line": plan.line, "action": step.action, "actor": step.actor}
        try:
            actor = _substitute(step.actor, resolve)
            report["actor"] = actor
            if not isinstance(actor, str):
                raise Refused(
                    f"{step.actor} names no one (the item has no unconflicted chair)",
                    rule="an action names who acted",
                )
            arguments = _substitute(step.arguments, resolve)
            outcome = ACTIONS[step.action](store, actor=actor, reason=step.reason, **arguments)
        except _UnresolvedError as missing:
            yield {
                **report,
                "status": "refused",
                "rule": "a reference to an accepted step",
                "message": f"{missing} refers to a step that was refused",
            }
            if stop_at_refusal:
                return
            continue
        except Refused as refused:
            yield {
                **report,
                "status": "refused",
                "rule": refused.rule,
                "message": refused.message,
                **({"breaches": refused.details} if refused.details else {}),
            }
            if stop_at_refusal:
                return
            continue
        except Exception as error:  # any other failure ends the run, named
            first_line = (str(error).splitlines() or [""])[0]
            yield {
                **report,
                "status": "failed",
                "rule": "a step applies without error",
                "message": f"{type(error).__name__}: {first_line}",
            }
            return
        if step.name:
            effects[step.name] = outcome.effect
        yield {**report, "status": "accepted", "seq": outcome.seq, "effect": outcome.effect}
