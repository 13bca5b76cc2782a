"""Cleaning what news sources hand us: canonical URLs and plain text from HTML.

Feeds and Reddit give the same story under different URLs (tracking parameters, ``http`` vs
``https``, ``www.``, a fragment, a trailing slash) and wrap summaries in HTML. De-duplication
and sentiment both want the story itself, so every source passes its URLs and text through
here. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["MAX_TEXT_CHARS", "canonical_url", "fold_whitespace", "strip_html", "url_key"]

MAX_TEXT_CHARS = 20_000
"""Plain text is cut here: a summary longer than this is a page, not a news item."""

# Query parameters that say who sent the reader, never which story it is (compared lower-case).
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ncid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "cmpid",
        "taid",
        "yptr",
        ".tsrc",
        "soc_src",
        "soc_trk",
        "feedtype",
        "feedname",
        "ref",
        "ref_src",
        "rss",
        "mod",
        "smid",
        "partner",
        "__source",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "noscript", "iframe"})


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in _TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """``url`` without what does not name the story: tracking parameters (``utm_*``,
    ``fbclid``, Yahoo's ``.tsrc``, ...), the fragment, a default port, a trailing slash;
    scheme and host lower-cased, the remaining query parameters sorted. Still a working
    link. Anything that is not an http(s) URL comes back stripped but otherwise unchanged.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # e.g. a non-numeric port: not a URL we can reason about
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname.lower()
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def url_key(url: str) -> str:
    """The de-duplication key of a URL: its canonical form with ``https`` and no ``www.``,
    hashed (sha256 hex), so ``http://www.x.com/a?utm_source=y`` and ``https://x.com/a``
    are one story. Empty for an empty URL (no key: the content hash must do)."""
    canonical = canonical_url(url)
    if not canonical:
        return ""
    if canonical.startswith("http://"):
        canonical = "https://" + canonical[len("http://") :]
    if canonical.startswith("https://www."):
        canonical = "https://" + canonical[len("https://www.") :]
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fold_whitespace(text: str) -> str:
    """Runs of whitespace (newlines, tabs, non-breaking spaces) become one space."""
    return " ".join(text.split())


class _TextExtractor(HTMLParser):
    """Collects text outside script/style; block tags become spaces so words never glue."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._size = 0
        self._limit = limit
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping and self._size < self._limit:
            self.parts.append(data)
            self._size += len(data)


def strip_html(html: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    """Plain text of an HTML fragment: tags dropped (script and style with their content),
    entities decoded, whitespace folded, cut at ``limit`` characters. Text without markup
    comes back folded and cut, so it is safe to call on anything a feed calls a summary."""
    if "<" not in html and "&" not in html:
        return fold_whitespace(html[: limit * 2])[:limit]
    extractor = _TextExtractor(limit)
    extractor.feed(html[: limit * 4])  # markup is verbose; more than this is not a summary
    extractor.close()
    return fold_whitespace("".join(extractor.parts))[:limit]
