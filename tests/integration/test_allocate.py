"""`consortia allocate` end to end on a 12-CCG synthetic lake: the invariants an allocation
must keep, the result recomputed from its JSON alone, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from consortia.errors import ExitCode
from consortia.finance.parameters import shipped_years
from tests.integration.test_cli import assert_one_line_error, consortia

SHIPPED = Path(__file__).parents[2] / "src/consortia/finance/years/allocation-2014-15.toml"


def ccg_codes(lake: Path) -> list[str]:
    return sorted(pq.read_table(lake / "ccg").column("code").to_pylist())


def allocate_to_json(lake: Path, folder: Path, *options: str) -> dict[str, Any]:
    out = folder / "allocation.json"
    result = consortia(
        "allocate", "--data", str(lake), "--year", "2014/15", "--json", str(out), *options
    )
    assert result.returncode == 0, result.stderr
    assert "envelope £" in result.stdout
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def allocation(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The 2014/15 allocation with cost indices that differ by CCG (the first CCG's market
    forces 1.2, every other's 1.0 and 1.1 in turn; ambulance 1.05 for the second)."""
    folder = tmp_path_factory.mktemp("allocate")
    indices = folder / "indices.csv"
    rows = ["ccg,market_forces,emergency_ambulance"]
    for number, code in enumerate(ccg_codes(england_lake)):
        forces = 1.2 if number == 0 else (1.0, 1.1)[number % 2]
        rows.append(f"{code},{forces},{1.05 if number == 1 else 1.0}")
    indices.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return allocate_to_json(england_lake, folder, "--cost-indices", str(indices))


def test_weighted_populations_sum_to_the_population(allocation: dict[str, Any]) -> None:
    practices = allocation["practices"]
    population = sum(p["population"] for p in practices)
    names = [c["name"] for c in allocation["parameters"]["components"]]
    columns = ["inequalities_weighted", "weighted_population"]
    columns += [f"{kind}_{name}" for name in names for kind in ("need", "weighted")]
    for column in columns:
        assert sum(p[column] for p in practices) == pytest.approx(population, rel=1e-9), column


def test_targets_and_allocations_spend_the_envelope(allocation: dict[str, Any]) -> None:
    p = allocation["parameters"]
    ccgs = allocation["ccgs"]
    envelope = allocation["envelope"]
    assert envelope == pytest.approx(
        sum(c["baseline"] for c in ccgs) * (1 + p["envelope_growth"]), rel=1e-12
    )
    assert sum(c["target"] for c in ccgs) == pytest.approx(envelope, rel=1e-9)
    assert sum(c["allocation"] for c in ccgs) == pytest.approx(envelope, rel=1e-9)
    for c in ccgs:
        assert p["minimum_growth"] - 1e-9 <= c["growth"] <= p["maximum_growth"] + 1e-9


def test_recomputed_from_the_json_alone(allocation: dict[str, Any]) -> None:
    """Targets from the practices' weighted populations, component shares and cost indices;
    allocations from the baselines, limits and the common fraction of target."""
    p = allocation["parameters"]
    shares = allocation["component_shares"]
    adjusted: dict[str, float] = {}
    for row in allocation["practices"]:
        value = 0.0
        for component in p["components"]:
            factor = float(np.prod([row[index] for index in component["cost_indices"]]))
            value += shares[component["name"]] * row[f"weighted_{component['name']}"] * factor
        adjusted[row["ccg"]] = adjusted.get(row["ccg"], 0.0) + value
    total = sum(adjusted.values())
    scale = allocation["pace_scale"]
    for c in allocation["ccgs"]:
        target = allocation["envelope"] * adjusted[c["ccg"]] / total
        assert c["target"] == pytest.approx(target, rel=1e-9)
        lowest = c["baseline"] * (1 + p["minimum_growth"])
        highest = c["baseline"] * (1 + p["maximum_growth"])
        assert c["allocation"] == pytest.approx(min(max(scale * target, lowest), highest), rel=1e-9)
        assert c["running_costs"] == pytest.approx(
            p["running_cost_per_head"] * c["population"], rel=1e-12
        )


def test_explain_prints_every_step_for_one_ccg(england_lake: Path) -> None:
    result = consortia(
        "allocate", "--data", str(england_lake), "--year", "2015/16", "--explain", "--ccg", "00A"
    )
    assert result.returncode == 0, result.stderr
    for words in (
        "base year 2014/15",
        "1. Need models",
        "morbidity 3+",
        "4. Envelope",
        "00A ",
        "target share",
        "allocation £",
        "running costs £",
    ):
        assert words in result.stdout
    assert "00B " not in result.stdout


