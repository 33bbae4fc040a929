"""The `consortia` command: parse arguments, call the domain, map errors to exit codes.

No commissioning logic lives here.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from consortia import __version__
from consortia.errors import (
    ConsortiaError,
    DataError,
    ExitCode,
    UsageError,
    out_of_memory,
    printable,
)
from consortia.governance.cli import gov_app
from consortia.risk.register import SHARE as REGISTER_SHARE

# Pydantic looks for plugins in every installed distribution's metadata the first time it
# builds a model (~0.1 s of every command's start) and the command uses none; a value set
# outside is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

if TYPE_CHECKING:  # imported where used: `consortia gov` starts without them
    from consortia.config import Settings
    from consortia.privacy.rule import Rules

app = typer.Typer(
    name="consortia",
    help="Consortia: analytics and governance for clinically-led commissioning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, as docs/cli.md shows it: rich's formatter costs ~0.15 s of start-up.
    rich_markup_mode=None,
)

app.add_typer(gov_app, name="gov")

LakeOption = Annotated[
    Path, typer.Option("--data", help="Lake folder (one sub-folder of Parquet files per dataset).")
]


def write_json(data: Any, path: Path) -> None:
    """A money command's JSON written whole (`consortia.finance.output.write_json`)."""
    from consortia.finance.output import write_json as write

    write(data, path)


def _settings() -> Settings:
    from consortia.config import Settings

    return Settings()


def _rules(settings: Settings) -> Rules:
    """The small-number rules `settings` set (a one-line error if one would be loosened)."""
    from consortia.privacy.rule import rules_of

    return rules_of(settings)


@contextmanager
def _bar(
    enabled: bool, description: str, unit: str | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar (on a terminal, unless turned off) and the callback that moves it; with
    a `unit`, also how many are done, how many a second, and the time left."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    counts = (
        [
            TextColumn(f"{{task.completed:,.0f}} {unit}"),
            TextColumn(f"{{task.fields[rate]}} {unit}/s"),
            TimeRemainingColumn(),
        ]
        if unit
        else []
    )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        *counts,
        TimeElapsedColumn(),
        transient=True,
    )
    task = progress.add_task(description, total=None, rate="…")

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)
        speed = progress.tasks[task].speed
        progress.update(task, rate=f"{speed:,.0f}" if speed else "…")

    with progress:
        yield update


def _synthesise(
    out: Path,
    truth: Path | None,
    patients: int,
    ccgs: int,
    seed: int,
    workers: int,
    overwrite: bool,
    settings: Settings,
    preset: str | None = None,
) -> None:
    from consortia.synth.economy import Request, default_truth, synthesise
    from consortia.synth.presets import preset as named

    shape = named(preset) if preset else None
    request = Request(
        out=out,
        truth=truth or default_truth(out),
        patients=shape.patients if shape else patients,
        ccgs=shape.ccgs if shape else ccgs,
        seed=seed,
        workers=workers,
        overwrite=overwrite,
        ccg_patients=shape.ccg_patients if shape else None,
        list_size=shape.list_size if shape else Request.list_size,
    )
    try:
        with _bar(settings.progress, "Generating", "patients") as update:
            summary = synthesise(request, update)
    except KeyboardInterrupt:
        typer.echo(
            "interrupted: the finished blocks are kept; run the same command again to go on "
            "where it stopped",
            err=True,
        )
        sys.exit(130)
    rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
    typer.echo(f"lake written to {summary.lake} ({rows})")
    typer.echo(f"ground truth written to {summary.truth}")


def _empty_folder(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the lake to (created).")],
    patients: Annotated[
        int | None,
        typer.Option(
            help="Patients registered on 1 April 2013, across all CCGs [default: 300000]."
        ),
    ] = None,
    ccgs: Annotated[
        int | None, typer.Option(help="Number of CCGs (they share providers) [default: 1].")
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            help="A named economy instead of --patients and --ccgs: 'england' (211 CCGs of "
            "England's sizes, 56 million patients, about 7,900 practices)."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same lake.")
    ] = 2013,
    truth: Annotated[
        Path | None,
        typer.Option(help="Ground-truth folder (default: beside the lake, LAKE-truth)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing lake.")] = False,
    extracts: Annotated[
        Path | None,
        typer.Option(
            help="Also write the lake as the extracts national systems deliver (NHS numbers, "
            "CSV quirks and a few broken records) into this new folder, for `consortia ingest`."
        ),
    ] = None,
) -> None:
    """Generate a synthetic health economy: CCGs, practices, patients and two years of care.

    An interrupted run keeps the blocks it finished: run the same command again to go on.
    """
    if preset is not None and (patients is not None or ccgs is not None):
        raise UsageError("give --preset or --patients and --ccgs, not both", field="--preset")
    settings = _settings()
    if extracts is not None and extracts.exists() and not _empty_folder(extracts):
        raise UsageError(
            "the extracts' folder is not empty", file=str(extracts), field="--extracts"
        )
    _synthesise(
        out,
        truth,
        300_000 if patients is None else patients,
        1 if ccgs is None else ccgs,
        seed,
        workers,
        overwrite,
        settings,
        preset,
    )
    if extracts is not None:
        from consortia.synth.extracts import write_extracts

        with _bar(settings.progress, "Writing extracts", "files") as update:
            written = write_extracts(out, extracts, seed, update)
        records = sum(f.records for f in written.files)
        typer.echo(
            f"extracts written to {extracts} ({len(written.files)} files, {records:,} records)"
        )


