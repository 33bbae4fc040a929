"""The risk models: a gradient-boosted model on every feature, and the two baselines a CCG
would otherwise have — age and sex alone, and a PARR-style logistic model on prior use.

Gradient boosting is scikit-learn's `HistGradientBoostingClassifier` (binned features, early
stopping on a held-back tenth): as accurate as LightGBM on these features, without another
compiled dependency, and saved and loaded with `skops` rather than pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from consortia.risk.features import CONDITIONS, FEATURES, USE

FloatArray = npt.NDArray[np.float64]
SEED = 2013
USE_CAP = 10  # prior use counts above this add nothing in the logistic model (PARR capped too)


@dataclass(frozen=True)
class Spec:
    """A model: its name in outputs, what it is in words, and how to make it untrained."""

    name: str
    short: str  # as tables and charts name it
    title: str
    columns: tuple[str, ...]
    make: Callable[[int], Any]


def _band(frame: Any) -> Any:
    """Five-year age band (0 to 90+) and sex as one category, e.g. "70|M"."""
    ages = np.minimum(np.asarray(frame["age"], dtype=np.int64) // 5, 18) * 5
    sexes = np.where(np.asarray(frame["male"]) == 1, "M", "F")
    return np.char.add(np.char.add(ages.astype(str), "|"), sexes).reshape(-1, 1)


def _gbm(seed: int) -> Any:
    return HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_leaf_nodes=15,
        max_iter=500,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=20,
        random_state=seed,
    )


def _age_sex(seed: int) -> Pipeline:
    cells = FunctionTransformer(_band, feature_names_out="one-to-one")
    return make_pipeline(
        ColumnTransformer([("cell", cells, ["age", "male"])]),
        OneHotEncoder(handle_unknown="ignore"),
        LogisticRegression(max_iter=1000, random_state=seed),
    )


def _capped(values: Any) -> Any:
    return np.minimum(np.asarray(values, dtype=np.float64), USE_CAP)


def _prior_use(seed: int) -> Pipeline:
    cells = FunctionTransformer(_band, feature_names_out="one-to-one")
    return make_pipeline(
        ColumnTransformer(
            [
                (
                    "cell",
                    make_pipeline(cells, OneHotEncoder(handle_unknown="ignore")),
                    ["age", "male"],
                ),
                ("use", make_pipeline(FunctionTransformer(_capped), StandardScaler()), list(USE)),
                ("cost", make_pipeline(FunctionTransformer(np.log1p), StandardScaler()), ["cost"]),
                ("rest", StandardScaler(), ["deprivation_decile", *CONDITIONS]),
            ]
        ),
        LogisticRegression(max_iter=2000, random_state=seed),
    )


TRANSFORMS = (_band, _capped)  # functions the saved models call: trusted when loaded

MODELS = {
    spec.name: spec
    for spec in (
        Spec(
            "gradient_boosted",
            "Gradient-boosted",
            "Gradient-boosted trees on every feature",
            FEATURES,
            _gbm,
        ),
        Spec(
            "age_sex",
            "Age and sex",
            "Age and sex only (logistic, five-year bands by sex)",
            ("age", "male"),
            _age_sex,
        ),
        Spec(
            "prior_use",
            "Prior use (PARR-style)",
            "Prior use, PARR-style (logistic on admissions, attendances, cost, conditions, "
            "age band, sex and deprivation)",
            ("age", "male", "deprivation_decile", *CONDITIONS, *USE, "cost"),
            _prior_use,
        ),
    )
}
CHOSEN = "gradient_boosted"  # the model whose scores make the lists


def fit(spec: Spec, frame: pd.DataFrame, seed: int = SEED) -> Any:
    """`spec`'s model trained on `frame`'s features, to predict any emergency admission."""
    model = spec.make(seed)
    model.fit(_inputs(spec, frame), (frame["admitted"] > 0).to_numpy(dtype=np.int8))
    return model


def predict(spec: Spec, model: Any, frame: pd.DataFrame) -> FloatArray:
    """Each patient's predicted probability of an emergency admission in the year after."""
    return np.asarray(model.predict_proba(_inputs(spec, frame))[:, 1], dtype=np.float64)


def _inputs(spec: Spec, frame: pd.DataFrame) -> Any:
    """The columns `spec` reads: as a matrix for the trees, by name for the pipelines."""
    inputs = frame[list(spec.columns)]
    return inputs.to_numpy(dtype=np.float64) if spec.name == "gradient_boosted" else inputs
