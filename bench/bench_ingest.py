"""`consortia ingest` of a delivery of extracts, cold, beside a bare scan of the same files.

The extracts are written from a lake by the generator (`consortia synth --extracts` does the
same), quirks and planted faults included. Ingest is timed as a whole process into a new lake
each run (Python start, reading, pseudonymising, judging, writing), three runs, median; the
bare scan is a process that reads every file with DuckDB alone (CSV as text, Parquet as it is)
into Arrow, three runs, median. The ratio says how far ingest is from the speed of reading
its input. Run: `.venv/bin/python bench/bench_ingest.py [--lake demo-data/lake]`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from consortia.ingest.pseudonym import new_key
from consortia.synth.extracts import write_extracts
from measure import CONSORTIA, Measurement, measure

RUNS = 3
SCAN = """
import sys, duckdb
from pathlib import Path
con = duckdb.connect()
rows = 0
for path in sorted(Path(sys.argv[1]).iterdir()):
    if path.suffix == ".csv":
        # as text, reading past the planted faults (ingest quarantines them; a scan skips them)
        query = (
            f"SELECT * FROM read_csv('{path}', all_varchar=true, strict_mode=false, "
            "null_padding=true, ignore_errors=true)"
        )
        rows += con.sql(query).to_arrow_table().num_rows
    elif path.suffix == ".parquet":
        rows += con.sql(f"SELECT * FROM read_parquet('{path}')").to_arrow_table().num_rows
print(rows)
"""


def _median(runs: list[Measurement]) -> Measurement:
    ordered = sorted(runs, key=lambda m: m.seconds)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, default=Path("demo-data/lake"))
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="consortia-bench-ingest-"))
    try:
        extracts = write_extracts(arguments.lake, folder / "extracts", seed=2013)
        records = sum(f.records for f in extracts.files)
        size = sum(p.stat().st_size for p in (folder / "extracts").iterdir())
        key = folder / "key"
        new_key(key)
        ingests = []
        for run in range(RUNS):
            lake = folder / f"lake-{run}"
            command = [CONSORTIA, "ingest", str(folder / "extracts"), "--into", str(lake)]
            ingests.append(measure([*command, "--key", str(key)]))
        scans = [
            measure([sys.executable, "-c", SCAN, str(folder / "extracts")]) for _ in range(RUNS)
        ]
        ingest, scan = _median(ingests), _median(scans)
        print(f"extracts: {len(extracts.files)} files, {records:,} records, {size / 1e6:,.1f} MB")
        print(
            f"consortia ingest: {ingest.seconds:.1f} s "
            f"({records / ingest.seconds:,.0f} records/s), "
            f"peak {ingest.peak_bytes / 2**20:,.0f} MiB"
        )
        print(f"bare scan (DuckDB reads every file): {scan.seconds:.1f} s")
        print(f"ratio: {ingest.seconds / scan.seconds:.1f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
