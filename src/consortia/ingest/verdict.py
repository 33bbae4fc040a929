"""Judge each record of an extract against the schema: kept, or the first rule it breaks.

The rules are the schema's, stated once in `consortia.schema` and turned into expressions by
`consortia.ingest.validate` (the same ones `consortia check` applies to a lake): a value of
the column's type, required, one of its codes, finite, within its range, of its pattern, the
row checks; then, among records that keep those, a key not repeated in the extract or already
in the lake, and references that the lake holds. Text is read strictly: a whole number is
digits, a date is YYYY-MM-DD, true/false is `true` or `false`, and free text may not begin as
a spreadsheet formula would (OWASP's CSV injection list), since extracts and quarantine
reports are opened in spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis

from consortia.engine.lake import Lake
from consortia.ingest.read import LINE
from consortia.ingest.validate import column_rules, row_rules
from consortia.schema import extract
from consortia.schema.model import Column, Dataset

STAGED = "ingest_staged"  # the view of the records being judged
_COMPILED: dict[tuple[str, tuple[str, ...]], tuple[str, list[Rule]]] = {}
RULE = "_rule"  # index of the first rule a record breaks (NULL: kept)
VALUE = "_value"  # the value it breaks it with, as text
_RAW = "_raw_"
_SEEN = "_seen"
_INTEGER = r"^[+-]?[0-9]+$"
_FORMULA = r"^[=+\-@\t\r]"
FORMULA_RULE = "text not beginning with =, +, -, @, a tab or a carriage return (read as a formula)"


@dataclass(frozen=True)
class Rule:
    """A rule a record may break: the field it names and the rule in words."""

    field: str
    words: str


def _free_text(column: Column) -> bool:
    return column.dtype == "string" and column.codes is None and column.pattern is None


def _typed(raw: Any, column: Column) -> Any:
    """A text column as the schema's type (NULL where the text is not of that type)."""
    if column.dtype == "string":
        return raw
    text = raw.strip()
    if column.dtype == "bool":
        lower = text.lower()
        return ibis.cases((lower == "true", True), (lower == "false", False), else_=None)
    if column.dtype.startswith("int"):
        return ibis.ifelse(text.re_search(_INTEGER), text.try_cast(column.dtype), None)
    if column.dtype == "date":
        return ibis.ifelse(
            text.re_search(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), text.try_cast("date"), None
        )
    return text.try_cast(column.dtype)


def _type_rule(column: Column) -> str:
    return f"{extract.TEXT_FORMS[column.dtype]} ({column.dtype})"


def verdict_sql(con: Any, staged: Path, dataset: Dataset, lake: Lake) -> tuple[str, list[Rule]]:
    """The SQL of the verdict on the records staged in `staged` against `lake`, with the views
    it reads registered under fixed names, and its rules. Compiled once per dataset and shape
    of the lake in a process: Ibis takes half a second to compile one, longer than DuckDB
    takes to judge a file of thousands of records, and a delivery holds many files."""
    views = {STAGED: con.read_parquet(str(staged), table_name=STAGED)}
    for name in _reads(dataset):
        parts = [str(p) for p in lake.files(name)]
        if parts:
            views[name] = con.read_parquet(parts, table_name=f"ingest_lake_{name}")
    shape = (dataset.name, tuple(sorted(views)))
    if shape not in _COMPILED:
        expression, rules = judged(views, dataset)
        _COMPILED[shape] = (str(con.compile(expression)), rules)
    return _COMPILED[shape]


def _reads(dataset: Dataset) -> set[str]:
    """The lake's datasets a verdict on `dataset` reads: itself (keys) and its references."""
    targets = {c.references.split(".")[0] for c in dataset.columns if c.references}
    return targets | ({dataset.name} if dataset.key else set())


