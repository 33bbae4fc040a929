"""Reading a user's text file as hostile input: a regular file, bounded in size, UTF-8."""

from __future__ import annotations

import stat
from pathlib import Path

from consortia.errors import DataError

MAX_BYTES = 1_000_000  # a constitution of a large CCG is ~50 kB; a parameters file ~3 kB


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a regular file of at most `max_bytes`, UTF-8 (a BOM tolerated, NUL refused)."""
    try:
        info = path.stat()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}", file=str(path)) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError("not a regular file", file=str(path), rule="a regular file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}", file=str(path)) from None
    if len(raw) > max_bytes:
        raise DataError(
            f"larger than {max_bytes:,} bytes", file=str(path), rule="a bounded file size"
        )
    if b"\0" in raw:
        row = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise DataError("the file holds a NUL byte", file=str(path), row=row, rule="UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"byte {error.start} is not UTF-8", file=str(path), row=row, rule="UTF-8 text"
        ) from None
    return text.removeprefix("\ufeff")
