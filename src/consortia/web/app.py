"""The web application: server-rendered pages in the NHS design system and a JSON API, every
route behind the role table (`consortia.web.roles`), every failure in one shape.

Pages are Jinja2 with the design system's own macros (`nhsuk-frontend-jinja`) and its compiled
stylesheet from npm; the pack and the record's pages are the very pages `consortia pack` and
`consortia gov publish` write. The API answers with JSON and is described by its OpenAPI
document at /openapi.json. The routes live in `pages`, `act` and `api`; who may use them in
`guard` and `roles`.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from consortia import __version__
from consortia.web.act import add_actions
from consortia.web.api import add_api
from consortia.web.guard import (
    SECURITY_HEADERS,
    SecurityHeaders,
    SignInNeededError,
    authorise,
    is_api,
    note_refusal,
)
from consortia.web.pages import add_pages
from consortia.web.render import TITLES, page
from consortia.web.sessions import Sessions, Throttle
from consortia.web.site import Site

__all__ = ["SECURITY_HEADERS", "create_app"]


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
    add_pages(app, site)
    add_actions(app, site)
    add_api(app, site)
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeededError)
    async def sign_in_needed(request: Request, _: Exception) -> Response:
        await run_in_threadpool(note_refusal, request, "sign in first")
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code in (401, 403):
            await run_in_threadpool(note_refusal, request, str(error.detail))
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
    if is_api(request) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"status": status, "title": title, "detail": detail}},
                            status_code=status, headers=SECURITY_HEADERS)  # fmt: skip
    try:
        return page(request, "error.jinja", status=status, title=title, detail=detail)
    except Exception:
        return HTMLResponse(f"<h1>{title}</h1>", status_code=status)
