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
        self._room: CurveArrays | None = None
        self._used = 0

    def __len__(self) -> int:
        return sum(len(block[0]) for block in self._blocks) + len(self._times) + self._used

    def append(self, ts_ns: int, equity: float, held: bool, benchmark: float) -> None:
        if self._room is not None:
            self._spill()
        self._times.append(ts_ns)
        self._equity.append(equity)
        self._held.append(held)
        self._benchmark.append(benchmark)
        self._joined = None

    def reserve(self, points: int) -> None:
        """Make room for ``points`` points in one piece (the batch path knows the replay's
        length): blocks are then written in place, never concatenated."""
        if self._blocks or self._times or points <= 0:
            return
        self._room = (
            np.empty(points, np.int64),
            np.empty(points, np.float64),
            np.empty(points, np.bool_),
            np.empty(points, np.float64),
        )
        self._used = 0

    def extend(
        self,
        ts_ns: NDArray[np.int64],
        equity: NDArray[np.float64],
        held: NDArray[np.bool_],
        benchmark: NDArray[np.float64],
    ) -> None:
        room, used, n = self._room, self._used, len(ts_ns)
        if room is not None and not self._times and used + n <= len(room[0]):
            for target, values in zip(room, (ts_ns, equity, held, benchmark), strict=True):
                target[used : used + n] = values
            self._used = used + n
            self._joined = None
            return
        self._spill()
        self._settle()
        self._blocks.append((ts_ns, equity, held, benchmark))
        self._joined = None

    def _spill(self) -> None:
        """Turn the reserved room's filled part into an ordinary block."""
        if self._room is not None:
            used = self._used
            if used:
                self._blocks.append(
                    (
                        self._room[0][:used],
                        self._room[1][:used],
                        self._room[2][:used],
                        self._room[3][:used],
                    )
                )
            self._room, self._used = None, 0

    def arrays(self) -> CurveArrays:
        """(times ns, equity, held, benchmark), each one array."""
        if self._joined is None:
            if self._room is not None and not self._blocks and not self._times:
                self._joined = _head(self._room, self._used)
                return self._joined
            self._spill()
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


def _head(arrays: CurveArrays, n: int) -> CurveArrays:
    return arrays[0][:n], arrays[1][:n], arrays[2][:n], arrays[3][:n]
