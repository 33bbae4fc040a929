"""What a site serves: one CCG's pack, analysed once when the server starts, and its
governance record, read verified and rendered again whenever the record has grown."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from threading import RLock
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from consortia.ingest.pseudonym import Key
from consortia.pack.figure import Figure
from consortia.pack.html import FigureView, Section, TableView
from consortia.privacy.access import Access, Recorder
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules
from consortia.store.session import Store
from consortia.web.accounts import Accounts
from consortia.web.roles import Role, audience


@dataclass(frozen=True)
class Pack:
    """The CCG's pack: its figures and the page that shows them."""

    code: str
    name: str
    figures: tuple[Figure, ...]
    html: str
    sections: list[Section]  # the figures ready to show, by section
    practices: dict[str, str] = field(default_factory=dict)  # the CCG's practices: code, name
    # Patient-level: each practice's patients with most emergency admissions, under pseudonyms
    # (`consortia.analyses.patients`), or with a risk model its case-management list
    # (`consortia.risk`); served only as `consortia.privacy.access` decides.
    patients: pd.DataFrame | None = None
    risk_on: date | None = None  # the day the lists were scored on, when they are risk lists

    def patients_of(self, code: str) -> pd.DataFrame:
        """The practice's patients listed (none without patient-level data)."""
        if self.patients is None:
            return pd.DataFrame()
        rows = self.patients[self.patients["practice"] == code]
        return rows.drop(columns="practice").reset_index(drop=True)

    def figure(self, figure_id: str) -> Figure | None:
        return next((f for f in self.figures if f.id == figure_id), None)

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s[1] == slug), None)

    def practice(self, code: str) -> list[PracticeRows]:
        """Every figure that shows practices, with this practice's rows: the practice beside its
        peers as each figure's own analysis placed it (its ratio, limits, flag and percentile)."""
        from consortia.pack.html import table_view

        found = []
        for _, slug, views in self.sections:
            for view in views:
                figure = self.figure(view.id)
                if figure is None or "practice" not in figure.table.columns:
                    continue
                rows = figure.table[figure.table["practice"] == code]
                if len(rows):
                    caption = f"{view.title}: practice {code}"
                    shown = table_view(rows, caption, figure.disclosure)
                    found.append(PracticeRows(view, slug, shown))
        return found


@dataclass(frozen=True)
class PracticeRows:
    """One figure's rows for one practice."""

    figure: FigureView
    slug: str  # the section's id
    table: TableView


def analyse_pack(
    lake: Path,
    ccg: str | None,
    record: str | None,
    settings: Any,
    risk_model: Any | None = None,
) -> Pack:
    """The pack of `ccg` from `lake` (checked first, as `consortia pack` checks it), with the
    record's section when there is a record; with `risk_model` (a trained gradient-boosted
    model), each practice's case-management list as its patient-level data."""
    from consortia.engine.backends import checking, connect
    from consortia.ingest.checked import open_vouched
    from consortia.ingest.validate import require_valid
    from consortia.pack import assets
    from consortia.pack.build import analyse
    from consortia.schema.datasets import DATASETS

    assets.check()
    backend = connect("duckdb", settings)
    require_valid(checking(backend), lake, DATASETS)
    from consortia.analyses.patients import patient_use
    from consortia.analyses.scope import Scope
    from consortia.pack.build import open_tables
    from consortia.privacy.rule import rules_of

    figures, code, name = analyse(backend, lake, ccg, record=record, rules=rules_of(settings))
    practice = open_vouched(backend, lake, ("practice",))["practice"]
    practices = backend.execute(practice.filter(practice.ccg == code).select("code", "name"))
    named = dict(zip(practices["code"].astype(str), practices["name"].astype(str), strict=True))
    made = served(figures, code, name, dict(sorted(named.items())))
    tables = open_tables(backend, lake)
    if risk_model is not None:
        from consortia.risk.run import case_lists, list_day

        on = list_day(backend, tables)
        lists = case_lists(backend, tables, risk_model, on, code).drop(columns="adults")
        return replace(made, patients=lists, risk_on=on)
    return replace(made, patients=backend.execute(patient_use(tables, Scope(ccg=code))))


