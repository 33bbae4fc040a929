"""A site for the web tests: a pack of two hand-made figures (one published to the public), a
governance record built through the public actions, and one account per role (password: the
role's name, reversed)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from consortia.pack.figure import Figure
from consortia.pack.html import sections
from consortia.privacy.publication import Public
from consortia.privacy.release import Audience, released
from consortia.store.session import open_store
from consortia.web.accounts import Accounts, account
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import Pack, RecordPages, Site
from tests.unit.governance.ccg import build

FIGURES = released(
    (
        Figure(
            id="list_size",
            section="Population and need",
            title="Registered patients by practice",
            method="Count of registered patients on 1 April.",
            table=pd.DataFrame(
                {"practice": ["Y00001", "Y00002"], "patients": [9203, 12400], "observed": [6, 40]}
            ),
            public=Public(),  # published to everyone (under the small-number rule)
        ),
        Figure(
            id="admission_rate",
            section="Activity and cost",
            title="Emergency admissions per 1,000",
            method="Wilson 95% limits.",
            table=pd.DataFrame({"practice": ["Y00001"], "rate": [81.5], "lower": [75.1]}),
            confidence=0.95,
        ),
    ),
    Audience.GOVERNING_BODY,
)  # the pack as the commissioning roles read it: released, as every output requires


def password(role: Role) -> str:
    return role.value[::-1] + "-9"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> str:
    database = tmp_path_factory.mktemp("web") / "record.sqlite"
    store = open_store(str(database))
    try:
        build(store)
    finally:
        store.close()
    return str(database)


@pytest.fixture(scope="module")
def site(record: str) -> Site:
    accounts = Accounts(
        users=[account(r.value.replace("_", "-"), r, password(r)) for r in Role if r != Role.PUBLIC]
    )
    pack = Pack(
        "99X",
        "NHS Northborough CCG",
        FIGURES,
        "<!DOCTYPE html><title>pack</title>",
        sections(FIGURES),
        {"Y00001": "Riverside Surgery", "Y00002": "Castle Street Medical Centre"},
    )
    return Site(pack, RecordPages(record), accounts)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site), base_url="http://127.0.0.1") as made:
        yield made


def sign_in(client: TestClient, role: Role) -> None:
    """Sign `client` in with the account of `role`."""
    csrf = client.get("/sign-in").cookies.get("consortia-csrf") or client.cookies["consortia-csrf"]
    name = role.value.replace("_", "-")
    answer = client.post(
        "/sign-in",
        data={"name": name, "password": password(role), "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
