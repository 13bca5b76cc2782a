"""What we ask the local LLM, and how its JSON answer is checked.

The model must answer one JSON object: ``score`` in -1..1, ``confidence`` in 0..1, a short
``reasoning`` and the ``tickers`` the text is about. Anything else — not JSON, a missing
field, a number out of range — is a :class:`MalformedReplyError`, never coerced into a score.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["SYSTEM_PROMPT", "LlmVerdict", "MalformedReplyError", "parse_reply", "user_prompt"]

SYSTEM_PROMPT = (
    "You are a financial news sentiment analyst. For the text you are given, judge how it "
    "affects the stock price of the company it is about (or of the ticker named). Answer "
    "with one JSON object and nothing else, with exactly these keys: "
    '"score": a number from -1 (very negative for the price) to 1 (very positive), 0 when '
    'neutral; "confidence": a number from 0 to 1, how sure you are; "reasoning": one short '
    'sentence; "tickers": a list of the stock tickers the text is about (may be empty).'
)


def user_prompt(text: str, ticker: str | None = None) -> str:
    focus = f"Ticker of interest: {ticker}\n" if ticker else ""
    return f"{focus}Text: {text.strip()}"


class MalformedReplyError(ValueError):
    """The model answered, but not with the JSON object we asked for."""


class LlmVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    score: float = Field(ge=-1.0, le=1.0, allow_inf_nan=False)
    confidence: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    reasoning: str = ""
    tickers: tuple[str, ...] = ()


def parse_reply(content: str | None) -> LlmVerdict:
    """The verdict in the model's reply, or :class:`MalformedReplyError` saying what is wrong."""
    if not content or not content.strip():
        raise MalformedReplyError("empty reply")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise MalformedReplyError(f"reply is not JSON: {exc.msg} at {exc.pos}") from None
    if not isinstance(data, dict):
        raise MalformedReplyError(f"reply is JSON {type(data).__name__}, not an object")
    try:
        return LlmVerdict.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MalformedReplyError(f"reply field {where}: {first['msg']}") from None
