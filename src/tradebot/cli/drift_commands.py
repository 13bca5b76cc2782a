"""``tradebot drift RUN_ID``: a paper or live run's real fills beside the simulated venue's
fills of the same orders on the same bars (:mod:`tradebot.backtest.drift`).

The bars are the run's own: ``--data DIR``, else the folder the run recorded
(``config['data_dir']``: the replayed data of a paper run, the bars a live run recorded
under ``.tradebot/recorded/<run_id>``), else that recorded folder by its conventional place.
The simulated venue is the one the run configured (``config['settings']['broker']``: fees,
slippage, fill model), else the current settings'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.outputs import check_output_file
from tradebot.cli.render import console, err_console, write_json
from tradebot.domain.enums import Mode
from tradebot.domain.errors import ConfigError, DataError

if TYPE_CHECKING:
    from tradebot.adapters.sql.mapping import RunRecord
    from tradebot.backtest.drift import DriftReport, SymbolDrift, VenueFactory
    from tradebot.domain.bar import Bar
    from tradebot.domain.messages import Order

__all__ = ["RECORDED_DIR", "drift"]

RECORDED_DIR = Path(".tradebot") / "recorded"
"""Where a live run records its bars, one folder per run id."""


@app.command("drift")
def drift(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="A paper or live run.")],
    data: Annotated[
        Path | None, typer.Option(help="Parquet data dir (default: the run's recorded bars).")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per fill to this CSV file.")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the whole report as JSON.")
    ] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML page.")
    ] = None,
    shown: Annotated[
        int, typer.Option("--unmatched", min=0, help="How many one-sided orders to list.")
    ] = 20,
) -> None:
    """Each real fill beside the simulated venue's fill of the same order (bps > 0: worse)."""
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.backtest.drift import compare_run

    for option, path in (("--csv", csv_file), ("--json", json_file), ("--html", html_file)):
        check_output_file(option, path)
    with SqlStore(settings_of().store.url) as store:
        record = store.run(run_id)
        if record is None:
            raise ConfigError(
                f"no run {run_id!r} in the database",
                "list the paper runs with `tradebot backtest list --mode paper`",
            )
        if record.info.mode is Mode.BACKTEST:
            raise ConfigError(
                f"drift compares paper or live fills; {run_id} is a backtest",
                "pick a paper or live run: `tradebot backtest list --mode paper`",
            )
        orders, fills = store.orders(run_id), store.fills(run_id)
        if not fills:
            raise ConfigError(f"run {run_id} has no fills: nothing to compare", "")
        decided = {d.id: d.ts for d in store.decisions(run_id)}
    folder = data or _recorded_dir(record)
    bars = _bars(record, folder, orders, fills[-1].ts)
    report = compare_run(run_id, orders, fills, bars, _venue(record), decided)
    _print(report, record, folder, shown)
    _write(report, record, folder, csv_file, json_file, html_file)


def _recorded_dir(record: RunRecord) -> Path:
    given = record.info.config.get("data_dir")
    return Path(given) if given else RECORDED_DIR / record.info.id


def _bars(
    record: RunRecord, folder: Path, orders: list[Order], last_fill: datetime
) -> dict[str, list[Bar]]:
    """Every bar of the orders' symbols from the first order's date on (to the run's end,
    if it has one); one error line unless each symbol's bars cover its first order."""
    from tradebot.adapters.parquet import ParquetReplayFeed

    info = record.info
    start = min(o.created_at for o in orders)
    first: dict[str, datetime] = {}
    for order in orders:
        first[order.symbol] = min(first.get(order.symbol, order.created_at), order.created_at)

    def missing(symbols: Iterable[str], why: str) -> DataError:
        until = info.data_end or last_fill
        return DataError(
            f"no bars for {info.id} ({', '.join(symbols)}) over {start:%Y-%m-%d} → "
            f"{until:%Y-%m-%d} in {folder}: pass --data DIR",
            why,
        )

    try:
        feed = ParquetReplayFeed(folder, sorted(first), info.timeframe, start, info.data_end)
        bars: dict[str, list[Bar]] = defaultdict(list)
        for bar in feed.bars():
            bars[bar.symbol].append(bar)
    except DataError as exc:
        raise missing(sorted(first), exc.message) from exc
    slack = timedelta(seconds=info.timeframe.seconds)
    uncovered = [
        s
        for s, at in sorted(first.items())
        if not bars.get(s) or bars[s][0].ts > at + slack or bars[s][-1].ts <= at
    ]
    if uncovered:
        raise missing(uncovered, f"its {info.timeframe} bars do not cover the run's orders")
    return dict(bars)


