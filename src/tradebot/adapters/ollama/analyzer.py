"""``llm``: a local model through Ollama, asked for a strict JSON verdict.

Each text is one ``/api/chat`` request (JSON mode, temperature 0) with a finite timeout.
Transient failures — a timeout, HTTP 429 or 5xx, a malformed reply — are retried with
exponential backoff (tenacity); when the retries are spent the item has *no score*.

Ollama not running is different: the first refused connection logs one line saying so, and
the tier is unavailable — every item gets no score at once, without a network call — for
``cooldown_s``; then one request probes again. A model that is not pulled (HTTP 404) does
the same, with the hint to ``ollama pull`` it. The rest of the pipeline carries on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from tradebot.adapters.ollama.prompt import (
    SYSTEM_PROMPT,
    LlmVerdict,
    MalformedReplyError,
    parse_reply,
    user_prompt,
)
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger
from tradebot.sentiment.base import TextAnalyzer, article_text
from tradebot.sentiment.result import SentimentResult, SentimentUnavailableError, label_for

__all__ = ["DEFAULT_OLLAMA_HOST", "DEFAULT_OLLAMA_MODEL", "LlmAnalyzer"]

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OLLAMA_MODEL = "llama3.1:8b"
LABEL_BAND = 0.2
"""|score| below this is a neutral verdict."""

_log = get_logger("sentiment-analyzer")


def _import_ollama() -> Any:
    try:
        import ollama
    except ImportError as exc:
        raise SentimentUnavailableError(
            "the llm analyzer needs the ollama client (not installed)",
            "pip install 'tradebot[llm]'",
        ) from exc
    return ollama


class _UnavailableError(Exception):
    """Ollama is down or lacks the model: stop asking for a while."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class LlmAnalyzer(TextAnalyzer):
    name = "llm"

    def __init__(
        self,
        *,
        host: str = DEFAULT_OLLAMA_HOST,
        model: str = DEFAULT_OLLAMA_MODEL,
        timeout_s: float = 30.0,
        retries: int = 2,
        retry_wait_s: float = 0.5,
        cooldown_s: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout_s <= 0 or retries < 0 or retry_wait_s < 0 or cooldown_s < 0:
            raise ValueError("timeout_s must be positive; retries, waits and cooldown >= 0")
        ollama = _import_ollama()
        self._ollama = ollama
        self._client = ollama.Client(host=host, timeout=timeout_s)
        self.host = host
        self.model = model
        self.retries = retries
        self.retry_wait_s = retry_wait_s
        self.cooldown_s = cooldown_s
        self._monotonic = monotonic
        self._down_until: float | None = None
        self.last_problem: str | None = None
        """Why the tier last gave no score (one line), for reports such as ``eval``."""

    @property
    def available(self) -> bool:
        """False while the tier is cooling down after Ollama was found unreachable."""
        return self._down_until is None or self._monotonic() >= self._down_until

    def _transient(self, exc: BaseException) -> bool:
        if isinstance(exc, MalformedReplyError):
            return True
        if isinstance(exc, self._ollama.ResponseError):
            return bool(exc.status_code == 429 or exc.status_code >= 500)
        import httpx  # installed with ollama

        return isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.ConnectError)

    def _chat_once(self, text: str, ticker: str | None) -> LlmVerdict:
        try:
            reply = self._client.chat(
                model=self.model,
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": user_prompt(text, ticker)},
                ],
                format="json",
                options={"temperature": 0},
                stream=False,
            )
        except ConnectionError as exc:
            raise _UnavailableError(
                f"Ollama is not reachable at {self.host}",
                "start it (`ollama serve`) or set sentiment.ollama_host",
            ) from exc
        except self._ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise _UnavailableError(
                    f"Ollama at {self.host} has no model {self.model!r}",
                    f"run `ollama pull {self.model}` or set sentiment.ollama_model",
                ) from exc
            raise
        return parse_reply(reply.message.content)

    def verdict(self, text: str, ticker: str | None = None) -> LlmVerdict | None:
        """The model's full answer (with reasoning and tickers), or ``None`` (no score)."""
        if not self.available:
            return None
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential(multiplier=self.retry_wait_s, max=10 * self.retry_wait_s),
            retry=retry_if_exception(self._transient),
            reraise=True,
        )
        try:
            verdict = retrying(self._chat_once, text, ticker)
        except _UnavailableError as exc:
            self.last_problem = f"{exc.reason} — {exc.hint}"
            if self._down_until is None or self._monotonic() >= self._down_until:
                _log.warning(
                    "llm sentiment tier unavailable",
                    reason=exc.reason,
                    hint=exc.hint,
                    retry_in_s=self.cooldown_s,
                )
            self._down_until = self._monotonic() + self.cooldown_s
            return None
        except Exception as exc:  # retries spent on a transient failure: no score
            if not self._transient(exc) and not isinstance(exc, self._ollama.ResponseError):
                raise
            _log.warning("llm gave no usable answer: no score", error=str(exc))
            self.last_problem = f"no usable answer from {self.model}: {exc}"
            return None
        self._down_until = None
        return verdict

    def _result(self, verdict: LlmVerdict | None) -> SentimentResult | None:
        if verdict is None:
            return None
        label = label_for(verdict.score, LABEL_BAND)
        return SentimentResult(verdict.score, verdict.confidence, label, self.name)

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        return self._result(self.verdict(article_text(article), ticker))

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        return [self._result(self.verdict(text)) for text in texts]
