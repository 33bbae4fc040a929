"""Run a command and measure it as a whole process: wall time and peak memory of its tree."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measurement:
    """Wall-clock seconds and the peak resident memory of the process and all its children."""

    seconds: float
    peak_bytes: int


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def measure(command: list[str], interval: float = 0.05) -> Measurement:
    """Run `command` to completion, sampling the memory of its process tree."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    process = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.NoSuchProcess:
                return
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, error = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {error.decode()[-500:]}")
    return Measurement(time.perf_counter() - start, peak)


CONSORTIA = str(Path(sys.executable).with_name("consortia"))  # the command, as a user runs it


def lake_or_generated(given: Path | None, folder: Path, ccgs: int, patients: int) -> Path:
    """The lake `given`, or one generated under `folder` with `ccgs` CCGs and `patients`
    patients (its generation timed and printed)."""
    if given is not None:
        return given
    lake = folder / "lake"
    synth = [CONSORTIA, "synth", "--out", str(lake), "--ccgs", str(ccgs)]
    generated = measure([*synth, "--patients", str(patients)])
    print(f"generated {ccgs} CCGs, {patients:,} patients: {generated.seconds:.0f} s")
    return lake


def bare_scan(lake: Path, columns: dict[str, str]) -> float:
    """Seconds to read the named columns of each dataset once (hashing every value, so
    nothing is skipped), on the engine's own settings: what a command's time is set beside."""
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(config={"memory_limit": "4GB", "threads": 2})
    for dataset, names in columns.items():
        hashed = ", ".join(f"bit_xor(hash({c}))" for c in names.split(", "))
        con.sql(f"select {hashed} from read_parquet('{lake}/{dataset}/*.parquet')").fetchall()
    return time.perf_counter() - start
