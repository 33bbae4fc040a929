"""Does one CCG's pack cost the same on a lake of many CCGs as on a lake of that CCG alone?

Takes a lake of several CCGs (default: generates 20 CCGs of 3 million patients in all under
a temporary folder), cuts from it a lake holding one CCG alone (its practices, every patient
ever registered with them and all their rows, the providers and reference rows), and times
`consortia pack` for that CCG on both, as whole processes: the median of three after a first
pack on each, which checks the lake and writes its derived aggregates (timed once). The goal
(issue 10) is within 20%. Run:
`.venv/bin/python bench/bench_lake_size.py [--lake LAKE --ccg 00A]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from consortia.engine.lake import MANIFEST
from consortia.schema.datasets import DATASETS
from measure import CONSORTIA, lake_or_generated, measure

RUNS = 3
# How each dataset's rows belong to a CCG: by its own column, or through its patients.
BY_PATIENT = ("patient", "registration", "condition", "apc", "op", "ae")
BY_PRACTICE = {"practice": "code", "clinician": "practice", "practice_payment": "practice"}
WHOLE = ("provider",)


def cut(lake: Path, ccg: str, out: Path) -> None:
    """Write the lake of `ccg` alone to `out`, keeping each part's rows in their order."""
    con = duckdb.connect()

    def read(name: str) -> str:
        return f"read_parquet('{lake / name}/*.parquet')"

    con.sql(f"CREATE TEMP TABLE ours AS SELECT code FROM {read('practice')} WHERE ccg = '{ccg}'")
    con.sql(
        "CREATE TEMP TABLE people AS SELECT DISTINCT patient_id FROM "
        f"{read('registration')} WHERE practice IN (SELECT code FROM ours)"
    )
    queries = {"ccg": f"SELECT * FROM {read('ccg')} WHERE code = '{ccg}'"}
    for name in WHOLE:
        queries[name] = f"SELECT * FROM {read(name)}"
    for name, column in BY_PRACTICE.items():
        queries[name] = f"SELECT * FROM {read(name)} WHERE {column} IN (SELECT code FROM ours)"
    for name in BY_PATIENT:
        queries[name] = f"SELECT * FROM {read(name)} WHERE patient_id IN (SELECT * FROM people)"
    rows = {}
    for name, query in queries.items():
        (out / name).mkdir(parents=True)
        table = con.sql(query).to_arrow_table().cast(DATASETS[name].arrow_schema)
        pq.write_table(table, out / name / "part-00000.parquet")
        rows[name] = {"rows": table.num_rows}
    manifest = json.loads((lake / MANIFEST).read_text(encoding="utf-8"))
    manifest.update(ccgs=1, datasets=rows, cut_from=str(lake))
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def timings(consortia: str, lake: Path, ccg: str, out: Path) -> tuple[float, float]:
    """The first pack's seconds, and the median of RUNS packs after it."""
    command = [consortia, "pack", "--data", str(lake), "--ccg", ccg, "--out", str(out)]
    first = measure(command).seconds
    command.append("--overwrite")
    return first, statistics.median(measure(command).seconds for _ in range(RUNS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, help="a lake of several CCGs (default: generate)")
    parser.add_argument("--ccg", default="00A")
    args = parser.parse_args()
    consortia = CONSORTIA
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        lake = lake_or_generated(args.lake, root, ccgs=20, patients=3_000_000)
        alone = root / "alone"
        cut(lake, args.ccg, alone)
        many_first, many = timings(consortia, lake, args.ccg, root / "pack-many")
        alone_first, one = timings(consortia, alone, args.ccg, root / "pack-alone")
        ccgs = json.loads((lake / MANIFEST).read_text(encoding="utf-8")).get("ccgs")
    print(f"CCG {args.ccg} alone: first pack {alone_first:.1f} s, then {one:.1f} s (median)")
    print(f"CCG {args.ccg} in a lake of {ccgs} CCGs: first {many_first:.1f} s, then {many:.1f} s")
    ratio = many / one
    print(f"many / alone: {ratio:.2f}×  (within 20%: {'met' if ratio <= 1.2 else 'MISSED'})")


if __name__ == "__main__":
    main()
