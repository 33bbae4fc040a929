"""User errors (bad input, printed as one line without a traceback) versus internal errors.

A user error names what is wrong the way a user can act on it: the file, row, field and
rule where there is one. Exit codes are mapped here, once, and documented in docs/cli.md.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the `consortia` command."""

    OK = 0
    INTERNAL = 1  # a bug: please report it
    USAGE = 2  # bad arguments or options (also Click's own code for usage errors)
    DATA = 3  # bad input data: a lake, file or dataset that is missing or breaks a rule
    RESOURCES = 4  # the machine's limits: the engine ran out of the memory it may use


class ConsortiaError(Exception):
    """Base of every error the user can act on; printed as one line."""

    exit_code: ExitCode = ExitCode.DATA

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.rule = rule

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"field {self.field!r}" if self.field else None,
            )
            if part
        ]
        prefix = f"{', '.join(where)}: " if where else ""
        suffix = f" (rule: {self.rule})" if self.rule else ""
        return printable(f"{prefix}{self.message}{suffix}")


def printable(text: str) -> str:
    """`text` with every character that is not printable (line breaks, control and format
    characters, as data may carry them) escaped, so an error stays one visible line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class UsageError(ConsortiaError):
    """An argument or option the command cannot use."""

    exit_code = ExitCode.USAGE


class DataError(ConsortiaError):
    """Input data that is missing or breaks a rule of the schema."""

    exit_code = ExitCode.DATA


class ResourceError(ConsortiaError):
    """The work needs more of the machine than it may use (memory)."""

    exit_code = ExitCode.RESOURCES


def out_of_memory(error: BaseException) -> ResourceError | None:
    """`error` as a `ResourceError` if it is an engine running out of memory (DuckDB's
    OutOfMemoryException, Python's MemoryError), else None."""
    if isinstance(error, MemoryError) or type(error).__name__ == "OutOfMemoryException":
        return ResourceError(
            "the engine ran out of the memory it may use; raise CONSORTIA_MEMORY_LIMIT "
            "(e.g. 8GB), or lower CONSORTIA_THREADS, or run on Spark (--engine spark)",
            rule="memory limit",
        )
    return None
