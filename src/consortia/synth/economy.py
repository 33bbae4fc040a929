"""`consortia synth`: a whole synthetic health economy, written as a lake plus its ground truth.

The economy is planned in the parent process (organisations, calibration, blocks of practices),
blocks are generated in parallel worker processes, and the lake appears at its destination only
when complete: it is written beside it first and moved into place at the end, so an interrupted
run leaves nothing half-written and an existing lake is never lost.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from consortia import __version__
from consortia.engine.derived import FOLDER as DERIVED
from consortia.engine.lake import LAKE_FORMAT, MANIFEST, Lake
from consortia.errors import DataError, UsageError
from consortia.ingest.checked import STAMP
from consortia.schema.datasets import DATASETS
from consortia.synth import calibrate, organisations, params, payments, people, resume
from consortia.synth.activity import Setting
from consortia.synth.blocks import BlockJob, BlockResult, run, write
from consortia.synth.calendar import FINANCIAL_YEARS, QUARTER_DAYS, START
from consortia.synth.truth import write_truth

BLOCK_PATIENTS = 50_000
TRUTH_MANIFEST = "_truth.json"
# Truth folders written before the truth manifest: these entries and nothing else.
_OLD_TRUTH = frozenset(
    {"model.json", "practice_effects.parquet", "ccg_investment.parquet", "emergency_risk"}
)
# England's registered population is about 56 million; twice that is no health economy.
MAX_PATIENTS = 100_000_000
# Organisation codes stay distinct within the schema's patterns up to this many CCGs
# (England had 211 in April 2013).
MAX_CCGS = 1_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Request:
    """What to generate and where."""

    out: Path
    truth: Path
    patients: int = 300_000
    ccgs: int = 1
    seed: int = 2013
    workers: int = 2
    overwrite: bool = False
    ccg_patients: tuple[int, ...] | None = None  # each CCG's patients (a preset's), else drawn
    list_size: int = params.DEMO_LIST_SIZE  # mean patients per practice


@dataclass(frozen=True)
class Summary:
    """What was written."""

    lake: Path
    truth: Path
    patients: int
    rows: dict[str, int]


def default_truth(out: Path) -> Path:
    """The ground-truth folder beside a lake: `<lake>-truth`."""
    return out.with_name(out.name + "-truth")


def check(request: Request) -> None:
    """Refuse a request that cannot be carried out, before any work is done."""
    if request.patients < 1:
        raise UsageError("--patients must be at least 1", rule="patients ≥ 1")
    if request.patients > MAX_PATIENTS:
        raise UsageError(
            f"--patients must be at most {MAX_PATIENTS:,}", rule=f"patients ≤ {MAX_PATIENTS:,}"
        )
    if request.ccgs < 1:
        raise UsageError("--ccgs must be at least 1", rule="ccgs ≥ 1")
    if request.ccgs > MAX_CCGS:
        raise UsageError(
            f"--ccgs must be at most {MAX_CCGS:,} (organisation codes would repeat)",
            rule=f"ccgs ≤ {MAX_CCGS:,}",
        )
    if request.ccgs > request.patients:
        raise UsageError("--ccgs cannot exceed --patients", rule="ccgs ≤ patients")
    if request.seed < 0:
        raise UsageError("--seed must not be negative", rule="seed ≥ 0")
    if request.workers < 1:
        raise UsageError("--workers must be at least 1", rule="workers ≥ 1")
    if request.ccg_patients is not None and (
        len(request.ccg_patients) != request.ccgs or sum(request.ccg_patients) != request.patients
    ):
        raise UsageError("each CCG's patients must add up to --patients, one size per CCG")
    if request.truth.resolve().is_relative_to(request.out.resolve()):
        raise UsageError("the ground truth must not be written inside the lake")
    for folder, foreign in ((request.out, _not_lake), (request.truth, _not_truth)):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise UsageError(f"{folder} exists and is not a folder")
        if folder.exists() and any(folder.iterdir()):
            if not request.overwrite:
                raise UsageError(
                    f"{folder} already holds data; choose an empty folder or pass --overwrite"
                )
            reason = foreign(folder)
            if reason:
                raise UsageError(
                    f"synth replaces only what it wrote, and {folder} {reason}; "
                    "move it or choose another folder",
                    rule="synth replaces only its own output",
                )
        _check_writable(folder.resolve().parent)


def _foreign_entry(folder: Path, allowed: set[str]) -> str | None:
    for entry in sorted(folder.iterdir()):
        if entry.name not in allowed:
            return f"holds {entry.name}, which synth did not write"
    return None


def _not_lake(folder: Path) -> str | None:
    """Why `folder` is not a lake synth wrote (None if it is one)."""
    try:
        generator = str(Lake(folder).manifest()["generator"])
    except (DataError, KeyError):
        return f"has no readable {MANIFEST} manifest of a generated lake"
    if not (generator.startswith("consortia ") and generator.endswith(" synth")):
        return f"was written by {generator!r}, not by consortia synth"
    # The stamp of a clean check and the derived aggregates are consortia's own, replaced with it.
    return _foreign_entry(folder, {MANIFEST, STAMP, DERIVED, *DATASETS})


def _not_truth(folder: Path) -> str | None:
    """Why `folder` is not a ground truth synth wrote (None if it is one)."""
    try:
        entries = json.loads((folder / TRUTH_MANIFEST).read_text(encoding="utf-8"))["entries"]
        allowed = {TRUTH_MANIFEST, *(str(e) for e in entries)}
    except FileNotFoundError:
        if not (folder / "model.json").is_file():
            return f"has no {TRUTH_MANIFEST} manifest of a generated ground truth"
        allowed = set(_OLD_TRUTH)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return f"has no readable {TRUTH_MANIFEST} manifest of a generated ground truth"
    return _foreign_entry(folder, allowed)


def _check_writable(parent: Path) -> None:
    """Refuse a destination whose parent folder cannot be created or written."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=parent):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot write to {parent}: {reason}", rule="writable folder") from None


