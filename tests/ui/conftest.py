"""A pack built from a small synthetic lake, and real headless Chromium to read it (and draw
its charts, as any reader's browser does).

Chromium is Debian's package, driven by playwright through its executable path; no browser
is ever downloaded. The pack file is copied alone into an empty folder, as if emailed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consortia.engine.backends import connect
from consortia.pack.build import Pack, build
from tests.conftest import make_lake

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"  # test artefacts (git-ignored)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class Emailed:
    """A built pack and a copy of its HTML file alone in a folder."""

    pack: Pack
    html: Path


@pytest.fixture(scope="session")
def emailed_pack(tmp_path_factory: pytest.TempPathFactory) -> Emailed:
    """The pack of a two-practice-sized CCG, its file copied where no table sits beside it."""
    root = tmp_path_factory.mktemp("ui")
    lake = make_lake(root, "lake", patients=20_000, seed=8)
    pack = build(connect(), lake, root / "pack")
    alone = root / "inbox" / "pack.html"
    alone.parent.mkdir()
    shutil.copy(pack.html, alone)
    return Emailed(pack, alone)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), started once."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class OfflinePage:
    """A page that may load only files; every other request is refused and recorded."""

    page: Any
    refused: list[str]
    errors: list[str]  # script errors and console errors of the page


def open_offline(browser: Any, uri: str) -> tuple[Any, OfflinePage]:
    """A new browser context and `uri` open in it with the network cut off (every request but
    files refused and recorded), once its charts are drawn or have failed."""
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
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(uri, wait_until="load")
    # the page draws its charts after its first paint, then marks its root element
    page.wait_for_selector("html[data-charts=drawn], html[data-charts=failed]", state="attached")
    return context, OfflinePage(page, refused, errors)


@pytest.fixture(scope="session")
def offline_page(browser: Any, emailed_pack: Emailed) -> Iterator[OfflinePage]:
    """The emailed pack open in a page with the network cut off (opened once: the tests only
    read it, and open its details elements)."""
    context, page = open_offline(browser, emailed_pack.html.as_uri())
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """No WCAG 2 A/AA or best-practice violation on the page, by axe-core (when installed)."""
    if not AXE.exists():
        return
    page.add_script_tag(path=str(AXE))
    options = "{runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}"
    result = page.evaluate(f"async () => await axe.run(document, {options})")
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)[:2000]