@app.command()
def pack(
    data: LakeOption,
    out: Annotated[Path, typer.Option(help="Folder to write the pack to.")],
    ccg: Annotated[
        str | None, typer.Option(help="CCG code (may be left out when the lake holds one CCG).")
    ] = None,
    all_ccgs: Annotated[
        bool,
        typer.Option(
            "--all-ccgs",
            help="Every CCG's pack (in OUT/CODE) and the national comparison (in OUT/national).",
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            help="Write into a folder that holds other files (only the pack's own are replaced)."
        ),
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the analyses run: duckdb (embedded) or spark (local, or the cluster "
            "CONSORTIA_SPARK_MASTER names; see docs/spark.md)."
        ),
    ] = "duckdb",
    record: Annotated[
        str | None,
        typer.Option(
            help="The CCG's governance record (a SQLite file or database URL): adds its "
            "configuration check and its dependence on outside commissioning support."
        ),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="The pack as published to everyone: only the figures that declare a public "
            "release, under the small-number rule (counts of 1 to 7 withheld, others rounded "
            "to the nearest 5).",
        ),
    ] = False,
) -> None:
    """Build the commissioning pack for a CCG: an HTML page with charts, tables as CSV.

    The lake is checked against the schema first (by DuckDB, whatever the engine); a lake that
    breaks a rule is refused.
    """
    from consortia.engine.backends import connect
    from consortia.pack.destination import check_destination, check_folder_of_packs

    if all_ccgs and ccg is not None:
        raise UsageError("give --ccg or --all-ccgs, not both", field="--all-ccgs")
    if all_ccgs and record is not None:
        raise UsageError("a governance record is one CCG's: give it with --ccg", field="--record")
    if all_ccgs and public:
        raise UsageError("--public writes one CCG's pack: give it with --ccg", field="--public")
    # before an engine starts (Spark takes half a minute): a destination refused at once
    if all_ccgs:
        check_folder_of_packs(out, overwrite)
    else:
        check_destination(out, overwrite)
    if record is not None:  # before the analysis: a record that cannot be shown is known at once
        from consortia.governance.record import require_record

        require_record(record, "--record")
    settings = _settings()
    _rules(settings)  # a rule that would loosen the standard is refused before any work
    backend = connect(engine, settings)
    if all_ccgs:
        from consortia.pack.all_ccgs import build_all

        with _bar(settings.progress, "Building every CCG's pack") as update:
            packs = build_all(
                backend,
                data,
                out,
                update,
                overwrite,
                settings.cache_dir,
                settings.threads,
                _rules(settings),
            )
        typer.echo(f"{len(packs.packs)} commissioning packs written to {packs.folder}")
        typer.echo(f"national comparison written to {packs.national.html}")
        return
    from consortia.pack.build import build
    from consortia.privacy.release import Audience

    audience = Audience.PUBLIC if public else Audience.GOVERNING_BODY
    with _bar(settings.progress, "Building the pack") as update:
        built = build(
            backend,
            data,
            out,
            ccg,
            update,
            overwrite,
            settings.cache_dir,
            record,
            audience,
            _rules(settings),
        )
    made = "commissioning pack (as published to everyone)" if public else "commissioning pack"
    typer.echo(f"{made} written to {built.html}")


@app.command()
def allocate(
    data: LakeOption,
    year: Annotated[
        str,
        typer.Option(help="Financial year to allocate, e.g. 2014/15 (set from the year before)."),
    ],
    parameters: Annotated[
        Path | None,
        typer.Option(help="Allocation parameters (TOML) instead of those shipped for the year."),
    ] = None,
    cost_indices: Annotated[
        Path | None,
        typer.Option(
            help="CSV of each CCG's market forces and emergency ambulance cost indices "
            "(columns ccg,market_forces,emergency_ambulance; default: every index 1)."
        ),
    ] = None,
    ccg: Annotated[str | None, typer.Option(help="Show only this CCG.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print every step of the calculation.")
    ] = False,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every input and step as JSON to this file."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the lake's aggregates run: duckdb or spark.")
    ] = "duckdb",
) -> None:
    """Weighted-capitation targets and allocations for every CCG of a lake, with distance
    from target, pace of change and running costs."""
    from consortia.engine.backends import connect
    from consortia.finance import allocation as allocating
    from consortia.finance.parameters import allocation_parameters

    chosen = allocation_parameters(year, parameters)
    settings = _settings()
    backend = connect(engine, settings)
    tables = allocating.open_lake(backend, data)
    with _bar(settings.progress, "Allocating") as update:
        result = allocating.compute(backend, tables, chosen, cost_indices, update)
    if json_out is not None:
        write_json(allocating.as_json(result), json_out)
    if explain:
        typer.echo(allocating.explain(result, ccg))
    else:
        typer.echo(allocating.summary(result, ccg))
    if json_out is not None:
        typer.echo(f"every step written to {json_out}")


