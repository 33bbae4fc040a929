"""Risk stratification in the pack: how well the risk models predict next year's emergency
admissions, what a case-management list of the top 0.5–5% would find, and how far the
chosen model's predictions can be taken at their word (`consortia.risk`). The models are
trained on every patient of the lake, so the section is the same in every CCG's pack; the
lists themselves are patient-level and never in the pack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from consortia.analyses.scope import Scope
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query
from consortia.pack.sections import money
from consortia.risk.features import MOST, YEAR, features, sample_of
from consortia.risk.years import Years

if TYPE_CHECKING:  # scikit-learn is imported only when the models are trained
    from consortia.risk.evaluate import Interval, Performance
    from consortia.risk.run import Evaluated

SECTION = "Risk stratification"
LIST_SHARE = 0.02  # the share the model table reports a list's yield at: the 2% register
METHOD = (
    "Predicted chance of an emergency admission in the year after 1 April of the latest year, "
    "from each patient's age, sex, deprivation, long-term conditions and use of hospital care "
    "in the year before (docs/risk.md). Trained on seven tenths of the lake's registered "
    f"patients (of a random sample of about {MOST:,} where it has more) and judged on the "
    "other three tenths"
)


def evaluated(context: Context) -> Evaluated:
    """The risk models trained and judged on every patient of the lake, once per run."""
    from consortia.risk.run import train_and_evaluate

    return money.remembered(
        context,
        ("risk_models", years(context)),
        lambda: train_and_evaluate(
            context.backend, context.shared, most=MOST, years=years(context)
        ),
    )


def years(context: Context) -> Years:
    """The pack's latest financial year as the outcome, its year before for the features."""
    latest = context.scope.first_year + context.scope.years - 1
    return Years(latest - 1, latest)


def source(context: Context) -> Query:
    """The features and outcome of the registered patients the models were trained and judged
    on (`consortia.risk.features`): everyone, or the lake's random sample of them when it has
    more than `MOST` (the query names the same sample)."""
    reference = years(context).reference
    sample = money.remembered(
        context,
        ("risk_sample", reference),
        lambda: sample_of(context.backend, context.shared, reference, MOST),
    )
    return context.query(features, Scope(None), reference, YEAR, sample)


def figures(context: Context) -> tuple[Figure, ...]:
    """The section's three figures, kept beside the lake (`money.kept_all`)."""
    return money.kept_all(
        context, figures, "risk_models", SECTION, "Risk models compared",
        lambda: _figures(evaluated(context)), _chart, lambda: source(context),
        about=context.scope.everyone,
    )  # fmt: skip


def _chart(table: pd.DataFrame, words: dict[str, Any]) -> Any:
    return {
        "risk_models": charts.risk_models,
        "risk_lists": charts.risk_lists,
        "risk_calibration": charts.risk_calibration,
    }[words["id"]](table)


def _figures(found: Evaluated) -> tuple[Figure, ...]:
    from consortia.risk import models

    chosen = found.performance[models.CHOSEN]
    judged = (
        f"{METHOD} ({found.trained_on:,} trained on, {chosen.patients:,} judged; "
        f"{found.years.label})."
    )
    return (
        Figure(
            id="risk_models",
            section=SECTION,
            title="Risk models compared: discrimination, calibration and a 2% list's yield",
            method=(
                f"{judged} Models: "
                + "; ".join(
                    f"{spec.short}: {spec.title.lower()}" for spec in models.MODELS.values()
                )
                + ". AUROC with DeLong's 95% interval; calibration slope (1 is ideal) and "
                "calibration-in-the-large (0 is ideal) from a logistic regression of the "
                "outcome on each model's log odds; a list of the top 2% of patients by "
                "predicted risk: the share of them admitted (PPV), the share of patients "
                "admitted who are on it (sensitivity) and the share of all emergency "
                "admissions they had. The gradient-boosted model's gain in AUROC over each "
                "baseline is judged on the same patients (DeLong's paired test, 95% interval)."
            ),
            table=_models(found.performance, found.gains),
            chart=charts.risk_models,
            confidence=0.95,
        ),
        Figure(
            id="risk_lists",
            section=SECTION,
            title="What a case-management list would find, by its size",
            method=(
                f"{judged} The patients with the highest predicted risk from the "
                f"{models.MODELS[models.CHOSEN].title.lower()}, as a share of all patients; "
                "PPV and sensitivity with Wilson 95% intervals."
            ),
            table=_lists(chosen),
            chart=charts.risk_lists,
            confidence=0.95,
        ),
        Figure(
            id="risk_calibration",
            section=SECTION,
            title="Predicted against observed emergency admission, by tenth of predicted risk",
            method=(
                f"{judged} Patients in ten equal groups by the "
                f"{models.MODELS[models.CHOSEN].title.lower()}'s prediction; in each, the mean "
                "predicted chance against the share admitted (Wilson 95% interval). Points on "
                f"the diagonal are well calibrated. Calibration slope "
                f"{chosen.calibration_slope:.2f}, intercept {chosen.calibration_intercept:+.2f}."
            ),
            table=_reliability(chosen),
            chart=charts.risk_calibration,
            confidence=0.95,
        ),
    )


def _models(performance: dict[str, Performance], gains: dict[str, Interval]) -> pd.DataFrame:
    from consortia.risk import models

    rows = []
    for name, found in performance.items():
        top = next(t for t in found.top if t.share == LIST_SHARE)
        gain = gains.get(name)
        rows.append(
            {
                "model": models.MODELS[name].short,
                "auroc": found.auroc.value,
                "auroc_lower": found.auroc.low,
                "auroc_upper": found.auroc.high,
                "calibration_slope": found.calibration_slope,
                "calibration_intercept": found.calibration_intercept,
                "ppv": top.ppv.value,
                "sensitivity": top.sensitivity.value,
                "admissions_captured": top.admissions_captured,
                "auroc_gain": gain.value if gain else None,
                "auroc_gain_lower": gain.low if gain else None,
                "auroc_gain_upper": gain.high if gain else None,
            }
        )
    return pd.DataFrame(rows)


def _lists(found: Performance) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "listed_share": top.share,
            "listed": top.listed,
            "admitted": top.admitted,
            "ppv": top.ppv.value,
            "ppv_lower": top.ppv.low,
            "ppv_upper": top.ppv.high,
            "sensitivity": top.sensitivity.value,
            "sensitivity_lower": top.sensitivity.low,
            "sensitivity_upper": top.sensitivity.high,
            "admissions_captured": top.admissions_captured,
        }
        for top in found.top
    )


def _reliability(found: Performance) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tenth": tenth,
            "patients": group.patients,
            "predicted": group.predicted,
            "observed_share": group.observed.value,
            "observed_lower": group.observed.low,
            "observed_upper": group.observed.high,
        }
        for tenth, group in enumerate(found.reliability, start=1)
    )


BUILDERS = (figures,)