def _parameters(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "parameters.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("inequalities_weight = 0.10", "inequalities_weight = 1.5", "inequalities_weight"),
        ("minimum_growth = 0.0214", "minimum_growth = 0.06", "minimum_growth is above"),
        ("envelope_growth = 0.031", "envelope_growth = 0.01", "must lie between"),
        ('{ dataset = "op" }', '{ dataset = "op", where = { ward = ["x"] } }', "no column 'ward'"),
        ('method = ["emergency"]', 'method = ["urgent"]', "has no code urgent"),
        ('{ dataset = "op" }', '{ dataset = "gp" }', "components.0.datasets.1.dataset"),
        ('name = "urgent"', 'name = "planned"', "named more than once"),
        ('year = "2014/15"', 'year = "2015/16"', "the file is for 2015/16, not 2014/15"),
        ("envelope_growth = 0.031", "envelope_growth = nan", "envelope_growth"),
        ("envelope_growth = 0.031", "envelope_growth = 99999999999999999999", "envelope_growth"),
        ("running_cost_per_head = 24.73", "running_cost_per_head = [", "TOML syntax"),
        ("running_cost_per_head = 24.73", "running_costs = 24.73", "running_cost_per_head"),
    ],
)
def test_a_bad_parameters_file_is_refused_naming_file_key_and_rule(
    tmp_path: Path, small_lake: Path, old: str, new: str, words: str
) -> None:
    path = _parameters(tmp_path, old, new)
    result = consortia(
        "allocate", "--data", str(small_lake), "--year", "2014/15", "--parameters", str(path)
    )
    line = assert_one_line_error(result, ExitCode.DATA)
    assert str(path) in line
    assert words in line


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--year", "2016/17"], "no allocation parameters for 2016/17"),
        (["--year", "2014"], "not a financial year"),
        (["--year", "2014/15", "--parameters", "{tmp}/none.toml"], "cannot read"),
        (["--year", "2014/15", "--parameters", "{tmp}/latin1.toml"], "is not UTF-8"),
        (["--year", "2014/15", "--json", "{tmp}/file/out.json"], "cannot be written"),
        (["--year", "2014/15", "--ccg", "99Z"], "no CCG with code '99Z'"),
    ],
)
def test_bad_options_give_one_line(
    tmp_path: Path, small_lake: Path, args: list[str], words: str
) -> None:
    (tmp_path / "latin1.toml").write_bytes('year = "2014/15" # \xa3'.encode("latin-1"))
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = consortia("allocate", "--data", str(small_lake), *filled)
    assert words in assert_one_line_error(result, ExitCode.DATA)
    assert not (tmp_path / "file" / "out.json").exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "an empty file"),
        ("ccg,mff\n", "the header must be"),
        ("ccg,market_forces,emergency_ambulance\n99Z,1,1\n", "row 2, field 'ccg'"),
        ("ccg,market_forces,emergency_ambulance\n00A,-1,1\n", "field 'market_forces'"),
        ("ccg,market_forces,emergency_ambulance\n00A,1,inf\n", "field 'emergency_ambulance'"),
        ("ccg,market_forces,emergency_ambulance\n00A,1\n", "2 fields, not 3"),
        ("ccg,market_forces,emergency_ambulance\n00A,1,1\n00A,1,1\n", "given twice"),
    ],
)
def test_a_bad_cost_index_file_is_refused(
    tmp_path: Path, small_lake: Path, text: str, words: str
) -> None:
    path = tmp_path / "indices.csv"
    path.write_text(text, encoding="utf-8")
    result = consortia(
        "allocate", "--data", str(small_lake), "--year", "2014/15", "--cost-indices", str(path)
    )
    line = assert_one_line_error(result, ExitCode.DATA)
    assert str(path) in line
    assert words in line


def test_a_higher_cost_index_raises_the_ccgs_target(
    allocation: dict[str, Any], england_lake: Path, tmp_path: Path
) -> None:
    """The first CCG's market forces index of 1.2 gives it a larger share of the envelope than
    the same lake allocated with every index 1 (its weighted population is unchanged)."""
    plain = allocate_to_json(england_lake, tmp_path)
    assert plain["cost_indices_from"] == "none given: every index 1"
    first = ccg_codes(england_lake)[0]

    def share(result: dict[str, Any]) -> float:
        (row,) = [c for c in result["ccgs"] if c["ccg"] == first]
        return float(row["target_share"])

    assert share(allocation) > share(plain)


def test_a_lone_ccg_is_given_the_envelope_whatever_its_indices(
    tmp_path: Path, small_lake: Path
) -> None:
    """On a one-CCG lake its target is the whole envelope whatever its indices; the JSON says
    where they came from."""
    path = tmp_path / "indices.csv"
    path.write_text("ccg,market_forces,emergency_ambulance\n00A,1.1,1.05\n", encoding="utf-8")
    out = tmp_path / "a.json"
    result = consortia(
        "allocate",
        "--data",
        str(small_lake),
        "--year",
        "2014/15",
        "--cost-indices",
        str(path),
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(out.read_text(encoding="utf-8"))
    assert loaded["cost_indices_from"] == str(path)
    (ccg,) = loaded["ccgs"]
    assert ccg["market_forces"] == 1.1
    assert ccg["target"] == pytest.approx(loaded["envelope"], rel=1e-12)


def test_shipped_years() -> None:
    assert shipped_years() == ["2014/15", "2015/16"]