@app.command("budget-risk")
def budget_risk(
    data: LakeOption,
    year: Annotated[
        str,
        typer.Option(
            help="Financial year of the budgets, e.g. 2014/15 (costs of the year before)."
        ),
    ],
    ccg: Annotated[
        str | None, typer.Option(help="Simulate from this CCG's patients (default: everyone).")
    ] = None,
    parameters: Annotated[
        Path | None,
        typer.Option(help="Allocation parameters (TOML) instead of those shipped for the year."),
    ] = None,
    contingency: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=0.2, help="Contingency reserve as a share (default: the year's)."
        ),
    ] = None,
    level: Annotated[
        float,
        typer.Option(
            min=0.001, max=0.5, help="Chance of overspending to stay under, for the smallest size."
        ),
    ] = 0.05,
    pool_above: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            max=1e9,
            help="High-cost pool: pays each patient's cost above this many pounds "
            "(default: the 99.9th centile of person costs).",
        ),
    ] = None,
    years: Annotated[
        int, typer.Option(min=100, max=100_000, help="Simulated budget years per size.")
    ] = 10_000,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Random seed.")] = 1,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print every input to the simulation.")
    ] = False,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every input and result as JSON to this file."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write the chart, table and method as a web page to this file."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the lake's aggregates run: duckdb or spark.")
    ] = "duckdb",
) -> None:
    """How likely a commissioner is to overspend at population sizes from 20,000 to
    1,000,000, alone and with a high-cost pool, simulated from the lake's person costs."""
    from consortia.engine.backends import connect
    from consortia.finance import allocation as allocating
    from consortia.finance import budget_risk as risk
    from consortia.finance.parameters import allocation_parameters

    chosen = allocation_parameters(year, parameters)
    run = risk.Settings(
        contingency=chosen.contingency_reserve if contingency is None else contingency,
        level=level,
        pool_above=pool_above,
        years=years,
        seed=seed,
    )
    settings = _settings()
    backend = connect(engine, settings)
    tables = allocating.open_lake(backend, data)
    with _bar(settings.progress, "Simulating budget years") as update:
        result = risk.compute(backend, tables, chosen, run, ccg, update)
    if json_out is not None:
        write_json(risk.as_json(result), json_out)
    if html is not None:
        from datetime import date

        from consortia.pack.sections.budget_risk import write_html

        write_html(result, html, date.today(), _rules(_settings()))
    typer.echo(risk.summary(result, explain))
    if json_out is not None:
        typer.echo(f"every input and result written to {json_out}")
    if html is not None:
        typer.echo(f"chart written to {html}")


@app.command()
def premium(
    data: LakeOption,
    year: Annotated[
        str, typer.Option(help="Performance year of the scheme, e.g. 2013-14 or 2013/14.")
    ],
    rules: Annotated[
        Path | None,
        typer.Option(help="A quality premium scheme (TOML) instead of the one shipped."),
    ] = None,
    local: Annotated[
        Path | None, typer.Option(help="The CCG's local measures (TOML), filling the slots.")
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option(help="Values the lake cannot supply: surveys, gateways, standards (TOML)."),
    ] = None,
    ccg: Annotated[str | None, typer.Option(help="The CCG's code.")] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write the steps (or, with --all-ccgs, the relation) as a page."),
    ] = None,
    all_ccgs: Annotated[
        bool,
        typer.Option(
            "--all-ccgs",
            help="Score the lake's measures for every CCG and relate the share earned to "
            "changes in spend, activity and outcomes.",
        ),
    ] = False,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every step as JSON to this file."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the lake's aggregates run: duckdb or spark.")
    ] = "duckdb",
) -> None:
    """A CCG's quality premium, step by step: each measure against its rule, the gateways,
    the NHS Constitution reductions and the payment."""
    from consortia.engine.backends import connect
    from consortia.finance import allocation as allocating
    from consortia.finance.premium import evaluate as premiums
    from consortia.finance.premium import rules as premium_rules

    chosen = premium_rules.scheme(year, rules)
    if all_ccgs:
        if ccg is not None:
            raise UsageError("give --ccg or --all-ccgs, not both", field="--all-ccgs")
        _premium_across(data, chosen, json_out, html, engine)
        return
    if ccg is None:
        raise UsageError("give --ccg CODE, or --all-ccgs", field="ccg")
    own = premium_rules.local_measures(local, chosen, ccg) if local is not None else None
    measures = [*chosen.measures, *(own.measures if own else [])]
    given = premium_rules.inputs(inputs, chosen, measures, ccg) if inputs is not None else None
    settings = _settings()
    backend = connect(engine, settings)
    tables = allocating.open_lake(backend, data)
    with _bar(settings.progress, "Evaluating the premium") as update:
        result, name = premiums.from_lake(backend, tables, chosen, ccg, own, given, update)
    if json_out is not None:
        write_json(premiums.as_json(result), json_out)
    if html is not None:
        from datetime import date

        from consortia.pack.sections.premium import write_html

        write_html(result, name, html, date.today(), _rules(_settings()))
    typer.echo(premiums.explain(result, name))
    if json_out is not None:
        typer.echo(f"every step written to {json_out}")
    if html is not None:
        typer.echo(f"steps written to {html}")


@app.command()
def contracts(
    data: LakeOption,
    ccg: Annotated[str, typer.Option(help="The CCG's code.")],
    year: Annotated[str, typer.Option(help="The contract year, e.g. 2014/15.")],
    growth: Annotated[
        float,
        typer.Option(
            min=-0.5, max=1.0, help="Growth on the year before's activity and value (a share)."
        ),
    ] = 0.0,
    plan: Annotated[
        Path | None,
        typer.Option(help="Plan lines the CCG sets itself (CSV: provider,pod,activity,value)."),
    ] = None,
    month: Annotated[
        str | None, typer.Option(help="Monitor to this month, e.g. 2014-12 (default: latest).")
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every line and month as JSON to this file."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write the position and SPC charts as a web page to this file."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the lake's aggregates run: duckdb or spark.")
    ] = "duckdb",
) -> None:
    """A CCG's contract with each provider for each point of delivery: the plan, year-to-date
    actual against it, forecast outturn and SPC on monthly activity."""
    from consortia.analyses.scope import parse_financial_year
    from consortia.engine.backends import connect
    from consortia.finance import allocation as allocating
    from consortia.finance import contracts as contracting

    label = parse_financial_year(year)
    settings = _settings()
    backend = connect(engine, settings)
    tables = allocating.open_lake(backend, data)
    known = backend.execute(tables["ccg"].filter(tables["ccg"].code == ccg).count())
    if int(known) == 0:
        raise DataError(f"no CCG with code {ccg!r} in the lake", field="ccg")
    with _bar(settings.progress, "Monitoring contracts") as update:
        if update:
            update(0, 1)
        result = contracting.compute(backend, tables, ccg, label, growth, plan, month)
        if update:
            update(1, 1)
    if json_out is not None:
        write_json(contracting.as_json(result), json_out)
    if html is not None:
        from datetime import date

        from consortia.pack.sections.contracts import write_html

        write_html(result, html, date.today(), _rules(_settings()))
    typer.echo(contracting.summary(result))
    if json_out is not None:
        typer.echo(f"every line and month written to {json_out}")
    if html is not None:
        typer.echo(f"charts written to {html}")


