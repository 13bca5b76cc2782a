"""A local LLM through Ollama (``pip install 'tradebot[llm]'``): strict JSON verdicts,
timeouts, retries, and an unavailable tier — not a crash — when Ollama is not running."""

from tradebot.adapters.ollama.analyzer import DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, LlmAnalyzer
from tradebot.adapters.ollama.prompt import LlmVerdict, MalformedReplyError, parse_reply

__all__ = [
    "DEFAULT_OLLAMA_HOST",
    "DEFAULT_OLLAMA_MODEL",
    "LlmAnalyzer",
    "LlmVerdict",
    "MalformedReplyError",
    "parse_reply",
]
