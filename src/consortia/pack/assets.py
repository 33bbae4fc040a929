"""The NHS design system's styles and the chart libraries, installed from npm by `make assets`,
made ready to inline.

The compiled stylesheet of `nhsuk-frontend` points at web fonts on assets.nhs.uk and at icon
images beside a web server's root. A pack is one file read offline, so the fonts are dropped
(the design system falls back to Arial, as it does when they fail to load) and each icon is
inlined as a data URI. The page draws its charts with Vega and Vega-Lite, whose minified
scripts are inlined once, with their licence notices. Nothing here is committed: the files
come from the npm registry at the versions pinned in the repository's package.json.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from consortia.errors import ConsortiaError, ExitCode

NHSUK_FRONTEND_VERSION = "10.6.1"  # the pin of package.json and docs' STACK table
STATIC = Path(__file__).parent / "static" / "nhsuk-frontend"
STYLESHEET = STATIC / "nhsuk-frontend.min.css"
MANIFEST = STATIC / "package.json"
CHART_LIBRARIES = STATIC.parent / "vega"


@dataclass(frozen=True)
class Library:
    """A chart library the page inlines: its npm name, pinned version and minified script."""

    name: str
    title: str
    version: str
    script: str

    @property
    def folder(self) -> Path:
        """Where `make assets` copies its script, package.json and licence."""
        return CHART_LIBRARIES / self.name


# Vega-Lite compiles each chart's specification to Vega, which draws it; the pins of package.json.
LIBRARIES = (
    Library("vega", "Vega", "6.2.0", "vega.min.js"),
    Library("vega-lite", "Vega-Lite", "6.4.1", "vega-lite.min.js"),
)
_SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S*\s*$")

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_IMAGE = re.compile(r"url\((['\"]?)/assets/images/([A-Za-z0-9_.-]+\.svg)\1\)")
_REMOTE = re.compile(r"url\((['\"]?)(https?:)?//", re.IGNORECASE)


class AssetsMissingError(ConsortiaError):
    """The design system's files are not installed (or not at the pinned version)."""

    exit_code = ExitCode.USAGE


def installed_version() -> str | None:
    """The version of nhsuk-frontend whose files are in the static folder, if any."""
    return _manifest_version(MANIFEST)


def _manifest_version(manifest: Path) -> str | None:
    """The version an installed package's package.json names, if it is there and readable."""
    try:
        return str(json.loads(manifest.read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def check() -> None:
    """Refuse, in one line, when the styles or chart libraries are absent or not the pinned
    versions."""
    version = installed_version()
    if version is None or not STYLESHEET.is_file():
        raise AssetsMissingError(
            "the NHS design system styles the pack needs are not installed; "
            "run `make assets` (needs npm) in the source checkout",
            file=str(STATIC),
        )
    if version != NHSUK_FRONTEND_VERSION:
        raise AssetsMissingError(
            f"nhsuk-frontend {version} is installed but the pack is built with "
            f"{NHSUK_FRONTEND_VERSION}; run `make assets`",
            file=str(MANIFEST),
        )
    for library in LIBRARIES:
        _check_library(library)


def _check_library(library: Library) -> None:
    """Refuse, in one line, a chart library that is absent or not its pinned version."""
    manifest = library.folder / "package.json"
    version = _manifest_version(manifest)
    if version is None or not (library.folder / library.script).is_file():
        raise AssetsMissingError(
            f"the chart library {library.name} the pack needs is not installed; "
            "run `make assets` (needs npm) in the source checkout",
            file=str(library.folder),
        )
    if version != library.version:
        raise AssetsMissingError(
            f"{library.name} {version} is installed but the pack is built with "
            f"{library.version}; run `make assets`",
            file=str(manifest),
        )


@cache
def chart_scripts() -> str:
    """The chart libraries' scripts, each after its licence notice, ready for one <script>
    element: no source-map reference, and nothing that would end the element early."""
    check()
    parts = []
    for library in LIBRARIES:
        path = library.folder / library.script
        code = _SOURCE_MAP.sub("", path.read_text("utf-8"))
        if re.search(r"</script|<!--", code, re.IGNORECASE):
            raise AssetsMissingError(
                f"{library.name}'s script holds text that would end its <script> element",
                file=str(path),
            )
        notice = (library.folder / "LICENSE").read_text("utf-8").strip().replace("*/", "* /")
        parts.append(f"/*! {library.title} {library.version}\n{notice}\n*/\n{code}")
    return "\n".join(parts)


@cache
def stylesheet() -> str:
    """The design system's CSS, with no reference outside the document."""
    check()
    return offline(STYLESHEET.read_text("utf-8"), STATIC / "images")


def offline(css: str, images: Path) -> str:
    """`css` with web fonts removed and `/assets/images/*.svg` inlined from `images`."""
    css = _FONT_FACE.sub("", css)

    def inline(match: re.Match[str]) -> str:
        path = images / match.group(2)
        if not path.is_file():
            raise AssetsMissingError(
                "an icon the NHS design system styles use is missing; run `make assets`",
                file=str(path),
            )
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:image/svg+xml;base64,{data}")'

    css = _IMAGE.sub(inline, css)
    remote = _REMOTE.search(css)
    if remote:
        raise AssetsMissingError(
            f"the design system styles still load something from the network near "
            f"{css[remote.start() : remote.start() + 60]!r}",
            file=str(STYLESHEET),
        )
    return css
