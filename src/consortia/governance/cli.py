"""`consortia gov`: the governance commands. Parse, call the domain, print; no rules here."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from consortia.errors import ConsortiaError, DataError, ExitCode

gov_app = typer.Typer(
    help="Governance: constitution, meetings, votes, conflicts of interest, the audit record.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: rich's formatter costs ~0.15 s of start-up
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The governance database: a SQLite file path or a URL (sqlite:///FILE, "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB). Default: governance.sqlite in the demo "
        "folder (./demo-data, beside the demo lake; CONSORTIA_DEMO_DIR moves it).",
    ),
]


class StepFailedError(ConsortiaError):
    """A script step failed for a reason other than a rule (a bug or a failing database)."""

    exit_code = ExitCode.INTERNAL


def _db(db: str | None, create: bool = False) -> str:
    """The database to use; the default's folder is made only for a command that writes."""
    if db:
        return db
    from consortia.config import Settings
    from consortia.store.session import default_database

    return default_database(Settings(), create)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, sort_keys=True))


@gov_app.command()
def init(db: DbOption = None) -> None:
    """Create the governance database, or upgrade it to the newest schema."""
    from consortia.store.session import database_url, open_store

    open_store(_db(db, create=True)).close()
    typer.echo(f"governance record ready at {database_url(_db(db))}")


@gov_app.command()
def run(
    file: Annotated[Path, typer.Argument(help="A meeting script (YAML or JSON).")],
    db: DbOption = None,
    atomic: Annotated[
        bool,
        typer.Option(
            "--atomic",
            help="Apply the whole script in one transaction: the first refused or failed step "
            "rolls every step back.",
        ),
    ] = False,
    fail_on_refusal: Annotated[
        bool,
        typer.Option(
            "--fail-on-refusal",
            help="Exit with code 3 (data) when any step was refused.",
        ),
    ] = False,
    pack: Annotated[
        Path | None,
        typer.Option(
            help="Cite plan evidence from this pack folder instead of the one each "
            "cite_evidence step names.",
        ),
    ] = None,
) -> None:
    """Apply a meeting script; one JSON line per step, then a summary on standard error.

    Each step is applied in its own transaction and a refused step changes nothing. A step that
    fails for another reason stops the run; the steps before it stay applied.
    """
    from consortia.governance.script import load_script, run_script
    from consortia.store.session import open_store

    planned = load_script(file, pack=pack)
    store = open_store(_db(db, create=True))
    reports = []
    try:
        for report in run_script(store, planned, atomic=atomic):
            _echo_json(report)
            reports.append(report)
    finally:
        store.close()
    typer.echo(_summary(reports), err=True)
    failed = next((r for r in reports if r["status"] == "failed"), None)
    if failed is not None:
        applied = sum(r["status"] == "accepted" for r in reports)
        raise StepFailedError(
            f"step {failed['action']} failed ({failed['message']}); "
            f"{applied} step(s) before it stay applied",
            file=str(file),
            row=failed["line"],
            rule=failed["rule"],
        )
    refused = [r for r in reports if r["status"] == "refused"]
    if refused and (fail_on_refusal or atomic):
        first = refused[0]
        raise DataError(
            f"{len(refused)} step(s) refused, the first {first['action']}: {first['message']}",
            file=str(file),
            row=first["line"],
            rule=first["rule"],
        )


def _summary(reports: list[dict[str, object]]) -> str:
    """One line: how many steps were accepted, refused (by rule), failed or rolled back."""
    if not reports:
        return "summary: the script has no steps; nothing applied"
    counts = Counter(str(report["status"]) for report in reports)
    rules = Counter(str(report["rule"]) for report in reports if report["status"] == "refused")
    parts = [f"{counts.get('accepted', 0)} accepted", f"{counts.get('refused', 0)} refused"]
    parts += [f"{counts[s]} {s}" for s in ("failed", "rolled back") if s in counts]
    by_rule = "; ".join(f"{rule}: {n}" for rule, n in sorted(rules.items()))
    return "summary: " + ", ".join(parts) + (f" (by rule: {by_rule})" if by_rule else "")


