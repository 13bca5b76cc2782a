"""The HTML report: its charts, tables, escaping, self-containment and determinism."""

from __future__ import annotations

import math
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tradebot.backtest.report import MAX_PRICE_CHARTS, ReportData, render_html, write_html
from tradebot.domain.messages import ClosedTrade

START = datetime(2019, 1, 2, 21, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script>&\"q\""


class Page(HTMLParser):
    """Elements by id, every tag's attributes, and the text inside each element with an id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.by_id: dict[str, dict[str, str]] = {}
        self.text_of: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.by_id[values["id"]] = values | {"tag": tag}
            self.text_of.setdefault(values["id"], "")
        void = tag in {"meta", "br", "line", "path", "rect", "circle"} and tag != "svg"
        if not void:
            self._open.append(values.get("id"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"meta", "br", "line", "path", "rect", "circle"} and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id is not None:
                self.text_of[element_id] += data + " "


def trade(
    symbol: str,
    day: int,
    days: int,
    entry: str,
    exit_: str,
    strategies: tuple[str, ...] = ("macd",),
) -> ClosedTrade:
    quantity = Decimal(10)
    pnl = (Decimal(exit_) - Decimal(entry)) * quantity
    opened = START + timedelta(days=day)
    closed = opened + timedelta(days=days)
    return ClosedTrade(
        id=f"trd-{symbol}-{day}",
        symbol=symbol,
        quantity=quantity,
        entry_ts=opened,
        exit_ts=closed,
        entry_price=Decimal(entry),
        exit_price=Decimal(exit_),
        pnl=pnl,
        commission=Decimal("0.20"),
        return_pct=float(Decimal(exit_) / Decimal(entry) - 1),
        hold_seconds=(closed - opened).total_seconds(),
        strategies=strategies,
        entry_decision_id=f"dec-in-{symbol}-{day}",
        exit_decision_id=f"dec-out-{symbol}-{day}",
    )


def sample(n: int = 500, **changes: object) -> ReportData:
    """Two years of a wavy curve with one deep fall, trades on two symbols, skip reasons."""
    ts = [START + timedelta(days=i) for i in range(n)]
    equity = [100_000 * (1 + 0.0004 * i + 0.02 * math.sin(i / 15)) for i in range(n)]
    equity[300] = 80_000.0  # the deepest point
    closes = [100 + 10 * math.sin(i / 20) + 0.05 * i for i in range(n)]
    data = ReportData(
        title="Backtest — macd on AAPL, MSFT",
        run_id="bt-test-1",
        metrics={
            "initial_equity": 100_000.0,
            "final_equity": equity[-1],
            "total_return": equity[-1] / 100_000 - 1,
            "sharpe": 1.234,
            "max_drawdown": -0.2,
            "win_rate": 0.5,
            "trades": 3,
            "profit_factor": None,
            "avg_hold_s": 86_400 * 3.5,
            "start": ts[0].isoformat(),
            "monthly_returns": [{"year": 2019, "months": [0.1] * 12, "total": 2.0}],
            "strategies": {"macd": {"pnl": 1.0}},
            "custom_figure": 42,
        },
        equity_ts=ts,
        equity=equity,
        trades=[
            trade("AAPL", 10, 5, "100.00", "104.00"),
            trade("AAPL", 40, 3, "101.00", "99.50", ("momentum", "macd")),
            trade("MSFT", 20, 7, "200.00", "210.00"),
        ],
        prices={"AAPL": (ts, closes), "MSFT": (ts, [2 * c for c in closes])},
        benchmark=(ts, [100_000 * (1 + 0.0006 * i) for i in range(n)]),
        benchmark_label="Buy & hold SPY",
        skip_reasons={"max open positions": 7, "holding to exit": 12},
        attribution={"macd": {"pnl": 115.0, "trades": 3, "wins": 2, "losses": 1}},
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_the_charts_exist_with_their_ids() -> None:
    page = Page(render_html(sample()))
    for element_id in ("chart-equity", "chart-drawdown", "chart-monthly"):
        assert page.by_id[element_id]["tag"] == "svg"
    prices = [i for i in page.by_id if i.startswith("chart-price-")]
    assert sorted(prices) == ["chart-price-0", "chart-price-1"]
    assert "Buy & hold SPY" in page.text_of["chart-equity"]
    assert "AAPL" in page.text_of["chart-price-0"]  # the most traded symbol first


def test_a_learning_run_gets_a_step_line_of_weights_per_strategy() -> None:
    t0 = int(datetime(2019, 1, 2, tzinfo=UTC).timestamp()) * 10**9
    day = 86_400 * 10**9
    weights = {
        "macd": [(t0, 0.5), (t0 + 30 * day, 0.6)],
        "momentum": [(t0, 0.5), (t0 + 30 * day, 0.4)],
    }
    page = Page(render_html(sample(weights=weights)))
    assert page.by_id["chart-weights"]["tag"] == "svg"
    assert "macd" in page.text_of["chart-weights"] and "momentum" in page.text_of["chart-weights"]
    assert "chart-weights" not in Page(render_html(sample())).by_id  # fixed weights: no chart


def test_the_monthly_heat_map_has_a_cell_per_month_and_year_totals() -> None:
    page = Page(render_html(sample()))
    text = page.text_of["chart-monthly"]
    for label in ("Jan", "Dec", "Year", "2019", "2020"):
        assert label in text
    fills = [a["fill"] for tag, a in page.tags if tag == "rect" and "fill" in a]
    assert len(fills) >= 12 + 1 + 5  # 2019 is full; 2020 has some months and a total
    assert any(f.startswith("#") and f != "#f8fafc" for f in fills)


def test_the_metrics_table_labels_and_formats_known_keys_and_keeps_unknown_ones() -> None:
    html = render_html(sample())
    rows = dict(
        re.findall(r'data-metric="([^"]+)"><th scope="row">[^<]*</th><td[^>]*>([^<]*)<', html)
    )
    assert rows["total_return"].endswith("%")
    assert rows["sharpe"] == "1.23"
    assert rows["max_drawdown"] == "-20.00%"
    assert rows["profit_factor"] == "—"
    assert rows["avg_hold_s"] == "3d 12h"
    assert rows["initial_equity"] == "100,000.00"
    assert rows["start"] == "02 Jan 2019"
    assert rows["custom_figure"] == "42"
    assert "monthly_returns" not in rows and "strategies" not in rows
    assert Page(html).by_id["metrics-table"]["tag"] == "div"


def test_the_skip_reasons_are_listed_most_frequent_first_with_a_total() -> None:
    page = Page(render_html(sample()))
    text = " ".join(page.text_of["skip-reasons"].split())
    assert text.index("holding to exit") < text.index("max open positions")
    assert "12" in text and "7" in text and "Total 19" in text


def test_hostile_text_is_escaped_everywhere() -> None:
    data = sample(
        title=HOSTILE,
        run_id=HOSTILE,
        trades=[trade(HOSTILE, 10, 5, "100", "101", (HOSTILE,))],
        prices={
            HOSTILE: ([START + timedelta(days=i) for i in range(30)], [1.0 + i for i in range(30)])
        },
        skip_reasons={HOSTILE: 3},
        attribution={HOSTILE: {"pnl": 1.0, "trades": 1, "wins": 1, "losses": 0}},
        benchmark_label=HOSTILE,
        metrics={HOSTILE: HOSTILE},
    )
    html = render_html(data)
    assert "<script" not in html
    assert "alert(&#x27;x&#x27;)" in html
    page = Page(html)
    assert HOSTILE in page.text_of["skip-reasons"]
    assert HOSTILE in page.text_of["chart-price-0"]
    assert page.by_id["chart-price-0"]["aria-label"].startswith(HOSTILE)


def test_the_page_is_self_contained() -> None:
    html = render_html(sample())
    page = Page(html)
    assert not [t for t, _ in page.tags if t in {"script", "link", "img", "iframe", "object"}]
    urls = [v for _, a in page.tags for k, v in a.items() if k in {"src", "href"}]
    assert urls == []
    assert set(re.findall(r"https?://[^\"' )]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "url(" not in html and "@import" not in html
    csp = [a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")


def test_the_same_data_renders_the_same_bytes(tmp_path: Path) -> None:
    first = write_html(tmp_path / "a" / "report.html", sample())
    second = write_html(tmp_path / "b" / "report.html", sample())
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == render_html(sample())


def test_long_curves_are_drawn_with_at_most_two_thousand_points() -> None:
    html = render_html(sample(n=20_000, prices={}, trades=[], benchmark=None))
    d = Page(html)
    paths = [a["d"] for t, a in d.tags if t == "path" and a.get("class") == "eq-line"]
    assert len(paths) == 1
    assert paths[0].count("L") + 1 <= 2_000
    assert len(html) < 400_000


def test_at_most_twelve_symbols_are_charted_and_the_rest_is_noted() -> None:
    days = [START + timedelta(days=i) for i in range(60)]
    symbols = [f"S{i:02d}" for i in range(MAX_PRICE_CHARTS + 3)]
    trades = [trade(s, 5, 3, "10", "11") for s in symbols]
    html = render_html(sample(trades=trades, prices={s: (days, [10.0] * 60) for s in symbols}))
    charts = [i for i in Page(html).by_id if i.startswith("chart-price-")]
    assert len(charts) == MAX_PRICE_CHARTS
    assert f"Showing the {MAX_PRICE_CHARTS} most traded of {len(symbols)} symbols" in html


def test_trades_are_marked_at_their_fills_with_tooltips() -> None:
    page = Page(render_html(sample()))
    marks = [
        a for t, a in page.tags if t == "path" and a.get("class") in {"m-entry", "m-win", "m-loss"}
    ]
    assert [m["class"] for m in marks].count("m-entry") == 3 + 2  # three trades, two legends
    html = render_html(sample())
    assert "Exit 12 Jan 2019 21:00" not in html  # a daily close shows its date only
    assert "Exit 17 Jan 2019 at 104.00: P&amp;L 40.00 (+4.00%)" in html


def test_an_empty_run_still_renders_every_section() -> None:
    html = render_html(
        ReportData(title="Empty", run_id="bt-0", metrics={}, equity_ts=[], equity=[])
    )
    page = Page(html)
    for element_id in ("chart-equity", "chart-drawdown", "chart-monthly", "metrics-table"):
        assert element_id in page.by_id
    assert "No data to draw" in html and "No closed trades to mark" in html


def test_mismatched_equity_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="equity"):
        render_html(sample(equity=[1.0, 2.0]))


def test_a_million_minute_bars_render_quickly_into_a_small_page() -> None:
    n = 1_000_000
    t = np.datetime64("2020-01-02T14:30", "ns") + np.arange(n) * np.timedelta64(60, "s")
    equity = 100_000 + np.cumsum(np.random.default_rng(1).normal(0, 20, n))
    data = ReportData(
        title="minute bars",
        run_id="bt-big",
        metrics={},
        equity_ts=t,
        equity=equity,
        benchmark=(t, equity * 1.01),
    )
    started = time.perf_counter()
    html = render_html(data)
    assert time.perf_counter() - started < 5.0
    assert len(html) < 400_000
    assert "Apr 2020" in Page(html).text_of["chart-equity"]
