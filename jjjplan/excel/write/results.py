"""Write one scenario's projection to the results workbook planners circulate (DESIGN §6).

The workbook: a Summary of the headline indicators against the policy baseline, one sheet
per projected variable (13 units, Hebei and the JJJ total by year), Gaps, the Fiscal ledger,
the Shapley Contributions of each pathway, native Charts and the Provenance sheet. This
module lays out those sheets; the rules every cell follows (values not formulas, finite
numbers, text never a formula) live in :mod:`~jjjplan.excel.write.sheetio`, and what it shares
with the comparison workbook (labels, :data:`KEY_INDICATORS`, lever rows, charts, the
Provenance sheet) lives in the small modules it imports, so a number reads the same in both.
The file is saved atomically next to the target.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.legend import Legend
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan import baseline
from jjjplan.excel.catalogue import bilingual, pathways_on, region_name, word
from jjjplan.excel.safety import atomic_save, check_output_path
from jjjplan.excel.write import styles
from jjjplan.excel.write.charts import bar_chart, line_chart, put_by_year, stacked_bar_chart
from jjjplan.excel.write.indicators import (
    BASELINE_NOTE,
    KEY_INDICATORS,
    Indicator,
    baseline_for,
    by_year,
    province_table,
)
from jjjplan.excel.write.levers import LeverRow, lever_rows
from jjjplan.excel.write.printing import apply_print_setup
from jjjplan.excel.write.provenance import PROVENANCE, dataset_of, write_results_provenance
from jjjplan.excel.write.sheetio import (
    add_delta_colours,
    add_table,
    group_header,
    header,
    note,
    put,
    put_row,
    sheet_name,
    title,
)
from jjjplan.gaps import (
    DECOMPOSITION_NAMES,
    FISCAL_GAP_NAMES,
    GAP_MEASURE_LABELS,
    GAP_MEASURE_NAMES,
)
from jjjplan.results import RATIO_LABELS, RATIO_NAMES, VARIABLES, Results, project
from jjjplan.scenario import LEVERS, MILESTONE_YEARS, PATHWAY_LABELS, PATHWAYS

if TYPE_CHECKING:
    from jjjplan.uncertainty import Ensemble

# Indicator, LeverRow and lever_rows live in indicators.py / levers.py and are re-exported
# here (public API). tests/test_results_writer.py also reaches rw.put, rw.sheet_name and
# rw.bilingual, which this module imports for its own use.
__all__ = [
    "KEY_INDICATORS",
    "Indicator",
    "LeverRow",
    "baseline_for",
    "lever_rows",
    "write_results",
]


# --------------------------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------------------------
SUMMARY = "摘要 Summary"
CHARTS = "图表 Charts"
GAPS = "差距 Gaps"
FISCAL = "财政 Fiscal"
CONTRIBUTIONS = "贡献 Contributions"
PROJECTION_VARIABLES = {
    "gdp": styles.MONEY,
    "population": styles.DECIMAL,
    "gdp_per_capita": styles.MONEY,
}


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
    meta = [
        ("情景名称 Scenario", s.name),
        ("情景说明 Description", s.description),
        ("作者 Author", s.author),
        (bilingual(nat.name_zh, nat.name_en), s.national_path),
        ("启用路径 Pathways on", pathways_on(s)),
        ("基期 Base year", results.projection.data.base_year),
    ]
    for i, (label, value) in enumerate(meta, start=2):
        styles.set_style(put(ws, i, 1, label), font=styles.HEADER_FONT)
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
        scen, ref = by_year(ind, results), by_year(ind, base)  # dicts, not a .loc per cell
        for k, year in enumerate(years):
            col = 4 + 3 * k
            a, b = float(scen[year]), float(ref[year])
            put_row(ws, row, col, [a, b, a - b], ind.number_format)
            add_delta_colours(ws, f"{get_column_letter(col + 2)}{row}", ind.lower_is_better)
    ws.freeze_panes = ws.cell(row=top + 2, column=4)
    styles.set_widths(ws, {"A": 30, "B": 44, "C": 18})
    styles.set_widths(ws, dict.fromkeys(range(4, 4 + 3 * len(years)), 14))
    styles.fit_row_height(ws, top + 1)


def _write_projection(ws: Worksheet, results: Results, variable: str) -> None:
    zh, en, unit = VARIABLES[variable]
    fmt = PROJECTION_VARIABLES[variable]
    title(ws, f"{bilingual(zh, en)}（{unit}）")
    note(
        ws,
        2,
        f"{results.projection.data.base_year} = 基期；此前为观测年份（部分数值为估计值，"
        f"见“{PROVENANCE}”） / base year; earlier years are observed (some values are "
        f"estimates, see '{PROVENANCE}')",
    )
    years = [int(y) for y in results.years]
    top = 4
    header(ws, top, 1, [word("code"), word("name_zh"), word("name_en"), word("province"), *years])
    wide = results.wide(variable)
    prov = province_table(results)
    province_of = baseline.units()["province"].to_dict()  # not a .loc per row
    by_unit = wide.to_numpy(dtype=float).T.tolist()  # plain floats: put's fast path
    rows: list[tuple[str, str, list[float]]] = [
        (code, province_of[code], values)
        for code, values in zip(wide.columns, by_unit, strict=True)
    ]
    rows += [(r, r, prov[(r, variable)].to_numpy(dtype=float).tolist()) for r in ("HE", "JJJ")]
    for i, (code, province, values) in enumerate(rows, start=top + 1):
        put_row(ws, i, 1, [code, *region_name(code), province])
        put_row(ws, i, 5, values, fmt)
        if code in ("HE", "JJJ"):
            for col in range(1, 5 + len(years)):
                styles.set_style(ws.cell(row=i, column=col), font=styles.HEADER_FONT)
    ws.freeze_panes = ws.cell(row=top + 1, column=5)
    styles.set_widths(ws, {"A": 8, "B": 12, "C": 22, "D": 12})
    styles.set_widths(ws, dict.fromkeys(range(5, 5 + len(years)), 11))
    styles.fit_row_height(ws, top)


GAP_COLUMNS = (*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES, *FISCAL_GAP_NAMES)


def _gap_format(key: str) -> str:
    return styles.RATIO if key in ("max_min_ratio", "fiscal_bj_he_ratio") else styles.INDEX


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
        styles.set_style(ws.cell(row=4, column=col), font=styles.NOTE_FONT)
    header(ws, 5, 1, [word("year"), *(bilingual(*labels[k]) for k in keys)])
    gap_rows, ratio_rows = gaps.to_dict("index"), ratios.to_dict("index")  # not .loc per cell
    for i, year in enumerate(gaps.index, start=6):
        put(ws, i, 1, int(year))
        for j, key in enumerate(keys, start=2):
            if key in RATIO_NAMES:
                fmt = styles.PERCENT if key == "jjj_share_national" else styles.RATIO
                put(ws, i, j, float(ratio_rows[year][key]), fmt)
            else:
                put(ws, i, j, float(gap_rows[year][key]), _gap_format(key))
    add_table(ws, "Gaps", 5, 5 + len(gaps), len(keys) + 1)
    ws.freeze_panes = "B6"
    styles.set_widths(ws, {"A": 10})
    styles.set_widths(ws, dict.fromkeys(range(2, len(keys) + 2), 18))
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
    rows = zip(ledger.index, ledger.to_numpy(dtype=float).tolist(), strict=True)
    for i, ((year, prov), values) in enumerate(rows, start=5):
        put_row(ws, i, 1, [int(year), prov, bilingual(*region_name(prov))])
        put_row(ws, i, 4, values, styles.MONEY)
    add_table(ws, "Ledger", 4, 4 + len(ledger), 3 + len(items))
    ws.freeze_panes = "D5"
    styles.set_widths(ws, {"A": 10, "B": 8, "C": 16})
    styles.set_widths(ws, dict.fromkeys(range(4, 4 + len(items)), 18))
    styles.fit_row_height(ws, 4)


def _contribution_rows(results: Results) -> list[tuple[int, str, list[float]]]:
    """(year, pathway, one value per measure) rows, pathways in :data:`PATHWAYS` order, with
    a 'total' row per year equal to their sum (added in the frame's row order, as
    ``DataFrame.sum`` does). Read from the array once: a ``.loc`` per row is slow."""
    contrib = results.contributions
    by_year: dict[int, dict[str, list[float]]] = {}
    for (year, pathway), values in zip(
        contrib.index, contrib.to_numpy(dtype=float).tolist(), strict=True
    ):
        by_year.setdefault(int(year), {})[pathway] = values
    rows: list[tuple[int, str, list[float]]] = []
    for year in sorted(by_year):
        block = by_year[year]
        rows += [(year, pathway, block[pathway]) for pathway in PATHWAYS]
        total = list(next(iter(block.values())))
        for values in list(block.values())[1:]:
            total = [a + b for a, b in zip(total, values, strict=True)]
        rows.append((year, "total", total))
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
        for j, (m, value) in enumerate(zip(measures, values, strict=True), start=4):
            put(ws, i, j, value, _gap_format(m))
        if pathway == "total":
            for col in range(1, 4 + len(measures)):
                styles.set_style(ws.cell(row=i, column=col), font=styles.HEADER_FONT)
    n = len(results.contributions.index.get_level_values("year").unique()) * (len(PATHWAYS) + 1)
    add_table(ws, "Contributions", 4, 4 + n, 3 + len(measures))
    ws.freeze_panes = "D5"
    styles.set_widths(ws, {"A": 10, "B": 14, "C": 24})
    styles.set_widths(ws, dict.fromkeys(range(4, 4 + len(measures)), 16))
    styles.fit_row_height(ws, 4)


#: Where the four charts sit on the Charts sheet: a 2 × 2 grid right of the data.
#: Columns from H on get an explicit width so Excel and LibreOffice agree on where the
#: second column of charts starts (18 cm charts ≈ 9 columns of width 10).
#: Charts are stacked below the data, this wide (cm): one portrait A4 page.
CHART_WIDTH_CM = 18.0
#: Height of a default row in cm (15 points), to space the stacked charts.
ROW_CM = 15 / 72 * 2.54

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
    """Data blocks on top, the four charts below them in one column: the sheet is one
    portrait page wide and each chart prints whole (see :mod:`~jjjplan.excel.write.printing`)."""
    title(ws, "图表 Charts（数据在上方，图表在下方 / data above, charts below）")
    years = [int(y) for y in results.years]
    theil, ratio = KEY_INDICATORS[0], next(i for i in KEY_INDICATORS if i.key == "bj_he_ratio")
    # Block 1: year × (Theil T scenario/baseline, BJ/HE ratio scenario/baseline)
    group_header(ws, 3, 2, 2, theil.label)
    group_header(ws, 3, 4, 2, ratio.label)
    header(ws, 4, 1, [word("year"), *[word("scenario"), word("baseline")] * 2])
    columns = [
        (ind.series(res), ind.number_format)
        for ind, res in ((theil, results), (theil, base), (ratio, results), (ratio, base))
    ]
    last = put_by_year(ws, 5, years, columns)
    cats = Reference(ws, min_col=1, min_row=5, max_row=last)
    charts = [
        line_chart(
            title_text=f"{theil.zh}：情景与基准 / {theil.en}: scenario vs baseline",
            y_title=theil.unit,
            number_format=styles.INDEX,
            years=cats,
            data=Reference(ws, min_col=2, max_col=3, min_row=4, max_row=last),
        ),
        line_chart(
            title_text=f"{ratio.zh}：情景与基准 / {ratio.en}: scenario vs baseline",
            y_title=ratio.unit,
            number_format="0.00",
            years=cats,
            data=Reference(ws, min_col=4, max_col=5, min_row=4, max_row=last),
        ),
    ]
    contrib_top = last + 3
    contrib_last, chart = _contribution_chart(ws, results, contrib_top)
    per_capita_top = contrib_last + 3
    per_capita_last, per_capita = _per_capita_chart(ws, results, base, per_capita_top)
    charts += [per_capita, chart]
    row = per_capita_last + 3
    for chart in charts:
        chart.width = CHART_WIDTH_CM
        ws.add_chart(chart, f"A{row}")
        row += math.ceil(chart.height / ROW_CM) + 2
    styles.set_widths(ws, {"A": 30, "B": 13, "C": 13, "D": 13, "E": 13, "F": 13})
    for r in (3, 4, contrib_top + 1, per_capita_top + 1):
        styles.fit_row_height(ws, r)


def _per_capita_chart(
    ws: Worksheet, results: Results, base: Results, top: int
) -> tuple[int, BarChart]:
    """Per-capita GDP by unit in the end year, scenario and baseline bars side by side."""
    end_year = int(results.years[-1])
    zh, en, unit = VARIABLES["gdp_per_capita"]
    put(ws, top, 1, f"{end_year}年各单元{zh} {en} by unit, {end_year}").font = styles.HEADER_FONT
    header(ws, top + 1, 1, [word("region"), word("scenario"), word("baseline")])
    scenario_row = results.wide("gdp_per_capita").loc[end_year]
    base_row = base.wide("gdp_per_capita").loc[end_year]
    for i, code in enumerate(results.projection.units, start=top + 2):
        put(ws, i, 1, bilingual(*region_name(code)))
        put_row(ws, i, 2, [float(scenario_row[code]), float(base_row[code])], styles.MONEY)
    last = top + 1 + len(results.projection.units)
    chart = bar_chart(
        title_text=f"{end_year}年各单元{zh}：情景与基准 / {en} by unit, {end_year}",
        y_title=unit,
        number_format=styles.MONEY,
        data=Reference(ws, min_col=2, max_col=3, min_row=top + 1, max_row=last),
        categories=Reference(ws, min_col=1, min_row=top + 2, max_row=last),
    )
    chart.legend = Legend()  # two series: scenario and baseline
    chart.legend.position = "b"
    return last, chart


def _contribution_chart(ws: Worksheet, results: Results, top: int) -> tuple[int, BarChart]:
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
    chart = stacked_bar_chart(
        title_text=(
            f"{end_year}年差距变化的路径贡献 / Pathway contributions to the {end_year} change"
        ),
        y_title="相对基准的变化 change vs baseline",
        number_format=styles.INDEX,
        data=Reference(ws, min_col=2, max_col=1 + len(PATHWAYS), min_row=top + 1, max_row=last),
        categories=Reference(ws, min_col=1, min_row=top + 2, max_row=last),
    )
    chart.height = 12
    return last, chart


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def build_results_workbook(
    results: Results,
    base: Results,
    source_path: str | os.PathLike[str] | None = None,
    *,
    ensemble: Ensemble | None = None,
) -> Workbook:
    """The results workbook in memory (no file written); ``base`` is the policy baseline;
    an ``ensemble`` of the same scenario adds the 不确定性 Uncertainty sheet."""
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY
    charts = wb.create_sheet(CHARTS)
    for variable in PROJECTION_VARIABLES:
        _write_projection(wb.create_sheet(projection_sheet_name(variable)), results, variable)
    _write_gaps(wb.create_sheet(GAPS), results)
    _write_fiscal(wb.create_sheet(FISCAL), results)
    _write_contributions(wb.create_sheet(CONTRIBUTIONS), results)
    if ensemble is not None:
        from jjjplan.excel.write.uncertainty import UNCERTAINTY, write_uncertainty_sheet

        write_uncertainty_sheet(wb.create_sheet(UNCERTAINTY), ensemble, results)
    write_results_provenance(wb.create_sheet(PROVENANCE), results, source_path)
    if results.scenario.targets:
        from jjjplan.excel.write.target_check import TARGET_SHEET, write_target_check

        write_target_check(wb.create_sheet(TARGET_SHEET, 1), results, ensemble=ensemble)
    _write_summary(summary, results, base)
    _write_charts(wb, charts, results, base)
    apply_print_setup(wb, results.scenario.name)  # last: every sheet, whoever added it
    return wb


def write_results(
    results: Results,
    path: str | os.PathLike[str],
    *,
    source_path: str | os.PathLike[str] | None = None,
    ensemble: Ensemble | None = None,
) -> Path:
    """Write ``results`` to the workbook ``path`` and return its absolute path.

    ``ensemble`` (from :func:`jjjplan.ensemble` of the same scenario) adds the uncertainty
    bands and fan charts.

    ``source_path`` (the scenario workbook the results came from) is hashed into the
    Provenance sheet and is never overwritten: writing onto it, into a missing folder or
    over a file open in Excel/LibreOffice raises :class:`jjjplan.errors.ValidationError`
    before anything is computed. The file appears atomically (complete or not at all).
    """
    if not isinstance(results, Results):
        raise TypeError(f"write_results() expects jjjplan.Results, got {type(results).__name__}")
    out = check_output_path(path, [source_path] if source_path is not None else [])
    base = project(baseline_for(results.scenario), data=dataset_of(results))
    wb = build_results_workbook(results, base, source_path, ensemble=ensemble)
    return atomic_save(wb, out)
