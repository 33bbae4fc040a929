"""A quality premium scheme, a CCG's local measures and its inputs: versioned files keyed by
financial year, validated on load; an error names the file, the key and the rule broken.

The shipped schemes live in `consortia/finance/years/premium-YYYY-YY.toml`. Nothing in the
premium's code restates a measure, weight or threshold from them.
"""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consortia.analyses.scope import parse_financial_year
from consortia.configfile import parse_toml
from consortia.errors import DataError
from consortia.textfile import read_text

YEAR = r"^\d{4}/\d{2}$"
ID = r"^[a-z][a-z0-9_]*$"
MAX_FILE_BYTES = 1_000_000

# How a measure is achieved: its value no higher than the year before's (`no_increase`), lower
# by at least `threshold` of it (`reduction`), at least or at most `threshold`, or judged
# achieved outside the lake and given as an input (`achieved`).
Rule = Literal["no_increase", "reduction", "at_least", "at_most", "achieved"]
CHANGE_RULES = ("no_increase", "reduction")
# The measures the lake supplies (`consortia.finance.premium.lake`).
LakeMeasure = Literal[
    "avoidable_emergency_admissions",
    "pyll_under_75",
    "ae_within_4_hours",
    "rtt_admitted_within_18_weeks",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Measure(_Strict):
    """One measure of the premium: what achieves it, its weight, where its value comes from."""

    id: str = Field(pattern=ID)
    title: str
    weight: float = Field(gt=0.0, le=1.0)
    rule: Rule
    threshold: float | None = Field(default=None, ge=0.0, le=1e9)
    lake: LakeMeasure | None = None  # supplied by the lake; otherwise an input
    source: str = ""  # the published rule it follows

    @model_validator(mode="after")
    def _rule_needs(self) -> Self:
        needs_threshold = self.rule in ("reduction", "at_least", "at_most")
        if needs_threshold and self.threshold is None:
            raise ValueError(f"rule {self.rule} needs a threshold")
        if not needs_threshold and self.threshold is not None:
            raise ValueError(f"rule {self.rule} takes no threshold")
        if self.rule == "achieved" and self.lake is not None:
            raise ValueError("a measure achieved by judgement is an input, not a lake measure")
        return self


class Gateway(_Strict):
    """A condition that withholds the whole premium when failed (quality, finance)."""

    id: str = Field(pattern=ID)
    title: str
    source: str = ""


class Standard(_Strict):
    """An NHS Constitution standard: failing it reduces the premium."""

    id: str = Field(pattern=ID)
    title: str
    threshold: float = Field(gt=0.0, le=1.0)  # the share that must be met
    lake: LakeMeasure | None = None
    source: str = ""


class Scheme(_Strict):
    """A year's quality premium."""

    year: str = Field(pattern=YEAR)
    pounds_per_head: float = Field(gt=0.0, le=1000.0)
    measures: list[Measure] = Field(min_length=1)
    local_weights: list[float] = Field(default_factory=list)  # slots a CCG's own file fills
    gateways: list[Gateway] = Field(default_factory=list)
    standards: list[Standard] = Field(default_factory=list)
    reduction_per_standard: float = Field(ge=0.0, le=1.0)
    reductions: Literal["additive", "compounded"]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        total = sum(m.weight for m in self.measures) + sum(self.local_weights)
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"the measures' weights and the local weights sum to {total:g}, not 1")
        if any(not 0 < w <= 1 for w in self.local_weights):
            raise ValueError("a local weight must lie in (0, 1]")
        _unique("measure", [m.id for m in self.measures])
        _unique("gateway", [g.id for g in self.gateways])
        _unique("standard", [s.id for s in self.standards])
        return self

    @property
    def performance_start(self) -> int:
        """The calendar year the performance year starts in."""
        return int(self.year[:4])


class LocalMeasures(_Strict):
    """A CCG's own measures, filling the scheme's local slots."""

    year: str = Field(pattern=YEAR)
    ccg: str
    measures: list[Measure] = Field(default_factory=list)


class MeasureInput(_Strict):
    """A measure's value (and the year before's, for a change rule) or its judgement."""

    value: float | None = Field(default=None, ge=-1e12, le=1e12)
    previous: float | None = Field(default=None, ge=-1e12, le=1e12)
    achieved: bool | None = None
    source: str = ""  # where the CCG took it from


class GatewayInput(_Strict):
    passed: bool
    source: str = ""


class StandardInput(_Strict):
    value: float = Field(ge=0.0, le=1.0)
    source: str = ""


