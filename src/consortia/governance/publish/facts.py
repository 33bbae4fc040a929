"""The pieces every page is built of: a fact with its source, and a link to another page."""

from __future__ import annotations

from dataclasses import dataclass

from consortia.governance.publish.sources import Source


@dataclass(frozen=True)
class Fact:
    """One line of a summary list: what it is, what the record says, which entries wrote it;
    an outcome leads with a tag in its colour."""

    key: str
    value: str
    source: Source
    tag: str = ""  # an outcome in a word or two ("Carried"), shown as a tag before the value
    tone: str = "grey"  # the tag's colour
    href: str = ""  # a link to the page the value is about, if any


@dataclass(frozen=True)
class Link:
    """A link from one page to another, with the words it reads as."""

    text: str
    href: str
