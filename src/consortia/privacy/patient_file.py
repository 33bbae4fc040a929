"""Patient-level files (a practice's re-identified list, case-management lists): created new
and readable by their owner only, never written over another file, never left half-written."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from consortia.errors import UsageError


def write_new(out: Path, what: str, write: Callable[[TextIO], object]) -> None:
    """`write(file)` into a file created new at `out` with mode 0600 (`what` names its content
    in the error when a file is already there); removed again if writing fails."""
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"a file is already there: {what} are never written over another file",
            file=str(out),
            field="--out",
        ) from None
    except OSError as error:
        raise UsageError(
            f"cannot write there ({error.strerror or type(error).__name__})", file=str(out)
        ) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            write(file)
    except OSError as error:
        out.unlink(missing_ok=True)  # made here, so removed here: nothing half-written
        raise UsageError(
            f"cannot write there ({error.strerror or type(error).__name__})", file=str(out)
        ) from None
