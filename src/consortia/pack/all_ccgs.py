"""Every CCG's pack in one pass over the lake, and the national comparison beside them.

One run serves every CCG: results about everyone (kept beside the lake) are computed once and
each CCG's are sliced from them, so the work grows with the lake, not with CCGs × lake. Each
CCG's pack is the one `consortia pack --ccg` writes; the national page compares the CCGs.

Drawing a pack's pages is Python's work, on one core. Once the first pack has computed and
kept what every pack reads, the others are therefore drawn by worker processes, one per core
the run may use (`CONSORTIA_THREADS`): each opens the lake itself and reads the kept results,
with its share of the engine's memory, while this process draws the national comparison.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ByteSize, TypeAdapter

from consortia.analyses.scope import Scope
from consortia.config import Settings
from consortia.engine.backends import checking, connect, is_duckdb
from consortia.engine.derived import Derived
from consortia.engine.lake import Lake, write_whole
from consortia.errors import DataError, ResourceError, out_of_memory
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
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules

NATIONAL = "national"  # the national comparison's folder, beside each CCG's
EVERYONE = "Every CCG in the data"

ORPHAN_CHECK = 1.0  # seconds between a worker's looks for the process that started it
Job = tuple[str, str, Path, list[Path]]  # a CCG's code and name, its folder, its previous tables


@dataclass(frozen=True)
class Packs:
    """Every CCG's pack and the national comparison, written under `folder`."""

    folder: Path
    national: Pack
    packs: tuple[Path, ...]  # each CCG's pack folder, in the order of the CCGs' codes


def build_all(
    backend: Any,
    lake_path: Path,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
    cache: Path | None = None,
    workers: int = 1,
    rules: Rules = RULES,
) -> Packs:
    """Write the pack of every CCG with registered patients to `out/CODE/`, and the national
    comparison to `out/national/`; every destination is checked before any work. With more
    than one of `workers` (on DuckDB, with the results kept beside the lake), the packs after
    the first are drawn by that many worker processes."""
    assets.check()
    check_folder_of_packs(out, overwrite)
    require_valid(checking(backend), lake_path, DATASETS)
    tables = open_tables(backend, lake_path)
    derived = Derived(Lake(lake_path), backend, cache)
    everyone = Context(backend, tables, Scope(), EVERYONE, derived, rules=rules)
    ccgs = reported_ccgs(everyone)
    if not ccgs:
        raise DataError("no CCG in the lake has registered patients", file=str(lake_path))
    folders = {code: out / code for code in ccgs} | {NATIONAL: out / NATIONAL}
    previous = {code: check_destination(folder, overwrite) for code, folder in folders.items()}
    jobs: list[Job] = [(code, name, folders[code], previous[code]) for code, name in ccgs.items()]
    # The first pack computes what every other pack reads (most of a cold run's time): the
    # bar counts its figures one by one, then every other pack and the national comparison.
    first_steps = len(builders())
    done = _Done(first_steps + len(jobs), progress)
    # Named before any pack is drawn: a run stopped half-way leaves a folder a new run accepts.
    manifest = {"national": NATIONAL, "ccgs": {code: code for code in ccgs}}
    write_whole(out / MANIFEST, lambda path: path.write_text(json.dumps(manifest, indent=2) + "\n"))

    def comparison() -> Pack:
        return national_pack(everyone, ccgs, folders[NATIONAL], previous[NATIONAL])

    write_ccg_pack(everyone, *jobs[0], progress=done.step)  # keeps what every pack reads
    rest = jobs[1:]
    pooled = min(workers, len(rest))
    if pooled > 1 and is_duckdb(backend) and derived.all_kept:
        national = _in_workers(backend, lake_path, cache, pooled, rest, done, comparison, everyone)
    else:
        for job in rest:
            write_ccg_pack(everyone, *job)
            done.one()
        national = comparison()
    done.one()
    return Packs(out, national, tuple(folders[code] for code in ccgs))


