"""Contracts and monitoring: a CCG's contract with each provider for each point of delivery,
planned from the year before, and the year's activity against it month by month.

Plan: each line's activity and value in the year before × (1 + growth), or the CCG's own
figures from a plan file; phased over the months by the point of delivery's profile in the
year before (the CCG's activity at every provider), so winter and August fall where they
fell. Monitoring to the month given: year-to-date plan against actual, the variance, and two
forecasts of the outturn — the run rate (year to date × 12 ÷ months gone) and the seasonal one
(year to date ÷ the share of the year before's activity those months held). Each line's
monthly activity over both years is read as a Making Data Count XmR chart.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ibis import _

from consortia.analyses.activity import activity_detail
from consortia.analyses.scope import Scope, Tables, financial_year_label
from consortia.errors import DataError
from consortia.finance.output import records
from consortia.schema.codes import POINT_OF_DELIVERY
from consortia.stats.spc import xmr
from consortia.textfile import read_text
from consortia.years import financial_year_of

MAX_FILE_BYTES = 10_000_000
PLAN_COLUMNS = ("provider", "pod", "activity", "value")
PLAN_RULE = "a plan line is a provider and point of delivery with activity and value ≥ 0"
MONTHS = 12


def monthly_activity(tables: Tables, scope: Scope) -> Any:
    """Events and cost by financial year, month, provider and point of delivery for the
    scope's CCG (records naming its practices)."""
    detail = activity_detail(tables, scope)
    return (
        detail.group_by("financial_year", "month", "provider", "pod")
        .aggregate(events=_.events.sum(), cost=_.cost.sum())
        .order_by("financial_year", "month", "provider", "pod")
    )


def activity_scope(ccg: str, year: str) -> Scope:
    """The activity contracts for `year` ("2014/15") are planned and monitored from: the
    CCG's, in that year and the year before."""
    start = int(year[:4])
    return Scope(ccg=ccg, first_year=start - 1, years=2)


@dataclass(frozen=True)
class Contracts:
    """The year's contract lines and their monitoring to `as_at`, every step kept."""

    ccg: str
    year: str
    as_at: date  # the last month monitored (its first day)
    months_gone: int
    growth: float
    plan_from: str
    lines: pd.DataFrame  # one row per provider × point of delivery
    monthly: pd.DataFrame  # one row per line × month of both years, with SPC
    profile: pd.DataFrame  # each point of delivery's monthly share in the year before

    @property
    def totals(self) -> pd.Series:
        columns = ["plan_activity", "plan_value", "plan_ytd_value", "actual_ytd_value",
                   "forecast_run_rate_value", "forecast_seasonal_value"]  # fmt: skip
        return self.lines[columns].sum()


def compute(
    backend: Any,
    tables: Tables,
    ccg: str,
    year: str,
    growth: float,
    plan_file: Path | None = None,
    as_at: str | None = None,
) -> Contracts:
    """The contracts of `ccg` for the financial year `year` ("2014/15") and their position."""
    start = int(year[:4])
    before = financial_year_label(start - 1)
    activity = backend.execute(monthly_activity(tables, activity_scope(ccg, year)))
    activity["month"] = pd.to_datetime(activity["month"]).dt.date
    previous = activity[activity["financial_year"] == before]
    current = activity[activity["financial_year"] == year]
    if previous.empty:
        raise DataError(
            f"the lake holds no activity of CCG {ccg} in {before}, the year a plan starts from",
            field="year",
            rule="contracts are planned from the year before",
        )
    if current.empty:
        raise DataError(f"the lake holds no activity of CCG {ccg} in {year}", field="year")
    last = _as_at(as_at, current, start)
    profile = _profile(previous, start - 1)
    lines = _plan(previous, growth)
    plan_from = f"the year before ({before}) × (1 + {growth:.2%})"
    if plan_file is not None:
        lines = _edited(lines, read_plan(plan_file, set(activity["provider"])))
        plan_from += f", with the lines given in {plan_file}"
    months = [_month(start, i) for i in range(MONTHS)]
    gone = months.index(last) + 1
    lines = _monitor(lines, current, profile, months[:gone])
    monthly = _monthly(lines, activity, profile, start, last)
    lines = lines.merge(_latest_signal(monthly, last), on=["provider", "pod"], how="left")
    return Contracts(ccg, year, last, gone, growth, plan_from, lines, monthly, profile)


