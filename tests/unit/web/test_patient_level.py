"""Patient-level data on the site: a practice's patients under pseudonyms, read by the CCG's
analysts for every practice and by a member practice's or GP member's account for its own
practice only; every other role refused (default deny); every read and refusal entered in
the access record before anything is served, with no NHS number in it."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from consortia.privacy.access import read
from consortia.store.session import open_store
from consortia.web.accounts import Accounts, account
from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import RecordPages, Site
from tests.ingest_files import GOOD, KEY, SECOND, UNKNOWN, WRONG_CHECK

THIRD = "9000000033"  # 90 + 3×2 = 96, 96 mod 11 = 8, check 3


def pseudonym(number: str) -> int:
    """HMAC-SHA256 of the number under the test key, cut to 63 bits (worked apart)."""
    digest = hmac.new(KEY.secret, number.encode(), "sha256").digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


PSEUDONYMS = {"Y00001": [pseudonym(GOOD), pseudonym(SECOND)], "Y00002": [pseudonym(THIRD)]}
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
    pack = replace(site.pack, patients=PATIENTS)
    return Site(pack, site.record, Accounts(users=users), key=KEY)


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


def send(client: TestClient, practice: str, listed: bytes, csrf: bool = True) -> object:
    token = client.cookies.get("consortia-csrf") or ""
    return client.post(
        f"/practices/{practice}/reidentify",
        data={"csrf": token if csrf else "stale"},
        files={"patients_list": ("list.csv", listed, "text/csv")},
    )


LIST = f"nhs_number,surname\n{GOOD},Smith\n{THIRD},Brown\n{UNKNOWN},Green\n{WRONG_CHECK},White\n"


def test_a_practice_re_identifies_its_own_listed_patients_from_its_own_list(
    client: TestClient, site: Site
) -> None:
    before = len(entries(site.record))
    sign_in(client, "riverside")
    page = client.get("/practices/Y00001/patients").text
    assert 'action="/practices/Y00001/reidentify"' in page  # offered to the practice itself
    answer = send(client, "Y00001", LIST.encode())
    assert answer.status_code == 200  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    # GOOD is listed with Y00001: shown; THIRD is Y00002's; UNKNOWN is nobody's here
    assert "943 476 5919" in text  # GOOD, as NHS numbers are written
    assert "900 000 0033" not in text  # THIRD
    assert "900 000 0017" not in text  # UNKNOWN
    assert "1 of the 3 NHS numbers on your list are patients listed here" in text
    added = entries(site.record)[before:]
    assert [e[:5] for e in added] == [
        ("riverside", "member_practice", "patient-level", "GET /practices/Y00001/patients", "read"),
        ("riverside", "member_practice", "identified",
         "/practices/Y00001/reidentify: re-identification for practice Y00001: 1 of the 3 NHS "
         "numbers on its list matched", "re-identified"),
    ]  # fmt: skip
    every = " ".join(" ".join(e) for e in entries(site.record))
    assert not re.search(r"[0-9](?:[ -]?[0-9]){9}", every)


@pytest.mark.parametrize(
    ("name", "practice"),
    [
        ("analyst", "Y00001"),
        ("dr-castle", "Y00001"),
        ("no-practice", "Y00001"),
        ("board", "Y00001"),
    ],
)
def test_no_one_else_re_identifies(
    client: TestClient, site: Site, name: str, practice: str
) -> None:
    before = len(entries(site.record))
    sign_in(client, name)
    if name == "analyst":  # analysts read the pseudonyms, and are offered no way back
        shown = client.get(f"/practices/{practice}/patients").text
        assert f'action="/practices/{practice}/reidentify"' not in shown
    answer = send(client, practice, LIST.encode())
    assert answer.status_code == 403  # type: ignore[attr-defined]
    assert GOOD not in answer.text  # type: ignore[attr-defined]
    added = entries(site.record)[before:]
    assert [(e[2], e[4]) for e in added][-1:] == [("identified", "refused")]


def test_a_list_that_is_no_list_or_a_stale_form_is_refused(client: TestClient) -> None:
    sign_in(client, "riverside")
    assert send(client, "Y00001", LIST.encode(), csrf=False).status_code == 400  # type: ignore[attr-defined]
    answer = send(client, "Y00001", b"surname\nSmith\n")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "no nhs_number column" in answer.text  # type: ignore[attr-defined]
    assert send(client, "Y00001", b"nhs_number\n\xff\n").status_code == 400  # type: ignore[attr-defined]


def test_a_site_without_the_key_re_identifies_nobody(site: Site) -> None:
    keyless = Site(site.pack, site.record, site.accounts)
    with TestClient(create_app(keyless), base_url="http://127.0.0.1") as client:
        sign_in(client, "riverside")
        shown = client.get("/practices/Y00001/patients").text
        assert 'action="/practices/Y00001/reidentify"' not in shown
        assert send(client, "Y00001", LIST.encode()).status_code == 409  # type: ignore[attr-defined]


RISK_LISTS = pd.DataFrame(
    [
        {"practice": code, "risk_rank": rank, "patient_id": pid, "risk": 0.5 / rank, "sex": "F",
         "age": 80, "deprivation_decile": 2, "conditions": 3, "emergency_admissions": 2,
         "ae_attendances": 1, "cost": 1000.0}
        for code, ids in PSEUDONYMS.items()
        for rank, pid in enumerate(ids, start=1)
    ]
)  # fmt: skip


def test_with_a_risk_model_a_practice_reads_its_own_case_management_list(site: Site) -> None:
    pack = replace(site.pack, patients=RISK_LISTS, risk_on=date(2015, 4, 1))
    risky = Site(pack, site.record, site.accounts, key=KEY)
    with TestClient(create_app(risky), base_url="http://127.0.0.1") as client:
        sign_in(client, "riverside")
        page = client.get("/practices/Y00001/patients").text
        assert "case-management list" in page
        assert "registered on 1 April 2015" in page
        assert "Predicted risk" in page
        assert "50.0%" in page
        assert str(pseudonym(THIRD)) not in page  # Y00002's patient
        assert client.get("/practices/Y00002/patients").status_code == 403
        # re-identification matches the practice's own list against its case-management list
        text = send(client, "Y00001", LIST.encode()).text  # type: ignore[attr-defined]
        assert "943 476 5919" in text
        assert "900 000 0033" not in text
