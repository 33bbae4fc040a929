"""Keyed pseudonyms of NHS numbers: what a lake holds in place of a person's identifier.

An NHS number is replaced at ingest by HMAC-SHA256 under a secret key (RFC 2104), cut to the
lake's 63-bit `patient_id`. An unkeyed hash would hide nothing: there are fewer than a billion
ten-digit numbers with a valid check digit, and hashing them all takes minutes, so any hash
of an NHS number can be looked up. Under a key held apart from the lake and the database,
the pseudonyms of two lakes made with different keys cannot be linked and none can be
reversed without the key. The same key gives a person the same pseudonym in every extract, so
their records join up.

Cutting the digest to 63 bits makes two people sharing a pseudonym possible but rare: for
England's 56 million people about one pair in six thousand lakes (n²/2⁶⁴). Ingest refuses a
patient extract in which two NHS numbers meet in one pseudonym, as it refuses any repeated key.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from nhs_number.validate import is_valid

from consortia.errors import UsageError

KEY_BYTES = 32  # 256 bits, the digest's own length (RFC 2104 §3)
_MASK = (1 << 63) - 1
_DIGITS = re.compile(r"[0-9]{10}")
_CHECK = b"consortia: which key made this lake's pseudonyms"
_LONGEST_KEY_FILE = 1024


@dataclass(frozen=True, repr=False)
class Key:
    """A pseudonymisation key (its bytes are never printed)."""

    secret: bytes

    def pseudonym(self, digits: str) -> int:
        """The 63-bit pseudonym of a normalised NHS number (ten ASCII digits)."""
        digest = hmac.digest(self.secret, digits.encode("ascii"), "sha256")
        return int.from_bytes(digest[:8], "big") & _MASK

    @property
    def check(self) -> str:
        """A value that tells keys apart without revealing them (recorded in the lake's
        ledger, so that extracts pseudonymised under another key are refused)."""
        return hmac.digest(self.secret, _CHECK, "sha256")[:8].hex()


def identifier_problem(text: str) -> str | None:
    """Why `text` is not an NHS number ingest accepts, or None: ten ASCII digits (spaces
    allowed, as in "943 476 5919") whose tenth is the modulus-11 check digit of the nine
    before it (validated by the `nhs-number` package)."""
    digits = normalised(text)
    if not _DIGITS.fullmatch(digits):
        return "an NHS number: ten digits 0-9 (spaces allowed)"
    if not is_valid(digits):
        return "an NHS number: its last digit is the modulus-11 check digit of the nine before it"
    return None


def normalised(text: str) -> str:
    """An NHS number as ten digits, the spaces it may be written with removed."""
    return text.replace(" ", "")


def new_key(path: Path) -> None:
    """Write a new random key to `path` (hex, readable by its owner only); never overwrite."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            "a key file is already there: a new key would orphan every pseudonym made with it",
            file=str(path),
        ) from None
    except OSError as error:
        raise UsageError(
            f"cannot write the key ({error.strerror or type(error).__name__})", file=str(path)
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(KEY_BYTES) + "\n")


def load_key(path: Path | None, lake: Path) -> Key:
    """The key in `path`, which must be held outside the lake (a lake that travels with its
    key pseudonymises nothing)."""
    if path is None:
        raise UsageError(
            "ingest needs the pseudonymisation key: --key FILE (or CONSORTIA_PSEUDONYM_KEY); "
            "make one with `consortia new-key --out FILE` and keep it outside the lake",
            field="--key",
        )
    resolved = path.resolve()
    if resolved.is_relative_to(lake.resolve()):
        raise UsageError(
            "the key is inside the lake: keep it apart from the data it protects",
            file=str(path),
            field="--key",
        )
    if path.exists() and not path.is_file():  # a folder, or a pipe that would never end
        raise UsageError("the key is not a regular file", file=str(path), field="--key")
    try:
        with path.open("rb") as file:
            raw = file.read(_LONGEST_KEY_FILE + 1)
    except OSError as error:
        raise UsageError(
            f"cannot read the key ({error.strerror or type(error).__name__})", file=str(path)
        ) from None
    text = raw.strip()
    rule = f"a key file holds {KEY_BYTES} or more random bytes as hex (`consortia new-key`)"
    if len(raw) > _LONGEST_KEY_FILE:
        raise UsageError("the key is not of the length a key has", file=str(path), rule=rule)
    try:
        secret = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise UsageError("the key is not hex", file=str(path), rule=rule) from None
    if len(secret) < KEY_BYTES:
        raise UsageError("the key is not of the length a key has", file=str(path), rule=rule)
    return Key(secret)
