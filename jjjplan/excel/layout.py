"""The scenario workbook, declared once for the writer (``template.py``) and the reader.

Why one declaration: the reader finds every input by Excel Table name or workbook-scoped
defined name and maps Table columns by their header, never by coordinates, so planners may
insert rows, move blocks and add their own sheets. Writer and reader both take sheet titles,
Table and defined names, headers, field paths, ranges and number formats from here, so a
renamed header or a new lever is changed in exactly one place.

Conventions fixed here: switches are real Excel booleans TRUE/FALSE (text 是/否, yes/no is
accepted with a notice); the national path is one of ``low``/``central``/``high``; percent
levers are stored as fractions with a percent number format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jjjplan import baseline
from jjjplan.scenario import LEVERS, MILESTONE_YEARS, NATIONAL_PATHS, LeverSpec, Scenario

TEMPLATE_VERSION = "1.1"  # 1.1: PolicyStartYear, DataVintage, tblTechDestinations (optional in 1.0)

ARTICLE = "《京津冀产业协同发展的进展、问题与提升路径》（中国发展观察，2023-7-21）"
ARTICLE_PART = "京津冀产业协同高质量发展的提升路径"
#: The article's headings for the four pathways, quoted exactly.
ARTICLE_SECTIONS = {
    "growth_poles": "（一）发挥比重优势，培育和优化区域经济增长极结构",
    "chain_filling": "（二）补短板强弱项，打通妨碍区域内产业协同发展的关键“堵点”“痛点”和“难点”",
    "innovation": "（三）提高创新链与产业链匹配度，增强区域产业创新体系整体效能",
    "reform": "（四）破除关键制约障碍，推进产业协作体制机制改革创新",
}

# --- sheets ---------------------------------------------------------------------------------
ABOUT = "说明 About"
POLES = "增长极 GrowthPoles"
CHAINS = "产业链 ChainFilling"
INNOVATION = "创新匹配 Innovation"
REFORM = "体制改革 Reform"
ASSUMPTIONS = "参数 Assumptions"
BASELINE = "基期数据 Baseline"
TARGETS = "目标 Targets"
SHEETS = (ABOUT, POLES, CHAINS, INNOVATION, REFORM, ASSUMPTIONS, BASELINE, TARGETS)
PATHWAY_SHEETS = {
    "growth_poles": POLES,
    "chain_filling": CHAINS,
    "innovation": INNOVATION,
    "reform": REFORM,
}

# --- number formats -------------------------------------------------------------------------
PERCENT = "0.0%"
PERCENT_FINE = "0.00%"
MONEY = "#,##0"
PEOPLE = "#,##0.0"
SHARE = "0.00"
WHOLE = "0"
DECIMAL = "0.0"
GENERAL = "General"

# --- vocabularies ---------------------------------------------------------------------------
BOOL_WORDS = {"true": True, "false": False, "是": True, "否": False, "yes": True, "no": False}
NATIONAL_PATH_WORDS = {
    **{p: p for p in NATIONAL_PATHS},
    "低": "low",
    "中": "central",
    "高": "high",
}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_HEADER_NOISE = re.compile(r"[\s_\-/()（）·:：,，.。\[\]【】]+")


def clean_text(text: str) -> str:
    """NFKC, zero-width characters removed, whitespace collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return " ".join(text.split())


def header_key(text: Any) -> str:
    """Canonical form of a header or code for matching: case, width, spaces and brackets
    do not matter, so "Target 2025", "target_2025" and "TARGET 2025" are the same header."""
    return _header_key(str(text))


@lru_cache(maxsize=4096)  # a read matches the same few hundred headers and codes ~2,000 times
def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", clean_text(text).casefold())


def format_range(low: float, high: float, percent: bool = False) -> str:
    """A range as planners read it: ``0%–100%`` or ``0–10``."""
    if percent:
        return f"{low * 100:g}%–{high * 100:g}%"
    return f"{low:,g}–{high:,g}"


