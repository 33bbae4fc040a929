"""A plan cites pack figures by the SHA-256 of their released tables; a later change shows.

The hashes are worked out here from the bytes written, independently of the pack's index.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from consortia.errors import DataError
from consortia.governance import evidence
from consortia.governance.script import load_script, run_script
from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import build, do

TABLE = b"financial_year,pod,events\n2014/15,ae,1200\n"


def write_pack(folder: Path, code: str = "99X", table: bytes = TABLE) -> str:
    """A pack of one figure, `activity_rates`; returns its table's SHA-256."""
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "activity_rates.csv").write_bytes(table)
    digest = hashlib.sha256(table).hexdigest()
    index = {
        "ccg": {"code": code, "name": "NHS Northborough CCG"},
        "figures": [
            {
                "id": "activity_rates",
                "title": "Activity per 1,000",
                "table": "tables/activity_rates.csv",
                "sha256": digest,
            }
        ],
    }
    (folder / "pack.json").write_text(json.dumps(index), encoding="utf-8")
    return digest


def test_a_citation_carries_the_hash_of_the_table_as_released(tmp_path: Path) -> None:
    digest = write_pack(tmp_path)
    assert evidence.cite(tmp_path, ["activity_rates"]) == [
        {
            "figure": "activity_rates",
            "title": "Activity per 1,000",
            "ccg": "99X",
            "sha256": digest,
        }
    ]


def test_a_table_edited_after_release_cannot_be_cited(tmp_path: Path) -> None:
    write_pack(tmp_path)
    (tmp_path / "tables" / "activity_rates.csv").write_bytes(TABLE.replace(b"1200", b"1300"))
    with pytest.raises(DataError, match="not the one the pack released") as error:
        evidence.cite(tmp_path, ["activity_rates"])
    assert error.value.file is not None
    assert error.value.file.endswith("activity_rates.csv")


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (b"", "not a pack's index"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{"ccg": {"code": "99X"}, "figures": [{"id": "x"}]}', "has no table hash"),
        (b'{"figures": []}', "not a pack's index"),
        (b"[1, 2]", "not a pack's index"),
    ],
)
def test_a_broken_index_is_refused_naming_the_file(
    tmp_path: Path, index: bytes, match: str
) -> None:
    (tmp_path / "pack.json").write_bytes(index)
    with pytest.raises(DataError, match=match) as error:
        evidence.cite(tmp_path, ["x"])
    assert error.value.file == str(tmp_path / "pack.json")


def test_a_figure_the_pack_lacks_is_refused(tmp_path: Path) -> None:
    write_pack(tmp_path)
    with pytest.raises(DataError, match="no figure 'budget_risk'"):
        evidence.cite(tmp_path, ["budget_risk"])


def test_no_pack_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        evidence.cite(tmp_path / "absent", ["activity_rates"])


def _plan(store: Store, evidence_rows: list[dict[str, str]]) -> int:
    build(store)
    plan = do(
        store,
        "draft_plan",
        actor="ao-smith",
        period="2018/19",
        title="Plan",
        drafted_on=date(2017, 5, 1),
        intentions=[{"service": "Diabetes", "activity": 1, "spend_pounds": 1}],
    ).effect["plan"]
    do(
        store,
        "cite_evidence",
        actor="ao-smith",
        plan=plan,
        cited_on=date(2017, 5, 2),
        evidence=evidence_rows,
    )
    return int(plan)


def test_a_later_pack_shows_which_cited_figures_changed(tmp_path: Path) -> None:
    cited = tmp_path / "cited"
    write_pack(cited)
    store = open_store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    plan = _plan(store, evidence.cite(cited, ["activity_rates"]))
    later = tmp_path / "later"
    write_pack(later, table=TABLE.replace(b"1200", b"1250"))
    same = tmp_path / "same"
    write_pack(same)
    other = tmp_path / "other"
    write_pack(other, code="00A")
    with store.reading() as session:
        assert [r["state"] for r in evidence.compare(session, plan, same)] == ["same"]
        assert [r["state"] for r in evidence.compare(session, plan, later)] == ["changed"]
        assert [r["state"] for r in evidence.compare(session, plan, other)] == ["missing"]
    store.close()


def test_a_script_cites_a_pack_by_folder(tmp_path: Path) -> None:
    digest = write_pack(tmp_path / "pack")
    store = open_store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    _plan(store, [{"figure": "x", "title": "x", "ccg": "99X", "sha256": "0" * 64}])
    script = tmp_path / "cite.yaml"
    script.write_text(
        "format: 1\n"
        "actions:\n"
        "  - action: cite_evidence\n"
        "    actor: ao-smith\n"
        "    reason: the pack the members saw\n"
        "    arguments: {plan: 1, cited_on: 2017-05-03, pack: pack, figures: [activity_rates]}\n",
        encoding="utf-8",
    )
    (report,) = list(run_script(store, load_script(script)))
    assert report["status"] == "accepted", report
    with store.reading() as session:
        rows = evidence.compare(session, 1, tmp_path / "pack")
    assert {r["figure"]: r["cited"] for r in rows}["activity_rates"] == digest
    store.close()


def test_a_script_citing_a_missing_figure_names_its_line(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack")
    script = tmp_path / "cite.yaml"
    script.write_text(
        "format: 1\n"
        "actions:\n"
        "  - action: cite_evidence\n"
        "    actor: ao-smith\n"
        "    reason: r\n"
        "    arguments: {plan: 1, cited_on: 2017-05-03, pack: pack, figures: [nope]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as error:
        load_script(script)
    assert error.value.file == str(script)
    assert error.value.row == 6
    assert "no figure 'nope'" in error.value.message
