"""The whole path: the generator's extracts, quirks and planted faults included, ingested into
an empty lake, rebuild the generator's lake — the same records (pseudonyms aside, which ingest
makes with its key) and the same pack, figure for figure — and the faults, and only they, are
quarantined where the generator planted them."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from consortia.engine.backends import connect
from consortia.ingest import ledger
from consortia.pack.build import build
from consortia.schema.datasets import DATASETS
from consortia.synth.extracts import write_extracts
from tests.cli_run import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rebuilt(small_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(extracts folder, the lake ingest made of it)."""
    root = tmp_path_factory.mktemp("rebuild")
    extracts = root / "extracts"
    write_extracts(small_lake, extracts, seed=7)
    key = root / "pseudonyms.key"
    assert run("new-key", "--out", str(key))[0] == 0
    lake = root / "lake"
    code, err = run("ingest", str(extracts), "--into", str(lake), "--key", str(key))
    assert code == 0, err
    return extracts, lake


def _rows(lake: Path, name: str) -> Counter[tuple[object, ...]]:
    """A dataset's records without the pseudonym, counted (a multiset)."""
    columns = [c for c in DATASETS[name].column_names if c != "patient_id"]
    listed = ", ".join(f'"{c}"' for c in columns)
    rows = duckdb.sql(f"SELECT {listed} FROM read_parquet('{lake}/{name}/*.parquet')").fetchall()
    return Counter(rows)


@pytest.mark.parametrize("name", list(DATASETS))
def test_ingest_rebuilds_every_dataset(
    name: str, small_lake: Path, rebuilt: tuple[Path, Path]
) -> None:
    assert _rows(rebuilt[1], name) == _rows(small_lake, name)


def test_a_persons_records_join_up_as_in_the_generators_lake(
    small_lake: Path, rebuilt: tuple[Path, Path]
) -> None:
    """The pseudonyms differ, but who had which record does not: per person, the same number
    of spells, appointments and attendances."""

    def per_person(lake: Path) -> Counter[tuple[int, int, int]]:
        query = f"""
            SELECT
              (SELECT count(*) FROM read_parquet('{lake}/apc/*.parquet') a
                 WHERE a.patient_id = p.patient_id),
              (SELECT count(*) FROM read_parquet('{lake}/op/*.parquet') o
                 WHERE o.patient_id = p.patient_id),
              (SELECT count(*) FROM read_parquet('{lake}/ae/*.parquet') e
                 WHERE e.patient_id = p.patient_id)
            FROM read_parquet('{lake}/patient/*.parquet') p"""
        return Counter(duckdb.sql(query).fetchall())

    assert per_person(rebuilt[1]) == per_person(small_lake)


def test_the_planted_faults_and_only_they_are_quarantined(rebuilt: tuple[Path, Path]) -> None:
    extracts, lake = rebuilt
    manifest = json.loads((extracts / "extracts.json").read_text())
    planted = {(f["name"], j["line"], j["field"]) for f in manifest["files"] for j in f["junk"]}
    assert planted, "the generator planted no faults in this lake"
    found = set()
    for report in (lake / ledger.FOLDER / ledger.QUARANTINE).glob("*.csv"):
        with report.open(encoding="utf-8", newline="") as file:
            for record in csv.DictReader(file):
                found.add((record["file"], int(record["line"]), record["field"]))
    # ingest names the column a fault is found in; the pseudonym stands for the NHS number
    found = {(f, line, "nhs_number" if c == "patient_id" else c) for f, line, c in found}
    assert found == planted


def test_the_pack_of_the_ingested_lake_is_the_generators(
    small_lake: Path, rebuilt: tuple[Path, Path], tmp_path: Path
) -> None:
    """Every figure's words and table the same; numbers to 1e-9 (sums over records stored in
    another order differ in their last bits), so neither the table's hash nor its SQL, which
    names the lake's folder, is compared. The risk models' figures are the exception: the
    patients they are judged on are held back at random in pseudonym order, and pseudonyms
    under the ingest key are not the generator's, so they are another draw from the same
    patients: the same models, each AUROC within its own interval's width."""
    packs = []
    for name, lake in (("generated", small_lake), ("ingested", rebuilt[1])):
        build(connect("duckdb"), lake, tmp_path / name, cache=tmp_path / f"{name}-cache")
        document = json.loads((tmp_path / name / "pack.json").read_text())
        for figure in document["figures"]:
            figure.pop("source_sql", None)
            figure.pop("sha256", None)
        tables = {p.name: pd.read_csv(p) for p in sorted((tmp_path / name / "tables").iterdir())}
        packs.append((document, tables))
    (generated, generated_tables), (ingested, ingested_tables) = packs
    assert len(generated["figures"]) > 30
    drawn = [risk_figures(generated), risk_figures(ingested)]
    assert [f["id"] for f in drawn[0]] == [f["id"] for f in drawn[1]] == RISK
    assert ingested == generated
    assert sorted(ingested_tables) == sorted(generated_tables)
    for name, table in generated_tables.items():
        if name.removesuffix(".csv") in RISK:
            continue
        pd.testing.assert_frame_equal(ingested_tables[name], table, check_exact=False, rtol=1e-9)
    models = [generated_tables["risk_models.csv"], ingested_tables["risk_models.csv"]]
    assert list(models[0]["model"]) == list(models[1]["model"])
    width = (models[0]["auroc_upper"] - models[0]["auroc_lower"]).to_numpy()
    assert (abs(models[0]["auroc"] - models[1]["auroc"]).to_numpy() < width).all()


RISK = ["risk_models", "risk_lists", "risk_calibration"]


def risk_figures(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The risk figures, taken out of the pack's document (their words name the patients
    they were trained on and judged on, which differ with the draw)."""
    found = [f for f in document["figures"] if f["id"] in RISK]
    document["figures"] = [f for f in document["figures"] if f["id"] not in RISK]
    return found
