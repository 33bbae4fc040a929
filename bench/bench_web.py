"""The web under load on loopback: `consortia serve` on the demo (one server process), then,
for each dashboard page, as many requests as a fixed number of concurrent clients can make in
a bounded time; requests per second and the 50th and 99th percentile latency (issue 13's goal:
at least 300 requests/s with p99 at most 250 ms on 2 cores). The load is generated on the same
machine, so it shares the two cores with the server. Each page is read as an analyst (the
governing body's release) and signed out (the public's release). Run after `make demo`:
`.venv/bin/python bench/bench_web.py [--seconds 15] [--clients 16]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

from measure import CONSORTIA

DEMO = Path("demo-data")
PAGES = ("/", "/sections/section-trends", "/sections/section-practice-variation", "/api/figures")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def load(
    base: str, path: str, cookies: dict[str, str], seconds: float, clients: int
) -> list[float]:
    """Latencies (seconds) of every request `clients` concurrent clients made in `seconds`."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits) as client:

        async def one_client() -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                answer = await client.get(path)
                latencies.append(time.perf_counter() - start)
                assert answer.status_code == 200, (path, answer.status_code)

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    record = folder / "governance.sqlite"
    shutil.copy(DEMO / "governance.sqlite", record)  # the demo's record is never written to
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [CONSORTIA, "serve", "--data", str(DEMO / "lake"), "--db", str(record),
         "--users", str(DEMO / "web-users.toml"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "CONSORTIA_PROGRESS": "false"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the server stopped (run `make demo` first)"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as client:
            client.get("/sign-in")
            csrf = client.cookies["consortia-csrf"]
            signed = client.post(
                "/sign-in", data={"name": "analyst", "password": "analyst-demo", "csrf": csrf}
            )
            assert signed.status_code in (200, 303), signed.status_code
            cookies = {"consortia-session": client.cookies["consortia-session"]}
        print(
            f"{'reader':8} {'page':40} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>9}"
        )
        # an analyst reads the governing body's release; the public, the small-number rule's
        for reader, jar in (("analyst", cookies), ("public", {})):
            for path in PAGES:
                size = len(httpx.get(base + path, cookies=jar).content)
                latencies = asyncio.run(load(base, path, jar, args.seconds, args.clients))
                rate = len(latencies) / args.seconds
                print(
                    f"{reader:8} {path:40} {rate:11.0f} "
                    f"{percentile(latencies, 0.5) * 1000:8.1f} "
                    f"{percentile(latencies, 0.99) * 1000:8.1f} {size:9,}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
