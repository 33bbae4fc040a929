"""Pages rendered with Jinja2 in the NHS design system (`nhsuk-frontend-jinja`'s macros), inside
the frame every page shares; the parts that are the same for many requests are rendered once.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from consortia import __version__
from consortia.web.guard import visitor
from consortia.web.roles import Role, may
from consortia.web.sessions import CSRF_COOKIE, csrf_token
from consortia.web.site import Site

TITLES: dict[int, str] = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    422: "Not valid",
    429: "Too many attempts",
    500: "Something went wrong",
}

TEMPLATES = jinja2.Environment(
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


def page(request: Request, template: str, status: int = 200, **content: Any) -> HTMLResponse:
    """`template` filled with `content` in the site's frame for the visitor (their header, the
    CSRF token their forms carry, what their role may open)."""
    site: Site = request.app.state.site
    who = visitor(request)
    token = request.cookies.get(CSRF_COOKIE) or csrf_token()
    ccg = f"{site.pack.name} ({site.pack.code})"
    account = (who.name, who.role, who.person is not None) if who else None
    text = TEMPLATES.get_template(template).render(
        ccg=ccg,
        who=who,
        csrf=token,
        version=__version__,
        may=lambda route: may(who.role if who else Role.PUBLIC, route),
        header_html=header(ccg, account),
        **content,
    )
    response = HTMLResponse(text, status_code=status)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip
    return response


@lru_cache(maxsize=1024)
def header(ccg: str, account: tuple[str, Role, bool] | None) -> Markup:
    """The site header for an account (or for a visitor not signed in), rendered once: the
    design system's header macro is the costliest part of a page."""
    who = None
    if account is not None:
        name, role, acts = account
        who = SimpleNamespace(name=name, role=role, person=acts or None)
    return Markup(TEMPLATES.get_template("header.jinja").render(ccg=ccg, who=who))