# --- the About sheet's text -----------------------------------------------------------------
#: Colour legend (yellow, grey, dark blue), as written on the About sheet.
LEGEND = (
    ("黄色：可修改的输入", "Yellow: input you may edit"),
    ("灰色：参考值或由 jjjplan 写入，请勿修改", "Grey: reference, written by jjjplan"),
    ("深蓝：表头（请勿改名）", "Dark blue: header (do not rename)"),
)
HOW_TO_ZH = (
    "1. 先另存为新文件（例如 workbooks/06-我的情景.xlsx），不要直接改模板。",
    "2. 只修改黄色单元格；每个黄色单元格都有批注，说明含义、单位、允许范围和来源。",
    "3. 在本页填写情景名称、说明、作者，并选择全国增长路径（low/central/high）。",
    "4. 在四个路径工作表中修改 2025/2030/2035 年目标，年份之间按线性插值。",
    "5. 每个路径工作表顶部的开关填 TRUE（启用）或 FALSE（按现行政策计算）；也接受 是/否。",
    "6. 增长极权重合计必须为 100%；可在表格末尾添加增长极行（单元代码见 基期数据 Baseline）。",
    "7. 百分比可输入 12% 或 0.12；请勿输入中文数字或带单位的文字。",
    "8. 参数 Assumptions 表可在允许范围内修改；标记 ASSUMPTION 的参数没有文献估计。",
    "9. 基期数据受保护（无密码）；可把官方年鉴数据粘贴到两列黄色“覆盖值”，模型将使用并注明。",
    "10. 可以插入行、移动表格、添加自己的工作表；请勿重命名表格（Table）或名称管理器中的名称。",
    "11. 保存后检查：jjjplan validate 文件.xlsx；计算：jjjplan run 文件.xlsx。",
)
HOW_TO_EN = (
    "1. Save a copy under a new name first (e.g. workbooks/06-my-scenario.xlsx).",
    "2. Edit only yellow cells; each has a note with meaning, unit, allowed range and source.",
    "3. On this sheet set the scenario name, description, author and national path.",
    "4. On the four pathway sheets set 2025/2030/2035 targets; years in between are linear.",
    "5. Each pathway sheet has a switch: TRUE = on, FALSE = current policy (是/否 accepted).",
    "6. Pole weights must sum to 100%; add a pole as a new Table row (codes: Baseline sheet).",
    "7. Percentages may be typed as 12% or 0.12; no Chinese numerals or units in numbers.",
    "8. Assumptions may be changed within the allowed range; ASSUMPTION = no estimate found.",
    "9. Baseline is protected (no password); paste official yearbook figures into the two",
    "   yellow override columns and the model uses them, with provenance saying so.",
    "10. You may insert rows, move blocks and add sheets; do not rename Tables or defined names.",
    "11. Then check with: jjjplan validate file.xlsx; project with: jjjplan run file.xlsx.",
)


