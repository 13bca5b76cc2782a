"""No look-ahead: what the kernel decides up to bar t does not depend on bars after t."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import START, make_kernel
from tradebot.testing import MemoryStore, bars_from_closes

prices = st.lists(st.integers(min_value=-150, max_value=150), min_size=30, max_size=120).map(
    lambda steps: [round(100 + sum(steps[: i + 1]) * 0.01 * 10, 2) for i in range(len(steps))]
)


@settings(max_examples=60, deadline=None)
@given(closes=prices, data=st.data())
def test_signals_and_decisions_up_to_t_ignore_the_future(
    closes: list[float], data: st.DataObject
) -> None:
    closes = [max(c, 1.0) for c in closes]
    t = data.draw(st.integers(min_value=0, max_value=len(closes) - 1), label="t")
    full = bars_from_closes("AAA", closes, START, gap=0.13)
    cut_at = full[t].ts
    whole, truncated = MemoryStore(), MemoryStore()
    make_kernel(full, store=whole).run()
    make_kernel(full[: t + 1], store=truncated).run()

    def upto(records: dict, ts_of) -> dict:  # type: ignore[no-untyped-def]
        return {k: v for k, v in records.items() if ts_of(v) <= cut_at}

    assert upto(whole.signals, lambda s: s.ts) == truncated.signals
    assert upto(whole.decisions, lambda d: d.ts) == truncated.decisions
    # A fill is stamped with when it happened: at the open of the bar after the decision,
    # which is the instant bar t closed where bars follow without a gap (these bars, on
    # days that are no exchange session). So the fills up to t are those of the truncated
    # run, exactly, and every other fill of the whole run comes at or after the cut.
    assert {k: v for k, v in whole.fills.items() if k in truncated.fills} == truncated.fills
    assert all(f.ts >= cut_at for k, f in whole.fills.items() if k not in truncated.fills)
