"""What `consortia serve` serves, analysed from a real lake (`web.site.analyse_pack`): the
CCG's figures in their sections, its practices named as the lake names them, and the pack page
linking back into the site."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from consortia.config import Settings
from consortia.web.site import analyse_pack


def test_the_site_is_the_pack_of_the_lake(small_lake: Path) -> None:
    pack = analyse_pack(small_lake, None, None, Settings(progress=False))
    practices = pq.read_table(small_lake / "practice").to_pandas()
    mine = practices[practices["ccg"] == pack.code]
    assert pack.practices == dict(sorted(zip(mine["code"], mine["name"], strict=True)))
    assert [f for _, _, views in pack.sections for f in views] != []
    assert sum(len(views) for _, _, views in pack.sections) == len(pack.figures)
    assert {title for title, _, _ in pack.sections} == {f.section for f in pack.figures}
    assert 'href="/practices"' in pack.html  # back into the site
    first = next(iter(pack.practices))
    rows = pack.practice(first)
    assert rows  # every practice is in the lists figure at least
    for row in rows:
        assert all(
            cells[0].text == first
            for cells in row.table.rows
            if row.table.headers[0][1] == "practice"
        )
