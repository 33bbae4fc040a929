"""Every CCG's pack in one pass over the lake, and the national comparison beside them.

One run serves every CCG: results about everyone (kept beside the lake) are computed once and
each CCG's are sliced from them, so the work grows with the lake, not with CCGs × lake. Each
CCG's pack is the one `consortia pack --ccg` writes; the national page compares the CCGs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consortia.analyses.scope import Scope
from consortia.engine.backends import checking
from consortia.engine.derived import Derived
from consortia.engine.lake import Lake, write_whole
from consortia.errors import DataError
from consortia.ingest.validate import require_valid
from consortia.pack import assets
from consortia.pack.build import (
    DATASETS,
    Pack,
    builders,
    figures_of,
    open_tables,
    reported_ccgs,
    write_pack,
)
from consortia.pack.context import Context
from consortia.pack.destination import HTML, MANIFEST, check_destination, check_folder_of_packs
from consortia.pack.html import Page
from consortia.pack.sections import national as national_section

NATIONAL = "national"  # the national comparison's folder, beside each CCG's
EVERYONE = "Every CCG in the data"


@dataclass(frozen=True)
class Packs:
    """Every CCG's pack and the national comparison, written under `folder`."""

    folder: Path
    national: Pack
    packs: tuple[Pack, ...]


def build_all(
    backend: Any,
    lake_path: Path,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
    cache: Path | None = None,
) -> Packs:
    """Write the pack of every CCG with registered patients to `out/CODE/`, and the national
    comparison to `out/national/`; every destination is checked before any work."""
    assets.check()
    check_folder_of_packs(out, overwrite)
    require_valid(checking(backend), lake_path, DATASETS)
    tables = open_tables(backend, lake_path)
    derived = Derived(Lake(lake_path), backend, cache)
    everyone = Context(backend, tables, Scope(), EVERYONE, derived)
    ccgs = reported_ccgs(everyone)
    if not ccgs:
        raise DataError("no CCG in the lake has registered patients", file=str(lake_path))
    folders = {code: out / code for code in ccgs} | {NATIONAL: out / NATIONAL}
    previous = {code: check_destination(folder, overwrite) for code, folder in folders.items()}
    steps = len(ccgs) + 1
    packs = []
    for done, (code, name) in enumerate(ccgs.items(), start=1):
        context = Context(backend, tables, Scope(ccg=code), name, derived, within=everyone.shared)
        figures = figures_of(context, builders())
        packs.append(write_pack(folders[code], previous[code], figures, code, name))
        if progress:
            progress(done, steps)
    page = Page(
        heading="National comparison",
        caption=f"{EVERYONE}: {len(ccgs)} CCGs",
        summary=(
            "Every CCG in the data compared with the others on each measure of practice "
            "variation, and the spread of practices across all of them, each with its method "
            "and confidence. Each CCG's own pack is linked below."
        ),
        links_title="Each CCG's commissioning pack",
        links=tuple((f"{name} ({code})", f"../{code}/{HTML}") for code, name in ccgs.items()),
    )
    figures = figures_of(everyone, national_section.builders())
    comparison = write_pack(
        folders[NATIONAL], previous[NATIONAL], figures, NATIONAL, EVERYONE, page
    )
    if progress:
        progress(steps, steps)
    manifest = {"national": NATIONAL, "ccgs": {code: code for code in ccgs}}
    write_whole(out / MANIFEST, lambda path: path.write_text(json.dumps(manifest, indent=2) + "\n"))
    return Packs(out, comparison, tuple(packs))
