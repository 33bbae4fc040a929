"""Read a YAML or JSON file into plain data, remembering the line each value came from.

Errors in a constitution or meeting script are reported at the file's line, so a user can
find them; PyYAML's node marks give the lines. The file is treated as hostile until read:
only a regular file under a size cap, UTF-8 only (a BOM tolerated, NUL refused), its nesting
depth and alias count bounded from the event stream before any node is built, and the data
expanded from it bounded too (an alias bomb stops at a count, not at the memory limit).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from consortia.errors import DataError
from consortia.textfile import read_text

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

MAX_DEPTH = 32  # the deepest structure either format needs is ~8
MAX_ALIASES = 100
MAX_VALUES = 100_000  # values in the expanded document, aliases included
MAX_INTEGER = 2**53  # exact in JSON and every database column the record uses
FIRST_YEAR, LAST_YEAR = 1948, 2100  # the NHS's founding to a plausible planning horizon
# libyaml's parser where PyYAML was built with it (the wheels are): ~20 times the speed.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass
class SourceFile:
    """Plain data read from a file, with the line (1-based) of every mapping key and item."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, where: Sequence[str | int]) -> int:
        """The line of the deepest part of `where` that exists in the file (1 if none)."""
        parts = tuple(where)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def error(self, message: str, where: Sequence[str | int], rule: str) -> DataError:
        """A DataError at the line of `where`."""
        dotted = ".".join(str(p) for p in where) or None
        return DataError(
            message, file=str(self.path), row=self.line(where), field=dotted, rule=rule
        )

    def parse(self, model: type[M], context: dict[str, Any] | None = None) -> M:
        """Validate the data as `model`; the first error is raised with its line."""
        return self.parse_part(model, self.data, (), context)

    def parse_part(
        self,
        model: type[M],
        value: Any,
        where: Path_,
        context: dict[str, Any] | None = None,
    ) -> M:
        """Validate `value`, the part of the data at `where`, as `model`; the first error is
        raised with its line."""
        try:
            parsed = model.model_validate(value, context=context)
        except ValidationError as error:
            first = error.errors()[0]
            loc = [p for p in first["loc"] if isinstance(p, str | int)]
            raise self.error(_message(first), (*where, *loc), first["type"]) from None
        self.check_booleans(value, parsed, where)
        return parsed

    def check_booleans(self, data: Any, parsed: Any, where: Path_) -> None:
        """Refuse a YAML boolean that validation turned into something else (`item: true`)."""
        for path, value in _booleans(data, ()):
            converted = _follow(parsed, path)
            if converted is not _MISSING and not isinstance(converted, bool):
                raise self.error(
                    f"{value!r} is a yes/no, not a number or name",
                    (*where, *path),
                    "a boolean only where yes/no is asked",
                )


_MISSING = object()
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _booleans(data: Any, where: Path_) -> list[tuple[Path_, bool]]:
    if isinstance(data, bool):
        return [(where, data)]
    if isinstance(data, dict):
        return [b for k, v in data.items() for b in _booleans(v, (*where, k))]
    if isinstance(data, list):
        return [b for i, v in enumerate(data) for b in _booleans(v, (*where, i))]
    return []


def _follow(value: Any, path: Path_) -> Any:
    """The part of a validated object at `path` of its input, or _MISSING if unknown."""
    for part in path:
        value = _part(value, part)
        if value is _MISSING:
            break
    return value


def _part(value: Any, part: str | int) -> Any:
    if isinstance(value, BaseModel) and isinstance(part, str):
        fields = type(value).model_fields
        name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
        return _MISSING if name is None else getattr(value, name)
    if isinstance(value, dict):
        return value.get(part, _MISSING)
    if isinstance(value, list | tuple) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return _MISSING


def _message(detail: Any) -> str:
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")


