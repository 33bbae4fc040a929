"""Every CCG's pack in one pass against one pack per CCG, as whole processes.

Times `consortia pack --all-ccgs` on a lake of several CCGs (default: generates 20 CCGs of
3 million patients under a temporary folder) — first on the lake as generated (it checks the
lake and computes the results over everyone), then again with those kept — beside the single
pack of one CCG on the same lake, and reports the cost per CCG, the peak memory, and the
projection to England's 211 CCGs (issue 10's goal: under 10 minutes). With `--cold`, the first
run starts from nothing the command keeps: the lake's kept results (`_derived/`) and check
stamp (`_checked.json`) are removed first, and it is given an empty plan cache. Run (England:
`CONSORTIA_MEMORY_LIMIT=4GB` and `--lake ENGLAND --cold`):
`.venv/bin/python bench/bench_all_ccgs.py [--lake LAKE --ccg 00A --cold]`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from consortia.engine.derived import FOLDER
from consortia.ingest.checked import STAMP
from consortia.pack.destination import MANIFEST
from measure import CONSORTIA, lake_or_generated, measure

ENGLAND = 211


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, help="a lake of several CCGs (default: generate)")
    parser.add_argument("--ccg", default="00A")
    parser.add_argument("--cold", action="store_true", help="start from nothing kept")
    args = parser.parse_args()
    consortia = CONSORTIA
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        lake = lake_or_generated(args.lake, root, ccgs=20, patients=3_000_000)
        out = root / "packs"
        if args.cold:
            shutil.rmtree(lake / FOLDER, ignore_errors=True)
            (lake / STAMP).unlink(missing_ok=True)
            os.environ["CONSORTIA_CACHE_DIR"] = str(root / "cache")
        every = [consortia, "pack", "--data", str(lake), "--all-ccgs", "--out", str(out)]
        first = measure(every)
        kept = measure(every)
        packs = len(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["ccgs"])
        one = measure(
            [consortia, "pack", "--data", str(lake), "--ccg", args.ccg, "--out", str(root / "one")]
        )
    print(f"lake: {lake} ({packs} CCGs with a pack){', cold' if args.cold else ''}")
    print(
        f"--all-ccgs, first on the lake: {first.seconds:7.1f} s, peak {first.peak_bytes >> 20} MiB"
    )
    print(f"--all-ccgs, results kept:      {kept.seconds:7.1f} s, peak {kept.peak_bytes >> 20} MiB")
    print(f"  per CCG (kept):              {kept.seconds / (packs + 1):7.2f} s")
    print(f"one CCG's pack ({args.ccg}), kept:    {one.seconds:7.1f} s")
    print(f"  one pass / {packs} single packs:  {kept.seconds / (packs * one.seconds):7.2f}")
    print(
        f"England ({ENGLAND} CCGs) at the kept cost per CCG: "
        f"{kept.seconds / (packs + 1) * (ENGLAND + 1) / 60:.1f} min (excluding the first pass)"
    )


if __name__ == "__main__":
    main()
