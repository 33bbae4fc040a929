"""`consortia pack --all-ccgs`: every CCG's pack in one pass, the same as each built alone, and
a national comparison whose ranks are worked out here from the packs' own tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from consortia.engine.backends import connect
from consortia.errors import ExitCode
from consortia.measures.definition import measures
from consortia.pack.all_ccgs import Packs, build_all
from consortia.pack.build import build, builders
from tests.cli_run import run
from tests.conftest import make_lake

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("all_ccgs")]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three CCGs sharing providers."""
    return make_lake(tmp_path_factory.mktemp("all"), "lake", patients=24_000, ccgs=3, seed=7)


@pytest.fixture(scope="module")
def packs(lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Packs:
    """Built as the command builds them: the packs after the first by two worker processes,
    each CCG's figures run from the plans the first kept (`consortia.engine.plans`)."""
    out, cache = tmp_path_factory.mktemp("out") / "packs", tmp_path_factory.mktemp("cache")
    return build_all(connect(), lake, out, workers=2, cache=cache)


def _rank(values: pd.Series) -> pd.Series:
    """PERCENT_RANK × 100, worked with pandas: (rank − 1)/(n − 1) × 100, ties lowest."""
    n = values.notna().sum()
    return (values.rank(method="min") - 1) / max(n - 1, 1) * 100


def test_every_ccg_has_the_pack_it_would_have_alone(
    lake: Path, packs: Packs, tmp_path: Path
) -> None:
    codes = sorted(folder.name for folder in packs.packs)
    assert codes == ["00A", "00B", "00C"]
    manifest = json.loads((packs.folder / "packs.json").read_text())
    assert manifest == {"national": "national", "ccgs": {c: c for c in codes}}
    for code in codes:  # 00A computed in the run; 00B and 00C by workers, from its plans
        alone = build(connect(), lake, tmp_path / code, code)
        together = packs.folder / code
        for figure in alone.figures:
            mine = (together / "tables" / f"{figure.id}.csv").read_bytes()
            assert mine == (alone.folder / "tables" / f"{figure.id}.csv").read_bytes(), figure.id
        single = json.loads((alone.folder / "pack.json").read_text())
        assert json.loads((together / "pack.json").read_text()) == single


def test_national_ranks_of_practices_and_ccgs(packs: Packs) -> None:
    """A practice's national rank is its ratio's rank among every practice of every CCG's
    pack; a CCG's ranks are among every CCG, and among its region's."""
    for measure in measures():
        practices = pd.concat(
            pd.read_csv(folder / "tables" / f"variation_{measure}.csv") for folder in packs.packs
        )
        worked = _rank(practices["ratio"])
        assert practices["national_percentile"].to_numpy() == pytest.approx(
            worked.to_numpy(), abs=1e-6
        )
        ccgs = pd.read_csv(packs.national.folder / "tables" / f"national_{measure}.csv")
        assert list(ccgs["ccg"]) == ["00A", "00B", "00C"]
        assert ccgs["percentile"].to_numpy() == pytest.approx(_rank(ccgs["ratio"]).to_numpy())
        by_region = ccgs.groupby("region")["ratio"].transform(_rank)
        assert ccgs["region_percentile"].to_numpy() == pytest.approx(by_region.to_numpy())
        # each CCG's events are its practices'
        for code, rows in practices.groupby(practices["practice"].map(_ccg_of(packs))):
            row = ccgs[ccgs["ccg"] == code].iloc[0]
            assert row["observed"] == rows["observed"].sum()
            assert row["expected"] == pytest.approx(rows["expected"].sum(), rel=1e-6)


def _ccg_of(packs: Packs) -> dict[str, str]:
    """Each practice's CCG, from the packs' practice lists."""
    owner: dict[str, str] = {}
    for folder in packs.packs:
        lists = pd.read_csv(folder / "tables" / "practice_lists.csv")
        owner |= dict.fromkeys(lists["practice"], folder.name)
    return owner


def test_the_national_page_lists_and_links_every_ccg(packs: Packs) -> None:
    listed = pd.read_csv(packs.national.folder / "tables" / "national_ccgs.csv")
    assert list(listed["ccg"]) == ["00A", "00B", "00C"]
    assert (listed["patients"] > 0).all()
    html = packs.national.html.read_text()
    for code in listed["ccg"]:
        assert f'href="../{code}/pack.html"' in html
        assert (packs.national.folder / ".." / code / "pack.html").is_file()
    deciles = pd.read_csv(packs.national.folder / "tables" / "national_practice_deciles.csv")
    assert len(deciles) == 9 * len(measures())
    # deciles rise
    for _, rows in deciles.groupby("measure"):
        assert rows["ratio"].is_monotonic_increasing


def test_built_again_in_place_and_refusals(lake: Path, packs: Packs, tmp_path: Path) -> None:
    # a second run replaces its own packs without --overwrite
    code, stderr = run("pack", "--data", str(lake), "--all-ccgs", "--out", str(packs.folder))
    assert code == 0, stderr
    # a folder holding something else is refused before any work
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    code, stderr = run("pack", "--data", str(lake), "--all-ccgs", "--out", str(other))
    assert code == ExitCode.USAGE
    assert "not commissioning packs" in stderr
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    code, stderr = run(
        "pack", "--data", str(lake), "--all-ccgs", "--ccg", "00A", "--out", str(tmp_path / "x")
    )
    assert code == ExitCode.USAGE
    assert "not both" in stderr


@pytest.mark.parametrize("every", [True, False], ids=["--all-ccgs", "--ccg"])
def test_a_refused_destination_is_refused_before_an_engine_starts(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every: bool
) -> None:
    """Spark takes half a minute to start: a folder that cannot take the packs is refused
    first."""

    def no_engine(*_: object) -> None:
        raise AssertionError("an engine was started")

    monkeypatch.setattr("consortia.engine.backends.connect", no_engine)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    which = ["--all-ccgs"] if every else ["--ccg", "00A"]
    code, stderr = run("pack", "--data", str(lake), *which, "--engine=spark", f"--out={other}")
    assert code == ExitCode.USAGE, stderr
    assert "--out" in stderr
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_a_run_stopped_half_way_leaves_a_folder_the_next_run_takes(
    lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is named a folder of packs before any is drawn, so a run that stopped after
    its first pack (here, an error drawing the second) is followed by one that finishes."""
    import consortia.pack.all_ccgs as all_ccgs

    write = all_ccgs.write_ccg_pack
    drawn: list[str] = []

    def failing(everyone: object, code: str, *rest: object, **options: object) -> Path:
        if drawn:
            raise RuntimeError("stopped")
        drawn.append(code)
        return write(everyone, code, *rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(all_ccgs, "write_ccg_pack", failing)
    out = tmp_path / "packs"
    with pytest.raises(RuntimeError, match="stopped"):
        build_all(connect(), lake, out)
    assert sorted(p.name for p in out.iterdir()) == ["00A", "packs.json"]
    monkeypatch.undo()
    code, stderr = run("pack", "--data", str(lake), "--all-ccgs", "--out", str(out))
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["00A", "00B", "00C", "national", "packs.json"]


def test_the_bar_moves_with_each_figure_of_the_first_pack_then_each_page(
    lake: Path, packs: Packs, tmp_path: Path
) -> None:
    told: list[tuple[int, int]] = []
    again = build_all(
        connect(), lake, tmp_path / "packs", lambda done, of: told.append((done, of)), workers=2
    )
    figures = len(builders())  # the first pack's builders, each a step
    total = figures + len(again.packs)  # then every other CCG's pack and the national page
    assert [done for done, _ in told] == list(range(1, total + 1))
    assert {of for _, of in told} == {total}


def _workers(parent: psutil.Process, wanted: int, timeout: float) -> list[psutil.Process]:
    """The worker processes `parent` has started, once `wanted` of them are running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and parent.is_running():
        found = []
        for child in parent.children():
            try:
                if "spawn_main" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.NoSuchProcess:
                continue
        if len(found) >= wanted:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {wanted} workers within {timeout:.0f} s")


def test_workers_end_when_the_command_is_killed(lake: Path, tmp_path: Path) -> None:
    """Killed while its workers start (SIGKILL: it cannot tell them), the command leaves no
    worker behind drawing packs nobody will collect, nor the folder their engines spill to."""
    command = [sys.executable, "-m", "consortia", "pack", "--data", str(lake), "--all-ccgs"]
    environment = {**os.environ, "CONSORTIA_THREADS": "2", "CONSORTIA_PROGRESS": "false"}
    environment["TMPDIR"] = str(tmp_path)  # where the engines spill
    parent = subprocess.Popen(
        [*command, "--out", str(tmp_path / "packs")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers = _workers(psutil.Process(parent.pid), wanted=2, timeout=300)
    finally:
        parent.kill()
        parent.wait()
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive
    assert list(tmp_path.glob("consortia-*")) == []