@app.command()
def aqp(
    data: LakeOption,
    register: Annotated[
        Path | None,
        typer.Option(help="A register file (TOML) naming its CCG, year, services and providers."),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            help="Or the governance record (a path or URL) whose services and qualified "
            "providers are the register; with --year."
        ),
    ] = None,
    year: Annotated[
        str | None, typer.Option(help="The financial year read from --record, e.g. 2014/15.")
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write every service's providers and practices."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where the lake's aggregates run: duckdb or spark.")
    ] = "duckdb",
) -> None:
    """A CCG's any-qualified-provider services: each provider's share at the register's
    tariff, providers off the register, and where each practice's patients chose to go. The
    register is the governance record's (--record, --year) or a file's (--register)."""

    from consortia.engine.backends import connect
    from consortia.finance import aqp as services

    if (register is None) == (record is None):
        raise UsageError(
            "give the register as --record (with --year) or as --register, not both",
            field="--register",
        )
    if record is not None and year is None:
        raise UsageError("--record needs --year, the financial year to read", field="--year")
    if register is not None and year is not None:
        raise UsageError(
            "--year is for --record; a register file names its own year", field="--year"
        )
    settings = _settings()
    # The record is read (and proved) once, before the lake: a bad record is known at once.
    recorded = services.recorded_register(record, str(year)) if record is not None else None
    backend = connect(engine, settings)
    tables = services.open_lake(backend, data)
    providers = set(backend.execute(tables["provider"].select("code"))["code"])
    ccgs = set(backend.execute(tables["ccg"].select("code"))["code"])
    referrals = None
    if recorded is not None:
        chosen = services.known(recorded.register, str(record), ccgs, providers)
        referrals = recorded.referrals
    else:
        chosen = services.read_register(Path(str(register)), ccgs, providers)
    with _bar(settings.progress, "Reading the services") as update:
        if update:
            update(0, 1)
        result = services.compute(backend, tables, chosen, referrals)
        if update:
            update(1, 1)
    if json_out is not None:
        write_json(services.as_json(result), json_out)
    typer.echo(services.summary(result))
    if json_out is not None:
        typer.echo(f"every service written to {json_out}")


def _premium_across(
    data: Path, chosen: Any, json_out: Path | None, html: Path | None, engine: str
) -> None:
    """`consortia premium --all-ccgs`: the relationship report (and its JSON)."""

    from consortia.engine.backends import connect
    from consortia.finance import allocation as allocating
    from consortia.finance.premium import across

    settings = _settings()
    backend = connect(engine, settings)
    tables = allocating.open_lake(backend, data)
    with _bar(settings.progress, "Scoring every CCG") as update:
        if update:
            update(0, 1)
        result = across.across_ccgs(backend, tables, chosen)
        if update:
            update(1, 1)
    if json_out is not None:
        write_json(across.as_json(result), json_out)
    if html is not None:
        from datetime import date

        from consortia.pack.sections.premium import write_across_html

        write_across_html(result, html, date.today(), _rules(_settings()))
    typer.echo(across.report(result))
    if json_out is not None:
        typer.echo(f"every CCG's scores written to {json_out}")
    if html is not None:
        typer.echo(f"chart written to {html}")


