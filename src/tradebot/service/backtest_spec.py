"""What a background backtest is asked to do, checked, and turned into what the CLI builds.

:func:`prepare` turns a :class:`BacktestSpec` into the settings and the
:class:`~tradebot.runtime.wiring.RunRequest` that ``tradebot backtest`` would build from
the same choices — dates to the same instants (the first day's 00:00, the last day's end),
costs and capital and learning as overrides of the settings, the bundled news file when
news is on — so a job gives the CLI's result exactly. It checks what it can before the job
is queued, each failure one line: unknown symbols, an empty or reversed date range, unknown
strategies or parameters, weights that do not name every strategy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from tradebot.adapters.parquet import available_symbols
from tradebot.adapters.parquet.feed import ParquetReplayFeed
from tradebot.config import Settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError, DataError
from tradebot.risk.tiers import TierName as RiskTier
from tradebot.runtime.ranges import check_dates, require_bars
from tradebot.runtime.wiring import RunRequest
from tradebot.strategies.registry import load_registry, make_factory

__all__ = ["DATASETS", "BacktestSpec", "Dataset", "PreparedJob", "prepare"]

Dataset = Literal["equities_daily", "stocknet"]
DATASETS: tuple[str, ...] = ("equities_daily", "stocknet")
_DEFAULT_DATA = "equities_daily"


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestSpec:
    """The choices of one backtest (None: the settings' value, as the CLI's defaults)."""

    symbols: tuple[str, ...]
    start: date
    end: date
    timeframe: Timeframe = Timeframe.D1
    strategies: tuple[str, ...] = ()
    weights: Mapping[str, float] | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    initial_capital: Decimal | None = None
    commission_rate: Decimal | None = None
    slippage_bps: Decimal | None = None
    news: bool = False
    learning: bool | None = None
    risk_tier: RiskTier | None = None
    """The autonomous risk engine's tier for the run (None: the settings' ``risk.tier``)."""
    dataset: Dataset | None = None
    """A bundled data set; None: ``data.dir``, else the bundled daily equities (the CLI's
    default without ``--data``)."""


@dataclass(frozen=True, slots=True)
class PreparedJob:
    settings: Settings
    request: RunRequest


def prepare(base: Settings, spec: BacktestSpec) -> PreparedJob:
    """The job's settings and request, checked (module docstring)."""
    settings = _settings(base, spec)
    names = tuple(dict.fromkeys(spec.strategies)) or settings.strategy.names
    symbols = tuple(dict.fromkeys(s.strip().upper() for s in spec.symbols if s.strip()))
    if not symbols:
        raise ConfigError("no symbols given", "name at least one symbol, e.g. AAPL")
    data_dir = _data_dir(settings, spec.dataset)
    start = datetime.combine(spec.start, time.min, tzinfo=UTC)
    end = datetime.combine(spec.end, time.max, tzinfo=UTC)
    check_dates(start, end)
    _check_symbols(data_dir, symbols, spec.timeframe)
    feed = ParquetReplayFeed(data_dir, symbols, spec.timeframe, start, end)
    require_bars(feed, start, end)
    params = {name: dict(values) for name, values in spec.params.items()}
    _check_strategies(settings, names, params, spec.weights)
    request = RunRequest(
        symbols=symbols,
        start=start,
        end=end,
        strategies=names,
        params=params,
        data_dir=data_dir if spec.dataset is not None else None,
        timeframe=spec.timeframe,
        news_file=sample_news_file() if spec.news else None,
        weights=None if spec.weights is None else dict(spec.weights),
    )
    return PreparedJob(settings, request)


def _settings(base: Settings, spec: BacktestSpec) -> Settings:
    """``base`` with the job's capital, costs and learning (validated like the file)."""
    broker: dict[str, Any] = {}
    if spec.initial_capital is not None:
        broker["initial_cash"] = spec.initial_capital
    if spec.commission_rate is not None:
        broker["commission_rate"] = spec.commission_rate
    if spec.slippage_bps is not None:
        broker["slippage_bps"] = spec.slippage_bps
    sections: dict[str, dict[str, Any]] = {"broker": broker}
    if spec.learning is not None:
        sections["learning"] = {"enabled": spec.learning}
    if spec.risk_tier is not None:
        sections["risk"] = {"tier": spec.risk_tier}
    merged = base.model_dump(mode="python")
    for name, fields in sections.items():
        merged[name] = {**merged[name], **fields}
    try:
        return type(base).model_validate(merged)
    except ValueError as exc:
        raise ConfigError(f"bad backtest settings: {exc}".splitlines()[0], "") from exc


def _data_dir(settings: Settings, dataset: Dataset | None) -> Path:
    if dataset is not None:
        return sample_data_dir(dataset)
    return settings.data.dir or sample_data_dir(_DEFAULT_DATA)


def _check_symbols(data_dir: Path, symbols: tuple[str, ...], timeframe: Timeframe) -> None:
    held = set(available_symbols(data_dir, timeframe))
    unknown = [s for s in symbols if s not in held]
    if unknown:
        shown = ", ".join(sorted(held)[:20]) or "none"
        raise DataError(
            f"no {timeframe.value} data for {', '.join(unknown)}",
            f"the data holds: {shown}",
        )


def _check_strategies(
    settings: Settings,
    names: tuple[str, ...],
    params: dict[str, dict[str, Any]],
    weights: Mapping[str, float] | None,
) -> None:
    stray = [name for name in params if name not in names]
    if stray:
        raise ConfigError(
            f"params name strategy {stray[0]!r}, which is not running",
            f"running: {', '.join(names)}",
        )
    registry = load_registry(settings.strategy.dir)
    for name in names:
        make_factory(
            name, settings.strategy.params.get(name, {}) | params.get(name, {}), registry=registry
        )
    if weights is not None:
        missing = [name for name in names if name not in weights]
        if missing:
            raise ConfigError(
                f"no starting weight for {', '.join(missing)}",
                "give every running strategy a weight, or none",
            )
