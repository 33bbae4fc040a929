"""England on one machine: `consortia synth --preset england` as a whole process.

Reports the wall time, the peak memory of the process and its workers, and the generation rate
(issue 10's goals: under 30 minutes and 4 GB on two cores). With `--kill-after SECONDS` the
first run is killed (SIGKILL, as a power cut would) after that long and the same command is run
again to completion; the rows written are then checked for duplicates. Keeps the lake with
`--out` (default: a temporary folder, removed). Run:
`.venv/bin/python bench/bench_england.py [--out LAKE] [--kill-after 300]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb

from measure import CONSORTIA, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="where to write the lake (kept)")
    parser.add_argument("--kill-after", type=float, help="kill the first run after this long")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    consortia = CONSORTIA
    folder = Path(tempfile.mkdtemp()) if args.out is None else None
    lake = args.out or folder / "lake"  # type: ignore[operator]
    command = [consortia, "synth", "--preset", "england", "--out", str(lake)]
    command += ["--workers", str(args.workers)]
    os.environ["CONSORTIA_PROGRESS"] = "false"
    try:
        killed_after = 0.0
        if args.kill_after:
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            time.sleep(args.kill_after)
            child.send_signal(signal.SIGKILL)
            child.wait()
            killed_after = args.kill_after
        run = measure(command)
        manifest = json.loads((lake / "_lake.json").read_text(encoding="utf-8"))
        patients = manifest["patients_at_start"]
        rows = sum(d["rows"] for d in manifest["datasets"].values())
        total = killed_after + run.seconds
        print(f"synth: {run.seconds:.0f} s, peak {run.peak_bytes / 2**30:.2f} GiB", flush=True)
        duplicated = duckdb.sql(
            "SELECT count(*) - count(DISTINCT patient_id) "
            f"FROM read_parquet('{lake}/patient/*.parquet')"
        ).fetchone()
        debris = [p.name for p in lake.rglob("*") if p.name.startswith(".")]
        print(f"lake: {lake}: {manifest['ccgs']} CCGs, {patients:,} patients, {rows:,} rows")
        if killed_after:
            print(f"killed after {killed_after:.0f} s; the run again took {run.seconds:.0f} s")
        print(f"wall time: {total / 60:.1f} min; peak memory {run.peak_bytes / 2**30:.2f} GiB")
        print(f"rate: {patients / total:,.0f} patients/s, {rows / total:,.0f} rows/s")
        print(f"duplicated patient ids: {duplicated[0] if duplicated else '?'}")
        print(f"hidden files left in the lake: {debris or 'none'}")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
