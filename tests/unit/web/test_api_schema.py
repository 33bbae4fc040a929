"""The API against its own OpenAPI document, by Schemathesis: each generated request, sent
signed out, as an analyst and as the Local Medical Committee, finds no server error, no
undocumented status and no response outside its schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from consortia.web.app import create_app
from consortia.web.roles import Role
from consortia.web.site import Site


def test_the_api_keeps_its_document(site: Site) -> None:
    app = create_app(site)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    sessions = app.state.sessions
    visitors: list[dict[str, str]] = [{}] + [
        {"consortia-session": sessions.start(role.value, role)} for role in (Role.ANALYST, Role.LMC)
    ]
    operations = []
    for found in schema.get_all_operations():
        assert isinstance(found, Ok), found  # the document is valid OpenAPI
        operations.append(found.ok())
    assert {op.path for op in operations} == {
        "/api/figures",
        "/api/figures/{figure_id}",
        "/api/record",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps(case: Any) -> None:
            for cookies in visitors:
                case.call_and_validate(cookies=cookies)

        keeps()
