"""``tradebot sentiment eval`` and ``tradebot sentiment train``.

``eval`` reports each analyzer's figures with a status: ``ok``, ``unavailable: why`` (no
figures), or, for a tiered chain with a tier that took no part (not installed, no model,
a service down), ``degraded``: the row names each missing tier and why, and says whose
figures they are — those of the tiers that answered, which is what the chain really was.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tradebot.cli.app import app, settings_of
from tradebot.cli.outputs import check_output_file
from tradebot.cli.render import console, progress_bar
from tradebot.domain.errors import DataError
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.dataset import LabelledText, bundled_dataset_path, read_labelled_csv
from tradebot.sentiment.evaluation import Evaluation, evaluate
from tradebot.sentiment.result import LABELS, SentimentResult, SentimentUnavailableError
from tradebot.sentiment.tiered import MissingTier, TieredAnalyzer

__all__ = ["sentiment_app"]

sentiment_app = typer.Typer(help="Sentiment analyzers: evaluate and train.", no_args_is_help=True)
app.add_typer(sentiment_app, name="sentiment")

DEFAULT_HEAD_OUT = Path(".tradebot/sentiment/embedding_head.npz")
_CHUNK = 256


@dataclass(frozen=True, slots=True)
class _Outcome:
    name: str
    evaluation: Evaluation | None
    items_per_s: float
    problem: str = ""
    missing: tuple[MissingTier, ...] = ()
    """Tiers of a tiered chain that took no part (the figures are not theirs)."""
    answered_by: dict[str, int] | None = None
    """Scored items by the model that scored them."""

    @property
    def label(self) -> str:
        """The analyzer's name, with whose figures they are when tiers were missing."""
        if not self.missing or not self.answered_by:
            return self.name
        return f"{self.name} ({' + '.join(self.answered_by)} only)"

    @property
    def status(self) -> str:
        if self.evaluation is None:
            return f"unavailable: {self.problem}"
        if not self.missing:
            return "ok"
        gone = "; ".join(f"{m.name} unavailable ({m.reason})" for m in self.missing)
        who = " + ".join(self.answered_by or {}) or "no tier"
        return f"degraded: {gone}; figures are {who}'s alone"


def _names(analyzer: str | None) -> list[str]:
    from tradebot.runtime.analyzers import ANALYZER_NAMES

    if analyzer is None:
        return list(ANALYZER_NAMES)
    names = [name.strip() for name in analyzer.split(",") if name.strip()]
    unknown = [name for name in names if name not in ANALYZER_NAMES]
    if unknown or not names:
        raise DataError(
            f"unknown analyzer {', '.join(map(repr, unknown)) or repr(analyzer)}",
            f"choose from {', '.join(ANALYZER_NAMES)} (comma-separated)",
        )
    return names


def _rows(dataset: Path | None, split: str | None) -> tuple[list[LabelledText], str]:
    if dataset is None:
        chosen = split or "valid"
        return read_labelled_csv(bundled_dataset_path(), split=chosen), f"bundled {chosen} split"
    return read_labelled_csv(dataset, split=split), str(dataset)


def _run(name: str, analyzer: TextAnalyzer, rows: list[LabelledText]) -> _Outcome:
    texts = [row.text for row in rows]
    results: list[SentimentResult | None] = []
    started = time.perf_counter()
    with progress_bar(f"sentiment {name}", len(texts)) as advance:
        for start in range(0, len(texts), _CHUNK):
            results.extend(analyzer.score_texts(texts[start : start + _CHUNK]))
            advance(len(results))
    elapsed = time.perf_counter() - started
    figures = evaluate([row.label for row in rows], [r.label if r else None for r in results])
    if figures.unscored == figures.items:
        problem = getattr(analyzer, "last_problem", None) or "it scored no item (see the log)"
        return _Outcome(name, None, 0.0, str(problem))
    speed = len(texts) / elapsed if elapsed > 0 else float("inf")
    missing = tuple(analyzer.missing_tiers()) if isinstance(analyzer, TieredAnalyzer) else ()
    answered_by = Counter(r.model for r in results if r is not None)
    return _Outcome(name, figures, speed, "", missing, dict(answered_by.most_common()))


def _summary(outcomes: list[_Outcome], source: str, items: int) -> Table:
    table = Table(title=f"Sentiment on {source} ({items} items)")
    for column in ("analyzer", "accuracy", "macro-F1", "items/s", "unscored", "status"):
        table.add_column(column, justify="left" if column in ("analyzer", "status") else "right")
    for outcome in outcomes:
        e = outcome.evaluation
        status = Text(outcome.status)  # plain text: a hint such as 'tradebot[ml]' stays whole
        if e is None:
            table.add_row(Text(outcome.label), "", "", "", "", status)
            continue
        table.add_row(
            Text(outcome.label),
            f"{e.accuracy:.4f}",
            f"{e.macro_f1:.4f}",
            f"{outcome.items_per_s:,.0f}",
            str(e.unscored),
            status,
        )
    return table


