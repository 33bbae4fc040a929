"""The `consortia` command run in this process, as the generated-corpus tests drive it."""

from __future__ import annotations

import contextlib
import io
import sys

from consortia.cli import main
from consortia.errors import ExitCode

# Every exit code the command documents; INTERNAL (an unexpected error) is not among them.
DOCUMENTED = {int(code) for code in ExitCode} - {int(ExitCode.INTERNAL)}


def run(*args: str) -> tuple[int, str]:
    """The exit code and stderr of `consortia ARGS`, run in this process."""
    stderr = io.StringIO()
    argv = sys.argv
    sys.argv = ["consortia", *args]
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.argv = argv
    return code, stderr.getvalue()
