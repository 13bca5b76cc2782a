"""Accuracy, macro-F1 and the confusion matrix against their definitions and scikit-learn."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.optional import require
from tradebot.sentiment import LABELS, Label, accuracy, confusion_matrix, evaluate, macro_f1

labels = st.sampled_from(LABELS)
pairs = st.lists(st.tuples(labels, labels), min_size=1, max_size=60)


@given(pairs)
def test_accuracy_is_the_matrix_trace_over_the_total(rows: list[tuple[Label, Label]]) -> None:
    truth, predicted = zip(*rows, strict=True)
    matrix = confusion_matrix(truth, predicted)
    assert sum(map(sum, matrix)) == len(rows)
    trace = sum(matrix[i][i] for i in range(len(LABELS)))
    assert accuracy(truth, predicted) == pytest.approx(trace / len(rows))


@pytest.fixture(scope="module")
def sklearn_f1() -> Any:
    """scikit-learn's f1_score, the reference (installed with the embedding extra)."""
    return require("sklearn.metrics").f1_score


@given(rows=pairs)
def test_macro_f1_matches_scikit_learn(sklearn_f1: Any, rows: list[tuple[Label, Label]]) -> None:
    truth, predicted = zip(*rows, strict=True)
    present = sorted(set(truth) | set(predicted))
    expected = sklearn_f1(
        [t.value for t in truth],
        [p.value for p in predicted],
        labels=[p.value for p in present],
        average="macro",
        zero_division=0,
    )
    assert macro_f1(truth, predicted) == pytest.approx(expected)


@given(st.lists(labels, min_size=1, max_size=60))
def test_perfect_predictions_score_one(truth: list[Label]) -> None:
    assert accuracy(truth, truth) == 1.0
    assert macro_f1(truth, truth) == 1.0


@given(pairs, st.permutations(range(60)))
def test_figures_do_not_depend_on_item_order(
    rows: list[tuple[Label, Label]], order: list[int]
) -> None:
    shuffled = [rows[i] for i in order if i < len(rows)]
    a, b = evaluate(*zip(*rows, strict=True)), evaluate(*zip(*shuffled, strict=True))
    assert (a.accuracy, a.confusion) == (b.accuracy, b.confusion)
    assert a.macro_f1 == pytest.approx(b.macro_f1)


@given(pairs)
def test_an_unscored_item_counts_as_wrong(rows: list[tuple[Label, Label]]) -> None:
    truth, predicted = zip(*rows, strict=True)
    declined = [None, *predicted[1:]]
    result = evaluate(truth, declined)
    assert result.unscored == 1
    assert sum(map(sum, result.confusion)) == len(rows) - 1
    assert result.accuracy <= accuracy(truth, predicted)
    assert 0.0 <= result.macro_f1 <= 1.0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        accuracy([Label.NEUTRAL, Label.POSITIVE], [Label.NEUTRAL])
