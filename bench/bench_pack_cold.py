"""The whole `consortia pack` command, cold, beside a bare scan of the data it reads.

Both are timed as whole processes (Python start included), five runs each after a warm-up
run, and the medians set side by side: the ratio says how far the pack is from the speed of
its data. The bare scan reads, with DuckDB alone, exactly the lake columns the pack's figures
read (found by walking each figure's definition), into Arrow. The pack runs with the lake's
check stamp and derived aggregates in place, as every pack after the lake's first does; the
first pack on a fresh lake, which writes them, is timed once as well. Goals (issue 10): the
pack under 5 s and within 3× of the scan. Run:
`.venv/bin/python bench/bench_pack_cold.py [--lake demo-data/lake] [--ccg 00A]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import ibis.expr.operations as ops

from consortia.engine.backends import connect
from consortia.engine.derived import FOLDER
from consortia.ingest.checked import STAMP
from consortia.pack.build import analyse
from measure import measure

RUNS = 5


def columns_read(lake: Path, ccg: str) -> dict[str, set[str]]:
    """The lake columns each dataset's figures read: fields of the lake's own tables."""
    figures, _code, _name = analyse(connect(), lake, ccg, keep=False)
    found: dict[str, set[str]] = {}
    for figure in figures:
        if figure.source is None:
            continue
        for field in figure.source.expression.op().find(ops.Field):
            table = field.rel
            if isinstance(table, ops.DatabaseTable) and table.name.startswith("lake_"):
                found.setdefault(table.name.removeprefix("lake_"), set()).add(field.name)
    return found


def scan_script(lake: Path, columns: dict[str, set[str]]) -> str:
    """A Python program reading those columns of the lake's Parquet files with DuckDB."""
    reads = []
    for dataset, names in sorted(columns.items()):
        listed = ", ".join(f'"{name}"' for name in sorted(names))
        reads.append(f"SELECT {listed} FROM read_parquet('{lake / dataset}/*.parquet')")
    statements = "\n".join(f"con.sql({read!r}).to_arrow_table()" for read in reads)
    return f"import duckdb\ncon = duckdb.connect()\n{statements}\n"


def median_of(command: list[str]) -> float:
    """Median wall-clock seconds of `command` over RUNS runs after a warm-up run."""
    measure(command)
    return statistics.median(measure(command).seconds for _ in range(RUNS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, default=Path("demo-data/lake"))
    parser.add_argument("--ccg", default="00A")
    args = parser.parse_args()
    consortia = str(Path(sys.executable).with_name("consortia"))
    columns = columns_read(args.lake, args.ccg)
    read = sum(len(names) for names in columns.values())
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pack"
        pack = [consortia, "pack", "--data", str(args.lake), "--ccg", args.ccg, "--out", str(out)]
        pack.append("--overwrite")
        fresh = Path(folder) / "lake"
        shutil.copytree(args.lake, fresh, ignore=shutil.ignore_patterns(STAMP, FOLDER))
        first = measure([*pack[:3], str(fresh), *pack[4:]]).seconds
        script = Path(folder) / "scan.py"
        script.write_text(scan_script(args.lake, columns), encoding="utf-8")
        scan = median_of([sys.executable, str(script)])
        whole = median_of(pack)
    print(f"columns the pack reads: {read} in {len(columns)} datasets")
    print(f"bare DuckDB scan of them (whole process, median of {RUNS}): {scan:.2f} s")
    verdict = "met" if whole < 5 else "MISSED"
    print(
        f"consortia pack, cold (whole process, median of {RUNS}): {whole:.2f} s  (< 5 s: {verdict})"
    )
    ratio = whole / scan
    print(f"pack / scan: {ratio:.1f}×  (≤ 3×: {'met' if ratio <= 3 else 'MISSED'})")
    print(f"first pack on a fresh lake (checks it, writes derived aggregates): {first:.2f} s")


if __name__ == "__main__":
    main()
