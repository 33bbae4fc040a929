"""A change or distance written with its sign, as commissioners read one: "+3.1%", "−0.4%".

A value that rounds to zero is written without a sign ("0.0%"): a distance of −0.000001 is not
below target in any sense a reader could act on, and the sign of such a value follows only the
order in which a sum was added up.
"""

from __future__ import annotations

from typing import Any


def signed(value: Any, spec: str) -> str:
    """`value` (a number: a float, or a table's cell) formatted by `spec` (without its sign,
    e.g. ".1%") with a + or - in front, or none where it rounds to zero."""
    number = float(value)
    text = format(abs(number), spec)
    if text.strip("0.,%") == "":
        return text
    return ("+" if number > 0 else "-") + text