def served(figures: tuple[Figure, ...], code: str, name: str, practices: dict[str, str]) -> Pack:
    """The pack as the site serves it: its figures ready to show, by section, and its page."""
    from consortia.pack.html import PACK, render, sections

    shown = sections(figures)
    linked = replace(PACK, links_title="This site", links=SITE_LINKS)
    page = render(
        figures, ccg_code=code, ccg_name=name, made=date.today(), page=linked, shown=shown
    )
    return Pack(code, name, figures, page, shown, practices)


# The pack as the site serves it links back into the site (the written pack file has no links).
SITE_LINKS = (
    ("The overview", "/"),
    ("The pack by section", "/#sections"),
    ("Member practices", "/practices"),
)
RECHECK = 1.0  # seconds: how often the audit log is counted for changes made elsewhere


@dataclass
class RecordPages:
    """The governance record's published pages, by path, rendered again when it grows."""

    db: str | None
    _pages: dict[str, str] = field(default_factory=dict)
    _summary: str = ""
    _seen: int = -1  # entries of the audit log when the pages were rendered
    _checked: float = -RECHECK  # when the log was last counted (time.monotonic)
    _lock: RLock = field(default_factory=RLock)  # current() opens the store under it
    _store: Store | None = None

    def store(self) -> Store:
        """The record's store, opened once (never migrated here: `consortia gov init` does)."""
        from consortia.store.session import open_store

        if self.db is None:
            raise LookupError("no governance record is served here")
        with self._lock:
            if self._store is None:
                self._store = open_store(self.db, migrate_schema=False)
            return self._store

    def current(self) -> tuple[dict[str, str], str]:
        """Every page by its path, and the verification line; none without a record."""
        if self.db is None:
            return {}, "No governance record is served here."
        with self._lock:
            now = time.monotonic()
            if self._seen >= 0 and now - self._checked < RECHECK:
                return self._pages, self._summary
            # The first read proves the record (and refuses a file that is none) before the
            # store is opened to count its log.
            first = self._seen < 0
            if first:
                self._render()
            count = _entries(self.store())
            if count != self._seen and not first:
                self._render()
            self._seen, self._checked = count, now
            return self._pages, self._summary

    def _render(self) -> None:
        """Prove the record and render its pages as of today."""
        from consortia.governance.publish.reading import read_record
        from consortia.governance.publish.write import rendered

        today = date.today()
        record = read_record(str(self.db), today)
        self._pages, self._summary = rendered(record, today), record.summary

    def changed(self) -> None:
        """The record has grown (an action was taken here): look again at the next page."""
        with self._lock:
            self._checked = -RECHECK


def _entries(store: Store) -> int:
    """How many entries the record's audit log holds: it grows with every accepted action."""
    from consortia.store import models

    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(models.AuditEntry)) or 0)


@dataclass
class Site:
    """Everything one server process serves: the pack as the commissioning roles read it, the
    same figures released to the public, the record and who may sign in."""

    pack: Pack
    record: RecordPages
    accounts: Accounts
    rules: Rules = RULES  # the small-number rule for each audience
    key: Key | None = None  # the pseudonymisation key, where the site offers re-identification
    public: Pack = field(init=False)
    _recorder: Recorder | None = field(default=None, init=False)  # made at the first read
    _recording: RLock = field(default_factory=RLock, init=False)

    def __post_init__(self) -> None:
        from consortia.privacy.release import Audience, released

        figures = released(self.pack.figures, Audience.PUBLIC, self.rules)
        self.public = served(figures, self.pack.code, self.pack.name, self.pack.practices)

    def note(self, access: Access) -> None:
        """Append `access` to the access record, kept in the governance record's database;
        a site without one cannot record a read (`AccessRecordError`)."""
        from consortia.privacy.access import AccessRecordError

        if self.record.db is None:
            raise AccessRecordError(
                "this site keeps no access record (serve it with its governance record, --db)"
            )
        with self._recording:
            if self._recorder is None:
                self._recorder = Recorder(self.record.store())
        self._recorder.note(access)

    def pack_for(self, role: Role) -> Pack:
        """The pack `role` reads: as the governing body does, or as released to the public."""
        from consortia.privacy.release import Audience, require_released

        reads = audience(role)
        chosen = self.pack if reads is Audience.GOVERNING_BODY else self.public
        require_released(chosen.figures, reads)  # every page and API answer is read through here
        return chosen
