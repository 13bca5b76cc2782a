"""Risk history records (``tradebot.risk.records``): every kind round-trips exactly through
JSON, ids are stable (they are stored, and a record produced again must be the same row),
and what cannot be decoded or encoded says so."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_sql_risk_store import events
from tradebot.domain.errors import DataError
from tradebot.engine.ids import stable_id
from tradebot.risk.records import KINDS, decode_event, encode_event, record_id
from tradebot.risk.reserve import ReserveState


def test_every_kind_round_trips_exactly_through_json() -> None:
    records = [encode_event(event) for event in events()]
    assert {record.kind for record in records} == set(KINDS)
    for event, record in zip(events(), records, strict=True):
        stored = json.loads(json.dumps(record.payload))
        assert decode_event(record.kind, stored) == event


def test_ids_depend_on_the_content_alone() -> None:
    first = [encode_event(event).id for event in events()]
    assert first == [encode_event(event).id for event in events()]
    assert len(set(first)) == len(first)


def test_ids_never_change_across_versions() -> None:
    """Stored ids: a resumed run re-producing a record must hit the row it wrote before,
    whichever version wrote it (the same digest as the engine's ``stable_id`` always used)."""
    tier_change = events()[0]
    record = encode_event(tier_change)
    assert record.id == "8d91f2dd192555bf1c6e8f8f3cf836de"
    text = json.dumps(record.payload, sort_keys=True, separators=(",", ":"))
    assert record_id(record.kind, record.payload) == stable_id(record.kind, text, length=32)


def test_symbol_and_time_come_from_the_event() -> None:
    by_kind = {encode_event(event).kind: encode_event(event) for event in events()}
    assert by_kind["breaker"].symbol == "XOM"
    assert by_kind["closed_lot"].symbol == by_kind["stop_adjustment"].symbol == "KO"
    assert by_kind["tier_change"].symbol is None and by_kind["notice"].symbol is None


def test_an_unknown_kind_is_a_data_error_naming_the_known_ones() -> None:
    with pytest.raises(DataError) as caught:
        decode_event("margin_call", {})
    assert "margin_call" in caught.value.one_line()
    assert "tier_change" in caught.value.hint


def test_something_else_than_a_risk_event_is_refused() -> None:
    with pytest.raises(TypeError, match="not a risk event: ReserveState"):
        encode_event(ReserveState())  # type: ignore[arg-type]
