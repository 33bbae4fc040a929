"""The site shows only figures that left through the release, each to the audience it was
released to: a pack holding a figure the release never saw is served by no page and no API
answer (the server refuses it), and the commissioners' release is never served to the public."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from consortia.pack.figure import Figure
from consortia.privacy.release import Audience, ReleaseRefusedError, require_released
from consortia.web.app import create_app
from consortia.web.roles import ACCESS, FIGURE_ROUTES, Role
from consortia.web.site import Pack, Site
from tests.unit.web.conftest import FIGURES, sign_in


def unreleased() -> Figure:
    """A figure straight from an analysis: never through the release."""
    table = pd.DataFrame({"practice": ["Y00001"], "observed": [3]})
    return Figure(id="raw", section="Test", title="Raw", method="m", table=table)


def test_a_site_shows_only_what_was_released_to_the_reader(site: Site) -> None:
    assert all(route in ACCESS for route in FIGURE_ROUTES)
    with pytest.raises(ReleaseRefusedError, match="released to governing_body, not to public"):
        require_released(FIGURES, Audience.PUBLIC)
    raw = Pack("99X", "NHS Test CCG", (unreleased(),), "<html></html>", [], {})
    held = Site.__new__(Site)  # the site as served, holding a figure the release never saw
    held.__dict__.update(site.__dict__, pack=raw, public=raw)
    with pytest.raises(ReleaseRefusedError):
        held.pack_for(Role.ANALYST)
    with pytest.raises(ReleaseRefusedError):
        held.pack_for(Role.PUBLIC)
    swapped = Site.__new__(Site)  # the commissioners' pack served to the public
    swapped.__dict__.update(site.__dict__, public=site.pack)
    with pytest.raises(ReleaseRefusedError, match="not to public"):
        swapped.pack_for(Role.PUBLIC)


def test_no_figure_route_serves_a_figure_the_release_never_saw(site: Site) -> None:
    raw = Pack("99X", "NHS Test CCG", (unreleased(),), "<html>RAW PACK</html>", [], {})
    held = Site.__new__(Site)
    held.__dict__.update(site.__dict__, pack=raw, public=raw)
    app = create_app(held)
    paths = {
        "pack": "/pack",
        "section": "/sections/section-test",
        "api_figures": "/api/figures",
        "api_figure": "/api/figures/raw",
    }
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        for reader in (None, Role.ANALYST):
            if reader is not None:
                sign_in(client, reader)
            for path in paths.values():
                answer = client.get(path)
                assert answer.status_code >= 500, path
                assert "RAW PACK" not in answer.text
                assert "Raw" not in answer.text
