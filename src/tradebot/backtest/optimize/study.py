"""A study: search a parameter space, optionally walk forward, and collect every evaluation.

Without walk-forward the whole period is one in-sample window and the answer is its best
parameter set. With ``walk_forward=N`` the bar timeline is cut into N folds; in each, the
search runs on the in-sample part only, the best set (by the objective, first argmax) is then
run once on the out-of-sample part, and the out-of-sample parts are chained for an overall
score — the estimate of how the *procedure* would have done, since no out-of-sample bar was
seen when its parameters were chosen.

Grid and random searches submit every (window, candidate) at once, so all cores stay busy;
optuna asks in fixed-size batches (see :mod:`.optuna_search`). Results are in task order,
which makes the outcome independent of the number of workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from tradebot.backtest.optimize.evaluate import make_task
from tradebot.backtest.optimize.executor import Executor, Task
from tradebot.backtest.optimize.folds import Fold, Window, make_folds, timeline_dates, whole_period
from tradebot.backtest.optimize.objective import (
    best_index,
    check_objective,
    score,
    stitched_metrics,
)
from tradebot.backtest.optimize.space import ParamSpace, Validity
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError

__all__ = ["METHODS", "FoldResult", "StudyConfig", "StudyResult", "check_study", "run_study"]

METHODS = ("grid", "random", "optuna")


@dataclass(frozen=True, slots=True)
class StudyConfig:
    """Everything a study needs; ``settings`` is the JSON payload of the settings."""

    strategy: str
    space: ParamSpace
    symbols: tuple[str, ...]
    data_dir: Path
    settings: dict[str, Any]
    start: datetime | None = None
    end: datetime | None = None
    timeframe: Timeframe = Timeframe.D1
    method: str = "grid"
    trials: int = 50
    seed: int = 0
    objective: str = "sharpe"
    walk_forward: int = 0
    train_fraction: float = 0.7

    def validity(self) -> Validity:
        """The strategy's parameter check, with the configured parameters underneath."""
        section = self.settings.get("strategy", {})
        user_dir = section.get("dir")
        base = section.get("params", {}).get(self.strategy, {})
        return Validity(self.strategy, Path(user_dir) if user_dir else None, base)


@dataclass(frozen=True, slots=True)
class FoldResult:
    fold: Fold
    best_params: dict[str, Any] | None
    train_score: float | None
    test: dict[str, Any] | None
    test_score: float | None


@dataclass(slots=True)
class StudyResult:
    config: StudyConfig
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    folds: list[FoldResult] = field(default_factory=list)
    out_of_sample: dict[str, Any] | None = None

    @property
    def best(self) -> dict[str, Any] | None:
        """The best in-sample evaluation (of the last fold with walk-forward)."""
        last = self.evaluations
        if self.folds:
            last = [e for e in self.evaluations if e["fold"] == self.folds[-1].fold.index]
        i = best_index(last, self.config.objective)
        return None if i is None else last[i]


def check_study(config: StudyConfig) -> None:
    """Refuse an unknown method or objective, an empty space or an unknown parameter
    (before any work starts)."""
    if config.method not in METHODS:
        raise ConfigError(
            f"unknown method {config.method!r}", f"choose one of: {', '.join(METHODS)}"
        )
    check_objective(config.objective)
    if not config.space.axes:
        raise ConfigError("no --param given", "pass at least one, e.g. --param fast=5:20:5")
    config.validity().require_known(config.space)


def _candidates(config: StudyConfig, skipped: Counter[str]) -> list[dict[str, Any]]:
    """Valid combinations for grid / random search; the invalid ones are counted by reason."""
    combos = (
        list(config.space.grid())
        if config.method == "grid"
        else config.space.sample(config.trials, config.seed)
    )
    validity = config.validity()
    valid = []
    for params in combos:
        reason = validity.check(params)
        if reason is None:
            valid.append(params)
        else:
            skipped[reason] += 1
    return valid


def _windows(config: StudyConfig) -> tuple[list[Window], list[Fold]]:
    days = timeline_dates(
        config.data_dir, config.symbols, config.timeframe, config.start, config.end
    )
    if config.walk_forward:
        folds = make_folds(days, config.walk_forward, config.train_fraction)
        return [f.train for f in folds], folds
    return [whole_period(days)], []


def _periods(tests: list[dict[str, Any]]) -> float:
    """Periods per year the kernel annualised with (252 equities, 365 crypto)."""
    for test in tests:
        value = test.get("metrics", {}).get("periods_per_year")
        if value:
            return float(value)
    return 252.0


def _task(config: StudyConfig, params: dict[str, Any], *, window: Window, returns: bool) -> Task:
    return make_task(
        settings=config.settings,
        strategy=config.strategy,
        params=params,
        symbols=config.symbols,
        window=window.as_dict(),
        data_dir=config.data_dir,
        timeframe=config.timeframe.value,
        returns=returns,
    )


def _label(results: list[dict[str, Any]], fold: int, objective: str) -> list[dict[str, Any]]:
    for r in results:
        r["fold"] = fold
        r["phase"] = "in_sample"
        r["score"] = score(r, objective)
    return results


def run_study(
    config: StudyConfig,
    *,
    jobs: int = 1,
    cluster: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StudyResult:
    """Run the study; ``progress`` gets (evaluations done, evaluations planned)."""
    check_study(config)
    windows, folds = _windows(config)
    result = StudyResult(config)
    with Executor(jobs=jobs, cluster=cluster, progress=progress) as executor:
        if config.method == "optuna":
            executor.total = config.trials * len(windows) + len(folds)
            from tradebot.backtest.optimize.optuna_search import optuna_search

            for k, window in enumerate(windows):
                found = optuna_search(
                    config,
                    executor,
                    partial(_task, config, window=window, returns=False),
                    result.skipped if k == 0 else Counter(),
                )
                result.evaluations += _label(found, k + 1 if folds else 0, config.objective)
        else:
            candidates = _candidates(config, result.skipped)
            executor.total = len(candidates) * len(windows) + len(folds)
            tasks = [_task(config, p, window=w, returns=False) for w in windows for p in candidates]
            found = executor.map(tasks)
            for k in range(len(windows)):
                chunk = found[k * len(candidates) : (k + 1) * len(candidates)]
                result.evaluations += _label(chunk, k + 1 if folds else 0, config.objective)
        if folds:
            result.folds = _walk_forward(config, executor, folds, result.evaluations)
            tests = [f.test for f in result.folds if f.test is not None]
            result.out_of_sample = stitched_metrics(tests, _periods(tests))
    return result


def _walk_forward(
    config: StudyConfig, executor: Executor, folds: list[Fold], evaluations: list[dict[str, Any]]
) -> list[FoldResult]:
    chosen: list[tuple[Fold, dict[str, Any] | None, float | None]] = []
    for fold in folds:
        mine = [e for e in evaluations if e["fold"] == fold.index]
        i = best_index(mine, config.objective)
        if i is None:
            chosen.append((fold, None, None))
        else:
            chosen.append((fold, mine[i]["params"], mine[i]["score"]))
    tasks = [_task(config, p, window=f.test, returns=True) for f, p, _ in chosen if p is not None]
    tested = iter(executor.map(tasks))
    out = []
    for fold, params, train_score in chosen:
        test = next(tested) if params is not None else None
        if test is not None:
            test["fold"], test["phase"] = fold.index, "out_of_sample"
            test["score"] = score(test, config.objective)
        out.append(
            FoldResult(fold, params, train_score, test, None if test is None else test["score"])
        )
    return out
