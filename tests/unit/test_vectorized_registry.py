"""The vectorised registry: strategies by name, the kernel's parameters, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

import tradebot.backtest.vectorized as vectorized
from tradebot.backtest.vectorized import (
    VECTORISED,
    VectorResult,
    cross_signals,
    simulate,
    simulate_all_in,
    sma_cross_backtest,
    vector_backtest,
    vector_signals,
)
from tradebot.domain.errors import ConfigError, DataError
from tradebot.strategies.macd import MacdParams
from tradebot.strategies.sma_cross import SmaCrossParams

CLOSE = np.round(50 + 5 * np.sin(np.arange(400) / 7.0), 2)
OPEN = np.concatenate(([50.0], CLOSE[:-1]))


def test_the_three_kernel_checked_strategies_are_registered() -> None:
    assert sorted(VECTORISED) == ["macd", "mean_reversion", "sma_cross"]
    for name, spec in VECTORISED.items():
        assert spec.name == name


def test_the_public_surface_is_fenced_and_the_old_names_still_work() -> None:
    assert all(hasattr(vectorized, name) for name in vectorized.__all__)
    assert {"VectorResult", "cross_signals", "simulate_all_in", "sma_cross_backtest"} <= set(
        vectorized.__all__
    )
    assert simulate_all_in is simulate
    up, _ = cross_signals(CLOSE, 10, 30)
    old = sma_cross_backtest(OPEN, CLOSE)
    new = vector_backtest("sma_cross", OPEN, CLOSE, {"fast": 10, "slow": 30})
    assert isinstance(old, VectorResult)
    assert old.entries.tolist() == new.entries.tolist() == (np.flatnonzero(up) + 1).tolist()
    assert old.exits.tolist() == new.exits.tolist()
    assert old.final_equity == new.final_equity


def test_a_params_instance_is_taken_as_is() -> None:
    by_model = vector_signals("macd", CLOSE, MacdParams(fast=5, slow=13, signal=4))
    by_mapping = vector_signals("macd", CLOSE, {"fast": 5, "slow": 13, "signal": 4})
    assert all(np.array_equal(a, b) for a, b in zip(by_model, by_mapping, strict=True))
    assert by_model[0].any() and by_model[1].any()


def test_an_unknown_strategy_names_the_ones_there_are() -> None:
    with pytest.raises(ConfigError) as err:
        vector_backtest("bollinger", OPEN, CLOSE)
    assert "bollinger" in err.value.message
    assert "macd" in err.value.hint


def test_a_bad_parameter_is_the_strategy_models_one_line_error() -> None:
    with pytest.raises(ConfigError) as err:
        vector_backtest("mean_reversion", OPEN, CLOSE, {"period": 1})
    assert "'period'" in err.value.message
    assert "2 <= period" in err.value.message
    with pytest.raises(ConfigError, match="unknown parameter 'speed'"):
        vector_signals("macd", CLOSE, {"speed": 3})


def test_parameters_of_another_strategy_are_refused() -> None:
    with pytest.raises(ConfigError, match="takes MacdParams, got SmaCrossParams"):
        vector_signals("macd", CLOSE, SmaCrossParams())


def test_non_finite_closes_are_a_data_error_naming_the_bar() -> None:
    bad = CLOSE.copy()
    bad[17] = np.nan
    with pytest.raises(DataError, match="close at bar 17 is nan"):
        vector_signals("mean_reversion", bad)


def test_sma_cross_refuses_a_threshold_its_crosses_cannot_be_filtered_by() -> None:
    with pytest.raises(ConfigError, match=r"threshold below 0\.5"):
        vector_signals("sma_cross", CLOSE, threshold=0.5)


def test_simulate_refuses_columns_of_different_lengths() -> None:
    flags = np.zeros(len(CLOSE), dtype=bool)
    with pytest.raises(ValueError, match="one value per bar"):
        simulate(OPEN[:-1], CLOSE, flags, flags)