def plan_blocks(list_size: np.ndarray) -> list[np.ndarray]:
    """Consecutive practices grouped into blocks of about BLOCK_PATIENTS registered patients."""
    blocks: list[list[int]] = [[]]
    total = 0
    for index, size in enumerate(list_size):
        if blocks[-1] and total + size > BLOCK_PATIENTS:
            blocks.append([])
            total = 0
        blocks[-1].append(index)
        total += int(size)
    return [np.array(b, dtype=np.int64) for b in blocks]


def setting_of(orgs: organisations.Organisations) -> Setting:
    """What activity generation needs to know of the organisations, by practice."""
    ccg = orgs.practices.ccg
    return Setting(
        effects=orgs.practices.effects,
        provider_shares=orgs.practices.provider_shares,
        nhs_providers=orgs.ccgs.nhs_providers[ccg],
        independent_providers=orgs.ccgs.independent_providers[ccg],
        provider_codes=tuple(orgs.providers.code),
    )


def synthesise(request: Request, progress: Progress | None = None) -> Summary:
    """Generate the economy described by `request`; returns what was written."""
    check(request)
    rng = np.random.default_rng(np.random.SeedSequence(request.seed, spawn_key=(0,)))
    orgs = organisations.organisations(
        rng,
        patients=request.patients,
        n_ccgs=request.ccgs,
        ccg_patients=request.ccg_patients,
        list_size=request.list_size,
    )
    levels = calibrate.levels()
    setting = setting_of(orgs)
    practices = orgs.practices
    plan = _plan(request)
    with _staging(request.out, plan) as lake, _staging(request.truth, plan) as truth:
        jobs = [
            BlockJob(
                number=number,
                seed=request.seed,
                practices=people.PracticeSlice(
                    index=members,
                    list_size=practices.list_size[members],
                    age_tilt=practices.age_tilt[members],
                    deprivation_decile=practices.deprivation_decile[members],
                    closed_day=practices.closed_day[members],
                ),
                practice_codes=tuple(practices.code),
                closed_day=practices.closed_day,
                moves=practices.moves,
                setting=setting,
                levels=levels,
                lake=lake,
                truth=truth,
            )
            for number, members in enumerate(plan_blocks(practices.list_size))
        ]
        made = _run_all(jobs, request, lake / resume.FINISHED, len(practices), progress)
        registered = made.registered
        tables = {
            "ccg": orgs.ccgs.table(),
            "practice": practices.table(),
            "clinician": orgs.clinicians(rng),
            "provider": orgs.providers.table(),
            "practice_payment": payments.practice_payments(rng, orgs, registered),
        }
        for name, data in tables.items():
            write(lake, name, 0, data)
        rows = {name: data.num_rows for name, data in tables.items()} | made.rows
        _write_manifest(lake, request, rows)
        write_truth(truth, orgs, registered, levels)
        entries = sorted(e.name for e in truth.iterdir() if e.name != resume.PLAN)
        (truth / TRUTH_MANIFEST).write_text(json.dumps({"entries": entries}, indent=2) + "\n")
    return Summary(request.out, request.truth, made.patients, rows)