def write_ccg_pack(
    everyone: Context,
    code: str,
    name: str,
    folder: Path,
    previous: list[Path],
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write one CCG's pack, its results sliced from everyone's; its folder. `progress` is
    told of each of its figures as it is made."""
    context = Context(
        everyone.backend,
        everyone.tables,
        Scope(ccg=code),
        name,
        everyone.derived,
        within=everyone.shared,
        rules=everyone.rules,
    )
    figures = figures_of(context, builders(), progress)
    return write_pack(folder, previous, figures, code, name).folder


def national_pack(
    everyone: Context, ccgs: dict[str, str], folder: Path, previous: list[Path]
) -> Pack:
    """Write the national comparison: every CCG against the others, linking each one's pack."""
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
    return write_pack(folder, previous, figures, NATIONAL, EVERYONE, page)


class _Done:
    """Counts finished pages for the progress bar, from this process and the pool's thread."""

    def __init__(self, steps: int, progress: Callable[[int, int], None] | None) -> None:
        self.steps, self.progress, self.count = steps, progress, 0
        self.lock = threading.Lock()

    def drawn(self, future: Future[Path]) -> None:
        """Count a worker's pack, when it was drawn (not cancelled, not failed)."""
        if not future.cancelled() and future.exception() is None:
            self.one()

    def step(self, _done: int, _of: int) -> None:
        """Count one figure of the first pack made (as `figures_of` tells its progress)."""
        self.one()

    def one(self) -> None:
        """Count one step done: a figure of the first pack, or a page drawn."""
        with self.lock:
            self.count += 1
            if self.progress:
                self.progress(self.count, self.steps)


@dataclass(frozen=True)
class _Worker:
    """What a worker process needs to open the lake as this one did."""

    lake: Path
    cache: Path | None
    threads: int
    memory: int  # bytes of the engine's memory it may use
    rules: Rules  # the small-number rules the packs are released under
    # What the first pack worked out in Python for every CCG alike (the allocation, the
    # budget simulation, the risk models): given, not worked out again by each worker.
    remembered: dict[Hashable, bytes]
    parent: int  # the process that started it: gone, the worker ends


def _in_workers(
    backend: Any,
    lake: Path,
    cache: Path | None,
    workers: int,
    jobs: list[Job],
    done: _Done,
    meanwhile: Callable[[], Pack],
    everyone: Context,
) -> Pack:
    """Each job's pack drawn by `workers` processes, while this one runs `meanwhile`; its
    result. The engine's memory is shared out: each process, this one too, gets an equal part;
    what `everyone`'s run remembers is given to each."""
    con = backend.con
    own_limit = str(con.sql("SELECT current_setting('memory_limit')").fetchone()[0])
    threads = int(con.sql("SELECT current_setting('threads')").fetchone()[0])
    share = int(TypeAdapter(ByteSize).validate_python(own_limit)) // (workers + 1)
    spawn = multiprocessing.get_context("spawn")  # never fork a process that holds an engine
    con.execute(f"SET memory_limit = '{share}B'")
    try:
        setup = _Worker(
            lake, cache, max(1, threads // workers), share, everyone.rules,
            _portable(everyone.shared.memory), os.getpid(),
        )  # fmt: skip
        pool = ProcessPoolExecutor(workers, spawn, _start_worker, (setup,))
        try:
            pending = [pool.submit(_draw, *job) for job in jobs]
            for future in pending:
                future.add_done_callback(done.drawn)
            made = meanwhile()
            for future in pending:
                future.result()  # a worker's error, raised here
        except BrokenProcessPool:
            raise ResourceError(
                "a worker process drawing the packs stopped before it finished (killed, "
                "perhaps by the system for want of memory); lower CONSORTIA_THREADS or "
                "raise the machine's memory",
                rule="worker processes",
            ) from None
        finally:  # on an error or an interrupt, no pack not yet begun is drawn
            pool.shutdown(cancel_futures=True)
    finally:
        con.execute(f"SET memory_limit = '{own_limit}'")
    return made


_EVERYONE: Context | None = None  # in a worker process: the lake opened, as the parent's run
_FAILED: Exception | None = None  # in a worker process: why it could not open the lake
_SPILL: list[Path] = []  # in a worker process: its engine's spill folder, once it has one


def _start_worker(worker: _Worker) -> None:
    """Open the lake in a worker process. An error is kept and raised by each of its jobs, as
    the user's error it is (one raised here would only say the pool broke)."""
    global _EVERYONE, _FAILED
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the parent's to answer
    threading.Thread(target=_stop_when_orphaned, args=(worker.parent,), daemon=True).start()
    from consortia.cli import GC_THRESHOLD

    gc.set_threshold(*GC_THRESHOLD)
    try:
        settings = Settings(threads=worker.threads, memory_limit=f"{worker.memory}B")
        backend = connect("duckdb", settings)
        folder = backend.con.sql("SELECT current_setting('temp_directory')").fetchone()[0]
        _SPILL.append(Path(folder))  # its own (`spill_folder`), removed when it ends
        tables = open_tables(backend, worker.lake)
        derived = Derived(Lake(worker.lake), backend, worker.cache)
        _EVERYONE = Context(backend, tables, Scope(), EVERYONE, derived, rules=worker.rules)
        _EVERYONE.shared.memory.update(_unpacked(worker.remembered))
    except Exception as error:  # raised by the worker's first job
        _FAILED = error


def _stop_when_orphaned(parent: int) -> None:
    """End this worker once `parent`, the process that started it, is gone (killed, it could
    not say so; perhaps before this worker began), rather than go on drawing packs nobody will
    collect, holding its memory. Its engine's spill folder is removed first: leaving by
    `os._exit`, the process would not remove it at exit."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    for folder in _SPILL:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)


def _portable(memory: dict[Hashable, Any]) -> dict[Hashable, bytes]:
    """The entries of `memory` that can be written for another process, each pickled once
    here (what cannot is simply not given, and is worked out again there, as before)."""
    portable = {}
    for key, value in memory.items():
        try:
            portable[key] = pickle.dumps(value)
        except Exception:  # a function, a lock: whatever cannot cross
            continue
    return portable


def _unpacked(portable: dict[Hashable, bytes]) -> dict[Hashable, Any]:
    """`_portable`'s entries read back in the worker: those that come back whole (an error
    that pickles but cannot be rebuilt from its arguments is worked out again instead)."""
    found = {}
    for key, data in portable.items():
        try:
            found[key] = pickle.loads(data)  # written by the parent process just before
        except Exception:
            continue
    return found


def _draw(code: str, name: str, folder: Path, previous: list[Path]) -> Path:
    """Write one CCG's pack in a worker process; the engine running out of memory is raised
    as the user's error (the engine's own exception does not cross processes)."""
    try:
        if _EVERYONE is None:
            raise _FAILED or RuntimeError("the worker process did not open the lake")
        return write_ccg_pack(_EVERYONE, code, name, folder, previous)
    except Exception as error:
        resource = out_of_memory(error)
        if resource is None:
            raise
        raise resource from None
