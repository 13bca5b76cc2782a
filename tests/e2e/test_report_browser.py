"""The HTML report of a real backtest, opened in headless Chromium with no network.

Chromium renders the page to a PNG, which is decoded here with the standard library (zlib)
and checked for what a reader would see: a page that is not blank, with the blue equity
line, the red drawdown band and the heat map's colours. ``--dump-dom`` then shows that the
equity chart and the metrics table are in the page as the browser built it.

Skipped when /usr/bin/chromium is missing, except under ``CI=true``, where it fails
(``.ci/run`` installs Debian's chromium).
"""

from __future__ import annotations

import os
import struct
import subprocess
import zlib
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.backtest.report import report_data, write_html
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain import Timeframe
from tradebot.runtime.wiring import RunRequest, build_kernel
from tradebot.testing import MemoryStore

CHROMIUM = Path("/usr/bin/chromium")
SYMBOLS = ("AAPL", "MSFT")
START = datetime(2019, 1, 1, tzinfo=UTC)
END = datetime(2020, 12, 31, tzinfo=UTC)
WIDTH, HEIGHT = 1280, 2000
Pixel = tuple[int, int, int]


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a two-year backtest of AAPL and MSFT on the bundled daily bars."""
    request = RunRequest(symbols=SYMBOLS, start=START, end=END)
    result = build_kernel(load_settings(), request, MemoryStore()).run()
    assert result.status == "completed" and result.trades
    feed = ParquetReplayFeed(sample_data_dir("equities_daily"), SYMBOLS, Timeframe.D1, START, END)
    frames = {symbol: feed.frame(symbol) for symbol in SYMBOLS}
    prices = {s: (f.index, f["close"].to_numpy()) for s, f in frames.items()}
    data = report_data(result, title="Backtest — AAPL and MSFT, 2019–2020", prices=prices)
    return write_html(tmp_path_factory.mktemp("report") / "report.html", data)


def _browse(page: Path, tmp: Path, *mode: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # any name lookup fails: no network at all
        f"--user-data-dir={tmp / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        *mode,
        page.resolve().as_uri(),
    ]
    env = {**os.environ, "HOME": str(tmp)}
    done = subprocess.run(command, capture_output=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


def _pixels(png: bytes) -> tuple[int, int, list[Pixel]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (all five row filters)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, header = 8, bytearray(), b""
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(bytes(data)), width * bpp
    previous, pixels = bytearray(stride), list[Pixel]()
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], (previous[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + guess) & 255
        pixels.extend(zip(line[0::bpp], line[1::bpp], line[2::bpp], strict=True))
        previous = line
    return width, height, pixels


def _near(pixel: Pixel, target: Pixel, tolerance: int = 40) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, target, strict=True)) <= tolerance


def test_the_report_renders_in_chromium_as_a_full_page(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _browse(report, tmp_path, f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 50_000
    width, height, pixels = _pixels(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = Counter(pixels)
    background, share = colours.most_common(1)[0][0], colours.most_common(1)[0][1] / len(pixels)
    assert len(colours) > 200, "a page of a few flat colours: nothing was drawn"
    assert share < 0.8, f"{share:.0%} of the page is {background}"
    blue = sum(n for c, n in colours.items() if _near(c, (37, 99, 235)))  # equity line
    red_band = sum(n for c, n in colours.items() if _near(c, (248, 214, 214), 24))  # drawdown
    greens = sum(n for c, n in colours.items() if c[1] > c[0] + 40 and c[1] > c[2] + 30)
    assert blue > 500, blue
    assert red_band > 5_000, red_band
    assert greens > 5_000, greens  # the heat map's gains and the positive figures


class _Dom(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: dict[str, tuple[str, dict[str, str]]] = {}
        self.metric_rows: list[str] = []
        self.paths: list[dict[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.elements[values["id"]] = (tag, values)
        if tag == "tr" and "data-metric" in values:
            self.metric_rows.append(values["data-metric"])
        if tag == "path":
            self.paths.append(values)


def test_the_rendered_page_has_the_equity_chart_and_the_metrics_table(
    report: Path, tmp_path: Path
) -> None:
    dom = _Dom(_browse(report, tmp_path, "--dump-dom").stdout.decode())
    assert dom.elements["chart-equity"][0] == "svg"
    assert dom.elements["chart-drawdown"][0] == "svg"
    assert dom.elements["chart-monthly"][0] == "svg"
    assert {"chart-price-0", "chart-price-1"} <= set(dom.elements)
    assert dom.elements["metrics-table"][0] == "div"
    assert {"total_return", "sharpe", "max_drawdown", "win_rate", "trades"} <= set(dom.metric_rows)
    assert dom.elements["skip-reasons"][0] == "table"
    equity = [p["d"] for p in dom.paths if p.get("class") == "eq-line"]
    assert len(equity) == 1 and equity[0].count("L") > 400  # one point per trading day
