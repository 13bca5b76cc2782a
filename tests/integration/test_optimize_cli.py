"""``tradebot optimize`` end to end, in a subprocess like a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    db = tmp_path / "db" / "tradebot.db"
    env = os.environ | {"TRADEBOT_STORE__URL": f"sqlite:///{db}", "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "tradebot", "optimize", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_optimize_walk_forward_writes_json_and_report(tmp_path: Path) -> None:
    out, page = tmp_path / "out.json", tmp_path / "report.html"
    done = _run(
        tmp_path,
        *("--strategy", "sma_cross", "--param", "fast=5:10:5", "--param", "slow=20:30:10"),
        *("--symbols", "AAPL", "--start", "2019-01-01", "--end", "2020-12-31"),
        *("--walk-forward", "2", "--jobs", "2", "--json", str(out), "--report", str(page)),
    )
    assert done.returncode == 0, done.stderr
    assert "Walk-forward" in done.stdout
    assert "overall out-of-sample sharpe" in done.stdout
    payload = json.loads(out.read_text())
    assert len(payload["evaluations"]) == 8
    assert [f["fold"] for f in payload["folds"]] == [1, 2]
    assert payload["out_of_sample"]["days"] > 0
    assert "<svg" in page.read_text()
    assert not (tmp_path / "db" / "tradebot.db").exists()  # studies do not fill the database


def test_bad_param_spec_is_one_line(tmp_path: Path) -> None:
    done = _run(tmp_path, "--strategy", "sma_cross", "--param", "fast=5:20")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "bad --param 'fast=5:20'" in done.stderr
