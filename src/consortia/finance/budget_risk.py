"""Budget risk by population size: how likely a commissioner of N people is to overspend,
simulated from the lake's person-level annual costs.

A CCG's spend on its list is the sum of its patients' costs; the fewer the patients, the more
one year's sum strays from what was expected, and high-cost patients make the strays to the
high side longer. Each simulated budget year draws a population of N from the lake's people
(with replacement) and adds up their costs: the costliest `TAIL` of people are drawn one by
one, the rest summed through their mean and variance (the central limit theorem holds well
for a sum of tens of thousands of costs capped at the tail's threshold). The budget is the
expected spend, N × the mean cost; an overspend counts beyond the contingency reserve.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import special

from consortia.analyses.investment import ccg_list_sizes
from consortia.analyses.population import registered_on
from consortia.analyses.scope import Scope, Tables, financial_year_label
from consortia.analyses.shared import shared
from consortia.errors import DataError
from consortia.finance.need import base_year, spend_rows
from consortia.finance.output import records
from consortia.finance.parameters import AllocationParameters
from consortia.stats.proportions import proportion

# Population sizes from a small CCG's to a very large one's (the 20,000 to 1,000,000;
# CCGs ran from 63,100 to 869,400 people in mid-2012, domain.md 5.3).
SIZES = (20_000, 30_000, 50_000, 75_000, 100_000, 150_000, 250_000, 400_000, 600_000, 1_000_000)
OVERSPENDS = (0.01, 0.02)  # overspends beyond the reserve, as shares of the budget
TAIL = 0.001  # the costliest share of people, drawn one by one in every simulated year
POOL_CENTILE = 0.999  # default threshold of the high-cost pool: this centile of person costs
LEVEL = 0.05  # default chance of overspending a governing body would accept
YEARS = 10_000  # simulated budget years per population size
BISECTIONS = 12  # halvings of the bracket when finding the smallest population
VARIANTS = ("alone", "pooled")

METHOD = (
    "Monte Carlo: each simulated year draws N people with replacement from those registered "
    "on 1 April of the base year, each with their own cost of the year's hospital activity "
    "(zero for those who used none), and sums their costs (the costliest 0.1% drawn one by "
    "one, the rest through their mean and variance). The budget is N × the mean cost; an "
    "overspend counts beyond the contingency reserve. Probabilities carry Wilson 95% limits "
    "for the simulation's own error. With a high-cost pool, each patient's cost above the "
    "threshold is paid by a national pool, to which the CCG pays its expected share."
)


@shared
def person_costs(tables: Tables, scope: Scope, parameters: AllocationParameters) -> Any:
    """Each patient on a list in scope on 1 April with their cost of the components' activity
    in that financial year (patients with no activity are absent: their cost is zero)."""
    listed = registered_on(tables, scope, scope.start).select("patient_id")
    parts = [
        spend_rows(tables, scope, source).select("patient_id", "cost")
        for component in parameters.components
        for source in component.datasets
    ]
    # Summed per patient before the patients listed are chosen: the same rows, and the
    # engine then holds one row per patient rather than the list (England: about 45% quicker)
    rows = ibis.union(*parts)
    per_patient = rows.group_by("patient_id").aggregate(cost=rows.cost.sum())
    return per_patient.semi_join(listed, "patient_id").select("cost")


def list_sizes(tables: Tables, scope: Scope) -> Any:
    """Patients on each CCG's lists on the scope's 1 April (its first year's)."""
    one_year = Scope(None, scope.first_year, 1)
    sizes = ccg_list_sizes(tables, one_year)
    return sizes.select("ccg", people=sizes.patients).order_by("ccg")


@dataclass(frozen=True)
class Costs:
    """One year's cost of everyone on the lists: `people` in all, the positive costs sorted."""

    people: int
    used: np.ndarray

    @classmethod
    def of(cls, people: int, costs: np.ndarray) -> Costs:
        positive = np.sort(np.asarray(costs, dtype=np.float64))
        positive = positive[positive > 0]
        if people <= 0 or positive.size == 0:
            raise DataError(
                "no registered patient has any costed activity in the year",
                field="year",
                rule="budget risk is simulated from the year's person costs",
            )
        return cls(people, positive)

    @cached_property
    def mean(self) -> float:
        return float(self.used.sum() / self.people)

    @cached_property
    def sd(self) -> float:
        second = float(np.square(self.used).sum() / self.people)
        return math.sqrt(max(second - self.mean**2, 0.0))

    @cached_property
    def skewness(self) -> float:
        """Skewness of one person's cost (zeros included): the sum of N costs has this over
        √N, so a heavy tail leaves small populations' overspends longer than a normal's."""
        zeros = self.people - self.used.size
        deviation = self.used - self.mean
        third = float((deviation * deviation * deviation).sum()) + zeros * (-self.mean) ** 3
        return third / self.people / self.sd**3 if self.sd > 0 else 0.0

    def centile(self, share: float) -> float:
        """The cost below which `share` of everyone (zeros included) falls."""
        zeros = self.people - self.used.size
        rank = share * self.people - zeros
        if rank <= 0:
            return 0.0
        return float(np.quantile(self.used, min(rank / self.used.size, 1.0)))

    def capped(self, cap: float) -> Costs:
        """Each cost cut at `cap` (what the CCG pays itself when a pool pays the rest)."""
        return replace(self, used=np.minimum(self.used, cap))

    def excess(self, cap: float) -> float:
        """The mean cost above `cap` per person: the CCG's fair contribution to the pool."""
        return float(np.maximum(self.used - cap, 0.0).sum() / self.people)

    @cached_property
    def split(self) -> Split:
        """The costliest `TAIL` of people, and the mean and variance of everyone else."""
        drawn = min(max(1, math.ceil(self.people * TAIL)), self.used.size)
        tail = self.used[self.used.size - drawn :]
        rest = self.used[: self.used.size - drawn]
        others = self.people - drawn
        if others == 0:
            return Split(tail, 1.0, 0.0, 0.0)
        mean = float(rest.sum() / others)
        variance = max(float(np.square(rest).sum() / others) - mean**2, 0.0)
        return Split(tail, drawn / self.people, mean, variance)


@dataclass(frozen=True)
class Split:
    """How a simulated year is drawn: tail costs one by one, the others by mean and variance."""

    tail: np.ndarray
    tail_share: float
    mean: float
    variance: float


def simulate(costs: Costs, size: int, years: int, seed: int) -> np.ndarray:
    """Total spend in each of `years` simulated years of a population of `size`."""
    split = costs.split
    rng = np.random.default_rng(seed)
    counts = rng.binomial(size, split.tail_share, years)
    drawn = split.tail[rng.integers(0, split.tail.size, int(counts.sum()))]
    running = np.concatenate(([0.0], np.cumsum(drawn)))
    ends = np.cumsum(counts)
    tail = running[ends] - running[ends - counts]
    others = (size - counts).astype(np.float64)
    normal = rng.standard_normal(years)
    return tail + others * split.mean + np.sqrt(others * split.variance) * normal


@dataclass(frozen=True)
class Settings:
    """What a run of budget risk was asked for."""

    contingency: float
    level: float = LEVEL
    pool_above: float | None = None  # None: the `POOL_CENTILE` of person costs
    years: int = YEARS
    seed: int = 1

    def __post_init__(self) -> None:
        checks = {
            "contingency": 0 <= self.contingency <= 0.2,
            "level": 0 < self.level < 1,
            "pool-above": self.pool_above is None or 0 < self.pool_above < 1e12,
            "years": 100 <= self.years <= 100_000,  # 10⁵ years of 10⁶ people: ~10⁸ draws
        }
        for name, good in checks.items():  # a NaN passes no comparison, so it is caught too
            if not good:
                raise DataError(
                    f"--{name} {getattr(self, name.replace('-', '_'))} is out of range",
                    field=name,
                    rule="budget risk's settings",
                )


@dataclass(frozen=True)
class BudgetRisk:
    """Budget risk at every size, alone and with a high-cost pool, and every input to it."""

    year: str
    base_year: str
    ccg: str | None
    settings: Settings
    costs: Costs
    pool_above: float
    pool_premium: float
    reference: int
    table: pd.DataFrame
    smallest: pd.DataFrame
    slope: float

    @cached_property
    def simulations(self) -> dict[str, Simulation]:
        """Each variant's simulation, its costs' moments computed once (`for_ccg` draws
        every CCG's own sizes from the same ones)."""
        return _simulations(self.costs, self.pool_above, self.settings)


class Simulation:
    """Simulated overspend for one variant (alone or pooled) at any population size."""

    def __init__(self, costs: Costs, mean: float, premium: float, settings: Settings) -> None:
        self.costs, self.mean, self.premium, self.settings = costs, mean, premium, settings

    def overspend(self, size: int) -> np.ndarray:
        """Each simulated year's spend over its budget and reserve, as a share of the budget."""
        s = self.settings
        spend = simulate(self.costs, size, s.years, s.seed) + size * self.premium
        return spend / (size * self.mean) - 1 - s.contingency

    def probability(self, size: int, overspend: float) -> float:
        return float(np.mean(self.overspend(size) > overspend))


def normal_probability(relative_sd: float, contingency: float, overspend: float) -> float:
    """The chance a normal curve with the same spread gives: what the tail adds is the gap."""
    return float(special.ndtr(-(contingency + overspend) / relative_sd))


def smallest_population(
    simulation: Simulation, chances: Sequence[float], overspend: float, level: float
) -> int | None:
    """The smallest population (rounded up to 1,000) whose simulated chance of overspending
    by more than `overspend` is under `level`, bisected between the two `SIZES` whose
    `chances` bracket it. None if even the largest size is above the level."""
    below = [i for i, chance in enumerate(chances) if chance < level]
    if not below:
        return None
    first = below[0]
    low = 1_000.0 if first == 0 else float(SIZES[first - 1])
    high = float(SIZES[first])
    for _ in range(BISECTIONS):
        middle = math.sqrt(low * high)
        if simulation.probability(round(middle), overspend) < level:
            high = middle
        else:
            low = middle
    return math.ceil(high / 1_000) * 1_000


def normal_smallest(
    relative_sd_one: float, contingency: float, overspend: float, level: float
) -> int:
    """The normal curve's smallest population: (z × coefficient of variation / margin)²."""
    z = float(-special.ndtri(level))
    return math.ceil((z * relative_sd_one / (contingency + overspend)) ** 2)


def compute(
    backend: Any,
    tables: Tables,
    parameters: AllocationParameters,
    settings: Settings,
    ccg: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BudgetRisk:
    """Budget risk for `parameters.year`'s budgets from the base year's person costs (of
    `ccg`'s patients, or everyone's)."""
    start = parameters.base_year_start
    steps = 2 + len(VARIANTS) * (len(SIZES) + 2 + len(OVERSPENDS))  # queries, sizes, searches
    done = iter(range(1, steps + 1))

    def tick() -> None:
        if progress:
            progress(next(done), steps)

    sizes = backend.execute(list_sizes(tables, base_year(start)))
    if ccg is not None and ccg not in set(sizes["ccg"]):
        raise DataError(f"no CCG with code {ccg!r} has patients in the lake", field="ccg")
    tick()
    scope = Scope(ccg=ccg, first_year=start, years=1)
    people = (
        int(sizes["people"].sum())
        if ccg is None
        else int(sizes.loc[sizes["ccg"] == ccg, "people"].iloc[0])
    )
    costs = Costs.of(people, backend.execute(person_costs(tables, scope, parameters))["cost"])
    tick()
    reference = people if ccg is not None else int(sizes["people"].median())
    return from_costs(costs, reference, parameters, settings, ccg, tick)


def from_costs(
    costs: Costs,
    reference: int,
    parameters: AllocationParameters,
    settings: Settings,
    ccg: str | None = None,
    tick: Callable[[], None] = lambda: None,
) -> BudgetRisk:
    """Budget risk from the person costs in memory: every size alone and pooled, the
    smallest populations under the level; `reference` is the CCG's own list size (or the
    median CCG's), shown with a merger to twice it. `tick` is called after each step."""
    start = parameters.base_year_start
    pool_above = settings.pool_above or costs.centile(POOL_CENTILE)
    premium = costs.excess(pool_above)
    simulations = _simulations(costs, pool_above, settings)
    rows = []
    for variant, simulation in simulations.items():
        for size, label in _sizes(reference, ccg):
            rows.append(_row(simulation, variant, size, label))
            tick()
    table = pd.DataFrame(rows)
    smallest = []
    for variant, simulation in simulations.items():
        sd_one = simulation.costs.sd / costs.mean
        grid = table[(table["variant"] == variant) & (table["label"] == "grid")]
        for x in OVERSPENDS:
            chances = grid[_key(x)].tolist()
            smallest.append(
                {
                    "variant": variant,
                    "overspend": x,
                    "level": settings.level,
                    "population": smallest_population(simulation, chances, x, settings.level),
                    "normal_population": normal_smallest(
                        sd_one, settings.contingency, x, settings.level
                    ),
                }
            )
            tick()
    alone = table[(table["variant"] == "alone") & (table["label"] == "grid")]
    slope = float(np.polyfit(np.log(alone["population"]), np.log(alone["simulated_sd"]), 1)[0])
    return BudgetRisk(
        year=parameters.year,
        base_year=financial_year_label(start),
        ccg=ccg,
        settings=settings,
        costs=costs,
        pool_above=pool_above,
        pool_premium=premium,
        reference=reference,
        table=table,
        smallest=pd.DataFrame(smallest),
        slope=slope,
    )


def for_ccg(risk: BudgetRisk, ccg: str, people: int) -> BudgetRisk:
    """`risk` (everyone's costs, `ccg` None) with its reference rows for a CCG of `people`:
    the grid and the smallest populations are everyone's; the CCG's own list and a merger
    to twice it are simulated from the same costs, as `from_costs` would for that size."""
    simulations = risk.simulations
    rows = [
        _row(simulation, variant, size, label)
        for variant, simulation in simulations.items()
        for size, label in _sizes(people, ccg)
        if label != "grid"
    ]
    grid = risk.table[risk.table["label"] == "grid"]
    own = pd.DataFrame(rows)
    table = pd.concat(
        [pd.concat([grid[grid["variant"] == v], own[own["variant"] == v]]) for v in VARIANTS],
        ignore_index=True,
    )
    return replace(risk, ccg=ccg, reference=people, table=table)


def _simulations(costs: Costs, pool_above: float, settings: Settings) -> dict[str, Simulation]:
    """Each variant's simulation: the CCG alone, and with costs above `pool_above` pooled."""
    return {
        "alone": Simulation(costs, costs.mean, 0.0, settings),
        "pooled": Simulation(costs.capped(pool_above), costs.mean, costs.excess(pool_above),
                             settings),
    }  # fmt: skip


def _row(simulation: Simulation, variant: str, size: int, label: str) -> dict[str, Any]:
    """One variant at one size: spread and skew exact and simulated, and each overspend's
    chance with its Wilson limits beside the normal curve's."""
    settings = simulation.settings
    sd_one = simulation.costs.sd / simulation.mean
    over = simulation.overspend(size)
    relative = over + 1 + settings.contingency
    sd = sd_one / math.sqrt(size)
    row: dict[str, Any] = {
        "variant": variant,
        "population": size,
        "label": label,
        "relative_sd": sd,
        "simulated_sd": float(relative.std()),
        "skewness": simulation.costs.skewness / math.sqrt(size),
        "simulated_skewness": _skewness(relative),
        "p99_over_normal": float((np.quantile(relative, 0.99) - 1) / (-special.ndtri(0.01) * sd)),
    }
    for x in OVERSPENDS:
        hits = float((over > x).sum())
        chance = proportion([hits], [settings.years])
        key = _key(x)
        row[key] = float(chance.value[0])
        row[f"{key}_lower"] = float(chance.lower[0])
        row[f"{key}_upper"] = float(chance.upper[0])
        row[f"{key}_normal"] = normal_probability(sd, settings.contingency, x)
    return row


def _sizes(reference: int, ccg: str | None) -> list[tuple[int, str]]:
    """The grid's sizes, then the CCG's own list (or the median CCG's) and twice it, merged."""
    if ccg is not None:
        own, merged = "this CCG", "this CCG merged with one its size"
    else:
        own, merged = "the median CCG", "two median CCGs merged"
    return [(size, "grid") for size in SIZES] + [(reference, own), (2 * reference, merged)]


def chances(risk: BudgetRisk) -> pd.DataFrame:
    """The chance of each overspend at each size, alone and pooled, one row each (columns
    population, size, variant, overspend, chance, chance_lower, chance_upper, normal): the
    shape a chart and a table show."""
    rows = []
    for row in risk.table.to_dict(orient="records"):
        for x in OVERSPENDS:
            key = _key(x)
            rows.append(
                {
                    "population": row["population"],
                    "size": row["label"],
                    "variant": row["variant"],
                    "overspend": x,
                    "chance": row[key],
                    "chance_lower": row[f"{key}_lower"],
                    "chance_upper": row[f"{key}_upper"],
                    "normal": row[f"{key}_normal"],
                }
            )
    return pd.DataFrame(rows)


def _skewness(values: np.ndarray) -> float:
    """The sample's skewness (third central moment over the cube of the standard deviation)."""
    deviation = values - values.mean()
    sd = math.sqrt(float(np.mean(deviation * deviation)))
    return float(np.mean(deviation * deviation * deviation)) / sd**3 if sd > 0 else 0.0


def _key(overspend: float) -> str:
    return f"over_{round(overspend * 100)}pc"


def _percent(value: float) -> str:
    """A probability to one decimal place of a percent, or two below 1%."""
    return f"{value:.2%}" if 0 < value < 0.01 else f"{value:.1%}"


def summary(risk: BudgetRisk, explain: bool = False) -> str:
    """The risk at each size, alone and pooled, in words a governing body reads; with
    `explain`, every input to the simulation first."""
    s, costs = risk.settings, risk.costs
    who = f"CCG {risk.ccg}'s patients" if risk.ccg else "everyone in the lake"
    lines = [
        f"Budget risk {risk.year}, from the person costs of {risk.base_year} ({who})",
        f"Contingency reserve {s.contingency:.2%}; {s.years:,} simulated years per size "
        f"(seed {s.seed}); high-cost pool above £{risk.pool_above:,.0f} a patient",
    ]
    if explain:
        split = costs.split
        lines += [
            "",
            METHOD,
            "",
            f"1. People on the lists on 1 April: {costs.people:,}; with any cost "
            f"{costs.used.size:,}; mean £{costs.mean:,.2f}, standard deviation "
            f"£{costs.sd:,.2f} (coefficient of variation {costs.sd / costs.mean:.3f})",
            f"2. Drawn one by one: the costliest {split.tail.size:,} people "
            f"({split.tail_share:.4%}), from £{split.tail[0]:,.2f} to £{split.tail[-1]:,.2f}; "
            f"the others: mean £{split.mean:,.4f}, variance {split.variance:,.4f}",
            f"3. Budget = N × £{costs.mean:,.2f}; a year overspends by more than x when spend "
            f"> budget × (1 + {s.contingency:.2%} + x)",
            f"4. Pool: each patient's cost above £{risk.pool_above:,.2f} paid by the pool; "
            f"the CCG pays £{risk.pool_premium:,.4f} a head into it",
            f"5. Spread of spend ÷ budget falls as 1/√N: fitted slope of log sd on log N "
            f"{risk.slope:+.3f} (exactly −0.5 for a sum of independent costs); its skewness "
            "falls as 1/√N too",
            "",
            "sd: standard deviation of spend as a share of the budget (exact); P: simulated "
            "chance, 95% limits; normal: the chance if spend were normal with the same sd",
            "",
        ]
    header = f"{'population':>12} {'sd':>6} " + " ".join(
        f"{'P(over ' + format(x, '.0%') + ')':>22} {'normal':>6}" for x in OVERSPENDS
    )
    for variant in VARIANTS:
        title = (
            "Alone"
            if variant == "alone"
            else (f"With the high-cost pool (above £{risk.pool_above:,.0f})")
        )
        lines += ["", title, header]
        for row in risk.table[risk.table["variant"] == variant].itertuples():
            cells = []
            for x in OVERSPENDS:
                key = _key(x)
                interval = (
                    f"{_percent(getattr(row, key))} ({_percent(getattr(row, key + '_lower'))}"
                    f"–{_percent(getattr(row, key + '_upper'))})"
                )
                cells.append(f"{interval:>22} {_percent(getattr(row, key + '_normal')):>6}")
            note = "" if row.label == "grid" else f"  {row.label}"
            lines.append(f"{row.population:>12,} {row.relative_sd:6.2%} " + " ".join(cells) + note)
    lines += ["", f"Smallest population with the chance under {s.level:.0%}:"]
    for found in risk.smallest.to_dict(orient="records"):
        population = found["population"]
        where = f"{population:,.0f}" if pd.notna(population) else f"above {SIZES[-1]:,}"
        lines.append(
            f"  {found['variant']:7} overspend > {found['overspend']:.0%}: {where} "
            f"(a normal curve would say {found['normal_population']:,})"
        )
    return "\n".join(lines)


def as_json(risk: BudgetRisk) -> dict[str, Any]:
    """Every input and result of the simulation as plain data."""
    split = risk.costs.split
    return {
        "year": risk.year,
        "base_year": risk.base_year,
        "ccg": risk.ccg,
        "method": METHOD,
        "settings": {
            "contingency_reserve": risk.settings.contingency,
            "level": risk.settings.level,
            "simulated_years": risk.settings.years,
            "seed": risk.settings.seed,
            "tail_share_drawn_one_by_one": TAIL,
        },
        "costs": {
            "people": risk.costs.people,
            "people_with_cost": int(risk.costs.used.size),
            "mean": risk.costs.mean,
            "sd": risk.costs.sd,
            "tail_people": int(split.tail.size),
            "tail_threshold": float(split.tail[0]),
            "others_mean": split.mean,
            "others_variance": split.variance,
        },
        "pool": {
            "above": risk.pool_above,
            "premium_per_head": risk.pool_premium,
            "sd_of_capped_costs": risk.costs.capped(risk.pool_above).sd,
        },
        "reference_population": risk.reference,
        "slope_of_log_sd_on_log_population": risk.slope,
        "sizes": records(risk.table),
        "smallest_population": records(risk.smallest),
    }
