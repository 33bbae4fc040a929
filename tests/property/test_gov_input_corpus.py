"""A generated corpus of broken constitutions and meeting scripts through `gov check` and `run`.

Hypothesis writes random bytes, truncations of the shipped examples, alias bombs, deep
nesting, other encodings and values of the wrong type, and the command's entry point is run in
process. It may succeed or refuse with a documented exit code; a traceback, or exit code 1 (an
internal error, including a script step that failed for a reason other than a rule), fails.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.cli_run import DOCUMENTED, run

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
CONSTITUTION = (EXAMPLES / "constitution.yaml").read_bytes()
SCRIPT = (EXAMPLES / "meeting.yaml").read_bytes()
BOUNDED = settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD_VALUES = [
    "true",
    "no",
    "~",
    "9223372036854775808",
    "-99999999999999999999",
    "1e400",
    ".nan",
    "2017-02-30",
    "0001-01-01",
    "9999-12-31",
    "[]",
    "{}",
    "!!binary aGVsbG8=",
    "!!python/object:os.system x",
    "!unknown 3",
    "&a [*a]",
    '"\\u202eevil"',
    '"\\x07bell"',
    "''",
    "x" * 300,
]


def alias_bomb(width: int, depth: int) -> bytes:
    lines = ["l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"l{d}: &l{d} [" + ", ".join([f"*l{d - 1}"] * width) + "]" for d in range(1, depth)]
    return ("\n".join(lines) + "\n").encode()


def nested_aliases(depth: int, count: int) -> bytes:
    """Anchors each `depth` deep holding the one before: shallow as text, deep once expanded."""
    body = "a0: &a0 " + "[" * depth + "x" + "]" * depth + "\n"
    body += "".join(
        f"a{n}: &a{n} " + "[" * depth + f"*a{n - 1}" + "]" * depth + "\n" for n in range(1, count)
    )
    return body.encode()


def replace_value(text: bytes, line: int, value: str) -> bytes:
    """Put `value` after the first `key:` on the chosen line of a key-value line."""
    lines = text.decode().splitlines()
    candidates = [i for i, t in enumerate(lines) if ": " in t and not t.lstrip().startswith("#")]
    i = candidates[line % len(candidates)]
    key, _, _ = lines[i].partition(": ")
    lines[i] = f"{key}: {value}"
    return ("\n".join(lines) + "\n").encode()


def documents(good: bytes) -> st.SearchStrategy[bytes]:
    """Broken variants of one good file."""
    return st.one_of(
        st.binary(max_size=2000),
        st.integers(0, len(good)).map(lambda n: good[:n]),
        st.builds(alias_bomb, st.integers(2, 12), st.integers(2, 12)),
        st.builds(nested_aliases, st.integers(1, 40), st.integers(1, 120)),
        st.integers(1, 5000).map(lambda n: b"a: " + b"[" * n + b"]" * n),
        st.integers(1, 5000).map(
            lambda n: b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(n))
        ),
        st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]).map(
            lambda enc: good.decode().replace("Northborough", "Nörthborough").encode(enc)
        ),
        st.integers(0, len(good)).map(lambda n: good[:n] + b"\0" + good[n:]),
        st.builds(
            replace_value, st.just(good), st.integers(0, 10_000), st.sampled_from(ODD_VALUES)
        ),
    )


def assert_safe(code: int, stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert code in DOCUMENTED, stderr
    if code:
        errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the good constitution, which the scripts adopt by name."""
    made = tmp_path_factory.mktemp("corpus")
    shutil.copy(EXAMPLES / "constitution.yaml", made / "constitution.yaml")
    return made


@BOUNDED
@given(documents(CONSTITUTION))
def test_broken_constitutions_are_checked_without_a_traceback(folder: Path, data: bytes) -> None:
    path = folder / f"{uuid.uuid4().hex}.yaml"
    path.write_bytes(data)
    assert_safe(*run("gov", "check", str(path)))


@BOUNDED
@given(documents(SCRIPT))
def test_broken_scripts_are_checked_and_run_without_a_traceback(folder: Path, data: bytes) -> None:
    path = folder / f"{uuid.uuid4().hex}.yaml"
    path.write_bytes(data)
    assert_safe(*run("gov", "check", str(path)))
    db = folder / f"{uuid.uuid4().hex}.sqlite"
    assert_safe(*run("gov", "run", str(path), "--db", str(db)))
