"""The HTTP API under load: p50/p99 of the read routes at a fixed request rate, from a
second process, against a store with 100,000 decisions and 10,000 trades.

The server is the real app (``tradebot.api.create_app`` over ``Services``, uvicorn, one
worker, access log off) in its own process on a copy of the benchmark store
(``bench/api_store.py``); this process is the client: an open-loop generator that sends
request *i* at ``t0 + i / rate`` whatever happened before (so a slow reply cannot hide the
queue behind it: latency is measured from the scheduled send time, coordinated omission
included), cycling through the read routes, with a bounded connection pool (aiohttp). The
token is a real access JWT for a user of that database.

    .venv/bin/python bench/bench_api.py [--rate 200] [--seconds 30] [--db STORE.db] [--json F]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_token import bench_token, free_port

SECRET = "bench-secret-" + "b" * 40
TARGET_P99_MS = 20.0
ROUTES = (
    "/api/portfolio",
    "/api/portfolio/positions",
    "/api/portfolio/history?period=1M",
    "/api/trades?limit=50",
    "/api/trades?limit=50&symbol=AAPL&profitable=true",
    "/api/trades/trade-5000",
    "/api/signals?limit=50",
    "/api/strategies",
    "/api/strategies/momentum/history",
    "/api/news?limit=50&ticker=AAPL",
    "/api/trading/decisions?limit=50",
    "/api/trading/decisions?limit=50&symbol=MSFT&action=act",
    "/api/trading/decisions/dec-50000",
    "/api/trading/metrics",
    "/api/trading/metrics/history",
    "/api/trading/status",
    "/api/runs",
)


def _settings(url: str, read_cache_ms: int = 250) -> Any:
    from tradebot.config import load_settings

    api = {"jwt_secret": SECRET, "engine": "none", "read_cache_ms": read_cache_ms}
    return load_settings(store={"url": url}, api=api)


def serve(url: str, port: int, read_cache_ms: int) -> None:
    """The server process: the real app on ``url``, uvicorn on 127.0.0.1:``port``."""
    import uvicorn

    from tradebot.api import create_app
    from tradebot.api.server import auth_context_of
    from tradebot.service import Services

    settings = _settings(url, read_cache_ms)
    services = Services.open(settings)
    context = auth_context_of(services, SECRET)
    app = create_app(services, context)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@dataclass
class Samples:
    scheduled_ms: dict[str, list[float]] = field(default_factory=dict)
    service_ms: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)


async def _load(base: str, token: str, rate: float, seconds: float) -> Samples:
    samples = Samples()
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as client:
        for route in ROUTES:  # warm: first-touch caches and connections, not timed
            async with client.get(route) as response:
                await response.read()
        total = int(rate * seconds)
        t0 = time.perf_counter() + 0.05

        async def one(i: int) -> None:
            route = ROUTES[i % len(ROUTES)]
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.perf_counter()
            async with client.get(route) as response:
                await response.read()
                status = response.status
            done = time.perf_counter()
            if status != 200:
                samples.failures[route] = samples.failures.get(route, 0) + 1
            samples.scheduled_ms.setdefault(route, []).append((done - due) * 1000)
            samples.service_ms.setdefault(route, []).append((done - sent) * 1000)

        await asyncio.gather(*(one(i) for i in range(total)))
    return samples


def _wait_ready(base: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer within a minute")


def _table(samples: Samples, rate: float) -> tuple[Table, dict[str, Any]]:
    table = Table(title=f"Read routes at {rate:g} requests/s (ms, from the scheduled send)")
    for column in ("route", "n", "p50", "p90", "p99", "max", "service p99", "non-200"):
        table.add_column(column, justify="left" if column == "route" else "right")
    rows: dict[str, Any] = {}
    everything = [v for values in samples.scheduled_ms.values() for v in values]
    for route in (*ROUTES, "all"):
        values = np.array(everything if route == "all" else samples.scheduled_ms[route])
        service = np.array(
            [v for vs in samples.service_ms.values() for v in vs]
            if route == "all"
            else samples.service_ms[route]
        )
        failures = (
            sum(samples.failures.values()) if route == "all" else samples.failures.get(route, 0)
        )
        p50, p90, p99 = np.percentile(values, [50, 90, 99])
        rows[route] = {
            "n": int(values.size),
            "p50_ms": round(float(p50), 2),
            "p90_ms": round(float(p90), 2),
            "p99_ms": round(float(p99), 2),
            "max_ms": round(float(values.max()), 2),
            "service_p99_ms": round(float(np.percentile(service, 99)), 2),
            "non_200": failures,
        }
        table.add_row(
            f"[bold]{route}[/]" if route == "all" else route,
            str(values.size),
            f"{p50:.2f}",
            f"{p90:.2f}",
            f"{p99:.2f}",
            f"{values.max():.2f}",
            f"{rows[route]['service_p99_ms']:.2f}",
            str(failures),
        )
    return table, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--db", type=Path, help="a store made by bench/api_store.py")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--read-cache-ms",
        type=int,
        default=250,
        help="the server's api.read_cache_ms (0: every read asks the store for its run)",
    )
    parser.add_argument("--serve", nargs=3, metavar=("URL", "PORT", "MS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), int(args.serve[2]))
        return
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            from api_store import build_store

            db = Path(folder) / "api.db"
            console.print("building the store (100,000 decisions, 10,000 trades)...")
            build_store(f"sqlite:///{db}")
        url = f"sqlite:///{db}"
        token = bench_token(url, SECRET)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", url, str(port), str(args.read_cache_ms)],
            env={**os.environ, "TRADEBOT_LOG__LEVEL": "WARNING"},
        )
        try:
            _wait_ready(base, server)
            # The client's own collector must not pause the clock it measures with.
            gc.collect()
            gc.disable()
            try:
                samples = asyncio.run(_load(base, token, args.rate, args.seconds))
            finally:
                gc.enable()
        finally:
            server.terminate()
            server.wait(10)
    table, rows = _table(samples, args.rate)
    console.print(table)
    verdict = "met" if rows["all"]["p99_ms"] < TARGET_P99_MS else "NOT met"
    console.print(f"target p99 < {TARGET_P99_MS:g} ms over all read routes: {verdict}")
    if args.json is not None:
        args.json.write_text(json.dumps({"rate": args.rate, "routes": rows}, indent=2))


if __name__ == "__main__":
    main()
