"""`consortia ingest` as a user meets it: each file at most once, a killed import leaves every
batch whole or absent, one import at a time, and every refusal one line with its exit code."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from consortia.engine.backends import connect
from consortia.engine.lake import Lake
from consortia.ingest import ledger
from consortia.ingest.pseudonym import new_key
from consortia.ingest.run import ingest, sources
from tests.cli_run import run
from tests.ingest_files import GOOD, KEY, SECOND, lines, make_base, row

TRIALS = 50
FILES = 4
RECORDS = 4_000  # per file: enough that a kill lands while records are read, judged or written


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    return make_base(connect("duckdb"), folder, tmp_path_factory.mktemp("base") / "lake")


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Monthly apc files, each with a record that breaks a rule."""
    folder = tmp_path_factory.mktemp("delivery")
    for month in range(FILES):
        first = month * RECORDS
        records = [row(first + i + 1, nhs_number=(GOOD, SECOND)[i % 2]) for i in range(RECORDS - 1)]
        records.append(row(first + RECORDS, method="unknown"))
        (folder / f"apc-2014-{month + 4:02d}.csv").write_bytes(lines(*records))
    return folder


def _spells(lake: Path) -> list[int]:
    spells: list[int] = []
    for part in Lake(lake).files("apc"):
        spells += pq.read_table(part, columns=["spell_id"]).column(0).to_pylist()
    return spells


