"""Find a font that has Chinese glyphs, at run time, without touching global matplotlib state.

matplotlib's default DejaVu Sans has no CJK glyphs, so Chinese chart labels would render as
boxes. Machines differ (Noto CJK on Debian, YaHei on Windows, PingFang on macOS), so the font
is looked up among the fonts matplotlib knows when the dashboard is built, never at import.
The result is applied through :func:`chart_rc` inside ``matplotlib.rc_context`` only, so a
planner's own plots in the same kernel are unaffected. When no CJK font exists the dashboard
falls back to English chart labels (:func:`chart_lang`).
"""

from __future__ import annotations

from functools import cache

#: Preferred families, simplified Chinese first; the first one installed wins.
CJK_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Arial Unicode MS",
)


@cache
def find_cjk_font() -> str | None:
    """Family name of an installed font with CJK glyphs, or ``None`` when there is none."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_CANDIDATES:
        if name in names:
            return name
    for name in sorted(names):  # any other CJK family, proportional before monospace
        if "CJK" in name and "Mono" not in name:
            return name
    return None


def chart_rc(font: str | None) -> dict[str, object]:
    """rcParams for the dashboard's figures (used inside ``rc_context``, never globally)."""
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    return {
        "font.family": family,
        "font.size": 9,
        # CJK fonts lack U+2212; an ASCII hyphen avoids "missing glyph" boxes on negatives.
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    }


def chart_lang(requested: str, font: str | None) -> str:
    """Language for chart text: Chinese only when a CJK font exists, else English."""
    return requested if font else "en"
