"""An engine that runs out of memory is one line and its own exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from consortia.engine.backends import connect
from consortia.errors import ExitCode, out_of_memory
from tests.cli_run import run
from tests.spec.tiny import write_lake


def test_duckdbs_out_of_memory_error_is_a_resource_error() -> None:
    backend = connect()
    backend.raw_sql("SET memory_limit = '1MB'")
    with pytest.raises(duckdb.OutOfMemoryException) as raised:
        backend.raw_sql("SELECT list(range) FROM range(3000000)").fetchall()
    error = out_of_memory(raised.value)
    assert error is not None
    assert error.exit_code == ExitCode.RESOURCES
    assert "CONSORTIA_MEMORY_LIMIT" in str(error)
    assert out_of_memory(ValueError("other")) is None


def test_the_command_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = write_lake(tmp_path / "lake", {"ccg": [{"code": "01A", "name": "A", "region": "north"}]})
    monkeypatch.setenv("CONSORTIA_MEMORY_LIMIT", "1KB")
    code, stderr = run("check", "--data", str(lake))
    assert code == ExitCode.RESOURCES, stderr
    assert stderr.startswith("error: the engine ran out of the memory")
    assert "Traceback" not in stderr
