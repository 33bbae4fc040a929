"""The quality premium's pages (`consortia premium --html`, with and without --all-ccgs) read
in real Chromium: charts drawn from valid Vega-Lite specifications, nothing fetched from the
network, no accessibility violations. Screenshot to build/screenshots/premium.png."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consortia.engine.backends import connect
from consortia.finance.allocation import open_lake
from consortia.finance.premium.across import across_ccgs
from consortia.finance.premium.evaluate import from_lake
from consortia.finance.premium.rules import scheme
from consortia.pack.sections.premium import relation, steps, write_across_html, write_html
from tests.conftest import make_lake
from tests.ui.conftest import SCREENSHOTS, assert_accessible, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


def test_the_premium_pages_draw(browser: Any, tmp_path: Path) -> None:
    lake = make_lake(tmp_path, "lake", patients=30_000, ccgs=5, seed=6)
    backend = connect()
    tables = open_lake(backend, lake)
    chosen = scheme("2014/15")
    premium, name = from_lake(backend, tables, chosen, "00A", None, None)
    across = across_ccgs(backend, tables, chosen)
    pages = {"premium.html": "Quality premium 2014/15", "across.html": "across CCGs"}
    for figure in (steps(premium), relation(across)):
        assert figure.chart is not None
        figure.draw().to_dict(validate=True)
    write_html(premium, name, tmp_path / "premium.html", date(2026, 12, 3))
    write_across_html(across, tmp_path / "across.html", date(2026, 12, 3))
    for file, heading in pages.items():
        context, offline = open_offline(browser, (tmp_path / file).as_uri())
        page = offline.page
        assert page.get_attribute("html", "data-charts") == "drawn"
        assert offline.errors == []
        assert offline.refused == []
        assert heading in page.locator("h1").inner_text()
        assert page.locator(".pack-chart__image svg").count() == 1
        if file == "premium.html":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / "premium.png", full_page=False)
        assert_accessible(page)
        context.close()
