"""The whole `consortia pack` command, cold, beside a bare scan of the data it reads.

Both are timed as whole processes (Python start included), five runs each after a warm-up
run, and the medians set side by side: the ratio says how far the pack is from the speed of
its data. The bare scan reads, with DuckDB alone, exactly the lake columns the pack's figures
read (found by walking each figure's definition), into Arrow. The analyses alone (every
figure's query and statistics) are also set beside the scan's queries alone, each timed
inside its own process after its imports. The pack runs with the lake's check stamp, derived
aggregates and figures' plans in place, as every pack after the lake's first does; the first
pack on a fresh lake, which writes them, is timed once as well. Goals (issue 10): the pack
under 5 s, its analyses within 3× of the scan. Run:
`.venv/bin/python bench/bench_pack_cold.py [--lake demo-data/lake] [--ccg 00A]`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import ibis.expr.operations as ops

import consortia as consortia_package
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


def timed_scan_script(lake: Path, columns: dict[str, set[str]]) -> str:
    """The bare scan, printing the seconds of its queries alone (after imports and connect)."""
    script = scan_script(lake, columns)
    opened = "con = duckdb.connect()\n"
    return script.replace(opened, opened + "import time\nstart = time.perf_counter()\n") + (
        "print(time.perf_counter() - start)\n"
    )


def timed_analyses_script(lake: Path, ccg: str, cache: Path) -> str:
    """The pack's analyses (the lake opened, every figure's query and statistics), printing
    their seconds alone, after imports and connect, in a process of their own."""
    return (
        "import time\n"
        "from pathlib import Path\n"
        "from consortia.engine.backends import connect\n"
        "from consortia.pack.build import analyse\n"
        "backend = connect()\n"
        "start = time.perf_counter()\n"
        f"analyse(backend, Path({str(lake)!r}), {ccg!r}, cache=Path({str(cache)!r}))\n"
        "print(time.perf_counter() - start)\n"
    )


def inner_median(script: Path) -> float:
    """Median of the seconds `script` prints, over RUNS processes after a warm-up one."""
    run = [sys.executable, str(script)]
    subprocess.run(run, check=True, capture_output=True)
    return statistics.median(
        float(subprocess.run(run, check=True, capture_output=True, text=True).stdout)
        for _ in range(RUNS)
    )


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
    # the package compiled to bytecode, as `make demo` leaves it (and Python on first use)
    compileall.compile_dir(Path(consortia_package.__file__).parent, quiet=1)
    columns = columns_read(args.lake, args.ccg)
    read = sum(len(names) for names in columns.values())
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "cache"  # the pack's plans, apart from the user's own
        os.environ["CONSORTIA_CACHE_DIR"] = str(cache)
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
        inner_scan = Path(folder) / "inner_scan.py"
        inner_scan.write_text(timed_scan_script(args.lake, columns), encoding="utf-8")
        inner_analyses = Path(folder) / "inner_analyses.py"
        inner_analyses.write_text(
            timed_analyses_script(args.lake, args.ccg, cache), encoding="utf-8"
        )
        scanning, analysing = inner_median(inner_scan), inner_median(inner_analyses)
    print(f"columns the pack reads: {read} in {len(columns)} datasets")
    print(f"bare DuckDB scan of them (whole process, median of {RUNS}): {scan:.2f} s")
    verdict = "met" if whole < 5 else "MISSED"
    print(
        f"consortia pack, cold (whole process, median of {RUNS}): {whole:.2f} s  (< 5 s: {verdict})"
    )
    ratio = whole / scan
    print(f"pack / scan: {ratio:.1f}×  (≤ 3×: {'met' if ratio <= 3 else 'MISSED'})")
    print(f"first pack on a fresh lake (checks it, writes derived aggregates): {first:.2f} s")
    print(
        f"inside their processes (after imports), median of {RUNS}: the analyses "
        f"{analysing:.2f} s, the scan's queries {scanning:.2f} s: "
        f"{analysing / scanning:.1f}×  (≤ 3×: {'met' if analysing <= 3 * scanning else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
