"""Render benchmark: what drawing the pack's charts costs, each way measured in one run.

On the demo CCG's real figures (analysed once, then only rendered): (a) vl-convert, one SVG
per chart, as the pack once did, with its first-call start-up measured in a fresh process;
(b) vl-convert in one batch: two threads, and every chart in one concatenated specification
(which cannot be split back into figures; its time only); (c) the pack as it is: each chart's
Vega-Lite specification inlined and drawn by the browser with Vega's scripts, inlined once.
For each: the seconds the pack command spends (wall and CPU: the machine may be shared), the
HTML file's size and, in headless Chromium (Debian's, through playwright), the time until the
page has loaded and until its charts are drawn. Then the whole pack command, cold, as it is.
Run: `.venv/bin/python bench/bench_render.py [--lake demo-data/lake]` (builds the demo lake if
absent; needs `make assets` and /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from consortia.engine.backends import connect
from consortia.pack import assets
from consortia.pack.build import analyse
from consortia.pack.charts import spec
from consortia.pack.figure import Figure
from consortia.pack.html import render
from consortia.synth.economy import Request, synthesise
from measure import measure

CHROMIUM = Path("/usr/bin/chromium")
COLD_START = (
    "import vl_convert as v; v.vegalite_to_svg({'mark': 'point', 'data': {'values': [{'a': 1}]},"
    " 'encoding': {'x': {'field': 'a', 'type': 'quantitative'}}})"
)
SPEC_ELEMENT = re.compile(r'<script type="application/json" id="[^"]+-spec">.*?</script>', re.S)


@dataclass(frozen=True)
class Cost:
    """Wall-clock and CPU seconds (every thread of this process) of one step."""

    wall: float
    cpu: float

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s CPU"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(step: Callable[[], Any]) -> tuple[Cost, Any]:
    """The cost of `step()` and what it returned."""
    wall, cpu = time.perf_counter(), _cpu()
    result = step()
    return Cost(time.perf_counter() - wall, _cpu() - cpu), result


def cold_start() -> Cost:
    """vl-convert's first conversion in a fresh process (its JavaScript engine starting), less
    the same process starting Python alone."""

    def child(code: str) -> Cost:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return Cost(time.perf_counter() - start, cpu)

    bare, loaded = child("pass"), child(COLD_START)
    return Cost(loaded.wall - bare.wall, loaded.cpu - bare.cpu)


def one_spec(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """Every chart in one vertically concatenated specification (shared look and datasets)."""
    datasets: dict[str, Any] = {}
    parts = []
    for chart in specs:
        part = {k: v for k, v in chart.items() if k not in ("config", "$schema", "datasets")}
        datasets.update(chart.get("datasets", {}))
        parts.append(part)
    return {"config": specs[0]["config"], "datasets": datasets, "vconcat": parts}


def with_svg(page: str, drawings: list[str]) -> str:
    """The page as the pack once wrote it: each specification replaced by its SVG, and no
    chart scripts."""
    found = iter(drawings)
    page = SPEC_ELEMENT.sub(
        lambda _: next(found).replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1),
        page,
    )
    page = re.sub(r' data-spec="[^"]+"', "", page)
    return re.sub(r"<script>.*?</script>\s*", "", page, flags=re.S)


def in_chromium(pages: dict[str, Path], repeat: int) -> dict[str, tuple[float, float]]:
    """Median milliseconds from navigation to the load event and to every chart drawn."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for name, path in pages.items():
            loads, drawn = [], []
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(path.as_uri(), wait_until="load")
                if page.locator(".pack-chart__image[data-spec]").count():
                    page.wait_for_selector("html[data-charts=drawn]", state="attached")
                    mark = "performance.getEntriesByName('pack-charts-drawn')[0].startTime"
                else:
                    mark = "performance.getEntriesByType('navigation')[0].loadEventEnd"
                loads.append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                )
                drawn.append(page.evaluate(mark))
                page.close()
            results[name] = (statistics.median(loads), statistics.median(drawn))
        browser.close()
    return results


