"""``tradebot backtest``, ``tradebot demo`` and ``tradebot paper``: one kernel, three entries."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sized
from contextlib import contextmanager
from datetime import UTC, datetime, time
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tradebot.cli.app import app, override_settings, settings_of
from tradebot.cli.metrics_server import MetricsPort, operating
from tradebot.cli.outputs import check_output_file, check_output_folder
from tradebot.cli.render import console, progress_bar, summary_table, trades_payload, write_json
from tradebot.cli.session_options import Exchange, Params, Strategies, Strategy, Symbols
from tradebot.config import mask_url
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.engine.kernel import Kernel, RunResult
    from tradebot.runtime.wiring import RunRequest

__all__ = ["backtest", "backtest_app", "demo", "paper"]


class Switch(StrEnum):
    """An on/off option (``--learning on``)."""

    ON = "on"
    OFF = "off"


DEMO_DATASET = "stocknet"
DEFAULT_SYMBOLS = "AAPL,MSFT"
DEMO_START, DEMO_END = "2014-01-01", "2015-12-31"


def _day(text: str | None, *, end: bool = False) -> datetime | None:
    if text is None:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ConfigError(f"bad date {text!r}", "write dates as YYYY-MM-DD") from exc
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _strategy_names(strategy: str | None, strategies: str | None) -> tuple[str, ...]:
    if strategy and strategies:
        raise ConfigError(
            "give --strategy or --strategies, not both",
            "--strategies a,b runs several through the ensemble",
        )
    text = strategies or strategy or ""
    return tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))


def _params(pairs: list[str], names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``key=value`` for a single strategy, ``strategy.key=value`` for any of several."""
    params: dict[str, dict[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"bad --param {pair!r}", "write parameters as name=value")
        owner, dot, name = key.rpartition(".")
        if not dot:
            if len(names) != 1:
                raise ConfigError(
                    f"--param {pair!r} does not say which strategy it is for",
                    "with several strategies write strategy.param=value (e.g. macd.fast=8)",
                )
            owner, name = names[0], key
        elif owner not in names:
            raise ConfigError(
                f"--param {pair!r} names strategy {owner!r}, which is not running",
                f"running: {', '.join(names) or 'the configured default'}",
            )
        params.setdefault(owner, {})[name] = value.strip()
    return params


def _symbols(text: str) -> tuple[str, ...]:
    symbols = tuple(dict.fromkeys(s.strip().upper() for s in text.split(",") if s.strip()))
    if not symbols:
        raise ConfigError("no symbols given", "pass --symbols AAPL,MSFT")
    return symbols


def _symbols_or_all(text: str | None, data_dir: Path, timeframe: Timeframe) -> tuple[str, ...]:
    """``--symbols`` when given, else every symbol ``data_dir`` holds at ``timeframe``."""
    if text is not None:
        return _symbols(text)
    from tradebot.adapters.parquet import data_symbols

    return data_symbols(data_dir, timeframe)


@contextmanager
def _stop_on_interrupt(kernel: Kernel) -> Iterator[None]:
    """Ctrl-C (SIGINT) or SIGTERM asks the kernel to stop cleanly after the current event."""

    def handler(signum: int, frame: FrameType | None) -> None:
        kernel.stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _execute(
    request: RunRequest, label: str, resume: str | None = None
) -> tuple[RunResult, Kernel]:
    """Run ``request``, or continue the recorded run ``resume`` where it stopped."""
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.runtime.resume_run import resume_kernel
    from tradebot.runtime.wiring import build_kernel, open_store

    settings = settings_of()
    store = open_store(settings, request.mode)
    try:
        if resume is None:
            kernel = build_kernel(settings, request, store)
        elif isinstance(store, SqlStore):
            kernel = resume_kernel(settings, store, resume, speed=request.speed)
        else:
            raise ConfigError("--resume needs the run's database", "set store.url")
        total = len(kernel.feed) if isinstance(kernel.feed, Sized) else None
        with (
            _stop_on_interrupt(kernel),
            _taking_commands(kernel, store),
            progress_bar(label, total) as advance,
        ):
            return kernel.run(progress=advance), kernel
    finally:
        store.close()


@contextmanager
def _taking_commands(kernel: Kernel, store: object) -> Iterator[None]:
    """A paper or live run takes operator commands (``tradebot kill``, ``pause``, ...)
    from its database while it runs: a feed thread on a store of its own, woken by
    SIGUSR1 (:mod:`tradebot.runtime.commands`). Backtests take none."""
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.runtime.commands import feeding_commands

    if kernel.run_info.mode is Mode.BACKTEST or not isinstance(store, SqlStore):
        yield
        return
    url = settings_of().store.url
    with feeding_commands(kernel, lambda: SqlStore(url)):
        yield


def _print_summary(result: RunResult, title: str) -> None:
    """The summary table, then how many entries each check stopped (when any was)."""
    from tradebot.cli.decision_tables import skip_reasons_table

    console.print(summary_table(result, title))
    if result.skip_reasons:
        console.print(skip_reasons_table(result.skip_reasons, "Skipped decisions, by reason"))


def _weights_of(run_id: str) -> dict[str, float]:
    """The final weights an earlier run ended with (learned, or the ones it kept)."""
    from tradebot.adapters.sql.store import SqlStore

    with SqlStore(settings_of().store.url) as store:
        record = store.run(run_id)
    if record is None:
        raise ConfigError(
            f"no run {run_id!r} in the database", "list them: `tradebot backtest list`"
        )
    found = (record.metrics or {}).get("final_weights") or record.info.config.get("weights")
    if not found:
        raise ConfigError(f"run {run_id} recorded no weights", "pick a finished run")
    return {str(name): float(weight) for name, weight in found.items()}


def _weight_steps(kernel: Kernel) -> dict[str, list[tuple[int, float]]]:
    """A learning run's weight path per strategy, for the report's chart (shadow weights
    are not drawn: they were never used)."""
    learning = kernel.learning
    if learning is None:
        return {}
    steps: dict[str, list[tuple[int, float]]] = {}
    first = kernel.run_info.data_start or kernel.run_info.started_at
    for name, weight in learning.initial.items():
        steps.setdefault(name, []).append((_ns(first), weight))
    for point in learning.path:
        if point.shadow:
            continue
        for name, weight in point.weights.items():
            steps.setdefault(name, []).append((_ns(point.ts), weight))
    return steps if any(len(points) > 1 for points in steps.values()) else {}


def _ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _write_reports(
    result: RunResult, kernel: Kernel, title: str, html: Path | None, csv_dir: Path | None
) -> None:
    """The HTML report and/or CSV files, with the traded symbols' closes for the markers."""
    if html is None and csv_dir is None:
        return
    from tradebot.backtest.report import report_data, write_csv, write_html

    prices = {}
    frame = getattr(kernel.feed, "frame", None)
    if frame is not None:
        for symbol in sorted({t.symbol for t in result.trades}):
            bars = frame(symbol)
            prices[symbol] = (bars.index, bars["close"].to_numpy())
    data = report_data(result, title=title, prices=prices, weights=_weight_steps(kernel))
    if html is not None:
        write_html(html, data)
        console.print(f"report:    [bold]{escape(str(html))}[/]")
    if csv_dir is not None:
        written = write_csv(csv_dir, data)
        console.print(f"CSV files: [bold]{escape(', '.join(str(p) for p in written))}[/]")


backtest_app = typer.Typer(
    help="Backtest strategies on historical bars; `list`, `show` and `compare` past runs.",
    invoke_without_command=True,
)
app.add_typer(backtest_app, name="backtest")


@backtest_app.callback(invoke_without_command=True)
def backtest(
    ctx: typer.Context,
    symbols: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated symbols (default: every symbol in --data, or AAPL,MSFT of "
            "the bundled data)."
        ),
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    strategy: Annotated[str | None, typer.Option(help="One strategy by name.")] = None,
    strategies: Annotated[
        str | None, typer.Option(help="Several strategies, combined by the ensemble.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(help="Strategy parameter name=value (strategy.name=value for several)."),
    ] = None,
    data: Annotated[Path | None, typer.Option(help="Parquet data dir (default: bundled).")] = None,
    timeframe: Annotated[Timeframe, typer.Option(help="Bar timeframe.")] = Timeframe.D1,
    news: Annotated[Path | None, typer.Option(help="News replay file (CSV/JSONL).")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write metrics and trades.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write a self-contained HTML report.")] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write trades, equity and metrics CSVs here.")
    ] = None,
    learning: Annotated[
        Switch | None,
        typer.Option(help="Learn strategy weights from closed trades (default: learning.enabled)."),
    ] = None,
    weights_from: Annotated[
        str | None,
        typer.Option(
            "--weights-from",
            metavar="RUN_ID",
            help="Start from the final (learned) weights of an earlier run.",
        ),
    ] = None,
) -> None:
    """Backtest strategies on historical bars through the full pipeline."""
    if ctx.invoked_subcommand is not None:
        return
    from tradebot.runtime.wiring import RunRequest

    check_output_file("--json", json_out)
    check_output_file("--report", report)
    check_output_folder("--csv", csv)
    if learning is not None:
        override_settings(learning={"enabled": learning is Switch.ON})
    settings = settings_of()
    names = _strategy_names(strategy, strategies) or settings.strategy.names
    chosen_dir = data or settings.data.dir
    chosen = (
        _symbols_or_all(symbols, chosen_dir, timeframe)
        if chosen_dir is not None
        else _symbols(symbols or DEFAULT_SYMBOLS)
    )
    request = RunRequest(
        symbols=chosen,
        start=_day(start),
        end=_day(end, end=True),
        strategies=names,
        params=_params(param or [], names),
        data_dir=data,
        timeframe=timeframe,
        news_file=news,
        weights=_weights_of(weights_from) if weights_from is not None else None,
    )
    result, kernel = _execute(request, "backtest")
    title = f"Backtest — {', '.join(names)}"
    _print_summary(result, title)
    if json_out is not None:
        write_json(json_out, trades_payload(result))
        console.print(f"metrics and trades written to [bold]{escape(str(json_out))}[/]")
    _write_reports(result, kernel, title, report, csv)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the result files.")] = Path(
        ".tradebot/demo"
    ),
) -> None:
    """Backtest the bundled real data (StockNet prices and tweets, 2014–2015) with news and
    learning on: the strategies' weights move with their closed trades."""
    from tradebot.adapters.parquet import available_symbols
    from tradebot.data import sample_data_dir, sample_news_file
    from tradebot.runtime.wiring import RunRequest

    check_output_folder("--out", out)
    override_settings(learning={"enabled": True})  # the demo learns its strategy weights
    data_dir = sample_data_dir(DEMO_DATASET)
    symbols = tuple(available_symbols(data_dir, Timeframe.D1))
    request = RunRequest(
        symbols=symbols,
        start=_day(DEMO_START),
        end=_day(DEMO_END, end=True),
        data_dir=data_dir,
        news_file=sample_news_file(),
    )
    result, kernel = _execute(request, "demo backtest")
    names = ", ".join(settings_of().strategy.names)
    title = f"Demo — {names} on StockNet 2014–2015 with tweets"
    _print_summary(result, title)
    write_json(out / "results.json", trades_payload(result))
    database = escape(mask_url(settings_of().store.url))
    console.print(f"database:  [bold]{database}[/] (run {result.run_id})", soft_wrap=True)
    console.print(f"results:   [bold]{escape(str(out / 'results.json'))}[/]", soft_wrap=True)
    _write_reports(result, kernel, title, out / "report.html", out)


