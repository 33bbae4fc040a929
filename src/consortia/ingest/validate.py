"""Check a lake against the schema: every rule of every column, key and row check.

Each broken rule is reported once, at its first offending row, naming the file, the row
(1-based within that file), the field and the rule — the shape of every data error here.
A dataset's rules are tested in one scan of its Parquet files (DuckDB); only a rule found
broken is scanned again to find its first row. Files that are not whole Parquet files, or
whose columns are missing, undeclared or of the wrong type, are reported before any value
is read, and data that the engine cannot decode is reported, never raised.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from consortia.engine.backends import EngineGapError, is_duckdb
from consortia.engine.lake import PARQUET_RULE, Lake, first_line
from consortia.errors import DataError, UsageError, out_of_memory
from consortia.ingest import checked
from consortia.schema.datasets import DATASETS
from consortia.schema.model import Column, Dataset, NotBeforeBirth, Ordered, PresentOnlyWhen

_ROW = "file_row_number"
_FILE = "filename"
_SHOWN = "shown_value"
UNDECLARED_RULE = "only the schema's columns (a pseudonymised lake holds no NHS number or name)"
DECODE_RULE = "values the engine can read"
DISTINCT_CODES = 100_000  # a column with more distinct values has its pattern tested row by row
# What reading a damaged file can raise below the footer: DuckDB's errors, Arrow's, and text
# that is not UTF-8.
ENGINE_ERRORS = (duckdb.Error, pa.ArrowException, UnicodeError)


@dataclass(frozen=True)
class Violation:
    """The first row of a file that breaks a rule."""

    dataset: str
    file: str
    row: int | None
    field: str
    rule: str
    value: str = ""
    reason: str = ""  # what is wrong, when the data could not be read as far as a value

    def error(self) -> DataError:
        """This violation as a user error."""
        shown = f" (value {self.value})" if self.value else ""
        return DataError(
            self.reason or f"breaks a rule of the {self.dataset} dataset{shown}",
            file=self.file,
            row=self.row,
            field=self.field or None,
            rule=self.rule,
        )


def structure_violations(lake: Lake, dataset: Dataset) -> list[Violation]:
    """Parts that are not whole Parquet files, then missing, undeclared or mistyped columns."""
    unreadable = lake.unreadable_parts(dataset.name)
    if unreadable:
        return [
            Violation(dataset.name, str(p), None, "", PARQUET_RULE, reason=f"{r} ({dataset.name})")
            for p, r in unreadable
        ]
    return list(_type_violations(dataset, lake.files(dataset.name)))


class _Structures(dict[str, list[Violation]]):
    """Each dataset's structure violations, read from its files' footers once per check."""

    def __init__(self, lake: Lake) -> None:
        super().__init__()
        self.lake = lake

    def __missing__(self, name: str) -> list[Violation]:
        found = self[name] = structure_violations(self.lake, DATASETS[name])
        return found


def _type_violations(dataset: Dataset, files: list[Path]) -> Iterator[Violation]:
    declared = dataset.arrow_schema
    for path in files:
        stored = pq.read_schema(path)
        for field in declared:
            if field.name not in stored.names:
                yield Violation(dataset.name, str(path), None, field.name, "column present")
            elif not stored.field(field.name).type.equals(field.type):
                rule = f"type {field.type} (found {stored.field(field.name).type})"
                yield Violation(dataset.name, str(path), None, field.name, rule)
        for name in stored.names:
            if name not in declared.names:
                yield Violation(dataset.name, str(path), None, name, UNDECLARED_RULE)


def _date_literal(column: Column, day: date) -> Any:
    return ibis.literal(datetime.combine(day, time()) if column.dtype == "timestamp" else day)


def column_rules(table: Any, column: Column) -> Iterator[tuple[str, Any, Any]]:
    """(rule, expression true where the row breaks it, aggregate true when any row does) for
    one column. The aggregate is a count, a minimum or a maximum where one decides the rule
    exactly, cheaper than testing every row (the values check of England's lake, 427 million
    rows, about a fifth less); otherwise None, and the rows are tested. The row-by-row
    expression still finds the first breaking row."""
    value = table[column.name]
    if not column.nullable:
        yield "required", value.isnull(), value.count() < table.count()
    present = value.notnull()
    if column.codes is not None:
        codes = column.codes
        yield (
            f"one of {codes.name}: {', '.join(codes.values)}",
            present & ~value.isin(codes.values),
            None,
        )
    if column.finite:  # the engine sorts NaN above every number, infinity included
        top, bottom = value.max(), value.min()
        yield (
            "finite (not NaN or infinite)",
            present & (value.isnan() | value.isinf()),
            top.isnan() | top.isinf() | bottom.isinf(),
        )
    if column.minimum is not None:
        yield (
            f"≥ {column.minimum:g}",
            present & (value < column.minimum),
            (value.min() < column.minimum),
        )
    if column.maximum is not None:
        yield (
            f"≤ {column.maximum:g}",
            present & (value > column.maximum),
            (value.max() > column.maximum),
        )
    if column.date_range is not None:
        first, last = column.date_range
        low, high = _date_literal(column, first), _date_literal(column, last + timedelta(days=1))
        yield (
            f"from {first.isoformat()} to {last.isoformat()}",
            present & ((value < low) | (value >= high)),
            (value.min() < low) | (value.max() >= high),
        )
    if column.pattern is not None:  # tested per distinct value (`_breaks_pattern`)
        yield pattern_rule(column), present & ~value.re_search(column.pattern), None


def pattern_rule(column: Column) -> str:
    """The words of the rule that `column`'s values match its pattern."""
    return f"matches {column.pattern}"


