"""Financial years (1 April to 31 March) as people write them: "2013/14"."""

from __future__ import annotations

import re
from datetime import date

from consortia.errors import DataError


def financial_year_label(start_year: int) -> str:
    """The label of the financial year starting in April of `start_year`."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(day: date) -> str:
    """The label of the financial year `day` falls in (April to March)."""
    return financial_year_label(day.year if day.month >= 4 else day.year - 1)


def parse_financial_year(text: str) -> str:
    """ "2013/14" from "2013/14" or "2013-14" (as a user types it); a one-line error otherwise."""
    label = text.replace("-", "/")
    if not re.fullmatch(r"\d{4}/\d{2}", label) or int(label[5:]) != (int(label[:4]) + 1) % 100:
        raise DataError(f"{text!r} is not a financial year such as 2014/15", field="year")
    return label
