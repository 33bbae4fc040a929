"""Each CCG's unavoidable-cost indices (market forces, emergency ambulance), read from a CSV
file a user supplies: the lake holds no prices by place, so without one every index is 1."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from consortia.errors import DataError
from consortia.finance.parameters import COST_INDICES
from consortia.textfile import read_text

MAX_FILE_BYTES = 10_000_000
COLUMNS = ("ccg", *COST_INDICES)
RULE = "a cost index is a positive number, one row per CCG of the lake"


def no_indices(ccgs: list[str]) -> pd.DataFrame:
    """Every CCG's indices at 1."""
    return pd.DataFrame({"ccg": ccgs} | {name: [1.0] * len(ccgs) for name in COST_INDICES})


def read_cost_indices(path: Path, ccgs: list[str]) -> pd.DataFrame:
    """The indices in `path` (columns `ccg`, `market_forces`, `emergency_ambulance`), one row
    for each CCG of the lake; an error names the file, row, field and rule."""
    text = read_text(path, MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise DataError("an empty file; expected the header " + ",".join(COLUMNS), file=str(path))
    if tuple(name.strip() for name in header) != COLUMNS:
        raise DataError(
            f"the header must be {','.join(COLUMNS)}", file=str(path), row=1, rule="header"
        )
    known = set(ccgs)
    rows: dict[str, list[float]] = {}
    for number, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(COLUMNS):
            raise DataError(
                f"{len(record)} fields, not {len(COLUMNS)}", file=str(path), row=number, rule=RULE
            )
        code = record[0].strip()
        if code not in known:
            raise DataError(
                f"no CCG {code!r} in the lake", file=str(path), row=number, field="ccg", rule=RULE
            )
        if code in rows:
            raise DataError(
                f"CCG {code} given twice", file=str(path), row=number, field="ccg", rule=RULE
            )
        values = []
        for name, value in zip(COST_INDICES, record[1:], strict=True):
            try:
                number_value = float(value)
            except ValueError:
                number_value = math.nan
            if not (math.isfinite(number_value) and 0 < number_value < 100):
                raise DataError(
                    f"{value!r} is not a positive index below 100",
                    file=str(path),
                    row=number,
                    field=name,
                    rule=RULE,
                )
            values.append(number_value)
        rows[code] = values
    missing = sorted(known - set(rows))
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise DataError(f"no row for CCG {shown}", file=str(path), rule=RULE)
    return pd.DataFrame(
        [
            {"ccg": code, **dict(zip(COST_INDICES, values, strict=True))}
            for code, values in rows.items()
        ]
    )
