"""The pages people read: the overview, the pack by section and whole, each practice beside its
peers, the governance record's published pages, signing in and out, and the static assets."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from consortia.analyses.patients import LISTED
from consortia.analyses.scope import Scope, financial_year_label
from consortia.errors import DataError
from consortia.pack.assets import LIBRARIES
from consortia.pack.assets import STATIC as DESIGN_SYSTEM
from consortia.pack.html import table_view
from consortia.pack.labels import MISSING as MISSING_VALUE
from consortia.privacy.access import Data, decide
from consortia.privacy.reidentify import LONGEST_LIST, entry, match, parse_list
from consortia.privacy.release import Audience
from consortia.risk.register import ADULT
from consortia.risk.register import SHARE as RISK_SHARE
from consortia.web.guard import check_csrf, local, note_access, note_read, role_of, visitor
from consortia.web.render import TEMPLATES, page
from consortia.web.roles import Role, audience, may
from consortia.web.sessions import LIFETIME, SESSION_COOKIE, Sessions, Throttle
from consortia.web.site import Site

OWN_STATIC = Path(__file__).parent / "static"
PACK_TEMPLATES = DESIGN_SYSTEM.parents[1] / "templates"
MEDIA = {".css": "text/css", ".svg": "image/svg+xml", ".js": "text/javascript"}


def add_pages(app: FastAPI, site: Site) -> None:
    """The pages' routes, on `app`, for `site`."""
    # each section's figures, rendered once for each release: the same for all who read it
    bodies: dict[tuple[str, str], Markup] = {}

    def body(release: str, slug: str, title: str, figures: list[Any]) -> Markup:
        if (release, slug) not in bodies:
            bodies[release, slug] = Markup(
                TEMPLATES.get_template("section_body.jinja").render(
                    section=title, slug=slug, figures=figures, missing=MISSING_VALUE
                )
            )
        return bodies[release, slug]

    @app.get("/", response_class=HTMLResponse, name="home", include_in_schema=False)
    async def home(request: Request) -> HTMLResponse:
        _, summary = site.record.current()
        return page(request, "home.jinja", body=overview(role_of(request), summary))

    @lru_cache(maxsize=64)
    def overview(role: Role, summary: str) -> Markup:
        """The overview's content for a role, while the record's summary stays the same."""
        read = site.pack_for(role)
        return Markup(
            TEMPLATES.get_template("home_body.jinja").render(
                ccg=f"{read.name} ({read.code})",
                may=lambda route: may(role, route),
                summary=summary,
                sections=[(title, slug) for title, slug, _ in read.sections],
                figures=len(read.figures),
                public=audience(role) is Audience.PUBLIC,
                all_figures=len(site.pack.figures),
                has_record=site.record.db is not None,
            )
        )

    @app.get(
        "/sections/{slug}", response_class=HTMLResponse, name="section", include_in_schema=False
    )
    async def section(request: Request, slug: str) -> HTMLResponse:
        role = role_of(request)
        found = site.pack_for(role).section(slug)
        if found is None:
            raise HTTPException(status_code=404, detail=f"the pack has no section {slug!r}")
        title, _, figures = found
        return page(
            request,
            "section.jinja",
            section=title,
            body=body(audience(role), slug, title, figures),
            charts=any(f.spec for f in figures),
        )

    @app.get("/practices", response_class=HTMLResponse, name="practices", include_in_schema=False)
    async def practices(request: Request) -> HTMLResponse:
        return page(request, "practices.jinja", practices=site.pack.practices)

    @app.get(
        "/practices/{code}", response_class=HTMLResponse, name="practice", include_in_schema=False
    )
    async def practice(request: Request, code: str) -> HTMLResponse:
        if code not in site.pack.practices:
            raise HTTPException(status_code=404, detail=f"no practice {code!r} in this CCG")
        who = visitor(request)
        own = who.practice if who else None
        return page(
            request,
            "practice.jinja",
            code=code,
            practice_name=site.pack.practices[code],
            shown=site.pack_for(role_of(request)).practice(code),
            patients=decide(role_of(request), Data.PATIENT_LEVEL, code, own).allowed,
        )

    def own(request: Request, code: str, data: Data) -> None:
        """Refuse (403, noted as refused) unless the visitor may read `data` of the patients of
        practice `code`; a practice not of this CCG: 404."""
        if code not in site.pack.practices:
            raise HTTPException(status_code=404, detail=f"no practice {code!r} in this CCG")
        who = visitor(request)
        verdict = decide(role_of(request), data, code, who.practice if who else None)
        if not verdict.allowed:
            raise HTTPException(status_code=403, detail=verdict.reason)

    def patients_page(
        request: Request, code: str, numbers: dict[int, str] | None = None, brought: int = 0
    ) -> HTMLResponse:
        """The practice's patients, with the NHS numbers re-identified from its list beside
        their pseudonyms when there are any."""
        rows = site.pack.patients_of(code)
        if numbers is not None and len(rows):
            rows.insert(1, "nhs_number", rows["patient_id"].map(numbers))
        by = "predicted risk" if site.pack.risk_on else "emergency admissions"
        caption = f"Patients of {site.pack.practices[code]} ({code}) by {by}"
        who = visitor(request)
        own_practice = who.practice if who else None
        may_reidentify = decide(role_of(request), Data.IDENTIFIED, code, own_practice).allowed
        return page(
            request,
            "patients.jinja",
            code=code,
            practice_name=site.pack.practices[code],
            table=table_view(rows, caption) if len(rows) else None,
            listed=LISTED,
            year=financial_year_label(Scope().first_year + Scope().years - 1),
            risk_on=site.pack.risk_on,
            risk_share=RISK_SHARE,
            risk_adult=ADULT,
            reidentify=may_reidentify and site.key is not None,
            matched=None if numbers is None else len(numbers),
            brought=brought,
        )

    @app.get(
        "/practices/{code}/patients",
        response_class=HTMLResponse,
        name="practice_patients",
        include_in_schema=False,
    )
    async def practice_patients(request: Request, code: str) -> HTMLResponse:
        """A practice's patients with most emergency admissions, under pseudonyms: for the
        CCG's analysts, and for the practice's own accounts only."""
        own(request, code, Data.PATIENT_LEVEL)
        note_read(request, Data.PATIENT_LEVEL)
        return patients_page(request, code)

    @app.post(
        "/practices/{code}/reidentify",
        response_class=HTMLResponse,
        name="practice_reidentify",
        include_in_schema=False,
    )
    async def practice_reidentify(
        request: Request,
        code: str,
        csrf: Annotated[str, Form()],
        patients_list: Annotated[UploadFile, File()],
    ) -> HTMLResponse:
        """The practice's own list (CSV with an nhs_number column, from its clinical system)
        matched to the pseudonyms of its patients listed here: only the practice's own
        accounts, only its own patients, entered in the access record first."""
        check_csrf(request, csrf)
        own(request, code, Data.IDENTIFIED)
        if site.key is None:
            raise HTTPException(
                status_code=409,
                detail="this site was started without the pseudonymisation key: it "
                "re-identifies nobody",
            )
        raw = await patients_list.read(LONGEST_LIST + 1)
        try:
            listed = parse_list(raw, "the list sent")
        except DataError as error:
            raise HTTPException(status_code=400, detail=str(error)) from None
        listing = site.pack.patients
        if listing is None:
            listing = pd.DataFrame({"practice": [], "patient_id": []})
        found = match(listing, site.key, code, listed)
        who = visitor(request)
        name = who.name if who else "public"
        note_access(request, entry(name, role_of(request), code, found, f"{request.url.path}: "))
        # shown as NHS numbers are written (3-3-4 digits)
        numbers = {p: f"{n[:3]} {n[3:6]} {n[6:]}" for n, p in found.pairs}
        return patients_page(request, code, numbers, found.brought)

    @app.get("/pack", response_class=HTMLResponse, name="pack", include_in_schema=False)
    async def pack(request: Request) -> HTMLResponse:
        return HTMLResponse(site.pack_for(role_of(request)).html)

    @app.get("/record/{path:path}", response_class=HTMLResponse, name="record_page",
             include_in_schema=False)  # fmt: skip
    async def recordpage(path: str) -> HTMLResponse:
        pages, _ = site.record.current()
        if path not in pages:
            raise HTTPException(status_code=404, detail=f"the record has no page {path!r}")
        return HTMLResponse(pages[path])

    @app.get("/sign-in", response_class=HTMLResponse, name="sign_in_form", include_in_schema=False)
    async def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "sign_in.jinja", next=local(next), error=None)

    @app.post("/sign-in", name="sign_in", include_in_schema=False)
    def sign_in(
        request: Request,
        name: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        csrf: Annotated[str, Form(max_length=100)],
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        check_csrf(request, csrf)
        throttle: Throttle = request.app.state.throttle
        address = request.client.host if request.client else "unknown"
        if throttle.blocked(address):
            raise HTTPException(
                status_code=429, detail="too many failed sign-ins; wait five minutes"
            )
        account = site.accounts.verify(name.strip(), password)
        if account is None:
            throttle.failed(address)
            return page(request, "sign_in.jinja", status=400, next=local(next),
                         error="The name or password is not right")  # fmt: skip
        sessions: Sessions = request.app.state.sessions
        sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(local(next), status_code=303)
        token = sessions.start(account.name, account.role, account.person, account.practice)
        response.set_cookie(SESSION_COOKIE, token,
                            max_age=LIFETIME, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")  # fmt: skip
        return response

    @app.post("/sign-out", name="sign_out", include_in_schema=False)
    def sign_out(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
        check_csrf(request, csrf)
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
