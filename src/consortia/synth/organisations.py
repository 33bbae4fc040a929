"""CCGs, their member practices and clinicians, and the providers they commission from.

Practices differ: list size, deprivation, age profile, usual hospitals and their own effects on
GP referral, emergency admission and A&E use; a few are made deliberately outlying, and the
ground-truth folder records which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from consortia.schema import datasets
from consortia.synth import names, params, people
from consortia.synth.calendar import DAYS, START, dates_of
from consortia.synth.targets import target

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_ALNUM = "ABCDEFGHJKLMNPQRTVWXY0123456789"
_PRACTICE_LETTERS = "ABCDEFGHJKLMNPY"
_NHS_OPENED = date(1948, 7, 5)


@dataclass(frozen=True)
class Providers:
    """Provider organisations: the first `n_nhs` are NHS, the rest independent sector."""

    code: list[str]
    name: list[str]
    kind: list[str]
    n_nhs: int

    def table(self) -> pa.Table:
        """The `provider` dataset."""
        return pa.table(
            {"code": self.code, "name": self.name, "kind": self.kind},
            schema=datasets.PROVIDER.arrow_schema,
        )


@dataclass(frozen=True)
class CCGs:
    """Clinical commissioning groups, with the providers each uses."""

    code: list[str]
    name: list[str]
    region: list[str]
    patients: IntArray  # registered at the start of the period
    nhs_providers: IntArray  # (n, 3) indices into Providers, main provider first
    independent_providers: IntArray  # (n, 2) indices into Providers
    investment_per_head: FloatArray  # (n, years) additional local investment, £ a head

    def table(self) -> pa.Table:
        """The `ccg` dataset."""
        return pa.table(
            {"code": self.code, "name": self.name, "region": self.region},
            schema=datasets.CCG.arrow_schema,
        )


@dataclass(frozen=True)
class Practices:
    """Member practices and their true (generating) characteristics."""

    code: list[str]
    name: list[str]
    ccg: IntArray
    contract: list[str]
    deprivation_decile: IntArray
    opened: list[date]
    closed_day: IntArray  # day of closure in the period, or DAYS when open throughout
    moves: people.Moves  # where a closing practice's patients re-register
    list_size: IntArray  # registered patients at the start of the period
    age_tilt: FloatArray
    effects: dict[str, FloatArray]  # measure → log rate ratio
    outlying: dict[str, BoolArray]  # measure → deliberately outlying
    provider_shares: FloatArray  # (n, 3) shares of the CCG's NHS providers

    def __len__(self) -> int:
        return len(self.code)

    def table(self) -> pa.Table:
        """The `practice` dataset."""
        closed = [
            None if day >= DAYS else START + timedelta(days=int(day)) for day in self.closed_day
        ]
        return pa.table(
            {
                "code": self.code,
                "name": self.name,
                "ccg": [self.ccg_codes[i] for i in self.ccg],
                "contract": self.contract,
                "deprivation_decile": self.deprivation_decile.astype(np.int8),
                "opened": self.opened,
                "closed": closed,
            },
            schema=datasets.PRACTICE.arrow_schema,
        )

    ccg_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisations:
    """Everything above the patient: CCGs, practices, clinicians, providers."""

    ccgs: CCGs
    practices: Practices
    providers: Providers

    def clinicians(self, rng: np.random.Generator) -> pa.Table:
        """The `clinician` dataset: GPs in proportion to list size, by role, and nurses."""
        roles = list(params.GP_ROLE_SHARES)
        shares = np.array(list(params.GP_ROLE_SHARES.values()))
        ids: list[str] = []
        practice: list[str] = []
        role: list[str] = []
        for code, size in zip(self.practices.code, self.practices.list_size, strict=True):
            gps = max(1, round(size / params.PATIENTS_PER_GP))
            counts = rng.multinomial(gps, shares)
            nurses = max(1, round(size / params.PATIENTS_PER_NURSE))
            practice_roles = [r for r, c in zip(roles, counts, strict=True) for _ in range(c)]
            practice_roles += ["nurse"] * nurses
            ids += [f"{code}-{j + 1:02d}" for j in range(len(practice_roles))]
            practice += [code] * len(practice_roles)
            role += practice_roles
        return pa.table(
            {"id": ids, "practice": practice, "role": role},
            schema=datasets.CLINICIAN.arrow_schema,
        )


def _split(total: int, weights: FloatArray) -> IntArray:
    """Whole numbers in proportion to `weights` that add up to `total` (largest remainder)."""
    exact = total * weights / weights.sum()
    whole = np.floor(exact).astype(np.int64)
    short = total - int(whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return whole


def _code(prefix: str, index: int, width: int) -> str:
    digits = []
    for _ in range(width):
        index, r = divmod(index, len(_ALNUM))
        digits.append(_ALNUM[r])
    return prefix + "".join(reversed(digits))


def _providers(rng: np.random.Generator, n_ccgs: int) -> Providers:
    n_nhs = max(3, int(np.ceil(0.75 * n_ccgs)) + 2)
    n_independent = max(2, int(np.ceil(n_ccgs / 10)) + 1)
    places = names.places(rng, n_nhs + n_independent)
    code = [_code("R", i + 37, 2) for i in range(n_nhs)]
    code += [_code("N", i + 37, 2) for i in range(n_independent)]
    kind = ["foundation_trust" if rng.random() < 0.6 else "nhs_trust" for _ in range(n_nhs)]
    name = [
        f"{p} Hospitals NHS {'Foundation Trust' if k == 'foundation_trust' else 'Trust'}"
        for p, k in zip(places, kind, strict=False)
    ]
    name += [names.company(rng, p) for p in places[n_nhs:]]
    kind += ["independent_sector"] * n_independent
    return Providers(code, name, kind, n_nhs)


def _ccgs(
    rng: np.random.Generator,
    n_ccgs: int,
    patients: int,
    providers: Providers,
    ccg_patients: tuple[int, ...] | None = None,
) -> CCGs:
    drawn = _split(patients, rng.lognormal(0.0, 0.4, n_ccgs)) if n_ccgs > 1 else [patients]
    sizes = np.asarray(ccg_patients if ccg_patients is not None else drawn, dtype=np.int64)
    n_nhs = providers.n_nhs
    main = (np.arange(n_ccgs) * n_nhs) // n_ccgs
    nhs = np.stack([main, (main + 1) % n_nhs, (main + 2) % n_nhs], axis=1)
    n_is = len(providers.code) - n_nhs
    independent = n_nhs + np.stack(
        [np.arange(n_ccgs) % n_is, (np.arange(n_ccgs) + 1) % n_is], axis=1
    )
    # 2013/14 predates the £5-a-head expectation; in 2014/15 about one CCG in five met it.
    meets = rng.random(n_ccgs) < target("ccg_local_investment_share_at_5_pounds")
    investment = np.stack(
        [
            rng.uniform(0.0, 2.0, n_ccgs),
            np.where(meets, rng.uniform(5.0, 8.0, n_ccgs), rng.uniform(0.5, 4.5, n_ccgs)),
        ],
        axis=1,
    ).round(2)
    return CCGs(
        code=[f"{(i // len(_ALNUM)) % 100:02d}{_ALNUM[i % len(_ALNUM)]}" for i in range(n_ccgs)],
        name=[f"NHS {p} CCG" for p in names.places(rng, n_ccgs)],
        region=_regions(rng, n_ccgs),
        patients=sizes,
        nhs_providers=nhs,
        independent_providers=independent,
        investment_per_head=investment,
    )


def _regions(rng: np.random.Generator, n_ccgs: int) -> list[str]:
    """Each CCG's region, in proportion to England's population by region.

    With at least one CCG per region the counts are apportioned (every region present), then
    shuffled; with fewer, each CCG's region is drawn at random.
    """
    regions = list(params.REGION_POPULATION_SHARES)
    weights = np.array(list(params.REGION_POPULATION_SHARES.values()))
    if n_ccgs < len(regions):
        return [regions[int(i)] for i in rng.choice(len(regions), n_ccgs, p=weights)]
    counts = np.maximum(_split(n_ccgs - len(regions), weights) + 1, 1)
    order = rng.permutation(np.repeat(np.arange(len(regions)), counts))
    return [regions[int(i)] for i in order]


def _centred(values: FloatArray, ccg: IntArray, weight: IntArray) -> FloatArray:
    """`values` less their CCG's weighted mean: practices vary, their CCG keeps its region's."""
    total = np.bincount(ccg, weights=values * weight)
    mean = total / np.bincount(ccg, weights=weight.astype(np.float64))
    return values - mean[ccg]


def _closures(
    rng: np.random.Generator, ccg: IntArray, list_size: IntArray, shares: FloatArray
) -> tuple[IntArray, people.Moves]:
    """Which practices close or merge, when, and where their patients re-register.

    Closing practices are drawn among CCGs with another practice to take their patients. A
    merger sends the whole list to the nearest practice; a closure disperses it over up to
    NEARBY_PRACTICES neighbours in proportion to their list size. The generator has no map:
    nearness is likeness of the practices' hospital use (practices sharing hospitals are
    neighbours).
    """
    n = len(ccg)
    closed_day = np.full(n, DAYS, dtype=np.int64)
    k = params.NEARBY_PRACTICES
    to = np.full((n, k), -1, dtype=np.int64)
    weight = np.zeros((n, k))
    members = np.bincount(ccg, minlength=int(ccg.max()) + 1)
    candidates = np.flatnonzero(members[ccg] >= 2)
    count = min(round(params.PRACTICE_CLOSURE_SHARE * n), len(candidates))
    closing = np.sort(rng.choice(candidates, size=count, replace=False))
    closing = closing[_one_per_ccg(ccg[closing])]
    closed_day[closing] = rng.integers(60, DAYS - 30, size=len(closing))
    for practice in closing:
        others = np.flatnonzero((ccg == ccg[practice]) & (closed_day == DAYS))
        distance = np.abs(shares[others] - shares[practice]).sum(axis=1)
        near = others[np.argsort(distance, kind="stable")[:k]]
        if rng.random() < params.PRACTICE_MERGER_SHARE:
            near = near[:1]
        to[practice, : len(near)] = near
        weight[practice, : len(near)] = list_size[near] / list_size[near].sum()
    return closed_day, people.Moves(to, weight)


def _one_per_ccg(ccg: IntArray) -> BoolArray:
    """Keep the first of several closures drawn in one CCG, so a neighbour stays open."""
    _, first = np.unique(ccg, return_index=True)
    keep = np.zeros(len(ccg), dtype=bool)
    keep[first] = True
    return keep


def _effects(
    rng: np.random.Generator, ccg: IntArray, list_size: IntArray
) -> tuple[dict[str, FloatArray], dict[str, BoolArray]]:
    """Each practice's log effect on each measure; a few per CCG deliberately outlying."""
    n = len(ccg)
    effects = {
        m: rng.normal(0.0, params.PRACTICE_EFFECT_SIGMA, n) for m in params.PRACTICE_MEASURES
    }
    outlying = {m: np.zeros(n, dtype=bool) for m in params.PRACTICE_MEASURES}
    taken = np.zeros(n, dtype=bool)  # one outlying measure per practice keeps the truth clear
    for c in np.unique(ccg):
        members = np.flatnonzero(ccg == c)
        per_measure = round(params.OUTLIER_SHARE * len(members))
        if per_measure == 0 and len(members) >= 8:
            per_measure = 1
        for measure in params.PRACTICE_MEASURES:
            eligible = members[(list_size[members] >= params.OUTLIER_MIN_LIST) & ~taken[members]]
            chosen = rng.choice(eligible, size=min(per_measure, len(eligible)), replace=False)
            size = rng.uniform(*params.OUTLIER_EFFECT, len(chosen))
            sign = np.where(rng.random(len(chosen)) < 0.5, -1.0, 1.0)
            effects[measure][chosen] = sign * size
            outlying[measure][chosen] = True
            taken[chosen] = True
    return effects, outlying


