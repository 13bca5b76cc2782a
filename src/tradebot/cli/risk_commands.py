"""``tradebot decisions`` (why did it, or didn't it, trade?) and ``tradebot data
import-earnings FILE`` (results dates for the risk engine's earnings rules).

Decisions come from the store with their full trace; ``--trace`` shows every check with its
inputs and its effect on size. Imported earnings dates are validated row by row — a file
with bad rows imports nothing and fails in one line naming how many and the first
(``--list-errors`` prints each) — then merged into the database, where the engine reads
them on top of the bundled calendar.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tradebot.cli.app import app, settings_of
from tradebot.cli.data_commands import data_app
from tradebot.cli.decision_tables import decisions_table, trace_table
from tradebot.cli.render import console, err_console
from tradebot.domain.errors import ConfigError, DataError
from tradebot.risk.earnings import EarningsCalendar, parse_earnings_rows

if TYPE_CHECKING:
    from tradebot.adapters.sql.store import SqlStore

__all__ = ["import_earnings", "list_decisions", "read_earnings_file"]

_COLUMNS = ("symbol", "earnings_date")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _open_store() -> SqlStore:
    from tradebot.adapters.sql.store import SqlStore
    from tradebot.runtime.discarding_store import NO_STORE

    url = settings_of().store.url
    if url == NO_STORE:
        raise ConfigError(
            "store.url is 'none': nothing is kept to read or write",
            "point store.url at a database (the default SQLite file, or PostgreSQL)",
        )
    return SqlStore(url)


@app.command("decisions")
def list_decisions(
    symbol: Annotated[str | None, typer.Option(help="Ticker, e.g. AAPL (default: all).")] = None,
    last: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    run: Annotated[str | None, typer.Option("--run", help="Run id (default: the latest).")] = None,
    trace: Annotated[bool, typer.Option(help="Show every check with its inputs.")] = False,
) -> None:
    """Recent trading decisions: time, action, side, quantity, price, reason, first failed check."""
    ticker = symbol.strip().upper() if symbol and symbol.strip() else None
    store = _open_store()
    try:
        run_id = run or store.latest_run_id()
        if run_id is None:
            raise ConfigError("the database holds no run yet", "run `tradebot backtest` first")
        if store.run(run_id) is None:
            raise ConfigError(
                f"no run {run_id!r} in the database", "list the runs with `tradebot backtest list`"
            )
        found = store.recent_decisions(symbol=ticker, run_id=run_id, limit=last)
    finally:
        store.close()
    what = f"{ticker or 'every symbol'} in run {run_id}"
    if not found:
        console.print(f"no decisions for {what}", highlight=False, soft_wrap=True)
        return
    console.print(decisions_table(found, f"Decisions — {what} (newest first, {len(found)} shown)"))
    if trace:
        for decision in found:
            console.print(trace_table(decision))


def read_earnings_file(path: Path) -> tuple[EarningsCalendar, list[str], int]:
    """The calendar in a CSV (or .csv.gz) file with the columns ``symbol`` and
    ``earnings_date`` (any case), the problems found (one per bad row, with the row's line
    in the file) and the rows read."""
    if not path.is_file():
        raise ConfigError(f"earnings file {path} not found", "check the path")
    raw = path.read_bytes()
    try:
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{path.name} is not UTF-8 CSV text ({exc})", "export it as CSV (gzip optional)"
        ) from exc
    if not text.strip():
        raise DataError(f"{path.name} is empty", "write a header and rows: symbol,earnings_date")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise DataError(
            f"{path.name}: missing column(s) {', '.join(missing)} (found {', '.join(header)})",
            "the file needs a header row: symbol,earnings_date",
        )
    good: list[tuple[str, str]] = []
    problems: list[str] = []
    rows = 0
    for row in reader:
        line = reader.line_num  # the row's last line in the file, blank lines counted
        rows += 1
        pair = ((row.get("symbol") or "").strip(), (row.get("earnings_date") or "").strip())
        if pair[1] and not _ISO_DAY.fullmatch(pair[1]):
            problems.append(
                f"{path.name} line {line}: {pair[1]!r} is not a date written YYYY-MM-DD"
            )
            continue
        try:
            parse_earnings_rows([pair], path.name, first_line=line)
        except DataError as exc:
            problems.append(exc.message)
            continue
        if not all(c.isalnum() or c in ".-/" for c in pair[0]):
            problems.append(
                f"{path.name} line {line}: {pair[0]!r} is not a ticker "
                "(letters, digits, '.', '-' or '/')"
            )
            continue
        good.append(pair)
    return parse_earnings_rows(good, path.name), problems, rows


@data_app.command("import-earnings")
def import_earnings(
    file: Annotated[Path, typer.Argument(help="CSV (or .csv.gz): symbol,earnings_date.")],
    list_errors: Annotated[
        bool, typer.Option("--list-errors", help="Print every bad row, not only the first.")
    ] = False,
) -> None:
    """Validate earnings dates and merge them into the database the risk engine reads.

    A file with a bad row imports nothing: the error names how many rows are bad and the
    first one (``--list-errors`` prints them all)."""
    from tradebot.data.reference import bundled_earnings

    calendar, problems, rows = read_earnings_file(file)
    if problems:
        if list_errors:
            for problem in problems:
                err_console.print(escape(problem), highlight=False, soft_wrap=True)
        raise DataError(
            f"{file.name}: {len(problems)} of {rows} rows are bad (first: {problems[0]}); "
            "nothing was imported",
            "fix them (symbol,YYYY-MM-DD) and import again; --list-errors lists every one",
        )
    if rows == 0:
        raise DataError(f"{file.name} has no rows", "add rows: symbol,YYYY-MM-DD")
    store = _open_store()
    try:
        added = store.import_earnings(calendar, file.name, datetime.now(UTC))
        merged = bundled_earnings().merged(store.imported_earnings())
    finally:
        store.close()
    console.print(
        f"{rows:,} rows, {len(calendar):,} distinct dates of {len(calendar.dates):,} symbols: "
        f"{added:,} new, {len(calendar) - added:,} already imported. The risk engine now reads "
        f"{len(merged):,} earnings dates of {len(merged.dates):,} symbols (bundled + imported).",
        highlight=False,
        soft_wrap=True,
    )
