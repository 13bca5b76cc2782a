"""What a study leaves behind: a JSON payload with every evaluation, and one HTML page.

The HTML page is self-contained (inline CSS and SVG, no scripts, fonts or images fetched),
so it opens offline and can be mailed as one file. Its heat map shows the objective over the
first two parameters; where more parameters vary, a cell shows the best score over the
others, and with walk-forward the mean of the folds' in-sample cells — the question a heat
map answers is "is there a broad plateau here, or one lucky spike?".
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from typing import Any

from tradebot.backtest.optimize.objective import ranked
from tradebot.backtest.optimize.study import StudyResult

__all__ = ["heatmap_cells", "study_html", "study_payload", "top_rows"]

_LOW, _MID, _HIGH = (215, 48, 39), (255, 255, 191), (26, 152, 80)
_CELL = 44


def _public(evaluation: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evaluation.items() if k != "daily_returns"}


def study_payload(result: StudyResult) -> dict[str, Any]:
    """Every evaluation, the folds and the overall out-of-sample score, as plain JSON data."""
    c = result.config
    return {
        "strategy": c.strategy,
        "method": c.method,
        "objective": c.objective,
        "seed": c.seed,
        "trials": c.trials if c.method != "grid" else None,
        "symbols": list(c.symbols),
        "timeframe": c.timeframe.value,
        "start": c.start.date().isoformat() if c.start else None,
        "end": c.end.date().isoformat() if c.end else None,
        "space": [{"name": a.name, "kind": a.kind, "values": list(a.values)} for a in c.space.axes],
        "walk_forward": c.walk_forward,
        "train_fraction": c.train_fraction if c.walk_forward else None,
        "skipped": sum(result.skipped.values()),
        "skipped_reasons": dict(result.skipped),
        "evaluations": [_public(e) for e in result.evaluations],
        "folds": [
            {
                "fold": f.fold.index,
                "in_sample": f.fold.train.as_dict(),
                "out_of_sample": f.fold.test.as_dict(),
                "best_params": f.best_params,
                "in_sample_score": f.train_score,
                "out_of_sample_score": f.test_score,
                "out_of_sample_metrics": None if f.test is None else f.test["metrics"],
            }
            for f in result.folds
        ],
        "out_of_sample": result.out_of_sample,
        "best": None if result.best is None else _public(result.best),
    }


def top_rows(result: StudyResult, limit: int = 20) -> list[dict[str, Any]]:
    """The best ``limit`` in-sample evaluations, best first (of the last fold with
    walk-forward: mixing folds would rank market regimes, not parameters)."""
    evaluations = result.evaluations
    if result.folds:
        last = result.folds[-1].fold.index
        evaluations = [e for e in evaluations if e["fold"] == last]
    return [evaluations[i] for i in ranked(evaluations, result.config.objective)[:limit]]


def heatmap_cells(
    result: StudyResult,
) -> tuple[list[Any], list[Any], dict[tuple[Any, Any], float]]:
    """x values, y values and the score of each (x, y) cell; needs two or more parameters."""
    axes = result.config.space.axes
    x_axis, y_axis = axes[0], axes[1]
    per_fold: dict[int, dict[tuple[Any, Any], float]] = defaultdict(dict)
    for e in result.evaluations:
        if e.get("score") is None:
            continue
        cell = (e["params"][x_axis.name], e["params"][y_axis.name])
        cells = per_fold[e["fold"]]
        cells[cell] = max(cells.get(cell, -math.inf), e["score"])
    gathered: dict[tuple[Any, Any], list[float]] = defaultdict(list)
    for cells in per_fold.values():
        for cell, value in cells.items():
            gathered[cell].append(value)
    scores = {cell: sum(v) / len(v) for cell, v in gathered.items()}
    return list(x_axis.values), list(y_axis.values), scores


def _colour(value: float, low: float, high: float) -> str:
    t = 0.5 if high <= low else (value - low) / (high - low)
    a, b, t = (_LOW, _MID, t * 2) if t < 0.5 else (_MID, _HIGH, (t - 0.5) * 2)
    r, g, bl = (round(p + (q - p) * t) for p, q in zip(a, b, strict=True))
    return f"rgb({r},{g},{bl})"


def _heatmap_svg(result: StudyResult) -> str:
    xs, ys, scores = heatmap_cells(result)
    x_name, y_name = result.config.space.names[:2]
    left, top = 90, 30
    width, height = left + _CELL * len(xs) + 20, top + _CELL * len(ys) + 60
    values = list(scores.values())
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="heat map of the objective">'
    ]
    for j, y in enumerate(ys):
        cy = top + j * _CELL
        parts.append(
            f'<text x="{left - 6}" y="{cy + _CELL / 2 + 4}" text-anchor="end">'
            f"{html.escape(str(y))}</text>"
        )
        for i, x in enumerate(xs):
            cx = left + i * _CELL
            value = scores.get((x, y))
            fill = "#ccc" if value is None else _colour(value, low, high)
            label = "–" if value is None else f"{value:.2f}"
            title = f"{x_name}={x}, {y_name}={y}: {label}"
            parts.append(
                f'<g><title>{html.escape(title)}</title><rect x="{cx}" y="{cy}" width="{_CELL}" '
                f'height="{_CELL}" fill="{fill}" stroke="#fff"/>'
                f'<text x="{cx + _CELL / 2}" y="{cy + _CELL / 2 + 4}" text-anchor="middle" '
                f'class="v">{label}</text></g>'
            )
    base = top + _CELL * len(ys)
    for i, x in enumerate(xs):
        parts.append(
            f'<text x="{left + i * _CELL + _CELL / 2}" y="{base + 16}" text-anchor="middle">'
            f"{html.escape(str(x))}</text>"
        )
    parts.append(
        f'<text x="{left + _CELL * len(xs) / 2}" y="{base + 40}" text-anchor="middle" '
        f'class="axis">{html.escape(x_name)}</text>'
        f'<text x="14" y="{top + _CELL * len(ys) / 2}" class="axis" '
        f'transform="rotate(-90 14 {top + _CELL * len(ys) / 2})" text-anchor="middle">'
        f"{html.escape(y_name)}</text></svg>"
    )
    return "".join(parts)


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value * 100:.2f} %" if pct else f"{value:.4f}"
    return html.escape(str(value))


def _params(params: dict[str, Any] | None) -> str:
    if params is None:
        return "none (no defined score)"
    return html.escape(", ".join(f"{k}={v}" for k, v in params.items()))


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _last_fold(result: StudyResult) -> str:
    return f" (fold {result.folds[-1].fold.index})" if result.folds else ""


def study_html(result: StudyResult) -> str:
    """The whole report as one HTML document."""
    c = result.config
    objective = c.objective
    sections = []
    if len(c.space.axes) >= 2:
        sections.append(
            f"<h2>{html.escape(objective)} over {html.escape(' × '.join(c.space.names[:2]))}</h2>"
            + _heatmap_svg(result)
        )
    if result.folds:
        rows = [
            [
                str(f.fold.index),
                f"{f.fold.train.first} → {f.fold.train.last}",
                f"{f.fold.test.first} → {f.fold.test.last}",
                _params(f.best_params),
                _fmt(f.train_score),
                _fmt(f.test_score),
            ]
            for f in result.folds
        ]
        oos = result.out_of_sample or {}
        sections.append(
            "<h2>Walk-forward</h2>"
            + _table(["fold", "in-sample", "out-of-sample", "best params", "IS", "OOS"], rows)
            + f"<p>Overall out-of-sample {html.escape(objective)}: "
            f"<b>{_fmt(oos.get(objective))}</b>, return {_fmt(oos.get('total_return'), True)}, "
            f"max drawdown {_fmt(oos.get('max_drawdown'), True)}, trades {_fmt(oos.get('trades'))}"
            "</p>"
        )
    top = [
        [
            str(e["fold"]) if result.folds else "",
            _params(e["params"]),
            _fmt(e["score"]),
            _fmt(e["metrics"].get("total_return"), True),
            _fmt(e["metrics"].get("sharpe")),
            _fmt(e["metrics"].get("max_drawdown"), True),
            _fmt(e["metrics"].get("trades")),
        ]
        for e in top_rows(result)
    ]
    head = ["fold", "params", objective, "return", "sharpe", "max drawdown", "trades"]
    sections.append(f"<h2>Top 20 in-sample{_last_fold(result)}</h2>" + _table(head, top))
    skipped = sum(result.skipped.values())
    title = f"Optimisation of {c.strategy} on {', '.join(c.symbols)}"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;"
        "padding:4px 8px;text-align:right}th{background:#f4f4f4}"
        "svg text{font-size:12px}svg text.v{font-size:10px}svg text.axis{font-weight:bold}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>method {html.escape(c.method)}, objective "
        f"{html.escape(objective)}, seed {c.seed}, {len(result.evaluations)} evaluations, "
        f"{skipped} invalid combinations skipped</p>" + "".join(sections) + "</body></html>"
    )