def judged(views: dict[str, Any], dataset: Dataset) -> tuple[Any, list[Rule]]:
    """The staged records (`views[STAGED]`, text) with the dataset's typed columns, `RULE`
    (the index into the returned rules of the first one each record breaks) and `VALUE`;
    `views` also holds the lake's datasets it reads, where the lake has them."""
    staged = views[STAGED]
    texts = [c for c in dataset.columns if c.name != extract.PSEUDONYM]
    raw = staged.rename({f"{_RAW}{c.name}": c.name for c in texts})
    typed = raw.mutate(**{c.name: _typed(raw[f"{_RAW}{c.name}"], c) for c in texts})
    rules: list[Rule] = []
    broken: list[tuple[Any, Any]] = []

    def add(field: str, words: str, where: Any, shown: Any) -> None:
        rules.append(Rule(field, words))
        broken.append((where, shown))

    for column in dataset.columns:
        shown = typed[column.name].cast("string")
        if column.name != extract.PSEUDONYM:
            text = typed[f"{_RAW}{column.name}"]
            shown = text
            add(
                column.name, _type_rule(column), text.notnull() & typed[column.name].isnull(), shown
            )
        for words, where, _ in column_rules(typed, column):
            add(column.name, words, where, shown)
        if _free_text(column):
            add(column.name, FORMULA_RULE, typed[column.name].re_search(_FORMULA), shown)
    for field, words, where in row_rules(typed, dataset):
        add(field, words, where, typed[f"{_RAW}{field}"] if field != extract.PSEUDONYM else None)
    first = ibis.cases(*[(w, i) for i, (w, _) in enumerate(broken)], else_=None)
    value = ibis.cases(*[(w, s) for w, s in broken if s is not None], else_=None)
    checked = typed.mutate(**{RULE: first, VALUE: value})
    checked, rules = _keys(views, checked, dataset, rules)
    return _references(views, checked, dataset, rules)


def _keys(
    views: dict[str, Any], table: Any, dataset: Dataset, rules: list[Rule]
) -> tuple[Any, list[Rule]]:
    """A record keeping every value rule whose key an earlier such record, or the lake,
    already holds."""
    if not dataset.key:
        return table, rules
    key = list(dataset.key)
    field = ",".join(key)
    shown = table[key[0]].cast("string")
    for k in key[1:]:
        shown = shown + ", " + table[k].cast("string")
    repeat, stored = len(rules), len(rules) + 1
    rules = [
        *rules,
        Rule(field, "unique key (the extract repeats the key of an earlier record)"),
        Rule(field, "unique key (the lake already holds a record with this key)"),
    ]
    kept = table[RULE].isnull()
    order = ibis.row_number().over(group_by=[*key, kept], order_by=table[LINE])
    table = table.mutate(_copy=order)
    if dataset.name in views:
        existing = views[dataset.name].select(*key).distinct().mutate(**{_SEEN: ibis.literal(True)})
        table = table.left_join(existing, key).select(table, existing[_SEEN])
    else:
        table = table.mutate(**{_SEEN: ibis.literal(None, type="boolean")})
    kept = table[RULE].isnull()
    table = table.mutate(
        **{
            RULE: ibis.cases(
                (kept & (table._copy > 0), repeat),
                (kept & table[_SEEN].notnull(), stored),
                else_=table[RULE],
            ),
            VALUE: ibis.ifelse(
                kept & ((table._copy > 0) | table[_SEEN].notnull()), shown, table[VALUE]
            ),
        }
    ).drop("_copy", _SEEN)
    return table, rules


def _references(
    views: dict[str, Any], table: Any, dataset: Dataset, rules: list[Rule]
) -> tuple[Any, list[Rule]]:
    """A record keeping every other rule whose reference the lake does not hold."""
    for column in dataset.columns:
        if column.references is None:
            continue
        target, target_column = column.references.split(".")
        index = len(rules)
        rules = [*rules, Rule(column.name, f"exists in {column.references} (in the lake)")]
        if target in views:
            known = views[target].select(target_column).distinct()
            known = known.rename({column.name: target_column})
            known = known.mutate(**{_SEEN: ibis.literal(True)})
            table = table.left_join(known, column.name).select(table, known[_SEEN])
        else:
            table = table.mutate(**{_SEEN: ibis.literal(None, type="boolean")})
        orphan = table[RULE].isnull() & table[column.name].notnull() & table[_SEEN].isnull()
        table = table.mutate(
            **{
                RULE: ibis.ifelse(orphan, index, table[RULE]),
                VALUE: ibis.ifelse(orphan, table[column.name].cast("string"), table[VALUE]),
            }
        ).drop(_SEEN)
    return table, rules