def _confusion(outcome: _Outcome, evaluation: Evaluation) -> Table:
    table = Table(title=Text(f"{outcome.label}: rows true, columns predicted"))
    table.add_column("true \\ predicted")
    for label in LABELS:
        table.add_column(label.value, justify="right")
    for label, row in zip(LABELS, evaluation.confusion, strict=True):
        table.add_row(label.value, *(str(n) for n in row))
    return table


def _payload(outcomes: list[_Outcome]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for outcome in outcomes:
        e = outcome.evaluation
        if e is None:
            payload[outcome.name] = {"status": "unavailable", "unavailable": outcome.problem}
            continue
        payload[outcome.name] = {
            "status": "degraded" if outcome.missing else "ok",
            "missing_tiers": {m.name: m.reason for m in outcome.missing},
            "answered_by": outcome.answered_by or {},
            "accuracy": e.accuracy,
            "macro_f1": e.macro_f1,
            "items_per_s": outcome.items_per_s,
            "confusion": e.confusion,
            "labels": [label.value for label in LABELS],
            "items": e.items,
            "unscored": e.unscored,
        }
    return payload


@sentiment_app.command("eval")
def sentiment_eval(
    dataset: Annotated[
        Path | None,
        typer.Option(help="CSV with columns text and sentiment (default: bundled validation)."),
    ] = None,
    analyzer: Annotated[
        str | None,
        typer.Option(help="lexicon, embedding, finbert, llm or tiered; comma list (default all)."),
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Only rows whose split column has this value.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write {analyzer: figures} to this file.")
    ] = None,
) -> None:
    """Accuracy, macro-F1, confusion matrix and items/s of each analyzer on labelled texts."""
    from tradebot.runtime.analyzers import build_analyzer

    check_output_file("--json", json_out)
    names = _names(analyzer)
    rows, source = _rows(dataset, split)
    settings = settings_of().sentiment
    outcomes: list[_Outcome] = []
    for name in names:
        try:
            built = build_analyzer(name, settings)
        except SentimentUnavailableError as exc:
            outcomes.append(_Outcome(name, None, 0.0, exc.one_line()))
            continue
        outcomes.append(_run(name, built, rows))
    console.print(_summary(outcomes, source, len(rows)))
    for outcome in outcomes:
        if outcome.evaluation is not None:
            console.print(_confusion(outcome, outcome.evaluation))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(_payload(outcomes), indent=2) + "\n")
        console.print(f"wrote {escape(str(json_out))}")


@sentiment_app.command("train")
def sentiment_train(
    dataset: Annotated[
        Path | None,
        typer.Option(help="CSV with text, sentiment and split columns (default: bundled)."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to write the head (.npz).")] = DEFAULT_HEAD_OUT,
    train_split: Annotated[str, typer.Option(help="Rows to train on.")] = "train",
    valid_split: Annotated[str, typer.Option(help="Rows to report figures on.")] = "valid",
    seed: Annotated[int, typer.Option(help="Seed of the weight initialisation.")] = 0,
    hidden: Annotated[int, typer.Option(min=0, help="Hidden units (0: logistic).")] = 128,
    l2: Annotated[float, typer.Option(min=0.0, help="L2 penalty.")] = 1e-3,
    steps: Annotated[int, typer.Option(min=1, help="Full-batch Adam steps.")] = 600,
) -> None:
    """Train the embedding analyzer's head; use it with sentiment.embedding_head=OUT."""
    from tradebot.adapters.embedding import SentenceEncoder, train_head
    from tradebot.sentiment.lexicon import default_lexicon

    check_output_file("--out", out)
    path = dataset if dataset is not None else bundled_dataset_path()
    train_rows = read_labelled_csv(path, split=train_split)
    valid_rows = read_labelled_csv(path, split=valid_split)
    encoder = SentenceEncoder(device=settings_of().sentiment.device)
    console.print(
        f"training on {len(train_rows)} rows of {path.name} (split {train_split}), "
        f"reporting on {len(valid_rows)} (split {valid_split})"
    )
    note = {
        "command": "tradebot sentiment train"
        + (f" --dataset {dataset}" if dataset else "")
        + f" --seed {seed} --hidden {hidden} --l2 {l2} --steps {steps}",
        "dataset": path.name,
    }
    report = train_head(
        train_rows,
        valid_rows,
        out,
        lexicon=default_lexicon(),
        encoder=encoder,
        seed=seed,
        hidden=hidden,
        l2=l2,
        steps=steps,
        note=note,
    )
    table = Table(title=f"embedding head → {out}")
    for column in ("accuracy", "macro-F1", "train rows", "valid rows", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{report.accuracy:.4f}",
        f"{report.macro_f1:.4f}",
        str(report.train_items),
        str(report.valid_items),
        f"{report.seconds:.0f}",
    )
    console.print(table)
    console.print(json.dumps(asdict(report)["confusion"]))
