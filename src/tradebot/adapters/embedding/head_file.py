"""The trained head on disk: one small ``.npz`` with the weights and how they were made.

Besides the arrays it stores, as JSON, the class order, the embedding model, a fingerprint
of the lexicon whose features the head was trained with, and the training report (command,
data, seed, figures). Loading checks the shapes and the class order; a head trained with
another lexicon is refused with the command that retrains it.
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.sentiment.lexicon import Lexicon
from tradebot.sentiment.result import LABELS, SentimentUnavailableError
from tradebot.sentiment.softmax_head import SoftmaxHead

__all__ = ["as_stored", "bundled_head_path", "lexicon_fingerprint", "load_head", "save_head"]

_ARRAYS = ("mean", "scale", "hidden_weights", "hidden_bias", "weights", "bias")
_RETRAIN = "retrain it: tradebot sentiment train --out FILE, then set sentiment.embedding_head"


def bundled_head_path() -> Path:
    return Path(str(files("tradebot.data").joinpath("sentiment", "embedding_head.npz")))


def lexicon_fingerprint(lexicon: Lexicon) -> str:
    """A short hash of the lexicon's content (terms, negators, modifiers)."""
    text = json.dumps(
        [
            sorted((" ".join(k), v) for k, v in lexicon.terms.items()),
            sorted(lexicon.negators),
            sorted(lexicon.modifiers.items()),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_head(path: Path, head: SoftmaxHead, meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {**meta, "labels": [label.value for label in LABELS]}
    payload: dict[str, Any] = {
        name: np.asarray(getattr(head, name), dtype=np.float32) for name in _ARRAYS
    }
    payload["meta"] = np.array(json.dumps(meta, sort_keys=True))
    with path.open("wb") as handle:
        np.savez_compressed(handle, **payload)


def as_stored(head: SoftmaxHead) -> SoftmaxHead:
    """The head as it reads back from a file (weights are stored as float32), so figures
    measured before saving are the figures of the saved head."""
    return SoftmaxHead(
        **{
            name: np.asarray(getattr(head, name), dtype=np.float32).astype(np.float64)
            for name in _ARRAYS
        }
    )


def load_head(path: Path, lexicon: Lexicon) -> tuple[SoftmaxHead, dict[str, Any]]:
    """The head and its metadata; any problem is one :class:`SentimentUnavailableError`."""
    if not path.is_file():
        raise SentimentUnavailableError(f"embedding head {path} not found", _RETRAIN)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {name: np.asarray(data[name], dtype=np.float64) for name in _ARRAYS}
    except (OSError, KeyError, ValueError) as exc:
        raise SentimentUnavailableError(
            f"embedding head {path} is not a tradebot head file ({exc})", _RETRAIN
        ) from exc
    if meta.get("labels") != [label.value for label in LABELS]:
        raise SentimentUnavailableError(
            f"embedding head {path} has classes {meta.get('labels')}", _RETRAIN
        )
    if meta.get("lexicon") != lexicon_fingerprint(lexicon):
        raise SentimentUnavailableError(
            f"embedding head {path} was trained with another version of the lexicon", _RETRAIN
        )
    head = SoftmaxHead(**arrays)
    hidden = head.hidden_weights.shape
    if head.weights.shape != ((hidden[1] if hidden[1] else head.dim), len(LABELS)):
        raise SentimentUnavailableError(f"embedding head {path} has inconsistent shapes", _RETRAIN)
    return head, meta
