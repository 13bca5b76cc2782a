"""The run's equity curve as it grows: one point per distinct bar time, kept in numpy blocks.

A million minute bars make a million points. The per-bar path appends them one at a time
(to plain lists, flushed into a block when read); the batch path adds a whole block at
once; either way the curve is read as four aligned arrays — times (epoch nanoseconds),
equity, "a position was open", buy-and-hold — without a Python object per point.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["CurveArrays", "CurveBuffer"]

CurveArrays = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]
"""(times in epoch nanoseconds, equity, "a position was open", buy-and-hold)."""


class CurveBuffer:
    def __init__(self) -> None:
        self._blocks: list[CurveArrays] = []
        self._times: list[int] = []
        self._equity: list[float] = []
        self._held: list[bool] = []
        self._benchmark: list[float] = []
        self._joined: CurveArrays | None = None

    def __len__(self) -> int:
        return sum(len(block[0]) for block in self._blocks) + len(self._times)

    def append(self, ts_ns: int, equity: float, held: bool, benchmark: float) -> None:
        self._times.append(ts_ns)
        self._equity.append(equity)
        self._held.append(held)
        self._benchmark.append(benchmark)
        self._joined = None

    def extend(
        self,
        ts_ns: NDArray[np.int64],
        equity: NDArray[np.float64],
        held: NDArray[np.bool_],
        benchmark: NDArray[np.float64],
    ) -> None:
        self._settle()
        self._blocks.append((ts_ns, equity, held, benchmark))
        self._joined = None

    def arrays(self) -> CurveArrays:
        """(times ns, equity, held, benchmark), each one array (joined once, when read)."""
        if self._joined is None:
            self._settle()
            if not self._blocks:
                self._joined = (
                    np.empty(0, np.int64),
                    np.empty(0, np.float64),
                    np.empty(0, np.bool_),
                    np.empty(0, np.float64),
                )
            elif len(self._blocks) == 1:
                self._joined = self._blocks[0]
            else:
                columns = list(zip(*self._blocks, strict=True))
                self._joined = (
                    np.concatenate(columns[0]),
                    np.concatenate(columns[1]),
                    np.concatenate(columns[2]),
                    np.concatenate(columns[3]),
                )
                self._blocks = [self._joined]
        return self._joined

    def _settle(self) -> None:
        if self._times:
            self._blocks.append(
                (
                    np.array(self._times, dtype=np.int64),
                    np.array(self._equity, dtype=np.float64),
                    np.array(self._held, dtype=np.bool_),
                    np.array(self._benchmark, dtype=np.float64),
                )
            )
            self._times, self._equity, self._held, self._benchmark = [], [], [], []
