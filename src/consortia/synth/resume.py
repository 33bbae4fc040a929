"""An interrupted `consortia synth` continues where it stopped, never tearing or repeating a part.

The lake (and its ground truth) is written into a hidden folder beside its destination,
`.NAME.partial`, which holds the plan it follows (`_plan.json`: seed, sizes, version). Every
part file is written whole (a temporary file renamed into place), and once all of a block's
parts are written its result is noted in `_finished/NNNNN.npz`, also written whole. A run with
the same plan keeps the finished blocks and makes the others again: a block's parts are the
same in any run (its random stream is its own), and each has one file name, so a part is never
torn nor written twice. A run with another plan starts afresh. One run at a time may write a
destination (a lock beside it); the destination itself changes only when everything is done.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from consortia.engine.lake import replace_whole
from consortia.errors import UsageError
from consortia.synth.blocks import BlockResult

FINISHED = "_finished"
PLAN = "_plan.json"


def staging_of(destination: Path) -> Path:
    """Where the destination is written until it is complete."""
    return destination.with_name(f".{destination.name}.partial")


@contextmanager
def partial(destination: Path, plan: dict[str, Any]) -> Iterator[Path]:
    """The partial folder of `destination` for `plan`, kept from an earlier run of the same
    plan; left in place if the work stops, so that it can go on."""
    staging = staging_of(destination)
    with _locked(destination.with_name(f".{destination.name}.lock")):
        if staging.exists() and _plan_of(staging) != plan:
            shutil.rmtree(staging)
        elif staging.exists():
            _remove_temporaries(staging)
        staging.mkdir(exist_ok=True)
        replace_whole(staging / PLAN, lambda path: path.write_text(json.dumps(plan, indent=2)))
        yield staging


def _remove_temporaries(staging: Path) -> None:
    """Remove the temporary files a killed run was writing when it died (`replace_whole`
    names them `.NAME.PID.tmp`); under the lock, no one else is writing them."""
    for temporary in staging.rglob(".*.tmp"):
        temporary.unlink(missing_ok=True)


def done_with(staging: Path) -> None:
    """Remove what only a partial folder holds: its plan and the notes of finished blocks."""
    (staging / PLAN).unlink(missing_ok=True)
    shutil.rmtree(staging / FINISHED, ignore_errors=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold `path`'s lock, or refuse: another run is writing the same destination."""
    # A POSIX record lock (`lockf`): held by this process alone, never by the workers it forks,
    # and released by the system however the process ends.
    with path.open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if not _same_file(handle.fileno(), path):  # unlinked by a run that just finished
                raise BlockingIOError(errno.EAGAIN, "the lock file was replaced")
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise UsageError(
                f"another consortia synth is writing {path.with_suffix('').name.lstrip('.')} "
                "(wait for it to finish)",
                rule="one run per destination",
            ) from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def _same_file(descriptor: int, path: Path) -> bool:
    """Whether the open file is still the one at `path` (a finishing run removes its lock file:
    a lock taken on the removed file guards nothing)."""
    try:
        return os.fstat(descriptor).st_ino == path.stat().st_ino
    except OSError:
        return False


def _plan_of(staging: Path) -> Any:
    """The plan a partial folder follows (None when unreadable: it is then started again)."""
    try:
        return json.loads((staging / PLAN).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def note(folder: Path, result: BlockResult) -> None:
    """Record that block `result.number` is finished, with what it counted."""
    practices = np.flatnonzero(result.registered.any(axis=1))

    def save(path: Path) -> None:
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                practices=practices,
                registered=result.registered[practices],
                shape=np.asarray(result.registered.shape),
                patients=np.asarray(result.patients),
                rows=np.asarray(json.dumps(result.rows)),
            )

    replace_whole(folder / f"{result.number:05d}.npz", save)


def finished(folder: Path, number: int) -> BlockResult | None:
    """Block `number`'s result if an earlier run finished it (None otherwise, or if its note
    cannot be read: the block is then made again)."""
    path = folder / f"{number:05d}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            registered = np.zeros(tuple(saved["shape"]), dtype=np.int64)
            registered[saved["practices"]] = saved["registered"]
            rows = json.loads(str(saved["rows"]))
            return BlockResult(number, int(saved["patients"]), rows, registered)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
