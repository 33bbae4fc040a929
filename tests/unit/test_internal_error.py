"""A fault in the program is still one line and exit code 1, never a traceback, unless the
user asks to see where it arose."""

from __future__ import annotations

from typing import Any

import pytest

from consortia import cli
from consortia.errors import ExitCode
from tests.cli_run import run


def _fault(**_: Any) -> None:
    raise KeyError("a name\nover two lines")


def _text_fault(**_: Any) -> None:
    raise RuntimeError("one\ntwo\u202e")


def test_an_internal_error_is_one_line_and_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "app", _fault)
    monkeypatch.delenv("CONSORTIA_TRACEBACK", raising=False)
    code, stderr = run("check", "--data", "anywhere")
    assert code == ExitCode.INTERNAL
    assert stderr.count("\n") == 1
    assert stderr.startswith(
        "error: internal error (KeyError: 'a name\\nover two lines'); a fault in consortia"
    )
    assert "CONSORTIA_TRACEBACK=true" in stderr
    assert "Traceback" not in stderr


def test_the_traceback_is_shown_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "app", _fault)
    monkeypatch.setenv("CONSORTIA_TRACEBACK", "true")
    with pytest.raises(KeyError, match="a name"):
        run("check", "--data", "anywhere")


def test_broken_settings_do_not_hide_the_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "app", _fault)
    monkeypatch.setenv("CONSORTIA_TRACEBACK", "perhaps")
    code, stderr = run("check")
    assert code == ExitCode.INTERNAL
    assert "internal error (KeyError" in stderr


def test_the_line_escapes_what_would_break_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "app", _text_fault)
    monkeypatch.delenv("CONSORTIA_TRACEBACK", raising=False)
    _code, stderr = run("check")
    assert "internal error (RuntimeError: one\\ntwo\\u202e)" in stderr
    assert stderr.count("\n") == 1
