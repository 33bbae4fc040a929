"""The web application: server-rendered pages in the NHS design system and a JSON API, every
route behind the role table (`consortia.web.roles`), every failure in one shape.

Pages are Jinja2 with the design system's own macros (`nhsuk-frontend-jinja`) and its compiled
stylesheet from npm; the pack and the record's pages are the very pages `consortia pack` and
`consortia gov publish` write. The API answers with JSON and is described by its OpenAPI
document at /openapi.json.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from consortia import __version__
from consortia.governance.actions import ACTIONS, Action, Refused
from consortia.governance.roles import Who
from consortia.pack.assets import LIBRARIES
from consortia.pack.assets import STATIC as DESIGN_SYSTEM
from consortia.pack.labels import MISSING as MISSING_VALUE
from consortia.web.forms import arguments, fields, validation_errors
from consortia.web.roles import OPERATOR_ROLES, PERSON_ROLES, Role, may
from consortia.web.sessions import (
    CSRF_COOKIE,
    LIFETIME,
    SESSION_COOKIE,
    Sessions,
    SignedIn,
    Throttle,
    csrf_token,
    same_token,
)
from consortia.web.site import Site

OWN_STATIC = Path(__file__).parent / "static"
PACK_TEMPLATES = DESIGN_SYSTEM.parents[1] / "templates"
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
TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 422: "Not valid", 429: "Too many attempts",
          500: "Something went wrong"}  # fmt: skip

_TEMPLATES = jinja2.Environment(
    loader=jinja2.ChoiceLoader(
        [
            jinja2.PackageLoader("consortia.web", "templates"),
            jinja2.PackageLoader("consortia.pack", "templates"),  # the pack's figure markup
            jinja2.PackageLoader("nhsuk_frontend_jinja", "templates"),
        ]
    ),
    autoescape=True,
    undefined=jinja2.ChainableUndefined,  # the design system's macros read optional params
    auto_reload=False,  # templates are part of the installed package: never stat them per page
)


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


class FigureSummary(BaseModel):
    """A figure of the pack, without its rows."""

    id: str
    section: str
    title: str
    method: str
    confidence: float | None
    rows: int
    columns: list[str]


class FigureRows(FigureSummary):
    """A figure of the pack with its released rows."""

    data: list[dict[str, Any]]


class Problem(BaseModel):
    """What went wrong: the HTTP status, its title and the detail in words."""

    status: int
    title: str
    detail: str


class ErrorBody(BaseModel):
    """The one shape of every failure the API returns."""

    error: Problem


REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in with a role that may see this"},
    403: {"model": ErrorBody, "description": "The role signed in may not see this"},
    422: {"model": ErrorBody, "description": "A parameter is not valid"},
}
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such figure"}
}


class RecordStatus(BaseModel):
    """Whether the governance record verified, in words."""

    verified: bool
    summary: str


def visitor(request: Request) -> SignedIn | None:
    """The signed-in account of the request, if any: its session, or for the API an API
    token given as `Authorization: Bearer TOKEN`."""
    sessions: Sessions = request.app.state.sessions
    found = sessions.get(request.cookies.get(SESSION_COOKIE))
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if found is None and scheme.lower() == "bearer" and token and _is_api(request):
        site: Site = request.app.state.site
        holder = site.accounts.holder(token.strip())
        if holder is not None:
            return SignedIn(holder.name, holder.role, float("inf"))
    return found


def authorise(request: Request) -> None:
    """Refuse the request unless the role table lets the visitor's role use its route."""
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    who = visitor(request)
    role = who.role if who else Role.PUBLIC
    if may(role, name):
        return
    if who is None and may(Role.ANALYST, name) and not _is_api(request):
        raise SignInNeededError
    raise HTTPException(status_code=401 if who is None else 403, detail=_refusal(name, role))


def _refusal(route: str | None, role: Role) -> str:
    if role is Role.PUBLIC:
        return "sign in with a role that may see this"
    return f"the role {role.label} may not see this"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(site: Site) -> FastAPI:
    """The application serving `site`."""
    app = FastAPI(
        title="Consortia",
        version=__version__,
        description="The CCG's commissioning pack and governance record.",
        dependencies=[Depends(authorise)],
        docs_url=None,  # the interactive viewers load scripts from a CDN; the document is served
        redoc_url=None,
    )
    app.state.site = site
    app.state.sessions = Sessions()
    app.state.throttle = Throttle()
    _handle_errors(app)

    app.add_middleware(SecurityHeaders)
    _pages(app, site)
    _actions(app, site)
    _api(app, site)
    return app


