"""A small classification head over sentence embeddings, in numpy.

Maths only (no I/O): the embedding adapter encodes texts and loads/saves the weights. The
head standardises its inputs, then applies one ReLU hidden layer (128 units by default;
``hidden=0`` gives plain multinomial logistic regression) and a softmax, trained full-batch
with Adam on the mean cross-entropy plus an L2 penalty. Full-batch
training and a seeded initialisation make a run reproducible bit for bit on one machine.

Classes are :data:`~tradebot.sentiment.result.LABELS` (negative, neutral, positive), so
``probabilities(x)[:, 2] - probabilities(x)[:, 0]`` is a score in -1..1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "SoftmaxHead", "fit_softmax_head", "softmax"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def softmax(logits: FloatArray) -> FloatArray:
    """Row-wise softmax, stable for any finite logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return out


@dataclass(frozen=True, slots=True)
class SoftmaxHead:
    """Inputs are standardised with the training set's ``mean`` and ``scale`` first. The
    ``hidden`` weights are empty (shape ``(dim, 0)``) for plain logistic regression."""

    mean: FloatArray
    scale: FloatArray
    hidden_weights: FloatArray
    hidden_bias: FloatArray
    weights: FloatArray
    bias: FloatArray

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])

    @property
    def hidden(self) -> bool:
        return bool(self.hidden_weights.shape[1] > 0)

    def logits(self, x: FloatArray) -> FloatArray:
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected features of shape (n, {self.dim}), got {x.shape}")
        z = (x - self.mean) / self.scale
        features = np.maximum(z @ self.hidden_weights + self.hidden_bias, 0.0) if self.hidden else z
        out: FloatArray = features @ self.weights + self.bias
        return out

    def probabilities(self, x: FloatArray) -> FloatArray:
        """Class probabilities, one row per embedding."""
        return softmax(self.logits(x))


def _adam(
    params: list[FloatArray],
    gradients: list[FloatArray],
    state: list[FloatArray],
    step: int,
    rate: float,
) -> None:
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for i, (param, grad) in enumerate(zip(params, gradients, strict=True)):
        m, v = state[2 * i], state[2 * i + 1]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1**step)
        v_hat = v / (1 - beta2**step)
        param -= rate * m_hat / (np.sqrt(v_hat) + eps)


def fit_softmax_head(
    x: FloatArray,
    y: IntArray,
    *,
    classes: int = 3,
    hidden: int = 128,
    l2: float = 1e-3,
    steps: int = 600,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> SoftmaxHead:
    """Fit a head to features ``x`` (n × dim) and class indices ``y`` (n,).

    The defaults were chosen on a 10 % development slice of the bundled train split (never
    on the validation split): 128 hidden units beat logistic regression by ~2.5 points of
    accuracy there, and 256 units were no better."""
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be (n, dim) and y (n,), got {x.shape} and {y.shape}")
    if x.shape[0] == 0:
        raise ValueError("cannot fit a head on no examples")
    if y.min() < 0 or y.max() >= classes:
        raise ValueError(f"class indices must be in 0..{classes - 1}")
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    x = (x - mean) / scale
    n, dim = x.shape
    rng = np.random.default_rng(seed)
    target = np.eye(classes)[y]
    if hidden:
        w1 = rng.normal(0.0, np.sqrt(2.0 / dim), (dim, hidden))
        w2 = rng.normal(0.0, np.sqrt(1.0 / hidden), (hidden, classes))
    else:
        w1, w2 = np.zeros((dim, 0)), np.zeros((dim, classes))
    params = [w1, np.zeros(hidden), w2, np.zeros(classes)]
    state = [np.zeros_like(p) for p in params for _ in (0, 1)]
    for step in range(1, steps + 1):
        pre = x @ params[0] + params[1]
        features = np.maximum(pre, 0.0) if hidden else x
        error = (softmax(features @ params[2] + params[3]) - target) / n
        grads = [np.zeros_like(params[0]), np.zeros_like(params[1])]
        grads += [features.T @ error + l2 * params[2], error.sum(axis=0)]
        if hidden:
            back = (error @ params[2].T) * (pre > 0.0)
            grads[0] = x.T @ back + l2 * params[0]
            grads[1] = back.sum(axis=0)
        _adam(params, grads, state, step, learning_rate)
    return SoftmaxHead(mean, scale, *params)
