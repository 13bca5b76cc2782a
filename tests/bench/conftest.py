"""The benchmark scripts import their helpers as top-level modules (``bench/`` on the path,
as ``bench/bench_dashboard.py`` sets it up); the tests do the same, so mypy and pytest see
one module ``page_timing`` rather than the same file under two names."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
