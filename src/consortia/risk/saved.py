"""Trained models on disk: a folder holding the models (skops, which loads only the types it is
told to trust, never arbitrary code as pickle would) and their evaluation as JSON."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from consortia.errors import DataError, UsageError
from consortia.risk import models
from consortia.risk.features import FEATURES
from consortia.risk.register import SHARE

MODELS = "models.skops"
EVALUATION = "evaluation.json"
FORMAT = 1
# The types skops does not trust by default: the trees of gradient boosting, and the models'
# own transformations of their inputs.
TRUSTED = [
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    *(f"{function.__module__}.{function.__name__}" for function in models.TRANSFORMS),
]


def save(folder: Path, trained: dict[str, Any], evaluation: dict[str, Any]) -> None:
    """Write the models and their evaluation into `folder`, which must not exist yet: made
    beside it and renamed into place, so it is there whole or not at all."""
    import skops.io

    if folder.exists():
        raise UsageError(
            "a file or folder is already there: a model is never written over another",
            file=str(folder),
            field="--out",
        )
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as error:
        raise UsageError(
            f"cannot write there ({error.strerror or type(error).__name__})", file=str(folder)
        ) from None
    try:
        skops.io.dump(trained, staging / MODELS)
        about = {"format": FORMAT, "features": list(FEATURES), **evaluation}
        (staging / EVALUATION).write_text(json.dumps(about, indent=1) + "\n", encoding="utf-8")
        os.chmod(staging, 0o700)
        staging.rename(folder)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)  # made here, so removed here
        raise UsageError(
            f"cannot write there ({error.strerror or type(error).__name__})", file=str(folder)
        ) from None


def evaluation(folder: Path) -> dict[str, Any]:
    """The evaluation saved with the models in `folder` (checked to be this version's)."""
    path = folder / EVALUATION
    try:
        about = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UsageError(
            f"not a trained risk model ({type(error).__name__}): make one with `consortia risk "
            "train`",
            file=str(path),
            field="--model",
        ) from None
    if not isinstance(about, dict) or about.get("format") != FORMAT:
        raise DataError("not a risk model this version reads", file=str(path), field="format")
    if not _whole(about):
        raise DataError(
            "the evaluation is damaged: a model's figures are missing or not numbers",
            file=str(path),
            field="models",
        )
    if about.get("features") != list(FEATURES):
        raise DataError(
            "the model was trained on other features than this version makes: train it again",
            file=str(path),
            field="features",
        )
    return about


def load(folder: Path) -> dict[str, Any]:
    """The models saved in `folder`, by name (refused unless they are the models trained here)."""
    import skops.io

    evaluation(folder)
    path = folder / MODELS
    try:
        untrusted = set(skops.io.get_untrusted_types(file=path)) - set(TRUSTED)
        if untrusted:
            raise DataError(
                "the model file holds types no risk model has: refused",
                file=str(path),
                rule=", ".join(sorted(untrusted)[:3]),
            )
        loaded = skops.io.load(path, trusted=TRUSTED)
    except DataError:
        raise
    except Exception as error:  # a damaged or foreign file, in whatever way skops finds it
        raise DataError(
            f"the model file cannot be read ({type(error).__name__})", file=str(path)
        ) from None
    if not isinstance(loaded, dict) or set(loaded) != set(models.MODELS):
        raise DataError("the model file does not hold this version's models", file=str(path))
    return loaded


def _whole(about: dict[str, Any]) -> bool:
    """Whether an evaluation holds every figure `consortia risk evaluate` shows, as numbers."""

    def number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def interval(value: Any) -> bool:
        return isinstance(value, dict) and all(
            number(value.get(k)) for k in ("value", "low", "high")
        )

    found = about.get("models")
    if not isinstance(about.get("years"), str) or not isinstance(found, dict):
        return False
    if set(found) != set(models.MODELS):
        return False
    for model in found.values():
        if not isinstance(model, dict) or not interval(model.get("auroc")):
            return False
        if not all(number(model.get(k)) for k in ("calibration_slope", "calibration_intercept")):
            return False
        tops = model.get("top")
        if not isinstance(tops, list) or not any(
            isinstance(t, dict) and t.get("share") == SHARE for t in tops
        ):
            return False
        if not all(
            isinstance(t, dict)
            and number(t.get("share"))
            and number(t.get("admissions_captured"))
            and interval(t.get("ppv"))
            and interval(t.get("sensitivity"))
            for t in tops
        ):
            return False
        gain = model.get("chosen_auroc_gain")
        if gain is not None and not interval(gain):
            return False
    truth = about.get("truth")
    return truth is None or (
        isinstance(truth, dict)
        and all(number(v) for v in truth.values())
        and number(truth.get("truth_auroc"))
    )
