"""The web application from the outside: who sees what (default deny), signing in and its
protections, the one error shape, security headers, and the API's figures equal to the
pack's released tables."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from consortia.web.app import SECURITY_HEADERS, create_app
from consortia.web.roles import ACCESS, COMMISSIONING, Role
from consortia.web.site import Site
from tests.unit.web.conftest import FIGURES, password, sign_in


def test_every_route_is_in_the_role_table(client: TestClient) -> None:
    named = {getattr(route, "name", None) for route in client.app.routes}  # type: ignore[attr-defined]
    assert named - set(ACCESS) == set()
    assert set(ACCESS) - named == set()  # and the table names no route that does not exist


def test_a_route_missing_from_the_table_is_refused_to_everyone(site: Site) -> None:
    app = create_app(site)

    @app.get("/api/unlisted", name="unlisted")
    def unlisted() -> dict[str, str]:
        return {"leaked": "yes"}

    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = client.get("/api/unlisted")
        assert answer.status_code == 401
        assert "leaked" not in answer.text
        sign_in(client, Role.ADMINISTRATOR)
        assert client.get("/api/unlisted").status_code == 403


def test_the_public_sees_the_record_and_the_figures_released_to_it(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert "NHS Northborough CCG (99X)" in home.text
    assert "1 of the pack&#39;s 2 figures, published to everyone" in home.text
    for key, value in SECURITY_HEADERS.items():
        assert home.headers[key] == value
    record = client.get("/record/index.html")
    assert record.status_code == 200
    assert "Record intact" in record.text
    assert client.get("/api/record").json()["verified"] is True
    pack = client.get("/pack", follow_redirects=False)
    assert pack.status_code == 200
    assert "Registered patients by practice" in pack.text
    assert "Emergency admissions per 1,000" not in pack.text  # declares no publication
    # The small-number rule, worked by hand: 9,203 → 9,205; 12,400 stays; 6 withheld; 40 stays.
    listed = client.get("/api/figures").json()
    assert [f["id"] for f in listed] == ["list_size"]
    assert "counts of 1 to 7 are withheld" in listed[0]["disclosure"]
    rows = client.get("/api/figures/list_size").json()["data"]
    assert rows == [
        {"practice": "Y00001", "patients": 9205, "observed": None},
        {"practice": "Y00002", "patients": 12400, "observed": 40},
    ]
    assert client.get("/api/figures/admission_rate").status_code == 404
    section = client.get("/sections/section-population-and-need").text
    assert "9,205" in section
    assert "9,203" not in section
    assert "Published under the small-number rule" in section
    assert "withheld under the small-number rule, or not available" in section  # its 6
    assert client.get("/sections/section-activity-and-cost").status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.PUBLIC])
def test_each_role_sees_the_pack_only_if_the_table_says(client: TestClient, role: Role) -> None:
    sign_in(client, role)
    pack = client.get("/pack", headers={"accept": "text/html"})
    assert pack.status_code == 200
    if role in COMMISSIONING:
        assert pack.text == "<!DOCTYPE html><title>pack</title>"
    else:  # the LMC and the Health and Wellbeing Board read what the public reads
        assert "Published under the small-number rule" in pack.text
    # setting the record up is the administrator's, and only as a person of the record: these
    # accounts act as nobody, so every role is refused, on a page for a person
    operator = client.get("/actions/register_person", headers={"accept": "text/html"})
    assert operator.status_code == 403
    assert "Not allowed" in operator.text


def test_the_api_gives_each_figure_as_the_pack_released_it(client: TestClient) -> None:
    sign_in(client, Role.ANALYST)
    listed = client.get("/api/figures").json()
    assert [f["id"] for f in listed] == ["list_size", "admission_rate"]
    assert listed[0]["disclosure"] == ""
    assert listed[1]["confidence"] == 0.95
    assert listed[0]["rows"] == 2
    shown = client.get("/api/figures/list_size").json()
    assert shown["data"] == FIGURES[0].table.to_dict(orient="records")
    assert shown["method"] == "Count of registered patients on 1 April."
    missing = client.get("/api/figures/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["detail"] == "the pack has no figure 'nothing'"


def test_a_section_page_shows_its_figures(client: TestClient) -> None:
    sign_in(client, Role.GP_MEMBER)
    page = client.get("/sections/section-population-and-need")
    assert page.status_code == 200
    assert "Registered patients by practice" in page.text
    assert "9,203" in page.text  # the governing body's release: the count as counted
    assert "Published under the small-number rule" not in page.text
    assert "Count of registered patients on 1 April." in page.text
    assert "Emergency admissions per 1,000" not in page.text  # another section's figure
    assert client.get("/sections/nothing").status_code == 404
    home = client.get("/")
    assert 'href="/sections/section-activity-and-cost"' in home.text


def test_signing_in_is_protected(client: TestClient) -> None:
    form = client.get("/sign-in")
    csrf = client.cookies["consortia-csrf"]
    assert f'value="{csrf}"' in form.text
    assert "httponly" in form.headers["set-cookie"].lower()
    good = {"name": "analyst", "password": password(Role.ANALYST), "next": "/pack"}
    forged = client.post("/sign-in", data={**good, "csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 400
    assert "consortia-session" not in client.cookies
    away = client.post(
        "/sign-in", data={**good, "csrf": csrf, "next": "//evil.example/"}, follow_redirects=False
    )
    assert away.headers["location"] == "/"  # never sent off the site
    session = away.headers["set-cookie"].lower()
    assert "httponly" in session
    assert "samesite=strict" in session
    client.post("/sign-out", data={"csrf": csrf})
    # the session ended on the server: the API reads as the public's again
    assert [f["id"] for f in client.get("/api/figures").json()] == ["list_size"]


def test_guessing_is_refused_after_five_failures(client: TestClient) -> None:
    client.get("/sign-in")
    csrf = client.cookies["consortia-csrf"]
    wrong = {"name": "analyst", "password": "guess", "csrf": csrf}
    for _ in range(5):
        failed = client.post("/sign-in", data=wrong)
        assert failed.status_code == 400
        assert "The name or password is not right" in failed.text
    right = {**wrong, "password": password(Role.ANALYST)}
    blocked = client.post("/sign-in", data=right, headers={"accept": "text/html"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text


def test_an_unknown_page_has_the_one_error_shape(client: TestClient) -> None:
    answer = client.get("/record/nothing.html")
    assert answer.status_code == 404
    assert answer.json()["error"]["title"] == "Not found"
    page = client.get("/no/such/page", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Not found" in page.text


def test_actions_are_offered_only_to_an_account_that_acts_as_a_person(
    client: TestClient,
) -> None:
    sign_in(client, Role.ANALYST)  # an account with no person of the record
    page = client.get("/actions")
    assert "does not act as a person of the governance record" in page.text
    assert client.get("/actions/cast_vote").status_code == 403
    assert client.get("/actions/no_such_action").status_code == 404


def test_an_action_is_refused_by_the_record_and_nothing_is_written(site: Site, record: str) -> None:
    from consortia.web.accounts import Accounts, account

    accounts = Accounts(
        users=[
            account("lee", Role.GP_MEMBER, "lee-password-1", person="dr-lee"),
            account("secretary", Role.ADMINISTRATOR, "sec-password-1", person="dr-patel"),
        ]
    )
    with TestClient(create_app(Site(site.pack, site.record, accounts))) as client:
        client.get("/sign-in")
        csrf = client.cookies["consortia-csrf"]
        client.post("/sign-in", data={"name": "lee", "password": "lee-password-1", "csrf": csrf})
        listed = client.get("/actions").text
        assert "/actions/declare_interest" in listed
        assert "/actions/register_person" not in listed  # setting the record up: administrators
        assert client.get("/actions/register_person").status_code == 403
        before = client.get("/api/record").json()["summary"]
        vote = {"item": "1", "choice": "for", "reason": "my vote", "csrf": csrf}
        refused = client.post("/actions/cast_vote", data=vote, headers={"accept": "text/html"})
        assert refused.status_code == 400
        assert "The record refused this action" in refused.text
        assert "no item 1" in refused.text
        assert client.get("/api/record").json()["summary"] == before  # nothing written
        forged = client.post("/actions/cast_vote", data={**vote, "csrf": "forged"})
        assert forged.status_code == 400
        assert forged.json()["error"]["detail"] == "the form has expired; open it again"
        missing = client.post("/actions/cast_vote", data={"csrf": csrf, "item": "x"})
        assert missing.status_code == 400
        assert 'id="item-error"' in missing.text
        assert 'id="reason-error"' in missing.text


def test_an_api_token_reads_the_api_with_its_role_and_opens_no_page(site: Site) -> None:
    from consortia.web.accounts import Accounts, api_token

    reader, secret = api_token("warehouse", Role.ANALYST)
    board, board_secret = api_token("hwb-portal", Role.HEALTH_AND_WELLBEING_BOARD)
    accounts = Accounts(tokens=[reader, board])
    with TestClient(create_app(Site(site.pack, site.record, accounts))) as client:
        bearer = {"authorization": f"Bearer {secret}"}
        assert client.get("/api/figures", headers=bearer).status_code == 200
        wrong = {"authorization": f"Bearer {secret[:-1]}"}
        assert client.get("/api/figures", headers=wrong).status_code == 401
        public = client.get("/api/figures", headers={"authorization": f"Bearer {board_secret}"})
        assert [f["id"] for f in public.json()] == ["list_size"]  # the public's release
        page = client.get("/pack", headers=bearer, follow_redirects=False)
        assert "Published under the small-number rule" in page.text  # pages: the public's
        assert client.get("/actions", headers=bearer, follow_redirects=False).status_code == 303


def test_a_practice_page_shows_its_rows_of_every_figure_that_compares_practices(
    client: TestClient,
) -> None:
    sign_in(client, Role.MEMBER_PRACTICE)
    listed = client.get("/practices").text
    assert 'href="/practices/Y00002">Castle Street Medical Centre (Y00002)' in listed
    first = client.get("/practices/Y00001").text
    assert "Riverside Surgery (Y00001)" in first
    assert "9,203" in first  # its list
    assert "81.5" in first  # its admission rate
    assert "12,400" not in first  # another practice's list
    second = client.get("/practices/Y00002").text
    assert "12,400" in second
    assert "Emergency admissions per 1,000" not in second  # no row of it for Y00002
    assert client.get("/practices/Z99999").status_code == 404
