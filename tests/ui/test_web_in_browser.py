"""The web application served by a real server (uvicorn on loopback) and read in real
Chromium: the overview and the sign-in page in the NHS design system with no accessibility
violation; an analyst signs in and the pack's charts are drawn; a Local Medical Committee
account is refused the pack; the published record opens for everyone. Screenshots to
build/screenshots/web-*.png."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from consortia.pack.html import sections
from consortia.store.session import open_store
from consortia.web.accounts import Accounts, account
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import Pack, RecordPages, Site
from tests.ui.conftest import SCREENSHOTS, Emailed, assert_accessible
from tests.unit.governance.ccg import build

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(emailed_pack: Emailed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The small lake's pack and a governance record, served on a free loopback port."""
    database = tmp_path_factory.mktemp("web") / "record.sqlite"
    store = open_store(str(database))
    try:
        build(store)
    finally:
        store.close()
    figures = emailed_pack.pack.figures
    page = emailed_pack.pack.html.read_text("utf-8")
    pack = Pack("00A", "NHS Test CCG", figures, page, sections(figures))
    accounts = Accounts(
        users=[
            account("analyst", Role.ANALYST, "analyst-password"),
            account("lmc-secretary", Role.LMC, "lmc-password"),
        ]
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(Site(pack, RecordPages(str(database)), accounts)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def open_page(browser: Any) -> tuple[Any, Any, list[str]]:
    """A new context and page, recording script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def sign_in(page: Any, base: str, name: str, password: str, then: str) -> None:
    page.goto(f"{base}/sign-in?next={then}")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_the_overview_and_sign_in_read_well(browser: Any, served: str) -> None:
    context, page, errors = open_page(browser)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(served + "/")
    assert page.locator("h1").inner_text().endswith("Commissioning overview")
    assert "Sign in to see them" in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / "web-overview.png")
    assert_accessible(page)
    page.goto(served + "/pack")  # not signed in: sent to sign in, and back after
    assert page.url == f"{served}/sign-in?next=/pack"
    page.fill("#name", "analyst")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "The name or password is not right" in page.locator(".nhsuk-error-summary").inner_text()
    page.screenshot(path=SCREENSHOTS / "web-sign-in-refused.png")
    assert_accessible(page)
    assert errors == []
    context.close()


def test_an_analyst_sees_the_pack_with_its_charts_drawn(browser: Any, served: str) -> None:
    context, page, errors = open_page(browser)
    sign_in(page, served, "analyst", "analyst-password", "/pack")
    assert page.url == f"{served}/pack"
    page.wait_for_selector("html[data-charts=drawn], html[data-charts=failed]", state="attached")
    assert page.locator("html").get_attribute("data-charts") == "drawn"
    assert page.locator(".pack-chart__image svg").count() > 10
    page.screenshot(path=SCREENSHOTS / "web-pack.png")
    page.goto(served + "/")
    assert "analyst (analyst)" in page.locator("header").inner_text()
    page.click("text=Sign out")
    assert "Sign in" in page.locator("header").inner_text()
    assert errors == []
    context.close()


def test_a_section_page_draws_its_charts_and_reads_well(browser: Any, served: str) -> None:
    context, page, errors = open_page(browser)
    sign_in(page, served, "analyst", "analyst-password", "/")
    page.click("main >> text=Trends")
    assert page.url == f"{served}/sections/section-trends"
    page.wait_for_selector("html[data-charts=drawn], html[data-charts=failed]", state="attached")
    assert page.locator("html").get_attribute("data-charts") == "drawn"
    assert page.locator("h1").inner_text().endswith("Trends")
    assert page.locator(".pack-icons").count() > 0  # the SPC charts' Making Data Count icons
    assert page.locator(".pack-chart__image svg").count() == page.locator(".pack-chart").count()
    page.screenshot(path=SCREENSHOTS / "web-section.png", full_page=False)
    assert_accessible(page)
    assert errors == []
    context.close()


def test_a_role_the_pack_is_not_for_is_refused(browser: Any, served: str) -> None:
    context, page, _ = open_page(browser)
    sign_in(page, served, "lmc-secretary", "lmc-password", "/pack")
    assert page.locator("h1").inner_text() == "Not allowed"
    assert "The role Local Medical Committee may not see this" in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / "web-refused.png")
    page.goto(served + "/record/index.html")  # the published record is everyone's
    assert page.locator("h1").inner_text() == "Governance record"
    context.close()
