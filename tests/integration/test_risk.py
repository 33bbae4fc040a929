"""`consortia risk` as an analyst and a practice meet it: models trained on one year's history
and judged on the next year's admissions of patients held back, saved whole, lists of each
practice's adults at highest risk under pseudonyms, and every refusal one line."""

from __future__ import annotations

import csv
import json
import math
import shutil
import stat
from pathlib import Path
from typing import Any

import duckdb
import pytest

from consortia.errors import ExitCode
from consortia.synth.economy import Request, synthesise
from tests.cli_run import run


@pytest.fixture(scope="module")
def trained(small_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk") / "model"
    truth = small_lake.with_name(small_lake.name + "-truth")
    code, err = run(
        "risk", "train", "--data", str(small_lake), "--out", str(out), "--truth", str(truth)
    )
    assert (code, err) == (0, "")
    return out


def about(model: Path) -> dict[str, Any]:
    return json.loads((model / "evaluation.json").read_text())


def test_the_models_are_judged_on_the_year_after_their_features(trained: Path) -> None:
    found = about(trained)
    assert found["years"] == "features from 2013/14, emergency admissions in 2014/15"
    models = found["models"]
    assert set(models) == {"gradient_boosted", "age_sex", "prior_use"}
    for model in models.values():
        area = model["auroc"]
        assert 0.5 < area["low"] < area["value"] < area["high"] < 1
        assert model["patients"] > 8_000  # three tenths of the lake's registered patients
    chosen = models["gradient_boosted"]
    # What prior use adds to age and sex is the point of a risk model.
    assert chosen["auroc"]["value"] > models["age_sex"]["auroc"]["value"] + 0.01
    assert models["age_sex"]["chosen_auroc_gain"]["low"] > 0  # paired: beyond chance
    assert chosen["chosen_auroc_gain"] is None
    assert 0.8 < chosen["calibration_slope"] < 1.2
    assert abs(chosen["calibration_intercept"]) < 0.2
    # No model beats the true risks, and the chosen one comes close to the best the lake's own
    # data allow.
    truth = found["truth"]
    assert chosen["auroc"]["value"] < truth["truth_auroc"]
    assert chosen["auroc"]["value"] > 0.97 * truth["best_from_lake_auroc"]


def test_lists_hold_more_admitted_patients_the_shorter_they_are(trained: Path) -> None:
    tops = about(trained)["models"]["gradient_boosted"]["top"]
    assert [t["share"] for t in tops] == [0.005, 0.01, 0.02, 0.05]
    ppv = [t["ppv"]["value"] for t in tops]
    captured = [t["admissions_captured"] for t in tops]
    assert ppv[0] > ppv[-1]
    assert captured == sorted(captured)
    for top in tops:  # a list captures a larger share of admissions than of patients
        assert top["admissions_captured"] > top["share"]


def test_each_practice_lists_two_percent_of_its_adults(
    small_lake: Path, trained: Path, tmp_path: Path
) -> None:
    out = tmp_path / "lists.csv"
    assert run(
        "risk", "list", "--data", str(small_lake), "--model", str(trained), "--out", str(out)
    ) == (0, "")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert "nhs_number" not in rows[0]
    by_practice: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_practice.setdefault(row["practice"], []).append(row)
    for listed in by_practice.values():
        adults = int(listed[0]["adults"])
        assert len(listed) == math.ceil(0.02 * adults)
        assert [int(r["risk_rank"]) for r in listed] == list(range(1, len(listed) + 1))
        risks = [float(r["risk"]) for r in listed]
        assert risks == sorted(risks, reverse=True)
        assert all(int(r["age"]) >= 18 for r in listed)
    code, err = run(
        "risk", "list", "--data", str(small_lake), "--model", str(trained), "--out", str(out)
    )
    assert code == ExitCode.USAGE
    assert "never written over" in err


def test_the_saved_evaluation_is_shown_again(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "evaluation.json"
    assert run("risk", "evaluate", "--model", str(trained), "--json", str(out)) == (0, "")
    assert json.loads(out.read_text())["models"] == about(trained)["models"]


def test_a_damaged_or_foreign_model_is_refused(
    trained: Path, tmp_path: Path, small_lake: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(trained, damaged)
    (damaged / "models.skops").write_bytes(b"PK\x03\x04 not a model")
    out = tmp_path / "lists.csv"
    code, err = run(
        "risk", "list", "--data", str(small_lake), "--model", str(damaged), "--out", str(out)
    )
    assert code == ExitCode.DATA
    assert "models.skops" in err
    assert err.count("\n") == 1
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run("risk", "evaluate", "--model", str(empty))
    assert code == ExitCode.USAGE
    assert "not a trained risk model" in err


def test_a_model_is_never_written_over_anything(small_lake: Path, tmp_path: Path) -> None:
    there = tmp_path / "there"
    there.mkdir()
    (there / "kept.txt").write_text("mine")
    code, err = run("risk", "train", "--data", str(small_lake), "--out", str(there))
    assert code == ExitCode.USAGE
    assert "never written over" in err
    assert [p.name for p in there.iterdir()] == ["kept.txt"]


def lake_keeping(tmp_path: Path, admissions: str) -> Path:
    """A small lake whose admissions are only those `admissions` (SQL) keeps."""
    lake = tmp_path / "lake"
    synthesise(Request(out=lake, truth=tmp_path / "truth", workers=1, patients=2_000, seed=3))
    for part in (lake / "apc").glob("*.parquet"):
        kept = part.with_name(part.name + ".new")
        duckdb.sql(f"copy (select * from '{part}' where {admissions}) to '{kept}' (format parquet)")
        kept.rename(part)
    return lake


@pytest.mark.parametrize(
    ("admissions", "words"),
    [
        ("admitted_on >= date '2014-04-01'", "a year of history"),
        ("admitted_on < date '2014-04-01' or method <> 'emergency'", "nobody registered on"),
    ],
)
def test_a_lake_that_cannot_teach_a_model_gives_none(
    tmp_path: Path, admissions: str, words: str
) -> None:
    lake = lake_keeping(tmp_path, admissions)
    code, err = run("risk", "train", "--data", str(lake), "--out", str(tmp_path / "model"))
    assert code == ExitCode.DATA
    assert words in err
    assert err.count("\n") == 1
    assert not (tmp_path / "model").exists()


def test_a_large_lake_is_sampled_by_pseudonym(small_lake: Path) -> None:
    from consortia.engine.backends import connect
    from consortia.engine.lake import Lake
    from consortia.risk.features import DATASETS, SAMPLE_OF
    from consortia.risk.run import frame
    from consortia.risk.years import years_of

    backend = connect("duckdb")
    tables = Lake(small_lake).open(backend, DATASETS)
    on = years_of(backend, tables).reference
    everyone = frame(backend, tables, on, outcome=True)
    sampled = frame(backend, tables, on, outcome=True, most=len(everyone) // 4)
    # about a quarter, each kept for its pseudonym alone: the same rows as everyone's
    assert 0.2 < len(sampled) / len(everyone) < 0.3
    cut = SAMPLE_OF * (len(everyone) // 4) // len(everyone)
    assert (sampled["patient_id"] % SAMPLE_OF < cut).all()
    kept = everyone[everyone["patient_id"] % SAMPLE_OF < cut].reset_index(drop=True)
    assert sampled.reset_index(drop=True).equals(kept)


def test_the_risk_sections_query_reads_the_patients_its_models_read(
    small_lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a lake with more registered patients than the models read, the pack's query behind
    the risk section is the same random sample: its rows are the patients the models were
    trained and judged on, each kept for its pseudonym."""
    import re

    from consortia.analyses.population import registered_on
    from consortia.analyses.scope import Scope
    from consortia.engine.backends import connect
    from consortia.pack.build import open_tables
    from consortia.pack.context import Context
    from consortia.pack.sections import risk as section
    from consortia.risk.features import SAMPLE_OF

    backend = connect("duckdb")
    context = Context(backend, open_tables(backend, small_lake), Scope(), "", None)
    reference = section.years(context).reference
    listed = int(backend.execute(registered_on(context.tables, Scope(), reference).count()))
    monkeypatch.setattr(section, "MOST", listed // 4)
    compared = section.figures(context)[0]
    assert compared.source is not None
    rows = backend.execute(compared.source.expression)
    counts = re.search(r"\(([\d,]+) trained on, ([\d,]+) judged", compared.method)
    assert counts is not None
    trained, judged = (int(n.replace(",", "")) for n in counts.groups())
    assert len(rows) == trained + judged
    assert 0.2 < len(rows) / listed < 0.3
    assert (rows["patient_id"] % SAMPLE_OF < SAMPLE_OF * (listed // 4) // listed).all()


def test_the_models_are_judged_on_another_lake(trained: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    synthesise(
        Request(out=other, truth=tmp_path / "other-truth", workers=1, patients=6_000, seed=4)
    )
    out = tmp_path / "judged.json"
    code, err = run(
        "risk", "evaluate", "--model", str(trained), "--data", str(other),
        "--truth", str(tmp_path / "other-truth"), "--json", str(out),
    )  # fmt: skip
    assert (code, err) == (0, "")
    found = json.loads(out.read_text())
    chosen = found["models"]["gradient_boosted"]
    assert chosen["patients"] > 5_000  # every patient of the other lake, none held back
    assert 0.6 < chosen["auroc"]["value"] < found["truth"]["truth_auroc"]
    assert "best_from_lake_auroc" not in found["truth"]


def test_judging_on_the_training_lake_says_it_flatters(
    trained: Path, small_lake: Path, tmp_path: Path
) -> None:
    code, err = run("risk", "evaluate", "--model", str(trained), "--data", str(small_lake))
    assert code == 0
    assert "trained on this lake" in err
    code, err = run("risk", "evaluate", "--model", str(trained), "--truth", str(tmp_path))
    assert code == ExitCode.USAGE
    assert "--truth goes with --data" in err


def test_a_damaged_evaluation_or_truth_is_one_line(
    trained: Path, small_lake: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(trained, damaged)
    about = json.loads((damaged / "evaluation.json").read_text())
    about["models"]["age_sex"]["auroc"] = "high"
    (damaged / "evaluation.json").write_text(json.dumps(about))
    code, err = run("risk", "evaluate", "--model", str(damaged))
    assert code == ExitCode.DATA
    assert "evaluation is damaged" in err
    assert err.count("\n") == 1
    truth = tmp_path / "truth"
    (truth / "emergency_risk").mkdir(parents=True)
    (truth / "emergency_risk" / "part-0.parquet").write_bytes(b"PAR1 torn")
    code, err = run(
        "risk", "evaluate", "--model", str(trained), "--data", str(small_lake),
        "--truth", str(truth),
    )  # fmt: skip
    assert code == ExitCode.DATA
    assert "ground truth cannot be read" in err
    assert err.count("\n") == 2  # the note that the lake trained the models, and the error
