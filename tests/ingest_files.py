"""Extracts written by hand for the ingest tests: a tiny lake's records and apc rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from consortia.ingest.pseudonym import Key
from consortia.ingest.run import ingest

KEY = Key(bytes(range(32)))
# NHS numbers worked by hand (weights 10..2, check = 11 - sum mod 11):
GOOD = "9434765919"  # the NHS Data Dictionary's example: sum 299, 299 mod 11 = 2, check 9
SECOND = "9000000009"  # 9×10 = 90, 90 mod 11 = 2, check 9
UNKNOWN = "9000000017"  # 90 + 1×2 = 92, 92 mod 11 = 4, check 7: valid, but no patient has it
WRONG_CHECK = "9434765918"
NO_CHECK = "9000000050"  # 90 + 5×2 = 100, 100 mod 11 = 1, check 10: never issued

APC = (
    "spell_id,nhs_number,practice,sex,birth_year,birth_month,deprivation_decile,provider,"
    "admitted_on,discharged_on,method,day_case,primary_diagnosis,hrg,treatment_function,cost,"
    "rtt_weeks"
)
FIELDS = APC.split(",")
ROW = {
    "spell_id": "1001",
    "nhs_number": GOOD,
    "practice": "A10001",
    "sex": "F",  # the patient's own, as the record carries them (patient GOOD below)
    "birth_year": "1950",
    "birth_month": "6",
    "deprivation_decile": "3",
    "provider": "RAA",
    "admitted_on": "2014-05-01",
    "discharged_on": "2014-05-03",
    "method": "emergency",
    "day_case": "false",
    "primary_diagnosis": "I21",
    "hrg": "EB10A",
    "treatment_function": "320",
    "cost": "1500.5",
    "rtt_weeks": "",
}
PATIENT = (
    "nhs_number,practice,sex,birth_year,birth_month,deprivation_decile,registered_from,"
    "registered_to,date_of_death"
)


def row(spell: int = 1001, **changes: str) -> str:
    """A line of the apc extract: the good record with `changes`, quoted where needed."""
    values = {**ROW, "spell_id": str(spell), **changes}
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[f] for f in FIELDS])
    return out.getvalue()


def lines(*records: str, header: str = APC, end: str = "\n") -> bytes:
    return (end.join([header, *records]) + end).encode("utf-8")


def make_base(con: Any, folder: Path, lake: Path) -> Path:
    """A lake of one CCG, practice, provider and two patients, written by hand, through ingest."""
    (folder / "ccg.csv").write_text("code,name,region\n00A,Test CCG,north\n")
    (folder / "practice.csv").write_text(
        "code,name,ccg,contract,deprivation_decile,opened,closed\n"
        "A10001,Riverside Surgery,00A,GMS,5,1990-01-01,\n"
    )
    (folder / "provider.csv").write_text("code,name,kind\nRAA,Test Trust,nhs_trust\n")
    (folder / "patient.csv").write_text(
        f"{PATIENT}\n{GOOD},A10001,F,1950,6,3,2013-04-01,,\n"
        f"{SECOND},A10001,M,1980,1,3,2013-04-01,,\n"
    )
    files = [(folder / f"{n}.csv", n) for n in ("ccg", "practice", "provider", "patient")]
    outcomes = ingest(con, files, lake, KEY)
    assert [o.loaded for o in outcomes] == [1, 1, 1, 2]
    return lake
