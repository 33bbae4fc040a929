"""The risk models' measures, against hand calculations and properties that must hold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from consortia.risk.evaluate import (
    auroc,
    auroc_difference,
    calibration_intercept,
    calibration_slope,
    captured,
    listed_count,
    reliability,
    wilson,
)


def test_auroc_and_delong_interval_by_hand() -> None:
    # Positives 0.9, 0.8, 0.4 against negatives 0.7, 0.3, 0.2, 0.1: 11 of 12 pairs ordered.
    # Structural components: positives beat 1, 1, 3/4 of negatives; negatives are beaten by
    # 2/3, 1, 1, 1 of positives. Sample variances 1/48 and 1/36, over 3 and 4:
    # 1/144 + 1/144 = 1/72.
    score = [0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.1]
    admitted = [1, 1, 1, 0, 0, 0, 0]
    found = auroc(admitted, score)
    assert found.value == pytest.approx(11 / 12)
    half = 1.959963984540054 * math.sqrt(1 / 72)
    assert found.low == pytest.approx(11 / 12 - half)
    assert found.high == 1.0  # held inside [0, 1]


def test_ties_count_a_half() -> None:
    assert auroc([1, 0], [0.5, 0.5]).value == 0.5
    assert auroc([1, 1, 0, 0], [0.2, 0.9, 0.9, 0.1]).value == pytest.approx((1 + 0.5 + 1 + 0) / 4)


def test_auroc_needs_both_outcomes() -> None:
    with pytest.raises(ValueError, match="with and without"):
        auroc([1, 1], [0.2, 0.3])


def test_the_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    # Scores N(1, 1) for positives and N(0, 1) for negatives: true AUROC Φ(1/√2).
    rng = np.random.default_rng(7)
    truth = 0.7602499389065233
    covered = 0
    for _ in range(400):
        positive, negative = rng.normal(1, 1, 60), rng.normal(0, 1, 140)
        found = auroc([1] * 60 + [0] * 140, np.concatenate([positive, negative]))
        covered += found.low <= truth <= found.high
    assert 0.92 <= covered / 400 <= 0.98


def test_perfect_predictions_have_slope_one_and_intercept_zero() -> None:
    rng = np.random.default_rng(3)
    probability = rng.uniform(0.01, 0.6, 200_000)
    admitted = rng.random(probability.size) < probability
    assert calibration_slope(admitted, probability) == pytest.approx(1.0, abs=0.03)
    assert calibration_intercept(admitted, probability) == pytest.approx(0.0, abs=0.02)


def test_predictions_twice_as_extreme_have_slope_one_half() -> None:
    rng = np.random.default_rng(4)
    odds = rng.normal(-2, 1, 200_000)
    admitted = rng.random(odds.size) < 1 / (1 + np.exp(-odds))
    extreme = 1 / (1 + np.exp(-2 * odds))
    assert calibration_slope(admitted, extreme) == pytest.approx(0.5, abs=0.02)


def test_predictions_too_low_need_a_positive_intercept() -> None:
    # Every prediction 0.1 where a fifth are admitted: logit(0.2) − logit(0.1) = ln(9/4).
    admitted = np.array([1] * 20 + [0] * 80)
    assert calibration_intercept(admitted, np.full(100, 0.1)) == pytest.approx(math.log(9 / 4))


def test_lists_by_hand() -> None:
    # Ten patients; the top 20% are the two highest scores (patients 0 and 3). Patient 0 had
    # 2 admissions, patient 3 none; three people were admitted, 5 admissions in all.
    admissions = [2, 0, 1, 0, 0, 0, 0, 0, 2, 0]
    score = [0.9, 0.1, 0.3, 0.8, 0.2, 0.1, 0.1, 0.0, 0.4, 0.1]
    (top,) = captured(admissions, score, (0.2,))
    assert (top.listed, top.admitted) == (2, 1)
    assert top.ppv.value == 0.5
    assert top.sensitivity.value == pytest.approx(1 / 3)
    assert top.admissions_captured == pytest.approx(2 / 5)


def test_a_list_is_rounded_up() -> None:
    assert listed_count(0.02, 100) == 2  # not 3 from 2.0000000000000004
    assert listed_count(0.02, 101) == 3
    assert listed_count(0.005, 10) == 1


def test_wilson_interval_by_formula() -> None:
    # 1 of 10: centre (0.1 + z²/20) / (1 + z²/10), half-width z/(1 + z²/10) √(0.009 + z²/400)
    z = 1.959963984540054
    centre = (0.1 + z * z / 20) / (1 + z * z / 10)
    half = z / (1 + z * z / 10) * math.sqrt(0.1 * 0.9 / 10 + z * z / 400)
    found = wilson(1, 10)
    assert found.low == pytest.approx(centre - half)
    assert found.high == pytest.approx(centre + half)


def test_reliability_groups_are_tenths_in_order() -> None:
    probability = np.arange(100) / 100
    admitted = probability >= 0.5
    groups = reliability(admitted, probability)
    assert [g.patients for g in groups] == [10] * 10
    assert [g.observed.value for g in groups] == [0.0] * 5 + [1.0] * 5
    assert groups[0].predicted == pytest.approx(0.045)


def test_a_model_against_itself_differs_by_nothing() -> None:
    rng = np.random.default_rng(5)
    score = rng.random(500)
    admitted = rng.random(500) < score
    found = auroc_difference(admitted, score, score)
    assert (found.value, found.low, found.high) == (0.0, 0.0, 0.0)


def test_a_difference_by_hand() -> None:
    # Positives score 0.9, 0.8, 0.4 and negatives 0.7, 0.3, 0.2, 0.1 (AUROC 11/12, as above);
    # the baseline gives the positives the same scores in another order (0.4, 0.8, 0.9) and
    # the negatives the same: AUROC 11/12 too, a difference of 0. Patient by patient the
    # positives' components differ: V10 (1, 1, 0.75) against (0.75, 1, 1), differences
    # (0.25, 0, −0.25) with variance 1/16, over 3 positives; the negatives' V01 are the same.
    admitted = [1, 1, 1, 0, 0, 0, 0]
    first = [0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.1]
    second = [0.4, 0.8, 0.9, 0.7, 0.3, 0.2, 0.1]
    found = auroc_difference(admitted, first, second)
    half = 1.959963984540054 * math.sqrt(1 / 16 / 3)
    assert found.value == pytest.approx(0.0)
    assert found.low == pytest.approx(-half)
    assert found.high == pytest.approx(half)


def test_reversed_scores_differ_by_twice_the_area_above_a_half() -> None:
    # A score and its negative: AUROCs A and 1 − A; each component of the second is one less
    # the first's, so the difference's components are twice the first's, less one.
    rng = np.random.default_rng(6)
    score = rng.random(400)
    admitted = rng.random(400) < score
    single = auroc(admitted, score)
    found = auroc_difference(admitted, score, -score)
    assert found.value == pytest.approx(2 * single.value - 1)
    assert found.high - found.value == pytest.approx(2 * (single.high - single.value))


def test_the_paired_interval_covers_a_true_difference_of_nothing() -> None:
    # Two noisy readings of the same latent score: neither is better, so the 95% interval of
    # the difference should hold 0 about 95% of the time.
    rng = np.random.default_rng(8)
    covered = 0
    for _ in range(300):
        latent = rng.normal(0, 1, 300)
        admitted = rng.random(300) < 1 / (1 + np.exp(-(latent - 1)))
        first, second = latent + rng.normal(0, 1, 300), latent + rng.normal(0, 1, 300)
        found = auroc_difference(admitted, first, second)
        covered += found.low <= 0 <= found.high
    assert 0.92 <= covered / 300 <= 0.98
