"""The dashboard's font lookup: the package-wide one in :mod:`jjjplan.fonts`, which also finds
fonts a stale matplotlib cache misses. Kept as a module so ``fonts.find_cjk_font`` can be
replaced in tests."""

from __future__ import annotations

from jjjplan.fonts import CJK_CANDIDATES, chart_lang, chart_rc, find_cjk_font, font_notice

__all__ = ["CJK_CANDIDATES", "chart_lang", "chart_rc", "find_cjk_font", "font_notice"]
