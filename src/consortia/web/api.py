"""The JSON API other systems read: the pack's figures and whether the record verified, with
its OpenAPI document and one error shape for every refusal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

from consortia.web.guard import role_of
from consortia.web.site import Pack, Site


class FigureSummary(BaseModel):
    """A figure of the pack, without its rows."""

    id: str
    section: str
    title: str
    method: str
    confidence: float | None
    disclosure: str  # what the small-number rule did, for a figure released to the public
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


def add_api(app: FastAPI, site: Site) -> None:
    """The API's routes, on `app`, for `site`."""

    def read(request: Request) -> Pack:
        return site.pack_for(role_of(request))

    def summary(figure: Any) -> dict[str, Any]:
        return {
            "id": figure.id,
            "section": figure.section,
            "title": figure.title,
            "method": figure.method,
            "confidence": figure.confidence,
            "disclosure": figure.disclosure,
            "rows": len(figure.table),
            "columns": [str(c) for c in figure.table.columns],
        }

    @app.get(
        "/api/figures",
        name="api_figures",
        response_model=list[FigureSummary],
        responses=REFUSALS,
    )
    async def api_figures(request: Request) -> list[dict[str, Any]]:
        """Every figure of the pack the caller's role reads (as the governing body does, or as
        released to the public): its method and confidence level, without its rows."""
        return [summary(f) for f in read(request).figures]

    @app.get(
        "/api/figures/{figure_id}",
        name="api_figure",
        response_model=FigureRows,
        responses={**REFUSALS, **MISSING},
    )
    async def api_figure(request: Request, figure_id: str) -> dict[str, Any]:
        """One figure of the pack with its rows, as released to the caller's role."""
        from consortia.finance.output import records

        figure = read(request).figure(figure_id)
        if figure is None:
            raise HTTPException(status_code=404, detail=f"the pack has no figure {figure_id!r}")
        return {**summary(figure), "data": records(figure.table)}

    @app.get("/api/record", name="api_record", response_model=RecordStatus, responses=REFUSALS)
    async def api_record() -> dict[str, Any]:
        """Whether the governance record served here verified."""
        pages, words = site.record.current()
        return {"verified": bool(pages), "summary": words}
