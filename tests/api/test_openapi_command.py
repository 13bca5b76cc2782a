"""``tradebot openapi``: the document the dashboard's types are generated from, written by
the console command as a user (or the dashboard's build) runs it — a fresh process, no
JWT secret configured, no server — with nothing but the JSON on standard output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def _tradebot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEBOT_")}
    env["TRADEBOT_STORE__URL"] = f"sqlite:///{tmp_path / 'configured.db'}"
    return subprocess.run(
        [sys.executable, "-m", "tradebot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("openapi")
    ran = _tradebot(folder, "openapi")
    assert ran.returncode == 0, ran.stderr
    return folder, ran.stdout


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def test_stdout_is_the_document_and_nothing_else(printed: tuple[Path, str]) -> None:
    folder, text = printed
    document = json.loads(text)  # any other line would break the parse
    assert document["info"]["title"] == "tradebot API"
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert not (folder / "configured.db").exists()  # the configured store is never opened


def test_the_document_has_the_dashboards_fields(printed: tuple[Path, str]) -> None:
    document = json.loads(printed[1])
    assert {"/api/portfolio", "/api/portfolio/positions", "/api/controls/start"} <= set(
        document["paths"]
    )
    position = _schema(document, "PositionOut")["properties"]
    assert {"stop_loss", "take_profit", "sector", "micro"} <= set(position)
    micro = _schema(document, "MicroOut")["properties"]
    assert set(micro) == {
        "enabled",
        "max_daily",
        "used_today",
        "allocation_cap_pct",
        "max_hold_minutes",
        "open_micro_positions",
    }
    assert "micro" in _schema(document, "TradingStatusOut")["required"]
    assert not any("{path" in p for p in document["paths"])  # the dashboard is no API route


def test_out_writes_the_same_bytes(tmp_path: Path, printed: tuple[Path, str]) -> None:
    target = tmp_path / "src" / "api" / "openapi.json"
    ran = _tradebot(tmp_path, "openapi", "--out", str(target))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == ""
    assert target.read_text(encoding="utf-8") == printed[1]


def test_an_unwritable_out_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    ran = _tradebot(tmp_path, "openapi", "--out", str(tmp_path / "taken" / "openapi.json"))
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and ran.stderr.startswith("error: --out")
