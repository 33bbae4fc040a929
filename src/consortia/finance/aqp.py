"""Any qualified provider: a CCG's register of services open to every qualified provider at a
set tariff, and where its patients chose to go.

The register is the CCG's governance record (services opened and providers qualified through
its audited actions) or a file (TOML) of the same shape: each service, the activity that counts
as it (a dataset and equality filters, as allocation components name theirs), its tariff and the
providers qualified to offer it. For the year asked, each service's activity at each provider:
attendances, patients, the share of the service (with Wilson 95% limits), whether the
provider is on the register, and the value at the tariff beside the recorded cost; and patient
choice — how many providers each practice's patients used, and the share at the practice's
most-used provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd
from ibis import _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from consortia.analyses.population import equal_to_any, event_date, in_practices
from consortia.analyses.scope import Scope, Tables
from consortia.configfile import parse_toml
from consortia.errors import DataError
from consortia.finance.output import records
from consortia.schema.selection import Source
from consortia.stats.proportions import proportion
from consortia.textfile import read_text
from consortia.years import parse_financial_year

MAX_FILE_BYTES = 1_000_000
YEAR = r"^\d{4}/\d{2}$"
CONFIDENCE = 0.95


DATASETS = ("ccg", "practice", "provider", "patient", "registration", "apc", "op", "ae")


def open_lake(backend: Any, lake_path: Path) -> dict[str, Any]:
    """The datasets the services are read from, after the schema's check (refused if broken)."""
    from consortia.engine.backends import checking
    from consortia.ingest.checked import open_vouched
    from consortia.ingest.validate import require_valid

    require_valid(checking(backend), lake_path, DATASETS)
    return open_vouched(backend, lake_path, DATASETS)


class Service(BaseModel):
    """One service open to any qualified provider."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)
    title: str
    activity: Source
    tariff: float = Field(gt=0.0, le=1e6)  # £ per attendance or admission
    providers: list[str] = Field(min_length=1)


class Register(BaseModel):
    """A CCG's any-qualified-provider services for a year."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    year: str = Field(pattern=YEAR)
    ccg: str
    services: list[Service] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [s.id for s in self.services]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"service {', '.join(repeated)} named more than once")
        return self


def read_register(path: Path, ccgs: set[str], providers: set[str]) -> Register:
    """The register in `path` (it names its CCG and year), its CCG and every provider known
    to the lake; an error names the file, key and rule."""
    name = str(path)
    register = parse_toml(Register, name, read_text(path, MAX_FILE_BYTES), "AQP register")
    return known(register, name, ccgs, providers)


def recorded_register(db: str, year: str) -> Recorded:
    """The register the governance record at `db` holds for financial year `year` (every
    service open by its end, every provider qualified on a day of it) and the referrals
    recorded in it, read from the record verified once; `known` then checks it against the
    lake as a register file is checked."""
    from consortia.governance.record import aqp_view

    try:
        label = parse_financial_year(year)
    except DataError as error:
        error.field = "--year"
        raise
    first = int(label[:4])
    start, end = date(first, 4, 1), date(first + 1, 4, 1)
    view = aqp_view(db, start, end)
    if not view["services"]:
        raise DataError(
            f"the record opens no AQP service by {(end - timedelta(days=1)).isoformat()}",
            file=db,
            rule="a register names at least one service",
        )
    unserved = [s["id"] for s in view["services"] if not s["providers"]]
    if unserved:
        raise DataError(
            f"no provider is qualified for {', '.join(unserved)} on any day of {label}",
            file=db,
            rule="a service of the register has a qualified provider",
        )
    try:
        register = Register.model_validate(
            {"year": label, "ccg": view["ccg"], "services": view["services"]}
        )
    except ValidationError as error:
        first_error = error.errors()[0]
        where = ".".join(str(part) for part in first_error["loc"])
        raise DataError(first_error["msg"], file=db, field=where, rule="AQP register") from None
    referrals = pd.DataFrame(view["referrals"], columns=["service", "provider", "referrals"])
    return Recorded(register, referrals)


def known(register: Register, name: str, ccgs: set[str], providers: set[str]) -> Register:
    """`register`, refused unless its CCG and every provider it names are in the lake."""
    if register.ccg not in ccgs:
        raise DataError(f"no CCG with code {register.ccg!r} in the lake", file=name,
                        field="ccg", rule="a CCG's own register")  # fmt: skip
    for number, service in enumerate(register.services):
        unknown = sorted(set(service.providers) - providers)
        if unknown:
            raise DataError(
                f"no provider {', '.join(unknown)} in the lake",
                file=name,
                field=f"services.{number}.providers",
                rule="qualified providers are the lake's providers",
            )
    return register


@dataclass(frozen=True)
class Recorded:
    """A register read from the governance record, with the referrals recorded under it."""

    register: Register
    referrals: pd.DataFrame  # service × chosen provider: referrals


def service_activity(tables: Tables, scope: Scope, service: Service) -> Any:
    """The service's activity for the scope's CCG in its years, by practice and provider:
    events, patients and recorded cost."""
    dataset = service.activity.dataset
    table = tables[dataset]
    day = event_date(table, dataset)
    rows = table.filter(
        equal_to_any(table, service.activity.where) & (day >= scope.start) & (day < scope.end)
    )
    rows = in_practices(tables, scope, rows)
    return (
        rows.group_by("practice", "provider")
        .aggregate(events=_.count(), patients=_.patient_id.nunique(), cost=_.cost.sum())
        .order_by("practice", "provider")
    )


