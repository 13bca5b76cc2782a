"""``tradebot live`` and the live-data half of ``tradebot paper`` (``--broker``).

``paper --broker sim`` trades our simulated venue on a venue's live bars; ``paper --broker
alpaca`` Alpaca's paper account; ``live --broker alpaca|ccxt --confirm-live`` real money.
Each session stops cleanly on Ctrl-C or SIGTERM, takes ``tradebot kill|pause|resume|flatten
RUN_ID`` from another shell, and continues after a crash with ``--resume RUN_ID``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tradebot.cli.app import app, override_settings, settings_of
from tradebot.cli.metrics_server import MetricsPort, operating
from tradebot.cli.render import console, progress_bar
from tradebot.cli.run_commands import (
    _params,
    _print_summary,
    _stop_on_interrupt,
    _strategy_names,
    _symbols,
    _taking_commands,
)
from tradebot.cli.session_options import Exchange, Params, Strategies, Strategy, Symbols
from tradebot.domain.enums import Mode
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.engine.run_result import RunResult
    from tradebot.runtime.live import BrokerName

__all__ = ["live", "run_session"]

_BROKERS = ("sim", "alpaca", "ccxt")
_DEFAULT_SYMBOLS = {"sim": "AAPL,MSFT", "alpaca": "AAPL,MSFT", "ccxt": "BTC/USDT"}


def broker_name(text: str, *, live: bool) -> BrokerName:
    """``--broker`` checked: sim, alpaca or ccxt (live: a real venue only)."""
    allowed = _BROKERS[1:] if live else _BROKERS
    if text not in allowed:
        raise ConfigError(f"unknown --broker {text!r}", f"choose one of: {', '.join(allowed)}")
    return text  # type: ignore[return-value]


def run_session(
    mode: Mode,
    broker: BrokerName,
    *,
    symbols: str | None,
    strategy: str | None,
    strategies: str | None,
    params: list[str],
    exchange: str | None,
    resume: str | None,
    confirm_live: bool = False,
) -> RunResult:
    """Open the session (checks, restore, reconcile), run it until stopped, summarise."""
    from tradebot.runtime.live import LiveRequest
    from tradebot.runtime.session import open_session

    settings = settings_of() if exchange is None else override_settings(live={"exchange": exchange})
    if resume is not None and (symbols or strategy or strategies or params):
        raise ConfigError(
            "--resume continues the session with its own symbols and strategies",
            "drop --symbols, --strategy, --strategies and --param",
        )
    names = _strategy_names(strategy, strategies)
    request = LiveRequest(
        mode=mode,
        broker=broker,
        symbols=_symbols(symbols or _DEFAULT_SYMBOLS[broker]),
        strategies=names,
        params=_params(params, names),
    )
    session = open_session(settings, request, resume=resume, confirm_live=confirm_live)
    kernel = session.kernel
    run_id = kernel.run_info.id
    try:
        console.print(
            f"{mode} session [bold]{escape(run_id)}[/] on {escape(session.venue.name)}: "
            f"{', '.join(kernel.run_info.symbols)}",
            soft_wrap=True,
        )
        first = session.first
        if first is not None:
            line = (
                "book reconciled"
                if first.ok
                else f"HALTED: {first.halt_reason().removeprefix('reconciliation: ')}"
            )
            console.print(f"reconciliation: {escape(line)}", soft_wrap=True)
        console.print(
            f"stop with Ctrl-C; from another shell: `tradebot kill {run_id}`", soft_wrap=True
        )
        with (
            _stop_on_interrupt(kernel),
            _taking_commands(kernel, session.store),
            progress_bar(f"{mode} via {broker}", None) as advance,
        ):
            result = kernel.run(progress=advance, every=1)
    finally:
        session.close()
    _print_summary(result, f"{mode.value.capitalize()} session {run_id}")
    return result


@app.command()
def live(
    broker: Annotated[
        str, typer.Option("--broker", metavar="NAME", help="The venue: alpaca or ccxt.")
    ],
    confirm_live: Annotated[
        bool,
        typer.Option("--confirm-live", help="Trade real money (refused without it)."),
    ] = False,
    exchange: Exchange = None,
    symbols: Symbols = None,
    strategy: Strategy = None,
    strategies: Strategies = None,
    param: Params = None,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", metavar="RUN_ID", help="Continue a stopped or crashed live session."
        ),
    ] = None,
    metrics_port: MetricsPort = None,
) -> None:
    """Trade live: the same kernel on a venue's live data, with real orders.

    Refuses to start without --confirm-live, the venue's API keys in the environment, a
    reachable venue, or a book that reconciles with the venue."""
    with operating(metrics_port):
        run_session(
            Mode.LIVE,
            broker_name(broker, live=True),
            symbols=symbols,
            strategy=strategy,
            strategies=strategies,
            params=param or [],
            exchange=exchange,
            resume=resume,
            confirm_live=confirm_live,
        )
