"""A lake checked once per content: the stamp a clean check leaves, and when it still holds.

Checking every rule of a lake reads all of it (seconds on the demo lake, minutes at England's
size), and a pack must never be built from data that breaks a rule. A clean check therefore
leaves `_checked.json` in the lake: the schema's rules it checked (a SHA-256 of their
definitions) and, for each dataset, every part's name, size, modification time and inode — the
stat information git's index keeps for the same purpose. Writing a part changes them, so a
stamp holds only while the parts it names are the parts it checked; a later command that needs
those datasets under the same rules skips the check. A lake that cannot be written (a
read-only share) is simply checked each time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from consortia import __version__
from consortia.engine.lake import Lake, write_whole
from consortia.schema.datasets import DATASETS

STAMP = "_checked.json"
FORMAT = 1
KEEP = 8  # clean checks remembered (of different sets of datasets, or rules)


def rules(name: str) -> str:
    """SHA-256 of a dataset's rules as the schema defines them (columns, codes, references)."""
    return hashlib.sha256(f"{__version__}\n{DATASETS[name]!r}".encode()).hexdigest()


def fingerprint(lake: Lake, names: Iterable[str]) -> dict[str, Any]:
    """What a clean check of `names` vouches for: each dataset's rules and parts."""
    return {name: {"rules": rules(name), "parts": lake.identities(name)} for name in names}


def _stamped(path: Path) -> list[dict[str, Any]]:
    try:
        stamp = json.loads((path / STAMP).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return []  # no stamp, or one not worth trusting: check again
    if not isinstance(stamp, dict) or stamp.get("format") != FORMAT:
        return []
    checks = stamp.get("checks")
    return [c for c in checks if isinstance(c, dict)] if isinstance(checks, list) else []


def holds(path: Path, current: dict[str, Any]) -> bool:
    """Whether one clean check, under today's rules, vouches for every dataset of `current` (a
    `fingerprint` of the lake as it is). One check, because a dataset's references were checked
    against the parts of the others checked with it."""
    return any(
        all(check.get(name) == parts for name, parts in current.items()) for check in _stamped(path)
    )


def open_vouched(backend: Any, path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The lake's datasets `names` as backend tables; parts a clean check still vouches for
    are not read again to open (the check read every footer)."""
    lake = Lake(path)
    whole = holds(path, fingerprint(lake, names))
    return dict(lake.open(backend, names, whole=whole))


def record(path: Path, checked: dict[str, Any]) -> None:
    """Note that the datasets of `checked` (their `fingerprint`, taken before the check began,
    so a part written during it is checked again) were found clean, after the last few checks.

    Best effort: the stamp is written whole (a temporary file renamed over it) or not at all.
    """
    text = json.dumps({"format": FORMAT, "checks": [*_stamped(path), checked][-KEEP:]}, indent=1)
    write_whole(path / STAMP, lambda temporary: temporary.write_text(text + "\n", "utf-8"))