class _Reader:
    """Builds plain data from a composed node, bounding the expansion and checking scalars."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.values = 0
        self.active: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def fail(self, message: str, node: yaml.Node, where: Path_, rule: str) -> DataError:
        dotted = ".".join(str(p) for p in where) or None
        return DataError(
            message,
            file=str(self.source),
            row=node.start_mark.line + 1,
            field=dotted,
            rule=rule,
        )

    def walk(self, node: yaml.Node, where: Path_, lines: dict[Path_, int]) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail(
                f"more than {MAX_VALUES} values once aliases are expanded",
                node,
                where,
                "a bounded document",
            )
        if len(where) > MAX_DEPTH:  # aliases can nest what the event scan saw as shallow
            raise self.fail(
                f"nested deeper than {MAX_DEPTH} levels once aliases are expanded",
                node,
                where[:MAX_DEPTH],
                "a bounded nesting depth",
            )
        lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, where)
        if id(node) in self.active:
            raise self.fail("an anchor refers to itself", node, where, "no recursive anchors")
        if node.tag not in (_MAP, _SEQ):
            raise self.fail(f"unknown tag {node.tag!r}", node, where, "plain YAML, no tags")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, where, lines)
            if isinstance(node, yaml.SequenceNode):
                return [self.walk(item, (*where, i), lines) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(id(node))
        raise self.fail("not a value", node, where, "YAML syntax")  # pragma: no cover

    def mapping(self, node: yaml.MappingNode, where: Path_, lines: dict[Path_, int]) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail("a key is not a plain name", key_node, where, "keys are names")
            key = str(key_node.value)
            if problem := text_problem(key):
                raise self.fail(problem[0], key_node, (*where, key), problem[1])
            if key in out:
                raise self.fail(
                    f"{key!r} appears twice", key_node, (*where, key), "each key appears once"
                )
            lines[(*where, key)] = key_node.start_mark.line + 1
            out[key] = self.walk(value_node, (*where, key), lines)
        return out

    def scalar(self, node: yaml.ScalarNode, where: Path_) -> Any:
        if node.tag.startswith("!") or node.tag not in self.constructor.yaml_constructors:
            raise self.fail(f"unknown tag {node.tag!r}", node, where, "plain YAML, no tags")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            raise self.fail(
                f"{node.value!r} is not a valid value ({error})", node, where, "a valid value"
            ) from None
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int) and abs(value) > MAX_INTEGER:
            raise self.fail(f"{value} is out of range", node, where, "integers within ±2^53")
        if isinstance(value, float) and not (abs(value) <= MAX_INTEGER):
            raise self.fail(f"{node.value} is out of range", node, where, "finite numbers")
        if isinstance(value, date | datetime) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise self.fail(
                f"{node.value} is not a plausible date",
                node,
                where,
                f"dates from {FIRST_YEAR} to {LAST_YEAR}",
            )
        if isinstance(value, bytes | set):
            raise self.fail(
                f"{type(value).__name__} values are not used", node, where, "plain YAML"
            )
        if isinstance(value, str) and (problem := text_problem(value)):
            raise self.fail(problem[0], node, where, problem[1])
        return value


def text_problem(text: str) -> tuple[str, str] | None:
    """(message, rule) for a control character (bar tab and newline) or bidi control, if any."""
    for char in text:
        if char in BIDI:
            return (
                f"text holds the bidirectional control U+{ord(char):04X}",
                "no bidirectional controls in text",
            )
        if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
            return (
                f"text holds the control character U+{ord(char):04X}",
                "no control characters in text",
            )
    return None


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark else None


def _check_shape(text: str, path: Path) -> None:
    """Bound nesting depth and aliases from the event stream, before any node is built."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
        if depth > MAX_DEPTH:
            message, rule = f"nested deeper than {MAX_DEPTH} levels", "a bounded nesting depth"
        elif aliases > MAX_ALIASES:
            message, rule = f"more than {MAX_ALIASES} aliases", "a bounded number of aliases"
        else:
            continue
        raise DataError(message, file=str(path), row=_line(event), rule=rule)


def read_source(path: Path) -> SourceFile:
    """Read a YAML (or JSON, which is YAML) file; a syntax error names its line."""
    text = read_text(path)
    try:
        _check_shape(text, path)
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = error.problem or "not valid YAML"
        raise DataError(problem, file=str(path), row=line, rule="YAML syntax") from None
    except yaml.YAMLError as error:
        raise DataError(f"not valid YAML ({error})", file=str(path), rule="YAML syntax") from None
    if node is None:
        raise DataError("the file is empty", file=str(path), row=1, rule="a document")
    lines: dict[Path_, int] = {}
    reader = _Reader(path)
    try:
        data = reader.walk(node, (), lines)
    finally:
        reader.constructor.dispose()
    return SourceFile(path=path, data=data, lines=lines)
