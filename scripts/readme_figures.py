"""Regenerate the figures the README quotes from the commands that produce them.

    .venv/bin/python scripts/readme_figures.py            # rewrite README.md in place
    .venv/bin/python scripts/readme_figures.py --check    # exit 1 if README.md is stale

Two blocks of README.md live between markers and are written only by this script:

- ``demo-summary``: the summary table ``tradebot demo`` prints (its run id row left out);
- ``news-table``: articles, scored items, news signals / acted, trades and return of the
  same strategies with news on and off, over three stocks for a quarter and over the demo;
- ``news-band``: the news strategy alone over the demo's stocks and years, with every item
  in its average (``neutral_band=0``) and with the default band.

Every run goes through the installed ``tradebot`` command in a fresh process with its own
SQLite file, exactly as a user runs it. ``tests/e2e/test_demo_end_to_end.py`` fails when
the demo's printed summary and the README disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TRADEBOT = Path(sys.executable).with_name("tradebot")
WIDTH = "100"
"""Columns the demo's table is drawn at, here and in the test that compares it."""

QUARTER = ("--symbols", "AAPL,FB,GOOG", "--start", "2014-04-01", "--end", "2014-06-30")
DEMO_SPAN = ("--start", "2014-01-01", "--end", "2015-12-31")


def run(args: list[str], work: Path) -> subprocess.CompletedProcess[str]:
    """``tradebot ARGS`` in ``work`` with a database of its own; fails loudly."""
    env = {
        **os.environ,
        "TRADEBOT_STORE__URL": f"sqlite:///{work / 'figures.db'}",
        "COLUMNS": WIDTH,
    }
    done = subprocess.run(
        [str(TRADEBOT), *args], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"tradebot {' '.join(args)} failed:\n{done.stderr}")
    return done


def summary_table(stdout: str) -> list[str]:
    """The summary table's lines from what ``tradebot demo`` printed, without the run id."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Demo —"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
    return [line.rstrip() for line in lines[start : end + 1] if not _is_run_row(line)]


def _is_run_row(line: str) -> bool:
    cells = [c.strip() for c in line.split("│")]
    return len(cells) > 1 and cells[1] == "run"


def table_rows(lines: list[str]) -> dict[str, str]:
    """``metric → value`` of a rich table drawn with ``│`` separators."""
    rows: dict[str, str] = {}
    for line in lines:
        cells = [c.strip() for c in line.split("│")]
        if len(cells) >= 4 and cells[1] and cells[1] != "metric":
            rows[cells[1]] = cells[2]
    return rows


def block(text: str, name: str) -> str:
    """What README's ``name`` block holds (between its markers)."""
    match = re.search(_pattern(name), text, flags=re.S)
    if match is None:
        raise SystemExit(f"README.md has no {name} block (<!-- {name}:start --> … :end -->)")
    return match.group(2)


def _pattern(name: str) -> str:
    return rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)"


def _replace(text: str, name: str, body: str) -> str:
    block(text, name)  # fails clearly when the markers are missing
    return re.sub(_pattern(name), lambda m: m.group(1) + body + m.group(3), text, flags=re.S)


def news_figures(payload: dict[str, Any]) -> tuple[str, ...]:
    counts, metrics = payload["counts"], payload["metrics"]
    return (
        f"{counts.get('articles', 0):,}",
        f"{counts.get('scored_articles', 0):,}",
        f"{metrics.get('news_signals', 0)} / {metrics.get('news_decisions_acted', 0)}",
        f"{metrics['trades']}",
        f"{metrics['total_return'] * 100:.2f} %",
    )


def news_table(work: Path, demo_payload: dict[str, Any]) -> str:
    from tradebot.data import sample_data_dir, sample_news_file

    data = str(sample_data_dir("stocknet"))
    news = ("--news", str(sample_news_file()))
    runs: list[tuple[str, tuple[str, ...] | None]] = [
        ("AAPL, FB, GOOG, 2014-04 to 2014-06, news on", (*QUARTER, "--data", data, *news)),
        ("the same, news off", (*QUARTER, "--data", data)),
        ("demo (10 stocks, 2014-2015), news on", None),
        ("demo, news off", (*DEMO_SPAN, "--data", data, "--learning", "on")),  # as the demo
    ]
    lines = [
        "| run | articles | scored items | news signals / acted | trades | return |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, args in runs:
        if args is None:
            payload = demo_payload
        else:
            out = work / f"{len(lines)}.json"
            run(["backtest", *args, "--json", str(out)], work)
            payload = json.loads(out.read_text())
        lines.append(f"| {label} | " + " | ".join(news_figures(payload)) + " |")
    return "\n".join(lines) + "\n"


def news_band_table(work: Path) -> str:
    from tradebot.data import sample_data_dir, sample_news_file

    data = ("--data", str(sample_data_dir("stocknet")), "--news", str(sample_news_file()))
    lines = [
        "| news strategy alone, demo's stocks, 2014-2015 | signals | acted | trades |",
        "|---|---:|---:|---:|",
    ]
    for label, band in (("every item averaged (`neutral_band=0`)", "0"), ("default band", "0.3")):
        out = work / f"band-{band}.json"
        args = ["backtest", "--strategy", "news", "--param", f"neutral_band={band}"]
        run([*args, *DEMO_SPAN, *data, "--json", str(out)], work)
        metrics = json.loads(out.read_text())["metrics"]
        figures = (metrics["news_signals"], metrics["news_decisions_acted"], metrics["trades"])
        lines.append(f"| {label} | " + " | ".join(str(f) for f in figures) + " |")
    return "\n".join(lines) + "\n"


def regenerate() -> str:
    """README.md's text with both blocks written afresh."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="readme-figures-") as folder:
        work = Path(folder)
        demo = run(["demo", "--out", str(work / "demo")], work)
        payload = json.loads((work / "demo" / "results.json").read_text())
        summary = "```text\n" + "\n".join(summary_table(demo.stdout)) + "\n```\n"
        text = _replace(text, "demo-summary", summary)
        text = _replace(text, "news-table", news_table(work, payload))
        text = _replace(text, "news-band", news_band_table(work))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    args = parser.parse_args()
    fresh = regenerate()
    if args.check:
        stale = fresh != README.read_text(encoding="utf-8")
        print("README.md is stale: run scripts/readme_figures.py" if stale else "up to date")
        sys.exit(1 if stale else 0)
    README.write_text(fresh, encoding="utf-8")
    print("README.md figures regenerated")


if __name__ == "__main__":
    main()
