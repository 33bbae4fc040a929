"""The national comparison read in real Chromium: charts drawn, links to every CCG's pack
open, nothing fetched from the network, no accessibility violations. Screenshot to
build/screenshots/national.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consortia.engine.backends import connect
from consortia.pack.all_ccgs import Packs, build_all
from tests.conftest import make_lake
from tests.ui.conftest import SCREENSHOTS, assert_accessible, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> Packs:
    root = tmp_path_factory.mktemp("national-ui")
    lake = make_lake(root, "lake", patients=20_000, ccgs=3, seed=9)
    return build_all(connect(), lake, root / "packs")


def test_the_national_page_draws_and_links_every_pack(browser: Any, packs: Packs) -> None:
    context, offline = open_offline(browser, packs.national.html.as_uri())
    page, errors, refused = offline.page, offline.errors, offline.refused
    assert page.get_attribute("html", "data-charts") == "drawn"
    assert errors == []
    assert refused == []
    assert page.locator("h1").inner_text() == "National comparison"
    charts = [f for f in packs.national.figures if f.chart is not None]
    assert page.locator(".pack-chart__image svg").count() == len(charts) > 0
    for figure in charts:
        assert figure.chart is not None
        figure.draw().to_dict(validate=True)  # a valid Vega-Lite specification
    links = page.locator("nav .pack-links a")
    assert links.count() == len(packs.packs)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "national.png", full_page=False)
    assert_accessible(page)
    first = links.first
    target = Path(packs.national.folder, first.get_attribute("href") or "").resolve()
    first.click()
    page.wait_for_load_state("load")
    assert page.url == target.as_uri()
    assert page.locator("h1").inner_text() == "Commissioning pack"
    context.close()
