"""Every way a result leaves the platform, enumerated: each place in the source that writes a
file or answers a request is named here with what it writes, and a new one fails this test
until it is. Those that carry analysis results go through the release for their audience —
the pack (its page, CSV tables, chart data and index), a command's page, the money commands'
JSON, the site's pages and API — and each is shown refusing what did not."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import consortia
from consortia.finance.output import write_json
from consortia.pack.build import write_pack
from consortia.pack.figure import Figure
from consortia.pack.html import Page, render, write_page
from consortia.privacy.release import (
    Audience,
    ReleaseRefusedError,
    release,
    released,
)

# What writes a file or answers a request.
SINKS = frozenset(
    {
        "to_csv", "to_json", "to_parquet", "write_text", "write_bytes", "write_table",
        "write_csv", "write_parquet", "writerow", "writerows", "dump", "save", "savefig",
        "HTMLResponse", "JSONResponse", "Response", "FileResponse", "StreamingResponse",
    }
)  # fmt: skip

RELEASED = "analysis results, through the release"
# Every writer in the source (module: function), with what it writes.
OUTPUTS = {
    # analysis results: each goes through the release for its audience
    "pack/build.py:write_pack": RELEASED,  # the pack: page, CSV tables, chart data, index
    "pack/html.py:write_page": RELEASED,  # a command's page (--html)
    "finance/output.py:write_json": RELEASED,  # a money command's record (--json)
    "web/pages.py:add_pages.pack": RELEASED,  # the pack as the site serves it
    "web/render.py:page": RELEASED,  # every page of the site; figures from Site.pack_for
    # a practice's own patients, re-identified for it: by `decide` and the access record
    "privacy/reidentify.py:write_matched": "a practice's re-identified list, for the practice",
    # patient-level, under pseudonyms: the analyst's own files, never published
    "risk/run.py:write_list": "each practice's case-management list, under pseudonyms",
    "risk/saved.py:save": "a trained risk model and its evaluation on patients held back",
    "cli.py:_train_risk_models": "a trained risk model and its evaluation (risk/saved.py)",
    # no analysis result
    "web/app.py:_error": "an error's words",
    "web/pages.py:add_pages.assets": "the design system's files",
    "web/pages.py:add_pages.recordpage": "the governance record's published pages",
    "governance/publish/write.py:_writer": "the governance record's published pages",
    "governance/cli.py:schema": "the constitution's JSON Schema",
    "governance/audit.py:write_checkpoint": "the audit log's checkpoint",
    "pack/all_ccgs.py:build_all": "the folder's manifest of pack names",
    "docs.py:write_generated": "the generated reference pages",
    "cli.py:_demo_accounts": "the demo's sign-ins",
    "web/accounts.py:add_token": "an API token's hash",
    # stores inside the lake or the cache: read by the platform, published by nobody
    "engine/derived.py:Derived.sql": "the lake's store of compiled SQL",
    "engine/derived.py:Derived.frame": "the lake's store of lake-wide aggregates",
    "engine/derived.py:Derived.table": "the lake's store of lake-wide aggregates",
    "engine/plans.py:Plans.run_table": "the cache of figures' results",
    "engine/plans.py:Plans.save": "the cache of figures' plans",
    "engine/plans.py:_write_arrow": "the cache of figures' results",
    "pack/context.py:Context._execute": "the cache of figures' results",
    "ingest/batch.py:_import": "the lake's rows (pseudonymised on the way in)",
    "ingest/batch.py:_report.write": "the lake's quarantine report (NHS numbers withheld)",
    "ingest/checked.py:record": "the lake's record of clean checks",
    "ingest/ledger.py:write": "the lake's ledger of imported files",
    "synth/blocks.py:write": "a synthetic lake's rows",
    "synth/economy.py:_write_manifest": "a synthetic lake's manifest",
    "synth/economy.py:synthesise": "a synthetic lake's summary",
    "synth/extracts.py:_fill": "synthetic extracts",
    "synth/extracts.py:_fill.plant": "synthetic extracts' planted faults",
    "synth/extracts.py:_write_manifest": "synthetic extracts' manifest",
    "synth/extracts.py:_write_parquet": "synthetic extracts",
    "synth/resume.py:partial": "a synthetic lake's progress",
    "synth/truth.py:write_truth": "a synthetic lake's ground truth",
}


class Writers(ast.NodeVisitor):
    """The functions of one module that call a writer, as module:function."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.names: list[str] = []
        self.found: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.append(node.name)
        self.generic_visit(node)
        self.names.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.append(node.name)
        self.generic_visit(node)
        self.names.pop()

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name in SINKS:
            self.found.add(f"{self.module}:{'.'.join(self.names)}")
        self.generic_visit(node)


def writers() -> set[str]:
    """Every function of the source that calls a writer, as module:function."""
    root = Path(consortia.__file__).parent
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        visitor = Writers(path.relative_to(root).as_posix())
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        found |= visitor.found
    return found


def test_every_writer_in_the_source_is_named_with_what_it_writes() -> None:
    found = writers()
    assert found - set(OUTPUTS) == set(), "a new output: name it here, and release it"
    assert set(OUTPUTS) - found == set(), "named here but no longer writes"


def unreleased() -> Figure:
    """A figure straight from an analysis: never through the release."""
    table = pd.DataFrame({"practice": ["Y00001"], "observed": [3]})
    return Figure(id="raw", section="Test", title="Raw", method="m", table=table)


def test_a_page_refuses_a_figure_that_was_never_released() -> None:
    with pytest.raises(ReleaseRefusedError, match="raw was never released"):
        render((unreleased(),), ccg_code="00A", ccg_name="Test", made=date(2015, 4, 1))
    shown = render(
        released((unreleased(),), Audience.GOVERNING_BODY),
        ccg_code="00A",
        ccg_name="Test",
        made=date(2015, 4, 1),
    )
    assert "Raw" in shown


def test_the_pack_writes_nothing_of_a_figure_that_was_never_released(tmp_path: Path) -> None:
    with pytest.raises(ReleaseRefusedError):
        write_pack(tmp_path / "pack", [], (unreleased(),), "00A", "Test")
    assert not (tmp_path / "pack").exists()  # no page, no CSV table, no index


def test_a_commands_page_is_the_governing_bodys_release(tmp_path: Path) -> None:
    leaking = replace(unreleased(), table=pd.DataFrame({"patient_id": [1], "cost": [9.5]}))
    with pytest.raises(ReleaseRefusedError, match="patient_id"):
        write_page((leaking,), Page(), tmp_path / "page.html", date(2015, 4, 1))
    assert not (tmp_path / "page.html").exists()
    write_page((unreleased(),), Page(), tmp_path / "page.html", date(2015, 4, 1))
    assert "Raw" in (tmp_path / "page.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "record",
    [
        {"lines": [{"nhs_number": "9434765919", "cost": 1.0}]},
        {"ccgs": [{"code": "00A", "people": [{"patient_id": 7}]}]},
        [{"spell_id": 1}],
    ],
)
def test_a_money_record_naming_an_identifier_is_not_written(record: object, tmp_path: Path) -> None:
    with pytest.raises(ReleaseRefusedError, match="row-level identifiers"):
        write_json(record, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_release_marks_its_audience() -> None:
    figure = release(unreleased(), Audience.GOVERNING_BODY)
    assert figure is not None
    assert figure.audience == "governing_body"
