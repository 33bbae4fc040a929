"""Where the embedded engine spills: a folder of its own in the system's temporary space,
removed when the process ends, never a `.tmp` left in the folder a command was run from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Runs in a process of its own: groups 20 million hashes under a 100 MB limit, so DuckDB must
# spill, and prints the folders holding spilled files while the connection is open.
SPILLING = """
import os, tempfile
from consortia.config import Settings
from consortia.engine.backends import connect
backend = connect("duckdb", Settings(threads=2, memory_limit="100MB"))
backend.con.execute("SET enable_progress_bar = false")  # this test reads what is printed
backend.con.sql(
    "SELECT count(*) FROM (SELECT hash(range) AS h, count(*) FROM range(20000000) GROUP BY h)"
).fetchall()
print("\\n".join(sorted(os.listdir(tempfile.gettempdir()))))
"""


def test_a_spilling_engine_leaves_nothing_behind(tmp_path: Path) -> None:
    work, temporary = tmp_path / "work", tmp_path / "temporary"
    work.mkdir()
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}
    done = subprocess.run(
        [sys.executable, "-c", SPILLING],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [spilled] = done.stdout.split()  # it did spill, into one folder of its own
    assert spilled.startswith("consortia-engine-")
    assert list(temporary.iterdir()) == []
    assert list(work.iterdir()) == []