def row_rules(table: Any, dataset: Dataset) -> Iterator[tuple[str, str, Any]]:
    """(field, rule, expression) for the dataset's row checks."""
    for check in dataset.checks:
        if isinstance(check, Ordered):
            later, earlier = table[check.later], table[check.earlier]
            yield check.later, check.rule, later.notnull() & earlier.notnull() & (later < earlier)
        elif isinstance(check, PresentOnlyWhen):
            present = table[check.column].notnull()
            applies = table[check.other].isin(check.values)
            yield check.column, check.rule, present != applies
        elif isinstance(check, NotBeforeBirth):
            day, year, month = table[check.column], table[check.year], table[check.month]
            before = (day.year() < year) | ((day.year() == year) & (day.month() < month))
            yield check.column, check.rule, day.notnull() & before


def _first(table: Any, broken: Any, shown: Any) -> tuple[str, int, str] | None:
    """The file, 1-based row and shown value of the first row where `broken` holds."""
    hit = (
        table.filter(broken)
        .order_by(_FILE, _ROW)
        .limit(1)
        .select(_FILE, _ROW, shown.cast("string").name(_SHOWN))
        .to_pyarrow()
        .to_pylist()
    )
    if not hit:
        return None
    value = hit[0][_SHOWN]
    return str(hit[0][_FILE]), int(hit[0][_ROW]) + 1, "" if value is None else str(value)


def _read(con: Any, files: list[Path]) -> Any:
    return con.read_parquet([str(p) for p in files], filename=True, file_row_number=True)


def _unreadable_data(dataset: Dataset, files: list[Path], error: Exception) -> Violation:
    """A violation for data the engine could not decode, naming the file where it can. An
    engine out of memory is not the data's fault: that is raised as a `ResourceError`."""
    resource = out_of_memory(error)
    if resource is not None:
        raise resource from None
    message = first_line(error)
    named = [str(p) for p in files if str(p) in message]
    where = named[0] if named else str(files[0].parent)
    reason = f"the {dataset.name} dataset cannot be read: {message[:300]}"
    return Violation(dataset.name, where, None, "", DECODE_RULE, reason=reason)


def check_dataset(
    con: Any, lake: Lake, dataset: Dataset, structures: Mapping[str, list[Violation]] | None = None
) -> list[Violation]:
    """Every rule `dataset` breaks in `lake`, each at its first offending row."""
    found = (structures if structures is not None else _Structures(lake))[dataset.name]
    if found:
        return found  # values cannot be checked against rules for the wrong type
    files = lake.files(dataset.name)
    try:
        return _value_violations(_read(con, files), dataset)
    except ENGINE_ERRORS as error:
        return [_unreadable_data(dataset, files, error)]


