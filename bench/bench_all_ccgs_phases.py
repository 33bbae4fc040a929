"""Where `consortia pack --all-ccgs` spends its time: each figure of the first pack (which
computes every result over everyone), the lake's check, and each pack the workers draw.

Runs the command in this process with each step timed, appending one line per step to a log
(seconds since the start, the step's own seconds, its name); the worker processes append
theirs (their clock starts when they do). Sums per step are printed at the end. The figures
are the command's own; the timing around them costs nothing measurable. Without `--lake`, a
lake of 4 CCGs and 400,000 patients is generated in a temporary folder. Run:
`.venv/bin/python bench/bench_all_ccgs_phases.py [--lake LAKE] [--log FILE]`
(with `CONSORTIA_MEMORY_LIMIT=4GB` for the England target).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consortia.pack import all_ccgs
from measure import lake_or_generated

LOG = "CONSORTIA_BENCH_PHASES"  # the log's path, read again by each worker process
START = time.perf_counter()
MARK = "timed_by_bench"  # set on the module once its steps are timed


def _note(step: str, seconds: float) -> None:
    with open(os.environ[LOG], "a", encoding="utf-8") as log:
        log.write(f"{time.perf_counter() - START:9.1f} {seconds:8.2f} {step}\n")


def _timed(step: str, run: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return run(*args, **kwargs)
        finally:
            _note(step, time.perf_counter() - began)

    return timed


def _name(builder: Callable[..., Any]) -> str:
    module = getattr(builder, "__module__", "").rsplit(".", 1)[-1]
    return f"figure {module}.{getattr(builder, '__name__', 'figure')}"


def _instrument() -> None:
    """Time the check, every figure and every pack written (here and in each worker, which
    imports this module as its main one)."""
    if LOG not in os.environ or getattr(all_ccgs, MARK, False):
        return
    wrappers: dict[str, Callable[[Any], Any]] = {
        "builders": lambda builders: lambda: tuple(_timed(_name(b), b) for b in builders()),
        "require_valid": lambda check: _timed("check", check),
        "write_pack": lambda write: _timed("write pack", write),
    }
    for name, wrap in wrappers.items():  # the names `build_all` and `write_ccg_pack` call
        setattr(all_ccgs, name, wrap(getattr(all_ccgs, name)))
    setattr(all_ccgs, MARK, True)


def _summary(log: Path) -> None:
    totals: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(encoding="utf-8").splitlines():
        _, seconds, step = line.split(maxsplit=2)
        totals[step].append(float(seconds))
    print(f"{'seconds':>9} {'times':>6}  step")
    for step, spent in sorted(totals.items(), key=lambda item: -sum(item[1]))[:25]:
        print(f"{sum(spent):9.1f} {len(spent):6d}  {step}")


_instrument()

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, help="a lake of several CCGs (default: generate)")
    parser.add_argument("--log", type=Path, help="keep the log here (default: not kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        lake = lake_or_generated(args.lake, root, ccgs=4, patients=400_000)
        log = (args.log or root / "phases.log").resolve()
        log.unlink(missing_ok=True)
        os.environ[LOG] = str(log)
        _instrument()
        from consortia.cli import main

        out = root / "packs"
        sys.argv = ["consortia", "pack", "--data", str(lake), "--all-ccgs", "--out", str(out)]
        began = time.perf_counter()
        try:
            main()
        finally:
            print(f"the whole command: {time.perf_counter() - began:.1f} s")
            _summary(log)