@app.command()
def paper(
    replay: Annotated[
        bool, typer.Option(help="Replay bundled or given data in real time.")
    ] = False,
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker",
            metavar="NAME",
            help="On live data: sim (our simulated venue), alpaca (Alpaca's paper "
            "account) or ccxt (an exchange's test account).",
        ),
    ] = None,
    exchange: Exchange = None,
    speed: Annotated[float, typer.Option(help="Replay speed: real time × speed.")] = 600.0,
    symbols: Symbols = None,
    strategy: Strategy = None,
    strategies: Strategies = None,
    param: Params = None,
    data: Annotated[Path | None, typer.Option(help="Parquet data dir.")] = None,
    news: Annotated[Path | None, typer.Option(help="News replay file.")] = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume",
            metavar="RUN_ID",
            help="Continue a stopped or crashed paper run from what the database recorded.",
        ),
    ] = None,
    metrics_port: MetricsPort = None,
) -> None:
    """Paper-trade with the same kernel: a replay (--replay) or live data (--broker); stops
    cleanly on Ctrl-C (--resume continues)."""
    from tradebot.data import sample_data_dir, sample_news_file
    from tradebot.runtime.wiring import RunRequest

    if replay and broker is not None:
        raise ConfigError(
            "give --replay or --broker, not both",
            "--replay replays files; --broker trades live data",
        )
    if broker is not None:
        from tradebot.cli.live_commands import broker_name, run_session

        if data is not None or news is not None:
            raise ConfigError("--data and --news are for --replay", "drop them with --broker")
        with operating(metrics_port):
            run_session(
                Mode.PAPER,
                broker_name(broker, live=False),
                symbols=symbols,
                strategy=strategy,
                strategies=strategies,
                params=param or [],
                exchange=exchange,
                resume=resume,
            )
        return
    if not replay:
        raise ConfigError(
            "paper trading needs a data source",
            "use `tradebot paper --broker sim|alpaca|ccxt` on live data, or `--replay`",
        )
    if strategy or strategies or param:
        raise ConfigError(
            "--strategy, --strategies and --param are for --broker sessions",
            "a replay runs the configured strategies (strategy.names)",
        )
    if speed <= 0:
        raise ConfigError(f"--speed must be > 0 (got {speed})", "pass e.g. --speed 600")
    if resume is not None and (symbols or data or news):
        raise ConfigError(
            "--resume continues the run with its own symbols, data and news",
            "drop --symbols, --data and --news",
        )
    data_dir = data or sample_data_dir(DEMO_DATASET)
    chosen = _symbols_or_all(symbols, data_dir, Timeframe.D1)
    news_file = news if news is not None else (sample_news_file() if data is None else None)
    request = RunRequest(
        symbols=chosen, data_dir=data_dir, news_file=news_file, mode=Mode.PAPER, speed=speed
    )
    with operating(metrics_port):
        result, _ = _execute(request, f"paper replay ×{speed:g}", resume)
    _print_summary(result, "Paper replay")
