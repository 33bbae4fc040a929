"""Who is asking, and whether the role table lets them: the session or API token behind a
request, the check every route runs, CSRF on every form, and the headers every response carries.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import HTTPException, Request

from consortia.privacy.access import Access, AccessRecordError, Data, Decision
from consortia.web.roles import Role, may, sensitive
from consortia.web.sessions import CSRF_COOKIE, SESSION_COOKIE, Sessions, SignedIn, same_token
from consortia.web.site import Site

SECURITY_HEADERS = {
    # The pack's page carries its styles and chart scripts inline (it is also a file read
    # offline), and Vega compiles chart expressions: hence the inline and eval allowances.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """Adds the security headers to every response that does not set them itself (a plain
    ASGI middleware: it touches only the response's first message)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, sending)


class SignInNeededError(Exception):
    """A page a visitor may see once signed in."""


def visitor(request: Request) -> SignedIn | None:
    """The signed-in account of the request, if any: its session, or for the API an API
    token given as `Authorization: Bearer TOKEN`."""
    sessions: Sessions = request.app.state.sessions
    found = sessions.get(request.cookies.get(SESSION_COOKIE))
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if found is None and scheme.lower() == "bearer" and token and is_api(request):
        site: Site = request.app.state.site
        holder = site.accounts.holder(token.strip())
        if holder is not None:
            return SignedIn(holder.name, holder.role, float("inf"))
    return found


def role_of(request: Request) -> Role:
    """The role the request is made with (`public` when nobody is signed in)."""
    who = visitor(request)
    return who.role if who else Role.PUBLIC


def authorise(request: Request) -> None:
    """Refuse the request unless the role table lets the visitor's role use its route; note
    in the access record every read of sensitive data, before it is served (refusals are
    noted where every refusal ends: `note_refusal`, from the application's error handlers)."""
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    who = visitor(request)
    role = who.role if who else Role.PUBLIC
    if who is None and is_api(request) and request.headers.get("authorization"):
        # credentials that are not right are refused, never read as the public's
        raise HTTPException(status_code=401, detail="the API token is not known")
    if may(role, name):
        data = sensitive(name, role)
        if data is Data.SMALL_AREA:  # patient-level reads: noted by their handler (`note_read`)
            note_access(request, Access(who.name if who else "public", role, data,
                                  _what(request), Decision.READ))  # fmt: skip
        return
    if who is None and may(Role.ANALYST, name) and not is_api(request):
        raise SignInNeededError
    raise HTTPException(status_code=401 if who is None else 403, detail=refusal(name, role))


def note_read(request: Request, data: Data) -> None:
    """Note a read of `data` that its handler has decided to serve, before it is served (a read
    the record cannot hold is refused: 503)."""
    who = visitor(request)
    role = who.role if who else Role.PUBLIC
    note_access(
        request, Access(who.name if who else "public", role, data, _what(request), Decision.READ)
    )


def note_refusal(request: Request, reason: str) -> None:
    """Note a refusal (of a route, a page or an action) in the access record, where the site
    keeps one; the refusal stands either way."""
    who = visitor(request)
    role = who.role if who else Role.PUBLIC
    data = sensitive(getattr(request.scope.get("route"), "name", None), role)
    access = Access(who.name if who else "public", role, data, _what(request),
                    Decision.REFUSED, reason)  # fmt: skip
    with contextlib.suppress(AccessRecordError):
        site: Site = request.app.state.site
        site.note(access)


def _what(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def note_access(request: Request, access: Access) -> None:
    """Append a read to the access record before it is served; one it cannot hold: 503."""
    site: Site = request.app.state.site
    try:
        site.note(access)
    except AccessRecordError as error:
        raise HTTPException(status_code=503, detail=error.message) from None


def refusal(route: str | None, role: Role) -> str:
    if role is Role.PUBLIC:
        return "sign in with a role that may see this"
    return f"the role {role.label} may not see this"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def local(address: str) -> str:
    """`address` if it is a path on this site, else the home page (no open redirect)."""
    if address.startswith("/") and not address.startswith("//") and "\\" not in address:
        return address
    return "/"


def check_csrf(request: Request, given: str) -> None:
    if not same_token(given, request.cookies.get(CSRF_COOKIE)):
        raise HTTPException(status_code=400, detail="the form has expired; open it again")