def whole_pack(lake: Path, out: Path, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `consortia pack` as a whole, cold process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [sys.executable, "-m", "consortia", "pack", "--data", str(lake)]
        walls.append(measure([*command, "--out", str(out), "--overwrite"]).seconds)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, default=Path("demo-data/lake"))
    parser.add_argument("--ccg", default=None, help="CCG to build the pack for")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the slower steps")
    args = parser.parse_args()
    if not (args.lake / "_lake.json").exists():
        synthesise(Request(out=args.lake, truth=args.lake.with_name("truth"), overwrite=True))
    import vl_convert as vlc  # measured here only: the pack no longer uses it

    figures, code, name = analyse(connect(), args.lake, args.ccg)
    figures = tuple(replace(f, source=None) for f in figures)  # no SQL: not rendering
    charted: list[Figure] = [f for f in figures if f.chart is not None]
    assets.chart_scripts()  # read once, as any run does

    def page() -> str:
        return render(figures, ccg_code=code, ccg_name=name, made=date.today())

    build_specs, specs = timed(lambda: [spec(f.draw()) for f in charted])
    rendered, html = min((timed(page) for _ in range(args.repeat)), key=lambda r: r[0].wall)
    start = cold_start()
    vlc.vegalite_to_svg(specs[-1])  # warm, so the per-chart figure is the conversions alone
    per_chart, drawings = min(
        (timed(lambda: [vlc.vegalite_to_svg(s) for s in specs]) for _ in range(args.repeat)),
        key=lambda r: r[0].wall,
    )
    with ThreadPoolExecutor(2) as pool:
        threads, _ = timed(lambda: list(pool.map(vlc.vegalite_to_svg, specs)))
    batch, combined = timed(lambda: vlc.vegalite_to_svg(one_spec(specs)))

    svg_page = with_svg(html, drawings)
    scripts = len(assets.chart_scripts().encode())
    spec_bytes = sum(len(json.dumps(s, separators=(",", ":")).encode()) for s in specs)
    with tempfile.TemporaryDirectory(prefix="consortia-bench-") as tmp:
        folder = Path(tmp)
        (folder / "svg.html").write_text(svg_page, "utf-8")
        (folder / "browser.html").write_text(html, "utf-8")
        browser = (
            in_chromium(
                {"svg": folder / "svg.html", "browser": folder / "browser.html"}, args.repeat
            )
            if CHROMIUM.exists()
            else {}
        )
        pack_wall, pack_cpu = whole_pack(args.lake, folder / "pack", args.repeat)

    size = {"svg": len(svg_page.encode()), "browser": len(html.encode())}
    print(f"{len(charted)} charts of CCG {code}'s pack ({len(figures)} figures), {args.lake}")
    print(f"  Altair specifications built (every way):        {build_specs}")
    print(f"  the page rendered as it is (specs, words, tables): {rendered}")
    print(f"  chart data inline: {spec_bytes / 1e3:,.0f} kB; Vega scripts {scripts / 1e3:,.0f} kB")
    print("charts drawn when the pack is built (added to the page's rendering):")
    print(f"  (a) vl-convert first call, engine start:         {start}")
    print(f"  (a) vl-convert, one SVG per chart:               {per_chart}")
    print(f"  (b) vl-convert, two threads:                     {threads}")
    print(f"  (b) vl-convert, one concatenated spec:           {batch}  (not splittable)")
    print("  (c) in the browser:                                0.00 s (nothing to draw)")
    print("the pack's rendering in all (page + charts), the HTML file and Chromium:")
    chromium = {
        key: f"loaded {load / 1e3:5.2f} s, charts drawn {drawn / 1e3:5.2f} s"
        for key, (load, drawn) in browser.items()
    }
    absent = "chromium absent"
    print(
        f"  (a) per chart: {rendered + start + per_chart}  {size['svg'] / 1e6:5.2f} MB  "
        f"{chromium.get('svg', absent)}"
    )
    print(
        f"  (c) browser:   {rendered}  {size['browser'] / 1e6:5.2f} MB  "
        f"{chromium.get('browser', absent)}"
    )
    print(f"  (one concatenated SVG: {len(combined.encode()) / 1e6:.2f} MB, one drawing)")
    print(
        f"whole `consortia pack` as it is (c), cold process, median of {args.repeat}: "
        f"{pack_wall:.2f} s wall, {pack_cpu:.2f} s CPU (target < 5 s wall: "
        f"{'met' if pack_wall < 5 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
