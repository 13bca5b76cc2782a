"""A live session's bars kept in the Parquet layout, for ``tradebot drift`` and replays.

A live session has no data folder of its own: what its venue streamed is gone once shown.
The recorder keeps every bar the session acted on in ``<dir>/<SYMBOL>_<tf>.parquet`` (the
layout :class:`~tradebot.adapters.parquet.feed.ParquetReplayFeed` reads), so the simulated
venue can be shown the same bars later. Bars are buffered and each file rewritten whole
(atomically, :func:`write_ohlcv_files`) every ``every`` bars and when the session ends; a
resumed session appends to what its earlier process wrote. A crash loses at most the
buffered bars, never a written file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tradebot.adapters.parquet.layout import OhlcvArrays, bar_file, read_ohlcv, write_ohlcv_files
from tradebot.domain.bar import Bar
from tradebot.domain.batch import EPOCH

__all__ = ["BarRecorder"]


class BarRecorder:
    """Buffers bars and writes them into ``data_dir`` (module docstring)."""

    def __init__(self, data_dir: Path, *, every: int = 200) -> None:
        self.data_dir = Path(data_dir)
        self._every = every
        self._pending: dict[Path, list[Bar]] = {}
        self._count = 0

    def add(self, bar: Bar) -> None:
        self._pending.setdefault(bar_file(self.data_dir, bar.symbol, bar.timeframe), []).append(bar)
        self._count += 1
        if self._count >= self._every:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered, after what each file already holds (a repeat of a bar
        time already written is left out)."""
        if not self._pending:
            return
        files = {}
        for path, bars in self._pending.items():
            old = read_ohlcv(path) if path.exists() else None
            last = int(old.ts[-1]) if old is not None and len(old) else None
            fresh = [b for b in bars if last is None or _ns(b) > last]
            new = OhlcvArrays(
                np.array([_ns(b) for b in fresh], dtype=np.int64),
                np.array([b.open for b in fresh], dtype=np.float64),
                np.array([b.high for b in fresh], dtype=np.float64),
                np.array([b.low for b in fresh], dtype=np.float64),
                np.array([b.close for b in fresh], dtype=np.float64),
                np.array([b.volume for b in fresh], dtype=np.float64),
            )
            files[path] = new if old is None else _joined(old, new)
        write_ohlcv_files(files)
        self._pending.clear()
        self._count = 0


def _ns(bar: Bar) -> int:
    delta = bar.ts - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _joined(old: OhlcvArrays, new: OhlcvArrays) -> OhlcvArrays:
    return OhlcvArrays(
        np.concatenate([old.ts, new.ts]),
        np.concatenate([old.open, new.open]),
        np.concatenate([old.high, new.high]),
        np.concatenate([old.low, new.low]),
        np.concatenate([old.close, new.close]),
        np.concatenate([old.volume, new.volume]),
    )