@gov_app.command()
def verify(
    db: DbOption = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="A signed checkpoint to check the chain's head against.")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option(help="The operator's checkpoint key (needed with --checkpoint).")
    ] = None,
) -> None:
    """Prove the record (audit log, then every row); name the first bad entry or row."""
    from consortia.governance.audit import read_checkpoint, read_key
    from consortia.governance.record import verify_record

    signed = read_checkpoint(checkpoint) if checkpoint else None
    key = read_key(key_file) if key_file else None
    if signed is not None and key is None:
        raise DataError("--checkpoint needs --key-file", field="--key-file")
    proof = verify_record(_db(db), signed, key)
    if not proof.intact:
        raise DataError(proof.summary(), rule=proof.rule)
    typer.echo(proof.summary())


@gov_app.command()
def checkpoint(
    key_file: Annotated[Path, typer.Option(help="The operator's key (at least 16 bytes).")],
    out: Annotated[Path, typer.Option(help="Where to write the checkpoint (JSON).")],
    db: DbOption = None,
) -> None:
    """Export a checkpoint of the audit log's head, signed with HMAC-SHA256."""
    from consortia.governance.audit import read_key, write_checkpoint
    from consortia.governance.record import checkpoint_record

    signed = checkpoint_record(_db(db), read_key(key_file))
    write_checkpoint(signed, out)
    typer.echo(f"checkpoint of entry {signed.seq} written to {out}")


@gov_app.command()
def check(
    file: Annotated[Path, typer.Argument(help="A constitution or a meeting script.")],
) -> None:
    """Check a constitution or meeting script without applying it."""
    # Only what the file needs is imported: a constitution needs no database layer.
    from consortia.governance.sourcefile import read_source

    data = read_source(file).data
    if isinstance(data, dict) and "actions" in data:
        from consortia.governance.script import Planned, load_script

        planned = load_script(file)
        steps = sum(isinstance(step, Planned) for step in planned)
        later = len(planned) - steps
        # An item template's rulings on the interests its declarations raise are made at run.
        more = f", and the rulings on raised interests of {later} item(s)" if later else ""
        typer.echo(f"{file}: a valid meeting script of {steps} actions{more}")
        return
    from consortia.governance.constitution import load_constitution

    constitution = load_constitution(file)
    typer.echo(
        f"{file}: a valid constitution of {constitution.ccg.name} "
        f"(version {constitution.version}, {len(constitution.member_practices)} member practices)"
    )


@gov_app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: print).")] = None,
) -> None:
    """Print the JSON Schema of the constitution format."""
    from consortia.governance.constitution import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@gov_app.command()
def minutes(
    meeting: Annotated[int, typer.Option(help="The meeting's number.")],
    db: DbOption = None,
) -> None:
    """Print a meeting's minutes (JSON): declarations, rulings, quorum, votes."""
    from consortia.governance.record import meeting_minutes

    _echo_json(meeting_minutes(_db(db), meeting))


@gov_app.command()
def access(
    db: DbOption = None,
    last: Annotated[int | None, typer.Option(min=1, help="Only the last N entries.")] = None,
) -> None:
    """Print the access record (JSON lines, oldest first): every read of sensitive data,
    refusal and re-identification, with who, role, what, when (UTC) and the decision."""
    from consortia.governance.record import access_record

    for entry in access_record(_db(db), last):
        _echo_json(entry)


@gov_app.command()
def plan(
    plan: Annotated[int, typer.Option(help="The plan's number.")],
    db: DbOption = None,
    pack: Annotated[
        Path | None,
        typer.Option(help="A pack folder: show whether each cited figure has changed since."),
    ] = None,
) -> None:
    """Print a commissioning plan (JSON): intentions, evidence, consultation trail, decisions."""
    from consortia.governance.record import plan_record

    _echo_json(plan_record(_db(db), plan, pack))


@gov_app.command()
def publish(
    out: Annotated[Path, typer.Option(help="The folder to write the pages to (made if absent).")],
    db: DbOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="Date of the published registers, YYYY-MM-DD (default: today)."),
    ] = None,
) -> None:
    """Publish the record as HTML pages: index, minutes, plans and registers, each fact naming
    the audit entries that wrote it; refused for a record that does not verify."""
    from consortia.governance.publish import publish_record

    written = publish_record(_db(db), out, _date(as_of))
    typer.echo(f"wrote {len(written)} pages to {out}")


@gov_app.command()
def register(
    db: DbOption = None,
    as_of: Annotated[
        str | None, typer.Option(help="Date of the register, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Print the published registers of interests, gifts and breaches (JSON)."""
    from consortia.governance.record import published_registers

    _echo_json(published_registers(_db(db), _date(as_of)))


def _date(text: str | None) -> date:
    from consortia.errors import UsageError

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not a date: {text!r} (use YYYY-MM-DD)", field="--as-of") from None
