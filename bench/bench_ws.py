"""WebSocket push: a fill leaving the venue → its message at a ``/ws`` client (p99 < 50 ms).

The server is the real ``tradebot serve --engine paper`` in its own process (``api.broker:
alpaca``, so it runs exactly ``tradebot paper --broker alpaca`` inside), on a temporary
SQLite store, pointed at the local fake Alpaca (:class:`ws_venue.FillClockVenue`, on
127.0.0.1, in this process). The session trades as ``bench_live.py``'s does: the reference
risk engine and ``sma_cross`` (fast 1, slow 2) on AAPL minute bars closing alternately at
100 and 101, so every bar makes an order and the next bar fills it. This process also holds
a signed-in ``/ws`` client (a real access token of a user it adds to that database).

Each step, paced as ``tests/live/rehearsal.py`` paces a bar: the venue matches the open
order on the bar and its trade_updates ``fill`` goes out (noted just before the frame is
written); the bench waits (no fixed sleep: a condition, with a deadline) until the fill's
message reached the ``/ws`` client (noted on receipt, before parsing); then the bar is
published and the bench waits until the session took it (its ``portfolio`` message), having
sent its next order. Latency = receipt − send, one clock (this process's
``perf_counter``). The hub's stamp on the message (the server's wall clock when the engine
published it, after its own stages took the fill: portfolio, order state, store) splits it
in two: venue → published (alpaca-py's stream, the kernel) and published → client (the
hub, uvicorn, loopback, the client).

    .venv/bin/python bench/bench_ws.py [--fills 500] [--warm 20] [--json ws.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import numpy as np
import yaml
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_token import bench_token, free_port

from tradebot.ops.logging import configure_logging

configure_logging("ERROR", json_output=False)  # before the rest binds its loggers

from ws_venue import FillClockVenue, Received, Sent, WsClient  # noqa: E402

from tradebot.domain import Bar  # noqa: E402
from tradebot.domain.enums import Timeframe  # noqa: E402

SYMBOL = "AAPL"
LOW, HIGH = 100.0, 101.0
HISTORY_BARS = 30
TARGET_P99_MS = 50.0
SECRET = "bench-ws-secret-" + "w" * 40
START_S = 180.0
"""The server's start: imports, migrations, the session's warm-up and subscriptions."""
WAIT_S = 20.0
"""One step's wait (an order waits up to 0.3 s for Alpaca's request quota after 200)."""


def _now_s() -> float:
    return time.monotonic()


def _poll(
    predicate: Callable[[], bool], what: str, timeout_s: float, server: subprocess.Popen[bytes]
) -> None:
    """Poll ``predicate`` every 10 ms until it holds; SystemExit after ``timeout_s`` or when
    the server process has exited."""
    deadline = _now_s() + timeout_s
    pause = threading.Event()
    while not predicate():
        if server.poll() is not None:
            raise SystemExit(f"bench_ws: the server exited ({server.returncode}) before {what}")
        if _now_s() > deadline:
            raise SystemExit(f"bench_ws: timed out waiting for {what}")
        pause.wait(0.01)


def _bars(count: int) -> list[Bar]:
    """``count`` AAPL minute bars ending a minute ago, open = close, closing alternately at
    100 and 101: sma_cross(1, 2) crosses on each (``bench_live.py``'s bars)."""
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    out = []
    for i in range(count):
        price = HIGH if i % 2 else LOW
        ts = end - timedelta(minutes=count - 1 - i)
        out.append(Bar(SYMBOL, Timeframe.M1, ts, price, price, price, price, 1_000.0))
    return out


def _config(db: Path, port: int, alpaca_url: str, total_bars: int) -> dict[str, Any]:
    """``bench_live.py``'s session settings, for ``tradebot serve --config``."""
    # the warm-up reads 3 × warmup_bars minutes + 4 days back: enough to reach the first bar
    warmup = min(10_000, max(HISTORY_BARS, total_bars // 3 + 10))
    return {
        "store": {"url": f"sqlite:///{db}"},
        "broker": {"commission_rate": 0, "slippage_bps": 0},
        "risk": {"engine": "reference", "position_fraction": "0.2"},
        "strategy": {"names": ["sma_cross"], "params": {"sma_cross": {"fast": 1, "slow": 2}}},
        "live": {
            "timeframe": "1m",
            "warmup_bars": warmup,
            "reconcile_interval_s": 86_400,  # no periodic reconciliation inside the figures
            "stale_after_s": 86_400,
            "alpaca_url": alpaca_url,
        },
        "news": {"enabled": False},
        "api": {"engine": "paper", "broker": "alpaca", "symbols": [SYMBOL]},
        "log": {"level": "WARNING", "json_output": False},
    }


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def _engine_running(base: str, token: str) -> bool:
    """Whether the hosted session runs (GET /api/trading/status); SystemExit with the
    engine's reason once it failed or stopped (the API stays up without it)."""
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.get(f"{base}/api/trading/status", headers=headers, timeout=5, trust_env=False)
    answer.raise_for_status()
    status = answer.json()["engine"]
    if status["state"] in ("failed", "stopped"):
        raise SystemExit(f"bench_ws: the hosted session {status['state']}: {status['reason']}")
    return bool(status["state"] == "running")


class Stepper:
    """One bar at a time (module docstring); the execution ids each step's match made."""

    def __init__(self, venue: FillClockVenue, client: WsClient, bars: Iterator[Bar]) -> None:
        self.venue, self.client, self.bars = venue, client, bars

    def step(self) -> list[str]:
        bar = next(self.bars, None)
        if bar is None:
            raise SystemExit("bench_ws: out of bars (the session stopped ordering on each bar)")
        venue, seen = self.venue, self.client.seen
        before = venue.executions()
        venue.match_bar(bar)
        made = venue.executions_after(before)
        if made:
            self.client.wait(lambda: all(e in seen.fills for e in made), "a fill", WAIT_S)
        venue.publish_bar(bar, match=False)
        self.client.wait(lambda: bar.ts in seen.bars, f"the session to take {bar.ts}", WAIT_S)
        return made


def _measure(stepper: Stepper, warm: int, n: int, progress: Progress) -> list[str]:
    """Steps until ``warm`` + ``n`` fills went out; the ids of the last ``n``."""
    task = progress.add_task("fill → /ws client", total=n)
    ids: list[str] = []
    while len(ids) < warm + n:
        ids.extend(stepper.step())
        progress.update(task, completed=max(0, len(ids) - warm))
    return ids[warm : warm + n]


def run(fills: int, warm: int, folder: Path, progress: Progress) -> dict[str, Any]:
    total = HISTORY_BARS + 2 * (warm + fills) + 50
    bars = _bars(total)
    db = folder / "ws.db"
    url = f"sqlite:///{db}"
    token = bench_token(url, SECRET)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    venue = FillClockVenue()
    with venue:
        venue.add_history(bars[:HISTORY_BARS])
        config = folder / "tradebot.yaml"
        config.write_text(yaml.safe_dump(_config(db, port, venue.base_url, total)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEBOT_")}
        env |= {
            "TRADEBOT_API__JWT_SECRET": SECRET,
            "APCA_API_KEY_ID": venue.key_id,  # the fake's keys, nothing real
            "APCA_API_SECRET_KEY": "test-secret",
        }
        command = [sys.executable, "-m", "tradebot", "--config", str(config), "serve"]
        command += ["--engine", "paper", "--port", str(port)]
        with log.open("wb") as out:
            server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        client = WsClient(f"ws://127.0.0.1:{port}/ws", token)
        try:
            _poll(lambda: _answers(base), "the API to answer", START_S, server)
            _poll(lambda: _engine_running(base, token), "the hosted session", START_S, server)
            _poll(lambda: venue.data_subscribers(SYMBOL) > 0, "bar subscription", START_S, server)
            _poll(lambda: venue.trading_listeners() > 0, "trade_updates", START_S, server)
            client.start(WAIT_S)
            stepper = Stepper(venue, client, iter(bars[HISTORY_BARS:]))
            ids = _measure(stepper, warm, fills, progress)
            sent = venue.fills_sent()
            received = dict(client.seen.fills)
        except (Exception, SystemExit):  # not on Ctrl-C
            tail = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
            if tail:
                progress.console.print("the server's last lines:\n" + "\n".join(tail))
            raise
        finally:
            client.close()
            _stop(server)
    return {"fills": fills, "warm": warm, **_summary([(sent[i], received[i]) for i in ids])}


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM (``tradebot serve`` stops its engine and exits 0), SIGKILL after 30 s."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def _summary(pairs: list[tuple[Sent, Received]]) -> dict[str, Any]:
    parts = {
        "total": [r.perf_ns - s.perf_ns for s, r in pairs],
        "to_published": [_wall_ns(r.published) - s.wall_ns for s, r in pairs],
        "published_to_client": [r.wall_ns - _wall_ns(r.published) for s, r in pairs],
    }
    out: dict[str, Any] = {}
    for name, values in parts.items():
        ms = np.array(values, dtype=float) / 1e6
        out[name] = {
            "p50_ms": float(np.percentile(ms, 50)),
            "p90_ms": float(np.percentile(ms, 90)),
            "p99_ms": float(np.percentile(ms, 99)),
            "max_ms": float(ms.max()),
        }
    total = np.array(parts["total"], dtype=float)
    out["share_before_published"] = float(np.sum(parts["to_published"]) / np.sum(total))
    out["total_ms"] = [round(v / 1e6, 3) for v in parts["total"]]
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _wall_ns(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1) * 1000


_ROWS = (
    ("total", "venue sends the fill → /ws client receives it"),
    ("to_published", "  venue sends → the engine published it (hub stamp)"),
    ("published_to_client", "  hub stamp → /ws client receives it"),
)


def _table(result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"fill at the venue → message at a /ws client, {result['fills']} fills")
    for column in ("part", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "part" else "right")
    for name, label in _ROWS:
        row = result[name]
        table.add_row(label, *(f"{row[k]:.2f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")))
    console.print(table)
    console.print(
        f"share of the total before the engine published the fill: "
        f"{result['share_before_published']:.0%} (the split uses the wall clock, same host)"
    )
    met = result["total"]["p99_ms"] < TARGET_P99_MS
    console.print(f"target p99 < {TARGET_P99_MS:g} ms: {'met' if met else 'NOT met'}")


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the clean-up (the server, the venue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fills", type=int, default=500, help="fills measured")
    parser.add_argument("--warm", type=int, default=20, help="fills first, not measured")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.fills < 1 or args.warm < 0:
        parser.error("--fills must be at least 1, --warm at least 0")
    signal.signal(signal.SIGTERM, _terminated)
    console = Console()
    if not console.is_terminal:  # a redirected run keeps the table's rows on one line
        console.width = 110
    result: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    try:
        with tempfile.TemporaryDirectory() as folder, Progress(console=console) as progress:
            result |= run(args.fills, args.warm, Path(folder), progress)
    except KeyboardInterrupt:
        console.print("interrupted: the server and the venue are stopped")
        raise SystemExit(130) from None
    result["load_avg_after"] = os.getloadavg()
    result["target_p99_ms"] = TARGET_P99_MS
    result["met"] = result["total"]["p99_ms"] < TARGET_P99_MS
    _table(result, console)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
