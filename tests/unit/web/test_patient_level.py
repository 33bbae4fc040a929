"""Patient-level data on the site: a practice's patients under pseudonyms, read by the CCG's
analysts for every practice and by a member practice's or GP member's account for its own
practice only; every other role refused (default deny); every read and refusal entered in
the access record before anything is served, with no NHS number in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from consortia.privacy.access import read
from consortia.store.session import open_store
from consortia.web.accounts import Accounts, account
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import RecordPages, Site

PSEUDONYMS = {"Y00001": [4611686018427387903, 12345], "Y00002": [777]}
PATIENTS = pd.DataFrame(
    [
        {"practice": code, "rank": rank, "patient_id": pid, "sex": "F", "age": 80,
         "deprivation_decile": 2, "emergency_admissions": 5 - rank, "elective_admissions": 0,
         "ae_attendances": 1, "outpatient_attendances": 2, "cost": 1000.0 * rank}
        for code, ids in PSEUDONYMS.items()
        for rank, pid in enumerate(ids, start=1)
    ]
)  # fmt: skip
ACCOUNTS = {
    "analyst": (Role.ANALYST, None),
    "riverside": (Role.MEMBER_PRACTICE, "Y00001"),
    "dr-castle": (Role.GP_MEMBER, "Y00002"),
    "no-practice": (Role.MEMBER_PRACTICE, None),
    "board": (Role.GOVERNING_BODY_MEMBER, None),
}


@pytest.fixture(scope="module")
def site(site: Site) -> Site:
    """The web tests' site, with patient-level data and accounts that name their practice."""
    users = [
        account(name, role, f"{name}-pass-9").model_copy(update={"practice": practice})
        for name, (role, practice) in ACCOUNTS.items()
    ]
    return Site(replace(site.pack, patients=PATIENTS), site.record, Accounts(users=users))


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site), base_url="http://127.0.0.1") as made:
        yield made


def sign_in(client: TestClient, name: str) -> None:
    csrf = client.get("/sign-in").cookies.get("consortia-csrf") or client.cookies["consortia-csrf"]
    answer = client.post(
        "/sign-in",
        data={"name": name, "password": f"{name}-pass-9", "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def entries(record: RecordPages) -> list[tuple[str, str, str, str, str, str]]:
    store = open_store(str(record.db), migrate_schema=False)
    try:
        return [(e.who, e.role, e.data, e.what, e.decision, e.reason) for e in read(store)]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("name", "practice", "status"),
    [
        ("analyst", "Y00001", 200),  # analysts: every practice, pseudonymised
        ("analyst", "Y00002", 200),
        ("riverside", "Y00001", 200),  # a practice: its own patients
        ("riverside", "Y00002", 403),  # and no other practice's
        ("dr-castle", "Y00002", 200),
        ("dr-castle", "Y00001", 403),
        ("no-practice", "Y00001", 403),  # an account naming no practice reads none
        ("board", "Y00001", 403),  # the governing body reads aggregates only
    ],
)
def test_who_reads_which_practices_patients(
    client: TestClient, site: Site, name: str, practice: str, status: int
) -> None:
    before = len(entries(site.record))
    sign_in(client, name)
    answer = client.get(f"/practices/{practice}/patients")
    assert answer.status_code == status
    shown = [str(p) for p in PSEUDONYMS[practice]]
    if status == 200:
        assert all(p in answer.text for p in shown)
        others = [str(p) for code, ids in PSEUDONYMS.items() if code != practice for p in ids]
        assert not any(p in answer.text for p in others)  # one practice's patients only
    else:
        assert not any(p in answer.text for p in shown)
    added = entries(site.record)[before:]
    role = ACCOUNTS[name][0].value
    decision = "read" if status == 200 else "refused"
    assert [entry[:5] for entry in added] == [
        (name, role, "patient-level", f"GET /practices/{practice}/patients", decision)
    ]


def test_the_public_is_asked_to_sign_in_and_nothing_is_shown(client: TestClient) -> None:
    answer = client.get("/practices/Y00001/patients", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


def test_the_practice_page_links_its_patients_only_for_those_who_may_read_them(
    client: TestClient,
) -> None:
    link = 'href="/practices/Y00001/patients"'
    assert link not in client.get("/practices/Y00001").text  # the public
    sign_in(client, "riverside")
    assert link in client.get("/practices/Y00001").text
    assert 'href="/practices/Y00002/patients"' not in client.get("/practices/Y00002").text


def test_an_unknown_practice_is_not_found(client: TestClient) -> None:
    sign_in(client, "analyst")
    assert client.get("/practices/Z99999/patients").status_code == 404
