"""Pages rendered with Jinja2 in the NHS design system, each one self-contained HTML file.

The design system's stylesheet is inlined (as the commissioning pack inlines it), so a page
needs nothing beside it; everything the record holds is escaped; no page runs a script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import jinja2
from markupsafe import Markup

from consortia import __version__
from consortia.pack import assets

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("consortia.governance.publish", "templates"),
    autoescape=True,  # every value comes from the record: escape all of it
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Frame:
    """What every page shows around its content: the CCG, the verification line, the date
    published, and the way back to the index."""

    ccg: str
    summary: str
    as_of: date
    root: str  # the relative address of the folder holding index.html: "" or "../"


def render(template: str, frame: Frame, **content: Any) -> str:
    """A page: `template` filled with `content`, inside the frame every page shares."""
    return _ENVIRONMENT.get_template(template).render(
        frame=frame,
        published=f"{frame.as_of.day} {frame.as_of:%B %Y}",
        version=__version__,
        stylesheet=Markup(assets.stylesheet()),
        **content,
    )
