"""`consortia ingest`: import a delivery of extracts into a lake, dataset by dataset.

Files are imported in the schema's order (organisations, then people, then their care), so
each record's references are checked against what the lake holds by then. Each file is its
own batch (`batch.import_file`); one rejected file does not stop the others, and the run
reports every file's outcome.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consortia.errors import UsageError
from consortia.ingest import ledger
from consortia.ingest.batch import STAGING, Outcome, import_file
from consortia.ingest.pseudonym import Key
from consortia.schema import extract
from consortia.schema.datasets import DATASETS

MAX_SHARE = 0.01  # a batch losing more than 1 record in 100 is more likely the wrong file


def sources(source: Path, dataset: str | None = None) -> tuple[list[tuple[Path, str]], list[Path]]:
    """The extract files of `source` (a file or a folder) with their datasets, in the order
    they are imported, and the files of a folder whose names say no dataset."""
    if dataset is not None and dataset not in DATASETS:
        raise UsageError(
            f"unknown dataset {dataset!r}; datasets are {', '.join(DATASETS)}", field="--dataset"
        )
    if source.is_file():
        named = dataset or extract.dataset_of(source)
        if named is None:
            raise UsageError(
                "the file's name says no dataset (apc.csv, apc-2014-05.csv, op.parquet): give "
                "--dataset",
                file=str(source),
            )
        return [(source, named)], []
    if not source.is_dir():
        raise UsageError("no file or folder of extracts there", file=str(source))
    if dataset is not None:
        raise UsageError(
            "--dataset names the dataset of one file, not of a folder", field="--dataset"
        )
    found, unknown = [], []
    for path in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
        name = extract.dataset_of(path)
        if name is None:
            unknown.append(path)
        else:
            found.append((path, name))
    order = list(DATASETS)
    # by dataset, then name without its suffix: ccg.csv before ccg-resent.csv, months in order
    found.sort(key=lambda item: (order.index(item[1]), item[0].name[: -len(item[0].suffix)]))
    return found, unknown


def _prepare(lake: Path) -> None:
    if lake.exists() and not lake.is_dir():
        raise UsageError("not a folder: a lake is a folder", file=str(lake), field="--into")
    try:
        lake.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"cannot make the lake ({error.strerror or type(error).__name__})", file=str(lake)
        ) from None


def _clear_staging(lake: Path) -> None:
    """Remove what killed imports left in staging (under the lock, no import is running)."""
    for folder in (lake / ledger.FOLDER).glob(f"{STAGING}*"):
        shutil.rmtree(folder, ignore_errors=True)


def ingest(
    con: Any,
    files: list[tuple[Path, str]],
    lake: Path,
    key: Key,
    max_share: float = MAX_SHARE,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Import `files` into `lake` under `key`; each file's outcome, in order."""
    if not 0.0 <= max_share <= 1.0:  # NaN too
        raise UsageError("a share from 0 to 1", field="--max-quarantined")
    _prepare(lake)
    with ledger.locked(lake):
        ledger.require_key(lake, key.check)
        _clear_staging(lake)
        sizes = [_size(path) for path, _ in files]
        total = sum(sizes)
        done = 0
        outcomes = []
        for (path, dataset), size in zip(files, sizes, strict=True):

            def moved(position: int, before: int = done, size: int = size) -> None:
                if progress:
                    progress(before + min(position, size), total)

            outcomes.append(import_file(con, path, dataset, lake, key, max_share, moved))
            done += size
            if progress:
                progress(done, total)
        ledger.write(lake, key.check)
    return outcomes


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
