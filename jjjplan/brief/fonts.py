"""The CJK font the briefing and the map are drawn with, embedded (subset) into every PDF.

Why a packaged font first: a briefing must render Chinese on a machine without system CJK
fonts and look the same on every machine, so the ``brief`` extra depends on
``pylopdf-fonts-zh-cn`` (Noto Sans SC Regular, SIL OFL 1.1, from notofonts/noto-cjk). When that
package is absent an installed system CJK font is used (the dashboard's lookup list); when
there is none, :class:`FontMissingError` says what to install — never boxes. matplotlib embeds
the glyphs it uses as a subset (``pdf.fonttype = 42``), so the PDF opens anywhere.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


class FontMissingError(RuntimeError):
    """No font with Chinese glyphs can be found; the message says how to get one."""


MISSING_MESSAGE = (
    '找不到含中文字形的字体，无法生成中文简报。请安装：pip install "jjjplan[brief]"'
    "（含 Noto Sans SC 字体），或安装系统中文字体（如 fonts-noto-cjk），或使用 --lang en。"
    " / No font with Chinese glyphs was found, so a Chinese briefing cannot be drawn. Install "
    'pip install "jjjplan[brief]" (ships Noto Sans SC), or a system CJK font such as '
    "fonts-noto-cjk, or use --lang en."
)


def packaged_font_path() -> Path | None:
    """Noto Sans SC from the ``pylopdf-fonts-zh-cn`` package, when installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


@cache
def cjk_family() -> str | None:
    """Family name of the CJK font to draw with (registered with matplotlib), or ``None``."""
    from matplotlib import font_manager

    path = packaged_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    from jjjplan.dashboard.fonts import find_cjk_font

    return find_cjk_font()


def require_cjk_family() -> str:
    """Like :func:`cjk_family`, but a clear bilingual error when there is none."""
    family = cjk_family()
    if family is None:
        raise FontMissingError(MISSING_MESSAGE)
    return family


def figure_rc(lang: str = "zh") -> dict[str, object]:
    """rcParams for briefing and map figures (used in ``rc_context``, never globally).

    English-only figures need no CJK font; any other language requires one.
    """
    family = require_cjk_family() if lang != "en" else cjk_family()
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    return {
        "font.family": fonts,
        "font.size": 8,
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        # CJK fonts lack U+2212; an ASCII hyphen avoids a missing-glyph box on negatives.
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    }
