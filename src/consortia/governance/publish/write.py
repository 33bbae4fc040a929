"""Publish the record as pages: refuse a record that does not verify, check the folder can be
written, render every page, then write each one whole. Only the pages are written; nothing
else in the folder is touched."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from consortia.engine.lake import first_line, replace_whole
from consortia.errors import DataError
from consortia.governance.publish.assurance import assurance_view
from consortia.governance.publish.index import index_view
from consortia.governance.publish.markets import markets_view
from consortia.governance.publish.meeting import meeting_view
from consortia.governance.publish.plan import plan_view
from consortia.governance.publish.reading import Record, read_record
from consortia.governance.publish.registers import registers_view
from consortia.governance.publish.render import Frame, render
from consortia.governance.publish.support import support_view

WRITABLE = "the output folder can be written"


def publish_record(db: str, out: Path, as_of: date) -> list[Path]:
    """Write the record's pages under `out`: index.html, meetings/<n>.html, plans/<n>.html,
    registers.html (the registers as published on `as_of`), assurance.html (the Board's view
    of the CCG on `as_of`), support.html and markets.html; the paths written, in order."""
    _check_writable(out)
    record = read_record(db, as_of)
    pages = rendered(record, as_of)
    written = []
    for name, text in pages.items():
        path = out / name
        try:
            replace_whole(path, _writer(text))
        except OSError as error:
            raise DataError(
                f"cannot be written: {first_line(error)}", file=str(path), rule=WRITABLE
            ) from None
        written.append(path)
    return written


def _writer(text: str) -> Callable[[Path], object]:
    """Writes `text` to the file it is given."""
    return lambda temporary: temporary.write_text(text, encoding="utf-8")


def rendered(record: Record, as_of: date) -> dict[str, str]:
    """Every page's text by its path under the output folder, index first."""
    top = Frame(record.ccg, record.summary, as_of, root="")
    below = Frame(record.ccg, record.summary, as_of, root="../")
    pages = {"index.html": render("index.html.j2", top, index=index_view(record))}
    for shown in record.meetings:
        view = meeting_view(record, shown)
        pages[f"meetings/{view.number}.html"] = render("meeting.html.j2", below, meeting=view)
    for shown in record.plans:
        view_ = plan_view(record, shown)
        pages[f"plans/{view_.number}.html"] = render("plan.html.j2", below, plan=view_)
    pages["registers.html"] = render("registers.html.j2", top, registers=registers_view(record))
    pages["assurance.html"] = render(
        "assurance.html.j2", top, assurance=assurance_view(record, as_of)
    )
    pages["support.html"] = render("support.html.j2", top, support=support_view(record))
    pages["markets.html"] = render("markets.html.j2", top, markets=markets_view(record, as_of))
    return pages


def _check_writable(out: Path) -> None:
    """Refuse, in one line and before anything is written, a folder that cannot be written:
    a file in its place (or in a page folder's), or no write permission where it would go."""
    for folder in (out, out / "meetings", out / "plans"):
        if folder.exists() and not folder.is_dir():
            raise DataError("is not a folder", file=str(folder), rule=WRITABLE)
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise DataError("cannot be written", file=str(existing), rule=WRITABLE)