def test_importing_the_same_files_a_hundred_times_adds_nothing(
    base: Path, delivery: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    con = connect("duckdb")
    files, _ = sources(delivery)
    first = ingest(con, files, lake, KEY)
    assert [o.status for o in first] == ["loaded"] * FILES
    assert [(o.rows_in, o.loaded, o.quarantined) for o in first] == [(RECORDS, RECORDS - 1, 1)] * 4
    once = sorted(_spells(lake))
    for _ in range(99):
        again = ingest(con, files, lake, KEY)
        assert {o.status for o in again} == {"already imported"}
    assert sorted(_spells(lake)) == once
    assert len(once) == len(set(once)) == FILES * (RECORDS - 1)
    assert len(ledger.batches(lake)) == FILES + 4  # and the base's four


def _importer(delivery: str, lake: str, ready: str) -> None:
    """Import the delivery (in a forked process, so it starts at once); says when it begins."""
    con = connect("duckdb")
    files, _ = sources(Path(delivery))
    Path(ready).write_text("ready")
    ingest(con, files, Path(lake), KEY)


def _whole_or_absent(lake: Path) -> int:
    """Check every batch in the lake is whole; return how many there are."""
    count = 0
    for part in Lake(lake).files("apc"):
        batch = ledger.read_batch(part)
        assert batch is not None, f"{part} is not a whole batch"
        assert pq.ParquetFile(part).metadata.num_rows == batch.loaded
        assert batch.loaded + batch.quarantined == batch.rows_in
        count += 1
    return count


@pytest.mark.slow
def test_a_killed_import_leaves_every_batch_whole_or_absent(
    base: Path, delivery: Path, tmp_path: Path
) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(base, clean)
    started = time.perf_counter()
    ingest(connect("duckdb"), sources(delivery)[0], clean, KEY)
    duration = time.perf_counter() - started
    expected = sorted(_spells(clean))
    context = multiprocessing.get_context("fork")
    generator = random.Random(14)
    partial = 0
    for trial in range(TRIALS):
        lake = tmp_path / f"lake-{trial}"
        shutil.copytree(base, lake)
        ready = tmp_path / f"ready-{trial}"
        process = context.Process(target=_importer, args=(str(delivery), str(lake), str(ready)))
        process.start()
        while not ready.exists() and process.is_alive():
            time.sleep(0.001)
        time.sleep(generator.uniform(0, duration))
        os.kill(process.pid or 0, 9)
        process.join()
        batches = _whole_or_absent(lake)
        partial += 0 < batches < FILES
        spells = _spells(lake)
        assert len(spells) == len(set(spells))
        ingest(connect("duckdb"), sources(delivery)[0], lake, KEY)  # the import run again
        assert _whole_or_absent(lake) == FILES
        assert sorted(_spells(lake)) == expected
        assert not list((lake / ledger.FOLDER).glob(".staging-*"))
    assert partial >= TRIALS // 5, "too few kills landed between the first and last batch"


def test_ingest_refuses_without_a_key_and_with_a_key_in_the_lake(
    delivery: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    code, err = run("ingest", str(delivery), "--into", str(lake))
    assert code == 2
    assert "needs the pseudonymisation key" in err
    assert len(err.strip().splitlines()) == 1
    lake.mkdir()
    assert run("new-key", "--out", str(lake / "secret.key"))[0] == 0
    code, err = run("ingest", str(delivery), "--into", str(lake), "--key", str(lake / "secret.key"))
    assert code == 2
    assert "inside the lake" in err
    assert not Lake(lake).files("apc")


def test_a_lake_made_under_another_key_or_by_the_generator_is_refused(
    base: Path, delivery: Path, small_lake: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    other = tmp_path / "other.key"
    new_key(other)
    code, err = run("ingest", str(delivery), "--into", str(lake), "--key", str(other))
    assert code == 2
    assert "another key" in err
    assert not Lake(lake).files("apc")
    generated = tmp_path / "generated"
    shutil.copytree(small_lake, generated)
    before = sorted(p.name for p in Lake(generated).files("apc"))
    code, err = run("ingest", str(delivery), "--into", str(generated), "--key", str(other))
    assert code == 2
    assert "synthetic generator" in err
    assert sorted(p.name for p in Lake(generated).files("apc")) == before


def test_one_import_at_a_time(base: Path, delivery: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())
    with ledger.locked(lake):
        code, err = run("ingest", str(delivery), "--into", str(lake), "--key", str(key))
    assert code == 2
    assert "another import" in err
    assert run("ingest", str(delivery), "--into", str(lake), "--key", str(key))[0] == 0
    assert len(_spells(lake)) == FILES * (RECORDS - 1)


def test_a_rejected_file_is_named_and_the_others_load(base: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "apc-1.csv").write_bytes(lines(row(1), row(2)))
    (folder / "apc-2.csv").write_bytes(lines(row(3), row(4, cost="x")))  # half of it bad
    (folder / "notes.txt").write_text("not an extract")
    code, err = run("ingest", str(folder), "--into", str(lake), "--key", str(key))
    assert code == 3
    assert "apc-2.csv: 50.0% of its records broke a rule" in err
    assert "notes.txt: its name says no dataset" in err
    assert sorted(_spells(lake)) == [1, 2]


@pytest.mark.parametrize(
    ("into", "words"),
    [("under-a-file/lake", "cannot make the lake"), ("a-file", "not a folder")],
)
def test_a_lake_that_cannot_be_made_is_one_line(
    delivery: Path, tmp_path: Path, into: str, words: str
) -> None:
    (tmp_path / "under-a-file").write_text("x")
    (tmp_path / "a-file").write_text("x")
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())
    code, err = run("ingest", str(delivery), "--into", str(tmp_path / into), "--key", str(key))
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1


def test_a_key_that_is_a_pipe_or_a_share_that_is_not_one_is_refused(
    delivery: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "key.fifo"
    os.mkfifo(pipe)
    code, err = run("ingest", str(delivery), "--into", str(tmp_path / "l"), "--key", str(pipe))
    assert (code, "not a regular file" in err) == (2, True)
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())
    for share in ("nan", "-0.1", "1.5"):
        code, err = run(
            "ingest",
            str(delivery),
            "--into",
            str(tmp_path / "l"),
            "--key",
            str(key),
            "--max-quarantined",
            share,
        )
        assert code == 2, share
    assert not (tmp_path / "l").exists() or not Lake(tmp_path / "l").files("apc")


def test_a_full_disk_stops_the_import_in_one_line_with_nothing_loaded(
    base: Path, delivery: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from consortia.ingest import batch

    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())

    def full(path: Path, write: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch, "replace_whole", full)
    code, err = run("ingest", str(delivery), "--into", str(lake), "--key", str(key))
    assert code == 3
    assert "No space left on device" in err
    assert "nothing of it was loaded" in err
    assert len(err.strip().splitlines()) == 1
    assert not Lake(lake).files("apc")
    assert not list((lake / ledger.FOLDER).glob(".staging-*"))


def test_an_engine_out_of_memory_is_the_machines_limit_in_one_line(
    base: Path, delivery: Path, tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    key = tmp_path / "k"
    key.write_text(bytes(range(32)).hex())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSORTIA_MEMORY_LIMIT", "1MB")
        code, err = run("ingest", str(delivery), "--into", str(lake), "--key", str(key))
    assert code == 4, err
    assert "ran out of the memory" in err
    assert not Lake(lake).files("apc")
