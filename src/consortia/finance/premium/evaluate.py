"""The quality premium for one CCG, step by step: each measure's value against its rule, the
gateways, the NHS Constitution reductions and the payment; every step kept, so `explain`
prints it and `as_json` carries it for anyone to recompute.

payment = £ per head × registered list × Σ weights of measures achieved
          × (0 if any gateway failed) × the reduction for standards failed
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from consortia.analyses.scope import financial_year_label
from consortia.finance.premium.lake import METHODS
from consortia.finance.premium.rules import Inputs, LocalMeasures, Measure, Scheme

RULE_WORDS = {
    "no_increase": "no higher than the year before",
    "reduction": "lower than the year before by at least {threshold:.1%}",
    "at_least": "at least {threshold:g}",
    "at_most": "at most {threshold:g}",
    "achieved": "judged achieved",
}


@dataclass(frozen=True)
class Reading:
    """A value with its limits, where it came from and how it was measured."""

    value: float
    lower: float | None = None
    upper: float | None = None
    where: str = "lake"  # lake | input
    note: str = ""  # the method (lake) or the CCG's source (input)


@dataclass(frozen=True)
class MeasureStep:
    id: str
    title: str
    weight: float
    local: bool
    rule: str
    threshold: float | None
    current: Reading | None
    previous: Reading | None
    change: float | None  # current ÷ previous − 1
    achieved: bool
    basis: str  # what decided it, in words

    @property
    def earned(self) -> float:
        return self.weight if self.achieved else 0.0


@dataclass(frozen=True)
class GatewayStep:
    id: str
    title: str
    passed: bool
    basis: str


@dataclass(frozen=True)
class StandardStep:
    id: str
    title: str
    threshold: float
    reading: Reading | None
    met: bool
    basis: str


@dataclass(frozen=True)
class Premium:
    year: str
    ccg: str
    population: int
    pounds_per_head: float
    measures: list[MeasureStep]
    gateways: list[GatewayStep]
    standards: list[StandardStep]
    reduction_per_standard: float
    reductions: str
    assumptions: list[str] = field(default_factory=list)

    @property
    def maximum(self) -> float:
        return self.pounds_per_head * self.population

    @property
    def earned(self) -> float:
        return sum(step.earned for step in self.measures)

    @property
    def gated(self) -> bool:
        return all(step.passed for step in self.gateways)

    @property
    def failed_standards(self) -> int:
        return sum(not step.met for step in self.standards)

    @property
    def factor(self) -> float:
        """What the NHS Constitution standards failed leave of the premium."""
        failed, share = self.failed_standards, self.reduction_per_standard
        if self.reductions == "compounded":
            return float((1 - share) ** failed)
        return max(0.0, 1 - share * failed)

    @property
    def payment(self) -> float:
        return self.maximum * self.earned * (1.0 if self.gated else 0.0) * self.factor


def evaluate(
    scheme: Scheme,
    ccg: str,
    population: int,
    lake_values: pd.DataFrame,
    local: LocalMeasures | None,
    inputs: Inputs | None,
) -> Premium:
    """The premium of `ccg` from the lake's values (`consortia.finance.premium.lake.values`,
    this CCG's rows), its local measures and its inputs."""
    year = scheme.year
    before = financial_year_label(scheme.performance_start - 1)
    given = inputs or Inputs(year=year, ccg=ccg)
    assumptions: list[str] = []
    lake = {
        (row["measure"], row["financial_year"]): row
        for row in lake_values.to_dict(orient="records")
    }
    measures = [(m, False) for m in scheme.measures]
    if local is not None:
        measures += [(m, True) for m in local.measures]
    elif scheme.local_weights:
        assumptions.append(
            f"no local measures given (--local FILE): their {sum(scheme.local_weights):.1%} "
            "counts as not achieved"
        )
    steps = [
        _measure(m, is_local, year, before, lake, given, assumptions) for m, is_local in measures
    ]
    for weight in scheme.local_weights if local is None else []:
        steps.append(
            MeasureStep(
                "local", "A local measure (not given)", weight, True, "achieved", None,
                None, None, None, False, "no local measures file",
            )
        )  # fmt: skip
    gateways = []
    for gateway in scheme.gateways:
        entry = given.gateways.get(gateway.id)
        if entry is None:
            assumptions.append(f"gateway {gateway.id}: no input, assumed passed")
            gateways.append(GatewayStep(gateway.id, gateway.title, True, "no input: assumed"))
        else:
            basis = f"input{': ' + entry.source if entry.source else ''}"
            gateways.append(GatewayStep(gateway.id, gateway.title, entry.passed, basis))
    standards = []
    for standard in scheme.standards:
        reading = _standard_reading(standard.id, standard.lake, year, lake, given)
        if reading is None:
            assumptions.append(f"standard {standard.id}: no value, assumed met")
            standards.append(
                StandardStep(
                    standard.id, standard.title, standard.threshold, None, True, "no input: assumed"
                )
            )
            continue
        met = reading.value >= standard.threshold
        basis = f"{reading.value:.1%} {'≥' if met else '<'} {standard.threshold:.0%}"
        standards.append(
            StandardStep(standard.id, standard.title, standard.threshold, reading, met, basis)
        )
    return Premium(
        year=year,
        ccg=ccg,
        population=population,
        pounds_per_head=scheme.pounds_per_head,
        measures=steps,
        gateways=gateways,
        standards=standards,
        reduction_per_standard=scheme.reduction_per_standard,
        reductions=scheme.reductions,
        assumptions=assumptions,
    )


