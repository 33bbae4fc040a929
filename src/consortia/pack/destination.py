"""Where a pack is written: refused before any work if it cannot be written or holds other things.

A pack replaces only its own files: `pack.html`, `pack.json` and the tables a previous pack
listed in its `pack.json`. Anything else in the folder is left as it was.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from consortia.errors import UsageError

INDEX = "pack.json"
HTML = "pack.html"
TABLES = "tables"
MANIFEST = "packs.json"  # in a folder of every CCG's pack: which packs it holds


def previous_tables(out: Path) -> list[Path] | None:
    """The table files of the pack already in `out`, or None if `out` holds no pack."""
    try:
        index = json.loads((out / INDEX).read_text(encoding="utf-8"))
        tables = [out / str(figure["table"]) for figure in index["figures"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    inside = (out / TABLES).resolve()
    return [t for t in tables if t.suffix == ".csv" and t.resolve().parent == inside]


def _writable(folder: Path) -> None:
    try:
        with tempfile.TemporaryDirectory(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(
            f"cannot write to {folder}: {reason}", field="--out", rule="writable folder"
        ) from None


def check_folder_of_packs(out: Path, overwrite: bool = False) -> None:
    """Refuse `out` as the folder of every CCG's pack unless it is new, empty, or holds packs
    written there before (its `packs.json`); creates nothing."""
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()) and not overwrite:
        raise UsageError(
            f"{out} holds files that are not commissioning packs; choose an empty folder or "
            "pass --overwrite (only the packs' own files are replaced)",
            field="--out",
        )
    check_destination(out, overwrite=True)


def check_destination(out: Path, overwrite: bool = False) -> list[Path]:
    """Refuse `out` unless a pack can be written there; returns a previous pack's tables.

    Creates nothing: the nearest existing folder is tried for writing instead.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder", field="--out")
    if out.is_dir():
        previous = previous_tables(out)
        if previous is None and any(out.iterdir()) and not overwrite:
            raise UsageError(
                f"{out} holds files that are not a commissioning pack; choose an empty folder "
                "or pass --overwrite (only the pack's own files are replaced)",
                field="--out",
            )
        _writable(out)
        return previous or []
    ancestor = out.absolute().parent
    while not ancestor.exists() and not ancestor.is_symlink():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"cannot write to {out}: {ancestor} is not a folder", field="--out")
    _writable(ancestor)
    return []


def remove_stale(out: Path, previous: list[Path], written: list[Path]) -> None:
    """Delete the tables of a previous pack that this pack did not write again."""
    kept = {p.resolve() for p in written}
    for table in previous:
        if table.resolve() not in kept and table.is_file():
            table.unlink()
