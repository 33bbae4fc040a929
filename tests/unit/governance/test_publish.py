"""The governance record published as pages: minutes, a plan with its trail, the registers and
an index, each fact naming the audit entries that wrote it.

The records are made through the action layer (the demo's commissioning round, and the example
meeting script). Expected entries are read back from the audit chain with `state.vouched`, not
from the pages' own code; names and sums are read from the store.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from consortia.errors import DataError
from consortia.governance import audit, state
from consortia.governance.publish import publish_record
from consortia.governance.script import load_script, run_script
from consortia.store import models
from consortia.store.session import open_store
from tests.unit.governance.test_round import ROUND, demo_like_pack

MEETING = ROUND.parent / "meeting.yaml"
PUBLISHED = date(2016, 3, 1)


@dataclass(frozen=True)
class Published:
    """A record made by a script, and its pages."""

    db: str
    out: Path
    written: list[Path]


def _record(folder: Path, script: Path, pack: Path | None = None) -> str:
    """A SQLite record made by running `script` through the action layer."""
    db = f"sqlite:///{folder / 'g.sqlite'}"
    store = open_store(db)
    try:
        reports = list(run_script(store, load_script(script, pack=pack)))
    finally:
        store.close()
    assert not [r for r in reports if r["status"] == "failed"]
    return db


@pytest.fixture(scope="module")
def round_pages(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The demo's commissioning round, published."""
    folder = tmp_path_factory.mktemp("round")
    demo_like_pack(folder / "pack")
    db = _record(folder, ROUND, folder / "pack")
    out = folder / "site"
    return Published(db, out, publish_record(db, out, PUBLISHED))


