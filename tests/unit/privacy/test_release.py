"""The release seam: nothing row-level leaves, and what does leave is fixed in precision."""

from __future__ import annotations

import pandas as pd
import pytest

from consortia.pack.figure import Figure
from consortia.privacy.release import IDENTIFIERS, ReleaseRefusedError, release


def figure(table: pd.DataFrame) -> Figure:
    return Figure(id="test_figure", section="Test", title="t", method="m", table=table)


@pytest.mark.parametrize("identifier", sorted(IDENTIFIERS))
def test_a_row_level_identifier_is_refused(identifier: str) -> None:
    table = pd.DataFrame({"practice": ["A10001", "B10001"], identifier: [1, 2]})
    with pytest.raises(ReleaseRefusedError) as refused:
        release(figure(table))
    assert "test_figure" in str(refused.value)
    assert identifier in str(refused.value)


def test_a_patient_id_column_among_aggregates_is_refused() -> None:
    table = pd.DataFrame({"patients": [12], "rate_per_1000": [3.5], "patient_id": [7]})
    with pytest.raises(ReleaseRefusedError, match="patient_id"):
        release(figure(table))


def test_aggregates_pass_with_floats_rounded_to_six_places() -> None:
    table = pd.DataFrame({"practice": ["A10001"], "patients": [3], "share": [1 / 3]})
    released = release(figure(table))
    assert released.table["share"].iloc[0] == 0.333333
    assert released.table["patients"].iloc[0] == 3
    assert table["share"].iloc[0] == 1 / 3  # the analysis's own table is left alone
