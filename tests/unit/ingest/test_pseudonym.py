"""Keyed pseudonyms: an unkeyed hash of NHS numbers is reversed by enumeration; the keyed one
is neither reversible nor linkable without the key; the key is kept apart from the lake."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from consortia.errors import UsageError
from consortia.ingest.pseudonym import Key, identifier_problem, load_key, new_key

MASK = (1 << 63) - 1


def check_digit(base: str) -> int | None:
    """The modulus-11 check digit worked the long way (None: no number has this base)."""
    total = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    return None if digit == 10 else digit % 11


def enumerate_numbers(first: int, count: int) -> list[str]:
    """Every valid NHS number whose nine-digit base lies in [first, first + count)."""
    found = []
    for base in range(first, first + count):
        digit = check_digit(str(base))
        if digit is not None:
            found.append(f"{base}{digit}")
    return found


def unkeyed(number: str) -> int:
    """What a careless platform would store: SHA-256 of the number, cut like a pseudonym."""
    return int.from_bytes(hashlib.sha256(number.encode()).digest()[:8], "big") & MASK


def test_the_published_example_and_hand_worked_numbers() -> None:
    assert identifier_problem("9434765919") is None  # NHS Data Dictionary's example
    assert identifier_problem("943 476 5919") is None
    assert check_digit("900000005") is None  # 90 + 5×2 = 100 ≡ 1 (mod 11): never issued
    assert "check digit" in (identifier_problem("9000000050") or "")
    assert "check digit" in (identifier_problem("9434765918") or "")
    for text in (
        "9434765919\n",
        "943476591",
        "94347659190",
        "٩٤٣٤٧٦٥٩١٩",
        "943-476-5919",
        "",
        "943476591x",
    ):
        assert "ten digits" in (identifier_problem(text) or ""), text


def test_an_unkeyed_hash_is_reversed_by_enumeration_and_the_keyed_one_is_not() -> None:
    candidates = enumerate_numbers(900_000_000, 100_000)  # a slice of the whole space
    assert len(candidates) > 90_000  # about 10 in 11 bases have a check digit
    people = candidates[::997]  # the NHS numbers in some lake
    key, other = Key(b"\x01" * 32), Key(b"\x02" * 32)
    # The attacker hashes every candidate: every unkeyed pseudonym is found again.
    table = {unkeyed(n): n for n in candidates}
    assert [table.get(unkeyed(p)) for p in people] == people
    # The same enumeration finds none of the keyed pseudonyms.
    keyed = [key.pseudonym(p) for p in people]
    assert not set(keyed) & set(table)
    # Two lakes under different keys share no pseudonym: their people cannot be linked.
    assert not set(keyed) & {other.pseudonym(p) for p in people}
    # With the key the same person always gets the same pseudonym (records join up).
    assert keyed == [key.pseudonym(p) for p in people]
    assert len(set(keyed)) == len(people)
    assert all(0 <= k <= MASK for k in keyed)


def test_the_key_check_tells_keys_apart_without_showing_them() -> None:
    key = Key(bytes(range(32)))
    assert key.check != Key(bytes(range(1, 33))).check
    assert bytes(range(32)).hex() not in key.check
    assert bytes(range(32)).hex() not in repr(key)


def test_a_new_key_is_random_private_and_never_overwritten(tmp_path: Path) -> None:
    first, second = tmp_path / "a.key", tmp_path / "b.key"
    new_key(first)
    new_key(second)
    assert first.read_text() != second.read_text()
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert len(bytes.fromhex(first.read_text().strip())) == 32
    before = first.read_text()
    with pytest.raises(UsageError, match="already there"):
        new_key(first)
    assert first.read_text() == before
    lake = tmp_path / "lake"
    assert load_key(first, lake).secret == bytes.fromhex(before.strip())


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not hex at all\n", "not hex"),
        (b"abcd\n", "length"),
        (b"\xff\xfe", "not hex"),
        (b"00" * 2000, "length"),
    ],
)
def test_a_key_file_that_holds_no_key_is_refused(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=words):
        load_key(path, tmp_path / "lake")


def test_ingest_refuses_to_run_without_a_key_or_with_one_inside_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with pytest.raises(UsageError, match="needs the pseudonymisation key"):
        load_key(None, lake)
    lake.mkdir()
    new_key(lake / "key")
    with pytest.raises(UsageError, match="inside the lake"):
        load_key(lake / "key", lake)
    with pytest.raises(UsageError, match="cannot read"):
        load_key(tmp_path / "absent.key", lake)
