"""Optuna's TPE sampler over the same discrete space as the grid (optional extra).

Each ranged axis is offered to optuna as an integer index into its values, so every
suggestion is exactly a grid point (no float drift like 0.30000000000000004) and TPE still
sees the ordering. Trials are asked in batches of a fixed size, evaluated in parallel, then
told in order: the sampler's history — and so its next suggestions — depends on the seed and
the batch size only, never on how many workers ran the batch. Invalid combinations are told
as failed (TPE then avoids them) and counted as skipped; a repeated suggestion reuses the
first evaluation rather than running the kernel again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradebot.backtest.optimize.executor import Executor, Task
from tradebot.backtest.optimize.objective import score
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.backtest.optimize.study import StudyConfig

__all__ = ["BATCH", "optuna_search"]

BATCH = 8


def _optuna() -> Any:
    try:
        import optuna
    except ImportError as exc:
        raise ConfigError(
            "--method optuna needs optuna, which is not installed",
            "pip install 'tradebot[research]', or use --method grid or random",
        ) from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _suggest(trial: Any, config: StudyConfig) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for axis in config.space.axes:
        if len(axis.values) == 1:
            params[axis.name] = axis.values[0]
        else:
            params[axis.name] = axis.values[trial.suggest_int(axis.name, 0, len(axis.values) - 1)]
    return params


def _key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


def optuna_search(
    config: StudyConfig,
    executor: Executor,
    task_of: Callable[[dict[str, Any]], Task],
    skipped: Counter[str],
) -> list[dict[str, Any]]:
    """``config.trials`` TPE trials; returns each distinct evaluated set once, in ask order."""
    optuna = _optuna()
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=config.seed)
    )
    failed = optuna.trial.TrialState.FAIL
    validity = config.validity()
    seen: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
    found: list[dict[str, Any]] = []
    remaining = config.trials
    while remaining > 0:
        batch = [study.ask() for _ in range(min(BATCH, remaining))]
        remaining -= len(batch)
        asked = [(trial, _suggest(trial, config)) for trial in batch]
        reasons = [validity.check(params) for _, params in asked]
        fresh: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        for (_, params), reason in zip(asked, reasons, strict=True):
            if reason is None and _key(params) not in seen:
                fresh.setdefault(_key(params), params)
        for key, result in zip(
            fresh, executor.map([task_of(p) for p in fresh.values()]), strict=True
        ):
            seen[key] = result
            found.append(result)
        for (trial, params), reason in zip(asked, reasons, strict=True):
            if reason is not None:
                skipped[reason] += 1
                study.tell(trial, state=failed)
                executor.tick()
                continue
            value = score(seen[_key(params)], config.objective)
            if value is None:
                study.tell(trial, state=failed)
            else:
                study.tell(trial, value)
        for _ in range(reasons.count(None) - len(fresh)):  # repeats: no kernel run
            executor.tick()
    return found