@app.command()
def serve(
    data: LakeOption,
    ccg: Annotated[
        str | None, typer.Option(help="The CCG served (needed when the lake holds several).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="The CCG's governance record (a path or URL), published as pages."),
    ] = None,
    users: Annotated[
        Path | None,
        typer.Option(help="The sign-in accounts (TOML, argon2 hashes); without it, only public."),
    ] = None,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    key: Annotated[
        Path | None,
        typer.Option(
            help="The pseudonymisation key the lake was made with: a member practice may then "
            "re-identify its own patients listed (lakes made by `consortia ingest` only)."
        ),
    ] = None,
    risk_model: Annotated[
        Path | None,
        typer.Option(
            help="A trained risk model (`consortia risk train`): each practice's patient-level "
            "page is then its case-management list."
        ),
    ] = None,
) -> None:
    """Serve the CCG's pack and governance record as web pages and an API, by role."""
    _serve(data, ccg, db, users, host, port, key, risk_model)


def _demo_lake_outdated(lake: Path) -> bool:
    """Whether the demo lake is to be built: absent, or written in an earlier layout (synth
    replaces only a lake it wrote itself, and says so of any other)."""
    from consortia.engine.lake import LAKE_FORMAT, MANIFEST, Lake

    if not (lake / MANIFEST).exists():
        return True
    if Lake(lake).manifest().get("format") != LAKE_FORMAT:
        typer.echo(f"the demo lake in {lake} has an earlier layout: building it again")
        return True
    return False


@app.command()
def token(
    users: Annotated[Path, typer.Option(help="The site's accounts file (made if absent).")],
    name: Annotated[str, typer.Option(help="The system the token is for, e.g. ccg-warehouse.")],
    role: Annotated[str, typer.Option(help="The role it reads the API as, e.g. analyst.")],
) -> None:
    """Make an API token for another system; it is printed once and stored only as a hash."""
    from consortia.web.accounts import add_token
    from consortia.web.roles import Role

    try:
        chosen = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise UsageError(f"no role {role!r}; one of {known}", field="--role") from None
    if chosen is Role.PUBLIC:
        raise UsageError("the public needs no token", field="--role")
    secret = add_token(users, name, chosen)
    typer.echo(f"API token for {name} ({chosen.label}), shown this once:")
    typer.echo(secret)
    typer.echo("send it as the header  Authorization: Bearer TOKEN")


def _require_free(host: str, port: int) -> None:
    """Refuse, in one line, an address the server could not listen on."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise UsageError(
            f"cannot listen on {host}:{port}: {error.strerror or error}", field="--port"
        ) from None


def _serve(
    data: Path,
    ccg: str | None,
    db: str | None,
    users: Path | None,
    host: str,
    port: int,
    key: Path | None = None,
    risk_model: Path | None = None,
) -> None:
    import uvicorn

    from consortia.web.accounts import Accounts, read_accounts
    from consortia.web.app import create_app
    from consortia.web.site import RecordPages, Site, analyse_pack

    settings = _settings()
    _require_free(host, port)  # before any work: an address in use is known at once
    accounts = read_accounts(users) if users is not None else Accounts()
    if (accounts.users or accounts.tokens) and db is None:
        raise UsageError(
            "a site with sign-in keeps its access record (every read of sensitive data) in the "
            "governance record: give --db",
            field="--db",
        )
    secret = None
    if key is not None:  # before any analysis: a key that cannot serve is known at once
        from consortia.ingest.pseudonym import load_key
        from consortia.privacy.reidentify import require_made_from_extracts

        secret = load_key(key, data)
        require_made_from_extracts(data, secret)
    trained = None
    if risk_model is not None:  # before any analysis, as the key
        from consortia.risk import models, saved

        trained = saved.load(risk_model)[models.CHOSEN]
    record = RecordPages(db)
    record.current()  # proved and rendered before any analysis: a bad record is known at once
    if db is not None and (accounts.users or accounts.tokens):
        from consortia.privacy.access import kept_by

        if not kept_by(record.store()):
            raise UsageError(
                "the governance record predates the access record: bring it up to date with "
                f"`consortia gov init --db {db}`",
                field="--db",
            )
    with _bar(settings.progress, "Analysing the pack") as update:
        if update:
            update(0, 1)
        pack = analyse_pack(data, ccg, db, settings, trained)
        if update:
            update(1, 1)
    site = Site(pack, record, accounts, _rules(settings), secret)
    typer.echo(f"serving {pack.name} ({pack.code}) at http://{host}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(create_app(site), host=host, port=port, log_level="warning")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Demo folder (default: ./demo-data).")] = None,
    serve: Annotated[
        bool, typer.Option(help="End by serving the demo at http://127.0.0.1:8000/.")
    ] = True,
) -> None:
    """Build the demo CCG's lake if absent, then its commissioning pack and governance record;
    print where they are, then serve them (pages by role, and the API) until stopped."""
    from consortia.engine.backends import connect
    from consortia.pack.build import build

    settings = _settings()
    folder = out or settings.demo_dir
    lake = folder / "lake"
    if _demo_lake_outdated(lake):
        typer.echo(f"building the demo lake in {lake} (one CCG, about 300,000 patients)…")
        _synthesise(lake, folder / "truth", 300_000, 1, 2013, settings.threads, True, settings)
    record = folder / "governance.sqlite"
    kept = record.exists()
    if kept:  # a record from an earlier run, brought to this version's schema
        from consortia.store.session import open_store

        open_store(str(record)).close()
    with _bar(settings.progress, "Building the pack") as update:
        built = build(
            connect("duckdb", settings),
            lake,
            folder / "pack",
            progress=update,
            record=str(record) if kept else None,
            rules=_rules(settings),
        )
    _demo_record(folder)
    if not kept:  # the new record cites the pack just built; the pack then shows the record
        with _bar(settings.progress, "Adding the governance record to the pack") as update:
            built = build(
                connect("duckdb", settings),
                lake,
                folder / "pack",
                progress=update,
                record=str(record),
                rules=_rules(settings),
            )
    typer.echo(f"commissioning pack written to {built.html}")
    typer.echo(f"open it in a browser: file://{built.html.resolve()}")
    model = folder / "risk-model"
    if not model.exists():
        truth = folder / "truth"
        _train_risk_models(lake, model, truth if truth.is_dir() else None)
    typer.echo(f"risk models trained in {model} (`consortia risk evaluate --model {model}`)")
    users = _demo_accounts(folder, lake)
    if serve:
        _serve(lake, None, str(record), users, "127.0.0.1", 8000, risk_model=model)


def _demo_accounts(folder: Path, lake: Path) -> Path:
    """The demo site's sign-ins (one per role, some acting as people of the demo record; the
    practice's accounts belong to the demo's first practice)."""
    import pyarrow.parquet as pq

    from consortia.engine.lake import Lake
    from consortia.web.accounts import accounts_toml, demo_accounts

    users = folder / "web-users.toml"  # the demo's own file, written afresh each time
    codes = [
        pq.read_table(part, columns=["code"]).column(0) for part in Lake(lake).files("practice")
    ]
    first = min((str(code) for column in codes for code in column.to_pylist()), default=None)
    made = demo_accounts(first)
    users.write_text(accounts_toml([account for account, _ in made]), encoding="utf-8")
    typer.echo(f"demo sign-ins ({users}): name and password")
    for account, password in made:
        typer.echo(f"  {account.name:28} {password:33} {account.role.label}")
    return users


def _demo_record(folder: Path) -> None:
    """Load the demo CCG's commissioning round into the demo's governance record (it cites the
    pack just built), unless a record is there already."""
    from consortia.governance.record import load_demo_round

    record = folder / "governance.sqlite"
    accepted, refused = load_demo_round(record, folder / "pack")
    if accepted:
        typer.echo(
            f"governance record with a commissioning round written to {record} "
            f"({accepted} actions; {refused} refused by rule, as the script shows)"
        )
    else:
        typer.echo(f"governance record kept as it was: {record}")
    typer.echo(f"see the plan: consortia gov plan --plan 1 --db {record}")


@app.command()
def ingest(
    source: Annotated[Path, typer.Argument(help="An extract file, or a folder of them.")],
    into: Annotated[Path, typer.Option(help="Lake folder to load into (made if absent).")],
    key: Annotated[
        Path | None,
        typer.Option(
            help="File holding the pseudonymisation key (default: CONSORTIA_PSEUDONYM_KEY)."
        ),
    ] = None,
    dataset: Annotated[
        str | None, typer.Option(help="The dataset of a file whose name does not say it.")
    ] = None,
    max_quarantined: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of a file's records that may be quarantined before the file is "
            "rejected whole.",
        ),
    ] = 0.01,
) -> None:
    """Load extracts from national systems into a lake: NHS numbers replaced by keyed
    pseudonyms, every record loaded or quarantined with its reason, each file at most once."""
    from consortia.engine.backends import connect
    from consortia.ingest.pseudonym import load_key
    from consortia.ingest.run import ingest as run
    from consortia.ingest.run import sources

    settings = _settings()
    secret = load_key(key or settings.pseudonym_key, into)
    files, unknown = sources(source, dataset)
    for path in unknown:
        typer.echo(
            f"note: {printable(str(path))}: its name says no dataset; not imported", err=True
        )
    with _bar(settings.progress, "Importing", "bytes") as update:
        outcomes = run(connect("duckdb", settings), files, into, secret, max_quarantined, update)
    rejected = 0
    for outcome in outcomes:
        where = printable(str(outcome.source))
        counts = (
            f"{outcome.rows_in:,} records: {outcome.loaded:,} loaded, "
            f"{outcome.quarantined:,} quarantined"
        )
        typer.echo(f"{where} ({outcome.dataset}): {outcome.status}; {counts}")
        if outcome.first is not None and outcome.report is not None:
            first = outcome.first
            typer.echo(
                f"  first: line {first.line}, field {first.field!r}, rule: {first.rule}; "
                f"every one in {outcome.report}"
            )
        if outcome.status == "rejected":
            rejected += 1
            share = outcome.quarantined / outcome.rows_in if outcome.rows_in else 1.0
            typer.echo(
                f"error: {where}: {share:.1%} of its records broke a rule, more than the "
                f"{max_quarantined:.1%} a file may lose: nothing of it was loaded",
                err=True,
            )
    if rejected:
        sys.exit(int(ExitCode.DATA))


@app.command()
def reidentify(
    data: LakeOption,
    practice: Annotated[str, typer.Option(help="The practice (ODS code) re-identifying.")],
    patients_list: Annotated[
        Path,
        typer.Option(
            "--list",
            help="The practice's own list: a CSV file with an nhs_number column, from its "
            "clinical system.",
        ),
    ],
    out: Annotated[Path, typer.Option(help="CSV file to write (new; readable by its owner only).")],
    by: Annotated[str, typer.Option(help="Who re-identifies, as the access record names them.")],
    db: Annotated[
        str, typer.Option(help="The governance record whose access record keeps the entry.")
    ],
    key: Annotated[
        Path | None,
        typer.Option(
            help="File holding the pseudonymisation key (default: CONSORTIA_PSEUDONYM_KEY)."
        ),
    ] = None,
) -> None:
    """Re-identify a member practice's own patients: the pseudonyms of the NHS numbers on its
    list that are registered with it in the lake, entered in the access record first."""
    from consortia.engine.backends import connect
    from consortia.governance.record import recording
    from consortia.ingest.checked import open_vouched
    from consortia.ingest.pseudonym import load_key
    from consortia.privacy.reidentify import read_list, reidentify, write_matched

    if out.exists():  # before any work: nothing is written over
        raise UsageError(
            "a file is already there: re-identified numbers are never written over another file",
            file=str(out),
            field="--out",
        )
    settings = _settings()
    secret = load_key(key or settings.pseudonym_key, data)
    listed = read_list(patients_list)
    backend = connect("duckdb", settings)
    table = open_vouched(backend, data, ("patient",))["patient"]
    patients = backend.execute(table.select("patient_id", "practice"))
    with recording(db) as store:
        found = reidentify(data, secret, practice, listed, store, by, patients)
    write_matched(found, out)
    typer.echo(
        f"{len(found.pairs):,} of the {found.brought:,} NHS numbers on the list are registered "
        f"with {practice}: written to {out}"
    )
    if found.invalid:
        shown = ", ".join(str(line) for line in found.invalid[:10])
        more = f" and {len(found.invalid) - 10:,} more" if len(found.invalid) > 10 else ""
        typer.echo(f"note: lines {shown}{more} of the list hold no NHS number", err=True)


@app.command("new-key")
def new_key(
    out: Annotated[Path, typer.Option(help="File to write the key to (must not exist).")],
) -> None:
    """Make a pseudonymisation key for `consortia ingest` (keep it outside the lake)."""
    from consortia.ingest.pseudonym import new_key as make

    make(out)
    typer.echo(f"key written to {out} (readable by its owner only): keep it apart from the lake")


@app.command()
def check(
    data: LakeOption,
    dataset: Annotated[
        list[str] | None, typer.Option(help="Check only this dataset (repeatable).")
    ] = None,
) -> None:
    """Check a lake against the schema; list every broken rule at its first row."""
    from consortia.engine.backends import connect
    from consortia.ingest.validate import check_and_record

    violations = check_and_record(connect("duckdb", _settings()), data, dataset)
    for violation in violations:
        typer.echo(f"error: {violation.error()}", err=True)
    if violations:
        sys.exit(int(ExitCode.DATA))
    typer.echo(f"{data}: every dataset keeps every rule of the schema")


@app.command()
def schema(
    dataset: Annotated[str | None, typer.Argument(help="A dataset (default: list them).")] = None,
) -> None:
    """Describe the datasets of a lake: columns, types and rules."""
    from consortia.schema.datasets import DATASETS

    if dataset is None:
        for name, declared in DATASETS.items():
            typer.echo(f"{name:18} {declared.description}")
        return
    if dataset not in DATASETS:
        raise UsageError(
            f"unknown dataset {dataset!r}; datasets are {', '.join(DATASETS)}", field="dataset"
        )
    declared = DATASETS[dataset]
    typer.echo(f"{declared.name}: {declared.description} ({declared.grain})")
    for column in declared.columns:
        rules = "; ".join(column.rules())
        typer.echo(f"  {column.name:20} {column.dtype:10} {column.description} [{rules}]")


@app.command()
def docs(
    out: Annotated[Path, typer.Option(help="Docs folder to write into.")] = Path("docs"),
) -> None:
    """Regenerate the generated parts of the documentation (data dictionary, CLI reference)."""
    from consortia.docs import write_generated

    for path in write_generated(out, app):
        typer.echo(f"wrote {path}")


@app.command()
def version() -> None:
    """Print the version of Consortia."""
    typer.echo(__version__)


# A command allocates many long-lived objects (Ibis expressions, Altair's schema, pandas):
# collecting the youngest generation every 50,000 allocations rather than 700 spares
# repeated traversals of them, and freezing what is left when the command ends spares the
# interpreter's collections at exit (about 1 s of a pack's 8, measured). Memory is freed
# by reference counting as before; only cycles wait longer.
GC_THRESHOLD = (50_000, 50, 100)


risk_app = typer.Typer(
    help="Risk stratification: who is most likely to be admitted as an emergency next year.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(risk_app, name="risk")
ModelOption = Annotated[
    Path, typer.Option("--model", help="Folder of a trained model (`consortia risk train`).")
]


def _risk_tables(data: Path) -> tuple[Any, dict[str, Any]]:
    """The backend and the lake's datasets the risk features read, after the schema's check."""
    from consortia.engine.backends import checking, connect
    from consortia.ingest.checked import open_vouched
    from consortia.ingest.validate import require_valid
    from consortia.risk.features import DATASETS

    backend = connect("duckdb", _settings())
    require_valid(checking(backend), data, DATASETS)
    return backend, open_vouched(backend, data, DATASETS)


def _print_evaluation(
    about: dict[str, Any], judged: str = "patients held back from training"
) -> None:
    """Each model's discrimination, calibration and top-2% list, one line each."""
    typer.echo(f"{about['years']}; judged on {judged}")
    for name, found in about["models"].items():
        area = found["auroc"]
        two = next(top for top in found["top"] if top["share"] == REGISTER_SHARE)
        typer.echo(
            f"  {name:17} AUROC {area['value']:.3f} ({area['low']:.3f}–{area['high']:.3f}); "
            f"calibration slope {found['calibration_slope']:.2f}, intercept "
            f"{found['calibration_intercept']:+.2f}; top 2%: PPV {two['ppv']['value']:.0%}, "
            f"sensitivity {two['sensitivity']['value']:.0%}, "
            f"{two['admissions_captured']:.0%} of admissions"
        )
        gain = found.get("chosen_auroc_gain")
        if gain:
            typer.echo(
                f"  {'':17} gradient-boosted's AUROC higher by {gain['value']:.3f} "
                f"({gain['low']:.3f}–{gain['high']:.3f}, paired)"
            )
    truth = about.get("truth")
    if truth:
        chosen = about["models"]["gradient_boosted"]["auroc"]["value"]
        best = truth.get("best_from_lake_auroc")
        typer.echo(
            f"  ground truth AUROC {truth['truth_auroc']:.3f} (gradient-boosted reaches "
            f"{chosen / truth['truth_auroc']:.1%})"
            + (f"; best from the lake's data {best:.3f} ({chosen / best:.1%})" if best else "")
        )


