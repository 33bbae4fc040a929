"""The site notes in the access record every read of sensitive data, before serving it, and
every refusal; a read it cannot record is not served; nothing that looks like an NHS number is
ever written to the record."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from consortia.privacy.access import read
from consortia.store.session import open_store
from consortia.web.accounts import Accounts
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import RecordPages, Site
from tests.unit.web.conftest import sign_in

NHS_LIKE = re.compile(r"[0-9](?:[ -]?[0-9]){9}")


def _entries(record: str) -> list[tuple[str, str, str, str, str]]:
    store = open_store(record, migrate_schema=False)
    try:
        return [(e.who, e.role, e.data, e.what, e.decision) for e in read(store)]
    finally:
        store.close()


def test_every_read_of_sensitive_data_and_every_refusal_is_recorded(
    site: Site, record: str
) -> None:
    before = len(_entries(record))
    with TestClient(create_app(site), base_url="http://127.0.0.1") as client:
        assert client.get("/practices/Y00001").status_code == 200  # the public's release
        sign_in(client, Role.ANALYST)
        assert client.get("/practices/Y00001").status_code == 200
        assert client.get("/api/figures/admission_rate").status_code == 200
    with TestClient(create_app(site), base_url="http://127.0.0.1") as client:
        sign_in(client, Role.LMC)
        assert client.get("/actions/register_person").status_code == 403
        assert client.get("/practices/Y00001").status_code == 200  # the public's release
    with TestClient(create_app(site), base_url="http://127.0.0.1") as client:
        wrong = {"authorization": "Bearer not-a-token"}
        assert client.get("/api/figures", headers=wrong).status_code == 401
    added = _entries(record)[before:]
    assert added == [
        ("analyst", "analyst", "small-area", "GET /practices/Y00001", "read"),
        ("analyst", "analyst", "small-area", "GET /api/figures/admission_rate", "read"),
        ("lmc", "lmc", "-", "GET /actions/register_person", "refused"),
        ("public", "public", "-", "GET /api/figures", "refused"),
    ]


def test_the_record_never_holds_what_looks_like_an_nhs_number(site: Site, record: str) -> None:
    with TestClient(create_app(site), base_url="http://127.0.0.1") as client:
        sign_in(client, Role.ANALYST)
        for path in (
            "/practices/9434765919",
            "/sections/943%20476%205919",
            "/api/figures/94347659190",
        ):
            client.get(path)
        client.get("/api/figures", headers={"authorization": "Bearer 9434765919"})
    for entry in _entries(record):
        for value in entry:
            assert not NHS_LIKE.search(value), entry


def test_a_site_that_cannot_record_a_read_does_not_serve_it(site: Site) -> None:
    unrecorded = Site(site.pack, RecordPages(None), site.accounts)
    with TestClient(create_app(unrecorded), base_url="http://127.0.0.1") as client:
        assert client.get("/practices/Y00001").status_code == 200  # the public's: not sensitive
        sign_in(client, Role.ANALYST)
        refused = client.get("/api/figures/admission_rate")
        assert refused.status_code == 503
        assert "access record" in refused.json()["error"]["detail"]
        assert client.get("/practices/Y00001").status_code == 503


@pytest.mark.parametrize("accounts", [Accounts()])
def test_a_site_without_sign_in_needs_no_record(site: Site, accounts: Accounts) -> None:
    public_only = Site(site.pack, RecordPages(None), accounts)
    with TestClient(create_app(public_only), base_url="http://127.0.0.1") as client:
        assert client.get("/pack").status_code == 200
        assert client.get("/api/figures/list_size").status_code == 200


def test_the_record_is_read_back_with_consortia_gov_access(site: Site, record: str) -> None:
    from consortia.governance.record import access_record
    from tests.cli_run import run

    with TestClient(create_app(site), base_url="http://127.0.0.1") as client:
        sign_in(client, Role.GOVERNING_BODY_MEMBER)
        client.get("/sections/section-population-and-need")
    [last] = access_record(record, 1)
    assert (last["who"], last["role"], last["decision"]) == (
        "governing-body-member",
        "governing_body_member",
        "read",
    )
    assert run("gov", "access", "--db", record, "--last", "2")[0] == 0
    code, err = run("gov", "access", "--db", record + ".absent")
    assert code == 3
    assert "no governance record" in err
