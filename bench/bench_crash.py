"""Crash trials: ``kill -9`` a live session at random moments, restart it, reconcile, audit.

Each run (``tests/live/crash_harness.py``) starts the fake Alpaca venue in this process and
a real ``tradebot paper --broker alpaca`` session process on a fresh SQLite file, streams
the bundled AAPL and MSFT minute bars at one bar time every 50 ms (``sma_cross`` 3/8, so
the session orders and the venue fills all the time), and then, ``--per-run`` times: waits
a random time (seeded), kills the session with SIGKILL (a quarter of the kills aimed at
its start-up: restore, reconciliation, warm-up), lets the bars and the venue's fills go on
for up to a second, and restarts it with ``--resume RUN_ID``. At the end the last session
takes in every fill and stops on SIGTERM, and its store is held against the venue's book:
duplicate orders, lost fills, positions and cash. Runs of ``--per-run`` kills keep each
run's bars inside a restart's warm-up window; ``--trials`` kills in all.

Then the two faults, each in a run of its own with one kill after it: the venue answers
``--faults`` consecutive submissions 504 after accepting them (exactly one venue order per
decision, its fate learnt), and drops the trade_updates socket inside ``--faults`` fills
(each recovered and applied once, by the running session).

    .venv/bin/python bench/bench_crash.py --trials 200 [--per-run 20] [--seed 0] [--faults 20]

``--stormy`` also drops the trade_updates socket inside every fill throughout the kills, so
the stream's gap fill, the restarts' reconciliations and the kills race each other.

Writes the figures as JSON to ``bench/.peer-bench/crash.json`` (``--json`` elsewhere); exits
1 when any audit found a problem.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402

from tests.live.crash_harness import CrashPlan, CrashReport, percentile, plans, run_trials  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="kills in all")
    parser.add_argument("--per-run", type=int, default=20, help="kills per run (one venue)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", type=int, default=20, help="504s, and dropped fills (0: none)")
    parser.add_argument(
        "--stormy", action="store_true", help="drop the trade_updates socket in every fill too"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / ".peer-bench" / "crash.json")
    parser.add_argument("--keep", type=Path, help="keep each run's store and logs here")
    return parser.parse_args()


def _run(plan: CrashPlan, folder: Path, advance: Any) -> CrashReport | str:
    """One run's report, or why it could not finish (its logs stay in ``folder``)."""
    try:
        return run_trials(plan, folder, on_kill=lambda _: advance())
    except Exception as exc:  # one broken run must not cost the other 190 trials
        return f"{folder.name}: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"


def _totals(reports: list[CrashReport]) -> dict[str, Any]:
    audits = [r.audit for r in reports]
    restarts = [s for r in reports for s in r.restart_s]
    return {
        "runs": len(reports),
        "kills": sum(r.kills for r in reports),
        "kills_during_startup": sum(r.kills_starting for r in reports),
        "restarts": sum(r.restarts for r in reports),
        "starts_not_reconciled": sum(len(r.halted_starts) for r in reports),
        "reconciliations": sum(a.reconciliations for a in audits),
        "reconciliations_not_ok": sum(len(a.not_ok) for a in audits),
        "venue_orders": sum(a.venue_orders for a in audits),
        "executions": sum(a.executions for a in audits),
        "duplicate_orders": sum(a.duplicates for a in audits),
        "lost_fills": sum(a.lost for a in audits),
        "runs_ledger_equal": sum(1 for a in audits if a.ledger_ok),
        "never_reached": sum(a.never_reached for a in audits),
        "runs_settled": sum(1 for r in reports if r.settled),
        "runs_stopped_cleanly": sum(1 for r in reports if r.stopped_cleanly),
        "bars_published": sum(r.bars_published for r in reports),
        "restart_p50_s": round(percentile(restarts, 0.5), 3),
        "restart_p95_s": round(percentile(restarts, 0.95), 3),
        "restart_max_s": round(max(restarts, default=0.0), 3),
        "reports_applied_at_restart": sum(r.applied_at_start for r in reports),
        "reports_applied_by_periodic_reconciliation": sum(r.applied_later for r in reports),
    }


def _table(totals: dict[str, Any], faults: list[CrashReport], failed: list[str]) -> Table:
    table = Table(title="Crash trials: kill -9 during a live session")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in totals.items():
        table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    for report in faults:
        audit = report.audit
        name = "504 after accept" if report.plan.fault == "504" else "socket dropped mid-fill"
        hits = "orders" if report.plan.fault == "504" else "fills"
        table.add_row(
            f"{name}: {hits} hit / recovered (s)",
            f"{len(report.fault_hits)} / {'all' if report.fault_recovered else 'NOT all'}"
            f" ({report.fault_recovery_s:.2f})",
        )
        table.add_row(
            f"{name}: duplicates / lost fills / ledger",
            f"{audit.duplicates} / {audit.lost} / {'equal' if audit.ledger_ok else 'DIFFERS'}",
        )
    table.add_row("runs that could not finish", str(len(failed)))
    return table


def main() -> int:
    args = _arguments()
    console = Console()
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # a request cut by kill -9
    chosen = list(plans(args.trials, args.per_run, args.seed, stormy=args.stormy))
    fault_plans = [
        CrashPlan(kills=1, seed=args.seed * 1000 + 900 + i, fault=f, fault_count=args.faults)
        for i, f in enumerate(("504", "drop"))
        if args.faults > 0
    ]
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-crash-"))
    began = time.monotonic()
    reports: list[CrashReport] = []
    faults: list[CrashReport] = []
    failed: list[str] = []
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("kill -9 trials", total=args.trials + len(fault_plans))
        for index, plan in enumerate([*chosen, *fault_plans]):
            folder = base / f"run-{index:02d}" if plan.fault is None else base / plan.fault
            step = 0 if plan.fault else 1  # a fault run's one kill is not a trial
            outcome = _run(plan, folder, lambda step=step: progress.advance(task, step))
            if isinstance(outcome, str):
                failed.append(outcome)
                console.print(f"[red]{outcome}[/]")
                continue
            if plan.fault is not None:
                progress.advance(task)
                faults.append(outcome)
            else:
                reports.append(outcome)
            for line in outcome.audit.problems() + outcome.audit.not_ok:
                console.print(f"[red]{folder.name}: {line}[/]")
    wall = time.monotonic() - began
    totals = _totals(reports)
    console.print(_table(totals, faults, failed))
    console.print(f"{wall:.0f} s in all; stores and session logs under {base}")
    document = {
        "command": "python bench/bench_crash.py " + " ".join(sys.argv[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall, 1),
        "stormy": args.stormy,
        "totals": totals,
        "faults": [r.as_dict() for r in faults],
        "runs": [r.as_dict() for r in reports],
        "failed": failed,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, default=str))
    console.print(f"written {args.json}")
    clean = all(r.audit.clean and not r.halted_starts for r in [*reports, *faults])
    faults_ok = all(r.fault_recovered and r.fault_used == r.plan.fault_count for r in faults)
    return 0 if clean and faults_ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