@dataclass
class Made:
    """What the blocks wrote, summed as each finishes (no block's result is kept)."""

    registered: np.ndarray  # (practices, quarter days): see `BlockResult.registered`
    patients: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, result: BlockResult) -> None:
        """Count one block in. A patient of one block may re-register at a practice of
        another, so registrations are summed over blocks."""
        self.registered += result.registered
        self.patients += result.patients
        for name, count in result.rows.items():
            self.rows[name] = self.rows.get(name, 0) + count


def _run_all(
    jobs: list[BlockJob],
    request: Request,
    finished: Path,
    n_practices: int,
    progress: Progress | None,
) -> Made:
    """Generate every block not already finished (by an earlier, interrupted run), noting each
    as it finishes, and count them all in."""
    made = Made(np.zeros((n_practices, len(QUARTER_DAYS)), dtype=np.int64))
    done = 0
    pending = []
    for job in jobs:
        earlier = resume.finished(finished, job.number)
        if earlier is None:
            pending.append(job)
        else:
            made.add(earlier)
            done += int(job.practices.list_size.sum())
    if progress:
        progress(done, request.patients)

    def finish(job: BlockJob, result: BlockResult) -> None:
        nonlocal done
        resume.note(finished, result)
        made.add(result)
        done += int(job.practices.list_size.sum())
        if progress:
            progress(done, request.patients)

    if request.workers == 1 or len(pending) <= 1:
        for job in pending:
            finish(job, run(job))
        return made
    context = get_context("fork")
    workers = min(request.workers, len(pending))  # never more processes than blocks to make
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_end_with_parent
    ) as pool:
        for job, result in zip(pending, pool.map(run, pending), strict=True):
            finish(job, result)
    return made


def _end_with_parent() -> None:
    """Have this worker killed when the run that forked it dies (Linux's PR_SET_PDEATHSIG), so
    that no orphan goes on writing blocks after its run was killed."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _plan(request: Request) -> dict[str, object]:
    """What decides the lake's content: a partial lake continues only under the same plan."""
    return {
        "generator": f"consortia {__version__} synth",
        "seed": request.seed,
        "patients": request.patients,
        "ccgs": request.ccgs,
        "ccg_patients": list(request.ccg_patients) if request.ccg_patients else None,
        "list_size": request.list_size,
        "block_patients": BLOCK_PATIENTS,
    }


@contextmanager
def _staging(destination: Path, plan: dict[str, object]) -> Iterator[Path]:
    """A folder beside `destination` that replaces it only when the work completes.

    An interrupted run leaves it in place (`destination` untouched): run again with the same
    request and the finished blocks are kept (`consortia.synth.resume`).
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    with resume.partial(destination, plan) as staging:
        yield staging
        resume.done_with(staging)
        previous = destination.with_name(f".{destination.name}.previous-{os.getpid()}")
        if destination.exists():
            destination.rename(previous)
        staging.rename(destination)
        shutil.rmtree(previous, ignore_errors=True)


def _write_manifest(lake: Path, request: Request, rows: dict[str, int]) -> None:
    manifest = {
        "format": LAKE_FORMAT,
        "generator": f"consortia {__version__} synth",
        "seed": request.seed,
        "patients_at_start": request.patients,
        "ccgs": request.ccgs,
        "period": {"start": START.isoformat(), "financial_years": list(FINANCIAL_YEARS)},
        "datasets": {name: {"rows": rows.get(name, 0)} for name in DATASETS},
    }
    (lake / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