def _page(request: Request, template: str, status: int = 200, **content: Any) -> HTMLResponse:
    site: Site = request.app.state.site
    who = visitor(request)
    token = request.cookies.get(CSRF_COOKIE) or csrf_token()
    ccg = f"{site.pack.name} ({site.pack.code})"
    account = (who.name, who.role, who.person is not None) if who else None
    text = _TEMPLATES.get_template(template).render(
        ccg=ccg,
        who=who,
        csrf=token,
        version=__version__,
        may=lambda route: may(who.role if who else Role.PUBLIC, route),
        header_html=_header(ccg, account),
        **content,
    )
    response = HTMLResponse(text, status_code=status)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip
    return response


@lru_cache(maxsize=1024)
def _header(ccg: str, account: tuple[str, Role, bool] | None) -> Markup:
    """The site header for an account (or for a visitor not signed in), rendered once: the
    design system's header macro is the costliest part of a page."""
    who = None
    if account is not None:
        name, role, acts = account
        who = SimpleNamespace(name=name, role=role, person=acts or None)
    return Markup(_TEMPLATES.get_template("header.jinja").render(ccg=ccg, who=who))


def _pages(app: FastAPI, site: Site) -> None:
    bodies: dict[str, Markup] = {}  # each section's figures, rendered once: the same for all

    def body(slug: str, title: str, figures: list[Any]) -> Markup:
        if slug not in bodies:
            bodies[slug] = Markup(
                _TEMPLATES.get_template("section_body.jinja").render(
                    section=title, slug=slug, figures=figures, missing=MISSING_VALUE
                )
            )
        return bodies[slug]

    @app.get("/", response_class=HTMLResponse, name="home", include_in_schema=False)
    async def home(request: Request) -> HTMLResponse:
        _, summary = site.record.current()
        who = visitor(request)
        role = who.role if who else Role.PUBLIC
        return _page(request, "home.jinja", body=overview(role, summary))

    @lru_cache(maxsize=64)
    def overview(role: Role, summary: str) -> Markup:
        """The overview's content for a role, while the record's summary stays the same."""
        return Markup(
            _TEMPLATES.get_template("home_body.jinja").render(
                ccg=f"{site.pack.name} ({site.pack.code})",
                may=lambda route: may(role, route),
                summary=summary,
                sections=[(title, slug) for title, slug, _ in site.pack.sections],
                figures=len(site.pack.figures),
                has_record=site.record.db is not None,
            )
        )

    @app.get(
        "/sections/{slug}", response_class=HTMLResponse, name="section", include_in_schema=False
    )
    async def section(request: Request, slug: str) -> HTMLResponse:
        found = site.pack.section(slug)
        if found is None:
            raise HTTPException(status_code=404, detail=f"the pack has no section {slug!r}")
        title, _, figures = found
        return _page(
            request,
            "section.jinja",
            section=title,
            body=body(slug, title, figures),
            charts=any(f.spec for f in figures),
        )

    @app.get("/practices", response_class=HTMLResponse, name="practices", include_in_schema=False)
    async def practices(request: Request) -> HTMLResponse:
        return _page(request, "practices.jinja", practices=site.pack.practices)

    @app.get(
        "/practices/{code}", response_class=HTMLResponse, name="practice", include_in_schema=False
    )
    async def practice(request: Request, code: str) -> HTMLResponse:
        if code not in site.pack.practices:
            raise HTTPException(status_code=404, detail=f"no practice {code!r} in this CCG")
        return _page(
            request,
            "practice.jinja",
            code=code,
            practice_name=site.pack.practices[code],
            shown=site.pack.practice(code),
        )

    @app.get("/pack", response_class=HTMLResponse, name="pack", include_in_schema=False)
    async def pack(request: Request) -> HTMLResponse:
        return HTMLResponse(site.pack.html)

    @app.get("/record/{path:path}", response_class=HTMLResponse, name="record_page",
             include_in_schema=False)  # fmt: skip
    async def record_page(path: str) -> HTMLResponse:
        pages, _ = site.record.current()
        if path not in pages:
            raise HTTPException(status_code=404, detail=f"the record has no page {path!r}")
        return HTMLResponse(pages[path])

    @app.get("/sign-in", response_class=HTMLResponse, name="sign_in_form", include_in_schema=False)
    async def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
        return _page(request, "sign_in.jinja", next=_local(next), error=None)

    @app.post("/sign-in", name="sign_in", include_in_schema=False)
    def sign_in(
        request: Request,
        name: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        csrf: Annotated[str, Form(max_length=100)],
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        _check_csrf(request, csrf)
        throttle: Throttle = request.app.state.throttle
        address = request.client.host if request.client else "unknown"
        if throttle.blocked(address):
            raise HTTPException(
                status_code=429, detail="too many failed sign-ins; wait five minutes"
            )
        account = site.accounts.verify(name.strip(), password)
        if account is None:
            throttle.failed(address)
            return _page(request, "sign_in.jinja", status=400, next=_local(next),
                         error="The name or password is not right")  # fmt: skip
        sessions: Sessions = request.app.state.sessions
        sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(_local(next), status_code=303)
        token = sessions.start(account.name, account.role, account.person)
        response.set_cookie(SESSION_COOKIE, token,
                            max_age=LIFETIME, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip
        return response

    @app.post("/sign-out", name="sign_out", include_in_schema=False)
    def sign_out(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
        _check_csrf(request, csrf)
        sessions: Sessions = request.app.state.sessions
        sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    files = _assets()

    @app.get("/assets/{path:path}", name="assets", include_in_schema=False)
    async def assets(path: str) -> Response:
        found = files.get(path)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no asset {path!r}")
        media = MEDIA[found.suffix]
        return Response(found.read_bytes(), media_type=media,
                        headers={"Cache-Control": "public, max-age=3600"})  # fmt: skip


MEDIA = {".css": "text/css", ".svg": "image/svg+xml", ".js": "text/javascript"}


def _offered(who: SignedIn | None) -> dict[str, Action]:
    """The governance actions the account may offer: none unless it acts as a person of the
    record; the record's set-up only for the roles the table gives it."""
    if who is None or who.person is None:
        return {}
    return {
        name: action
        for name, action in sorted(ACTIONS.items())
        if who.role in (OPERATOR_ROLES if action.who is Who.OPERATOR else PERSON_ROLES)
    }


def _actions(app: FastAPI, site: Site) -> None:
    def offered(request: Request, name: str | None = None) -> tuple[SignedIn, dict[str, Action]]:
        if site.record.db is None:
            raise HTTPException(status_code=404, detail="no governance record is served here")
        who = visitor(request)
        assert who is not None  # the role table lets only signed-in roles here
        actions = _offered(who)
        if name is not None and name not in ACTIONS:
            raise HTTPException(status_code=404, detail=f"no action {name!r}")
        if name is not None and name not in actions:
            raise HTTPException(status_code=403, detail=f"this account may not {name}")
        return who, actions

    @app.get("/actions", response_class=HTMLResponse, name="actions", include_in_schema=False)
    def actions(request: Request) -> HTMLResponse:
        who, listed = offered(request)
        return _page(request, "actions.jinja", person=who.person, actions=listed)

    @app.get(
        "/actions/{name}", response_class=HTMLResponse, name="action_form", include_in_schema=False
    )
    def action_form(request: Request, name: str) -> HTMLResponse:
        who, listed = offered(request, name)
        chosen = listed[name]
        return _page(request, "action.jinja", action=chosen, fields=fields(chosen), values={},
                     errors={}, error_list=[], refused=None, person=who.person)  # fmt: skip

    @app.post("/actions/{name}", name="act", include_in_schema=False)
    async def act(request: Request, name: str) -> Response:
        who, listed = offered(request, name)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        _check_csrf(request, form.get("csrf", ""))
        chosen = listed[name]
        shown = fields(chosen)
        values, errors = arguments(shown, form)
        reason = form.get("reason", "").strip()
        if not reason:
            errors["reason"] = "Say why: every action in the record says why it was taken"
        refused: tuple[str, str | None] | None = None
        checked = None
        try:
            checked = chosen.validate(values)
        except ValidationError as error:
            errors = {**validation_errors(error), **errors}
        if checked is not None and not errors:
            try:
                outcome = await run_in_threadpool(
                    chosen.apply, site.record.store(), actor=str(who.person), reason=reason,
                    arguments=checked,
                )  # fmt: skip
            except Refused as error:
                refused = (error.message, error.rule)
            else:
                site.record.changed()
                return _page(request, "done.jinja", action=chosen, outcome=outcome)
        listed_errors = [
            {"text": message, "href": f"#{field}"} for field, message in errors.items()
        ]
        return _page(request, "action.jinja", status=400, action=chosen, fields=shown,
                     values=form, errors=errors, error_list=listed_errors, refused=refused,
                     person=who.person)  # fmt: skip


def _assets() -> dict[str, Path]:
    """The files served under /assets: the design system's stylesheet and icons and the chart
    libraries (from npm), the pack's chart-drawing script, and this application's own mark."""
    files = {"nhsuk-frontend.min.css": DESIGN_SYSTEM / "nhsuk-frontend.min.css"}
    for library in LIBRARIES:
        files[library.script] = library.folder / library.script
    files["draw_charts.js"] = PACK_TEMPLATES / "draw_charts.js"
    for icon in sorted((DESIGN_SYSTEM / "images").glob("*.svg")):
        files[f"images/{icon.name}"] = icon
    for own in sorted(OWN_STATIC.glob("*.svg")):
        files[own.name] = own
    return files


def _local(address: str) -> str:
    """`address` if it is a path on this site, else the home page (no open redirect)."""
    if address.startswith("/") and not address.startswith("//") and "\\" not in address:
        return address
    return "/"


def _check_csrf(request: Request, given: str) -> None:
    if not same_token(given, request.cookies.get(CSRF_COOKIE)):
        raise HTTPException(status_code=400, detail="the form has expired; open it again")


def _api(app: FastAPI, site: Site) -> None:
    def summary(figure: Any) -> dict[str, Any]:
        return {
            "id": figure.id,
            "section": figure.section,
            "title": figure.title,
            "method": figure.method,
            "confidence": figure.confidence,
            "rows": len(figure.table),
            "columns": [str(c) for c in figure.table.columns],
        }

    @app.get(
        "/api/figures",
        name="api_figures",
        response_model=list[FigureSummary],
        responses=REFUSALS,
    )
    async def api_figures() -> list[dict[str, Any]]:
        """Every figure of the pack: its method and confidence level, without its rows."""
        return [summary(f) for f in site.pack.figures]

    @app.get(
        "/api/figures/{figure_id}",
        name="api_figure",
        response_model=FigureRows,
        responses={**REFUSALS, **MISSING},
    )
    async def api_figure(figure_id: str) -> dict[str, Any]:
        """One figure of the pack with its released rows."""
        from consortia.finance.output import records

        figure = site.pack.figure(figure_id)
        if figure is None:
            raise HTTPException(status_code=404, detail=f"the pack has no figure {figure_id!r}")
        return {**summary(figure), "data": records(figure.table)}

    @app.get("/api/record", name="api_record", response_model=RecordStatus, responses=REFUSALS)
    async def api_record() -> dict[str, Any]:
        """Whether the governance record served here verified."""
        pages, words = site.record.current()
        return {"verified": bool(pages), "summary": words}


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeededError)
    async def sign_in_needed(request: Request, _: Exception) -> Response:
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def not_valid(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(request, 422, f"{where}: {first.get('msg', 'not valid')}")

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> Response:
        from consortia.errors import ConsortiaError

        if isinstance(error, ConsortiaError):
            return _error(request, 500, str(error))
        return _error(request, 500, "the server could not answer; the error is logged")


def _error(request: Request, status: int, detail: str) -> Response:
    """The one shape of every failure: JSON for the API, a page for a person."""
    title = TITLES.get(status, "Error")
    if _is_api(request) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"status": status, "title": title, "detail": detail}},
                            status_code=status, headers=SECURITY_HEADERS)  # fmt: skip
    try:
        return _page(request, "error.jinja", status=status, title=title, detail=detail)
    except Exception:
        return HTMLResponse(f"<h1>{title}</h1>", status_code=status)