# --- Table columns --------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One Table column: canonical key, bilingual header and its role.

    ``role`` is ``key`` (identifies the row; read), ``input`` (yellow; read) or ``info``
    (written for the planner, ignored by the reader).
    """

    key: str
    zh: str
    en: str
    role: str = "info"
    width: float = 14.0
    number_format: str | None = None
    blank_ok: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        """The header the template writes: Chinese first, then English."""
        return f"{self.zh} {self.en}"

    @property
    def read(self) -> bool:
        return self.role in ("key", "input")

    def accepts(self, text: Any) -> bool:
        """Whether a header cell names this column (bilingual, zh-only, en-only or key)."""
        variants = (self.header, self.zh, self.en, self.key, *self.aliases)
        return header_key(text) in {header_key(v) for v in variants}


@dataclass(frozen=True)
class TableSpec:
    """An input block written as an Excel Table and found again by its name."""

    name: str
    sheet: str
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role == "key")

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role == "input")


def _targets(number_format: str | None = None) -> tuple[Column, ...]:
    """The 2025/2030/2035 target columns (a bare year is accepted as a header)."""
    return tuple(
        Column(f"y{y}", f"{y}年目标", f"Target {y}", "input", 16, number_format, aliases=(str(y),))
        for y in MILESTONE_YEARS
    )


NAME_COLUMNS = (
    Column("name_zh", "中文名称", "Name (Chinese)", width=22),
    Column("name_en", "英文名称", "Name (English)", width=34),
)
MILESTONE_COLUMNS = (
    Column("key", "参数代码", "Key", "key", 26),
    *NAME_COLUMNS,
    Column("unit", "单位", "Unit", width=20),
    *_targets(),
    Column("current", "现行政策", "Current policy", width=18),
)

POLE_WEIGHTS = TableSpec(
    "tblPoleWeights",
    POLES,
    "增长极权重（合计必须为100%）",
    "Growth-pole weights (must sum to 100%)",
    (
        Column("unit", "单元代码", "Unit code", "key", 14),
        Column("name_zh", "中文名称", "Name (Chinese)", width=14),
        Column("name_en", "英文名称", "Name (English)", width=18),
        Column("weight", "权重", "Weight", "input", 14, PERCENT, aliases=("share", "比例")),
    ),
)
TECH_DESTINATIONS = TableSpec(
    "tblTechDestinations",
    INNOVATION,
    "技术流向分配（合计100%；全部留空 = 现行政策，按GDP比重）",
    "Technology-flow destinations (sum to 100%; all blank = current policy, GDP shares)",
    (
        Column("unit", "单元代码", "Unit code", "key", 14),
        Column("name_zh", "中文名称", "Name (Chinese)", width=14),
        Column("name_en", "英文名称", "Name (English)", width=18),
        Column("share", "比例", "Share", "input", 14, PERCENT, blank_ok=True, aliases=("weight",)),
    ),
)
#: Tables a workbook from an older template may lack: reading falls back to current policy
#: with a notice instead of an error.
OPTIONAL_TABLES = frozenset({"tblTechDestinations"})
POLE_MILESTONES = TableSpec(
    "tblPoleMilestones",
    POLES,
    "增长极投资与疏解目标",
    "Pole investment and relocation targets",
    MILESTONE_COLUMNS,
)
CHAIN_PRESENCE = TableSpec(
    "tblChainPresence",
    CHAINS,
    "各省产业链环节本地配套水平（0–1）",
    "Provincial presence per chain segment (0–1)",
    (
        Column("chain", "产业链代码", "Chain code", "key", 12),
        Column("chain_zh", "产业链", "Chain", width=24),
        Column("segment", "环节代码", "Segment code", "key", 14),
        Column("segment_zh", "环节", "Segment", width=14),
        Column("segment_en", "英文名称", "Segment (English)", width=22),
        Column("province", "省份", "Province", "key", 10),
        Column("base", "基期水平", "Base presence", width=14, number_format=SHARE),
        *_targets(SHARE),
    ),
)
INNOVATION_TARGETS = TableSpec(
    "tblInnovation", INNOVATION, "创新匹配目标", "Innovation-matching targets", MILESTONE_COLUMNS
)
REFORM_MILESTONES = TableSpec(
    "tblReformMilestones", REFORM, "市场一体化目标", "Market-integration targets", MILESTONE_COLUMNS
)
ASSUMPTION_TABLE = TableSpec(
    "tblAssumptions",
    ASSUMPTIONS,
    "模型参数（黄色可改）",
    "Model assumptions (yellow = editable)",
    (
        Column("id", "编号", "ID", "key", 24),
        *NAME_COLUMNS,
        Column("value", "取值", "Value", "input", 14, GENERAL),
        Column("low", "下限", "Low", width=10, number_format=GENERAL),
        Column("high", "上限", "High", width=10, number_format=GENERAL),
        Column("unit", "单位", "Unit", width=14),
        Column("source", "来源", "Source", width=60),
        Column("flag", "标记", "Flag", width=14),
    ),
)
BASELINE_TABLE = TableSpec(
    "tblBaseline",
    BASELINE,
    "基期地区生产总值与常住人口",
    "Base-year GDP and resident population",
    (
        Column("unit", "单元代码", "Unit code", "key", 12),
        Column("name_zh", "中文名称", "Name (Chinese)", width=12),
        Column("name_en", "英文名称", "Name (English)", width=16),
        Column("province", "省份", "Province", width=10),
        Column("gdp", "地区生产总值（亿元）", "GDP (100m yuan)", width=18, number_format=MONEY),
        Column(
            "population", "常住人口（万人）", "Population (10k)", width=18, number_format=PEOPLE
        ),
        Column(
            "gdp_override",
            "GDP覆盖值（亿元）",
            "GDP override (100m yuan)",
            "input",
            22,
            MONEY,
            blank_ok=True,
        ),
        Column(
            "population_override",
            "人口覆盖值（万人）",
            "Population override (10k)",
            "input",
            22,
            PEOPLE,
            blank_ok=True,
        ),
        *(
            Column(f"{var}_{part}", f"{zh}{pzh}", f"{en} {part}", width=w)
            for var, zh, en in (("gdp", "GDP", "GDP"), ("population", "人口", "Population"))
            for part, pzh, w in (
                ("status", "状态", 12),
                ("vintage", "口径", 10),
                ("confidence", "可信度", 12),
                ("method", "方法", 40),
                ("source", "来源", 60),
            )
        ),
    ),
)
TABLES = (
    POLE_MILESTONES,
    POLE_WEIGHTS,
    CHAIN_PRESENCE,
    INNOVATION_TARGETS,
    TECH_DESTINATIONS,
    REFORM_MILESTONES,
    ASSUMPTION_TABLE,
    BASELINE_TABLE,
)

#: Optional: planner targets (read when present; older workbooks have no Targets sheet).
TARGETS_TABLE = TableSpec(
    "tblTargets",
    TARGETS,
    "目标（可选；jjjplan seek 反推满足目标的杠杆）",
    "Targets (optional; jjjplan seek finds levers that meet them)",
    (
        Column("indicator", "指标", "Indicator", "input", 22),
        Column("region", "地区", "Region", "input", 12, blank_ok=True),
        Column("year", "年份", "Year", "input", 10, WHOLE),
        Column("op", "比较", "Operator", "input", 11),
        Column("value", "目标值", "Value", "input", 14, GENERAL),
        Column("priority", "优先级", "Priority", "input", 11, WHOLE, blank_ok=True),
    ),
)

#: Rows of the milestone Tables: the row key is the Scenario field path.
MILESTONE_ROWS: dict[str, tuple[str, ...]] = {
    POLE_MILESTONES.name: ("poles.investment", "poles.relocation"),
    INNOVATION_TARGETS.name: ("innovation.share", "innovation.absorption"),
    REFORM_MILESTONES.name: ("reform.market_integration",),
}
#: Number format per lever (percent levers default to ``PERCENT``).
LEVER_FORMATS = {
    "poles.investment": PERCENT_FINE,
    "poles.relocation": MONEY,
    "chains.presence": SHARE,
    "reform.share_years": WHOLE,
    "reform.ext_years": WHOLE,
    "reform.cap_multiple": DECIMAL,
    "reform.eligibility_threshold": MONEY,
    "reform.market_integration": SHARE,
    "policy_start_year": WHOLE,
}


def lever_format(spec: LeverSpec) -> str:
    return LEVER_FORMATS.get(spec.path, PERCENT if spec.percent else GENERAL)


#: Meaning of each lever in Chinese (LeverSpec carries the English help).
LEVER_HELP_ZH = {
    "innovation.destinations": (
        "北京流向津冀的技术合同在各单元间的分配；全部留空 = 现行政策（按各单元GDP比重）"
    ),
    "policy_start_year": "各路径开始起作用的年份（默认2026年，“十五五”规划首年）；观测数据不变",
    "poles.weights": (
        "各增长极获得增长极投资和北京疏解增加值的份额；北京不承接疏解（技术流向另行设定）"
    ),
    "poles.investment": "在现行政策之外对增长极的新增投资，占区域GDP的比例（每年）",
    "poles.relocation": "每年由政府主导从北京疏解出去的增加值（财政响应之前）",
    "chains.presence": "0 = 本省没有该环节，1 = 本地可完全配套",
    "innovation.share": "北京技术合同成交额中流向津冀的比例（2022年4.5%，2023年8.8%）",
    "innovation.absorption": "流入津冀的技术成果在本地转化落地的比例",
    "reform.origin_share": "迁出地分享“三税”的比例（财预〔2015〕92号：50%）",
    "reform.share_years": "迁出地分享税收的年限（2015年规则：3年）",
    "reform.ext_years": "分享未达上限时可延长的年限（2015年规则：2年）",
    "reform.cap_multiple": "迁出地分享总额上限，按迁移前年度税收的年数计（2015年规则：3年）",
    "reform.eligibility_threshold": "纳入分享的企业年纳税门槛（2015年规则：≥2,000万元）",
    "reform.government_led_only": "是否仅对政府主导的迁移分享税收（2015年规则：是）",
    "reform.market_integration": "0–1 的市场一体化指数，提高后降低所有单元的市场壁垒",
    "national_path": "全国人均GDP增长路径：low 低 / central 中 / high 高",
}


# --- scalar levers (defined names) ----------------------------------------------------------
@dataclass(frozen=True)
class Scalar:
    """A single-cell input found by a workbook-scoped defined name.

    ``kind`` is ``text``, ``number``, ``bool``, ``choice`` or ``version``; ``field`` is the
    Scenario field path the value maps to (``None`` for the template version).
    """

    name: str
    field: str | None
    sheet: str
    zh: str
    en: str
    kind: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    percent: bool = False
    integer: bool = False
    number_format: str = GENERAL
    choices: tuple[str, ...] = ()
    blank_ok: bool = False
    editable: bool = True
    help_zh: str = ""
    help_en: str = ""
    reference: str = ""
    since: str = ""  # template version that added it: older files may lack it (default used)


def _lever(name: str, path: str, sheet: str, reference: str) -> Scalar:
    spec = LEVERS[path]
    return Scalar(
        name,
        path,
        sheet,
        spec.name_zh,
        spec.name_en,
        "number",
        spec.unit,
        spec.low,
        spec.high,
        spec.percent,
        spec.integer,
        lever_format(spec),
        help_zh=LEVER_HELP_ZH[path],
        help_en=spec.help_en,
        reference=reference,
    )


def _switch(pathway: str, name: str, zh: str, en: str) -> Scalar:
    return Scalar(
        name,
        f"pathways.{pathway}",
        PATHWAY_SHEETS[pathway],
        f"启用路径：{zh}",
        f"pathway on: {en}",
        "bool",
        "TRUE/FALSE",
        help_zh="FALSE（否）= 本路径按现行政策计算",
        help_en="FALSE = this pathway keeps current-policy levers",
        reference="TRUE",
    )


SCALARS: tuple[Scalar, ...] = (
    Scalar(
        "ScenarioName",
        "name",
        ABOUT,
        "情景名称",
        "Scenario name",
        "text",
        help_zh="用于结果和对比表的简短名称",
        help_en="short name used in results and comparisons",
    ),
    Scalar(
        "ScenarioDescription",
        "description",
        ABOUT,
        "情景说明",
        "Description",
        "text",
        blank_ok=True,
        help_zh="情景依据与主要设定",
        help_en="basis and main settings",
    ),
    Scalar(
        "ScenarioAuthor",
        "author",
        ABOUT,
        "作者",
        "Author",
        "text",
        blank_ok=True,
        help_zh="编制人或单位",
        help_en="person or office responsible",
    ),
    Scalar(
        "NationalPath",
        "national_path",
        ABOUT,
        "全国增长路径",
        "National growth path",
        "choice",
        "low/central/high",
        choices=NATIONAL_PATHS,
        help_zh=LEVER_HELP_ZH["national_path"],
        help_en="national per-capita GDP growth path: low / central / high",
        reference="central",
    ),
    Scalar(
        "PolicyStartYear",
        "policy_start_year",
        ABOUT,
        LEVERS["policy_start_year"].name_zh,
        LEVERS["policy_start_year"].name_en,
        "number",
        LEVERS["policy_start_year"].unit,
        LEVERS["policy_start_year"].low,
        LEVERS["policy_start_year"].high,
        integer=True,
        number_format=WHOLE,
        help_zh=LEVER_HELP_ZH["policy_start_year"],
        help_en=LEVERS["policy_start_year"].help_en,
        reference="2026",
        since="1.1",
    ),
    Scalar(
        "DataVintage",
        "data_vintage",
        ABOUT,
        "基期数据版本",
        "Baseline data vintage",
        "choice",
        "vintage id",
        choices=tuple(baseline.VINTAGES),
        blank_ok=True,
        help_zh=f"本情景使用的基期数据版本；留空 = 默认版本 {baseline.DEFAULT_VINTAGE}"
        f"（第五次经济普查后修订数，观测至2024年）；{baseline.LEGACY_VINTAGE} = 第一版的2022年基期",
        help_en=f"which bundled baseline data the run uses; empty = the default "
        f"{baseline.DEFAULT_VINTAGE} (post-5th-economic-census, observed to 2024); "
        f"{baseline.LEGACY_VINTAGE} reproduces version-1 results",
        reference=baseline.DEFAULT_VINTAGE,
        since="1.1",
    ),
    Scalar(
        "TemplateVersion",
        None,
        ABOUT,
        "模板版本",
        "Template version",
        "version",
        editable=False,
        help_zh="由 jjjplan 写入，请勿修改",
        help_en="written by jjjplan; do not edit",
    ),
    _switch("growth_poles", "PathwayGrowthPoles", "增长极", "growth poles"),
    _switch("chain_filling", "PathwayChainFilling", "补链强链", "chain filling"),
    _switch("innovation", "PathwayInnovation", "创新匹配", "innovation matching"),
    _switch("reform", "PathwayReform", "体制改革", "institutional reform"),
    _lever("OriginShare", "reform.origin_share", REFORM, "财预〔2015〕92号: 50%"),
    _lever("ShareYears", "reform.share_years", REFORM, "财预〔2015〕92号: 3"),
    _lever("ExtYears", "reform.ext_years", REFORM, "财预〔2015〕92号: 2"),
    _lever("CapMultiple", "reform.cap_multiple", REFORM, "财预〔2015〕92号: 3"),
    _lever(
        "EligibilityThreshold",
        "reform.eligibility_threshold",
        REFORM,
        "财预〔2015〕92号: 2,000万元",
    ),
    Scalar(
        "GovernmentLedOnly",
        "reform.government_led_only",
        REFORM,
        LEVERS["reform.government_led_only"].name_zh,
        LEVERS["reform.government_led_only"].name_en,
        "bool",
        "TRUE/FALSE",
        help_zh=LEVER_HELP_ZH["reform.government_led_only"],
        help_en=LEVERS["reform.government_led_only"].help_en,
        reference="财预〔2015〕92号: TRUE",
    ),
)
SCALAR_BY_NAME = {s.name: s for s in SCALARS}


def scalars_on(sheet: str) -> tuple[Scalar, ...]:
    return tuple(s for s in SCALARS if s.sheet == sheet)


def tables_on(sheet: str) -> tuple[TableSpec, ...]:
    return tuple(t for t in (*TABLES, TARGETS_TABLE) if t.sheet == sheet)


def field_value(scenario: Scenario, path: str) -> Any:
    """The value at a Scenario field path such as ``reform.origin_share``."""
    value: Any = scenario
    for part in path.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value
