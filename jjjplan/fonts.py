"""Find a font with Chinese glyphs for matplotlib figures (PDF briefing, charts), on any machine.

matplotlib's default DejaVu Sans has no CJK glyphs, so Chinese labels would render as boxes.
matplotlib only knows the fonts in its own cache, built the first time it ran: a font
installed later (or a cache copied from another machine) stays invisible. So the lookup
does not trust that cache alone: when it holds no CJK family, jjjplan looks for CJK font
files itself — ``JJJPLAN_CJK_FONT`` (one file), ``fc-list :lang=zh`` where fontconfig
exists, then the system and user font folders of Windows, macOS and Linux, plus
``JJJPLAN_FONT_DIRS`` (folders separated by ``os.pathsep``, for fonts copied to a folder
without admin rights) — and adds what it finds to matplotlib's font list.

No CJK font at all is not an error: callers fall back to English labels and show
:func:`font_notice` once. Nothing here changes global matplotlib settings other than
making found fonts known; callers apply :func:`chart_rc` inside ``rc_context``.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from jjjplan.subprocesses import no_window

__all__ = [
    "CJK_CANDIDATES",
    "chart_lang",
    "chart_rc",
    "cjk_font_files",
    "find_cjk_font",
    "font_notice",
    "system_font_dirs",
]

FONT_FILE_ENV = "JJJPLAN_CJK_FONT"
FONT_DIRS_ENV = "JJJPLAN_FONT_DIRS"

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
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Arial Unicode MS",
)

#: File names (lower case) of common CJK fonts on Linux, Windows and macOS.
CJK_FILE_PATTERNS: tuple[str, ...] = (
    "notosanscjk*",
    "notoserifcjk*",
    "notosanssc*",
    "sourcehansans*",
    "sourcehanserif*",
    "msyh*",  # Microsoft YaHei
    "simhei*",
    "simsun*",
    "deng*",  # DengXian
    "pingfang*",
    "hiragino sans gb*",
    "stheiti*",
    "wqy-*",
    "arialuni*",
    "droidsansfallback*",
)
_FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
_FC_LIST_TIMEOUT_S = 10


def system_font_dirs() -> list[Path]:
    """Folders where this platform keeps fonts (system-wide and per user), plus
    ``JJJPLAN_FONT_DIRS``; only the ones that exist."""
    extra = [Path(p) for p in os.environ.get(FONT_DIRS_ENV, "").split(os.pathsep) if p]
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        dirs = [windir / "Fonts"]
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
        dirs.append(Path("/System/Library/AssetsV2"))  # PingFang and other downloadable fonts
    else:
        data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share")
        dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
        dirs += [data_home / "fonts", home / ".fonts"]
    return [d for d in [*extra, *dirs] if d.is_dir()]


def _is_cjk_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(_FONT_SUFFIXES) and any(
        fnmatch.fnmatch(name, pattern) for pattern in CJK_FILE_PATTERNS
    )


def _fontconfig_files() -> list[Path]:
    """CJK font files fontconfig knows (``fc-list :lang=zh file``), if fc-list exists."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        proc = subprocess.run(
            [fc_list, ":lang=zh", "file"],
            capture_output=True,
            text=True,
            timeout=_FC_LIST_TIMEOUT_S,
            check=False,
            **no_window(),
        )
    except (OSError, subprocess.SubprocessError):
        return []
    paths = (Path(line.strip().rstrip(":")) for line in proc.stdout.splitlines())
    return [p for p in paths if p.suffix.lower() in _FONT_SUFFIXES and p.is_file()]


def _scan(dirs: Iterable[Path]) -> list[Path]:
    found = []
    for folder in dirs:
        for root, _subdirs, files in os.walk(folder):
            found += [Path(root, f) for f in files if _is_cjk_file(Path(f))]
    return found


def cjk_font_files() -> list[Path]:
    """CJK font files on this machine, found without matplotlib (best candidates first)."""
    files: list[Path] = []
    forced = os.environ.get(FONT_FILE_ENV)
    if forced and Path(forced).is_file():
        files.append(Path(forced))
    files += _fontconfig_files()
    files += _scan(system_font_dirs())
    unique = list(dict.fromkeys(files))

    # prefer sans-serif regular faces: a matching pattern earlier in the list, then "Regular"
    def rank(path: Path) -> tuple[int, int, str]:
        name = path.name.lower()
        order = next(
            (i for i, pat in enumerate(CJK_FILE_PATTERNS) if fnmatch.fnmatch(name, pat)),
            len(CJK_FILE_PATTERNS),
        )
        return (order, 0 if "regular" in name else 1, name)

    return sorted(unique, key=rank)


def _pick_family(names: set[str]) -> str | None:
    for name in CJK_CANDIDATES:
        if name in names:
            return name
    for name in sorted(names):  # any other CJK family, proportional before monospace
        if "CJK" in name and "Mono" not in name:
            return name
    return None


@cache
def find_cjk_font() -> str | None:
    """Family name of a CJK font matplotlib can use, or ``None`` when the machine has none.

    Reads matplotlib's font list first; if it has no CJK family (a stale cache, a font
    folder matplotlib does not scan), adds the files :func:`cjk_font_files` finds to it.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    family = _pick_family({f.name for f in manager.ttflist})
    if family is not None:
        return family
    for path in cjk_font_files():
        try:
            manager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            continue  # unreadable or not a font matplotlib can load
    return _pick_family({f.name for f in manager.ttflist})


def font_notice() -> str:
    """The one-line notice shown when no CJK font exists (not an error)."""
    return (
        "提示：未找到中文字体，图表使用英文标签；可安装 Noto Sans CJK SC 或微软雅黑，"
        f"或用环境变量 {FONT_FILE_ENV} 指定字体文件 / notice: no CJK font found, charts use "
        "English labels; install Noto Sans CJK SC or Microsoft YaHei, or point "
        f"{FONT_FILE_ENV} at a font file"
    )


def chart_rc(font: str | None) -> dict[str, object]:
    """rcParams for jjjplan's figures (use inside ``matplotlib.rc_context``, never globally)."""
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
