"""A user error is one visible line, whatever the data it quotes carries."""

from __future__ import annotations

from consortia.errors import DataError


def test_line_breaks_control_and_bidi_characters_in_quoted_data_are_escaped() -> None:
    error = DataError("value a\nb\x85c\u202ed\x00é", file="f.parquet", row=3, field="x", rule="r")
    text = str(error)
    assert text == "f.parquet, row 3, field 'x': value a\\nb\\x85c\\u202ed\\x00é (rule: r)"
    assert text.splitlines() == [text]