def _lake_reading(lake: dict[Any, Any], measure: str | None, year: str) -> Reading | None:
    if measure is None:
        return None
    row = lake.get((measure, year))
    if row is None or not math.isfinite(row["value"]):
        return None
    lower, upper = row["lower"], row["upper"]
    return Reading(
        float(row["value"]),
        float(lower) if math.isfinite(lower) else None,
        float(upper) if math.isfinite(upper) else None,
        "lake",
        METHODS[measure],
    )


def _input_reading(value: float | None, source: str) -> Reading | None:
    return None if value is None else Reading(value, where="input", note=source)


def _measure(
    measure: Measure,
    local: bool,
    year: str,
    before: str,
    lake: dict[Any, Any],
    given: Inputs,
    assumptions: list[str],
) -> MeasureStep:
    entry = given.measures.get(measure.id)

    def step(
        current: Reading | None, previous: Reading | None, change: float | None, ok: bool, why: str
    ) -> MeasureStep:
        return MeasureStep(
            measure.id, measure.title, measure.weight, local, measure.rule, measure.threshold,
            current, previous, change, ok, why,
        )  # fmt: skip

    if measure.rule == "achieved":
        if entry is None or entry.achieved is None:
            assumptions.append(f"measure {measure.id}: no input, counted as not achieved")
            return step(None, None, None, False, "no input: not achieved")
        source = f": {entry.source}" if entry.source else ""
        return step(None, None, None, entry.achieved, f"input{source}")
    current = _input_reading(entry.value, entry.source) if entry else None
    current = current or _lake_reading(lake, measure.lake, year)
    if current is None:
        assumptions.append(f"measure {measure.id}: no value for {year}, counted as not achieved")
        return step(None, None, None, False, f"no value for {year}: not achieved")
    if measure.rule in ("at_least", "at_most"):
        assert measure.threshold is not None
        ok = (
            current.value >= measure.threshold
            if measure.rule == "at_least"
            else current.value <= measure.threshold
        )
        return step(current, None, None, ok, _words(measure))
    previous = _input_reading(entry.previous, entry.source) if entry else None
    previous = previous or _lake_reading(lake, measure.lake, before)
    if previous is None or previous.value == 0:
        assumptions.append(
            f"measure {measure.id}: no value for {before} (give `previous` in --inputs), "
            "counted as not achieved"
        )
        return step(current, None, None, False, f"no value for {before}: not achieved")
    change = current.value / previous.value - 1
    if measure.rule == "no_increase":
        ok = current.value <= previous.value
    else:
        assert measure.threshold is not None
        ok = current.value <= previous.value * (1 - measure.threshold)
    return step(current, previous, change, ok, _words(measure))


def _words(measure: Measure) -> str:
    return RULE_WORDS[measure.rule].format(threshold=measure.threshold or 0.0)


def _standard_reading(
    standard: str, lake_measure: str | None, year: str, lake: dict[Any, Any], given: Inputs
) -> Reading | None:
    entry = given.standards.get(standard)
    if entry is not None:
        return Reading(entry.value, where="input", note=entry.source)
    return _lake_reading(lake, lake_measure, year)


def _show(reading: Reading, year: str, share: bool = False) -> str:
    """A reading with its limits and where it came from; a share as a percentage."""

    def number(value: float) -> str:
        return f"{value:.2%}" if share else f"{value:,.1f}"

    limits = (
        f" (95% limits {number(reading.lower)}–{number(reading.upper)})"
        if reading.lower is not None and reading.upper is not None
        else ""
    )
    return f"{year} {number(reading.value)}{limits} [{reading.where}]"


def _note_kind(reading: Reading) -> str:
    """A lake value's note is its method; an input's, where the CCG took it from."""
    return "method" if reading.where == "lake" else "source"


