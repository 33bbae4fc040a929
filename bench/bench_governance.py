"""Timings of a members' meeting of 500 GPs voting on one item, through the real action layer.

Run on demand: `.venv/bin/python bench/bench_governance.py`. Builds a CCG of 50 member practices
with 10 GPs each in a fresh SQLite file (not timed), then times the meeting (the median of five
runs, each on a fresh copy): open it, record the 500 present, add the item, take declarations
(one GP declares an interest and the chair rules on it), call the vote, 500 votes (each its own
audited action) and close. The same meeting is then run as a whole `consortia gov run` process
on a copy of the built record. The goal is under two seconds for the meeting. Last, the start of
the `consortia gov` commands is timed as whole processes (best and median of seven), against a
goal of 0.3 s.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from consortia.governance.actions import ACTIONS, Outcome
from consortia.store.session import Store, open_store
from measure import measure

EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "constitution.yaml"
PRACTICES, GPS_EACH = 50, 10
HELD_ON = date(2017, 6, 1)
GOAL_SECONDS = 2.0
RUNS = 5  # the meeting is timed on fresh copies of the built record; the median is quoted
START_GOAL_SECONDS = 0.3
CHAIR = "gp-00-0"


def constitution(practices: int) -> dict[str, Any]:
    """The example constitution with `practices` member practices and a vote for every GP."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["member_practices"] = [
        {
            "code": f"Y{number:05d}",
            "name": f"Practice {number}",
            "contract": "GMS",
            "list_size": 6000 + 100 * number,
            "locality": "north" if number % 2 else "south",
        }
        for number in range(practices)
    ]
    data["electorate"] = {"rule": "all_gps"}
    return data


def gps(practices: int, each: int) -> list[str]:
    """The keys of the GPs: `each` at every practice, the first of each a partner."""
    return [f"gp-{p:02d}-{g}" for p in range(practices) for g in range(each)]


def do(store: Store, name: str, /, *, actor: str = "secretary", **arguments: Any) -> Outcome:
    """Apply an action with a stock reason."""
    return ACTIONS[name](store, actor=actor, reason=f"bench: {name}", **arguments)


def build(store: Store, practices: int = PRACTICES, each: int = GPS_EACH) -> list[str]:
    """Adopt the constitution and register the GPs and a provider; returns the GPs' keys."""
    do(
        store,
        "adopt_constitution",
        constitution=constitution(practices),
        adopted_on=date(2017, 4, 1),
    )
    do(
        store,
        "register_organisation",
        key="acme-health",
        name="Acme Health Ltd",
        kind="independent_provider",
        serves_area=True,
        commissioned_by_ccg=True,
    )
    people = gps(practices, each)
    for key in people:
        practice = int(key.split("-")[1])
        do(
            store,
            "register_person",
            key=key,
            name=f"Dr {key}",
            clinician="gp_partner" if key.endswith("-0") else "gp_salaried",
            practice=f"Y{practice:05d}",
        )
    return people


def meeting(store: Store, people: list[str]) -> int:
    """Run the members' meeting through the action layer; returns the number of votes cast."""
    opened = do(store, "open_meeting", actor=CHAIR, committee="members", held_on=HELD_ON)
    number = opened.effect["meeting"]
    do(store, "attend", actor=CHAIR, meeting=number, people=people)
    added = do(
        store,
        "add_item",
        actor=CHAIR,
        meeting=number,
        title="Commissioning plan 2017/18",
        decides="commissioning_plan",
        affects=["acme-health"],
    )
    item = added.effect["item"]
    declarer = people[-1]
    do(
        store,
        "take_declarations",
        actor=CHAIR,
        item=item,
        declarations=[{"person": declarer, "description": "spouse works for Acme Health"}],
    )
    do(store, "rule_on_conflict", actor=CHAIR, item=item, person=declarer, ruling="none")
    called = do(store, "call_vote", actor=CHAIR, item=item)
    assert called.effect["status"] == "voting", called.effect
    for index, person in enumerate(people):
        ACTIONS["cast_vote"](
            store,
            actor=person,
            reason="vote",
            item=item,
            choice="for" if index % 3 else "against",
        )
    closed = do(store, "close_item", actor=CHAIR, item=item)
    assert closed.effect["for"] + closed.effect["against"] == len(people), closed.effect
    return len(people)


