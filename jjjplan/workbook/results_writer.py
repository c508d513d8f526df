"""Write one scenario's projection to the results workbook planners circulate (DESIGN §6).

Why values and not formulas: a workbook written by openpyxl has no cached formula results,
so pandas, ``data_only`` readers and previewers would see empty cells. Every number is
therefore written as a value, checked finite first (openpyxl would turn NaN/inf into an
empty cell without a word). Planner text goes through :func:`write_text_cell` so a scenario
called ``=HYPERLINK(...)`` stays text, and the file is saved atomically next to the target.

The comparison workbook (:mod:`jjjplan.workbook.comparison`) reuses the indicator table and
cell helpers defined here, so the two workbooks label and format a number the same way.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

import jjjplan
from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.gaps import DECOMPOSITION_NAMES, GAP_MEASURE_LABELS, GAP_MEASURE_NAMES
from jjjplan.results import RATIO_LABELS, RATIO_NAMES, VARIABLES, Results, project
from jjjplan.scenario import (
    LEVERS,
    MILESTONE_YEARS,
    PATHWAY_LABELS,
    PATHWAYS,
    REFORM_SCALARS,
    Milestones,
    Scenario,
    base_presence,
)
from jjjplan.workbook import styles
from jjjplan.workbook.layout import TEMPLATE_VERSION, lever_format
from jjjplan.workbook.safety import atomic_save, check_output_path, write_text_cell

__all__ = [
    "KEY_INDICATORS",
    "Indicator",
    "LeverRow",
    "baseline_for",
    "lever_rows",
    "write_results",
]

#: Words that appear only in result workbooks: key -> (中文, English).
WORDS: dict[str, tuple[str, str]] = {
    "year": ("年份", "Year"),
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "province": ("省份", "Province"),
    "unit": ("单位", "Unit"),
    "indicator": ("指标", "Indicator"),
    "scenario": ("情景", "Scenario"),
    "baseline": ("基准", "Baseline"),
    "delta": ("差值", "Δ"),
    "pct_delta": ("变化率", "%Δ"),
    "total": ("合计", "Total"),
    "key": ("键", "Key"),
    "value": ("取值", "Value"),
    "default": ("默认值", "Default"),
    "low": ("下限", "Low"),
    "high": ("上限", "High"),
    "source": ("来源", "Source"),
    "flag": ("标记", "Flag"),
    "changed": ("已修改", "Changed"),
    "current_policy": ("现行政策", "Current policy"),
    "field": ("字段", "Field"),
    "variable": ("变量", "Variable"),
    "status": ("状态", "Status"),
    "confidence": ("可信度", "Confidence"),
    "method": ("方法", "Method"),
    "pathway": ("路径", "Pathway"),
    "measure": ("差距指标", "Gap measure"),
    "none": ("无", "none"),
    "index": ("指数", "index"),
    "ratio": ("比值", "ratio"),
}

#: Region display names: the 13 units, Hebei as a province, and the JJJ total.
_JJJ = ("京津冀", "Beijing–Tianjin–Hebei")


def region_name(code: str) -> tuple[str, str]:
    """(中文, English) name of a unit, a province or ``JJJ``."""
    if code == "JJJ":
        return _JJJ
    if code in baseline.PROVINCE_NAMES:
        return baseline.PROVINCE_NAMES[code]
    row = baseline.units().loc[code]
    return row["name_zh"], row["name_en"]


def bilingual(zh: str, en: str) -> str:
    """One label, Chinese first: the convention of every sheet (and of the template)."""
    return f"{zh} {en}"


def word(key: str) -> str:
    return bilingual(*WORDS[key])


# --------------------------------------------------------------------------------------------
# Key indicators (shared with the comparison workbook)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    """A headline number tracked by year: label, unit, format and which direction is better."""

    key: str
    zh: str
    en: str
    unit: str
    number_format: str
    lower_is_better: bool
    series: Callable[[Results], pd.Series]

    @property
    def label(self) -> str:
        return bilingual(self.zh, self.en)


def _gap(key: str) -> Indicator:
    zh, en = GAP_MEASURE_LABELS[key]
    return Indicator(key, zh, en, word("index"), styles.INDEX, True, lambda r: r.gaps[key])


def _ratio(key: str) -> Indicator:
    zh, en = RATIO_LABELS[key]
    return Indicator(key, zh, en, word("ratio"), styles.RATIO, True, lambda r: r.ratios[key])


def _province(region: str, variable: str, number_format: str) -> Indicator:
    rzh, ren = region_name(region)
    vzh, ven, unit = VARIABLES[variable]
    return Indicator(
        f"{region.lower()}_{variable}",
        f"{rzh}{vzh}",
        f"{ren} {ven}",
        unit,
        number_format,
        False,
        lambda r: r.provinces()[(region, variable)],
    )


#: Headline figures of the Summary sheet and the comparison workbook, in display order.
KEY_INDICATORS: tuple[Indicator, ...] = (
    _gap("theil_t"),
    _gap("theil_t_between"),
    _gap("theil_t_within"),
    _gap("cv_weighted"),
    _gap("gini_weighted"),
    _ratio("bj_he_ratio"),
    _ratio("tj_he_ratio"),
    _province("JJJ", "gdp", styles.MONEY),
    _province("HE", "gdp_per_capita", styles.MONEY),
)


def baseline_for(scenario: Scenario) -> Scenario:
    """Current-policy levers under the scenario's own assumptions, national path and
    base-year data, so a difference from it is the effect of policy alone."""
    return Scenario.baseline().replace(
        assumptions=scenario.assumptions,
        national_path=scenario.national_path,
        baseline_overrides=scenario.baseline_overrides,
    )


# --------------------------------------------------------------------------------------------
# Levers, flattened for display (shared with the comparison workbook)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeverRow:
    """One scalar lever value: field path (as in error messages), labels, unit, format."""

    path: str
    zh: str
    en: str
    unit: str
    value: Any
    number_format: str


def _milestone_rows(
    path: str, ms: Milestones, spec_path: str | None = None, zh: str = "", en: str = ""
) -> list[LeverRow]:
    spec = LEVERS[spec_path or path]
    return [
        LeverRow(
            f"{path}.y{year}",
            f"{spec.name_zh}{zh}（{year}）",
            f"{spec.name_en}{en} ({year})",
            spec.unit,
            value,
            lever_format(spec),
        )
        for year, value in zip(MILESTONE_YEARS, ms.values(), strict=True)
    ]


def _scalar_row(path: str, value: Any) -> LeverRow:
    spec = LEVERS[path]
    return LeverRow(path, spec.name_zh, spec.name_en, spec.unit, value, lever_format(spec))


def lever_rows(scenario: Scenario, *, all_chain_presence: bool = False) -> list[LeverRow]:
    """Every lever of ``scenario`` as one row per value, in the order planners set them.

    Chain-segment presence has hundreds of values; unless ``all_chain_presence`` only those
    that differ from the base year are listed (the base year is fixed data, so nothing is
    lost: the Provenance sheet says how many were left at base).
    """
    s = scenario
    rows = [
        LeverRow(
            f"pathways.{p}",
            f"路径开关：{PATHWAY_LABELS[p][0]}",
            f"pathway on: {PATHWAY_LABELS[p][1]}",
            "TRUE/FALSE",
            bool(getattr(s.pathways, p)),
            "General",
        )
        for p in PATHWAYS
    ]
    rows.append(_scalar_row("national_path", s.national_path))
    spec = LEVERS["poles.weights"]
    for unit, weight in s.poles.weights.items():
        zh, en = region_name(unit)
        rows.append(
            LeverRow(
                f"poles.weights.{unit}",
                f"{spec.name_zh}：{zh}",
                f"{spec.name_en}: {en}",
                spec.unit,
                weight,
                lever_format(spec),
            )
        )
    rows += _milestone_rows("poles.investment", s.poles.investment)
    rows += _milestone_rows("poles.relocation", s.poles.relocation)
    rows += _milestone_rows("innovation.share", s.innovation.share)
    rows += _milestone_rows("innovation.absorption", s.innovation.absorption)
    for name in REFORM_SCALARS:
        value = getattr(s.reform, name)
        rows.append(_scalar_row(f"reform.{name}", bool(value) if name.endswith("only") else value))
    rows += _milestone_rows("reform.market_integration", s.reform.market_integration)
    base = base_presence()
    for key, ms in s.chains.presence.items():
        if all_chain_presence or any(v != base[key] for v in ms.values()):
            rows += _milestone_rows(
                f"chains.presence.{key}", ms, "chains.presence", f"：{key}", f": {key}"
            )
    return rows


def unchanged_presence_count(scenario: Scenario) -> int:
    base = base_presence()
    return sum(all(v == base[k] for v in ms.values()) for k, ms in scenario.chains.presence.items())


# --------------------------------------------------------------------------------------------
# Cell helpers (shared with the comparison workbook)
# --------------------------------------------------------------------------------------------
MAX_EXACT_INT = 2**53


def excel_float(value: float, where: str) -> float:
    """The float as written: rounded to 15 significant digits, the precision Excel keeps, so
    what a planner reads back equals what was written, on every run. NaN/inf are refused."""
    rounded = float(f"{value:.15g}") if math.isfinite(value) else value
    if not math.isfinite(rounded):
        raise ValueError(
            f"{where}: refusing to write {value} (NaN/inf or beyond Excel's range); "
            "Excel would show an empty or wrong cell"
        )
    return rounded


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Any:
    """Write one value safely: text as text (never a formula), numbers only if finite.

    Line breaks in text are stored as ``\\n`` (Excel returns ``\\r\\n`` as ``\\n`` anyway);
    any other text Excel cannot hold exactly raises ValueError instead of being altered.
    """
    cell = ws.cell(row=row, column=col)
    where = f"{ws.title}!{cell.coordinate}"
    if value is None or (isinstance(value, str) and value == ""):
        cell.value = None
    elif isinstance(value, str):
        try:
            write_text_cell(cell, value, normalize_newlines=True)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from err
    elif isinstance(value, bool | np.bool_):
        cell.value = bool(value)
        cell.number_format = styles.BOOLEAN
        return cell
    elif isinstance(value, int | np.integer):
        if abs(int(value)) > MAX_EXACT_INT:
            raise ValueError(
                f"{where}: refusing to write {value}: Excel keeps 15 significant "
                "digits, so the integer would change"
            )
        cell.value = int(value)
    elif isinstance(value, float | np.floating):
        cell.value = excel_float(float(value), where)
    else:
        raise TypeError(f"{ws.title}!{cell.coordinate}: cannot write {type(value).__name__}")
    if number_format is not None and cell.value is not None:
        cell.number_format = number_format
    return cell


def put_row(
    ws: Worksheet, row: int, col: int, values: Iterable[Any], number_format: str | None = None
) -> None:
    """:func:`put` each value along a row from ``col``."""
    for offset, value in enumerate(values):
        put(ws, row, col + offset, value, number_format)


def header(ws: Worksheet, row: int, col: int, labels: Sequence[Any]) -> None:
    """A styled header row (bold, blue) of bilingual labels."""
    put_row(ws, row, col, labels)
    styles.style_header(ws.cell(row=row, column=col + i) for i in range(len(labels)))


def group_header(ws: Worksheet, row: int, col: int, width: int, value: Any) -> None:
    """A header spanning ``width`` columns (merged, centred) above a row of sub-headers."""
    cell = put(ws, row, col, value)
    if width > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + width - 1)
    styles.style_header([cell])
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def title(ws: Worksheet, text: str, row: int = 1) -> None:
    put(ws, row, 1, text).font = styles.TITLE_FONT


def note(ws: Worksheet, row: int, text: str, col: int = 1) -> None:
    put(ws, row, col, text).font = styles.NOTE_FONT


def section(ws: Worksheet, row: int, text: str, width: int) -> None:
    put(ws, row, 1, text).font = styles.HEADER_FONT
    for col in range(1, width + 1):
        ws.cell(row=row, column=col).fill = styles.SECTION_FILL


def add_table(ws: Worksheet, name: str, first_row: int, last_row: int, n_cols: int) -> None:
    """An Excel Table (filter buttons, banded rows) over a block whose header is first_row."""
    ref = f"A{first_row}:{get_column_letter(n_cols)}{max(last_row, first_row + 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


_FORBIDDEN_SHEET_CHARS = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_name(zh: str, en: str = "", taken: Iterable[str] = ()) -> str:
    """A legal, unique sheet name: ``"中文 English"`` if it fits Excel's 31 characters, else
    the Chinese label alone (Chinese first), else that label cut to 27 characters plus
    `` (2)``, `` (3)``…; ``[]:*?/\\`` become ``-``. Uniqueness ignores case, as Excel does."""
    taken_keys = {t.casefold() for t in taken}
    candidates = [bilingual(zh, en)] if en else []
    candidates.append(zh)
    for text in candidates:
        name = unicodedata.normalize("NFC", text).translate(_FORBIDDEN_SHEET_CHARS).strip("'")
        if len(name) <= 31 and name.casefold() not in taken_keys:
            return name
    base = candidates[-1].translate(_FORBIDDEN_SHEET_CHARS).strip("'")[:27]
    for n in range(2, 1000):
        name = f"{base} ({n})"
        if name.casefold() not in taken_keys:
            return name
    raise ValueError(f"cannot make a unique sheet name from {zh!r}")  # pragma: no cover


def add_delta_colours(ws: Worksheet, ref: str, lower_is_better: bool) -> None:
    """Green where the change is an improvement, red where it is a deterioration.

    A tolerance of 1e-12 keeps rounding noise (a scenario that leaves a measure unchanged)
    uncoloured.
    """
    good, bad = ("lessThan", "greaterThan") if lower_is_better else ("greaterThan", "lessThan")
    limits = {"lessThan": "-1E-12", "greaterThan": "1E-12"}
    for operator, fill, font in (
        (good, styles.GOOD_FILL, styles.GOOD_FONT),
        (bad, styles.BAD_FILL, styles.BAD_FONT),
    ):
        ws.conditional_formatting.add(
            ref, CellIsRule(operator=operator, formula=[limits[operator]], fill=fill, font=font)
        )


def pct_change(value: float, base: float) -> float | str:
    """Relative change, or ``"n/a"`` when the baseline is 0 (explained in a note)."""
    return (value - base) / abs(base) if base != 0 else "n/a"


def style_chart(chart: Any, title_text: str, y_title: str, x_title: str = "") -> None:
    """Shared chart look: title, visible axes (openpyxl 3.1 hides them by default), size."""
    chart.title = title_text
    chart.y_axis.title = y_title
    if x_title:
        chart.x_axis.title = x_title
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = 18
    chart.height = 8.5
    chart.legend.position = "b"


def line_chart(
    ws: Worksheet,
    *,
    title_text: str,
    y_title: str,
    number_format: str,
    years: Reference,
    data: Reference,
) -> LineChart:
    """A year line chart; series titles come from the header row included in ``data``."""
    chart = LineChart()
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(years)
    style_chart(chart, title_text, y_title, word("year"))
    chart.y_axis.number_format = number_format
    for series in chart.series:
        series.smooth = False
        series.marker.symbol = "none"
    return chart


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------
SUMMARY = "摘要 Summary"
CHARTS = "图表 Charts"
GAPS = "差距 Gaps"
FISCAL = "财政 Fiscal"
CONTRIBUTIONS = "贡献 Contributions"
PROVENANCE = "来源 Provenance"
PROJECTION_VARIABLES = {
    "gdp": styles.MONEY,
    "population": styles.DECIMAL,
    "gdp_per_capita": styles.MONEY,
}
BASELINE_NOTE = (
    "基准情景 = 现行政策杠杆，且采用本情景相同的参数、全国增长路径和基期数据，"
    "因此差值只反映政策差异。"
    " / Baseline = current-policy levers under this scenario's own assumptions, national "
    "growth path and base-year data, so every Δ is the effect of policy only."
)


def projection_sheet_name(variable: str) -> str:
    zh, en, _ = VARIABLES[variable]
    return sheet_name(zh, en)


def _year_cols(results: Results, years: Sequence[int]) -> list[int]:
    known = [int(y) for y in results.years]
    missing = [y for y in years if y not in known]
    if missing:
        raise ValueError(f"results do not cover the milestone years {missing}")
    return list(years)


def _write_summary(ws: Worksheet, results: Results, base: Results) -> None:
    s = results.scenario
    title(ws, "京津冀情景预测结果摘要 Summary of scenario projection results")
    nat = LEVERS["national_path"]
    on = [bilingual(*PATHWAY_LABELS[p]) for p in s.pathways.enabled()]
    meta = [
        ("情景名称 Scenario", s.name),
        ("情景说明 Description", s.description),
        ("作者 Author", s.author),
        (bilingual(nat.name_zh, nat.name_en), s.national_path),
        ("启用路径 Pathways on", "；".join(on) if on else word("none")),
        ("基期 Base year", baseline.BASE_YEAR),
    ]
    for i, (label, value) in enumerate(meta, start=2):
        put(ws, i, 1, label).font = styles.HEADER_FONT
        put(ws, i, 2, value)
    note(ws, 8, BASELINE_NOTE)
    note(
        ws,
        9,
        "绿色 = 改善，红色 = 恶化（差距指标越低越好，GDP越高越好） / "
        "green = improvement, red = deterioration (lower gaps, higher GDP are better)",
    )
    top = 11
    header(ws, top, 1, [word("indicator"), "Indicator", word("unit")])
    years = _year_cols(results, MILESTONE_YEARS)
    for k, year in enumerate(years):
        col = 4 + 3 * k
        group_header(ws, top, col, 3, year)
        header(ws, top + 1, col, [word("scenario"), word("baseline"), word("delta")])
    styles.style_header(ws.cell(row=top + 1, column=c) for c in (1, 2, 3))
    for i, ind in enumerate(KEY_INDICATORS):
        row = top + 2 + i
        put_row(ws, row, 1, [ind.zh, ind.en, ind.unit])
        scen, ref = ind.series(results), ind.series(base)
        for k, year in enumerate(years):
            col = 4 + 3 * k
            a, b = float(scen.loc[year]), float(ref.loc[year])
            put_row(ws, row, col, [a, b, a - b], ind.number_format)
            add_delta_colours(ws, f"{get_column_letter(col + 2)}{row}", ind.lower_is_better)
    ws.freeze_panes = ws.cell(row=top + 2, column=4)
    styles.set_widths(ws, {"A": 30, "B": 44, "C": 18})
    for col in range(4, 4 + 3 * len(years)):
        ws.column_dimensions[get_column_letter(col)].width = 14
    styles.fit_row_height(ws, top + 1)


def _write_projection(ws: Worksheet, results: Results, variable: str) -> None:
    zh, en, unit = VARIABLES[variable]
    fmt = PROJECTION_VARIABLES[variable]
    title(ws, f"{bilingual(zh, en)}（{unit}）")
    note(
        ws,
        2,
        f"{baseline.BASE_YEAR} = 基期（部分基期数值为估计值，见“{PROVENANCE}”） / "
        f"base year (some base-year values are estimates, see '{PROVENANCE}')",
    )
    years = [int(y) for y in results.years]
    top = 4
    header(ws, top, 1, [word("code"), word("name_zh"), word("name_en"), word("province"), *years])
    wide = results.wide(variable)
    prov = results.provinces()
    units = baseline.units()
    rows: list[tuple[str, str, np.ndarray]] = [
        (code, units.loc[code, "province"], wide[code].to_numpy()) for code in wide.columns
    ]
    rows += [(r, r, prov[(r, variable)].to_numpy()) for r in ("HE", "JJJ")]
    for i, (code, province, values) in enumerate(rows, start=top + 1):
        put_row(ws, i, 1, [code, *region_name(code), province])
        put_row(ws, i, 5, values, fmt)
        if code in ("HE", "JJJ"):
            for col in range(1, 5 + len(years)):
                ws.cell(row=i, column=col).font = styles.HEADER_FONT
    ws.freeze_panes = ws.cell(row=top + 1, column=5)
    styles.set_widths(ws, {"A": 8, "B": 12, "C": 22, "D": 12})
    for k in range(len(years)):
        ws.column_dimensions[get_column_letter(5 + k)].width = 11
    styles.fit_row_height(ws, top)


GAP_COLUMNS = (*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES)


def _gap_format(key: str) -> str:
    return styles.RATIO if key == "max_min_ratio" else styles.INDEX


def _write_gaps(ws: Worksheet, results: Results) -> None:
    title(ws, "区域差距指标 Regional gap measures (13 units; groups = BJ, TJ, HE)")
    note(
        ws,
        2,
        "泰尔指数分解：组间 + 组内 = 总值（组 = 北京、天津、河北） / Theil decomposition: "
        "between + within = total (groups = Beijing, Tianjin, Hebei). 第4行为变量代码 / row 4 "
        "holds the variable codes.",
    )
    gaps, ratios = results.gaps, results.ratios
    keys = [*GAP_COLUMNS, *RATIO_NAMES]
    labels = {**GAP_MEASURE_LABELS, **RATIO_LABELS}
    put_row(ws, 4, 1, ["year", *keys])
    for col in range(1, len(keys) + 2):
        ws.cell(row=4, column=col).font = styles.NOTE_FONT
    header(ws, 5, 1, [word("year"), *(bilingual(*labels[k]) for k in keys)])
    for i, year in enumerate(gaps.index, start=6):
        put(ws, i, 1, int(year))
        for j, key in enumerate(keys, start=2):
            if key in RATIO_NAMES:
                fmt = styles.PERCENT if key == "jjj_share_national" else styles.RATIO
                put(ws, i, j, float(ratios.loc[year, key]), fmt)
            else:
                put(ws, i, j, float(gaps.loc[year, key]), _gap_format(key))
    add_table(ws, "Gaps", 5, 5 + len(gaps), len(keys) + 1)
    ws.freeze_panes = "B6"
    styles.set_widths(ws, {"A": 10})
    for j in range(2, len(keys) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 18
    styles.fit_row_height(ws, 5)


def _write_fiscal(ws: Worksheet, results: Results) -> None:
    title(ws, "财政账户 Fiscal ledger（亿元 100m yuan）")
    note(
        ws,
        2,
        "净财政收入 = 本级收入 + 分享收入 − 分享支出 + 中央补助 / net revenue = own revenue + "
        "shares received − shares paid + compensation",
    )
    ledger = results.ledger()
    items = list(ledger.columns)
    header(
        ws,
        4,
        1,
        [
            word("year"),
            word("code"),
            word("province"),
            *(f"{bilingual(*VARIABLES[k][:2])}（{VARIABLES[k][2]}）" for k in items),
        ],
    )
    for i, ((year, prov), row) in enumerate(ledger.iterrows(), start=5):
        put_row(ws, i, 1, [int(year), prov, bilingual(*region_name(prov))])
        put_row(ws, i, 4, [float(v) for v in row], styles.MONEY)
    add_table(ws, "Ledger", 4, 4 + len(ledger), 3 + len(items))
    ws.freeze_panes = "D5"
    styles.set_widths(ws, {"A": 10, "B": 8, "C": 16})
    for j in range(4, 4 + len(items)):
        ws.column_dimensions[get_column_letter(j)].width = 18
    styles.fit_row_height(ws, 4)


def _contribution_rows(results: Results) -> list[tuple[int, str, pd.Series]]:
    """(year, pathway, measures) rows, with a 'total' row per year equal to the sum."""
    contrib = results.contributions
    rows: list[tuple[int, str, pd.Series]] = []
    for year, block in contrib.groupby(level="year", sort=True):
        block = block.droplevel("year")
        for pathway in PATHWAYS:
            rows.append((int(year), pathway, block.loc[pathway]))
        rows.append((int(year), "total", block.sum()))
    return rows


def _write_contributions(ws: Worksheet, results: Results) -> None:
    title(ws, "路径贡献（Shapley 分解） Pathway contributions (exact Shapley decomposition)")
    note(
        ws,
        2,
        "各路径对差距指标相对基准（四条路径均为现行政策）变化的贡献；每年各路径之和 = 合计。"
        " / Contribution of each pathway to the change of each gap measure versus the "
        "baseline (all four pathways at current policy); per year the pathways sum to the total.",
    )
    measures = list(results.contributions.columns)
    header(
        ws,
        4,
        1,
        [
            word("year"),
            word("code"),
            word("pathway"),
            *(bilingual(*GAP_MEASURE_LABELS[m]) for m in measures),
        ],
    )
    for i, (year, pathway, values) in enumerate(_contribution_rows(results), start=5):
        label = word("total") if pathway == "total" else bilingual(*PATHWAY_LABELS[pathway])
        put_row(ws, i, 1, [year, pathway, label])
        for j, m in enumerate(measures, start=4):
            put(ws, i, j, float(values[m]), _gap_format(m))
        if pathway == "total":
            for col in range(1, 4 + len(measures)):
                ws.cell(row=i, column=col).font = styles.HEADER_FONT
    n = len(results.contributions.index.get_level_values("year").unique()) * (len(PATHWAYS) + 1)
    add_table(ws, "Contributions", 4, 4 + n, 3 + len(measures))
    ws.freeze_panes = "D5"
    styles.set_widths(ws, {"A": 10, "B": 14, "C": 24})
    for j in range(4, 4 + len(measures)):
        ws.column_dimensions[get_column_letter(j)].width = 16
    styles.fit_row_height(ws, 4)


#: Where the four charts sit on the Charts sheet: a 2 × 2 grid right of the data.
#: Columns from H on get an explicit width so Excel and LibreOffice agree on where the
#: second column of charts starts (18 cm charts ≈ 9 columns of width 10).
CHART_ANCHORS = ("H3", "R3", "H21", "R21")
CHART_COLUMN_WIDTH = 10.0

#: Gap measures shown in the stacked contribution chart (max/min ratio has another scale).
CONTRIBUTION_CHART_MEASURES = (
    "theil_t",
    "theil_t_between",
    "theil_t_within",
    "theil_l",
    "cv_weighted",
    "gini_weighted",
)


def _write_charts(wb: Workbook, ws: Worksheet, results: Results, base: Results) -> None:
    title(ws, "图表 Charts（数据在左侧 / data on the left）")
    years = [int(y) for y in results.years]
    theil, ratio = KEY_INDICATORS[0], next(i for i in KEY_INDICATORS if i.key == "bj_he_ratio")
    # Block 1: year × (Theil T scenario/baseline, BJ/HE ratio scenario/baseline)
    group_header(ws, 3, 2, 2, theil.label)
    group_header(ws, 3, 4, 2, ratio.label)
    header(ws, 4, 1, [word("year"), *[word("scenario"), word("baseline")] * 2])
    last = 4 + len(years)
    columns = [
        (ind.series(res), ind.number_format)
        for ind, res in ((theil, results), (theil, base), (ratio, results), (ratio, base))
    ]
    for i, year in enumerate(years, start=5):
        put(ws, i, 1, year)
        for j, (series, fmt) in enumerate(columns, start=2):
            put(ws, i, j, float(series.loc[year]), fmt)
    cats = Reference(ws, min_col=1, min_row=5, max_row=last)
    ws.add_chart(
        line_chart(
            ws,
            title_text=f"{theil.zh}：情景与基准 / {theil.en}: scenario vs baseline",
            y_title=theil.unit,
            number_format=styles.INDEX,
            years=cats,
            data=Reference(ws, min_col=2, max_col=3, min_row=4, max_row=last),
        ),
        CHART_ANCHORS[0],
    )
    ws.add_chart(
        line_chart(
            ws,
            title_text=f"{ratio.zh}：情景与基准 / {ratio.en}: scenario vs baseline",
            y_title=ratio.unit,
            number_format="0.00",
            years=cats,
            data=Reference(ws, min_col=4, max_col=5, min_row=4, max_row=last),
        ),
        CHART_ANCHORS[1],
    )
    _per_capita_chart(wb, ws, results)
    contrib_top = last + 3
    _contribution_chart(ws, results, contrib_top)
    styles.set_widths(ws, {"A": 30, "B": 13, "C": 13, "D": 13, "E": 13, "F": 13})
    styles.set_widths(ws, dict.fromkeys(range(8, 28), CHART_COLUMN_WIDTH))
    for row in (3, 4, contrib_top + 1):
        styles.fit_row_height(ws, row)


def _per_capita_chart(wb: Workbook, ws: Worksheet, results: Results) -> None:
    """Bar chart straight from the per-capita projection sheet (its 2035 column)."""
    src = wb[projection_sheet_name("gdp_per_capita")]
    n_units = len(results.projection.units)
    col = 5 + len(results.years) - 1
    end_year = int(results.years[-1])
    zh, en, unit = VARIABLES["gdp_per_capita"]
    chart = BarChart()
    chart.type = "col"
    chart.add_data(
        Reference(src, min_col=col, min_row=4, max_row=4 + n_units), titles_from_data=True
    )
    chart.set_categories(Reference(src, min_col=2, min_row=5, max_row=4 + n_units))
    style_chart(chart, f"{end_year}年各单元{zh} / {en} by unit, {end_year}", unit)
    chart.y_axis.number_format = styles.MONEY
    chart.legend = None
    ws.add_chart(chart, CHART_ANCHORS[2])


def _contribution_chart(ws: Worksheet, results: Results, top: int) -> None:
    """Stacked bars: each pathway's share of the end-year change of each gap measure."""
    end_year = int(results.years[-1])
    put(ws, top, 1, f"{end_year}年各路径贡献 Pathway contributions to the {end_year} change")
    ws.cell(row=top, column=1).font = styles.HEADER_FONT
    header(
        ws,
        top + 1,
        1,
        [word("measure"), *(bilingual(*PATHWAY_LABELS[p]) for p in PATHWAYS), word("total")],
    )
    block = results.contributions.xs(end_year, level="year")
    for i, m in enumerate(CONTRIBUTION_CHART_MEASURES, start=top + 2):
        put(ws, i, 1, GAP_MEASURE_LABELS[m][0])
        values = [float(block.loc[p, m]) for p in PATHWAYS]
        put_row(ws, i, 2, [*values, sum(values)], styles.INDEX)
    last = top + 1 + len(CONTRIBUTION_CHART_MEASURES)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + len(PATHWAYS), min_row=top + 1, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 2, max_row=last))
    style_chart(
        chart,
        f"{end_year}年差距变化的路径贡献 / Pathway contributions to the {end_year} change",
        "相对基准的变化 change vs baseline",
    )
    chart.y_axis.number_format = styles.INDEX
    chart.x_axis.tickLblPos = "low"  # measure names left of the plot, not at zero
    chart.gapWidth = 60
    chart.height = 12
    ws.add_chart(chart, CHART_ANCHORS[3])


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_info() -> list[tuple[str, str, str, Any]]:
    """Versions and time: (key, 中文, English, value). Keys are stable for tests."""
    return [
        (
            "template_version",
            "模板版本（本程序）",
            "template version (this jjjplan)",
            TEMPLATE_VERSION,
        ),
        ("jjjplan_version", "jjjplan 版本", "jjjplan version", jjjplan.__version__),
        ("python_version", "Python 版本", "Python version", platform.python_version()),
        ("openpyxl_version", "openpyxl 版本", "openpyxl version", openpyxl.__version__),
        ("pandas_version", "pandas 版本", "pandas version", pd.__version__),
        ("numpy_version", "numpy 版本", "numpy version", np.__version__),
        (
            "generated_utc",
            "生成时间（UTC）",
            "generated (UTC)",
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    ]


def source_info(source_path: str | os.PathLike[str] | None) -> list[tuple[str, str, str, Any]]:
    if source_path is None:
        missing = "未提供 not given"
        return [
            ("source_path", "输入文件", "input file", missing),
            ("source_sha256", "输入文件 SHA-256", "input file SHA-256", missing),
        ]
    path = Path(source_path)
    return [
        ("source_path", "输入文件", "input file", str(path.resolve())),
        ("source_sha256", "输入文件 SHA-256", "input file SHA-256", file_sha256(path)),
    ]


def write_key_values(ws: Worksheet, row: int, rows: Sequence[tuple[str, str, str, Any]]) -> int:
    """Key | 项目 | Item | value rows; returns the next free row. Keys sit in column A."""
    for i, (key, zh, en, value) in enumerate(rows, start=row):
        put_row(ws, i, 1, [key, zh, en, value])
    return row + len(rows)


def _write_levers(ws: Worksheet, row: int, s: Scenario) -> int:
    ref = {r.path: r.value for r in lever_rows(Scenario.baseline(), all_chain_presence=True)}
    section(ws, row, "情景杠杆 Scenario levers", 11)
    note(
        ws,
        row + 1,
        "关闭的路径按现行政策杠杆计算 / a switched-off pathway is projected with current-policy "
        f"levers. 另有 {unchanged_presence_count(s)} 个产业链环节水平保持基期值，未列出 / "
        f"{unchanged_presence_count(s)} further chain-segment presence values are held at their "
        "base-year level and not listed.",
    )
    top = row + 2
    header(
        ws,
        top,
        1,
        [
            word("field"),
            "杠杆",
            "Lever",
            word("unit"),
            word("value"),
            word("current_policy"),
            word("changed"),
        ],
    )
    rows = lever_rows(s)
    for i, lr in enumerate(rows, start=top + 1):
        current = ref.get(lr.path)
        put_row(ws, i, 1, [lr.path, lr.zh, lr.en, lr.unit])
        put(ws, i, 5, lr.value, lr.number_format)
        put(ws, i, 6, current, lr.number_format)
        put(ws, i, 7, current is not None and lr.value != current)
    add_table(ws, "Levers", top, top + len(rows), 7)
    return top + len(rows) + 2


def _write_assumptions(ws: Worksheet, row: int, s: Scenario) -> int:
    section(
        ws, row, "模型参数（本次运行使用的全部参数） Assumptions (every one used in this run)", 11
    )
    top = row + 1
    header(
        ws,
        top,
        1,
        [
            "参数代码 Id",
            "参数",
            "Assumption",
            word("value"),
            word("default"),
            word("low"),
            word("high"),
            word("unit"),
            word("source"),
            word("flag"),
            word("changed"),
        ],
    )
    for i, a in enumerate(ASSUMPTIONS, start=top + 1):
        value = float(s.assumptions[a.id])
        put_row(ws, i, 1, [a.id, a.name_zh, a.name_en, value, a.value, a.low, a.high])
        put_row(ws, i, 8, [a.unit, a.source, a.flag, value != a.value])
    add_table(ws, "Assumptions", top, top + len(ASSUMPTIONS), 11)
    return top + len(ASSUMPTIONS) + 2


def _write_data_flags(ws: Worksheet, row: int, s: Scenario) -> int:
    by = baseline.base_year()
    counts = by.count_status()
    total = sum(counts.values())
    section(ws, row, f"基期数据标记 Base-year data flags（{by.year}）", 11)
    summary = [
        (
            f"base_{status}",
            f"基期数值：{status}",
            f"base-year values: {status}",
            f"{n} / {total}",
        )
        for status, n in sorted(counts.items())
    ]
    nxt = write_key_values(ws, row + 1, summary)
    if s.baseline_overrides:
        pasted = "; ".join(
            f"{u}.{v} = {x:g}" for u, vals in s.baseline_overrides.items() for v, x in vals.items()
        )
        nxt = write_key_values(
            ws,
            nxt,
            [
                (
                    "baseline_overrides",
                    "规划人员粘贴的基期数值",
                    "planner-pasted base-year values",
                    pasted,
                )
            ],
        )
    top = nxt + 1
    header(
        ws,
        top,
        1,
        [
            word("code"),
            word("name_zh"),
            word("variable"),
            word("value"),
            word("status"),
            word("confidence"),
            word("source"),
            word("method"),
        ],
    )
    i = top
    for unit, rec in by.table.iterrows():
        for var in ("gdp", "population"):
            i += 1
            vzh, ven, vunit = VARIABLES[var]
            put_row(ws, i, 1, [unit, region_name(unit)[0], f"{bilingual(vzh, ven)}（{vunit}）"])
            put(ws, i, 4, float(rec[var]), styles.DECIMAL)
            put_row(
                ws,
                i,
                5,
                [
                    rec[f"{var}_status"],
                    rec[f"{var}_confidence"],
                    rec[f"{var}_source"],
                    rec[f"{var}_method"],
                ],
            )
    add_table(ws, "BaseYearData", top, i, 8)
    return i + 2


def _write_provenance(ws: Worksheet, results: Results, source_path: Any) -> None:
    s = results.scenario
    title(ws, "来源与参数 Provenance")
    section(ws, 3, "运行信息 Run information", 11)
    header(ws, 4, 1, [word("key"), "项目", "Item", word("value")])
    scenario_rows = [
        ("scenario_name", "情景名称", "scenario name", s.name),
        ("scenario_description", "情景说明", "scenario description", s.description),
        ("scenario_author", "作者", "author", s.author),
        ("base_year", "基期", "base year", baseline.BASE_YEAR),
        ("baseline_definition", "基准情景定义", "baseline definition", BASELINE_NOTE),
    ]
    row = write_key_values(ws, 5, [*source_info(source_path), *run_info(), *scenario_rows])
    row = _write_levers(ws, row + 1, s)
    row = _write_assumptions(ws, row, s)
    _write_data_flags(ws, row, s)
    ws.freeze_panes = "B5"
    styles.set_widths(
        ws,
        {"A": 34, "B": 30, "C": 40, "D": 16, "E": 14, "F": 14, "G": 40, "H": 16, "I": 60},
    )
    styles.set_widths(ws, {"J": 14, "K": 10})


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def build_results_workbook(
    results: Results, base: Results, source_path: str | os.PathLike[str] | None = None
) -> Workbook:
    """The results workbook in memory (no file written); ``base`` is the policy baseline."""
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY
    charts = wb.create_sheet(CHARTS)
    for variable in PROJECTION_VARIABLES:
        _write_projection(wb.create_sheet(projection_sheet_name(variable)), results, variable)
    _write_gaps(wb.create_sheet(GAPS), results)
    _write_fiscal(wb.create_sheet(FISCAL), results)
    _write_contributions(wb.create_sheet(CONTRIBUTIONS), results)
    _write_provenance(wb.create_sheet(PROVENANCE), results, source_path)
    _write_summary(summary, results, base)
    _write_charts(wb, charts, results, base)
    for ws in wb.worksheets:
        styles.print_setup(ws, one_page=ws is charts)
    return wb


def write_results(
    results: Results,
    path: str | os.PathLike[str],
    *,
    source_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Write ``results`` to the workbook ``path`` and return its absolute path.

    ``source_path`` (the scenario workbook the results came from) is hashed into the
    Provenance sheet and is never overwritten: writing onto it, into a missing folder or
    over a file open in Excel/LibreOffice raises :class:`jjjplan.errors.ValidationError`
    before anything is computed. The file appears atomically (complete or not at all).
    """
    if not isinstance(results, Results):
        raise TypeError(f"write_results() expects jjjplan.Results, got {type(results).__name__}")
    out = check_output_path(path, [source_path] if source_path is not None else [])
    base = project(baseline_for(results.scenario))
    wb = build_results_workbook(results, base, source_path)
    return atomic_save(wb, out)
