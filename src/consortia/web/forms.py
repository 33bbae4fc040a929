"""Forms for the governance actions, made from each action's own argument schema: one field for
each argument (a date, a number, a choice, lines of a list, JSON for a structure), read back
into the arguments the action validates, with each error beside the field it belongs to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from consortia.governance.actions.base import Action

# Arguments that hold prose: shown as a text area.
LONG_TEXT = frozenset(
    {"description", "statement", "grounds", "conditions", "text", "referral_protocol", "response"}
)


@dataclass(frozen=True)
class Field:
    """One argument as a form shows it."""

    name: str
    label: str
    kind: str  # text, textarea, integer, number, date, select, checkbox, lines or json
    required: bool
    options: tuple[str, ...] = ()
    hint: str = ""


def fields(action: Action) -> list[Field]:
    """The form's fields, in the action's argument order."""
    schema = action.arguments.model_json_schema()
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    made = []
    for name, spec in schema.get("properties", {}).items():
        resolved = _resolve(spec, definitions)
        if resolved.get("type") == "boolean" and spec.get("default", False) is None:
            # yes, no, or left to the action's own default
            made.append(Field(name, _label(name), "select", False, ("yes", "no")))
        else:
            made.append(_field(name, resolved, name in required))
    return made


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _resolve(spec: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`spec` with a reference followed and an optional (`X or null`) read as X."""
    if "$ref" in spec:
        return _resolve(definitions[spec["$ref"].rsplit("/", 1)[-1]], definitions)
    choices = [s for s in spec.get("anyOf", ()) if s.get("type") != "null"]
    if len(choices) == 1:
        return _resolve(choices[0], definitions)
    return spec


def _field(name: str, spec: dict[str, Any], required: bool) -> Field:
    label = _label(name)
    kind = spec.get("type")
    if "enum" in spec:
        return Field(name, label, "select", required, tuple(str(v) for v in spec["enum"]))
    if kind == "string" and spec.get("format") == "date":
        return Field(name, label, "date", required)
    if kind == "string":
        long = name in LONG_TEXT or int(spec.get("maxLength", 0)) > 300
        return Field(name, label, "textarea" if long else "text", required)
    if kind in ("integer", "number"):
        return Field(name, label, str(kind), required)
    if kind == "boolean":
        return Field(name, label, "checkbox", False)
    items = spec.get("items", {})
    if kind == "array" and items.get("type") in ("string", "integer") and "enum" not in items:
        return Field(name, label, "lines", required, hint="One on each line")
    return Field(name, label, "json", required, hint="As JSON")


def arguments(
    form_fields: list[Field], form: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The action's arguments from what the form sent, and the errors of fields that could not
    be read (the action's own validation finds the rest)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form_fields:
        raw = form.get(field.name, "")
        if field.kind == "checkbox":
            values[field.name] = raw == "yes"
            continue
        if not raw.strip():
            if field.required:
                values[field.name] = None  # the action's validation names it
            continue
        if field.kind == "select" and field.options == ("yes", "no"):
            values[field.name] = raw == "yes"
        elif field.kind == "lines":
            values[field.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif field.kind == "json":
            try:
                values[field.name] = json.loads(raw)
            except json.JSONDecodeError as error:
                errors[field.name] = f"Not JSON: {error.msg} (line {error.lineno})"
            except RecursionError:
                errors[field.name] = "Not JSON this form takes: nested too deeply"
        else:
            values[field.name] = raw.strip() if field.kind != "textarea" else raw
    return values, errors


def validation_errors(error: ValidationError) -> dict[str, str]:
    """Each broken argument's first message, by the argument's name."""
    found: dict[str, str] = {}
    for each in error.errors():
        location = each.get("loc", ())
        name = str(location[0]) if location else "form"
        found.setdefault(name, str(each["msg"]).removeprefix("Value error, "))
    return found
