"""The financial lexicon: terms with valences, negators and degree modifiers.

Parsing is pure (text in, :class:`Lexicon` out). :func:`default_lexicon` reads the word
lists shipped as package data in ``tradebot/data/sentiment/lexicon/`` once per process:
that immutable package data is the only thing this package ever reads.

Why our own lists rather than Loughran–McDonald or VADER: the Loughran–McDonald dictionary
is licensed for academic use only and scores the verbs headlines are made of ("beats",
"misses", "plunges", "upgraded") as 0; VADER's lexicon (MIT) is tuned on social media and
scores "downgraded" or "cuts to Sell" as neutral. We keep VADER's *method* — valences on
its -4..+4 scale, negation that flips and damps (x -0.74) within three words, degree words
that add ±0.293, the normalisation ``s / sqrt(s² + alpha)`` — with a finance vocabulary
written for this project (price moves, results against expectations, analyst actions,
corporate events), shipped under the project's MIT licence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from tradebot.domain.errors import DataError
from tradebot.sentiment.tokens import PCT_DOWN, PCT_UP, normalise_term

__all__ = ["Lexicon", "default_lexicon", "parse_lexicon"]

_PACKAGE_DATA = ("sentiment", "lexicon")
_SIGNED_PCT_VALENCE = 1.8


@dataclass(frozen=True, slots=True)
class Lexicon:
    """``terms`` maps a token tuple (one or more words) to its valence in -4..4."""

    terms: dict[tuple[str, ...], float]
    negators: frozenset[str]
    modifiers: dict[str, float]

    @property
    def longest(self) -> int:
        """The most words any term has: how far a phrase match must look ahead."""
        return max((len(term) for term in self.terms), default=1)


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _weighted(text: str, source: str, bound: float) -> list[tuple[str, float]]:
    entries: list[tuple[str, float]] = []
    for number, line in _lines(text):
        term, _, value = line.partition("\t")
        try:
            weight = float(value)
        except ValueError:
            raise DataError(
                f"{source} line {number}: expected 'term<TAB>number', got {line!r}",
                "separate the term and its weight by one tab",
            ) from None
        if not -bound <= weight <= bound:
            raise DataError(
                f"{source} line {number}: weight {weight} outside -{bound}..{bound}",
                "use a weight on the lexicon's scale",
            )
        entries.extend((variant, weight) for variant in term.split("|"))
    return entries


def parse_lexicon(terms: str, negators: str, modifiers: str, *, source: str = "lexicon") -> Lexicon:
    """Build a :class:`Lexicon` from the three word lists' texts (formats in the files)."""
    table: dict[tuple[str, ...], float] = {
        (PCT_UP,): _SIGNED_PCT_VALENCE,
        (PCT_DOWN,): -_SIGNED_PCT_VALENCE,
    }
    for term, valence in _weighted(terms, f"{source} terms", 4.0):
        key = normalise_term(term)
        if not key:
            raise DataError(f"{source} terms: entry {term!r} has no word", "remove the entry")
        table[key] = valence
    negator_words = frozenset(word for _, line in _lines(negators) for word in normalise_term(line))
    degree = {
        word: weight
        for term, weight in _weighted(modifiers, f"{source} modifiers", 1.0)
        for word in normalise_term(term)
    }
    return Lexicon(terms=table, negators=negator_words, modifiers=degree)


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with tradebot (read from package data once per process)."""
    folder = files("tradebot.data").joinpath(*_PACKAGE_DATA)
    try:
        texts = [
            folder.joinpath(name).read_text(encoding="utf-8")
            for name in ("finance_terms.tsv", "negators.txt", "modifiers.tsv")
        ]
    except OSError as exc:
        raise DataError(
            f"the bundled sentiment lexicon is missing ({exc})",
            "reinstall tradebot; the word lists live in tradebot/data/sentiment/lexicon/",
        ) from exc
    return parse_lexicon(*texts, source="bundled lexicon")
