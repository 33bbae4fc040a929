"""The web application served by a real server (uvicorn on loopback) and read in real
Chromium: the overview and the sign-in page in the NHS design system with no accessibility
violation; an analyst signs in and the pack's charts are drawn; a Local Medical Committee
account is refused a page its role may not see and reads the pack as the public does (the
small-number rule, charts drawn); the published record opens for everyone; and a meeting run in
the browser through the audited actions — a member declares an interest, the chair rules him
out of the item, his vote is refused naming the rule, the others' votes are counted.
Screenshots to build/screenshots/web-*.png."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import uvicorn

from consortia.pack.html import sections
from consortia.store.session import open_store
from consortia.web.accounts import Accounts, account
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import Pack, RecordPages, Site
from tests.ingest_files import GOOD, KEY, SECOND, UNKNOWN
from tests.ui.conftest import SCREENSHOTS, Emailed, assert_accessible
from tests.unit.governance.ccg import build, item, meeting

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
        number = meeting(store, "pccc", "lay-okafor", ["lay-brown", "ao-smith", "cfo-jones"])
        item(store, number, "lay-okafor", "enhanced_services", affects=["acme-health"])
    finally:
        store.close()
    figures = emailed_pack.pack.figures
    page = emailed_pack.pack.html.read_text("utf-8")
    lists = next(f for f in figures if f.id == "practice_lists").table
    named = {str(code): f"Practice {code}" for code in lists["practice"]}
    first = min(named)
    patients = pd.DataFrame(
        [
            {"practice": first, "rank": rank, "patient_id": KEY.pseudonym(number), "sex": sex,
             "age": age, "deprivation_decile": 2, "emergency_admissions": 5 - rank,
             "elective_admissions": 1, "ae_attendances": 3, "outpatient_attendances": 4,
             "cost": 9000.0 / rank}
            for rank, (number, sex, age) in enumerate(
                [(GOOD, "F", 84), (SECOND, "M", 79), (UNKNOWN, "F", 91)], start=1
            )
        ]
    )  # fmt: skip
    pack = Pack("00A", "NHS Test CCG", figures, page, sections(figures), named, patients)
    accounts = Accounts(
        users=[
            account("practice", Role.MEMBER_PRACTICE, "practice-password", practice=first),
            account("analyst", Role.ANALYST, "analyst-password"),
            account("lmc-secretary", Role.LMC, "lmc-password"),
            account("okafor", Role.CHAIR, "chair-password", person="lay-okafor"),
            account("smith", Role.GOVERNING_BODY_MEMBER, "smith-password", person="ao-smith"),
            account("jones", Role.GOVERNING_BODY_MEMBER, "jones-password", person="cfo-jones"),
        ]
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(Site(pack, RecordPages(str(database)), accounts, key=KEY)),
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
    assert "published to everyone under the small-number rule" in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / "web-overview.png")
    assert_accessible(page)
    page.goto(served + "/actions")  # not signed in: sent to sign in, and back after
    assert page.url == f"{served}/sign-in?next=/actions"
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


def test_a_practice_page_reads_well(browser: Any, served: str) -> None:
    context, page, errors = open_page(browser)
    sign_in(page, served, "analyst", "analyst-password", "/practices")
    page.locator("main a").first.click()
    assert page.locator("h1").inner_text().endswith(")")
    assert page.locator("table.pack-data").count() >= 5  # lists, prevalence, variation…
    page.screenshot(path=SCREENSHOTS / "web-practice.png", full_page=False)
    assert_accessible(page)
    assert errors == []
    context.close()


def test_the_public_reads_figures_under_the_small_number_rule(browser: Any, served: str) -> None:
    context, page, errors = open_page(browser)
    page.goto(served + "/")
    page.click("main >> text=Population and need")
    page.wait_for_selector("html[data-charts=drawn], html[data-charts=failed]", state="attached")
    assert page.locator("html").get_attribute("data-charts") == "drawn"
    assert page.locator(".pack-chart__image svg").count() == page.locator(".pack-chart").count()
    assert page.locator(".pack-disclosure").count() == page.locator(".pack-figure").count()
    shown = page.locator("main").inner_text()
    assert "counts of 1 to 7 are withheld" in shown
    page.screenshot(path=SCREENSHOTS / "web-public-section.png", full_page=False)
    assert_accessible(page)
    assert errors == []
    context.close()


def test_a_role_is_refused_a_page_it_may_not_see(browser: Any, served: str) -> None:
    context, page, _ = open_page(browser)
    sign_in(page, served, "lmc-secretary", "lmc-password", "/actions/register_person")
    assert page.locator("h1").inner_text() == "Not allowed"
    assert "may not register_person" in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / "web-refused.png")
    page.goto(served + "/pack")  # the LMC reads the pack as the public does
    assert "Published under the small-number rule" in page.locator("body").inner_text()
    page.goto(served + "/record/index.html")  # the published record is everyone's
    assert page.locator("h1").inner_text() == "Governance record"
    context.close()


def act(page: Any, base: str, action: str, fields: dict[str, str], why: str) -> str:
    """Fill the action's form (selects by value, others by text) and send it; the page's
    heading afterwards ("Recorded", or the form again when refused)."""
    page.goto(f"{base}/actions/{action}")
    for name, value in fields.items():
        if page.locator(f"select#{name}").count():
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)
    page.fill("#reason", why)
    page.click("button[type=submit]")
    return str(page.locator("h1").first.inner_text())


def signed_in(browser: Any, base: str, name: str, password: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, name, password, "/actions")
    return context, page


def test_a_meeting_is_run_in_the_browser(browser: Any, served: str) -> None:
    member_context, member = signed_in(browser, served, "smith", "smith-password")
    chair_context, chair = signed_in(browser, served, "okafor", "chair-password")
    other_context, other = signed_in(browser, served, "jones", "jones-password")
    # The member declares his interest in the provider the item affects.
    declared = act(member, served, "declare_interest", {
        "type": "financial", "description": "Shares in Acme Health", "organisation": "acme-health",
        "starts": "2016-01-01", "aware_on": "2017-04-01", "declared_on": "2017-04-02",
    }, "My interest in a provider")  # fmt: skip
    assert declared.startswith("Recorded")
    # A form sent without a required argument shows the error beside its field.
    assert act(chair, served, "rule_on_conflict", {"item": "1"}, "no ruling given") != "Recorded"
    assert chair.locator("#ruling-error").count() == 1
    chair.screenshot(path=SCREENSHOTS / "web-action-error.png", full_page=True)
    assert_accessible(chair)
    # The chair takes declarations (the register's entry is raised), rules, calls the vote.
    assert act(chair, served, "take_declarations", {"item": "1"}, "Declarations").startswith(
        "Recorded"
    )
    ruling = {"item": "1", "person": "ao-smith", "ruling": "leave_item"}
    ruled = act(chair, served, "rule_on_conflict", ruling, "A shareholder")
    assert ruled.startswith("Recorded")
    # Only the item's chair may rule: the member's attempt is refused, naming the rule.
    act(member, served, "rule_on_conflict",
        {"item": "1", "person": "ao-smith", "ruling": "none"}, "I may vote")  # fmt: skip
    assert (
        "rule_on_conflict is for the item's chair"
        in member.locator(".nhsuk-error-summary").inner_text()
    )
    assert act(chair, served, "call_vote", {"item": "1"}, "To the vote").startswith("Recorded")
    # The member ruled out of the item is refused a vote, and told which rule refused it.
    act(member, served, "cast_vote", {"item": "1", "choice": "for"}, "My vote")
    refusal = member.locator(".nhsuk-error-summary").inner_text()
    assert "The record refused this action" in refusal
    assert "conflict of interest" in refusal
    member.screenshot(path=SCREENSHOTS / "web-vote-refused.png", full_page=True)
    # The others vote; the chair closes the item and the votes are counted.
    assert act(other, served, "cast_vote", {"item": "1", "choice": "for"}, "Vote").startswith(
        "Recorded"
    )
    assert act(chair, served, "cast_vote", {"item": "1", "choice": "against"}, "Vote").startswith(
        "Recorded"
    )
    assert act(chair, served, "close_item", {"item": "1"}, "Count").startswith("Recorded")
    counted = chair.locator(".nhsuk-summary-list").inner_text()
    assert "For\t1" in counted or "For\n1" in counted
    assert "Against\t1" in counted or "Against\n1" in counted
    chair.screenshot(path=SCREENSHOTS / "web-item-closed.png", full_page=True)
    # The published minutes show the ruling and the result, from the verified record.
    chair.goto(served + "/record/meetings/1.html")
    minutes = chair.locator("main").inner_text()
    assert "Shares in Acme Health" in minutes
    for context in (member_context, chair_context, other_context):
        context.close()


def test_a_practice_reads_its_patients_and_re_identifies_them_from_its_list(
    browser: Any, served: str, tmp_path: Any
) -> None:
    context, page, errors = open_page(browser)
    sign_in(page, served, "practice", "practice-password", "/practices")
    page.goto(served + "/practices")
    practice = page.locator("main li a").first.get_attribute("href")
    assert practice is not None
    page_practice = practice.rsplit("/", 1)[-1]
    page.goto(served + practice)
    page.click(f"a[href='{practice}/patients']")
    assert page.locator("h1").inner_text().endswith(f"({page_practice})")
    assert "entered in the access record" in page.locator("main").inner_text()
    assert page.locator("table.pack-data tbody tr").count() == 3
    page.screenshot(path=SCREENSHOTS / "web-practice-patients.png", full_page=True)
    assert_accessible(page)
    listed = tmp_path / "our-list.csv"
    listed.write_text(f"nhs_number,surname\n{GOOD},Smith\n{SECOND},Jones\n9000000033,Brown\n")
    page.set_input_files("#patients-list", str(listed))
    page.click("form.pack-reidentify button[type=submit]")
    main = page.locator("main").inner_text()
    assert "2 of the 3 NHS numbers on your list are patients listed here" in main
    assert "943 476 5919" in main  # GOOD, as NHS numbers are written
    assert "900 000 0009" in main  # SECOND
    assert "900 000 0017" not in main  # UNKNOWN: listed here, not on the list sent
    page.screenshot(path=SCREENSHOTS / "web-practice-reidentified.png", full_page=True)
    assert_accessible(page)
    assert errors == []
    context.close()
