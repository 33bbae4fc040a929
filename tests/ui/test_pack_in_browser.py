"""The pack read in real Chromium: offline, alone, every section whole, labelled and iconed.

Each section is screenshot to build/screenshots/ as a test artefact.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from consortia.pack.labels import label
from tests.ui.conftest import AXE, SCREENSHOTS, Emailed, OfflinePage

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


def test_the_emailed_file_reads_whole_with_no_network(
    offline_page: OfflinePage, emailed_pack: Emailed
) -> None:
    folder = emailed_pack.html.parent
    assert sorted(p.name for p in folder.iterdir()) == ["pack.html"]  # no tables/ beside it
    page = offline_page.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.wait_for_timeout(100)
    assert offline_page.refused == []
    assert offline_page.errors == []
    assert page.get_attribute("html", "data-charts") == "drawn"
    # the design system's styles are in force: its typography and header colour
    header = page.locator("header.nhsuk-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 94, 184)"
    assert page.locator("a.nhsuk-skip-link").get_attribute("href") == "#maincontent"
    assert page.locator("main#maincontent").count() == 1
    # no link points at a file that is not in the document
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]


def test_every_figure_is_present_whole_and_labelled(
    offline_page: OfflinePage, emailed_pack: Emailed
) -> None:
    page = offline_page.page
    for figure in emailed_pack.pack.figures:
        section = page.locator(f"section#{figure.id}")
        assert section.count() == 1, figure.id
        table = section.locator("table.nhsuk-table")
        assert (table.locator("caption").text_content() or "").strip().endswith(figure.title)
        assert table.locator("tbody tr").count() == len(figure.table), figure.id
        headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
        assert headers == [
            label(str(c)).header for c in figure.table.columns if not label(str(c)).chart_only
        ]
        if figure.chart is not None:
            chart = section.locator("figure .pack-chart__image[role=img]")
            assert chart.locator("svg").count() == 1, figure.id
            drawing = chart.locator("svg")
            assert drawing.get_attribute("aria-hidden") == "true", figure.id
            box = drawing.bounding_box()
            assert box is not None, figure.id
            assert box["width"] > 100, figure.id
            assert box["height"] > 50, figure.id
            # drawn from its data: marks, and the chart's own title among its text
            assert drawing.locator("path, rect, line").count() > 5, figure.id
            spec = figure.draw().to_dict(validate=False)
            title = spec["title"] if isinstance(spec["title"], str) else spec["title"]["text"]
            assert title in drawing.locator("text").all_text_contents(), figure.id
            description = chart.get_attribute("aria-label") or ""
            assert len(description) > 40, (figure.id, description)
            assert "_" not in description, (figure.id, description)
            assert section.locator("figcaption").inner_text().startswith("Figure ")


def test_every_column_of_every_figure_has_a_label(emailed_pack: Emailed) -> None:
    unlabelled = []
    for figure in emailed_pack.pack.figures:
        for column in figure.table.columns:
            try:
                label(str(column))
            except KeyError:
                unlabelled.append(f"{figure.id}.{column}")
    assert unlabelled == []


def test_no_code_style_text_reaches_the_reader(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.locator("body").inner_text()
    for word in ("NaN", "None", "nan", "inf", "null", "undefined"):
        assert not re.search(rf"\b{word}\b", text), word
    for legend in ("special_cause", "point_type", "rate_per_1000", "financial_year", "dsr_"):
        assert legend not in text, legend
    svg_text = " ".join(page.locator("svg text").all_text_contents())
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", svg_text), re.findall(
        r"\b[a-z]+_[a-z_]+\b", svg_text
    )


def test_spc_charts_carry_making_data_count_icons(
    offline_page: OfflinePage, emailed_pack: Emailed
) -> None:
    page = offline_page.page
    spc = [f for f in emailed_pack.pack.figures if "point_type" in f.table.columns]
    assert spc, "the pack has statistical process control charts"
    for figure in spc:
        icons = page.locator(f"section#{figure.id} .pack-icons svg.mdc-icon")
        keys = icons.evaluate_all("icons => icons.map(i => i.dataset.icon)")
        assert len(keys) == 2, figure.id
        variation, assurance = keys
        assert variation in {
            "common_cause",
            "improving_high",
            "improving_low",
            "concerning_high",
            "concerning_low",
            "neither_high",
            "neither_low",
        }
        target = "target" in figure.table and figure.table["target"].notna().any()
        assert (assurance == "no_target") != bool(target), (figure.id, assurance)
    summary = page.locator(".pack-section table").filter(has_text="variation and assurance")
    assert summary.locator("tbody tr").count() == len(spc)
    assert summary.locator("svg.mdc-icon").count() == 2 * len(spc)


def test_screenshot_of_each_section(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "00-top.png")
    sections = page.locator("section.pack-section")
    ids = sections.evaluate_all("s => s.map(e => e.id)")
    assert len(ids) >= 6
    for number, section_id in enumerate(ids, start=1):
        section = page.locator(f"section#{section_id}")
        box = section.bounding_box()
        assert box is not None, section_id
        assert box["height"] > 200, section_id
        path = SCREENSHOTS / f"{number:02d}-{section_id}.png"
        section.screenshot(path=path)
        assert path.stat().st_size > 10_000
    assert offline_page.refused == []


def test_no_accessibility_violations(offline_page: OfflinePage) -> None:
    """axe-core, the checker the NHS service manual points to: WCAG 2 A and AA and best
    practice. Colour contrast is checked with the tables folded (every table is styled
    alike, and checking thousands of cells takes a minute); the open tables get every other
    rule."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make assets)")
    page = offline_page.page
    page.add_script_tag(path=str(AXE))
    rules = "['wcag2a', 'wcag2aa', 'best-practice']"
    problems = []
    for state, options in (
        ("false", f"{{runOnly: {rules}}}"),
        ("true", f"{{runOnly: {rules}, rules: {{'color-contrast': {{enabled: false}}}}}}"),
    ):
        page.evaluate(f"document.querySelectorAll('details').forEach(d => d.open = {state})")
        result = page.evaluate(f"async () => await axe.run(document, {options})")
        problems += [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}) e.g. {v['nodes'][0]['target']}"
            for v in result["violations"]
        ]
    assert problems == [], json.dumps(problems, indent=1)


