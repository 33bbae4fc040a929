"""Governance actions in the browser: the actions an account may take and a form for each,
made from the action's own argument schema and sent through the same audited action layer."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from consortia.governance.actions import ACTIONS, Action, Refused
from consortia.governance.roles import Who
from consortia.web.forms import arguments, fields, validation_errors
from consortia.web.guard import check_csrf, visitor
from consortia.web.render import page
from consortia.web.roles import OPERATOR_ROLES, PERSON_ROLES
from consortia.web.sessions import SignedIn
from consortia.web.site import Site


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


def add_actions(app: FastAPI, site: Site) -> None:
    """The actions' routes, on `app`, recording into `site`'s governance record."""

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
        return page(request, "actions.jinja", person=who.person, actions=listed)

    @app.get(
        "/actions/{name}", response_class=HTMLResponse, name="action_form", include_in_schema=False
    )
    def action_form(request: Request, name: str) -> HTMLResponse:
        who, listed = offered(request, name)
        chosen = listed[name]
        return page(request, "action.jinja", action=chosen, fields=fields(chosen), values={},
                     errors={}, error_list=[], refused=None, person=who.person)  # fmt: skip

    @app.post("/actions/{name}", name="act", include_in_schema=False)
    async def act(request: Request, name: str) -> Response:
        who, listed = offered(request, name)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        check_csrf(request, form.get("csrf", ""))
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
                return page(request, "done.jinja", action=chosen, outcome=outcome)
        listed_errors = [
            {"text": message, "href": f"#{field}"} for field, message in errors.items()
        ]
        return page(request, "action.jinja", status=400, action=chosen, fields=shown,
                     values=form, errors=errors, error_list=listed_errors, refused=refused,
                     person=who.person)  # fmt: skip
