"""The published governance record read in real Chromium: each page opens with nothing fetched
from the network and no script error, reads in the NHS design system, hides its navigation when
printed, and has no accessibility violation. Screenshots and PDFs to /tmp/publish-shots/.

Two records: the demo's commissioning round (meetings, a plan, the registers; the Board's pages
with nothing yet to show) and the full record of every table, whose assurance, commissioning
support (with its chart) and markets pages have something in every section."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consortia.governance.publish import publish_record
from consortia.governance.script import load_script, run_script
from consortia.store.session import open_store
from tests.ui.conftest import assert_accessible
from tests.unit.governance.test_publish_board import AS_OF, later_acts
from tests.unit.governance.test_round import ROUND, demo_like_pack
from tests.unit.governance.test_tamper import full_record

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]

SHOTS = Path("/tmp/publish-shots")
HEADINGS = {
    "index": "Governance record",
    "meetings/1": "Minutes: Governing body meeting, 3 June 2015",
    "meetings/2": "Minutes: Governing body meeting, 18 November 2015",
    "meetings/3": "Minutes: Governing body meeting, 3 February 2016",
    "plans/1": "NHS Aylfield CCG commissioning plan 2016/17",
    "registers": "Registers of interests, gifts and hospitality, and breaches",
    "assurance": "Assurance by the NHS Commissioning Board",
    "support": "Commissioning support",
    "markets": "Quality premium and any qualified provider",
}
BOARD_HEADINGS = {
    "index": "Governance record",
    "assurance": "Assurance by the NHS Commissioning Board",
    "support": "Commissioning support",
    "markets": "Quality premium and any qualified provider",
}


def test_the_published_pages_read_and_print(browser: Any, tmp_path: Path) -> None:
    demo_like_pack(tmp_path / "pack")
    db = f"sqlite:///{tmp_path / 'g.sqlite'}"
    store = open_store(db)
    try:
        list(run_script(store, load_script(ROUND, pack=tmp_path / "pack")))
    finally:
        store.close()
    publish_record(db, tmp_path / "site", date(2016, 3, 1))
    assert _read_and_print(browser, tmp_path / "site", HEADINGS, "") == []


def test_the_board_pages_read_and_print(browser: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.sqlite'}"
    store = open_store(db)
    try:
        full_record(store)
        later_acts(store)
    finally:
        store.close()
    publish_record(db, tmp_path / "site", AS_OF)
    assert _read_and_print(browser, tmp_path / "site", BOARD_HEADINGS, "board-") == []


def _read_and_print(browser: Any, site: Path, headings: dict[str, str], prefix: str) -> list[str]:
    """Open each page offline, check it and save its screenshot and PDF; the chart, where a
    page has one, must have an accessible name. Returns the refused requests (none)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for name, heading in headings.items():
        page.goto((site / f"{name}.html").as_uri(), wait_until="load")
        assert page.locator("h1").inner_text() == heading
        assert page.locator(".nhsuk-header").is_visible()
        for chart in page.locator("svg[role=img]").all():
            assert chart.is_visible()
            labelled = chart.get_attribute("aria-labelledby") or ""
            assert page.locator(f"#{labelled.split()[0]}").count() == 1
        shot = prefix + name.replace("/", "-")
        page.screenshot(path=SHOTS / f"{shot}.png", full_page=True)
        assert_accessible(page)
        page.emulate_media(media="print")
        assert not page.locator(".nhsuk-skip-link, .record-nav").first.is_visible()
        page.pdf(path=SHOTS / f"{shot}.pdf", format="A4")
        page.emulate_media(media="screen")
        assert (SHOTS / f"{shot}.pdf").stat().st_size > 10_000
    assert errors == []
    context.close()
    return refused
