"""`consortia gov`: the governance commands. Parse, call the domain, print; no rules here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from consortia.config import Settings
from consortia.errors import DataError

gov_app = typer.Typer(
    help="Governance: constitution, meetings, votes, conflicts of interest, the audit record.",
    no_args_is_help=True,
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


def _db(db: str | None, create: bool = False) -> str:
    """The database to use; the default's folder is made only for a command that writes."""
    from consortia.store.session import default_database

    return db or default_database(Settings(), create)


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
) -> None:
    """Apply a meeting script; one JSON line per action, accepted or refused."""
    from consortia.governance.script import load_script, run_script
    from consortia.store.session import open_store

    planned = load_script(file)
    store = open_store(_db(db, create=True))
    try:
        for report in run_script(store, planned):
            _echo_json(report)
    finally:
        store.close()


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
    """Verify the audit log and name the first tampered entry."""
    from consortia.governance.audit import read_checkpoint, read_key
    from consortia.governance.record import verify_record

    signed = read_checkpoint(checkpoint) if checkpoint else None
    key = read_key(key_file) if key_file else None
    if signed is not None and key is None:
        raise DataError("--checkpoint needs --key-file", field="--key-file")
    verdict = verify_record(_db(db), signed, key)
    if not verdict.intact:
        raise DataError(verdict.summary(), rule="hash chain")
    typer.echo(verdict.summary())


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
    from consortia.governance.record import check_file

    typer.echo(check_file(file))


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
