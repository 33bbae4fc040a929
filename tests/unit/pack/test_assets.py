"""The NHS design system's files: the pinned version, made safe to read offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consortia.pack import assets

ROOT = Path(__file__).resolve().parents[3]


def test_the_installed_design_system_is_the_pinned_version() -> None:
    pin = json.loads((ROOT / "package.json").read_text())["dependencies"]["nhsuk-frontend"]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert pin == assets.NHSUK_FRONTEND_VERSION == "10.6.1"
    assert lock["packages"]["node_modules/nhsuk-frontend"]["version"] == pin
    assert assets.installed_version() == pin, "run `make assets`"


def test_the_installed_chart_libraries_are_the_pinned_versions() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert {library.name: library.version for library in assets.LIBRARIES} == {
        "vega": "6.2.0",
        "vega-lite": "6.4.1",
    }
    for library in assets.LIBRARIES:
        assert pins[library.name] == library.version  # exact, not a range
        assert lock[f"node_modules/{library.name}"]["version"] == library.version
        manifest = json.loads((library.folder / "package.json").read_text())
        assert manifest["version"] == library.version, "run `make assets`"


def test_the_inlined_chart_scripts_carry_their_licences_and_cannot_end_their_element() -> None:
    scripts = assets.chart_scripts()
    assert scripts.startswith("/*! Vega 6.2.0\nCopyright (c)")
    assert "/*! Vega-Lite 6.4.1\nCopyright (c)" in scripts
    assert scripts.count("University of Washington Interactive Data Lab") == 2
    assert "</script" not in scripts.lower()
    assert "//# sourceMappingURL" not in scripts


def test_a_missing_or_wrong_chart_library_is_one_line_saying_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "CHART_LIBRARIES", tmp_path)
    with pytest.raises(assets.AssetsMissingError) as raised:
        assets.check()
    assert "\n" not in str(raised.value)
    assert "vega" in str(raised.value)
    assert "make assets" in str(raised.value)
    (tmp_path / "vega").mkdir()
    (tmp_path / "vega" / "vega.min.js").write_text("")
    (tmp_path / "vega" / "package.json").write_text('{"version": "5.0.0"}')
    with pytest.raises(assets.AssetsMissingError, match=r"vega 5\.0\.0 is installed"):
        assets.check()


def test_the_inlined_stylesheet_reaches_nothing_outside_the_file() -> None:
    css = assets.stylesheet()
    assert ".nhsuk-table" in css
    assert ".nhsuk-details" in css
    assert ".nhsuk-skip-link" in css
    assert "@font-face" not in css
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls, "the design system's icons are inlined as data URIs"
    assert all(u.strip("'\"").startswith("data:image/svg+xml;base64,") for u in urls)


def test_offline_drops_web_fonts_and_inlines_icons(tmp_path: Path) -> None:
    (tmp_path / "tick.svg").write_text("<svg/>")
    css = (
        "@font-face{font-family:F;src:url(https://example.org/f.woff2)}"
        ".a{background:url(/assets/images/tick.svg)}"
    )
    assert assets.offline(css, tmp_path) == (
        '.a{background:url("data:image/svg+xml;base64,PHN2Zy8+")}'
    )


def test_offline_refuses_a_stylesheet_that_would_still_load_from_the_network(
    tmp_path: Path,
) -> None:
    with pytest.raises(assets.AssetsMissingError, match="network"):
        assets.offline(".a{background:url(https://example.org/x.png)}", tmp_path)


def test_missing_assets_are_one_line_saying_how_to_get_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "MANIFEST", tmp_path / "package.json")
    monkeypatch.setattr(assets, "STYLESHEET", tmp_path / "nhsuk-frontend.min.css")
    with pytest.raises(assets.AssetsMissingError) as raised:
        assets.check()
    message = str(raised.value)
    assert "\n" not in message
    assert "make assets" in message
    assert "npm" in message
    (tmp_path / "package.json").write_text('{"version": "9.0.0"}')
    (tmp_path / "nhsuk-frontend.min.css").write_text("")
    with pytest.raises(assets.AssetsMissingError, match=r"9\.0\.0 is installed"):
        assets.check()
