"""Server-side sessions and the protections around signing in.

A session is a random token in an HttpOnly, SameSite=Strict cookie; what it stands for (the
account and its role) stays on the server and ends after a fixed time. Every form carries a
CSRF token that must match the one in its cookie (the double-submit pattern), and repeated
failed sign-ins from one address are refused for a while.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from threading import Lock

from consortia.web.roles import Role

SESSION_COOKIE = "consortia-session"
CSRF_COOKIE = "consortia-csrf"
LIFETIME = 8 * 3600  # seconds: a working day
ATTEMPTS = 5  # failed sign-ins allowed from one address in WINDOW seconds
WINDOW = 300


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to."""

    name: str
    role: Role
    expires: float
    person: str | None = None  # the person of the governance record the account acts as
    practice: str | None = None  # the practice the account belongs to, if it belongs to one


@dataclass
class Sessions:
    """The live sessions of one server process."""

    _live: dict[str, SignedIn] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def start(
        self, name: str, role: Role, person: str | None = None, practice: str | None = None
    ) -> str:
        """A new session's token."""
        token = secrets.token_urlsafe(32)
        expires = time.monotonic() + LIFETIME
        with self._lock:
            self._live[token] = SignedIn(name, role, expires, person, practice)
        return token

    def get(self, token: str | None) -> SignedIn | None:
        """The session of `token`, if it is live."""
        if not token:
            return None
        with self._lock:
            found = self._live.get(token)
            if found is not None and found.expires < time.monotonic():
                del self._live[token]
                return None
        return found

    def end(self, token: str | None) -> None:
        """End the session of `token`, if any."""
        with self._lock:
            self._live.pop(token or "", None)


@dataclass
class Throttle:
    """Failed sign-ins by address, to refuse guessing."""

    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: Lock = field(default_factory=Lock)

    def blocked(self, address: str) -> bool:
        """Whether `address` has failed ATTEMPTS times within the last WINDOW seconds."""
        with self._lock:
            recent = self._failures[address]
            while recent and recent[0] < time.monotonic() - WINDOW:
                recent.popleft()
            return len(recent) >= ATTEMPTS

    def failed(self, address: str) -> None:
        with self._lock:
            self._failures[address].append(time.monotonic())


def csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    """Whether a form's CSRF token matches its cookie (compared in constant time)."""
    return bool(given) and bool(expected) and secrets.compare_digest(str(given), str(expected))
