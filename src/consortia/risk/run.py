"""Training, evaluation and case-management lists, over a lake.

The split is in time, as the models are used: features on 1 April of the lake's latest
financial year (from the year before it), the outcome in that year. Three tenths of patients
are held back, chosen at random, to evaluate on; the models are trained on the rest. Lists are
made as a practice would use them: features on the day after the lake ends, from its latest year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from consortia.analyses.scope import Scope, Tables, financial_year_label
from consortia.engine.lake import first_line
from consortia.errors import DataError, UsageError
from consortia.privacy.patient_file import write_new
from consortia.risk import models
from consortia.risk.evaluate import (
    FloatArray,
    Interval,
    Performance,
    auroc,
    auroc_difference,
    listed_count,
    performance,
    ranked,
)
from consortia.risk.features import FEATURES, MOST, YEAR, features, sample_of
from consortia.risk.register import ADULT, SHARE
from consortia.risk.years import Years, years_of

HELD_OUT = 0.3  # share of patients held back from training to evaluate on
# The fewest patients, and admitted patients, a model is trained and judged on: fewer, and
# the held-back three tenths could not judge it (nor the tenth early stopping holds back).
FEWEST = 1_000
FEWEST_ADMITTED = 100
TRUTH = "emergency_risk"  # the generator's ground-truth folder: each patient's true risk


@dataclass(frozen=True)
class Evaluated:
    """Every model trained on one lake and judged on its held-out patients."""

    years: Years
    trained_on: int  # patients the models were trained on (the rest of the sample judged them)
    trained: dict[str, Any]
    performance: dict[str, Performance]
    # The chosen model's AUROC less each other model's, on the same patients (paired DeLong).
    gains: dict[str, Interval]
    truth: dict[str, float] | None  # AUROCs of the ground truth and of the best from the lake

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": self.years.label,
            "trained_on": self.trained_on,
            "models": {
                name: {
                    "title": models.MODELS[name].title,
                    **found.as_dict(),
                    "chosen_auroc_gain": asdict(self.gains[name]) if name in self.gains else None,
                }
                for name, found in self.performance.items()
            },
            "truth": self.truth,
        }


def frame(
    backend: Any,
    tables: Tables,
    on: date,
    outcome: bool,
    ccg: str | None = None,
    most: int | None = None,
) -> Any:
    """The features (and, if `outcome`, the admissions after `on`) of everyone registered on
    `on` with a practice of `ccg` (every CCG when None); about `most` of them at random when
    there are more."""
    sample = sample_of(backend, tables, on, most, ccg)
    found = backend.execute(features(tables, Scope(ccg), on, YEAR if outcome else None, sample))
    for name in FEATURES:
        found[name] = pd.to_numeric(found[name])
    return found


def held_out(patients: int, seed: int = models.SEED) -> np.ndarray:
    """Which patients (by position) are held back from training, at random."""
    return np.random.default_rng(seed).random(patients) < HELD_OUT


def train_and_evaluate(
    backend: Any,
    tables: Tables,
    truth: Path | None = None,
    seed: int = models.SEED,
    most: int = MOST,
    years: Years | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluated:
    """Every model trained on seven tenths of the lake's patients (at most about `most` in
    all) and judged on the rest; on `years` (default: the lake's latest two, `years_of`).
    `progress(done, of)` is told of each step: the features, each model, the judging, the
    truth."""
    steps = 2 + len(models.MODELS) + (truth is not None)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    if progress is not None:
        progress(0, steps)
    held = years_of(backend, tables)  # refuses a lake with less than two years of activity
    years = years or held
    rows = frame(backend, tables, years.reference, outcome=True, most=most)
    step()
    if not (rows["admitted"] > 0).any():
        raise DataError(
            f"nobody registered on {years.reference} was admitted as an emergency in "
            f"{financial_year_label(years.outcome)}: there is nothing to learn risk from"
        )
    admitted = int((rows["admitted"] > 0).sum())
    if len(rows) < FEWEST or min(admitted, len(rows) - admitted) < FEWEST_ADMITTED:
        raise DataError(
            f"too few patients to train and judge a risk model: {len(rows):,} registered on "
            f"{years.reference}, {admitted:,} of them admitted as an emergency",
            rule=f"at least {FEWEST:,} patients, {FEWEST_ADMITTED} admitted and "
            f"{FEWEST_ADMITTED} not",
        )
    test = held_out(len(rows), seed)
    train, judged = rows[~test], rows[test]
    trained = {}
    for name, spec in models.MODELS.items():
        trained[name] = models.fit(spec, train, seed)
        step()
    found, gains = _judged(trained, judged)
    step()
    compared = None
    if truth is not None:
        compared = _against_truth(truth, years, train, judged, seed)
        step()
    return Evaluated(years, len(train), trained, found, gains, compared)


def _judged(
    trained: dict[str, Any], judged: Any
) -> tuple[dict[str, Performance], dict[str, Interval]]:
    """Each model's performance on the `judged` patients, and the chosen model's AUROC gain
    over each other model on them (paired)."""
    predicted = {
        name: models.predict(models.MODELS[name], model, judged) for name, model in trained.items()
    }
    admissions = judged["admitted"].to_numpy()
    found = {name: performance(admissions, chance) for name, chance in predicted.items()}
    gains = {
        name: auroc_difference(admissions > 0, predicted[models.CHOSEN], chance)
        for name, chance in predicted.items()
        if name != models.CHOSEN
    }
    return found, gains


def validate(
    backend: Any,
    tables: Tables,
    trained: dict[str, Any],
    truth: Path | None = None,
    most: int = MOST,
) -> Evaluated:
    """Models trained elsewhere judged on every patient of this lake (at most about `most`):
    features from its latest year but one, emergency admissions in its latest year. On the
    lake they were trained on, their training patients are among those judged."""
    years = years_of(backend, tables)
    rows = frame(backend, tables, years.reference, outcome=True, most=most)
    admitted = int((rows["admitted"] > 0).sum())
    if min(admitted, len(rows) - admitted) == 0:
        raise DataError(
            f"of the {len(rows):,} patients registered on {years.reference}, "
            + ("none was" if admitted == 0 else "every one was")
            + f" admitted as an emergency in {financial_year_label(years.outcome)}: "
            "there is nothing to judge a model by"
        )
    found, gains = _judged(trained, rows)
    compared = None
    if truth is not None:
        (risk,) = _true_risks(truth, rows)
        outcome = rows["admitted"].to_numpy() > 0
        compared = {"truth_auroc": auroc(outcome, risk).value}
    return Evaluated(years, 0, trained, found, gains, compared)


def _against_truth(
    folder: Path, years: Years, train: Any, judged: Any, seed: int
) -> dict[str, float]:
    """The AUROC of the generator's true risks on the held-out patients (the best any model
    could reach, seeing what no data show: each patient's latent frailty), and of the best a
    model could reach from the lake's own data (the true risks learnt from the features)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    on_train, on_judged = _true_risks(folder, train, judged)
    learnt = HistGradientBoostingRegressor(early_stopping=True, random_state=seed)
    learnt.fit(train[list(FEATURES)].to_numpy(np.float64), on_train)
    best = learnt.predict(judged[list(FEATURES)].to_numpy(np.float64))
    admitted = judged["admitted"].to_numpy() > 0
    return {
        "truth_auroc": auroc(admitted, on_judged).value,
        "best_from_lake_auroc": auroc(admitted, best).value,
    }


def _true_risks(folder: Path, *patients: Any) -> list[FloatArray]:
    """Each of `patients`' (frames with `patient_id`) true chance of an emergency admission
    over the lake's second year, had they stayed registered all year (a model cannot know who
    will leave), from the generator's ground truth in `folder`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted((folder / TRUTH).glob("*.parquet"))
    if not parts:
        raise UsageError(f"no {TRUTH} folder of true risks here", file=str(folder), field="--truth")
    try:
        table = pq.ParquetDataset(parts).read(columns=["patient_id", "probability_full_year"])
    except (OSError, pa.ArrowException) as error:
        raise DataError(
            f"the ground truth cannot be read ({first_line(error)})", file=str(folder / TRUTH)
        ) from None
    true = table.to_pandas().rename(columns={"probability_full_year": "risk"})
    found = []
    for rows in patients:
        risk = rows[["patient_id"]].merge(true, on="patient_id", how="left")["risk"]
        if risk.isna().any():
            raise UsageError(
                "the ground truth is not this lake's: it lacks some of the lake's patients",
                file=str(folder),
                field="--truth",
            )
        found.append(risk.to_numpy(np.float64))
    return found


def list_day(backend: Any, tables: Tables) -> date:
    """The day lists are scored on: the day after the lake's latest financial year ends."""
    return date(years_of(backend, tables).outcome + 1, 4, 1)


def case_lists(
    backend: Any,
    tables: Tables,
    trained: Any,
    on: date,
    ccg: str | None,
    share: float = SHARE,
) -> Any:
    """Each practice's case-management list on `on`: its adults with the highest predicted
    risk from the chosen model, `share` of its adults (rounded up), under pseudonyms."""
    rows = frame(backend, tables, on, outcome=False, ccg=ccg)
    adults = rows[rows["age"] >= ADULT].reset_index(drop=True)
    spec = models.MODELS[models.CHOSEN]
    adults["risk"] = models.predict(spec, trained, adults) if len(adults) else []
    listed = []
    for _practice, group in adults.groupby("practice", sort=True):
        top = group.iloc[ranked(group["risk"].to_numpy())[: listed_count(share, len(group))]]
        top = top.assign(risk_rank=np.arange(1, len(top) + 1), adults=len(group))
        listed.append(top)
    columns = [
        "practice", "risk_rank", "adults", "patient_id", "risk", "sex", "age",
        "deprivation_decile", "conditions", "emergency_admissions", "ae_attendances", "cost",
    ]  # fmt: skip
    if not listed:
        return pd.DataFrame(columns=columns)
    return pd.concat(listed, ignore_index=True)[columns]


def write_list(lists: Any, out: Path) -> None:
    """The lists as CSV in a new file at `out`, readable by its owner only (patient-level
    data under pseudonyms)."""
    write_new(out, "lists", lambda file: lists.to_csv(file, index=False, float_format="%.6g"))
