"""``tradebot sentiment eval`` is honest about a tiered chain with a tier down: the row says
``degraded`` with the missing tier and why, and whose figures they are — never ``ok``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tradebot.cli import app
from tradebot.sentiment.dataset import bundled_dataset_path, read_labelled_csv


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment"])
        for row in read_labelled_csv(bundled_dataset_path(), split="valid")[:60]:
            writer.writerow([row.text, row.label.value])
    return path


def _eval(
    tmp_path: Path, dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, dict[str, Any]]:
    import tradebot.cli.sentiment_commands as command

    monkeypatch.setattr(command, "console", Console(width=400))  # one table row per line
    out = tmp_path / "eval.json"
    env = {
        "TRADEBOT_SENTIMENT__TIERS": '["lexicon", "embedding"]',
        # the embedding tier is unavailable the way the code models it: its head is missing
        # (or, without the ml extra, its encoder), so build_analyzer stands an
        # UnavailableAnalyzer in for it
        "TRADEBOT_SENTIMENT__EMBEDDING_HEAD": str(tmp_path / "no-such-head.npz"),
        "TRADEBOT_STORE__URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    args = ["sentiment", "eval", "--dataset", str(dataset), "--analyzer", "lexicon,tiered"]
    result = CliRunner().invoke(app, [*args, "--json", str(out)], env=env)
    assert result.exit_code == 0, result.output
    return result.output, json.loads(out.read_text())


def test_a_tiered_chain_with_its_embedding_tier_down_is_degraded_not_ok(
    tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, figures = _eval(tmp_path, small, monkeypatch)
    tiered = figures["tiered"]
    assert tiered["status"] == "degraded"
    assert list(tiered["missing_tiers"]) == ["embedding"]
    assert tiered["answered_by"] == {"lexicon": 60}
    # the figures are the lexicon's, and labelled as such
    assert tiered["accuracy"] == figures["lexicon"]["accuracy"]
    assert figures["lexicon"]["status"] == "ok"
    row = next(line for line in output.splitlines() if "tiered (lexicon only)" in line)
    assert "degraded: embedding unavailable (" in row and "figures are lexicon's alone" in row
    assert " ok" not in row.split("tiered (lexicon only)")[1]
    assert "tiered (lexicon only): rows true, columns predicted" in output
