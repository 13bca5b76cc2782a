"""The dashboard's backtest form picks a risk tier: it reaches the job's settings, and an
unknown tier is refused as a 422 naming the field, like every other bad body."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tradebot.api.schemas.backtests import BacktestIn
from tradebot.config import load_settings
from tradebot.risk.tiers import TierName
from tradebot.service.backtest_spec import BacktestSpec, prepare


def test_the_chosen_tier_is_the_jobs_tier_and_unset_keeps_the_settings() -> None:
    base = load_settings(risk={"tier": "moderate"})
    spec = BacktestSpec(
        symbols=("AAPL",),
        start=date(2019, 1, 1),
        end=date(2019, 6, 30),
        risk_tier=TierName.AGGRESSIVE,
    )
    assert prepare(base, spec).settings.risk.tier is TierName.AGGRESSIVE
    unset = BacktestSpec(symbols=("AAPL",), start=date(2019, 1, 1), end=date(2019, 6, 30))
    assert prepare(base, unset).settings.risk.tier is TierName.MODERATE


def test_the_body_carries_the_tier_into_the_spec() -> None:
    body = {"symbols": ["AAPL"], "start": "2019-01-01", "end": "2019-06-30"}
    assert BacktestIn.model_validate({**body, "risk_tier": "conservative"}).spec().risk_tier is (
        TierName.CONSERVATIVE
    )
    assert BacktestIn.model_validate(body).spec().risk_tier is None


def test_an_unknown_tier_is_a_422_naming_the_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"symbols": ["AAPL"], "start": "2019-01-01", "end": "2019-06-30", "risk_tier": "yolo"}
    refused = client.post("/api/backtests", json=body, headers=headers)
    assert refused.status_code == 422
    assert "risk_tier" in refused.text
