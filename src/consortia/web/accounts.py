"""Sign-in accounts: a name, a role and an argon2id hash of the password, kept in a TOML file
the administrator holds (`consortia serve --users FILE`). No password is ever stored or
logged in the clear."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Self

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from consortia.configfile import parse_toml
from consortia.textfile import read_text
from consortia.web.roles import Role

MAX_FILE_BYTES = 1_000_000
_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters (RFC 9106)
# Verified against when the name is unknown, so a wrong name costs what a wrong password does.
_DECOY = _HASHER.hash(secrets.token_hex(16))


class Account(BaseModel):
    """One person's sign-in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    role: Role
    password: str = Field(pattern=r"^\$argon2id\$", max_length=200)  # the hash, never the text
    # The person in the governance record this account acts as, if it acts at all.
    person: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)


class Accounts(BaseModel):
    """Every account of a site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: list[Account] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [a.name for a in self.users]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"account {', '.join(repeated)} named more than once")
        return self

    def verify(self, name: str, password: str) -> Account | None:
        """The account if `password` is its password, else None (same work either way)."""
        found = next((a for a in self.users if a.name == name), None)
        try:
            _HASHER.verify(found.password if found else _DECOY, password)
        except (VerificationError, InvalidHashError):
            return None
        return found


def read_accounts(path: Path) -> Accounts:
    """The accounts in `path`; an error names the file, key and rule."""
    return parse_toml(Accounts, str(path), read_text(path, MAX_FILE_BYTES), "accounts file")


def account(name: str, role: Role, password: str, person: str | None = None) -> Account:
    """A new account whose password is hashed with argon2id."""
    return Account(name=name, role=role, password=_HASHER.hash(password), person=person)


def accounts_toml(accounts: list[Account]) -> str:
    """The accounts as the TOML a site reads."""
    lines = ["# Sign-in accounts of a Consortia site: argon2id hashes, never passwords.", ""]
    for each in accounts:
        lines += [
            "[[users]]",
            f'name = "{each.name}"',
            f'role = "{each.role.value}"',
            f"password = '{each.password}'",
            *([f'person = "{each.person}"'] if each.person else []),
            "",
        ]
    return "\n".join(lines)


# Who in the demo round's record (docs/examples/commissioning-round.yaml) each demo account
# acts as: the governing body's chair, a GP member of it, a salaried GP of a member practice,
# a member practice's representative, and the board secretary who keeps the record.
DEMO_PEOPLE = {
    Role.CHAIR: "dr-adeyemi",
    Role.GOVERNING_BODY_MEMBER: "dr-barker",
    Role.GP_MEMBER: "dr-dunn",
    Role.MEMBER_PRACTICE: "dr-chen",
    Role.ADMINISTRATOR: "board-secretary",
}


def demo_accounts() -> list[tuple[Account, str]]:
    """One account for each role a person signs in with, and its password: the demo's sign-ins,
    printed for whoever runs the demo (never for a real site)."""
    made = []
    for role in Role:
        if role is Role.PUBLIC:
            continue
        name = role.value.replace("_", "-")
        made.append((account(name, role, f"{name}-demo", DEMO_PEOPLE.get(role)), f"{name}-demo"))
    return made
