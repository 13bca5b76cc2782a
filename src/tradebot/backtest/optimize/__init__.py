"""Parameter optimisation on the kernel: grid, random and optuna search, walk-forward folds,
local or Dask-parallel evaluation, and reports. See README.md in this folder."""

from tradebot.backtest.optimize.evaluate import evaluate, make_task, settings_payload
from tradebot.backtest.optimize.executor import Executor
from tradebot.backtest.optimize.folds import Fold, Window, make_folds, timeline_dates
from tradebot.backtest.optimize.objective import OBJECTIVES, best_index, ranked, score
from tradebot.backtest.optimize.space import Axis, ParamSpace, parse_axis, parse_space
from tradebot.backtest.optimize.study import (
    METHODS,
    FoldResult,
    StudyConfig,
    StudyResult,
    check_study,
    run_study,
)

__all__ = [
    "METHODS",
    "OBJECTIVES",
    "Axis",
    "Executor",
    "Fold",
    "FoldResult",
    "ParamSpace",
    "StudyConfig",
    "StudyResult",
    "Window",
    "best_index",
    "check_study",
    "evaluate",
    "make_folds",
    "make_task",
    "parse_axis",
    "parse_space",
    "ranked",
    "run_study",
    "score",
    "settings_payload",
    "timeline_dates",
]
