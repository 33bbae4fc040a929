"""Directly and indirectly standardised rates and ratios (PHEindicatormethods v2.1.0).

Direct standardisation takes 2-D arrays: one row per group (area, period, sex…) and one
column per age band, in the order of `bands`. Missing counts are taken as zero. Limits use
Dobson's method around Byar's limits of the total count, and every output of a group with
fewer than 10 events is not applicable (NaN), as Fingertips publishes.

Indirect standardisation compares observed counts with the counts expected if each group
had a reference population's age-specific rates: `expected` computes them, `isr` gives the
ratio O/E and `isr_rate` the rate O/E × the reference crude rate; limits are the Poisson
limits of O (exact under 10, Byar's otherwise) divided by E.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from consortia.errors import UsageError
from consortia.stats import arguments
from consortia.stats.intervals import EXACT_BELOW, byars_lower, byars_upper
from consortia.stats.rates import poisson_estimate
from consortia.stats.result import Described, Estimate, FloatArray, methods
from consortia.stats.standard_population import ESP2013

DOBSON = "Dobson"
DOBSON_REPEAT = "Dobson, with confidence adjusted for non-independent events"
TOO_FEW_EVENTS = "not applicable: fewer than 10 events"
MINIMUM_EVENTS = 10

Standard = Mapping[str, float] | ArrayLike


def dsr(
    x: ArrayLike,
    n: ArrayLike,
    standard: Standard = ESP2013,
    *,
    bands: Sequence[str] | None = None,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Estimate:
    """Directly standardised rate per group (rows of x and n; columns are age bands)."""
    level = arguments.check_confidence(confidence)
    scale = arguments.check_multiplier(multiplier)
    counts, populations = _band_table(x, n)
    weights = standard_weights(standard, bands, counts.shape[1])
    value, variance = _dsr_and_variance(counts, populations, weights)
    return _dobson(value, variance, counts.sum(axis=1), level, scale, DOBSON)


def dsr_repeat_events(
    persons: ArrayLike,
    n: ArrayLike,
    frequencies: ArrayLike,
    standard: Standard = ESP2013,
    *,
    bands: Sequence[str] | None = None,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Estimate:
    """DSR of events that can repeat in a person (PHE `independent_events = FALSE`).

    `persons` is groups × bands × frequencies: how many people had each number of events
    (`frequencies`, e.g. [1, 2, 3]). The DSR counts every event; its variance is
    Σ_f f² · var_f, the variance of each frequency's DSR of people weighted by f².
    """
    level = arguments.check_confidence(confidence)
    scale = arguments.check_multiplier(multiplier)
    people = np.nan_to_num(arguments.as_floats(persons, "persons"), nan=0.0)
    arguments.check_non_negative(people, "persons")
    times = arguments.as_vector(frequencies, "frequencies")
    if people.ndim != 3 or people.shape[2] != times.size:
        raise UsageError(
            "persons must be groups × bands × frequencies",
            field="persons",
            rule="3-D, last axis the length of frequencies",
        )
    arguments.check_positive(times, "frequencies")
    events = people @ times
    counts, populations = _band_table(events, n)
    weights = standard_weights(standard, bands, counts.shape[1])
    value, _ = _dsr_and_variance(counts, populations, weights)
    per_person = (weights / populations) ** 2 / weights.sum() ** 2
    variance = np.einsum("gbf,gb,f->g", people, per_person, times**2)
    return _dobson(value, variance, counts.sum(axis=1), level, scale, DOBSON_REPEAT)


def standard_weights(standard: Standard, bands: Sequence[str] | None, width: int) -> FloatArray:
    """The standard population's weight for each column, looked up by band label if keyed."""
    if isinstance(standard, Mapping):
        return _weights_by_band(standard, bands, width)
    weights = arguments.as_vector(standard, "standard")
    if weights.size != width:
        raise UsageError(
            f"standard has {weights.size} bands but the data has {width}",
            field="standard",
            rule="one weight per age band",
        )
    arguments.check_non_negative(weights, "standard")
    return weights


def _weights_by_band(
    standard: Mapping[str, float], bands: Sequence[str] | None, width: int
) -> FloatArray:
    """Weights for the named bands; without names the standard's own order is assumed."""
    labels = list(standard) if bands is None else list(bands)
    if len(labels) != width:
        raise UsageError(
            f"{len(labels)} age bands named but the data has {width} columns",
            field="bands",
            rule="one band label per column of x",
        )
    missing = [label for label in labels if label not in standard]
    if missing:
        raise UsageError(
            f"age band {missing[0]!r} is not in the standard population",
            field="bands",
            rule="every age band is in the standard population",
        )
    return np.array([standard[label] for label in labels], dtype=np.float64)


