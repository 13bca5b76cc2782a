"""FinBERT's real loading and inference code, on a tiny randomly initialised BERT.

No model can be downloaded here, so the test builds one from a ``BertConfig`` (one layer,
16 hidden units) with a small WordPiece vocabulary, saves both with ``save_pretrained`` and
loads them through :class:`FinBertAnalyzer` exactly as a downloaded ProsusAI/finbert folder.
Results are checked against a forward pass written out independently here.
The weights are random, so the *values* mean nothing; what is tested is that the analyzer
feeds the model, batches, truncates and maps its classes correctly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.optional import require
from tradebot.sentiment import Label, SentimentUnavailableError

torch = require("torch")
transformers = require("transformers")

from tradebot.adapters.finbert import FinBertAnalyzer  # noqa: E402

WORDS = [
    *("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"),
    *("shares", "stock", "plunge", "soar", "beat", "miss", "the", "guidance", "raised", "cut"),
    *("upgrade", "downgrade", "record", "profit", "loss", "quarter", "bank", "market"),
    *("##s", "##ed"),
]
FINBERT_ORDER = {0: "positive", 1: "negative", 2: "neutral"}
TEXTS = [
    "shares plunge",
    "stock soars to record profit",
    "the bank cut guidance",
    "",
    "upgrade",
    "the quarter loss " * 400,  # far beyond 512 tokens: truncated, not an error
]


def _tiny_model(folder: Path, id2label: dict[int, str], seed: int = 7) -> Path:
    folder.mkdir(parents=True)
    # the tokenizer files of the ProsusAI/finbert repository: a WordPiece vocab and its config
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True})
    )
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        num_labels=3,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        initializer_range=0.3,  # wide random weights, so different texts get different classes
    )
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_model(tmp_path_factory.mktemp("finbert") / "model", FINBERT_ORDER)


def _reference(folder: Path, texts: list[str]) -> list[tuple[float, str]]:
    """(p_pos - p_neg, argmax label) by a plain forward pass, one text at a time."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder).eval()
    names: dict[int, Any] = model.config.id2label
    out = []
    for text in texts:
        encoded = tokenizer(text or " ", truncation=True, max_length=512, return_tensors="pt")
        with torch.no_grad():
            p = torch.softmax(model(**encoded).logits[0], dim=-1)
        by_name = {names[i]: float(p[i]) for i in range(3)}
        out.append((by_name["positive"] - by_name["negative"], names[int(p.argmax())]))
    return out


def test_scores_match_an_independent_forward_pass(model_dir: Path) -> None:
    analyzer = FinBertAnalyzer(model_dir, batch_size=4)
    results = analyzer.score_texts(TEXTS)
    expected = _reference(model_dir, TEXTS)
    assert analyzer.device in ("cpu", "cuda")
    assert len({r.label for r in results if r}) >= 2, "the tiny model must discriminate"
    for result, (score, label) in zip(results, expected, strict=True):
        assert result is not None and result.model == "finbert"
        assert result.score == pytest.approx(score, abs=1e-5)
        assert result.label is Label(label)
        assert 1 / 3 <= result.confidence <= 1.0


def test_batching_and_padding_do_not_change_scores(model_dir: Path) -> None:
    one = FinBertAnalyzer(model_dir, batch_size=1).score_texts(TEXTS)
    many = FinBertAnalyzer(model_dir, batch_size=16).score_texts(TEXTS)
    for a, b in zip(one, many, strict=True):
        assert a is not None and b is not None
        assert a.score == pytest.approx(b.score, abs=1e-5) and a.label is b.label


def test_class_order_comes_from_the_models_config(tmp_path: Path) -> None:
    shuffled = {0: "neutral", 1: "positive", 2: "negative"}
    folder = _tiny_model(tmp_path / "shuffled", shuffled)
    results = FinBertAnalyzer(folder).score_texts(TEXTS)
    for result, (score, label) in zip(results, _reference(folder, TEXTS), strict=True):
        assert result is not None
        assert result.score == pytest.approx(score, abs=1e-5) and result.label is Label(label)


def test_a_model_with_other_classes_is_refused(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "generic", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(SentimentUnavailableError, match="not positive/negative/neutral"):
        FinBertAnalyzer(folder)


def test_a_missing_model_is_one_line_saying_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(SentimentUnavailableError) as caught:
        FinBertAnalyzer("ProsusAI/finbert")
    line = caught.value.one_line()
    assert "\n" not in line
    assert "ProsusAI/finbert" in line and "HF_HUB_OFFLINE" in line
    assert "sentiment.finbert_model" in line
