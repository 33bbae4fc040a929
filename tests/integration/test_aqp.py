"""`consortia aqp` on the 12-CCG synthetic lake: each service's activity by provider against
a count read straight from the lake's files, shares that sum to one, providers off the
register named, one-line errors for a bad register, and the same figures from the register a
governance record holds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from consortia.errors import ExitCode
from consortia.store.session import Store, open_store
from tests.integration.test_allocate import ccg_codes
from tests.integration.test_cli import assert_one_line_error, consortia
from tests.unit.governance.ccg import build, constitution, do

REGISTER = """
year = "2014/15"
ccg = "{ccg}"

[[services]]
id = "dermatology"
title = "Dermatology outpatients"
activity = {{ dataset = "op", where = {{ treatment_function = ["330"] }} }}
tariff = 110.0
providers = ["{first}"]
"""


def providers_of(lake: Path) -> list[str]:
    return sorted(pq.read_table(lake / "provider").column("code").to_pylist())


@pytest.fixture(scope="module")
def choice(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("aqp")
    code = ccg_codes(england_lake)[0]
    path = folder / "register.toml"
    path.write_text(REGISTER.format(ccg=code, first=providers_of(england_lake)[0]), "utf-8")
    out = folder / "aqp.json"
    result = consortia(
        "aqp", "--data", str(england_lake), "--register", str(path), "--json", str(out)
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    loaded["stdout"] = result.stdout
    return loaded


def test_activity_by_provider_matches_the_lake(england_lake: Path, choice: dict[str, Any]) -> None:
    code = choice["register"]["ccg"]
    practices = pq.read_table(england_lake / "practice").to_pandas()
    members = set(practices.loc[practices["ccg"] == code, "code"])
    op = pq.read_table(
        england_lake / "op", columns=["practice", "provider", "attended_on", "treatment_function"]
    ).to_pandas()
    day = pd.to_datetime(op["attended_on"])
    chosen = op[
        op["practice"].isin(members)
        & (op["treatment_function"] == "330")
        & (day >= "2014-04-01")
        & (day < "2015-04-01")
    ]
    expected = chosen.groupby("provider").size().to_dict()
    rows = [r for r in choice["providers"] if r["events"] > 0]
    assert {r["provider"]: r["events"] for r in rows} == expected
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    qualified = set(choice["register"]["services"][0]["providers"])
    for row in choice["providers"]:
        assert row["qualified"] == (row["provider"] in qualified)
        assert row["value_at_tariff"] == pytest.approx(110.0 * row["events"])
    off = [r["provider"] for r in rows if not r["qualified"]]
    if off:
        assert "at providers not on the register" in choice["stdout"]
    assert {p["practice"] for p in choice["practices"]} == set(chosen["practice"])


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("tariff = 110.0", "tariff = 0.0", "services.0.tariff"),
        ('treatment_function = ["330"]', 'specialty = ["330"]', "op has no column 'specialty'"),
        ('dataset = "op"', 'dataset = "gp"', "services.0.activity.dataset"),
        ('providers = ["{first}"]', 'providers = ["RZZ"]', "no provider RZZ in the lake"),
        ('ccg = "{ccg}"', 'ccg = "99Z"', "no CCG with code '99Z'"),
        ('year = "2014/15"', "year = 2014", "year"),
        ("tariff = 110.0", "tariff = [", "TOML syntax"),
    ],
)
def test_a_bad_register_is_refused(
    tmp_path: Path, small_lake: Path, old: str, new: str, words: str
) -> None:
    text = REGISTER.replace(old, new, 1).format(
        ccg=ccg_codes(small_lake)[0], first=providers_of(small_lake)[0]
    )
    path = tmp_path / "register.toml"
    path.write_text(text, encoding="utf-8")
    result = consortia("aqp", "--data", str(small_lake), "--register", str(path))
    line = assert_one_line_error(result, ExitCode.DATA)
    assert words in line
    assert str(path) in line


def test_the_example_register_works(england_lake: Path) -> None:
    example = Path(__file__).parents[2] / "docs/examples/aqp-register-2014-15.toml"
    result = consortia("aqp", "--data", str(england_lake), "--register", str(example))
    assert result.returncode == 0, result.stderr
    assert "dermatology — Dermatology outpatients" in result.stdout


def open_dermatology(store: Store) -> None:
    """The register file's service, opened in the record from 1 April 2014."""
    do(
        store,
        "open_aqp_service",
        actor="cfo-jones",
        key="dermatology",
        title="Dermatology outpatients",
        tariff_pence=11_000,
        referral_protocol="GP referral",
        opened_on=date(2014, 4, 1),
        activity={"dataset": "op", "where": {"treatment_function": ["330"]}},
    )