def _value_violations(table: Any, dataset: Dataset) -> list[Violation]:
    columns = {c.name: c for c in dataset.columns}
    rules = [
        (c.name, rule, broken, whole)
        for c in dataset.columns
        for rule, broken, whole in column_rules(table, c)
    ]
    rules += [(field, rule, broken, None) for field, rule, broken in row_rules(table, dataset)]
    patterns = {
        i: columns[field]
        for i, (field, rule, _, _) in enumerate(rules)
        if field in columns and rule == pattern_rule(columns[field])
    }
    checks = [
        (broken.any() if whole is None else whole).fill_null(False).name(f"rule_{i}")
        for i, (_, _, broken, whole) in enumerate(rules)
        if i not in patterns
    ]
    checks.append(table.count().name("rows"))
    summary = table.aggregate(checks).to_pyarrow().to_pylist()[0]
    summary |= {f"rule_{i}": _breaks_pattern(table, column) for i, column in patterns.items()}
    found = []
    for i, (field, rule, broken, _) in enumerate(rules):
        if summary[f"rule_{i}"]:
            first = _first(table, broken, table[field])
            if first:
                file, row, value = first
                found.append(Violation(dataset.name, file, row, field, rule, value))
    if dataset.key and summary["rows"]:
        found += _key_violations(table, dataset)
    return found


def _breaks_pattern(table: Any, column: Column) -> bool:
    """Whether any value of `column` fails its pattern, each distinct value tested once: codes
    repeat, and a regular expression on every row cost about 6 s of the 14 s value check of 187
    million outpatient appointments (providers and treatment functions). The distinct values
    are tested by Arrow with RE2, the engine's own; a column of more than `DISTINCT_CODES`
    values (no code list) is tested row by row by the engine instead."""
    values = table.select(value=table[column.name]).distinct().limit(DISTINCT_CODES + 1)
    found = values.to_pyarrow()["value"]
    if len(found) > DISTINCT_CODES:  # counted with the null: a cut-off list is not all
        broken = table[column.name].notnull() & ~table[column.name].re_search(column.pattern)
        return bool(table.filter(broken).count().to_pyarrow().as_py())
    return not pc.all(pc.match_substring_regex(found.drop_null(), column.pattern)).as_py()


def _key_violations(table: Any, dataset: Dataset) -> list[Violation]:
    key = list(dataset.key)
    if not _repeats(table, key):
        return []
    # Each row after the first with its key (in file and row order) is a copy: name the first.
    order = [ibis._[_FILE], ibis._[_ROW]]
    numbered = table.mutate(_copy=ibis.row_number().over(group_by=key, order_by=order))
    shown = numbered[key[0]].cast("string")
    for k in key[1:]:
        shown = shown + ", " + numbered[k].cast("string")
    first = _first(numbered, numbered._copy > 0, shown)
    if not first:
        return []
    file, row, value = first
    rule = "unique key (this row repeats the key of an earlier row)"
    return [Violation(dataset.name, file, row, ",".join(key), rule, value)]


def _repeats(table: Any, key: list[str]) -> bool:
    """Whether any row repeats the key of another: the rows sorted by key, any the same as the
    row before (NULLs alike). Sorting is half the time of counting distinct keys at England's
    size (187 million outpatient attendances: 10 s against 19 s), and needs no table of them."""
    keys = table.select(*key)
    window = ibis.window(order_by=key)
    same = ibis.row_number().over(window) > 0
    for column in key:
        same = same & keys[column].identical_to(keys[column].lag().over(window))
    return bool(keys.filter(same).count().to_pyarrow().as_py())


def check_references(
    con: Any,
    lake: Lake,
    dataset: Dataset,
    checked: Iterable[str] = (),
    structures: Mapping[str, list[Violation]] | None = None,
    holding: Collection[tuple[str, str]] = (),
) -> list[Violation]:
    """Rows whose reference to another dataset finds nothing there.

    A target whose files or columns are broken cannot be joined to; it is reported here
    unless it is among `checked` (whose own violations name it already). References in
    `holding` (dataset, column) are known to hold already (`_holding`) and are not joined.
    """
    found: list[Violation] = []
    table = None
    files = lake.files(dataset.name)
    structures = structures if structures is not None else _Structures(lake)
    for column in dataset.columns:
        if column.references is None or (dataset.name, column.name) in holding:
            continue
        target, target_column = column.references.split(".")
        if not lake.files(target):
            continue
        broken = structures[target]
        if broken:
            if target not in checked:
                first = broken[0]
                rule = f"exists in {column.references} (which breaks: {first.rule})"
                found.append(Violation(dataset.name, first.file, None, column.name, rule))
            continue
        try:
            table = table if table is not None else _read(con, files)
            other = con.read_parquet([str(p) for p in lake.files(target)])
            orphans = table.anti_join(other, table[column.name] == other[target_column])
            first_orphan = _first(orphans, ibis.literal(True), orphans[column.name])
        except ENGINE_ERRORS as error:
            found.append(_unreadable_data(DATASETS[target], lake.files(target), error))
            continue
        if first_orphan:
            file, row, value = first_orphan
            rule = f"exists in {column.references}"
            found.append(Violation(dataset.name, file, row, column.name, rule, value))
    return found


