"""``deploy/prometheus/``: promtool accepts the scrape config and the rules, the rules' own
unit tests pass, and the rules and the Grafana dashboard name only metrics we export."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tradebot.ops.metrics import EngineMetrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
_NAME = re.compile(r"\btradebot_[a-z_]+")
_SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (Debian's prometheus package)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.mark.parametrize(
    "args",
    [
        ("check", "config", "prometheus.yml"),
        ("check", "rules", "alerts.yml"),
        ("test", "rules", "alerts.test.yml"),
    ],
    ids=["config", "rules", "rule-tests"],
)
def test_promtool_accepts(args: tuple[str, ...]) -> None:
    done = subprocess.run(
        [_promtool(), *args], cwd=DEPLOY, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _exported() -> set[str]:
    """Every series name a scrape can show."""
    names = set()
    for family in EngineMetrics().registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in _SUFFIXES)
    return names


def test_the_rules_and_the_dashboard_name_only_exported_metrics() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    named = {name for expr in exprs for name in _NAME.findall(expr)}
    assert named, "no metric named at all"
    assert named <= _exported(), named - _exported()


def test_the_alerts_cover_what_an_operator_must_hear_of() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {
        "TradebotEngineHalted",
        "TradebotBreakerTripped",
        "TradebotFeedStale",
        "TradebotReconciliationMismatch",
        "TradebotOrderOutcomeUnknown",
        "TradebotOutsideErrorRate",
    } <= alerts
