"""The published governance record read in real Chromium: each page opens with nothing fetched
from the network and no script error, reads in the NHS design system, hides its navigation when
printed, and has no accessibility violation. Screenshots and PDFs to /tmp/publish-shots/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consortia.governance.publish import publish_record
from consortia.governance.script import load_script, run_script
from consortia.store.session import open_store
from tests.ui.conftest import assert_accessible
from tests.unit.governance.test_round import ROUND, demo_like_pack

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]

SHOTS = Path("/tmp/publish-shots")
HEADINGS = {
    "index": "Governance record",
    "meetings/1": "Minutes: Governing body meeting, 18 November 2015",
    "meetings/2": "Minutes: Governing body meeting, 3 February 2016",
    "plans/1": "NHS Aylfield CCG commissioning plan 2016/17",
    "registers": "Registers of interests, gifts and hospitality, and breaches",
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
    for name, heading in HEADINGS.items():
        page.goto((tmp_path / "site" / f"{name}.html").as_uri(), wait_until="load")
        assert page.locator("h1").inner_text() == heading
        assert page.locator(".nhsuk-header").is_visible()
        shot = name.replace("/", "-")
        page.screenshot(path=SHOTS / f"{shot}.png", full_page=True)
        assert_accessible(page)
        page.emulate_media(media="print")
        assert not page.locator(".nhsuk-skip-link, .record-nav").first.is_visible()
        page.pdf(path=SHOTS / f"{shot}.pdf", format="A4")
        page.emulate_media(media="screen")
        assert (SHOTS / f"{shot}.pdf").stat().st_size > 10_000
    assert refused == []
    assert errors == []
    context.close()
