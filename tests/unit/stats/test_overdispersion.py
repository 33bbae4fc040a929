"""Random-effects funnels (Spiegelhalter 2005) against hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from consortia.errors import UsageError
from consortia.stats.overdispersion import ratio_funnel


def test_no_overdispersion_keeps_poisson_limits() -> None:
    # E = 100 everywhere, so s = √(1/100) = 0.1 and z = (O − 100) / 10: eight 0s, 5 and −5.
    # Winsorised at the 10th/90th percentiles (linear interpolation): −0.5 … 0.5, so
    # φ = (0.25 + 0.25) / 10 = 0.05 and I·φ − (I − 1) < 0: τ² = 0.
    observed = [100] * 8 + [150, 50]
    funnel = ratio_funnel(observed, [100] * 10)
    assert funnel.phi == pytest.approx(0.05, rel=1e-12)
    assert funnel.tau2 == 0.0
    # 99.8% limits 1 ± 3.090232 × 0.1
    assert funnel.upper[1, 0] == pytest.approx(1 + 3.090232306167813 * 0.1, rel=1e-12)
    assert list(funnel.labels[-2:]) == ["High (0.001)", "Low (0.001)"]


def test_overdispersion_widens_limits() -> None:
    # z = −3 … 3 and three 0s; winsorised at −2.1 and 2.1: Σz² = 18.82, φ = 1.882.
    # I·φ − (I − 1) = 9.82; w = 100 each: Σw − Σw²/Σw = 1000 − 100 = 900; τ² = 9.82/900.
    observed = [70, 80, 90, 100, 110, 120, 130, 100, 100, 100]
    funnel = ratio_funnel(observed, [100] * 10)
    assert funnel.phi == pytest.approx(1.882, rel=1e-12)
    assert funnel.tau2 == pytest.approx(9.82 / 900, rel=1e-12)
    spread = np.sqrt(0.01 + 9.82 / 900)
    assert funnel.lower[0, 0] == pytest.approx(1 - 1.959963984540054 * spread, rel=1e-12)
    # 0.7 is beyond the 95% limit (1 − 0.2834) but inside the 99.8% limit (1 − 0.4469)
    assert list(funnel.labels[:7]) == [
        "Low (0.025)",
        "Not significant",
        "Not significant",
        "Not significant",
        "Not significant",
        "Not significant",
        "High (0.025)",
    ]


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(UsageError, match="expected"):
        ratio_funnel([1, 2], [1, 0])
    with pytest.raises(UsageError, match="observed"):
        ratio_funnel([1, -2], [1, 1])


def test_limit_curves_are_the_limits_of_each_expected_count() -> None:
    # Same data as above: τ² = 9.82/900. At E = 100 the 95% limits are 1 ± 1.96·√(0.01 + τ²),
    # the limits the units themselves were given; curves run from 0.8·E to 1.2·E.
    funnel = ratio_funnel([70, 80, 90, 100, 110, 120, 130, 100, 100, 100], [100] * 10)
    curves = funnel.limit_curves([100.0] * 10, points=3)
    assert list(curves["level"]) == ["95%"] * 3 + ["99.8%"] * 3
    np.testing.assert_allclose(curves["expected"].iloc[:3], [80.0, np.sqrt(80 * 120), 120.0])
    middle = curves.iloc[1]
    spread = np.sqrt(1 / middle["expected"] + 9.82 / 900)
    assert middle["upper"] == pytest.approx(1 + 1.959963984540054 * spread, rel=1e-12)
    assert middle["lower"] == pytest.approx(1 - 1.959963984540054 * spread, rel=1e-12)
    at_100 = funnel.limit_curves([100.0], points=1)  # one point: 0.8 × 100
    assert at_100["upper"].iloc[1] == pytest.approx(
        1 + 3.090232306167813 * np.sqrt(1 / 80 + 9.82 / 900), rel=1e-12
    )


def test_outlying_is_beyond_the_outer_limits_and_described() -> None:
    funnel = ratio_funnel([100] * 8 + [150, 50], [100] * 10)
    assert list(funnel.outlying) == [False] * 8 + [True, True]
    assert funnel.description.startswith("Funnel limits at 95% and 99.8%")
    assert "10% winsorised" in funnel.description
    assert "φ = 0.05, τ = 0.000" in funnel.description


def test_one_unit_has_no_between_unit_variance() -> None:
    funnel = ratio_funnel([12], [10])
    assert funnel.tau2 == 0.0
