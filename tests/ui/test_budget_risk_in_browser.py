"""The budget-risk page (`consortia budget-risk --html`) read in real Chromium: its chart
drawn from a valid Vega-Lite specification, nothing fetched from the network, no
accessibility violations. Screenshot to build/screenshots/budget_risk.png."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from consortia.finance.budget_risk import Costs, Settings, chances, from_costs
from consortia.finance.parameters import allocation_parameters
from consortia.pack import charts
from consortia.pack.sections.budget_risk import write_html
from tests.ui.conftest import SCREENSHOTS, assert_accessible, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


def test_the_budget_risk_page_draws(browser: Any, tmp_path: Path) -> None:
    costs = Costs.of(200_000, np.random.default_rng(3).lognormal(5.5, 1.6, 130_000))
    risk = from_costs(
        costs, 180_000, allocation_parameters("2014/15"), Settings(contingency=0.005, years=2_000)
    )
    charts.budget_risk(chances(risk)).to_dict(validate=True)  # a valid Vega-Lite specification
    path = tmp_path / "risk.html"
    write_html(risk, path, date(2026, 12, 3))
    context, offline = open_offline(browser, path.as_uri())
    page = offline.page
    assert page.get_attribute("html", "data-charts") == "drawn"
    assert offline.errors == []
    assert offline.refused == []
    assert page.locator("h1").inner_text() == "Budget risk by population size"
    assert page.locator(".pack-chart__image svg").count() == 1
    assert "the median CCG" in page.locator(".pack-chart__image").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "budget_risk.png", full_page=False)
    assert_accessible(page)
    context.close()
