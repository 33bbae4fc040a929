"""How the money commands hand their results over: tables as JSON-ready records, and a JSON
file written whole or not at all."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from consortia.errors import DataError


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: numbers as Python numbers, dates as ISO text, missing as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): _plain(v) for k, v in row.items()} for row in clean.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_json(data: Any, path: Path) -> None:
    """`data` as indented JSON written whole to `path`, or a one-line error (NaN refused);
    it leaves through the release (`consortia.privacy.release.release_record`)."""
    from consortia.engine.lake import write_whole
    from consortia.privacy.release import release_record

    text = json.dumps(release_record(data, str(path)), indent=1, allow_nan=False)
    if not write_whole(path, lambda temporary: temporary.write_text(text, encoding="utf-8")):
        raise DataError("cannot be written", file=str(path), rule="an output file is writable")
