"""Bilingual text for the dashboard.

Lever, variable, gap-measure, ratio and pathway names come from the package's own tables
(``LEVERS``, ``VARIABLES``, ``GAP_MEASURE_LABELS``, ``RATIO_LABELS``, ``PATHWAY_LABELS``) so a
renamed lever is renamed everywhere. Words only the dashboard uses (button captions, legend
words, tab titles) are the ``DASHBOARD`` table of the one catalogue,
:mod:`jjjplan.excel.catalogue`; this module only chooses the language.

Three display modes: ``"zh"`` 中文 only, ``"en"`` English only, and ``"both"`` (the
default): 中文 first with the English name after it. Charts are drawn by the browser
(plotly), so Chinese needs no server-side font; chart titles put the English line under the
Chinese one in ``"both"`` mode (:func:`title`).
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Literal

from jjjplan import baseline
from jjjplan.excel.catalogue import DASHBOARD, NATIONAL_PATHS
from jjjplan.scenario import PATHWAY_LABELS, LeverSpec

Lang = Literal["zh", "en", "both"]
LANGS: tuple[Lang, ...] = ("zh", "en", "both")
#: Language buttons: (caption, mode).
LANG_OPTIONS: tuple[tuple[str, Lang], ...] = (
    ("中文", "zh"),
    ("English", "en"),
    ("中英 双语", "both"),
)

#: The dashboard's own words (captions, legends, tab titles) live in the one bilingual
#: catalogue with every other planner-facing text.
UI = DASHBOARD
NATIONAL_PATH_LABELS = NATIONAL_PATHS


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """One language of a (中文, English) pair for short chart text (ticks): Chinese unless
    the mode is English only."""
    return pair[1] if lang == "en" else pair[0]


def both(pair: tuple[str, str], lang: Lang) -> str:
    """Text of a (中文, English) pair in mode ``lang``: one language, or 中文 then English."""
    if lang == "zh":
        return pair[0]
    if lang == "en":
        return pair[1]
    return pair[0] if pair[0] == pair[1] else f"{pair[0]} {pair[1]}"


def title(pair: tuple[str, str], lang: Lang) -> str:
    """Chart title: the English line under the Chinese one in ``both`` mode (plotly ``<br>``)."""
    if lang == "both" and pair[0] != pair[1]:
        return f"{escape(pair[0])}<br><sup>{escape(pair[1])}</sup>"
    return escape(both(pair, lang))


def ui(key: str, lang: Lang) -> str:
    """A dashboard-only word in mode ``lang``."""
    return both(UI[key], lang)


def ui1(key: str, lang: Lang) -> str:
    """A dashboard-only word for short chart text (one language)."""
    return pick(UI[key], lang)


def lever_label_html(spec: LeverSpec, lang: Lang, suffix: str = "") -> str:
    """HTML caption of a lever: bold name (English after it in ``both`` mode), unit."""
    unit = escape(spec.unit)
    if lang == "both":
        head = f"<b>{escape(spec.name_zh)}</b> {escape(spec.name_en)}"
    else:
        head = f"<b>{escape(both((spec.name_zh, spec.name_en), lang))}</b>"
    tail = f" <span style='color:#666'>({unit}){escape(suffix)}</span>" if unit else ""
    return f"{head}{tail}"


def pathway(name: str, lang: Lang) -> str:
    """Pathway name in control style."""
    return both(PATHWAY_LABELS[name], lang)


@cache
def unit_names() -> dict[str, tuple[str, str]]:
    """Unit code -> (中文, English); Baoding carries Xiong'an, which sits inside it."""
    df = baseline.units()
    names = {code: (row.name_zh, row.name_en) for code, row in df.iterrows()}
    if "BD" in names:
        zh, en = names["BD"]
        names["BD"] = (f"{zh}（雄安）", f"{en} (Xiong'an)")
    return names


def unit_name(code: str, lang: Lang, style: str = "both") -> str:
    """Display name of a unit code (unknown codes are shown as the code)."""
    pair = unit_names().get(code, (code, code))
    return both(pair, lang) if style == "both" else pick(pair, lang)


def province_name(code: str, lang: Lang) -> str:
    """Province name in chart style."""
    return pick(baseline.PROVINCE_NAMES[code], lang)


def check_lang(lang: str) -> Lang:
    """``lang`` if it is a display mode, else a ValueError naming the modes."""
    if lang not in LANGS:
        raise ValueError(
            f"显示语言应为 {'/'.join(LANGS)} / lang must be one of {LANGS}, not {lang!r}"
        )
    return lang  # type: ignore[return-value]