def test_every_chart_is_a_valid_vega_lite_specification(emailed_pack: Emailed) -> None:
    """The pack writes specifications unvalidated (for speed); here each is validated against
    the Vega-Lite schema."""
    for figure in emailed_pack.pack.figures:
        if figure.chart is not None:
            figure.draw().to_dict(validate=True)


def test_with_scripts_off_each_chart_says_so_and_keeps_its_description(
    browser: Any, emailed_pack: Emailed
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(emailed_pack.html.as_uri(), wait_until="load")
    charts = [f for f in emailed_pack.pack.figures if f.chart is not None]
    images = page.locator(".pack-chart__image[role=img]")
    assert images.count() == len(charts)
    assert page.locator(".pack-chart__image svg").count() == 0
    for figure in charts:
        image = page.locator(f"section#{figure.id} .pack-chart__image")
        assert "switched off" in image.inner_text(), figure.id
        assert len(image.get_attribute("aria-label") or "") > 40, figure.id
        caption = page.locator(f"section#{figure.id} figcaption").inner_text()
        assert caption.startswith("Figure "), figure.id
    context.close()


def test_printed_every_chart_is_on_the_page(offline_page: OfflinePage) -> None:
    """Charts are SVG in the page once drawn, so print media shows them as the screen does."""
    page = offline_page.page
    page.emulate_media(media="print")
    try:
        heights = page.locator(".pack-chart__image svg").evaluate_all(
            "drawings => drawings.map(d => d.getBoundingClientRect().height)"
        )
        visible = page.locator(".pack-chart__image svg").evaluate_all(
            "drawings => drawings.every(d => getComputedStyle(d).display !== 'none')"
        )
    finally:
        page.emulate_media(media="screen")
    assert len(heights) == page.locator(".pack-chart__image[role=img]").count()
    assert min(heights) > 50
    assert visible
