"""Every shipped measure definition loads, is reviewed on time and counts something real."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pytest

from consortia.analyses.value_sets import prefixes
from consortia.errors import DataError
from consortia.measures.definition import Review, _load, measures
from consortia.schema.datasets import DATASETS


def test_the_variation_measures_are_shipped() -> None:
    assert set(measures()) >= {
        "gp_referred_first_outpatients",
        "emergency_admissions",
        "acsc_emergency_admissions",
        "ae_attendances",
        "elective_admissions",
    }


@pytest.mark.parametrize("measure", list(measures().values()), ids=lambda m: m.id)
def test_definition_is_complete(measure: object) -> None:
    from consortia.measures.definition import Measure

    assert isinstance(measure, Measure)
    assert measure.why_it_matters.strip()
    assert measure.review.next_review > measure.review.reviewed_on
    assert measure.review.next_review > date(2026, 11, 1)
    dataset = DATASETS[measure.numerator.dataset]
    for column, values in measure.numerator.where.items():
        codes = dataset.column(column).codes
        assert codes is not None, column
        assert set(values) <= set(codes.values), column
    for value_set in measure.numerator.diagnosis_value_sets:
        assert prefixes(value_set)


def test_malformed_definition_names_file_and_field() -> None:
    with pytest.raises(DataError) as raised:
        _load("definitions/bad.toml", 'id = "bad"\ntitle = 3\n')
    assert "definitions/bad.toml" in str(raised.value)
    with pytest.raises(DataError, match="TOML syntax"):
        _load("definitions/worse.toml", "id = = 1")


PUBLISHERS = ("NHS Data Dictionary", "NHS Outcomes Framework", "NHS England", "HSCIC")


@pytest.mark.parametrize("measure", list(measures().values()), ids=lambda m: m.id)
def test_definition_was_checked_against_a_published_definition(measure: object) -> None:
    """A review names the published definition it was checked against and how it differs;
    a definition still waiting for its check fails here."""
    from consortia.measures.definition import Measure

    assert isinstance(measure, Measure)
    checked = measure.review.checked_by
    assert "not yet checked" not in checked.lower()
    assert any(publisher in checked for publisher in PUBLISHERS), checked
    assert measure.review.differences.strip()


def test_an_unchecked_review_is_caught() -> None:
    """The check above would fail on the placeholder every definition once carried."""
    text = (files("consortia.measures") / "definitions" / "ae_attendances.toml").read_text(
        encoding="utf-8"
    )
    unchecked = _load("definitions/ae_attendances.toml", text).model_copy(
        update={
            "review": Review(
                authored_by="a",
                checked_by="not yet checked",
                reviewed_on=date(2026, 1, 1),
                next_review=date(2027, 1, 1),
            )
        }
    )
    with pytest.raises(AssertionError):
        test_definition_was_checked_against_a_published_definition(unchecked)
