"""The numpy classification head: softmax, fitting, determinism, and its file format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tradebot.adapters.embedding.head_file import (
    as_stored,
    lexicon_fingerprint,
    load_head,
    save_head,
)
from tradebot.sentiment import SentimentUnavailableError
from tradebot.sentiment.lexicon import default_lexicon, parse_lexicon
from tradebot.sentiment.softmax_head import fit_softmax_head, softmax

logits = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8),
    elements=st.floats(-500, 500, allow_nan=False),
)


@given(logits, st.floats(-100, 100, allow_nan=False))
def test_softmax_is_a_distribution_and_shift_invariant(z: np.ndarray, shift: float) -> None:
    p = softmax(z)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(softmax(z + shift), p, atol=1e-9)


def _blobs(seed: int, n: int = 150, dim: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (3, dim))
    y = rng.integers(0, 3, n)
    return centres[y] + rng.normal(0, 0.5, (n, dim)), y.astype(np.int64)


@given(st.integers(0, 2**16), st.sampled_from([0, 16]))
def test_separable_classes_are_learned(seed: int, hidden: int) -> None:
    x, y = _blobs(seed)
    head = fit_softmax_head(x, y, hidden=hidden, steps=300, learning_rate=0.05, seed=seed)
    assert (head.probabilities(x).argmax(axis=1) == y).mean() == 1.0


def test_training_is_deterministic_for_a_seed() -> None:
    x, y = _blobs(3)
    a = fit_softmax_head(x, y, hidden=8, steps=50, seed=11)
    b = fit_softmax_head(x, y, hidden=8, steps=50, seed=11)
    c = fit_softmax_head(x, y, hidden=8, steps=50, seed=12)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(
        a.hidden_weights, b.hidden_weights
    )
    assert not np.array_equal(a.weights, c.weights)


def test_bad_inputs_are_refused() -> None:
    x, y = _blobs(1)
    with pytest.raises(ValueError, match="class indices"):
        fit_softmax_head(x, y + 5)
    head = fit_softmax_head(x, y, hidden=0, steps=5)
    with pytest.raises(ValueError, match=r"expected features of shape \(n, 6\)"):
        head.probabilities(np.zeros((2, 5)))


def test_the_head_file_round_trips_and_guards_its_lexicon(tmp_path: Path) -> None:
    x, y = _blobs(2)
    head = as_stored(fit_softmax_head(x, y, hidden=4, steps=20))
    path = tmp_path / "head.npz"
    lexicon = default_lexicon()
    save_head(path, head, {"lexicon": lexicon_fingerprint(lexicon), "report": {"seed": 0}})
    loaded, meta = load_head(path, lexicon)
    assert np.array_equal(loaded.probabilities(x), head.probabilities(x))
    assert meta["report"] == {"seed": 0} and meta["labels"] == ["negative", "neutral", "positive"]
    other = parse_lexicon("soar\t3\n", "", "")
    with pytest.raises(SentimentUnavailableError, match="another version of the lexicon"):
        load_head(path, other)


def test_missing_or_foreign_head_files_are_one_line(tmp_path: Path) -> None:
    lexicon = default_lexicon()
    with pytest.raises(SentimentUnavailableError, match="not found") as missing:
        load_head(tmp_path / "nope.npz", lexicon)
    assert "tradebot sentiment train" in missing.value.one_line()
    junk = tmp_path / "junk.npz"
    junk.write_text(json.dumps({"not": "a head"}))
    with pytest.raises(SentimentUnavailableError, match="not a tradebot head file"):
        load_head(junk, lexicon)
