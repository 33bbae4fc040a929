"""The contracts page (`consortia contracts --html`) read in real Chromium: the position chart
and one XmR chart per point of delivery drawn from valid Vega-Lite specifications, nothing
fetched from the network, no accessibility violations. Screenshot to
build/screenshots/contracts.png."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consortia.engine.backends import connect
from consortia.finance import contracts as contracting
from consortia.finance.allocation import open_lake
from consortia.pack.sections.contracts import activity, position, write_html
from tests.conftest import make_lake
from tests.ui.conftest import SCREENSHOTS, assert_accessible, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


def test_the_contracts_page_draws(browser: Any, tmp_path: Path) -> None:
    lake = make_lake(tmp_path, "lake", patients=20_000, seed=4)
    backend = connect()
    result = contracting.compute(backend, open_lake(backend, lake), "00A", "2014/15", 0.02)
    pods = list(dict.fromkeys(result.lines["pod"]))
    for figure in (position(result), *(activity(result, pod) for pod in pods)):
        assert figure.chart is not None
        figure.draw().to_dict(validate=True)  # a valid Vega-Lite specification
    path = tmp_path / "contracts.html"
    write_html(result, path, date(2026, 12, 3))
    context, offline = open_offline(browser, path.as_uri())
    page = offline.page
    assert page.get_attribute("html", "data-charts") == "drawn"
    assert offline.errors == []
    assert offline.refused == []
    assert page.locator("h1").inner_text() == "Contracts 2014/15"
    assert page.locator(".pack-chart__image svg").count() == 1 + len(pods)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "contracts.png", full_page=False)
    assert_accessible(page)
    context.close()
