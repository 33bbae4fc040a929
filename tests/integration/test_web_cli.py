"""`consortia token` and `consortia serve` refusing what they cannot use, each in one line
before any work: a corrupt or clashing accounts file, an unknown role, a port in use."""

from __future__ import annotations

import socket
from pathlib import Path

from consortia.errors import ExitCode
from consortia.web.accounts import read_accounts
from tests.integration.test_cli import assert_one_line_error, consortia


def test_a_token_is_shown_once_and_kept_as_its_hash(tmp_path: Path) -> None:
    users = tmp_path / "site" / "users.toml"
    made = consortia("token", "--users", str(users), "--name", "warehouse", "--role", "analyst")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.splitlines()[1]
    assert len(secret) >= 40
    text = users.read_text(encoding="utf-8")
    assert secret not in text
    accounts = read_accounts(users)
    holder = accounts.holder(secret)
    assert holder is not None
    assert (holder.name, holder.role.value) == ("warehouse", "analyst")
    assert accounts.holder(secret + "x") is None
    again = consortia("token", "--users", str(users), "--name", "warehouse", "--role", "analyst")
    line = assert_one_line_error(again, ExitCode.DATA)
    assert "account warehouse named more than once" in line
    assert users.read_text(encoding="utf-8") == text  # nothing changed


def test_what_token_and_serve_cannot_use_is_refused_in_one_line(tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    wrong_role = consortia("token", "--users", str(users), "--name", "x", "--role", "nobody")
    assert "no role 'nobody'" in assert_one_line_error(wrong_role, ExitCode.USAGE)
    assert not users.exists()
    users.write_text("[[users]]\nname = 'a'\nrole = 'analyst'\npassword = [\n", encoding="utf-8")
    corrupt = consortia("token", "--users", str(users), "--name", "x", "--role", "analyst")
    assert str(users) in assert_one_line_error(corrupt, ExitCode.DATA)
    served = consortia("serve", "--data", str(tmp_path / "no-lake"), "--users", str(users))
    assert "TOML syntax" in assert_one_line_error(served, ExitCode.DATA)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = consortia("serve", "--data", str(tmp_path), "--port", port)
        assert f"cannot listen on 127.0.0.1:{port}" in assert_one_line_error(busy, ExitCode.USAGE)
