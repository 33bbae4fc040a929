"""Making Data Count icons, decided by the rules worked by hand on small series."""

from __future__ import annotations

import pytest

from consortia.pack import icons
from consortia.stats import xmr

# Six pairs of 10 and 11 then 30. Mean (60 + 66 + 30) / 13 = 12. Moving ranges: eleven of 1
# and one of 19; their mean 30 / 12 = 2.5, and 19 >= 3.267 × 2.5 = 8.17 is screened out,
# leaving a mean moving range of 1: limits 12 ± 2.66 = 9.34 to 14.66. The last point, 30,
# lies beyond the upper limit: a special cause, high.
JUMP = [10.0, 11.0] * 6 + [30.0]


@pytest.mark.parametrize(
    ("improvement", "key", "text", "colour", "letter"),
    [
        (
            "increase",
            "improving_high",
            "Special cause – improving high",
            icons.IMPROVEMENT_BLUE,
            "H",
        ),
        (
            "decrease",
            "concerning_high",
            "Special cause – concerning high",
            icons.CONCERN_ORANGE,
            "H",
        ),
    ],
)
def test_a_high_special_cause_is_improving_or_concerning_by_direction(
    improvement: icons.Improvement, key: str, text: str, colour: str, letter: str
) -> None:
    chart = xmr(JUMP, direction=improvement)
    assert chart.upper[0, -1] == pytest.approx(14.66)
    icon = icons.variation(str(chart.variation[0]), improvement)
    assert (icon.key, icon.text, icon.colour, icon.letter) == (key, text, colour, letter)


def test_a_low_special_cause() -> None:
    falling = [20.0, 21.0] * 6 + [
        1.0
    ]  # mean 247 / 13 = 19, AMR 1 after screening: limits 16.34 to 21.66
    assert icons.variation(
        str(xmr(falling, direction="increase").variation[0]), "increase"
    ).key == ("concerning_low")
    assert icons.variation(
        str(xmr(falling, direction="decrease").variation[0]), "decrease"
    ).key == ("improving_low")
    neither = icons.variation(str(xmr(falling, direction="neutral").variation[0]), "neutral")
    assert (neither.key, neither.colour, neither.letter) == (
        "neither_low",
        icons.NEUTRAL_PURPLE,
        "L",
    )


def test_common_cause_when_the_latest_point_breaks_no_rule() -> None:
    steady = [10.0, 11.0] * 6 + [10.0]  # mean 136 / 13 = 10.46, AMR 1: limits 7.80 to 13.12
    icon = icons.variation(str(xmr(steady).variation[0]), "increase")
    assert (icon.key, icon.colour, icon.letter) == ("common_cause", icons.COMMON_GREY, "")


def test_an_unknown_point_type_is_refused() -> None:
    with pytest.raises(ValueError, match="point type"):
        icons.variation("special_cause_improvement", "neutral")


@pytest.mark.parametrize(
    ("target", "improvement", "key"),
    [
        # limits 92 to 98 (per cent of patients seen within four hours; higher is better)
        (95.0, "increase", "hit_and_miss"),  # the target lies between the limits
        (90.0, "increase", "consistently_pass"),  # even the lower limit beats it
        (99.0, "increase", "consistently_fail"),  # even the upper limit misses it
        (92.0, "increase", "hit_and_miss"),  # on a limit: not consistently either
        # the same limits where lower is better (say, waiting days)
        (90.0, "decrease", "consistently_fail"),
        (99.0, "decrease", "consistently_pass"),
        (None, "increase", "no_target"),
        (float("nan"), "increase", "no_target"),
        (95.0, "neutral", "no_target"),
    ],
)
def test_assurance_compares_the_target_with_the_limits(
    target: float | None, improvement: icons.Improvement, key: str
) -> None:
    assert icons.assurance(target, 92.0, 98.0, improvement).key == key


@pytest.mark.parametrize("target", [5.0, 12.0, 20.0])  # below, between and above 7.80–13.12
@pytest.mark.parametrize("improvement", ["increase", "decrease"])
def test_assurance_agrees_with_the_spc_result(
    target: float, improvement: icons.Improvement
) -> None:
    steady = [10.0, 11.0] * 6 + [10.0]
    chart = xmr(steady, direction=improvement, target=target)
    words = {
        "consistent_pass": "consistently_pass",
        "consistent_fail": "consistently_fail",
        "inconsistent": "hit_and_miss",
    }
    icon = icons.assurance(target, chart.lower[0, -1], chart.upper[0, -1], improvement)
    assert icon.key == words[str(chart.assurance[0])]


def test_icons_are_labelled_inline_svg() -> None:
    icon = icons.assurance(90.0, 92.0, 98.0, "increase")
    drawn = str(icon.svg())
    assert drawn.startswith("<svg")
    assert drawn.endswith("</svg>")
    assert 'role="img"' in drawn
    assert 'aria-label="Consistently passing the target"' in drawn
    assert ">P</text>" in drawn
    assert icons.IMPROVEMENT_BLUE in drawn
