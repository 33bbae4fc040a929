"""Build the commissioning pack for a CCG: run the analyses, release, write HTML, CSV and index."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from consortia.analyses import (
    activity,
    fragmentation,
    investment,
    national,
    population,
    prevalence,
    trends,
    variation,
)
from consortia.analyses.scope import Scope, Tables
from consortia.engine.backends import checking, small_table
from consortia.engine.derived import Derived
from consortia.engine.lake import Lake
from consortia.errors import DataError
from consortia.finance import allocation as allocation_analysis
from consortia.ingest import checked
from consortia.ingest.validate import require_valid
from consortia.pack import assets
from consortia.pack.context import Context
from consortia.pack.destination import HTML, INDEX, TABLES, check_destination, remove_stale
from consortia.pack.figure import Figure
from consortia.pack.html import PACK, Page, render
from consortia.pack.sections import activity as activity_section
from consortia.pack.sections import allocation as allocation_section
from consortia.pack.sections import budget_risk as budget_risk_section
from consortia.pack.sections import contracts as contracts_section
from consortia.pack.sections import fragmentation as fragmentation_section
from consortia.pack.sections import governance as governance_section
from consortia.pack.sections import investment as investment_section
from consortia.pack.sections import population as population_section
from consortia.pack.sections import premium as premium_section
from consortia.pack.sections import risk as risk_section
from consortia.pack.sections import trends as trends_section
from consortia.pack.sections import variation as variation_section
from consortia.privacy.release import RULES, Audience, released
from consortia.privacy.rule import Rules
from consortia.risk import features as risk_features
from consortia.schema.reference_tables import REFERENCE_TABLES, load

DATASETS = tuple(
    dict.fromkeys(
        (
            "ccg",
            "provider",
            *population.DATASETS,
            *prevalence.DATASETS,
            *activity.DATASETS,
            *variation.DATASETS,
            *trends.DATASETS,
            *fragmentation.DATASETS,
            *investment.DATASETS,
            *national.DATASETS,
            *allocation_analysis.DATASETS,
            *risk_features.DATASETS,
        )
    )
)


# A figure builder: one figure, or (a section with a figure per row of its data) several.
Builder = Callable[[Context], Figure | tuple[Figure, ...]]


def builders() -> tuple[Builder, ...]:
    """Every figure of the pack, in reading order."""
    return (
        *population_section.BUILDERS,
        *activity_section.BUILDERS,
        *variation_section.builders(),
        *trends_section.builders(),
        *fragmentation_section.BUILDERS,
        *investment_section.BUILDERS,
        *allocation_section.BUILDERS,
        *budget_risk_section.BUILDERS,
        *contracts_section.BUILDERS,
        *premium_section.BUILDERS,
        *risk_section.BUILDERS,
        *governance_section.BUILDERS,
    )


@dataclass(frozen=True)
class Pack:
    """A built pack: where it is and what it holds."""

    folder: Path
    html: Path
    figures: tuple[Figure, ...]


def resolve_ccg(backend: Any, tables: Tables, ccg: str | None, lake: Path) -> tuple[str, str]:
    """The CCG to report on (the only one when not given) and its name."""
    ccgs = backend.execute(tables["ccg"])
    if ccgs.empty:
        raise DataError("the lake's ccg dataset is empty", file=str(lake))
    if ccg is None:
        if len(ccgs) > 1:
            raise DataError(
                f"the lake holds {len(ccgs)} CCGs; choose one with --ccg "
                f"(e.g. {', '.join(ccgs['code'].head(3))})",
                file=str(lake),
            )
        ccg = str(ccgs["code"].iloc[0])
    names = dict(zip(ccgs["code"], ccgs["name"], strict=True))
    if ccg not in names:
        raise DataError(f"no CCG with code {ccg!r} in the lake", file=str(lake), field="ccg")
    return ccg, str(names[ccg])


def open_tables(backend: Any, lake_path: Path) -> dict[str, Any]:
    """The lake's datasets and the reference tables analyses join to, as backend tables; parts
    a clean check still vouches for (`consortia.ingest.checked`) are not read again to open."""
    tables = checked.open_vouched(backend, lake_path, DATASETS)
    for name in REFERENCE_TABLES:
        tables[name] = small_table(backend, f"reference_{name}", load(name))
    return tables


Progress = Callable[[int, int], None]


def analyse(
    backend: Any,
    lake_path: Path,
    ccg: str | None = None,
    progress: Progress | None = None,
    keep: bool = True,
    cache: Path | None = None,
    record: str | None = None,
    audience: Audience = Audience.GOVERNING_BODY,
    rules: Rules = RULES,
) -> tuple[tuple[Figure, ...], str, str]:
    """Every figure of the pack for `ccg` released to `audience`; with the CCG's code and name.

    With `keep`, lake-wide aggregates are read from (or written to) the lake's derived store;
    with a `cache` too, each figure's query is kept there (`consortia.engine.plans`).
    """
    tables = open_tables(backend, lake_path)
    code, name = resolve_ccg(backend, tables, ccg, lake_path)
    derived = Derived(Lake(lake_path), backend, cache) if keep else None
    context = Context(backend, tables, Scope(ccg=code), name, derived, record=record, rules=rules)
    if code not in reported_ccgs(context):
        raise DataError(f"CCG {code} has no registered patients in the lake", file=str(lake_path))
    return figures_of(context, builders(), progress, audience), code, name


def reported_ccgs(context: Context) -> dict[str, str]:
    """The CCGs of the lake that have registered patients (those a pack reports on), by code,
    with their names."""
    ccgs, _ = context.run(national.ccgs, context.scope.everyone)
    reported = ccgs[ccgs["patients"] > 0]
    return dict(zip(reported["ccg"].astype(str), reported["name"].astype(str), strict=True))


def figures_of(
    context: Context,
    steps: tuple[Builder, ...],
    progress: Progress | None = None,
    audience: Audience = Audience.GOVERNING_BODY,
) -> tuple[Figure, ...]:
    """Each builder's figures for the context, released to `audience`, in order."""
    figures: list[Figure] = []
    for done, builder in enumerate(steps, start=1):
        made = builder(context)
        figures.extend(made if isinstance(made, tuple) else (made,))
        if progress:
            progress(done, len(steps))
    return released(tuple(figures), audience, context.rules)


