"""The drift maths on hand-made orders, fills and daily bars: bps signs, pairing of partial
fills, the per-order simulation by the paper venue's rules, bracket legs, summaries, files."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.backtest.drift import (
    DriftReport,
    compare_run,
    drift_bps,
    pair_fills,
    simulate_order,
    venue_from,
)
from tradebot.backtest.drift.files import FILL_COLUMNS, drift_payload, write_csv
from tradebot.backtest.drift.page import render_html
from tradebot.config import BrokerSettings
from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, Timeframe
from tradebot.domain.messages import Fill, Order

DAY0 = datetime(2024, 3, 4, 21, tzinfo=UTC)  # a Monday's close, 16:00 New York
NO_COSTS = venue_from(
    BrokerSettings(commission_rate=Decimal(0), slippage_bps=Decimal(0), initial_cash=Decimal(1))
)


def _bars(*ohlc: tuple[float, float, float, float], symbol: str = "AAPL") -> list[Bar]:
    return [
        Bar(symbol, Timeframe.D1, DAY0 + timedelta(days=i), o, h, lo, c, 1e6)
        for i, (o, h, lo, c) in enumerate(ohlc)
    ]


BARS = _bars(
    (100, 101, 99, 100),
    (102, 104, 101, 103),
    (103, 106, 102, 105),
    (105, 107, 95, 96),
)


def _order(coid: str = "tb-a", **changes: object) -> Order:
    base = Order(
        client_order_id=coid,
        decision_id="dec-a",
        symbol="AAPL",
        side=OrderSide.BUY,
        quantity=Decimal(10),
        status=OrderStatus.FILLED,
        created_at=DAY0,
    )
    return base.evolve(**changes)


def _fill(order: Order, price: str, quantity: str = "10", n: int = 1, day: int = 1) -> Fill:
    return Fill(
        fill_id=f"{order.client_order_id}-{n}",
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal(0),
        ts=DAY0 + timedelta(days=day, hours=-6, minutes=-30),  # 09:30 New York (EST)
    )


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100_000), places=4)


@given(real=prices, simulated=prices)
def test_bps_of_a_sell_is_minus_the_bps_of_a_buy(real: Decimal, simulated: Decimal) -> None:
    buy, sell = (
        drift_bps(OrderSide.BUY, real, simulated),
        drift_bps(OrderSide.SELL, real, simulated),
    )
    assert buy == -sell
    assert (buy > 0) == (real > simulated)  # paying more on a buy is worse: positive


@given(price=prices, side=st.sampled_from(OrderSide))
def test_no_drift_when_the_real_price_is_the_simulated_one(price: Decimal, side: OrderSide) -> None:
    assert drift_bps(side, price, price) == 0


def test_bps_are_basis_points_of_the_simulated_price() -> None:
    assert drift_bps(OrderSide.BUY, Decimal("100.10"), Decimal(100)) == Decimal(10)
    assert drift_bps(OrderSide.SELL, Decimal("100.10"), Decimal(100)) == Decimal(-10)


def test_a_market_order_fills_at_the_next_bars_open_with_the_runs_slippage_and_fees() -> None:
    venue = venue_from(BrokerSettings(commission_rate=Decimal("0.001"), slippage_bps=Decimal(5)))
    (fill,) = simulate_order(_order(), BARS, venue)
    assert fill.price == Decimal("102.0510")  # 102 × (1 + 5 bps), against the buyer
    assert fill.commission == Decimal("1.020510")
    assert fill.ts == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)  # 09:30 New York, day 1


def test_a_limit_order_works_until_its_level_is_reached_or_the_bars_end() -> None:
    sell = _order(type=OrderType.LIMIT, side=OrderSide.SELL, limit_price=Decimal(106))
    (fill,) = simulate_order(sell, BARS, NO_COSTS)
    assert (fill.price, fill.ts) == (Decimal(106), BARS[2].ts)  # reached inside bar 2
    assert simulate_order(sell.evolve(limit_price=Decimal(200)), BARS, NO_COSTS) == []
    assert simulate_order(sell, BARS, NO_COSTS, until=BARS[2].ts) == []  # cancelled before


def test_partial_real_fills_each_face_the_simulated_part_of_the_same_quantity() -> None:
    order = _order()
    real = [_fill(order, "102.5", "4", 1), _fill(order, "103", "6", 2, day=2)]
    sim = [_fill(order, "102", "5", 1), _fill(order, "101", "5", 2)]
    first, second = pair_fills(order, real, sim)
    assert (first.sim_quantity, first.sim_price) == (Decimal(4), Decimal(102))
    assert (second.sim_quantity, second.sim_price) == (
        Decimal(6),
        Decimal("101.1666666666666666666666667"),
    )
    assert second.sim_ts == sim[1].ts
    assert first.cost == Decimal("2.0")  # 0.5 more on 4 shares bought


def test_a_real_fill_beyond_what_the_simulation_filled_shows_the_difference() -> None:
    order = _order()
    real = [_fill(order, "102", "10")]
    (row,) = pair_fills(order, real, [_fill(order, "102", "6")])
    assert (row.sim_quantity, row.quantity_diff, row.bps) == (Decimal(6), Decimal(4), Decimal(0))
    (row,) = pair_fills(order, [_fill(order, "102", "3", 2)], [])
    assert row.sim_price is None and row.bps is None and row.cost == 0


def test_the_run_compared_with_itself_has_no_drift_and_a_worse_price_shows() -> None:
    order = _order()
    same = compare_run("r", [order], [_fill(order, "102")], {"AAPL": BARS}, NO_COSTS)
    assert [r.bps for r in same.rows] == [0]
    assert same.overall is not None and same.overall.cost == 0 and not same.unmatched
    worse = compare_run("r", [order], [_fill(order, "102.51")], {"AAPL": BARS}, NO_COSTS)
    (row,) = worse.rows
    assert row.bps == Decimal(50) and row.cost == Decimal("5.10")
    assert row.latency == row.sim_latency == timedelta(hours=17, minutes=30)
    assert worse.by_symbol["AAPL"].mean_bps == 50.0


def test_orders_one_side_filled_are_listed_as_such() -> None:
    unreachable = _order("tb-l", type=OrderType.LIMIT, limit_price=Decimal(50))
    missed = _order("tb-m", status=OrderStatus.CANCELLED)
    report = compare_run(
        "r", [unreachable, missed], [_fill(unreachable, "50")], {"AAPL": BARS}, NO_COSTS
    )
    assert not report.rows
    venue_only, sim_only = report.unmatched
    assert venue_only.venue and "simulation would not" in venue_only.what
    assert not sim_only.venue and sim_only.what == "the venue did not fill it (cancelled)"
    assert sim_only.price == Decimal(102)
    assert report.overall is not None
    assert (report.overall.venue_only, report.overall.sim_only) == (1, 1)


def _bracket() -> tuple[Order, Order, Order]:
    entry = _order("tb-b")
    stop = entry.evolve(
        client_order_id="tb-b-sl",
        side=OrderSide.SELL,
        type=OrderType.STOP,
        stop_price=Decimal(97),
        status=OrderStatus.CANCELLED,
    )
    target = entry.evolve(
        client_order_id="tb-b-tp",
        side=OrderSide.SELL,
        type=OrderType.LIMIT,
        limit_price=Decimal(106),
    )
    return entry, stop, target


def test_bracket_legs_work_after_their_entry_filled_and_stop_with_their_sibling() -> None:
    entry, stop, target = _bracket()
    fills = [_fill(entry, "102"), _fill(target, "106", day=2)]
    fills[1] = fills[1].evolve(ts=BARS[2].ts)
    report = compare_run("r", [entry, stop, target], fills, {"AAPL": BARS}, NO_COSTS)
    assert [(r.fill.client_order_id, r.bps) for r in report.rows] == [
        ("tb-b", Decimal(0)),
        ("tb-b-tp", Decimal(0)),
    ]
    assert not report.unmatched  # the stop, reached on bar 3, went with its sibling's fill


def test_a_leg_whose_entry_never_filled_was_never_worked() -> None:
    entry, stop, target = _bracket()
    entry = entry.evolve(type=OrderType.LIMIT, limit_price=Decimal(1), status=OrderStatus.CANCELLED)
    report = compare_run("r", [entry, stop, target], [], {"AAPL": BARS}, NO_COSTS)
    assert report.rows == [] and report.unmatched == []


def test_an_order_cancelled_by_a_named_decision_stops_working_after_it() -> None:
    limit = _order(
        type=OrderType.LIMIT,
        side=OrderSide.SELL,
        limit_price=Decimal(106),
        status=OrderStatus.CANCELLED,
        reason="cancelled: decision dec-x closes the position",
    )
    early = compare_run("r", [limit], [], {"AAPL": BARS}, NO_COSTS, {"dec-x": BARS[1].ts})
    assert early.unmatched == []  # cancelled after bar 1: bar 2's 106 came too late
    late = compare_run("r", [limit], [], {"AAPL": BARS}, NO_COSTS, {"dec-x": BARS[2].ts})
    assert len(late.unmatched) == 1 and not late.unmatched[0].venue


def test_summaries_per_symbol_and_overall() -> None:
    orders = [_order(f"tb-{i}") for i in range(4)] + [_order("tb-m", symbol="MSFT")]
    paid = ["102", "102.102", "102.204", "102.408", "102"]
    fills = [_fill(o, p) for o, p in zip(orders, paid, strict=True)]
    bars = {
        "AAPL": BARS,
        "MSFT": _bars(*((b.open, b.high, b.low, b.close) for b in BARS), symbol="MSFT"),
    }
    report = compare_run("r", orders, fills, bars, NO_COSTS)
    aapl, msft, overall = report.by_symbol["AAPL"], report.by_symbol["MSFT"], report.overall
    assert overall is not None
    assert (aapl.fills, msft.fills, overall.fills) == (4, 1, 5)
    assert aapl.mean_bps == 17.5 and aapl.median_bps == 15.0
    assert aapl.p95_bps is not None and round(aapl.p95_bps, 6) == 37.0  # 20 + 0.85 × (40 − 20)
    assert msft.mean_bps == 0.0 and overall.mean_bps == 14.0
    assert overall.cost == Decimal("7.14")


@settings(max_examples=60, deadline=None)
@given(
    opens=st.lists(st.integers(1_000, 100_000), min_size=2, max_size=8),
    side=st.sampled_from(OrderSide),
    quantity=st.integers(1, 1_000),
    slippage=st.integers(0, 50),
    at=st.integers(0, 6),
)
def test_real_fills_equal_to_the_simulation_have_zero_drift(
    opens: list[int], side: OrderSide, quantity: int, slippage: int, at: int
) -> None:
    bars = _bars(*((o / 100, o / 100 * 1.02, o / 100 * 0.97, o / 100) for o in opens))
    venue = venue_from(BrokerSettings(slippage_bps=Decimal(slippage)))
    order = _order(
        side=side, quantity=Decimal(quantity), created_at=bars[min(at, len(bars) - 1)].ts
    )
    fills = simulate_order(order, bars, venue)
    report = compare_run("r", [order], fills, {"AAPL": bars}, venue)
    assert all(r.bps == 0 and r.cost == 0 and r.quantity_diff == 0 for r in report.rows)
    assert len(report.rows) == len(fills) and not report.unmatched


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids[str(values["id"])] = tag
        self.scripts += tag == "script"


def _mixed_report() -> DriftReport:
    order = _order(symbol="<b>X", client_order_id="tb-x")
    other = _order("tb-y", type=OrderType.LIMIT, limit_price=Decimal(50), symbol="<b>X")
    bars = _bars(*((b.open, b.high, b.low, b.close) for b in BARS), symbol="<b>X")
    fills = [_fill(order, "102.306"), _fill(other, "50")]
    return compare_run("run-1", [order, other], fills, {"<b>X": bars}, NO_COSTS)


def test_the_html_page_is_self_contained_escaped_and_has_its_charts_and_tables() -> None:
    page = render_html(_mixed_report(), "Drift — <run>")
    parsed = _Ids()
    parsed.feed(page)
    assert parsed.ids["chart-bps-box"] == "svg" and parsed.ids["chart-bps-histogram"] == "svg"
    assert {"drift-summary", "drift-unmatched", "drift-fills"} <= set(parsed.ids)
    assert parsed.scripts == 0 and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<b>X" not in page and "&lt;b&gt;X" in page
    assert (
        "Content-Security-Policy" in page and render_html(_mixed_report(), "Drift — <run>") == page
    )


def test_the_csv_has_a_row_per_real_fill_and_the_json_everything(tmp_path: Path) -> None:
    report = _mixed_report()
    write_csv(tmp_path / "d.csv", report)
    with (tmp_path / "d.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == FILL_COLUMNS
    by_id = {r["client_order_id"]: r for r in rows}
    assert Decimal(by_id["tb-x"]["bps"]) == 30 and by_id["tb-x"]["sim_price"] == "102"
    assert by_id["tb-y"]["sim_price"] == "" and by_id["tb-y"]["price"] == "50"
    payload = json.loads(json.dumps(drift_payload(report, mode="paper")))
    assert payload["overall"]["fills"] == 1 and payload["mode"] == "paper"
    assert payload["unmatched"][0]["filled_by"] == "venue"


def test_the_box_of_a_symbol_marks_the_fills_outside_its_whiskers() -> None:
    orders = [_order(f"tb-{i}") for i in range(20)]
    fills = [_fill(o, "102") for o in orders[:-1]] + [_fill(orders[-1], "112.2")]
    page = render_html(compare_run("r", orders, fills, {"AAPL": BARS}, NO_COSTS), "Drift")
    box = page[page.index('id="chart-bps-box"') : page.index("</svg>")]
    assert box.count('class="outlier"') == 1  # the one fill 1,000 bps worse
    assert ">1.0k<" in box  # the axis reaches it
