"""A venue's SDK is an optional extra: a session asked of a venue whose SDK is missing ends
in one line naming the extra to install (the SDK made unimportable for the test)."""

from __future__ import annotations

import sys

import pytest

from tradebot.config import load_settings
from tradebot.domain import Mode
from tradebot.domain.errors import ConfigError
from tradebot.runtime.live import LiveRequest
from tradebot.runtime.venues import open_venue


@pytest.mark.parametrize(
    ("broker", "module", "extra"),
    [
        ("alpaca", "tradebot.runtime.alpaca_venue", "tradebot[alpaca]"),
        ("ccxt", "tradebot.runtime.ccxt_venue", "tradebot[crypto]"),
    ],
)
def test_a_missing_sdk_is_one_line_naming_its_extra(
    monkeypatch: pytest.MonkeyPatch, broker: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the SDK were not installed
    request = LiveRequest(mode=Mode.PAPER, broker=broker, symbols=("AAPL",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as missing:
        open_venue(load_settings(), request)
    line = missing.value.one_line()
    assert "is not installed" in line and f"pip install '{extra}'" in line