def _practices(rng: np.random.Generator, ccgs: CCGs, mean_list: int) -> Practices:
    per_ccg = np.maximum(1, np.round(ccgs.patients / mean_list)).astype(np.int64)
    ccg = np.repeat(np.arange(len(ccgs.code)), per_ccg)
    n = len(ccg)
    list_size = np.empty(n, dtype=np.int64)
    for c, total in enumerate(ccgs.patients):
        members = np.flatnonzero(ccg == c)
        weights = rng.lognormal(0.0, params.LIST_SIZE_SIGMA, len(members))
        floor = min(params.MIN_LIST_SIZE, int(total) // len(members))
        spare = int(total) - floor * len(members)
        list_size[members] = floor + _split(spare, weights)
    centre = (
        np.full(len(ccgs.code), 5.5)
        if len(ccgs.code) == 1
        else rng.uniform(*params.CCG_DEPRIVATION_RANGE, len(ccgs.code))
    )
    decile = np.clip(
        np.round(rng.normal(centre[ccg], params.PRACTICE_DEPRIVATION_SIGMA)), 1, 10
    ).astype(np.int64)
    contracts = list(params.CONTRACT_SHARES)
    contract_index = rng.choice(
        len(contracts), size=n, p=np.array(list(params.CONTRACT_SHARES.values()))
    )
    first_day = (_NHS_OPENED - START).days
    opened_day = rng.integers(first_day, -100, size=n)
    effects, outlying = _effects(rng, ccg, list_size)
    shares = rng.dirichlet(
        params.PRACTICE_PROVIDER_CONCENTRATION * np.array(params.NHS_PROVIDER_SHARES), size=n
    )
    closed_day, moves = _closures(rng, ccg, list_size, shares)
    region_tilt = np.array(
        [people.tilt_for_65_plus(target(f"share_aged_65_plus_{r}")) for r in ccgs.region]
    )
    places = names.places(rng, n)
    letters = _PRACTICE_LETTERS
    return Practices(
        code=[
            f"{letters[(i // 90_000) % len(letters)]}{10_000 + i % 90_000:05d}" for i in range(n)
        ],
        name=[names.practice_name(rng, p) for p in places],
        ccg=ccg,
        contract=[contracts[int(i)] for i in contract_index],
        deprivation_decile=decile,
        opened=[d.item() for d in dates_of(opened_day)],
        closed_day=closed_day,
        moves=moves,
        list_size=list_size,
        age_tilt=region_tilt[ccg]
        + _centred(rng.normal(0.0, params.PRACTICE_AGE_TILT_SIGMA, n), ccg, list_size),
        effects=effects,
        outlying=outlying,
        provider_shares=shares,
        ccg_codes=tuple(ccgs.code),
    )


def organisations(
    rng: np.random.Generator,
    *,
    patients: int,
    n_ccgs: int,
    ccg_patients: tuple[int, ...] | None = None,
    list_size: int = params.DEMO_LIST_SIZE,
) -> Organisations:
    """Draw the CCGs, practices and providers of a synthetic health economy (each CCG's
    registered patients drawn, unless `ccg_patients` gives them; practices of `list_size`
    patients on average)."""
    providers = _providers(rng, n_ccgs)
    ccgs = _ccgs(rng, n_ccgs, patients, providers, ccg_patients)
    return Organisations(ccgs, _practices(rng, ccgs, list_size), providers)