class Inputs(_Strict):
    """What only the CCG (or NHS England) holds: survey results, gateways, other standards."""

    year: str = Field(pattern=YEAR)
    ccg: str
    measures: dict[str, MeasureInput] = Field(default_factory=dict)
    gateways: dict[str, GatewayInput] = Field(default_factory=dict)
    standards: dict[str, StandardInput] = Field(default_factory=dict)


def _unique(kind: str, ids: list[str]) -> None:
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{kind} {', '.join(repeated)} named more than once")


def _file_name(year: str) -> str:
    return f"premium-{year.replace('/', '-')}.toml"


def shipped_years() -> list[str]:
    """The years whose quality premium schemes ship with Consortia."""
    folder = resources.files("consortia.finance") / "years"
    found = (re.fullmatch(r"premium-(\d{4})-(\d{2})\.toml", e.name) for e in folder.iterdir())
    return sorted(f"{m[1]}/{m[2]}" for m in found if m)


def scheme(year: str, path: Path | None = None) -> Scheme:
    """The scheme for `year`: from `path` if given (its year must match), else shipped."""
    label = parse_financial_year(year)
    if path is not None:
        chosen = parse_toml(Scheme, str(path), read_text(path, MAX_FILE_BYTES), "premium rules")
        _same_year(chosen.year, label, path)
        return chosen
    if label not in shipped_years():
        raise DataError(
            f"no quality premium scheme for {label}; shipped years: "
            f"{', '.join(shipped_years())} (pass --rules FILE for another year)",
            field="year",
            rule="schemes are keyed by financial year",
        )
    entry = resources.files("consortia.finance") / "years" / _file_name(label)
    text = entry.read_text(encoding="utf-8")
    return parse_toml(Scheme, f"years/{_file_name(label)}", text, "premium rules")


def local_measures(path: Path, chosen: Scheme, ccg: str) -> LocalMeasures:
    """A CCG's local measures file, checked against the scheme's slots."""
    local = parse_toml(LocalMeasures, str(path), read_text(path, MAX_FILE_BYTES), "local measures")
    _same_year(local.year, chosen.year, path)
    _same_ccg(local.ccg, ccg, path)
    given = sorted(m.weight for m in local.measures)
    slots = sorted(chosen.local_weights)
    if len(given) != len(slots) or not all(
        math.isclose(a, b, abs_tol=1e-9) for a, b in zip(given, slots, strict=True)
    ):
        raise DataError(
            f"{len(given)} local measures weighing {given} do not fill the scheme's "
            f"{len(slots)} local slots weighing {slots}",
            file=str(path),
            field="measures",
            rule="local measures fill the scheme's local weights",
        )
    national = {m.id for m in chosen.measures}
    clash = sorted({m.id for m in local.measures} & national)
    if clash:
        raise DataError(
            f"local measure {', '.join(clash)} has a national measure's id",
            file=str(path),
            field="measures",
            rule="every measure has its own id",
        )
    try:
        _unique("local measure", [m.id for m in local.measures])
    except ValueError as error:
        raise DataError(str(error), file=str(path), field="measures") from None
    return local


def inputs(path: Path, chosen: Scheme, measures: list[Measure], ccg: str) -> Inputs:
    """The CCG's inputs file, every key naming a measure, gateway or standard of the scheme."""
    given = parse_toml(Inputs, str(path), read_text(path, MAX_FILE_BYTES), "premium inputs")
    _same_year(given.year, chosen.year, path)
    _same_ccg(given.ccg, ccg, path)
    known: dict[str, set[str]] = {
        "measures": {m.id for m in measures},
        "gateways": {g.id for g in chosen.gateways},
        "standards": {s.id for s in chosen.standards},
    }
    for section, ids in known.items():
        table: dict[str, Any] = getattr(given, section)
        for key in table:
            if key not in ids:
                raise DataError(
                    f"the scheme has no {section[:-1]} {key!r} (it has: "
                    f"{', '.join(sorted(ids)) or 'none'})",
                    file=str(path),
                    field=f"{section}.{key}",
                    rule="inputs name the scheme's own measures",
                )
    return given


def _same_year(found: str, wanted: str, path: Path) -> None:
    _same("year", found, wanted, path, "premium files are keyed by financial year")


def _same_ccg(found: str, wanted: str, path: Path) -> None:
    _same("ccg", found, wanted, path, "a CCG's own file is for that CCG", "CCG ")


def _same(field: str, found: str, wanted: str, path: Path, rule: str, label: str = "") -> None:
    """Refuse a file that is for another year or CCG than the one asked for."""
    if found != wanted:
        raise DataError(
            f"the file is for {label}{found}, not {wanted}", file=str(path), field=field, rule=rule
        )