def _holding(
    con: Any, lake: Lake, names: list[str], structures: Mapping[str, list[Violation]]
) -> set[tuple[str, str]]:
    """The references (dataset, column) found to hold by one anti-join per target for every
    dataset referring to it: five datasets name a patient, and joining each to 56 million
    patients on its own built the same table five times (England: 20 s against 11 s). Where
    any reference breaks, or a dataset cannot be read, none is vouched for here: each is then
    joined on its own, which names the first broken row."""
    clean = [n for n in names if lake.files(n) and not structures[n]]
    sources: dict[str, list[tuple[str, str]]] = {}
    for name in clean:
        for column in DATASETS[name].columns:
            if column.references is not None:
                sources.setdefault(column.references, []).append((name, column.name))
    holding: set[tuple[str, str]] = set()
    for reference, referring in sources.items():
        target, target_column = reference.split(".")
        if len(referring) < 2 or target not in clean:
            continue
        try:
            values = ibis.union(
                *(
                    con.read_parquet([str(p) for p in lake.files(name)]).select(value=column)
                    for name, column in referring
                )
            )
            other = con.read_parquet([str(p) for p in lake.files(target)])
            orphans = values.anti_join(other, values.value == other[target_column])
            if orphans.count().to_pyarrow().as_py() == 0:
                holding.update(referring)
        except ENGINE_ERRORS:  # unreadable, or out of memory: each dataset's own join says
            continue
    return holding


def _names(datasets: Iterable[str] | None) -> list[str]:
    names = list(datasets) if datasets is not None else list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        raise UsageError(
            f"unknown dataset {', '.join(unknown)}; datasets are {', '.join(DATASETS)}",
            field="dataset",
        )
    return names


def check_lake(con: Any, path: Path, datasets: Iterable[str] | None = None) -> list[Violation]:
    """Every broken rule in the lake at `path` (all datasets, or those named).

    DuckDB only: each rule's first breaking row is named by the file's own row numbers, which
    no other engine gives (`consortia.engine.backends.checking` gives the engine to use).
    """
    if not is_duckdb(con):
        raise EngineGapError(
            "checking a lake needs DuckDB (rows are named by each file's own row numbers); "
            "check with consortia check, then analyse on Spark",
            rule="a lake is checked by DuckDB",
        )
    lake = Lake(path)
    names = _names(datasets)
    lake.require(names)
    found: list[Violation] = []
    structures = _Structures(lake)  # each dataset's footers read once, though many refer to it
    holding = _holding(con, lake, names, structures)
    for name in names:
        found += check_dataset(con, lake, DATASETS[name], structures)
        if not structures[name]:
            found += check_references(con, lake, DATASETS[name], names, structures, holding)
    return found


def check_and_record(
    con: Any, path: Path, datasets: Iterable[str] | None = None
) -> list[Violation]:
    """`check_lake`, leaving the stamp of a clean check (`consortia.ingest.checked`) when it
    finds nothing."""
    names = _names(datasets)
    Lake(path).require(names)
    before = checked.fingerprint(Lake(path), names)  # a part written during the check differs
    found = check_lake(con, path, names)
    if not found:
        checked.record(path, before)
    return found


def require_valid(con: Any, path: Path, datasets: Iterable[str]) -> None:
    """Refuse a lake whose `datasets` break a rule of the schema, references included.

    Raises the first violation as one line, with how many more there are. A lake found clean
    is not checked again while its parts and the rules are unchanged (`consortia.ingest.checked`).
    """
    names = _names(datasets)
    Lake(path).require(names)
    if checked.holds(path, checked.fingerprint(Lake(path), names)):
        return
    found = check_and_record(con, path, names)
    if not found:
        return
    error = found[0].error()
    others = len(found) - 1
    more = f"{others} more broken rule{'s' if others > 1 else ''}; " if others else ""
    error.message += f" ({more}`consortia check --data {path}` lists every one)"
    raise error
