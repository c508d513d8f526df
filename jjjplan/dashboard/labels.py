"""Bilingual text for the dashboard.

Lever, variable, gap-measure, ratio and pathway names come from the package's own tables
(``LEVERS``, ``VARIABLES``, ``GAP_MEASURE_LABELS``, ``RATIO_LABELS``, ``PATHWAY_LABELS``) so a
renamed lever is renamed everywhere. Only words that exist nowhere else (button captions,
legend words, tab titles) live in :data:`UI` below.

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
from jjjplan.scenario import PATHWAY_LABELS, LeverSpec

Lang = Literal["zh", "en", "both"]
LANGS: tuple[Lang, ...] = ("zh", "en", "both")
#: Language buttons: (caption, mode).
LANG_OPTIONS: tuple[tuple[str, Lang], ...] = (
    ("中文", "zh"),
    ("English", "en"),
    ("中英 双语", "both"),
)

#: Words used only by the dashboard: key -> (中文, English).
UI: dict[str, tuple[str, str]] = {
    "title": ("京津冀协同发展情景规划", "Beijing–Tianjin–Hebei coordination scenarios"),
    "subtitle": (
        "在左侧调整政策措施，右侧即时显示到2035年的区域差距（实线：本情景；虚线：基准情景）。",
        "Adjust the policy levers on the left; the regional gaps to 2035 update on the right "
        "(solid: this scenario; dashed: baseline).",
    ),
    "current": ("当前情景", "Scenario"),
    "source": ("来源", "from"),
    "not_saved": ("未保存的修改", "unsaved changes"),
    "start_baseline": ("基准情景（现行政策）", "baseline (current policy)"),
    "weights_total": ("增长极权重合计", "Pole weights total"),
    "load_failed": (
        "未能读取工作簿，仍显示原来的情景（{name}），未作任何更改：",
        "The workbook could not be loaded; still showing the previous scenario ({name}), "
        "nothing changed:",
    ),
    "dismiss": ("关闭提示", "Dismiss"),
    "confirm_replace": ("文件已存在，是否替换？", "The file exists. Replace it?"),
    "replace": ("替换", "Replace"),
    "cancel": ("取消", "Cancel"),
    "cancelled": ("已取消，未写入文件", "cancelled, nothing written"),
    "save_name": ("另存为情景名称", "save as scenario name"),
    "add_pole": ("添加增长极", "Add pole"),
    "remove_pole": ("移除", "remove"),
    "upload_limit": ("（最大 {mb} MB）", "(up to {mb} MB)"),
    "tab_compare": ("情景比较", "Compare"),
    "compare_title": ("已加入比较的情景：泰尔指数T", "Scenarios in the comparison: Theil T"),
    "compare_empty": (
        "比较列表为空：在下方“工作簿”中点击“加入比较”，可并排比较已保存的情景。",
        "The comparison list is empty: press “Add to comparison” below to compare scenarios "
        "side by side.",
    ),
    "language": ("语言", "Language"),
    "scenario": ("情景", "scenario"),
    "baseline": ("基准", "baseline"),
    "year": ("年份", "year"),
    "total": ("合计", "total"),
    "settings": ("情景设置", "Scenario settings"),
    "pathway_on": ("启用（关闭 = 现行政策）", "on (off = current policy)"),
    "pathways": ("路径开关", "Pathways"),
    "lock": ("锁定", "lock"),
    "milestones": ("里程碑（2025/2030）", "Milestones (2025/2030)"),
    "target_2035": ("2035年目标", "2035 target"),
    "chain": ("产业链", "chain"),
    "chain_target": ("2035年目标配套水平", "target presence 2035"),
    "chain_rule": (
        "所选产业链各环节中，配套水平低于目标的省份在2035年提高到目标值，2025/2030年按基期至"
        "2035年的直线插值（不低于原值）；高于目标的环节不变。",
        "In the selected chain, every province–segment whose presence is below the target is "
        "raised to it in 2035, with 2025/2030 on the straight line from the base year (never "
        "below the loaded value); segments already above the target are left unchanged.",
    ),
    "weights_rule": (
        "权重合计始终为100%：移动一个滑块时，按比例调整其余未锁定的增长极。",
        "Weights always sum to 100%: moving one slider rescales the unlocked other poles "
        "proportionally.",
    ),
    "tab_gaps": ("区域差距", "Gaps"),
    "tab_ratios": ("京冀/津冀比", "Ratios"),
    "tab_percap": ("2035人均GDP", "Per capita 2035"),
    "tab_ledger": ("财政账户", "Fiscal ledger"),
    "tab_contrib": ("路径贡献", "Contributions"),
    "key_figures": ("关键指标", "Key figures"),
    "change": ("较基准", "vs baseline"),
    "contrib_title": (
        "各路径对2035年泰尔指数T变化的贡献（Shapley分解）",
        "Contributions to the 2035 change in Theil T (Shapley)",
    ),
    "contrib_button": ("计算路径贡献", "Compute contributions"),
    "contrib_stale": (
        "设置已改变：切换到本页或点击按钮以重新计算（16次模型运行）。",
        "Settings changed: open this tab or press the button to recompute (16 model runs).",
    ),
    "contrib_busy": ("正在计算路径贡献…", "Computing contributions…"),
    "ledger_title": (
        "2023–2035年累计分享税收与补助（亿元）",
        "Shared taxes and compensation, 2023–2035 cumulative (亿元)",
    ),
    "ledger_delta": ("净收入较基准变化", "net revenue vs baseline"),
    "gains": ("净得", "gains"),
    "pays": ("净付", "pays"),
    "percap_title": ("2035年各市人均GDP（万元/人）", "GDP per capita by unit, 2035 (10k yuan)"),
    "ratio_title": ("人均GDP比值", "Per-capita GDP ratios"),
    "gaps_title": ("泰尔指数T及其分解", "Theil T and its decomposition"),
    "actions": ("工作簿", "Workbooks"),
    "path": ("路径", "path"),
    "load": ("读取工作簿", "Load workbook"),
    "upload": ("上传 .xlsx", "Upload .xlsx"),
    "save": ("另存为情景工作簿", "Save as scenario workbook"),
    "name": ("情景名称", "scenario name"),
    "add": ("加入比较", "Add to comparison"),
    "clear": ("清空比较", "Clear comparison"),
    "export": ("导出比较工作簿", "Export comparison workbook"),
    "comparison": ("比较列表", "Comparison list"),
    "empty": ("（空）", "(empty)"),
    "log": ("日志", "Log"),
    "ok": ("完成", "done"),
}

#: National growth paths (low/central/high) in the two languages.
NATIONAL_PATH_LABELS: dict[str, tuple[str, str]] = {
    "low": ("低", "low"),
    "central": ("中", "central"),
    "high": ("高", "high"),
}


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