def _month(start_year: int, index: int) -> date:
    """The first day of the financial year's `index`th month (0 = April)."""
    month = 4 + index
    return date(start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _as_at(text: str | None, current: pd.DataFrame, start: int) -> date:
    """The month monitored to: the one given (YYYY-MM, within the year), else the latest."""
    months = [_month(start, i) for i in range(MONTHS)]
    if text is None:
        return max(m for m in current["month"] if m in months)
    try:
        year, month = (int(part) for part in text.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        raise DataError(f"{text!r} is not a month such as 2014-12", field="month") from None
    if chosen not in months:
        raise DataError(
            f"{text} is not a month of {financial_year_label(start)}",
            field="month",
            rule="the month monitored lies in the contract year",
        )
    return chosen


def _profile(previous: pd.DataFrame, start: int) -> pd.DataFrame:
    """Each point of delivery's share of the year before's events in each month (0 = April)."""
    months = {_month(start, i): i for i in range(MONTHS)}
    rows = previous.assign(index=previous["month"].map(months)).dropna(subset=["index"])
    counts = rows.pivot_table(index="pod", columns="index", values="events", aggfunc="sum")
    counts = counts.reindex(columns=range(MONTHS)).fillna(0.0)
    shares = counts.div(counts.sum(axis=1), axis=0)
    return shares.reset_index().melt("pod", var_name="index", value_name="share")


def _plan(previous: pd.DataFrame, growth: float) -> pd.DataFrame:
    """Each line's plan: the year before's activity and cost × (1 + growth)."""
    lines = previous.groupby(["provider", "pod"], as_index=False)[["events", "cost"]].sum()
    return pd.DataFrame(
        {
            "provider": lines["provider"],
            "pod": lines["pod"],
            "previous_activity": lines["events"].astype(float),
            "previous_value": lines["cost"],
            "plan_activity": lines["events"] * (1 + growth),
            "plan_value": lines["cost"] * (1 + growth),
            "plan_source": "grown",
        }
    )


def read_plan(path: Path, providers: set[str]) -> pd.DataFrame:
    """A plan file (CSV: provider, pod, activity, value): the lines a CCG sets itself; an
    error names the file, row, field and rule."""
    text = read_text(path, MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise DataError("an empty file; expected the header " + ",".join(PLAN_COLUMNS),
                        file=str(path))  # fmt: skip
    if tuple(name.strip() for name in header) != PLAN_COLUMNS:
        raise DataError(
            f"the header must be {','.join(PLAN_COLUMNS)}", file=str(path), row=1, rule="header"
        )
    rows: dict[tuple[str, str], tuple[float, float]] = {}
    for number, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(PLAN_COLUMNS):
            raise DataError(f"{len(record)} fields, not {len(PLAN_COLUMNS)}", file=str(path),
                            row=number, rule=PLAN_RULE)  # fmt: skip
        provider, pod = record[0].strip(), record[1].strip()
        if provider not in providers:
            raise DataError(f"no provider {provider!r} in the CCG's activity", file=str(path),
                            row=number, field="provider", rule=PLAN_RULE)  # fmt: skip
        if pod not in POINT_OF_DELIVERY.codes:
            raise DataError(
                f"{pod!r} is not a point of delivery ({', '.join(POINT_OF_DELIVERY.codes)})",
                file=str(path), row=number, field="pod", rule=PLAN_RULE,
            )  # fmt: skip
        if (provider, pod) in rows:
            raise DataError(f"{provider} {pod} given twice", file=str(path), row=number,
                            field="pod", rule=PLAN_RULE)  # fmt: skip
        numbers = []
        for name, value in zip(PLAN_COLUMNS[2:], record[2:], strict=True):
            try:
                parsed = float(value)
            except ValueError:
                parsed = math.nan
            if not math.isfinite(parsed) or not 0 <= parsed <= 1e12:
                raise DataError(f"{value.strip()!r} is not a number from 0 to 1e12",
                                file=str(path), row=number, field=name, rule=PLAN_RULE)  # fmt: skip
            numbers.append(parsed)
        rows[provider, pod] = (numbers[0], numbers[1])
    return pd.DataFrame(
        [(p, d, a, v) for (p, d), (a, v) in rows.items()],
        columns=["provider", "pod", "plan_activity", "plan_value"],
    )


def _edited(lines: pd.DataFrame, given: pd.DataFrame) -> pd.DataFrame:
    """The grown plan with the given lines in place of (or beside) the grown ones."""
    merged = lines.merge(given, on=["provider", "pod"], how="outer", suffixes=("", "_given"))
    has = merged["plan_activity_given"].notna()
    for column in ("plan_activity", "plan_value"):
        merged[column] = merged[f"{column}_given"].where(has, merged[column])
    merged["plan_source"] = np.where(has, "given", merged["plan_source"])
    merged[["previous_activity", "previous_value"]] = merged[
        ["previous_activity", "previous_value"]
    ].fillna(0.0)
    return merged.drop(columns=["plan_activity_given", "plan_value_given"])


def _monitor(
    lines: pd.DataFrame, current: pd.DataFrame, profile: pd.DataFrame, months: list[date]
) -> pd.DataFrame:
    """Year-to-date plan and actual, the variance, and the two forecasts of the outturn."""
    gone = len(months)
    share = profile[profile["index"] < gone].groupby("pod")["share"].sum().rename("ytd_share")
    done = current[current["month"].isin(months)]
    actual = done.groupby(["provider", "pod"])[["events", "cost"]].sum()
    out = lines.join(share, on="pod").join(actual, on=["provider", "pod"])
    out["ytd_share"] = out["ytd_share"].fillna(gone / MONTHS)
    out[["events", "cost"]] = out[["events", "cost"]].fillna(0.0)
    out = out.rename(columns={"events": "actual_ytd_activity", "cost": "actual_ytd_value"})
    out["plan_ytd_activity"] = out["plan_activity"] * out["ytd_share"]
    out["plan_ytd_value"] = out["plan_value"] * out["ytd_share"]
    out["variance_ytd_value"] = out["actual_ytd_value"] - out["plan_ytd_value"]
    out["variance_ytd_activity"] = out["actual_ytd_activity"] - out["plan_ytd_activity"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["variance_ytd_share"] = out["variance_ytd_value"] / out["plan_ytd_value"]
        out["forecast_run_rate_value"] = out["actual_ytd_value"] * MONTHS / gone
        out["forecast_seasonal_value"] = out["actual_ytd_value"] / out["ytd_share"]
    out["forecast_variance_value"] = out["forecast_seasonal_value"] - out["plan_value"]
    return out.sort_values(["pod", "provider"]).reset_index(drop=True)


def _monthly(
    lines: pd.DataFrame, activity: pd.DataFrame, profile: pd.DataFrame, start: int, last: date
) -> pd.DataFrame:
    """Each line's activity in every month of both years beside its monthly plan, with the
    XmR chart of the activity (neutral: more is neither better nor worse)."""
    months = [_month(start - 1, i) for i in range(2 * MONTHS)]
    frames = []
    keys = list(zip(lines["provider"], lines["pod"], strict=True))
    counts = activity.pivot_table(
        index=["provider", "pod"], columns="month", values="events", aggfunc="sum"
    ).reindex(index=pd.MultiIndex.from_tuples(keys, names=["provider", "pod"]), columns=months)
    values = counts.fillna(0.0).to_numpy()
    seen = [m for m in months if m in set(activity["month"]) and m <= last]
    points = len(seen)
    chart = xmr(values[:, :points], direction="neutral", rebase=[MONTHS] if points > MONTHS else [])
    shares = profile.pivot_table(index="pod", columns="index", values="share").reindex(
        columns=range(MONTHS)
    )
    for row, (provider, pod) in enumerate(keys):
        plan = lines.iloc[row]["plan_activity"]
        monthly_share = shares.loc[pod].to_numpy() if pod in shares.index else np.full(
            MONTHS, 1 / MONTHS
        )  # fmt: skip
        frames.append(
            pd.DataFrame(
                {
                    "provider": provider,
                    "pod": pod,
                    "month": seen,
                    "financial_year": [financial_year_of(m) for m in seen],
                    "activity": values[row, :points],
                    "plan_activity": [np.nan] * min(points, MONTHS)
                    + list(plan * monthly_share[: max(points - MONTHS, 0)]),
                    "mean": chart.mean[row],
                    "lower": chart.lower[row],
                    "upper": chart.upper[row],
                    "point_type": chart.point_type[row].astype(object),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _latest_signal(monthly: pd.DataFrame, last: date) -> pd.DataFrame:
    """Each line's XmR reading of the month monitored, and whether any month of the contract
    year showed special cause."""
    year = monthly[monthly["plan_activity"].notna()]
    latest = monthly[monthly["month"] == last][["provider", "pod", "point_type"]]
    flagged = year.assign(special=~year["point_type"].astype(str).str.startswith("common"))
    special = flagged.groupby(["provider", "pod"])["special"].any()
    special_frame = pd.DataFrame(
        {
            "provider": special.index.get_level_values(0),
            "pod": special.index.get_level_values(1),
            "special_cause_this_year": special.to_numpy(),
        }
    )
    latest = latest.rename(columns={"point_type": "latest_variation"})
    return latest.merge(special_frame, on=["provider", "pod"], how="left")


def summary(contracts: Contracts) -> str:
    """The contract position in a table a finance committee reads: each line's plan, year to
    date and forecast, £ thousands, with the SPC reading of the month."""
    c = contracts
    lines = [
        f"Contracts {c.year} for CCG {c.ccg}, monitored to {c.as_at:%B %Y} "
        f"({c.months_gone} of {MONTHS} months)",
        f"Plan: {c.plan_from}; phased by each point of delivery's months in the year before.",
        "Forecast outturn: seasonal = year to date ÷ the share of the year before's activity "
        "in the same months; run rate = year to date × 12 ÷ months gone.",
        "",
        f"{'provider':8} {'point of delivery':18} {'plan £k':>9} {'ytd plan':>9} "
        f"{'ytd actual':>10} {'variance':>8} {'forecast':>9} {'run rate':>9} {'vs plan':>8} "
        "SPC this month",
    ]
    for row in c.lines.to_dict(orient="records"):
        variance = row["variance_ytd_share"]
        lines.append(
            f"{row['provider']:8} {row['pod']:18} {row['plan_value'] / 1e3:9,.0f} "
            f"{row['plan_ytd_value'] / 1e3:9,.0f} {row['actual_ytd_value'] / 1e3:10,.0f} "
            f"{variance:+8.1%} {row['forecast_seasonal_value'] / 1e3:9,.0f} "
            f"{row['forecast_run_rate_value'] / 1e3:9,.0f} "
            f"{row['forecast_variance_value'] / 1e3:+8,.0f} "
            f"{_words(row.get('latest_variation'))}"
            + (" (special cause this year)" if row.get("special_cause_this_year") else "")
            + (" [plan given]" if row["plan_source"] == "given" else "")
        )
    t = c.totals
    lines += [
        "",
        f"{'All contracts':27} {t['plan_value'] / 1e3:9,.0f} {t['plan_ytd_value'] / 1e3:9,.0f} "
        f"{t['actual_ytd_value'] / 1e3:10,.0f} "
        f"{(t['actual_ytd_value'] / t['plan_ytd_value'] - 1):+8.1%} "
        f"{t['forecast_seasonal_value'] / 1e3:9,.0f} {t['forecast_run_rate_value'] / 1e3:9,.0f} "
        f"{(t['forecast_seasonal_value'] - t['plan_value']) / 1e3:+8,.0f}",
    ]
    return "\n".join(lines)


def _words(point_type: Any) -> str:
    """A Making Data Count point type in words."""
    if not isinstance(point_type, str):
        return "–"
    return {
        "common_cause": "common cause",
        "special_cause_neutral_high": "special cause: high",
        "special_cause_neutral_low": "special cause: low",
    }.get(point_type, point_type.replace("_", " "))


def as_json(contracts: Contracts) -> dict[str, Any]:
    """Every line, month and profile share as plain data."""

    return {
        "ccg": contracts.ccg,
        "year": contracts.year,
        "as_at": contracts.as_at.isoformat(),
        "months_gone": contracts.months_gone,
        "growth": contracts.growth,
        "plan_from": contracts.plan_from,
        "method": __doc__,
        "lines": records(contracts.lines),
        "monthly": records(contracts.monthly),
        "profile": records(contracts.profile),
    }
