"""What the bulk writer stores is what the per-value conversions stored, byte for byte.

``decimal_texts`` formats a value once per run of the same object and ``utc_texts`` makes a
column of UTC texts in one vectorised call; both must give, element for element, exactly
the text the column type's own processor gives (what reaches SQLite, byte for byte), and
refuse what it refuses.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from tradebot.adapters.sql.connect import _json_dumps
from tradebot.adapters.sql.mapping import _plain_trace
from tradebot.adapters.sql.types import (
    ExactDecimal,
    UtcDateTime,
    column_form,
    decimal_texts,
    utc_texts,
)
from tradebot.domain.messages import DecisionCheck

_DIALECT = sqlite.dialect()
_DECIMAL_TEXT = ExactDecimal().dialect_impl(_DIALECT).bind_processor(_DIALECT)
_UTC_TEXT = UtcDateTime().dialect_impl(_DIALECT).bind_processor(_DIALECT)

decimals = st.decimals(allow_nan=False, allow_infinity=False)
zones = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
aware = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones | st.just(UTC)
)


@given(st.lists(decimals | st.none(), max_size=40), st.data())
def test_decimal_texts_equal_the_processor_per_value(
    values: list[Decimal | None], data: st.DataObject
) -> None:
    # repeat some objects (the ledger's case: the same cash object bar after bar)
    repeated = [v for v in values for _ in range(data.draw(st.integers(1, 3)))]
    assert _DECIMAL_TEXT is not None
    assert decimal_texts(repeated) == [_DECIMAL_TEXT(v) for v in repeated]


def test_equal_decimals_of_another_scale_keep_their_own_text() -> None:
    # equal, but not the same text: the memo goes by identity, never by equality
    assert decimal_texts([Decimal("1.0"), Decimal("1.00"), Decimal("1.00")]) == [
        "1.0",
        "1.00",
        "1.00",
    ]


def test_a_non_finite_decimal_is_refused_as_by_the_processor() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        decimal_texts([Decimal(1), Decimal("NaN")])


@given(st.lists(aware, max_size=40))
def test_utc_texts_equal_the_processor_per_value(values: list[datetime]) -> None:
    assert _UTC_TEXT is not None
    assert utc_texts(values) == [_UTC_TEXT(v) for v in values]


@given(st.lists(aware | st.none(), max_size=20))
def test_a_column_with_missing_times_keeps_them_missing(values: list[datetime | None]) -> None:
    assert _UTC_TEXT is not None
    assert utc_texts(values) == [_UTC_TEXT(v) for v in values]


def test_a_naive_time_in_a_column_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_texts([datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 2)])


def test_any_other_processor_is_mapped_value_by_value() -> None:
    assert column_form(str.upper)(["a", "b"]) == ["A", "B"]
    assert column_form(_DECIMAL_TEXT) is decimal_texts  # type: ignore[arg-type]
    assert column_form(_UTC_TEXT) is utc_texts  # type: ignore[arg-type]


_input_values = (
    st.integers()
    | st.floats(allow_nan=False)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.booleans()
    | st.none()
)
checks = st.builds(
    DecisionCheck,
    check=st.text(max_size=12),
    passed=st.booleans(),
    detail=st.text(max_size=20),
    inputs=st.dictionaries(st.text(max_size=6), _input_values, max_size=4),
)


@given(st.lists(checks, max_size=8).map(tuple))
def test_a_trace_is_stored_as_the_encoder_writes_its_checks(
    trace: tuple[DecisionCheck, ...],
) -> None:
    # the decision row hands the encoder plain dicts: the same JSON text, quicker
    assert _json_dumps(_plain_trace(trace)) == _json_dumps(trace)
    assert [f.name for f in fields(DecisionCheck)] == ["check", "passed", "detail", "inputs"]
