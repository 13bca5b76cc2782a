"""The read routes on the seeded backtest: what each answers means what the store holds
(totals are row counts, filters hold for every item, pages are newest first and tile the
list, a trade links the decisions, signal, news and outcome behind it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET
from tests.api.reads_support import get, get_all, mount_runs, when
from tradebot.adapters.sql.store import SqlStore
from tradebot.api.auth.context import AuthContext
from tradebot.config import Settings
from tradebot.service import Services


@pytest.fixture
def app(services: Services, auth_context: AuthContext) -> FastAPI:
    return mount_runs(services, auth_context)


@pytest.fixture
def store(settings: Settings) -> Iterator[SqlStore]:
    opened = SqlStore(settings.store.url)
    try:
        yield opened
    finally:
        opened.close()


RUN_SCOPED = [
    "/api/portfolio",
    "/api/portfolio/positions",
    "/api/portfolio/history",
    "/api/trades",
    "/api/signals",
    "/api/strategies",
    "/api/strategies/momentum/history",
    "/api/strategies/momentum/metrics",
    "/api/news",
    "/api/trading/decisions",
    "/api/trading/metrics",
    "/api/trading/metrics/history",
]


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs",
        "/api/portfolio",
        "/api/trades",
        "/api/signals",
        "/api/strategies",
        "/api/news",
        "/api/trading/decisions",
        "/api/trading/config",
        "/api/trading/notifications/history",
    ],
)
def test_reads_need_a_token(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", RUN_SCOPED)
def test_an_unknown_run_is_404_with_a_hint(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    response = client.get(path, params={"run_id": "no-such-run"}, headers=headers)
    assert response.status_code == 404
    body = response.json()
    assert "no-such-run" in body["detail"] and "\n" not in body["detail"]
    assert body["hint"]


def test_runs_list_and_show_what_backtest_list_and_show_do(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    page = get(client, headers, "/api/runs")
    assert page["total"] == 1 and [r["id"] for r in page["items"]] == [seeded_run]
    record = store.run(seeded_run)
    assert record is not None and record.metrics is not None
    run = page["items"][0]
    assert run["status"] == "completed" and run["mode"] == "backtest"
    assert run["trades"] == record.metrics["trades"] == len(store.closed_trades(seeded_run))
    assert run["sharpe"] == record.metrics["sharpe"]
    assert run["symbols"] == ["AAPL", "MSFT", "AMZN", "GOOG"]
    assert get(client, headers, "/api/runs", mode="paper")["total"] == 0
    assert get(client, headers, "/api/runs", status="completed")["total"] == 1
    response = client.get(f"/api/runs/{seeded_run}", headers=headers)
    detail = response.json()
    assert detail["metrics"]["net_pnl"] == record.metrics["net_pnl"]
    assert detail["config"]["settings"]["api"]["jwt_secret"] == "**********"
    assert TEST_SECRET not in response.text
    missing = client.get("/api/runs/nope", headers=headers)
    assert missing.status_code == 404 and missing.json()["hint"]


def test_portfolio_is_the_newest_snapshot_and_the_change_since_yesterday(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    snapshots = store.snapshots(seeded_run)
    last = snapshots[-1]
    yesterday = [s for s in snapshots if s.ts.date() < last.ts.date()][-1]
    body = get(client, headers, "/api/portfolio")
    assert body["run_id"] == seeded_run and when(body["as_of"]) == last.ts
    assert Decimal(body["equity"]) == last.equity
    assert Decimal(body["cash"]) == last.cash
    assert Decimal(body["realised_pnl"]) == last.realised_pnl
    assert Decimal(body["daily_pnl"]) == last.equity - yesterday.equity
    assert body["daily_pnl_pct"] == pytest.approx(float(last.equity / yesterday.equity - 1))
    assert Decimal(body["reserve"]) > 0  # the risk engine siphoned profits into its reserve
    assert Decimal(body["buying_power"]) == last.cash - Decimal(body["reserve"])
    assert body["initial_equity"] == "100000"
    assert get(client, headers, "/api/portfolio/positions") == {"run_id": seeded_run, "items": []}


@pytest.mark.parametrize(
    ("period", "days"), [("1D", 1), ("1W", 7), ("1M", 30), ("3M", 91), ("1Y", 365)]
)
def test_history_covers_its_period_back_from_the_newest_snapshot(
    client: TestClient,
    headers: dict[str, str],
    seeded_run: str,
    store: SqlStore,
    period: str,
    days: int,
) -> None:
    snapshots = store.snapshots(seeded_run)
    end = snapshots[-1].ts
    expected = [s for s in snapshots if s.ts >= end - timedelta(days=days)]
    body = get(client, headers, "/api/portfolio/history", period=period)
    assert when(body["end"]) == end and not body["downsampled"]
    assert [when(p["ts"]) for p in body["points"]] == [s.ts for s in expected]
    assert [Decimal(p["equity"]) for p in body["points"]] == [s.equity for s in expected]


def test_history_of_everything_is_thinned_to_the_points_asked(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    snapshots = store.snapshots(seeded_run)
    whole = get(client, headers, "/api/portfolio/history", period="ALL")
    assert len(whole["points"]) == len(snapshots) == 376
    thin = get(client, headers, "/api/portfolio/history", period="ALL", max_points=50)
    assert thin["downsampled"] and 40 <= len(thin["points"]) <= 50
    times = [when(p["ts"]) for p in thin["points"]]
    assert times[0] == snapshots[0].ts and times[-1] == snapshots[-1].ts
    assert set(times) <= {s.ts for s in snapshots} and times == sorted(times)


def test_trades_page_newest_first_and_tile_the_whole_list(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    trades = store.closed_trades(seeded_run)
    newest_first = sorted(trades, key=lambda t: (t.exit_ts, t.id), reverse=True)
    items = get_all(client, headers, "/api/trades", limit=20)
    assert [t["id"] for t in items] == [t.id for t in newest_first]
    assert [Decimal(t["pnl"]) for t in items] == [t.pnl for t in newest_first]
    first = get(client, headers, "/api/trades", limit=5, offset=3)
    assert first["total"] == len(trades) == 71 and first["limit"] == 5 and first["offset"] == 3
    assert [t["id"] for t in first["items"]] == [t.id for t in newest_first[3:8]]


def test_the_profitable_filter_splits_the_trades_by_pnl(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    trades = store.closed_trades(seeded_run)
    won = get_all(client, headers, "/api/trades", profitable="true")
    lost = get_all(client, headers, "/api/trades", profitable="false")
    assert won and all(Decimal(t["pnl"]) > 0 for t in won)
    assert lost and all(Decimal(t["pnl"]) <= 0 for t in lost)
    assert len(won) == sum(1 for t in trades if t.pnl > 0)
    assert len(won) + len(lost) == len(trades)


def test_trade_filters_hold_for_every_item(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    trades = store.closed_trades(seeded_run)
    aapl = get_all(client, headers, "/api/trades", symbol="aapl")
    assert {t["symbol"] for t in aapl} == {"AAPL"}
    assert len(aapl) == sum(1 for t in trades if t.symbol == "AAPL")
    news = get_all(client, headers, "/api/trades", strategy="news")
    assert news and all("news" in t["strategies"] for t in news)
    assert len(news) == sum(1 for t in trades if "news" in t.strategies)
    assert get(client, headers, "/api/trades", strategy="mean_reversion")["total"] == 0
    start, end = datetime(2014, 6, 1, tzinfo=trades[0].exit_ts.tzinfo), trades[-1].exit_ts
    window = get_all(client, headers, "/api/trades", start=start.isoformat(), end="2014-12-31")
    assert window and all(start <= when(t["exit_ts"]) <= when("2014-12-31") for t in window)
    assert len(window) == sum(1 for t in trades if start <= t.exit_ts <= when("2014-12-31"))
    assert get(client, headers, "/api/trades", direction="short")["total"] == 0
    assert get(client, headers, "/api/trades", end=end.isoformat())["total"] == len(trades)


def test_a_trade_links_its_decisions_signal_news_and_outcome(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    trade = next(t for t in store.closed_trades(seeded_run) if t.symbol == "AAPL")
    body = get(client, headers, f"/api/trades/{trade.id}")
    assert body["id"] == trade.id and Decimal(body["pnl"]) == trade.pnl
    entry = body["entry_decision"]
    assert entry["id"] == body["entry_decision_id"] == trade.entry_decision_id
    assert body["exit_decision"]["id"] == trade.exit_decision_id
    decision = next(d for d in store.decisions(seeded_run) if d.id == entry["id"])
    assert [c["check"] for c in entry["trace"]] == [c.check for c in decision.trace]
    assert entry["trace"] and entry["action"] == "act"
    assert body["signal"]["id"] == decision.signal_id
    assert body["signal"]["contributions"] and body["contributions"]
    outcome = next(o for o in store.trade_outcomes(seeded_run) if o.trade_id == trade.id)
    assert Decimal(body["outcome"]["pnl"]) == outcome.pnl
    assert body["outcome"]["risk_adjusted"] == pytest.approx(outcome.risk_adjusted)
    news = body["news"]
    assert news and len(news) <= 50 and {n["ticker"] for n in news} == {"AAPL"}
    published = [when(n["published_at"]) for n in news]
    assert published == sorted(published, reverse=True)
    assert all(trade.entry_ts - timedelta(days=3) <= p <= trade.entry_ts for p in published)
    missing = client.get("/api/trades/trd-none", headers=headers)
    assert missing.status_code == 404 and missing.json()["hint"]


def test_signal_filters_hold_and_totals_are_counts(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    signals = store.signals(seeded_run)
    every = get(client, headers, "/api/signals", limit=1)
    assert every["total"] == len(signals) == 251
    strong = get_all(client, headers, "/api/signals", min_strength=0.7)
    assert strong and all(s["strength"] >= 0.7 for s in strong)
    assert len(strong) == sum(1 for s in signals if s.strength >= 0.7)
    shorts = get_all(client, headers, "/api/signals", direction="short", symbol="MSFT")
    assert shorts and all(s["direction"] == "short" and s["symbol"] == "MSFT" for s in shorts)
    times = [when(s["ts"]) for s in get_all(client, headers, "/api/signals")]
    assert times == sorted(times, reverse=True)


def test_decision_filters_and_one_decision_with_its_orders(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    decisions = store.decisions(seeded_run)
    acted = get_all(client, headers, "/api/trading/decisions", action="act")
    skipped = get_all(client, headers, "/api/trading/decisions", action="skip")
    assert all(d["action"] == "act" and d["first_failed_check"] is None for d in acted)
    assert all(d["action"] == "skip" and d["first_failed_check"] for d in skipped)
    assert len(acted) + len(skipped) == len(decisions) == 251
    assert all(d["trace"] and d["reason"] for d in acted + skipped)
    goog = get(client, headers, "/api/trading/decisions", symbol="GOOG", start="2015-01-01")
    assert goog["total"] == sum(
        1 for d in decisions if d.symbol == "GOOG" and d.ts >= when("2015-01-01")
    )
    entry = next(d for d in acted if d["side"] == "buy" and d["stop_loss"] is not None)
    detail = get(client, headers, f"/api/trading/decisions/{entry['id']}")
    assert detail["signal"]["id"] == entry["signal_id"]
    orders = [o for o in store.orders(seeded_run) if o.decision_id == entry["id"]]
    assert sorted(o["client_order_id"] for o in detail["orders"]) == sorted(
        o.client_order_id for o in orders
    )
    assert any(o["fills"] for o in detail["orders"])
    assert client.get("/api/trading/decisions/dec-none", headers=headers).status_code == 404


def test_news_filters_hold_and_the_newest_comes_first(
    client: TestClient, headers: dict[str, str], services: Services
) -> None:
    page = get(client, headers, "/api/news", ticker="aapl", min_score=0.5, max_score=0.9)
    items = page["items"]
    assert items and all(i["ticker"] == "AAPL" and 0.5 <= i["score"] <= 0.9 for i in items)
    published = [when(i["published_at"]) for i in items]
    assert published == sorted(published, reverse=True)
    assert page["total"] == _count(
        services,
        "select count(*) from article_sentiments s join articles a"
        " on a.content_hash = s.article_hash"
        " where s.ticker = 'AAPL' and s.score >= 0.5 and s.score <= 0.9",
    )
    every = get(client, headers, "/api/news", limit=1)
    assert every["total"] == _count(services, "select count(*) from article_sentiments")
    window = get_all(
        client, headers, "/api/news", ticker="GOOG", start="2015-03-01", end="2015-03-03"
    )
    assert window and all(
        when("2015-03-01") <= when(i["published_at"]) <= when("2015-03-03") for i in window
    )
    assert get(client, headers, "/api/news", source="nowhere")["total"] == 0


def _count(services: Services, sql: str) -> int:
    from sqlalchemy import text

    with services.db.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def test_strategies_share_the_runs_pnl_and_trades(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    trades = store.closed_trades(seeded_run)
    body = get(client, headers, "/api/strategies")
    by_name = {s["name"]: s for s in body["items"]}
    assert set(by_name) == {"momentum", "macd", "mean_reversion", "news"}
    total = sum((Decimal(s["pnl"]) for s in body["items"]), Decimal(0))
    assert total == pytest.approx(sum((t.pnl for t in trades), Decimal(0)), abs=Decimal("1e-9"))
    for name, row in by_name.items():
        named = [t for t in trades if name in t.strategies]
        assert row["trades"] == len(named)
        assert row["wins"] == sum(1 for t in named if t.pnl > 0)
        assert row["weight"] == pytest.approx(0.25) and row["active"]
        assert row["description"]  # the registry's words for a built-in strategy
    assert by_name["mean_reversion"]["win_rate"] is None


def test_a_strategys_history_is_its_adjustments_in_the_run(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    adjustments = store.weight_adjustments(run_id=seeded_run, strategy="momentum")
    body = get(client, headers, "/api/strategies/momentum/history", limit=3)
    assert body["adjustments"]["total"] == len(adjustments) > 0
    newest = sorted(adjustments, key=lambda a: a.ts, reverse=True)[:3]
    assert [a["new_weight"] for a in body["adjustments"]["items"]] == [a.new for a in newest]
    assert {a["policy"] for a in body["adjustments"]["items"]} == {"ema"}
    assert body["changes"]["total"] == 0  # a backtest's learned weights stay in the run
    response = client.get("/api/strategies/nobody/history", headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("bucket", ["week", "month"])
def test_a_strategys_metrics_over_time_add_up_to_its_share(
    client: TestClient, headers: dict[str, str], bucket: str
) -> None:
    share = next(s for s in get(client, headers, "/api/strategies")["items"] if s["name"] == "macd")
    body = get(client, headers, "/api/strategies/macd/metrics", bucket=bucket)
    buckets = body["buckets"]
    assert sum(b["trades"] for b in buckets) == share["trades"]
    assert sum(b["wins"] for b in buckets) == share["wins"]
    assert Decimal(buckets[-1]["cumulative_pnl"]) == Decimal(share["pnl"])
    starts = [datetime.fromisoformat(b["start"]) for b in buckets]
    assert starts == sorted(starts)
    if bucket == "week":
        assert {s.weekday() for s in starts} == {0}
    else:
        assert {s.day for s in starts} == {1}
    assert client.get("/api/strategies/nobody/metrics", headers=headers).status_code == 404


def test_metrics_of_a_finished_run_are_its_recorded_ones(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    record = store.run(seeded_run)
    assert record is not None and record.metrics is not None
    body = get(client, headers, "/api/trading/metrics")
    assert body["source"] == "recorded" and body["run_id"] == seeded_run
    for ours, theirs in [
        ("sharpe", "sharpe"),
        ("sortino", "sortino"),
        ("cagr", "annual_return"),
        ("max_drawdown", "max_drawdown"),
        ("win_rate", "win_rate"),
        ("profit_factor", "profit_factor"),
        ("exposure", "exposure"),
        ("total_return", "total_return"),
    ]:
        assert body[ours] == record.metrics[theirs]
    assert body["trades"] == 71


def test_daily_history_is_one_row_per_day_newest_first(
    client: TestClient, headers: dict[str, str], seeded_run: str, store: SqlStore
) -> None:
    snapshots = store.snapshots(seeded_run)
    trades = store.closed_trades(seeded_run)
    rows = get_all(client, headers, "/api/trading/metrics/history", limit=100)
    assert len(rows) == len({s.ts.date() for s in snapshots})
    days = [r["day"] for r in rows]
    assert days == sorted(days, reverse=True)
    assert sum(r["trades_closed"] for r in rows) == len(trades)
    assert sum(Decimal(r["realised_pnl"]) for r in rows) == sum(t.pnl for t in trades)
    assert all(r["drawdown"] <= 0 for r in rows)
    newest = rows[0]
    assert Decimal(newest["equity"]) == snapshots[-1].equity
    before = Decimal(rows[1]["equity"])
    assert newest["daily_return"] == pytest.approx(float(snapshots[-1].equity / before - 1))
    june = get(client, headers, "/api/trading/metrics/history", start="2015-06-01")
    assert all(r["day"] >= "2015-06-01" for r in june["items"]) and june["total"] == 22


def test_bad_filters_are_422_not_a_crash(client: TestClient, headers: dict[str, str]) -> None:
    cases: list[tuple[str, dict[str, str | int]]] = [
        ("/api/trades", {"symbol": "A B"}),
        ("/api/trades", {"limit": 0}),
        ("/api/trades", {"start": "0001-01-01T00:00:00+01:00"}),
        ("/api/signals", {"min_strength": "nan"}),
        ("/api/news", {"min_score": 2}),
        ("/api/portfolio/history", {"period": "2Y"}),
        ("/api/strategies/momentum/metrics", {"bucket": "day"}),
    ]
    for path, params in cases:
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 422, (path, params, response.text)
