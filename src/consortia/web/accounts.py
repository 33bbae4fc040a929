"""Sign-in accounts: a name, a role and an argon2id hash of the password, kept in a TOML file
the administrator holds (`consortia serve --users FILE`). No password is ever stored or
logged in the clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Self

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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
    # The practice (ODS code) a member practice's or GP member's account belongs to: the one
    # practice whose patients it may read patient by patient (`consortia.privacy.access`).
    practice: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3,10}$")


class ApiToken(BaseModel):
    """Another system's key to the API: a name, a role and the SHA-256 of the token (a token is
    32 random bytes, so a plain hash is as strong as the token; it is shown once, when made)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    role: Role
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Accounts(BaseModel):
    """Every account of a site, and the API tokens of other systems."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: list[Account] = Field(default_factory=list)
    tokens: list[ApiToken] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [a.name for a in self.users] + [t.name for t in self.tokens]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"account {', '.join(repeated)} named more than once")
        return self

    def holder(self, token: str) -> ApiToken | None:
        """The API token `token` is, if any."""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        return next((t for t in self.tokens if hmac.compare_digest(t.sha256, digest)), None)

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


def account(
    name: str, role: Role, password: str, person: str | None = None, practice: str | None = None
) -> Account:
    """A new account whose password is hashed with argon2id."""
    hashed = _HASHER.hash(password)
    return Account(name=name, role=role, password=hashed, person=person, practice=practice)


def api_token(name: str, role: Role) -> tuple[ApiToken, str]:
    """A new API token for another system, and the token itself (to show once)."""
    secret = secrets.token_urlsafe(32)
    digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    return ApiToken(name=name, role=role, sha256=digest), secret


def accounts_toml(accounts: list[Account], tokens: list[ApiToken] | None = None) -> str:
    """The accounts (and API tokens) as the TOML a site reads."""
    lines = ["# Sign-in accounts of a Consortia site: argon2id hashes, never passwords.", ""]
    for each in accounts:
        lines += [
            "[[users]]",
            f'name = "{each.name}"',
            f'role = "{each.role.value}"',
            f"password = '{each.password}'",
            *([f'person = "{each.person}"'] if each.person else []),
            *([f'practice = "{each.practice}"'] if each.practice else []),
            "",
        ]
    for token in tokens or []:
        lines += [
            "[[tokens]]",
            f'name = "{token.name}"',
            f'role = "{token.role.value}"',
            f'sha256 = "{token.sha256}"',
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


def demo_accounts(practice: str | None = None) -> list[tuple[Account, str]]:
    """One account for each role a person signs in with, and its password: the demo's sign-ins,
    printed for whoever runs the demo (never for a real site). The member practice's and the
    GP member's accounts belong to `practice`."""
    made = []
    for role in Role:
        if role is Role.PUBLIC:
            continue
        name = role.value.replace("_", "-")
        own = practice if role in (Role.MEMBER_PRACTICE, Role.GP_MEMBER) else None
        made_account = account(name, role, f"{name}-demo", DEMO_PEOPLE.get(role), own)
        made.append((made_account, f"{name}-demo"))
    return made


def add_token(path: Path, name: str, role: Role) -> str:
    """Add an API token for `name` to the accounts file at `path` (made if absent; written
    whole or not at all) and return the token, which is stored only as its hash."""
    from consortia.engine.lake import first_line, replace_whole
    from consortia.errors import DataError

    existing = read_accounts(path) if path.exists() else Accounts()
    made, secret = api_token(name, role)
    try:
        updated = Accounts(users=existing.users, tokens=[*existing.tokens, made])
    except ValidationError as error:
        message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise DataError(message, file=str(path), field="name",
                        rule="one account or token per name") from None  # fmt: skip
    text = accounts_toml(updated.users, updated.tokens)
    try:
        replace_whole(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise DataError(f"cannot be written: {first_line(error)}", file=str(path),
                        rule="the accounts file can be written") from None  # fmt: skip
    return secret
