"""Every way a figure reaches the public goes through the release: the written pack (its page,
its CSV tables), the site's pages (the pack, each section, each practice), the chart data those
pages carry and the API. Read as the public reads them, from a real lake, every number under a
count of people is 0, or at least 10 and a multiple of 5, or withheld."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consortia.config import Settings
from consortia.pack.labels import MISSING, Kind, label_or_fallback
from consortia.web.accounts import Accounts
from consortia.web.app import create_app
from consortia.web.site import RecordPages, Site, analyse_pack

pytestmark = pytest.mark.xdist_group("small")


def people_count(column: str) -> bool:
    found = label_or_fallback(column, True)
    return found.kind is Kind.COUNT and found.of_people


# The SPC trends' monthly counts are shown by midpoint 6 (the middle of a block of six)
MIDPOINT6 = frozenset({"numerator", "denominator"})


def released_count(value: Any, column: str = "") -> bool:
    """Whether `value` is a count as the public rule releases it (in `column`)."""
    if value is None:
        return True
    number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    if column in MIDPOINT6:
        return number == 0 or number % 6 == 3
    return number == 0 or (number >= 10 and number % 5 == 0)


class Page(HTMLParser):
    """The tables of a page (each cell under its column's name) and its charts' data."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[dict[str, str]]] = []
        self.specs: list[Any] = []
        self._columns: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._spec: list[str] | None = None
        self._inside = False  # within a table of a figure's data

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and "pack-data" in (found.get("class") or ""):
            self.tables.append([])
            self._columns = []
            self._inside = True
        elif tag == "th" and found.get("data-column") is not None:
            self._columns.append(str(found["data-column"]))
        elif tag == "tr" and self._inside:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "script" and found.get("type") == "application/json":
            self._spec = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._spec is not None:
            self._spec.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row:
            self.tables[-1].append(dict(zip(self._columns, self._row, strict=True)))
            self._row = None
        elif tag == "script" and self._spec is not None:
            self.specs.append(json.loads("".join(self._spec)))
            self._spec = None


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def chart_rows(spec: Any) -> list[dict[str, Any]]:
    if isinstance(spec, dict):
        found = [v for v in spec.get("values", []) if isinstance(v, dict)]
        for key, value in spec.items():
            if key != "values":
                found.extend(chart_rows(value))
        return found
    if isinstance(spec, list):
        return [row for value in spec for row in chart_rows(value)]
    return []


def assert_released(page: Page, where: str) -> int:
    """Every count cell and every count a chart draws, as the public rule releases it; how many
    counts were looked at."""
    seen = 0
    for table in page.tables:
        for row in table:
            for column, text in row.items():
                if people_count(column) and text != MISSING:
                    assert released_count(text, column), f"{where}: {column} shows {text}"
                    seen += 1
    for spec in page.specs:
        for row in chart_rows(spec):
            for column, value in row.items():
                if people_count(column):
                    assert released_count(value, column), (
                        f"{where}: a chart draws {column} = {value}"
                    )
                    seen += 1
    return seen


@pytest.fixture(scope="module")
def client(small_lake: Path) -> Any:
    site = Site(
        analyse_pack(small_lake, None, None, Settings(progress=False)),
        RecordPages(None),
        Accounts(),
    )
    with TestClient(create_app(site), base_url="http://127.0.0.1") as made:
        yield made, site


def test_every_page_the_public_reads_shows_released_counts_only(client: Any) -> None:
    reader, site = client
    assert site.public.figures  # something is published
    seen = assert_released(read(reader.get("/pack").text), "/pack")
    for _, slug, _ in site.public.sections:
        seen += assert_released(read(reader.get(f"/sections/{slug}").text), slug)
    for code in list(site.public.practices)[:5]:
        practice = reader.get(f"/practices/{code}").text
        assert "Published under the small-number rule" in practice  # says what was withheld
        seen += assert_released(read(practice), code)
    assert seen > 1000


def test_the_api_gives_the_public_released_counts_only(client: Any) -> None:
    reader, site = client
    listed = reader.get("/api/figures").json()
    assert [f["id"] for f in listed] == [f.id for f in site.public.figures]
    withheld = 0
    for figure in listed:
        for row in reader.get(f"/api/figures/{figure['id']}").json()["data"]:
            for column, value in row.items():
                if people_count(column):
                    assert released_count(value, column), f"{figure['id']}: {column} = {value}"
                    withheld += value is None
    assert withheld > 0  # the small lake has small counts, and the API withholds them


def test_the_governing_body_reads_the_counts_as_counted(client: Any) -> None:
    """The check above is not empty: the commissioning release shows counts the public rule
    would not."""
    _, site = client
    exact = [
        value
        for figure in site.pack.figures
        for column in figure.table.columns
        if people_count(str(column))
        for value in figure.table[column].dropna()
    ]
    assert any(not released_count(value) for value in exact)