@risk_app.command("train")
def risk_train(
    data: LakeOption,
    out: Annotated[Path, typer.Option(help="Folder to write the trained models into (new).")],
    truth: Annotated[
        Path | None,
        typer.Option(
            help="The generator's ground-truth folder, to compare with (synthetic lakes)."
        ),
    ] = None,
) -> None:
    """Train the risk models on the lake's last two years (features from the first, emergency
    admissions in the second), judge them on patients held back, and save both."""
    if out.exists():  # before any work: nothing is written over
        raise UsageError(
            "a file or folder is already there: a model is never written over another",
            file=str(out),
            field="--out",
        )
    _print_evaluation(_train_risk_models(data, out, truth))
    typer.echo(f"models written to {out}")


def _train_risk_models(data: Path, out: Path, truth: Path | None) -> dict[str, Any]:
    """Train and judge the risk models on the lake at `data`, save them in `out` with their
    evaluation and the lake they were trained on, and return the evaluation."""
    from consortia.risk import run, saved

    backend, tables = _risk_tables(data)
    with _bar(_settings().progress, "Training the risk models") as update:
        evaluated = run.train_and_evaluate(backend, tables, truth, progress=update)
    about = evaluated.as_dict() | {"lake": str(data.resolve())}
    saved.save(out, evaluated.trained, about)
    return about