def _venue(record: RunRecord) -> VenueFactory:
    from pydantic import ValidationError

    from tradebot.backtest.drift import venue_from
    from tradebot.config import BrokerSettings

    stored = record.info.config.get("settings", {}).get("broker")
    if stored is not None:
        try:
            return venue_from(BrokerSettings.model_validate(stored))
        except ValidationError:
            err_console.print("the run's broker settings no longer load: using today's")
    return venue_from(settings_of().broker)


def _bps(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _seconds(value: float | None) -> str:
    from tradebot.backtest.report.formatting import duration

    return "n/a" if value is None else duration(value)


def _row(s: SymbolDrift) -> list[str]:
    return [
        s.symbol,
        str(s.fills),
        _bps(s.mean_bps),
        _bps(s.median_bps),
        _bps(s.p95_bps),
        _seconds(s.mean_latency_s),
        _seconds(s.mean_sim_latency_s),
        f"{s.cost:,.2f}",
        f"{s.quantity_diff.normalize():f}",
        str(s.venue_only),
        str(s.sim_only),
    ]


def _print(report: DriftReport, record: RunRecord, folder: Path, shown: int) -> None:
    table = Table(title=f"Drift — {report.run_id} ({record.info.mode.value})", header_style="bold")
    for column in ("symbol", "fills", "mean bps", "median bps", "p95 bps", "latency"):
        table.add_column(column, justify="left" if column == "symbol" else "right")
    for column in ("sim latency", "cost", "qty diff", "venue only", "sim only"):
        table.add_column(column, justify="right")
    for summary in report.by_symbol.values():
        table.add_row(*_row(summary))
    if report.overall is not None:
        table.add_section()
        table.add_row(*_row(report.overall), style="bold")
    console.print(table)
    console.print(
        f"bars from {folder}; bps > 0: the real fill was worse for us; cost: what that "
        "difference cost, in the account currency"
    )
    one_sided = report.unmatched
    if not one_sided or not shown:
        return
    more = f", the first {shown} shown" if len(one_sided) > shown else ""
    listed = Table(title=f"{len(one_sided)} orders filled on one side only{more}")
    for column in ("symbol", "order", "created (UTC)", "side", "type", "status", "what"):
        listed.add_column(column, no_wrap=column == "order")
    for item in one_sided[:shown]:
        o = item.order
        listed.add_row(
            o.symbol,
            o.client_order_id,
            f"{o.created_at:%Y-%m-%d %H:%M}",
            o.side.value,
            o.type.value,
            o.status.value,
            item.what,
        )
    console.print(listed)


def _write(
    report: DriftReport,
    record: RunRecord,
    folder: Path,
    csv_file: Path | None,
    json_file: Path | None,
    html_file: Path | None,
) -> None:
    from tradebot.backtest.drift import drift_payload, write_csv, write_html

    if csv_file is not None:
        write_csv(csv_file, report)
    if json_file is not None:
        about = {"mode": record.info.mode.value, "data_dir": str(folder)}
        write_json(json_file, drift_payload(report, **about))
    if html_file is not None:
        write_html(html_file, report, f"Drift — {report.run_id}")
