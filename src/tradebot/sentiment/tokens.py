"""Turning a headline or tweet into the lowercase word tokens the lexicon matches.

Links and cashtags carry no sentiment and are dropped (``$AAPL`` names a stock, it does not
praise it). A signed percentage (``+7.7%``, ``-3%``) is a price move and becomes one of two
marker tokens, :data:`PCT_UP` or :data:`PCT_DOWN`, which the lexicon scores. Apostrophes
vanish inside words (``don't`` → ``dont``) and hyphens split words (``sell-off`` →
``sell off``), so lexicon entries need only one spelling. Every number becomes
:data:`NUMBER`, so "down <num>" matches "down 17" and "down 0.1".
"""

from __future__ import annotations

import re

__all__ = ["NUMBER", "PCT_DOWN", "PCT_UP", "normalise_term", "tokenize"]

PCT_UP = "<pct-up>"
PCT_DOWN = "<pct-down>"
NUMBER = "<num>"

_URL = re.compile(r"(?:https?://|www\.)\S+")
_CASHTAG = re.compile(r"\$[a-z][a-z0-9.\-_]{0,9}\b")
_SIGNED_PCT = re.compile(r"(?<![\w.])([+\-\u2212])\s?\d+(?:[.,]\d+)?\s?%")
_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019`](?=[a-z])")
_TOKEN = re.compile(r"<pct-(?:up|down)>|[a-z]+|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _pct_marker(match: re.Match[str]) -> str:
    return f" {PCT_UP if match.group(1) == '+' else PCT_DOWN} "


def tokenize(text: str) -> list[str]:
    """The word tokens of ``text`` in order (see the module docstring for the rules)."""
    lowered = text.lower()
    lowered = _URL.sub(" ", lowered)
    lowered = _CASHTAG.sub(" ", lowered)
    lowered = _SIGNED_PCT.sub(_pct_marker, lowered)
    lowered = _APOSTROPHE.sub("", lowered)
    return [NUMBER if _NUMBER.fullmatch(token) else token for token in _TOKEN.findall(lowered)]


def normalise_term(term: str) -> tuple[str, ...]:
    """A lexicon entry as the tuple of tokens it must match (``"sell-off"`` → sell, off)."""
    words = re.findall(r"<[a-z\-]+>|[a-z]+|\d+(?:[.,]\d+)*", _APOSTROPHE.sub("", term.lower()))
    return tuple(NUMBER if _NUMBER.fullmatch(word) else word for word in words)