@dataclass(frozen=True)
class Choice:
    """A year's AQP services for a CCG: shares by provider and choice by practice."""

    register: Register
    providers: pd.DataFrame  # service × provider
    practices: pd.DataFrame  # service × practice
    referrals: pd.DataFrame | None = None  # service × provider chosen, when from a record


def compute(
    backend: Any, tables: Tables, register: Register, referrals: pd.DataFrame | None = None
) -> Choice:
    """Every service of the register on the lake, for the register's CCG and year (with the
    referrals the record holds, if it is a record's)."""
    scope = Scope(ccg=register.ccg, first_year=int(register.year[:4]), years=1)
    names = backend.execute(tables["provider"].select(provider="code", name="name", kind="kind"))
    by_provider, by_practice = [], []
    for service in register.services:
        rows = backend.execute(service_activity(tables, scope, service))
        providers = rows.groupby("provider", as_index=False)[["events", "cost"]].sum()
        total = int(providers["events"].sum())
        if total:
            share = proportion(providers["events"].to_numpy(), np.full(len(providers), total),
                               confidence=CONFIDENCE)  # fmt: skip
            providers["share"], providers["lower"], providers["upper"] = (
                share.value, share.lower, share.upper
            )  # fmt: skip
        else:
            providers["share"] = providers["lower"] = providers["upper"] = np.nan
        qualified = set(service.providers)
        for code in sorted(qualified - set(providers["provider"])):  # on the register, unused
            providers.loc[len(providers)] = [code, 0, 0.0, 0.0, 0.0, 0.0]
        providers["qualified"] = providers["provider"].isin(qualified)
        providers["value_at_tariff"] = providers["events"] * service.tariff
        providers = providers.merge(names, on="provider", how="left").assign(service=service.id)
        by_provider.append(providers.sort_values("events", ascending=False))
        practices = rows.groupby("practice").agg(
            events=("events", "sum"), providers=("provider", "nunique"), largest=("events", "max")
        )
        practices["share_at_largest"] = practices["largest"] / practices["events"]
        by_practice.append(
            practices.drop(columns="largest").reset_index().assign(service=service.id)
        )
    return Choice(
        register,
        pd.concat(by_provider, ignore_index=True),
        pd.concat(by_practice, ignore_index=True) if by_practice else pd.DataFrame(),
        referrals,
    )


def summary(choice: Choice) -> str:
    """Each service's providers, shares and choice in words."""
    register = choice.register
    lines = [
        f"Any qualified provider {register.year} for CCG {register.ccg}: "
        f"{len(register.services)} service{'' if len(register.services) == 1 else 's'}",
        "Share of each service's activity with Wilson 95% limits; value at the register's "
        "tariff beside the recorded cost.",
    ]
    for service in register.services:
        rows = choice.providers[choice.providers["service"] == service.id]
        practices = choice.practices[choice.practices["service"] == service.id]
        off = rows[(~rows["qualified"]) & (rows["events"] > 0)]
        lines += [
            "",
            f"{service.id} — {service.title} (tariff £{service.tariff:,.2f}; "
            f"{len(service.providers)} qualified providers)",
            f"  {'provider':8} {'name':34} {'events':>8} {'share (95% limits)':>24} "
            f"{'at tariff £':>12} {'recorded £':>12}",
        ]
        for row in rows.to_dict(orient="records"):
            share = (
                f"{row['share']:.1%} ({row['lower']:.1%}–{row['upper']:.1%})"
                if pd.notna(row["share"])
                else "–"
            )
            mark = "" if row["qualified"] else "  not on the register"
            lines.append(
                f"  {row['provider']:8} {str(row['name'])[:34]:34} {int(row['events']):8,} "
                f"{share:>24} {row['value_at_tariff']:12,.0f} {row['cost']:12,.0f}{mark}"
            )
        if len(practices):
            several = int((practices["providers"] > 1).sum())
            lines.append(
                f"  Choice: patients of {several} of {len(practices)} practices used more than "
                f"one provider; at the typical practice "
                f"{practices['share_at_largest'].median():.0%} went to its most-used provider"
            )
        if len(off):
            lines.append(
                f"  {int(off['events'].sum()):,} events at providers not on the register: "
                + ", ".join(off["provider"])
            )
        if choice.referrals is not None:
            chosen = choice.referrals[choice.referrals["service"] == service.id]
            lines.append(
                f"  Referrals recorded with every qualified provider offered: "
                f"{int(chosen['referrals'].sum()):,}"
                + "".join(
                    f"{'; chosen: ' if n == 0 else ', '}{row['provider']} {int(row['referrals'])}"
                    for n, row in enumerate(chosen.to_dict(orient="records"))
                )
            )
    return "\n".join(lines)


def as_json(choice: Choice) -> dict[str, Any]:
    return {
        "register": choice.register.model_dump(mode="json"),
        "method": __doc__,
        "providers": records(choice.providers),
        "practices": records(choice.practices),
        **({} if choice.referrals is None else {"referrals": records(choice.referrals)}),
    }
