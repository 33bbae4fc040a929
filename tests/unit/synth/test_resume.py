"""An interrupted `consortia synth` goes on where it stopped: the lake it completes is the lake
an uninterrupted run writes, with no part torn, lost or written twice."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from consortia.errors import UsageError
from consortia.synth import resume
from consortia.synth.economy import Request, synthesise
from consortia.synth.presets import england

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("synth_resume")]
PATIENTS = 160_000  # four blocks
OPTIONS = {"patients": PATIENTS, "ccgs": 2, "seed": 3, "workers": 1}


def content(lake: Path) -> dict[str, tuple[int, str]]:
    """Each dataset's row count and a digest of its rows in a fixed order."""
    result = {}
    for folder in sorted(p for p in lake.iterdir() if p.is_dir()):
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{folder}/*.parquet')").fetchall()
        digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        result[folder.name] = (len(rows), digest)
    return result


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("whole")
    synthesise(Request(out=root / "lake", truth=root / "truth", **OPTIONS))  # type: ignore[arg-type]
    return root / "lake"


class StopError(Exception):
    """Raised from the progress callback, as an interruption."""


def test_an_interrupted_run_keeps_its_blocks_and_completes_the_same(
    whole: Path, tmp_path: Path
) -> None:
    request = Request(out=tmp_path / "lake", truth=tmp_path / "truth", **OPTIONS)  # type: ignore[arg-type]
    calls = []

    def stop_after_two_blocks(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the start, then two finished blocks
            raise StopError

    with pytest.raises(StopError):
        synthesise(request, stop_after_two_blocks)
    assert not request.out.exists()  # the destination appears only when complete
    staging = resume.staging_of(request.out)
    assert len(list((staging / resume.FINISHED).iterdir())) == 2
    # what a run killed while writing a part leaves behind (`replace_whole`'s temporary file)
    (staging / "apc" / ".part-00002.parquet.999999.tmp").write_bytes(b"PAR1 half a part")
    seen: list[int] = []
    synthesise(request, lambda done, total: seen.append(done))
    assert seen[0] == calls[-1] > 0  # it started from the two finished blocks
    assert seen[-1] == PATIENTS
    assert not staging.exists()
    assert content(request.out) == content(whole)
    assert sorted(p.name for p in request.out.iterdir() if p.name.startswith("_")) == ["_lake.json"]
    assert [p for p in request.out.rglob("*") if p.name.startswith(".")] == []


def test_a_killed_run_completes_on_rerun_without_duplicates(whole: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    command = [
        sys.executable, "-m", "consortia", "synth", "--out", str(lake),
        "--patients", str(PATIENTS), "--ccgs", "2", "--seed", "3", "--workers", "1",
    ]  # fmt: skip
    env = dict(os.environ, CONSORTIA_PROGRESS="false")
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    finished = resume.staging_of(lake) / resume.FINISHED
    deadline = time.monotonic() + 300
    while not (finished.is_dir() and any(finished.iterdir())):
        assert child.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not lake.exists()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert content(lake) == content(whole)
    for dataset, column in (("patient", "patient_id"), ("apc", "spell_id")):
        duplicated = duckdb.sql(
            f"SELECT count(*) - count(DISTINCT {column}) FROM read_parquet('{lake}/{dataset}/*')"
        ).fetchone()
        assert duplicated == (0,)


def test_another_plan_starts_afresh(tmp_path: Path) -> None:
    first = Request(out=tmp_path / "lake", truth=tmp_path / "truth", **OPTIONS)  # type: ignore[arg-type]

    def stop(done: int, total: int) -> None:
        if done:
            raise StopError

    with pytest.raises(StopError):
        synthesise(first, stop)
    other = Request(out=first.out, truth=first.truth, **(OPTIONS | {"seed": 4}))  # type: ignore[arg-type]
    seen: list[int] = []
    synthesise(other, lambda done, total: seen.append(done))
    assert seen[0] == 0  # nothing of the other plan was kept


def test_one_run_at_a_time(tmp_path: Path) -> None:
    """Another process writing the same destination holds its lock: this run is refused."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
            "fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(tmp_path / ".lake.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(UsageError, match="another consortia synth"):
            synthesise(Request(out=tmp_path / "lake", truth=tmp_path / "truth", patients=1_000))
    finally:
        holder.kill()
        holder.communicate()
    assert not (tmp_path / "lake").exists()


def test_the_england_preset_has_englands_shape() -> None:
    """ONS mid-2012: 211 CCGs, median 221,000, smallest 63,100, largest 869,400; 56 million
    registered in about 7,900 practices."""
    shape = england()
    sizes = sorted(shape.ccg_patients)
    assert shape.ccgs == 211
    assert shape.patients == 56_000_000
    assert (sizes[0], sizes[105], sizes[-1]) == (63_100, 221_000, 869_400)
    practices = sum(max(1, round(s / shape.list_size)) for s in sizes)
    assert abs(practices - 7_900) / 7_900 < 0.01