def script(people: list[str]) -> dict[str, Any]:
    """The same meeting as a `consortia gov run` script."""
    chair = {"actor": CHAIR, "reason": "members' meeting"}
    steps: list[dict[str, Any]] = [
        {
            **chair,
            "action": "open_meeting",
            "as": "m",
            "arguments": {"committee": "members", "held_on": HELD_ON.isoformat()},
        },
        {**chair, "action": "attend", "arguments": {"meeting": "${m.meeting}", "people": people}},
        {
            **chair,
            "action": "add_item",
            "as": "i",
            "arguments": {
                "meeting": "${m.meeting}",
                "title": "Commissioning plan 2017/18",
                "decides": "commissioning_plan",
                "affects": ["acme-health"],
            },
        },
        {
            **chair,
            "action": "take_declarations",
            "arguments": {
                "item": "${i.item}",
                "declarations": [
                    {"person": people[-1], "description": "spouse works for Acme Health"}
                ],
            },
        },
        {
            **chair,
            "action": "rule_on_conflict",
            "arguments": {"item": "${i.item}", "person": people[-1], "ruling": "none"},
        },
        {**chair, "action": "call_vote", "arguments": {"item": "${i.item}"}},
    ]
    steps += [
        {
            "action": "cast_vote",
            "actor": person,
            "reason": "vote",
            "arguments": {"item": "${i.item}", "choice": "for" if index % 3 else "against"},
        }
        for index, person in enumerate(people)
    ]
    steps.append({**chair, "action": "close_item", "arguments": {"item": "${i.item}"}})
    return {"format": 1, "actions": steps}


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU time shows the work apart from waiting for
    the disk and for other processes on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def startup(commands: dict[str, list[str]], repeats: int = 7) -> dict[str, tuple[float, float]]:
    """Best and median wall-clock seconds of each command run as a whole process."""
    found = {}
    for label, command in commands.items():
        times = [measure(command).seconds for _ in range(repeats)]
        found[label] = (min(times), statistics.median(times))
    return found


def line(label: str, seconds: float, goal: float, extra: str = "") -> None:
    """One printed figure against its goal."""
    verdict = "ok" if seconds < goal else f"over {goal:g} s"
    print(f"{label:<52} {seconds:7.3f} s  {verdict}{extra}")


def main() -> None:
    """Build the CCG, time the meeting in process and as a whole `gov run`, and time the
    start of the `consortia gov` commands; print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "built.sqlite"
        store = open_store(str(built))
        people = build(store)
        store.close()

        runs = []
        for run in range(RUNS):
            copy = Path(folder) / f"in-process-{run}.sqlite"
            shutil.copy(built, copy)
            store = open_store(str(copy))
            runs.append(timed(partial(meeting, store, people)))
            store.close()
        wall, cpu = sorted(runs)[len(runs) // 2]
        line(
            f"members' meeting, {len(people)} GPs, action layer",
            wall,
            GOAL_SECONDS,
            f"  (median of {RUNS}; CPU {cpu:.3f} s; {wall / len(people) * 1000:.1f} ms a vote)",
        )

        copy = Path(folder) / "gov-run.sqlite"
        shutil.copy(built, copy)
        path = Path(folder) / "meeting.yaml"
        path.write_text(yaml.safe_dump(script(people), sort_keys=False), encoding="utf-8")
        consortia = str(Path(sys.executable).with_name("consortia"))
        whole = measure([consortia, "gov", "run", str(path), "--db", str(copy)])
        line(f"members' meeting, {len(people)} GPs, `consortia gov run`", whole.seconds, 2.0)

        small = Path(folder) / "small.sqlite"
        example = EXAMPLE.parent / "meeting.yaml"
        measure([consortia, "gov", "run", str(example), "--db", str(small)])
        commands = {
            "consortia gov --help": [consortia, "gov", "--help"],
            "consortia gov check constitution.yaml": [consortia, "gov", "check", str(EXAMPLE)],
            "consortia gov check meeting.yaml": [consortia, "gov", "check", str(example)],
            "consortia gov verify (the example's record)": [
                consortia,
                "gov",
                "verify",
                "--db",
                str(small),
            ],
        }
        for label, (best, median) in startup(commands).items():
            line(
                f"start: {label}", best, START_GOAL_SECONDS, f"  (best of 7; median {median:.3f} s)"
            )


if __name__ == "__main__":
    main()
