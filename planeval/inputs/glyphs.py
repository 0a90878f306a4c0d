"""The characters the charts can draw: a plan's names, units and rules are checked against the
charts' font when the plan is loaded (a notebook would fail on a missing glyph)."""

from __future__ import annotations

import functools

FONT_FAMILY = "Noto Sans CJK SC"  # the charts' font (planeval.presentation.charts)


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    return frozenset(ft2font.FT2Font(path).get_charmap())


def undrawable(text: str) -> str:
    """The characters of ``text`` the charts' font has no glyph for (emoji, most symbols), each once;
    line breaks and tabs aside."""
    glyphs = _glyphs()
    return "".join(dict.fromkeys(c for c in text if ord(c) not in glyphs and c not in "\n\t"))