def build(
    backend: Any,
    lake_path: Path,
    out: Path,
    ccg: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
    cache: Path | None = None,
    record: str | None = None,
    audience: Audience = Audience.GOVERNING_BODY,
    rules: Rules = RULES,
) -> Pack:
    """Build the pack for `ccg` from the lake at `lake_path` into `out`, released to
    `audience`; with `record` (the CCG's governance database), its configuration check and
    support dependence too.

    `out` is checked before any work, and the lake's datasets against the schema's rules
    before any analysis: a pack is never built from data that breaks them.
    """
    assets.check()  # before the analysis: a missing design system is known at once
    previous = check_destination(out, overwrite)
    require_valid(checking(backend), lake_path, DATASETS)
    figures, code, name = analyse(
        backend,
        lake_path,
        ccg,
        progress,
        cache=cache,
        record=record,
        audience=audience,
        rules=rules,
    )
    return write_pack(out, previous, figures, code, name)


def write_pack(
    out: Path,
    previous: list[Path],
    figures: tuple[Figure, ...],
    code: str,
    name: str,
    page: Page = PACK,
) -> Pack:
    """Write a page of figures into `out`: its HTML, each table as CSV, and its index (only
    figures that left through the release: `render` refuses any other)."""
    page_html = render(figures, ccg_code=code, ccg_name=name, made=date.today(), page=page)
    out.mkdir(parents=True, exist_ok=True)  # only once the page is drawn: nothing half-made
    (out / TABLES).mkdir(exist_ok=True)
    written = [out / TABLES / f"{figure.id}.csv" for figure in figures]
    hashes = []
    for figure, table in zip(figures, written, strict=True):
        figure.table.to_csv(table, index=False)
        hashes.append(hashlib.sha256(table.read_bytes()).hexdigest())
    remove_stale(out, previous, written)
    html = out / HTML
    html.write_text(page_html, "utf-8")
    listed = index(figures, code, name, hashes)
    (out / INDEX).write_text(json.dumps(listed, indent=2) + "\n")
    return Pack(out, html, figures)


def index(figures: tuple[Figure, ...], code: str, name: str, hashes: list[str]) -> dict[str, Any]:
    """The pack's machine-readable index: each figure's method, confidence and source, and the
    SHA-256 of its released table (what a commissioning plan cites it by)."""
    return {
        "ccg": {"code": code, "name": name},
        "figures": [
            {
                "id": f.id,
                "section": f.section,
                "title": f.title,
                "method": f.method,
                "confidence": f.confidence,
                "table": f"{TABLES}/{f.id}.csv",
                "sha256": digest,
                "rows": len(f.table),
                "columns": list(f.table.columns),
                "source_sql": f.source_sql,
            }
            for f, digest in zip(figures, hashes, strict=True)
        ],
    }