def test_the_record_is_the_register(england_lake: Path, tmp_path: Path) -> None:
    """The register a governance record holds gives the same figures as the same register
    written as a file, and adds the referrals the record holds."""
    code = ccg_codes(england_lake)[0]
    first = providers_of(england_lake)[0]
    database = tmp_path / "record.sqlite"
    store = open_store(str(database))
    try:
        build(store, ccg={**constitution()["ccg"], "code": code})
        do(store, "register_organisation", key="first-provider", name="First provider",
           kind="independent_provider", ods_code=first)  # fmt: skip
        open_dermatology(store)
        do(
            store,
            "qualify_provider",
            actor="cfo-jones",
            service="dermatology",
            provider="first-provider",
            cqc_registration="1-1",
            monitor_licence="IPL-1",
            standard_contract_signed_on=date(2014, 3, 1),
            quality_assured_on=date(2014, 3, 1),
            valid_from=date(2014, 4, 1),
            valid_to=date(2016, 3, 31),
        )
        chosen = ["first-provider"]
        do(store, "refer_to_aqp_service", actor="dr-lee", service="dermatology", practice="Y00001",
           referred_on=date(2014, 6, 1), offered=chosen, chosen=chosen[0])  # fmt: skip
    finally:
        store.close()
    file = tmp_path / "register.toml"
    file.write_text(REGISTER.format(ccg=code, first=first), "utf-8")
    outputs = {}
    for way, arguments in (
        ("file", ("--register", str(file))),
        ("record", ("--record", str(database), "--year", "2014-15")),
    ):
        out = tmp_path / f"{way}.json"
        result = consortia("aqp", "--data", str(england_lake), *arguments, "--json", str(out))
        assert result.returncode == 0, result.stderr
        outputs[way] = json.loads(out.read_text(encoding="utf-8"))
    assert outputs["record"]["providers"] == outputs["file"]["providers"]
    assert outputs["record"]["practices"] == outputs["file"]["practices"]
    assert outputs["record"]["referrals"] == [
        {"service": "dermatology", "provider": first, "referrals": 1}
    ]
    assert "referrals" not in outputs["file"]
    assert "chosen: " + first + " 1" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        (("--year", "2014/15"), ExitCode.USAGE, "give the register as --record"),
        (("--record", "{db}"), ExitCode.USAGE, "--record needs --year"),
        (("--record", "{db}", "--year", "2014"), ExitCode.DATA, "'2014' is not a financial year"),
        (("--record", "{db}", "--year", "2013/14"), ExitCode.DATA, "opens no AQP service by"),
        (
            ("--record", "{db}", "--year", "2014/15"),
            ExitCode.DATA,
            "no provider is qualified for dermatology on any day of 2014/15",
        ),
        (("--record", "{missing}", "--year", "2014/15"), ExitCode.DATA, "no governance record"),
    ],
)
def test_a_record_that_cannot_be_the_register_is_refused(
    small_lake: Path, tmp_path: Path, arguments: tuple[str, ...], code: ExitCode, words: str
) -> None:
    database = tmp_path / "record.sqlite"
    store = open_store(str(database))
    try:
        build(store, ccg={**constitution()["ccg"], "code": ccg_codes(small_lake)[0]})
        open_dermatology(store)
    finally:
        store.close()
    filled = [a.format(db=database, missing=tmp_path / "none.sqlite") for a in arguments]
    result = consortia("aqp", "--data", str(small_lake), *filled)
    line = assert_one_line_error(result, code)
    assert words in line