@risk_app.command("evaluate")
def risk_evaluate(
    model: ModelOption,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Judge the models on every patient of this lake instead (another CCG's, or "
            "a later year's): features from its latest year but one, admissions in its latest.",
        ),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="With --data: that lake's ground-truth folder (synthetic lakes)."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the evaluation as JSON to this file.")
    ] = None,
) -> None:
    """Show how well a trained model's predictions held on the patients kept back from it, or
    on every patient of another lake: AUROC with its interval, the gradient-boosted model's
    paired gain over the baselines, calibration, and what lists of the top 0.5–5% would find."""
    from consortia.risk import run, saved

    if data is None:
        if truth is not None:
            raise UsageError("--truth goes with --data", field="--truth")
        about = saved.evaluation(model)
        _print_evaluation(about)
    else:
        trained = saved.load(model)
        if saved.evaluation(model).get("lake") == str(data.resolve()):
            typer.echo(
                "note: the models were trained on this lake: seven in ten of its patients "
                "trained them, so these figures flatter them (`consortia risk evaluate --model "
                f"{model}` shows them judged on the patients held back)",
                err=True,
            )
        backend, tables = _risk_tables(data)
        with _bar(_settings().progress, "Judging the risk models"):
            about = run.validate(backend, tables, trained, truth).as_dict()
        _print_evaluation(about, f"every patient of {data}")
    if json_out is not None:
        write_json(about, json_out)


