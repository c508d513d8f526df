"""The sensitivity workbook of ``jjjplan sensitivity``: 敏感性 Sensitivity and 来源 Provenance.

One table indexed by assumption (its names, range, distribution and source flag next to the
indices) and a native bar chart of the total-order index ST (Sobol) or mu_star (Morris),
largest first, so a planner sees which assumption to argue about. Saved atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl.chart import Reference
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.excel.catalogue import bilingual, word
from jjjplan.excel.safety import atomic_save, check_output_path
from jjjplan.excel.write import styles
from jjjplan.excel.write.charts import bar_chart
from jjjplan.excel.write.printing import apply_print_setup
from jjjplan.excel.write.provenance import (
    PROVENANCE,
    run_info,
    source_info,
    write_key_values,
)
from jjjplan.excel.write.sheetio import add_table, header, note, put_row, section, title
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS
from jjjplan.scenario import Scenario

SENSITIVITY = "敏感性 Sensitivity"
CHART_TOP = 25  # the chart shows at most this many assumptions
EXPLAIN = {
    "sobol": (
        "S1 = 该参数单独解释的方差份额；ST = 含交互作用的总份额（ST≈0 表示该参数无影响）；"
        "_conf = 95% 自助法置信区间半宽。 / S1 = share of the outcome's variance explained by "
        "the assumption alone; ST = total share including interactions (ST ≈ 0: no "
        "influence); _conf = 95% bootstrap half-width."
    ),
    "morris": (
        "mu_star = 基本效应绝对值的均值（越大越重要）；sigma = 非线性或交互作用。 / mu_star = "
        "mean absolute elementary effect (larger = more influential); sigma = non-linearity "
        "or interactions."
    ),
}


def _outcome_label(outcome: str) -> str:
    return bilingual(*(GAP_MEASURE_LABELS.get(outcome) or RATIO_LABELS[outcome]))


def _write_table(ws: Worksheet, table: pd.DataFrame, method: str, first: int) -> int:
    words = ("code", "name_zh", "name_en", "unit", "default", "low", "high")
    labels = [*map(word, words), "分布 Distribution", word("flag"), *table.columns]
    header(ws, first, 1, labels)
    row = first
    for aid, values in table.iterrows():
        a = ASSUMPTION_BY_ID[aid]
        row += 1
        put_row(ws, row, 1, [aid, a.name_zh, a.name_en, a.unit])
        put_row(ws, row, 5, [a.value, a.low, a.high], "General")
        put_row(ws, row, 8, [a.distribution, a.flag])
        put_row(ws, row, 10, [float(v) for v in values], styles.INDEX)
    add_table(ws, "SensitivityIndices", first, row, len(labels))
    return row


def build_sensitivity_workbook(
    table: pd.DataFrame,
    *,
    scenario: Scenario,
    outcome: str,
    year: int,
    method: str,
    n: int,
    seed: int,
    runs: int,
    source_path: str | os.PathLike[str] | None = None,
) -> Workbook:
    """The sensitivity workbook in memory (no file written)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SENSITIVITY
    key = "ST" if method == "sobol" else "mu_star"
    title(ws, f"{SENSITIVITY}：{year}年 {_outcome_label(outcome)}")
    note(ws, 2, f"情景 scenario: {scenario.name}；方法 method: {method}（SALib）；n = {n}；"
                f"预测次数 projections: {runs:,}；随机种子 seed: {seed}")  # fmt: skip
    note(ws, 3, EXPLAIN[method])
    first = 5
    last = _write_table(ws, table, method, first)
    col = 10 + list(table.columns).index(key)
    shown = min(len(table), CHART_TOP)
    chart = bar_chart(
        title_text=f"{key}：{year}年 {_outcome_label(outcome)} / largest first",
        y_title=key,
        number_format=styles.INDEX,
        data=Reference(ws, min_col=col, min_row=first, max_row=first + shown),
        categories=Reference(ws, min_col=1, min_row=first + 1, max_row=first + shown),
    )
    chart.type = "bar"  # horizontal: long assumption ids stay readable
    chart.x_axis.scaling.orientation = "maxMin"  # largest at the top
    chart.width, chart.height = 24, max(8.0, 0.6 * shown + 3)
    ws.add_chart(chart, f"A{last + 3}")
    ws.freeze_panes = f"B{first + 1}"
    styles.set_widths(ws, {"A": 26, "B": 22, "C": 36, "D": 12, "H": 12, "I": 12})
    prov = wb.create_sheet(PROVENANCE)
    title(prov, PROVENANCE)
    section(prov, 3, "运行信息 Run information", 4)
    header(prov, 4, 1, [word("key"), "项目", "Item", word("value")])
    facts = [
        ("scenario", "情景", "scenario", scenario.name),
        ("outcome", "结果指标", "outcome", f"{outcome}@{year}"),
        ("method", "方法", "method", method),
        ("n", "基础样本量", "base sample size", n),
        ("runs", "预测次数", "projections", runs),
        ("seed", "随机种子", "seed", seed),
    ]
    write_key_values(prov, 5, [*facts, *source_info(source_path), *run_info()])
    styles.set_widths(prov, {"A": 18, "B": 18, "C": 24, "D": 70})
    apply_print_setup(wb, f"{scenario.name} · 敏感性 Sensitivity")  # every sheet, printable
    return wb


def write_sensitivity(table: pd.DataFrame, path: str | os.PathLike[str], **facts) -> Path:
    """Write the sensitivity workbook to ``path`` atomically; the scenario workbook given
    as ``source_path`` is never overwritten."""
    source = facts.get("source_path")
    out = check_output_path(path, [source] if source is not None else [])
    return atomic_save(build_sensitivity_workbook(table, **facts), out)