def explain(premium: Premium, name: str = "") -> str:
    """Every step of the premium in words and numbers, enough to recompute it by hand."""
    year = premium.year
    before = financial_year_label(int(year[:4]) - 1)
    lines = [
        f"Quality premium {year} for CCG {premium.ccg}{' ' + name if name else ''}",
        "",
        f"Maximum = £{premium.pounds_per_head:,.2f} × {premium.population:,} registered on "
        f"1 April {year[:4]} = £{premium.maximum:,.2f}",
        "",
        "1. Measures (achieved when the rule holds; earns its weight)",
    ]
    for step in premium.measures:
        name = step.title if step.id == "local" else f"{step.id} — {step.title}"
        lines.append(f"   {'local: ' if step.local else ''}{name} (weight {step.weight:.1%})")
        if step.current is not None:
            lines.append(f"      {_show(step.current, year)}")
        if step.previous is not None:
            lines.append(f"      {_show(step.previous, before)}")
        notes = {
            (_note_kind(r), r.note)
            for r in (step.current, step.previous)
            if r is not None and r.note
        }
        lines += [f"      {kind}: {note}" for kind, note in sorted(notes)]
        if step.change is not None:
            lines.append(f"      change {step.change:+.2%}")
        verdict = "achieved" if step.achieved else "not achieved"
        if step.basis.startswith(("no input", "no value", "no local")):
            lines.append(f"      {step.basis}; earns {step.earned:.1%}")
        else:
            lines.append(f"      rule: {step.basis} → {verdict}; earns {step.earned:.1%}")
    lines += [
        f"   Earned: {premium.earned:.1%} of the maximum",
        "",
        "2. Gateways (any failed: no premium)",
    ]
    for gateway in premium.gateways:
        lines.append(
            f"   {gateway.id} — {gateway.title}: {'passed' if gateway.passed else 'FAILED'} "
            f"({gateway.basis})"
        )
    lines += ["", "3. NHS Constitution standards (each failed reduces the premium)"]
    for standard in premium.standards:
        lines.append(f"   {standard.id} — {standard.title} (at least {standard.threshold:.0%})")
        if standard.reading is None:
            lines.append(f"      {standard.basis} → met")
            continue
        lines.append(f"      {_show(standard.reading, year, share=True)}")
        if standard.reading.note:
            lines.append(f"      {_note_kind(standard.reading)}: {standard.reading.note}")
        lines.append(f"      {standard.basis} → {'met' if standard.met else 'FAILED'}")
    rule = (
        f"(1 − {premium.reduction_per_standard:.0%})^{premium.failed_standards}"
        if premium.reductions == "compounded"
        else f"1 − {premium.reduction_per_standard:.0%} × {premium.failed_standards}"
    )
    lines += [
        f"   {premium.failed_standards} failed: factor {rule} = {premium.factor:.4f}",
        "",
        f"4. Payment = £{premium.maximum:,.2f} × {premium.earned:.4f} × "
        f"{1 if premium.gated else 0} × {premium.factor:.4f} = £{premium.payment:,.2f}",
    ]
    if premium.assumptions:
        lines += ["", "Assumed, for want of an input (--inputs FILE):"]
        lines += [f"   - {line}" for line in premium.assumptions]
    return "\n".join(lines)


def as_json(premium: Premium) -> dict[str, Any]:
    """Every step as plain data, with the totals."""
    data = asdict(premium)
    data.update(
        maximum=premium.maximum,
        earned=premium.earned,
        gated=premium.gated,
        failed_standards=premium.failed_standards,
        factor=premium.factor,
        payment=premium.payment,
    )
    return data


def from_lake(
    backend: Any,
    tables: Any,
    scheme: Scheme,
    ccg: str,
    local: LocalMeasures | None,
    inputs: Inputs | None,
    progress: Any = None,
) -> tuple[Premium, str]:
    """The premium of `ccg` with the lake's values for the performance year and the one
    before, and the CCG's name."""
    from consortia.analyses.scope import Scope
    from consortia.errors import DataError
    from consortia.finance.budget_risk import list_sizes
    from consortia.finance.premium.lake import values

    names = backend.execute(tables["ccg"].filter(tables["ccg"].code == ccg).select("name"))
    if names.empty:
        raise DataError(f"no CCG with code {ccg!r} in the lake", field="ccg")
    start = scheme.performance_start
    scope = Scope(ccg=ccg, first_year=start - 1, years=2)
    sizes = backend.execute(list_sizes(tables, Scope(ccg=None, first_year=start, years=1)))
    population = int(sizes.loc[sizes["ccg"] == ccg, "people"].sum())
    if progress:
        progress(1, 2)
    found = values(backend, tables, scope)
    if progress:
        progress(2, 2)
    premium = evaluate(scheme, ccg, population, found[found["ccg"] == ccg], local, inputs)
    return premium, str(names["name"].iloc[0])
