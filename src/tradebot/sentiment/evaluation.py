"""Classification figures for sentiment analyzers: confusion matrix, accuracy, macro-F1.

Pure functions over label sequences, so ``tradebot sentiment eval``, the benchmarks and the
tests compute them the same way. Items an analyzer could not score are passed as ``None``
predictions: they count as wrong (an analyzer that declines everything must not look good)
and are reported separately by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tradebot.sentiment.result import LABELS, Label

__all__ = ["Evaluation", "accuracy", "confusion_matrix", "evaluate", "macro_f1"]


def confusion_matrix(truth: Sequence[Label], predicted: Sequence[Label | None]) -> list[list[int]]:
    """``matrix[i][j]`` = items of true class ``LABELS[i]`` predicted as ``LABELS[j]``;
    unscored items (``None``) appear in no cell."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    index = {label: i for i, label in enumerate(LABELS)}
    matrix = [[0] * len(LABELS) for _ in LABELS]
    for actual, guess in zip(truth, predicted, strict=True):
        if guess is not None:
            matrix[index[actual]][index[guess]] += 1
    return matrix


def accuracy(truth: Sequence[Label], predicted: Sequence[Label | None]) -> float:
    """Share of items predicted correctly (0.0 for no items)."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    if not truth:
        return 0.0
    return sum(a == p for a, p in zip(truth, predicted, strict=True)) / len(truth)


def macro_f1(truth: Sequence[Label], predicted: Sequence[Label | None]) -> float:
    """Unweighted mean of the per-class F1 over the classes that occur in ``truth`` or in
    ``predicted`` (a class absent from both says nothing about the analyzer). An unscored
    item is a false negative of its true class."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    present = set(truth) | {p for p in predicted if p is not None}
    if not present:
        return 0.0
    scores = []
    for label in LABELS:
        if label not in present:
            continue
        tp = sum(a == label and p == label for a, p in zip(truth, predicted, strict=True))
        fp = sum(a != label and p == label for a, p in zip(truth, predicted, strict=True))
        fn = sum(a == label and p != label for a, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The figures ``tradebot sentiment eval`` reports for one analyzer."""

    items: int
    unscored: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]


def evaluate(truth: Sequence[Label], predicted: Sequence[Label | None]) -> Evaluation:
    return Evaluation(
        items=len(truth),
        unscored=sum(p is None for p in predicted),
        accuracy=accuracy(truth, predicted),
        macro_f1=macro_f1(truth, predicted),
        confusion=confusion_matrix(truth, predicted),
    )
