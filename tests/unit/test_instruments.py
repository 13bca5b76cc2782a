"""The bundled instrument table and the provider over it: what every shipped symbol may be
traded in, fractional against whole shares, and what an unknown symbol gets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradebot.adapters.instruments import (
    FRACTIONAL_SHARE_LOT,
    BundledInstruments,
    bundled_instruments,
    parse_instruments,
    us_equity,
)
from tradebot.adapters.parquet.layout import available_symbols
from tradebot.data import SAMPLE_SETS, sample_data_dir
from tradebot.data.symbols import read_symbol_rows
from tradebot.domain.enums import OrderSide, Timeframe
from tradebot.domain.errors import ConfigError, DataError, UnknownSymbolError
from tradebot.domain.instrument import AssetClass, Instrument
from tradebot.ports import InstrumentProvider
from tradebot.risk import AssetClass as RiskAssetClass

D = Decimal
HEADER = (
    "symbol,asset_class,currency,tick_size,sub_dollar_tick,lot_size,min_quantity,"
    "min_notional,calendar,source\n"
)


def _bundled_symbols() -> set[str]:
    bars = {
        s for name in SAMPLE_SETS for s in available_symbols(sample_data_dir(name), Timeframe.D1)
    }
    return bars | {row["symbol"] for row in read_symbol_rows().sp500}


def test_every_bundled_symbol_has_a_row() -> None:
    symbols = _bundled_symbols()
    provider = BundledInstruments(unlisted_equities=False)
    assert {"AAPL", "SPY", "BABA", "PCLN", "FB", "BRK.B"} <= symbols
    assert [s for s in sorted(symbols) if not provider.listed(s)] == []
    made = provider.instruments(sorted(symbols))
    assert {i.asset_class for i in made.values()} == {AssetClass.EQUITY}
    assert {(i.calendar, i.currency, i.lot_size, i.tick_size) for i in made.values()} == {
        ("XNYS", "USD", D(1), D("0.01"))
    }


def test_equities_follow_rule_612_and_trade_whole_shares() -> None:
    aapl = BundledInstruments().instrument("AAPL")
    assert aapl == us_equity("AAPL")
    assert (aapl.sub_dollar_tick, aapl.fractional, aapl.min_quantity) == (D("0.0001"), False, D(1))
    assert aapl.round_price(D("101.237"), OrderSide.BUY) == D("101.23")
    assert aapl.round_price(D("101.231"), OrderSide.SELL) == D("101.24")
    assert aapl.round_price(D("0.56789"), OrderSide.BUY) == D("0.5678")
    assert aapl.round_price(D("0.99995"), OrderSide.SELL) == D("1.00")
    assert aapl.round_quantity(D("3.99")) == 3
    assert aapl.check(D("0.5"), D(100)) == "quantity 0.5 of AAPL is not a multiple of its lot 1"
    assert aapl.check(D(3), D(100)) is None


def test_crypto_pairs_carry_their_venue_filters() -> None:
    provider = BundledInstruments(fractional_equities=True)
    btc = provider.instrument("BTC/USDT")
    assert (btc.asset_class, btc.calendar, btc.currency) == (AssetClass.CRYPTO, None, "USDT")
    assert (btc.tick_size, btc.lot_size, btc.min_quantity, btc.min_notional) == (
        D("0.01"),
        D("0.00001"),
        D("0.00001"),
        D(5),
    )
    assert btc.fractional
    assert btc.round_quantity(D("0.123456789")) == D("0.12345")
    assert btc.check(D("0.0001"), D(20_000)) == (
        "notional 2.0000 USDT of BTC/USDT is below its minimum 5 USDT"
    )
    assert btc.check(D("0.0003"), D(20_000)) is None
    assert provider.instrument("ETH/USDT").lot_size == D("0.0001")
    coinbase = provider.instrument("BTC/USD")
    assert (coinbase.lot_size, coinbase.min_notional, coinbase.currency) == (
        D("0.00000001"),
        D(1),
        "USD",
    )


def test_a_dashed_pair_is_the_same_pair_under_its_own_name() -> None:
    provider = BundledInstruments()
    dashed = provider.instrument("BTC-USD")
    assert dashed.symbol == "BTC-USD"
    assert dashed.lot_size == provider.instrument("BTC/USD").lot_size
    assert provider.instrument("ETH-USD").asset_class is AssetClass.CRYPTO
    assert provider.listed("ETH-USDT") and not provider.listed("BF-B")


def test_fractional_equities_trade_in_alpaca_lots_from_one_dollar() -> None:
    whole = BundledInstruments().instrument("AAPL")
    part = BundledInstruments(fractional_equities=True).instrument("AAPL")
    assert (part.fractional, part.lot_size, part.min_quantity) == (
        True,
        FRACTIONAL_SHARE_LOT,
        FRACTIONAL_SHARE_LOT,
    )
    assert part.round_quantity(D("3.1234567891234")) == D("3.123456789")
    assert whole.round_quantity(D("3.1234567891234")) == 3
    assert part.check(D("0.005"), D(100)) == (
        "notional 0.500 USD of AAPL is below its minimum 1 USD"
    )
    assert part.check(D("0.5"), D(100)) is None
    assert part.tick_size == whole.tick_size


def test_the_fractional_lot_is_a_setting() -> None:
    part = BundledInstruments(True, fractional_lot=D("0.0001")).instrument("MSFT")
    assert part.round_quantity(D("2.123456")) == D("2.1234")
    with pytest.raises(ConfigError):
        BundledInstruments(True, fractional_lot=D(0))


def test_an_unlisted_us_ticker_gets_the_us_equity_defaults() -> None:
    provider = BundledInstruments()
    assert not provider.listed("ZZZZ")
    assert provider.instrument("ZZZZ") == us_equity("ZZZZ")
    assert provider.instrument("ZZZ.B").asset_class is AssetClass.EQUITY
    with pytest.raises(UnknownSymbolError, match="ZZZZ"):
        BundledInstruments(unlisted_equities=False).instrument("ZZZZ")


@pytest.mark.parametrize("symbol", ["DOGE/USDT", "SOL-USDT", "aapl", "TOOLONG", ""])
def test_an_unknown_pair_or_odd_name_is_refused_in_one_line(symbol: str) -> None:
    with pytest.raises(UnknownSymbolError) as caught:
        BundledInstruments().instrument(symbol)
    line = caught.value.one_line()
    assert repr(symbol) in line
    assert "\n" not in line
    assert "instruments:" in line  # the hint names the configuration section


def test_instruments_names_every_unknown_symbol_at_once() -> None:
    provider = BundledInstruments()
    with pytest.raises(UnknownSymbolError, match="unknown symbols: DOGE/USDT, SHIB/USDT"):
        provider.instruments(["AAPL", "DOGE/USDT", "SHIB/USDT"])
    made = provider.instruments(("AAPL", "BTC/USDT"))
    assert list(made) == ["AAPL", "BTC/USDT"]
    assert made["BTC/USDT"].asset_class is AssetClass.CRYPTO


def test_the_provider_is_the_port_and_the_asset_class_is_one_enum() -> None:
    assert isinstance(BundledInstruments(), InstrumentProvider)
    assert RiskAssetClass is AssetClass


def test_the_bundled_table_is_read_once() -> None:
    assert bundled_instruments() is bundled_instruments()
    assert len(bundled_instruments()) >= 511


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("XYZ,bond,USD,0.01,,1,1,0,XNYS,x", "line 2"),
        ("XYZ,equity,USD,0,,1,1,0,XNYS,x", "tick_size 0 must be above zero"),
        ("XYZ,equity,USD,0.01,,one,1,0,XNYS,x", "line 2"),
        ("XYZ,equity,USD,0.01,0.0003,1,1,0,XNYS,x", "must both divide 1"),
        ("XYZ,equity,USD,0.01", "line 2"),
        ("XYZ,equity,USD,0.01,,1,1,0,XNYS,x\nXYZ,equity,USD,0.01,,1,1,0,XNYS,x", "twice"),
    ],
)
def test_a_malformed_table_is_one_line_naming_the_row(row: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem) as caught:
        parse_instruments(HEADER + row + "\n")
    assert "\n" not in caught.value.one_line()


def test_a_table_with_other_columns_is_refused() -> None:
    with pytest.raises(DataError, match="expected symbol"):
        parse_instruments("symbol,tick\nAAPL,0.01\n")


def test_an_impossible_instrument_cannot_be_built() -> None:
    base = us_equity("XYZ")
    fields = {f: getattr(base, f) for f in Instrument.__dataclass_fields__}
    for change in (
        {"lot_size": D("0.5")},  # a fractional lot on a whole-share instrument
        {"lot_size": D("0.5"), "fractional": True, "min_quantity": D(-1)},
        {"sub_dollar_tick": D("0.05")},  # coarser than the tick
        {"calendar": ""},
        {"currency": ""},
    ):
        with pytest.raises(ValueError, match="instrument 'XYZ'"):
            Instrument(**{**fields, **change})


def test_a_symbol_declared_in_the_configuration_is_taken_as_declared() -> None:
    from tradebot.config import load_settings
    from tradebot.domain.errors import ConfigError
    from tradebot.runtime.wiring import run_instruments

    settings = load_settings(
        instruments={
            "SYM00": {"tick_size": "0.0001", "lot_size": "0.5"},
            "X/Y": {"asset_class": "crypto"},
        }
    )
    made = run_instruments(settings, ("AAPL", "SYM00", "X/Y"))
    assert list(made) == ["AAPL", "SYM00", "X/Y"]
    assert made["SYM00"].tick_size == Decimal("0.0001") and made["SYM00"].lot_size == Decimal("0.5")
    assert made["SYM00"].fractional and made["SYM00"].calendar == "XNYS"
    assert made["X/Y"].asset_class is AssetClass.CRYPTO and made["X/Y"].calendar is None
    with pytest.raises(ConfigError, match="tick_size"):
        load_settings(instruments={"SYM00": {"tick_size": "0"}})
