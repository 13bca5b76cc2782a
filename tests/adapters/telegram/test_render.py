"""Properties of the Telegram text rendering (pure functions, hypothesis)."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.telegram import CAPTION_LIMIT, TEXT_LIMIT, clip, render_text


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parsed(rendered: str) -> str:
    """What Telegram shows: the one tag we emit removed, entities decoded."""
    assert rendered.startswith("<b>")
    return html.unescape(rendered.replace("<b>", "", 1).replace("</b>", "", 1))


@given(st.text(max_size=300), st.text(max_size=6000), st.sampled_from([TEXT_LIMIT, CAPTION_LIMIT]))
def test_rendered_text_fits_and_holds_no_stray_markup(title: str, body: str, limit: int) -> None:
    rendered = render_text(title, body, limit)

    parsed = _parsed(rendered)
    assert _units(parsed) <= limit
    stripped = rendered.replace("<b>", "", 1).replace("</b>", "", 1)
    assert "<" not in stripped
    assert ">" not in stripped


@given(st.text(max_size=100), st.text(max_size=800))
def test_text_that_fits_is_kept_whole(title: str, body: str) -> None:
    parsed = _parsed(render_text(title, body, TEXT_LIMIT))

    one_line_title = " ".join(title.split())
    expected = f"{one_line_title}\n\n{body.strip()}" if body.strip() else one_line_title
    assert parsed == expected


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_clip_keeps_a_prefix_within_the_limit(text: str, limit: int) -> None:
    clipped = clip(text, limit)

    assert _units(clipped) <= limit
    if clipped != text:
        assert clipped.endswith("…")
        assert text.startswith(clipped[:-1])
