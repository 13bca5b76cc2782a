"""First-order recurrences (EMA, Wilder) in bulk, bit for bit the streaming loop.

The streaming indicators advance ``s[i] = step(s[i-1], u[i])`` one bar at a time. TA-Lib
computes the same recurrences, but its compiled code does not perform exactly the same
floating-point operations: on the bundled daily bars its RSI differs from the streaming one
in the last bits on most bars (up to 7e-14) and its MACD histogram on some (up to 3e-13) —
enough to move an RSI across a threshold or a histogram across a tie once in a long while.
To agree with the kernel bar for bar this module computes the streaming values themselves:

- the series is cut into blocks of ``block`` updates, and all blocks advance together, one
  numpy step per update (``block`` steps over arrays with one entry per block — the same
  IEEE operations, in the same order, as the streaming ``update``; numpy never fuses them);
- each block starts from a guess of the state just before it (TA-Lib's value, a few bits
  off), then again from the end state its predecessor reached, until every block started
  from exactly that end state. At that fixed point block 0 (which starts from the exact
  seed) is exact, hence block 1, and so on: the result *is* the sequential loop, by
  induction, whatever the guesses were. A guess only decides how many passes that takes:
  trajectories a few bits apart merge within a few dozen updates, so a second pass settles
  almost every block (EMA guesses are mostly exact already: one pass and a few blocks);
  pass ``p`` settles block ``p`` at the latest, so there are never more passes than blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["BLOCK", "Step", "ema_step", "solve", "solve_many", "wilder_step"]

FloatArray = npt.NDArray[np.float64]
Step = Callable[[FloatArray, FloatArray], FloatArray]
"""``step(states, inputs)``: the next state of each block, elementwise, as the streaming
class computes it for one bar."""

BLOCK = 64
"""Updates per block: enough for a guessed start to merge with the exact trajectory well
before the block ends (so one pass usually settles a block), few enough that the
Python-level loop over a block stays short."""


def ema_step(n: int) -> Step:
    """TA-Lib's and the streaming EMA's ``((x - prev) * k) + prev`` with ``k = 2 / (n + 1)``."""
    k = 2.0 / (n + 1)

    def step(prev: FloatArray, x: FloatArray) -> FloatArray:
        out: FloatArray = (x - prev) * k + prev
        return out

    return step


def wilder_step(n: int) -> Step:
    """Wilder's smoothing as the streaming RSI does it: ``(prev * (n - 1) + x) / n``.

    The streaming RSI adds a change only to the side it belongs to; adding ``+0.0`` for the
    other side is exact (``a + 0.0 == a`` for ``a >= +0``), so both sides are this one step
    over non-negative inputs."""
    n1 = float(n - 1)
    nf = float(n)

    def step(prev: FloatArray, x: FloatArray) -> FloatArray:
        out: FloatArray = (prev * n1 + x) / nf
        return out

    return step


def solve(
    step: Step,
    seed: float,
    inputs: FloatArray,
    guess: FloatArray | None = None,
    *,
    block: int = BLOCK,
) -> FloatArray:
    """``s`` with ``s[i] = step(s[i-1], inputs[i])`` and ``s[-1] = seed``, as the sequential
    loop computes it bit for bit. ``guess`` (same length) approximates ``s``; it changes
    only how much work the fixed point takes, never the result. Inputs must be finite."""
    return solve_many(step, [seed], [inputs], [guess], block=block)[0]


def solve_many(
    step: Step,
    seeds: Sequence[float],
    inputs: Sequence[FloatArray],
    guesses: Sequence[FloatArray | None],
    *,
    block: int = BLOCK,
) -> list[FloatArray]:
    """:func:`solve` for several independent series sharing one step, in the same passes
    (each series starts on a block of its own, from its exact seed). Without a guess, a
    block starts from the input before it: the fixed point of a smoothing step."""
    sizes = [len(u) for u in inputs]
    counts = [-(-m // block) for m in sizes]
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    total = int(offsets[-1])
    if total == 0:
        return [np.empty(0, dtype=np.float64) for _ in sizes]
    padded = np.zeros(total * block, dtype=np.float64)  # padding: finite, results unused
    starts = np.empty(total, dtype=np.float64)
    fixed = np.zeros(total, dtype=np.bool_)  # blocks that begin a series: exact seed
    for seed, u, guess, m, first, count in zip(
        seeds, inputs, guesses, sizes, offsets[:-1].tolist(), counts, strict=True
    ):
        if not count:
            continue
        padded[first * block : first * block + m] = u
        starts[first] = seed
        fixed[first] = True
        approx = u if guess is None else guess
        starts[first + 1 : first + count] = approx[block - 1 : m - 1 : block][: count - 1]
    columns = padded.reshape(total, block)  # row b: block b's inputs, in order
    out = np.empty((total, block), dtype=np.float64)
    todo = np.arange(total)
    for _ in range(total + 1):  # pass p leaves blocks 0..p-1 exact: at most `total` passes
        if not len(todo):
            flat = out.reshape(-1)
            return [
                flat[first * block : first * block + m].copy()
                for first, m in zip(offsets[:-1].tolist(), sizes, strict=True)
            ]
        if len(todo) * 4 > total:  # most blocks to redo: a pass over all is faster
            state = starts.copy()
            for j in range(block):
                state = step(state, columns[:, j])
                out[:, j] = state
        else:
            state = starts[todo]
            rows = columns[todo]
            for j in range(block):
                state = step(state, rows[:, j])
                out[todo, j] = state
        ends = out[:-1, block - 1]
        todo = np.flatnonzero((starts[1:] != ends) & ~fixed[1:]) + 1
        starts[todo] = ends[todo - 1]
    raise ArithmeticError("a recurrence state became NaN: the inputs must be finite")