@risk_app.command("list")
def risk_list(
    data: LakeOption,
    model: ModelOption,
    out: Annotated[Path, typer.Option(help="CSV file to write (new; readable by its owner only).")],
    ccg: Annotated[
        str | None, typer.Option(help="Only this CCG's practices (default: every practice).")
    ] = None,
    share: Annotated[
        float,
        typer.Option(
            min=0.001,
            max=0.2,
            help="Share of each practice's adults on its list (the unplanned-admissions "
            "register: at least 2%).",
        ),
    ] = REGISTER_SHARE,
) -> None:
    """Each practice's case-management list: its adults most likely to be admitted as an
    emergency in the year after the lake ends, under pseudonyms (re-identified only by the
    practice itself, with `consortia reidentify`)."""
    from consortia.risk import models, run, saved

    if out.exists():
        raise UsageError(
            "a file is already there: a list is never written over another file",
            file=str(out),
            field="--out",
        )
    trained = saved.load(model)
    backend, tables = _risk_tables(data)
    on = run.list_day(backend, tables)
    lists = run.case_lists(backend, tables, trained[models.CHOSEN], on, ccg, share)
    if lists.empty:
        raise DataError(
            f"no adults registered on {on}" + (f" with a practice of CCG {ccg}" if ccg else ""),
            field="--ccg" if ccg else None,
        )
    run.write_list(lists, out)
    typer.echo(
        f"{len(lists):,} patients on the lists of {lists['practice'].nunique():,} practices "
        f"(scored on {on}): written to {out}"
    )


def entry() -> None:
    """The `consortia` program: `main`, in a process that ends with it."""
    gc.set_threshold(*GC_THRESHOLD)
    try:
        main()
    finally:
        gc.freeze()


def main() -> None:
    """Entry point: run the command and turn user errors into one line and an exit code."""
    try:
        app(standalone_mode=False)
    except ConsortiaError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(int(error.exit_code))
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(int(ExitCode.USAGE))
    except typer.TyperException as error:  # the parser's own usage errors
        message = getattr(error, "format_message", error.__str__)()
        typer.echo(f"error: {message}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # the engine's own out-of-memory error is the user's to act on
        resource = out_of_memory(error)
        if resource is not None:
            typer.echo(f"error: {resource}", err=True)
            sys.exit(int(resource.exit_code))
        if _traceback_wanted():
            raise
        typer.echo(f"error: {internal_error(error)}", err=True)
        sys.exit(int(ExitCode.INTERNAL))


def internal_error(error: Exception) -> str:
    """One line for an error no rule of consortia foresaw: a fault of the program's, said as
    one, with how to see where it arose."""
    text = printable(str(error).strip())
    what = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return (
        f"internal error ({what[:300]}); a fault in consortia, not in what it was given: "
        "please report it with the traceback CONSORTIA_TRACEBACK=true shows"
    )


def _traceback_wanted() -> bool:
    """Whether the settings ask for an internal error's traceback (not if they are broken)."""
    try:
        return _settings().traceback
    except Exception:
        return False
