"""FinBERT through transformers (``pip install 'tradebot[finbert]'``; torch preinstalled).

Importing this package is cheap: transformers and torch load when an analyzer is built.
"""

from tradebot.adapters.finbert.analyzer import DEFAULT_FINBERT_MODEL, FinBertAnalyzer

__all__ = ["DEFAULT_FINBERT_MODEL", "FinBertAnalyzer"]