def _band_table(x: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Counts (missing as zero) and populations as groups × bands arrays."""
    counts = np.atleast_2d(arguments.as_floats(x, "x"))
    populations = np.atleast_2d(arguments.as_floats(n, "n"))
    arguments.check_same_shape(x=counts, n=populations)
    if counts.ndim != 2:
        raise UsageError("x must be groups × age bands", field="x", rule="2-D array")
    counts = np.nan_to_num(counts, nan=0.0)
    arguments.check_non_negative(counts, "x")
    arguments.check_positive(populations, "n")
    return counts, populations


def _dsr_and_variance(
    counts: FloatArray, populations: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The standardised rate (per person) and its variance, Σx(w/n)² / (Σw)²."""
    total_weight = weights.sum()
    weight_per_person = weights / populations
    value = np.einsum("gb,gb->g", counts, weight_per_person) / total_weight
    variance = np.einsum("gb,gb,gb->g", counts, weight_per_person, weight_per_person)
    return value, variance / total_weight**2


def _dobson(
    value: FloatArray,
    variance: FloatArray,
    events: FloatArray,
    confidence: float,
    scale: float,
    method: str,
) -> Estimate:
    """Dobson limits: the DSR moved by √(var/O) times Byar's offsets of O; NaN under 10."""
    applicable = events >= MINIMUM_EVENTS
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.sqrt(variance / events)
        lower = value + step * (byars_lower(events, confidence) - events)
        upper = value + step * (byars_upper(events, confidence) - events)
    return Estimate(
        value=np.where(applicable, value * scale, np.nan),
        lower=np.where(applicable, lower * scale, np.nan),
        upper=np.where(applicable, upper * scale, np.nan),
        confidence=confidence,
        method=methods(applicable, method, TOO_FEW_EVENTS),
        description=(
            f"{confidence:.0%} confidence intervals by {method}'s method around Byar's limits "
            f"of the total count; not published under {MINIMUM_EVENTS} events (PHE Fingertips "
            "methods)"
        ),
    )


def expected(n_by_band: ArrayLike, reference_rates_by_band: ArrayLike) -> FloatArray:
    """Expected events per group: Σ population × reference rate over the age bands."""
    populations = np.atleast_2d(arguments.as_floats(n_by_band, "n_by_band"))
    rates = arguments.as_vector(reference_rates_by_band, "reference_rates_by_band")
    if populations.ndim != 2 or populations.shape[1] != rates.size:
        raise UsageError(
            "n_by_band must be groups × age bands, one column per reference rate",
            field="n_by_band",
            rule="columns match reference_rates_by_band",
        )
    arguments.check_non_negative(populations, "n_by_band")
    arguments.check_non_negative(rates, "reference_rates_by_band")
    return np.asarray(populations @ rates, np.float64)


def isr(
    observed: ArrayLike,
    expected: ArrayLike,
    *,
    confidence: float = 0.95,
    reference_value: float = 1.0,
) -> Estimate:
    """Indirectly standardised ratio O/E × reference value (1, or 100 for an SMR in %)."""
    return _indirect(observed, expected, confidence, float(reference_value))


def isr_rate(
    observed: ArrayLike,
    expected: ArrayLike,
    reference_rate: float,
    *,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Estimate:
    """Indirectly standardised rate: O/E × the reference crude rate (events per person)."""
    scale = arguments.check_multiplier(multiplier)
    if not float(reference_rate) >= 0:
        raise UsageError("reference_rate must not be negative", field="reference_rate")
    return _indirect(observed, expected, confidence, float(reference_rate) * scale)


def _indirect(
    observed: ArrayLike, expected: ArrayLike, confidence: float, scale: float
) -> Estimate:
    """O/E scaled, with the Poisson limits of O divided by E."""
    level = arguments.check_confidence(confidence)
    counts = arguments.as_vector(observed, "observed")
    expectation = arguments.as_vector(expected, "expected")
    arguments.check_same_shape(observed=counts, expected=expectation)
    arguments.check_non_negative(counts, "observed")
    arguments.check_positive(expectation, "expected")
    estimate = poisson_estimate(counts, expectation, level, scale)
    return replace(
        estimate,
        description=(
            f"{level:.0%} confidence intervals: the observed count's limits (exact Poisson "
            f"under {EXACT_BELOW} events, Byar's method otherwise) over the expected count "
            "(PHE Fingertips methods)"
        ),
    )


def with_dsr(
    table: pd.DataFrame,
    bands: pd.DataFrame,
    standard: pd.DataFrame,
    *,
    keys: Sequence[str],
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Described:
    """`table` with the directly standardised rate of each row's group (`keys`) and its
    Dobson limits: `dsr_per_<multiplier>`, `dsr_lower`, `dsr_upper`.

    `bands` holds events and population per group and age band (columns `keys`, age_band,
    events, population; every band of `standard` present); `standard` its age_band and
    population.
    """
    order = list(standard["age_band"])
    events, population = (
        bands.pivot_table(index=list(keys), columns="age_band", values=value, aggfunc="sum")
        for value in ("events", "population")
    )
    estimate = dsr(
        events.reindex(columns=order).to_numpy(),
        population.reindex(index=events.index, columns=order).to_numpy(),
        dict(zip(standard["age_band"], standard["population"], strict=True)),
        bands=order,
        confidence=confidence,
        multiplier=multiplier,
    )
    rates = pd.DataFrame(
        {
            f"dsr_per_{multiplier:g}": estimate.value,
            "dsr_lower": estimate.lower,
            "dsr_upper": estimate.upper,
        },
        index=events.index,
    ).reset_index()
    return Described(table.merge(rates, on=list(keys), how="left"), estimate.description)
