"""Alpaca assets, bars and news as our :class:`Instrument`, :class:`Bar` and
:class:`Article`.

- An asset's lot is its ``min_trade_increment`` when it is fractionable, else one share;
  an equity's tick is $0.01 with the sub-dollar $0.0001 of rule 612 (Alpaca's
  ``price_increment`` where it says more, as for crypto).
- **Bars:** Alpaca stamps a bar with the time its interval *opens* (``t``); a tradebot
  :class:`Bar` is stamped with its *close* (the moment it is known): ``ts = t + timeframe``.
  A daily bar from Alpaca (``t`` = midnight New York) closes 24 h later by this rule; the
  live session trades minute bars.
- **News:** an article's tickers are the item's ``symbols``; its body is the summary, or
  the content when there is no summary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from alpaca.data.models import Bar as AlpacaBar
from alpaca.data.models import News
from alpaca.trading.enums import AssetClass as AlpacaAssetClass
from alpaca.trading.models import Asset

from tradebot.adapters.alpaca.convert_orders import decimal_of
from tradebot.adapters.news.file_replay import content_hash
from tradebot.domain.bar import Bar, validate_bar
from tradebot.domain.enums import Timeframe
from tradebot.domain.instrument import US_EQUITY_CALENDAR, AssetClass, Instrument
from tradebot.domain.messages import Article

__all__ = ["article_of_news", "bar_of_alpaca", "instrument_of_asset"]

_CENT = Decimal("0.01")
_SUB_DOLLAR_TICK = Decimal("0.0001")
_ONE = Decimal(1)


def instrument_of_asset(asset: Asset) -> Instrument:
    """The instrument an Alpaca asset describes (tradability is the caller's check)."""
    crypto = asset.asset_class == AlpacaAssetClass.CRYPTO
    increment = decimal_of(asset.min_trade_increment)
    fractional = bool(asset.fractionable) and increment is not None and bool(increment % 1)
    lot = increment if fractional and increment is not None else _ONE
    minimum = decimal_of(asset.min_order_size) or lot
    tick = decimal_of(asset.price_increment)
    if crypto:
        return Instrument(
            symbol=asset.symbol,
            asset_class=AssetClass.CRYPTO,
            tick_size=tick or _CENT,
            lot_size=lot,
            min_quantity=max(minimum, lot),
            min_notional=Decimal(0),
            fractional=fractional,
            calendar=None,
            currency="USD",
        )
    return Instrument(
        symbol=asset.symbol,
        asset_class=AssetClass.EQUITY,
        tick_size=_CENT,
        sub_dollar_tick=_SUB_DOLLAR_TICK,
        lot_size=lot,
        min_quantity=max(minimum, lot),
        min_notional=Decimal(0),
        fractional=fractional,
        calendar=US_EQUITY_CALENDAR,
        currency="USD",
    )


def bar_of_alpaca(bar: AlpacaBar, timeframe: Timeframe) -> Bar:
    """Our bar, stamped at its close (Alpaca's ``t`` is its open), checked at the border."""
    opened = bar.timestamp.astimezone(UTC)
    return validate_bar(
        Bar(
            bar.symbol,
            timeframe,
            opened + timedelta(seconds=timeframe.seconds),
            float(bar.open),
            float(bar.high),
            float(bar.low),
            float(bar.close),
            float(bar.volume),
        )
    )


def article_of_news(news: News, source: str = "alpaca") -> Article:
    """An :class:`Article` of an Alpaca news item; published at its ``created_at``."""
    body = news.summary or news.content or ""
    published: datetime = news.created_at.astimezone(UTC)
    return Article(
        source=f"{source}:{news.source}" if news.source else source,
        url=news.url or f"alpaca://news/{news.id}",
        title=news.headline,
        body=body,
        published_at=published,
        content_hash=content_hash(news.headline, body),
        symbols_hint=tuple(dict.fromkeys(s.upper() for s in news.symbols)),
    )