@pytest.fixture(scope="module")
def meeting_pages(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The example meeting script's record (registers, conflicts), published."""
    folder = tmp_path_factory.mktemp("meeting")
    db = _record(folder, MEETING)
    out = folder / "site"
    return Published(db, out, publish_record(db, out, date(2017, 7, 1)))


class _Page(HTMLParser):
    """A page's table rows as their cells' text, its text, and its sources (rows, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.sources: list[tuple[list[list[Any]], str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._source: list[list[Any]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and found.get("class") == "record-source":
            self._source = json.loads(found["data-rows"] or "[]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._source is not None:
            self.sources.append((self._source, data))
            self._source = None


def read(path: Path) -> _Page:
    """A published page, parsed."""
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def words(page: _Page) -> str:
    """A page's text with its white space collapsed."""
    return " ".join("".join(page.text).split())


def name(db: str, person: str) -> str:
    """A person's name as the store holds it."""
    store = open_store(db, migrate_schema=False)
    try:
        with store.reading() as session:
            return session.get_one(models.Person, person).name
    finally:
        store.close()


def test_the_pages_written_are_the_index_each_meeting_and_plan_the_registers_and_the_board(
    round_pages: Published,
) -> None:
    names = [path.relative_to(round_pages.out).as_posix() for path in round_pages.written]
    assert names == [
        "index.html",
        "meetings/1.html",
        "meetings/2.html",
        "meetings/3.html",
        "plans/1.html",
        "registers.html",
        "assurance.html",
        "support.html",
        "markets.html",
    ]
    assert sorted(p.relative_to(round_pages.out).as_posix() for p in _files(round_pages.out)) == (
        sorted(names)
    )


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def test_the_minutes_show_the_two_recused_gps_left_for_the_item(round_pages: Published) -> None:
    page = read(round_pages.out / "meetings" / "3.html")
    rulings = {row[0]: row[1:3] for row in page.rows if len(row) == 4}
    for gp in ("dr-barker", "dr-chen"):
        assert rulings[name(round_pages.db, gp)] == [
            "Left the meeting for this item",
            "None recorded",
        ]
    declared = [row for row in page.rows if "shareholder of aylfield-federation" in row]
    assert len(declared) == 2
    assert all("From their link to an organisation the item affects" in row for row in declared)
    text = words(page)
    assert "Carried 7 for, 0 against, 1 abstained; a simple majority needed" in text
    assert "Quorate 8 present and entitled to vote, 5 needed." in text
    assert 'href="../plans/1.html"' in (round_pages.out / "meetings" / "3.html").read_text("utf-8")


def test_the_plan_page_states_the_final_opinion_and_its_referral(round_pages: Published) -> None:
    page = read(round_pages.out / "plans" / "1.html")
    text = words(page)
    assert (
        "gave its opinion that the plan does not take proper account of the joint health and "
        "wellbeing strategy" in text
    )
    assert "The board referred its opinion to the NHS Commissioning Board." in text
    assert "The CCG's response: The CCG will commission the weight-management service" in text
    store = open_store(round_pages.db, migrate_schema=False)
    try:
        with store.reading() as session:
            spend = sum(session.scalars(select(models.PlanIntention.spend_pounds)))
            cited = session.execute(
                select(
                    models.PlanEvidence.figure,
                    models.PlanEvidence.title,
                    models.PlanEvidence.sha256,
                )
            ).all()
            days = sorted(session.scalars(select(models.PlanStep.on)))
    finally:
        store.close()
    total = next(row for row in page.rows if row[0] == "Total planned spend")
    assert total[2] == f"£{spend:,}"
    for figure, title, sha256 in cited:
        row = next(row for row in page.rows if row[0] == figure)
        assert row[1:3] == [title, sha256[:12] + "…"]
    trail = re.findall(r'record-trail__date">([^<]*) ·', _html(round_pages, "plans/1"))
    assert trail == [f"{on.day} {on:%B %Y}" for on in days]
    assert "Governing body meeting 3, 3 February 2016, item 2" in text


def _html(published: Published, page: str) -> str:
    return (published.out / f"{page}.html").read_text("utf-8")


def test_every_fact_names_the_entries_that_wrote_its_rows(round_pages: Published) -> None:
    store = open_store(round_pages.db, migrate_schema=False)
    try:
        with store.reading() as session:
            vouched, _ = state.vouched(audit.entries(session))
    finally:
        store.close()
    checked = 0
    for path in round_pages.written:
        for rows, shown in read(path).sources:
            assert rows, f"{path.name}: a source names no row"
            seqs = sorted({vouched[(str(table), tuple(key))][1] for table, key in rows})
            expected = (
                f"entry {seqs[0]}"
                if len(seqs) == 1
                else f"entries {', '.join(map(str, seqs[:-1]))} and {seqs[-1]}"
            )
            assert shown == expected, (path.name, rows)
            checked += 1
    assert checked > 60
    minutes = read(round_pages.out / "meetings" / "3.html")
    ruled = next(text for rows, text in minutes.sources if rows == [["ruling", [2, "dr-barker"]]])
    assert ruled == f"entry {vouched[('ruling', (2, 'dr-barker'))][1]}"


def test_the_index_lists_each_page_and_the_verification(round_pages: Published) -> None:
    index = _html(round_pages, "index")
    text = words(read(round_pages.out / "index.html"))
    assert re.search(r"Verified\. Record intact: \d+ audit entries verified and the \d+ rows", text)
    for page in (
        "meetings/1.html",
        "meetings/2.html",
        "meetings/3.html",
        "plans/1.html",
        "registers.html",
        "assurance.html",
        "support.html",
        "markets.html",
    ):
        assert f'href="{page}"' in index
    assert "Governing body meeting, 3 February 2016" in text


def test_record_text_is_escaped_and_no_page_runs_a_script(round_pages: Published) -> None:
    for path in round_pages.written:
        assert "<script" not in path.read_text("utf-8")
    assert "the CCG&#39;s answer" in _html(round_pages, "plans/1")


def test_the_registers_page_shows_the_published_interests(meeting_pages: Published) -> None:
    page = read(meeting_pages.out / "registers.html")
    patel = next(row for row in page.rows if row and row[0] == name(meeting_pages.db, "dr-patel"))
    assert patel[1:4] == ["Financial", "Partner in Riverside Surgery", "Riverside Surgery"]
    assert "The registers as published on 1 July 2017." in words(page)
    minutes = read(meeting_pages.out / "meetings" / "1.html")
    assert [
        name(meeting_pages.db, "dr-patel"),
        "Left the meeting for this item",
        "None recorded",
    ] == (next(row for row in minutes.rows if row[1:2] == ["Left the meeting for this item"])[:3])


def test_a_tampered_record_is_refused_naming_the_row(tmp_path: Path) -> None:
    demo_like_pack(tmp_path / "pack")
    db = _record(tmp_path, ROUND, tmp_path / "pack")
    with sqlite3.connect(tmp_path / "g.sqlite") as connection:
        connection.execute("UPDATE vote SET choice = 'against' WHERE person = 'dr-jones'")
    out = tmp_path / "site"
    with pytest.raises(DataError) as refused:
        publish_record(db, out, PUBLISHED)
    message = str(refused.value)
    assert "will not publish" in message
    assert "vote row (2, 'dr-jones'): choice is 'against'" in message
    assert "\n" not in message
    assert not out.exists()


def test_only_the_pages_are_written_and_nothing_else_is_touched(
    round_pages: Published, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    (out / "meetings").mkdir(parents=True)
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    (out / "meetings" / "9.html").write_text("an older page", encoding="utf-8")
    written = publish_record(round_pages.db, out, PUBLISHED)
    assert (out / "keep.txt").read_text("utf-8") == "mine"
    assert (out / "meetings" / "9.html").read_text("utf-8") == "an older page"
    assert set(_files(out)) == {*written, out / "keep.txt", out / "meetings" / "9.html"}


def test_a_folder_that_cannot_be_written_is_refused_before_writing(
    round_pages: Published, tmp_path: Path
) -> None:
    blocked = tmp_path / "site"
    blocked.write_text("a file where the folder would go", encoding="utf-8")
    with pytest.raises(DataError, match="is not a folder"):
        publish_record(round_pages.db, blocked, PUBLISHED)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "plans").write_text("a file", encoding="utf-8")
    with pytest.raises(DataError, match="plans: is not a folder"):
        publish_record(round_pages.db, tmp_path / "other", PUBLISHED)
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == ["plans"]
