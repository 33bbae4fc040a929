"""`consortia risk train` and `consortia risk list` on a lake, cold, beside a bare scan of the
columns their features read.

Training fits the three models on seven tenths of the patients registered on 1 April of the
lake's latest year and judges them on the rest; on the demo lake (about 300,000 patients) the
target is under 60 s, and scoring every patient for the lists under 5 s. Each command is timed
as a whole process (Python start, the lake's check, features, fitting or scoring, files), three
runs, median; the bare scan is a process that reads the same columns with DuckDB alone into
Arrow. Run: `.venv/bin/python bench/bench_risk.py [--lake demo-data/lake]`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from measure import CONSORTIA, Measurement, measure

RUNS = 3
# The columns the risk features read, by dataset.
COLUMNS = {
    "patient": "patient_id, sex, birth_year, birth_month, deprivation_decile, date_of_death",
    "registration": "patient_id, practice, registered_from, registered_to",
    "practice": "code, ccg",
    "condition": "patient_id, condition, recorded_on",
    "apc": "patient_id, method, admitted_on, cost",
    "op": "patient_id, attendance_type, attendance_status, attended_on, cost",
    "ae": "patient_id, arrived_at, cost",
}
SCAN = """
import sys, duckdb
columns = dict(item.split("=", 1) for item in sys.argv[2:])
con = duckdb.connect()
rows = 0
for dataset, chosen in columns.items():
    query = f"SELECT {chosen} FROM read_parquet('{sys.argv[1]}/{dataset}/*.parquet')"
    rows += con.sql(query).to_arrow_table().num_rows
print(rows)
"""


def _median(runs: list[Measurement]) -> Measurement:
    return sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, default=Path("demo-data/lake"))
    lake = parser.parse_args().lake
    folder = Path(tempfile.mkdtemp(prefix="consortia-bench-risk-"))
    try:
        trains, lists = [], []
        for run in range(RUNS):
            model = folder / f"model-{run}"
            trains.append(
                measure([CONSORTIA, "risk", "train", "--data", str(lake), "--out", str(model)])
            )
            out = folder / f"lists-{run}.csv"
            command = [CONSORTIA, "risk", "list", "--data", str(lake), "--model", str(model)]
            lists.append(measure([*command, "--out", str(out)]))
        chosen = [f"{dataset}={columns}" for dataset, columns in COLUMNS.items()]
        scans = [measure([sys.executable, "-c", SCAN, str(lake), *chosen]) for _ in range(RUNS)]
        train, listing, scan = _median(trains), _median(lists), _median(scans)
        print(
            f"consortia risk train: {train.seconds:.1f} s, peak "
            f"{train.peak_bytes / 2**20:,.0f} MiB (target under 60 s for about 300,000 patients)"
        )
        print(
            f"consortia risk list: {listing.seconds:.1f} s, peak "
            f"{listing.peak_bytes / 2**20:,.0f} MiB (target under 5 s)"
        )
        print(f"bare scan of the columns the features read: {scan.seconds:.2f} s")
        print(
            f"ratios: train {train.seconds / scan.seconds:.1f}x, list "
            f"{listing.seconds / scan.seconds:.1f}x"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
