"""The results workbook's 不确定性 Uncertainty sheet: band table and native fan charts.

Written when the planner asks for draws (``jjjplan run --draws N``). The table gives, for
every indicator, region and year, the 5/25/50/75/95% quantiles over the assumption draws next
to the point projection (table values of every assumption). The fan charts are native Excel
charts (a stacked area for the bands, lines for the median and the point projection), so they
stay live in Excel and LibreOffice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl.chart import AreaChart, LineChart, Reference
from openpyxl.chart.legend import LegendEntry
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import bilingual, region_name, word
from jjjplan.excel.write import styles
from jjjplan.excel.write.charts import style_chart
from jjjplan.excel.write.indicators import province_table
from jjjplan.excel.write.sheetio import add_table, header, note, put, put_row, title
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS, VARIABLES, Results
from jjjplan.uncertainty.ensembles import QUANTILES, Ensemble

UNCERTAINTY = "不确定性 Uncertainty"
#: (outcome, chart colour of the inner band) of the two fan charts.
FAN_CHARTS = (("theil_t", "4292C6"), ("bj_he_ratio", "41AB5D"))
OUTER_ALPHA_COLOUR = {"4292C6": "C6DBEF", "41AB5D": "C7E9C0"}
TABLE_FIRST_ROW = 6
CHART_COLUMN = 13  # charts sit right of the 11-column table
DATA_COLUMN = 26  # chart data further right


#: Units of the indicator rows, bilingual (money and people keep the model's own unit text).
UNIT_WORDS = {"index": word("index"), "ratio": word("ratio"), "share": "比重 share"}


def _label(variable: str) -> tuple[str, str]:
    if variable in GAP_MEASURE_LABELS:
        return GAP_MEASURE_LABELS[variable]
    if variable in RATIO_LABELS:
        return RATIO_LABELS[variable]
    zh, en, _unit = VARIABLES[variable]
    return zh, en


def _format(variable: str, unit: str) -> str:
    if variable in ("gdp", "gdp_per_capita"):
        return styles.MONEY
    return styles.RATIO if unit == "ratio" else styles.INDEX


def point_values(results: Results) -> pd.Series:
    """The point projection by (region, variable, year), matching the band rows."""
    parts = {}
    ind = results.gaps.join(results.ratios)
    for variable in ind.columns:
        parts[("JJJ", variable)] = ind[variable]
    for variable in ("gdp", "gdp_per_capita"):
        wide = results.wide(variable)
        for unit in wide.columns:
            parts[(unit, variable)] = wide[unit]
    prov = province_table(results)
    for region, variable in prov.columns:
        if variable in ("gdp", "gdp_per_capita"):
            parts.setdefault((region, variable), prov[(region, variable)])
    s = pd.concat(parts, names=["region", "variable", "year"])
    return s


def _band_table(ws: Worksheet, bands: pd.DataFrame, point: pd.Series) -> int:
    quantiles = sorted(bands["quantile"].unique())
    wide = bands.pivot_table(
        index=["variable", "region", "unit", "year"], columns="quantile", values="value",
        sort=False,
    )  # fmt: skip
    labels = [
        word("indicator"), "地区 Region", word("unit"), word("year"),
        *(f"P{round(q * 100)}" for q in quantiles), "点值 Point",
    ]  # fmt: skip
    header(ws, TABLE_FIRST_ROW, 1, labels)
    row = TABLE_FIRST_ROW
    for (variable, region, unit, year), values in wide.iterrows():
        row += 1
        fmt = _format(variable, unit)
        put_row(
            ws,
            row,
            1,
            [
                bilingual(*_label(variable)),
                bilingual(*region_name(region)),
                UNIT_WORDS.get(unit, unit),
            ],
        )
        put(ws, row, 4, int(year))
        put_row(ws, row, 5, [float(v) for v in values], fmt)
        put(ws, row, 5 + len(quantiles), float(point.loc[(region, variable, year)]), fmt)
    add_table(ws, "UncertaintyBands", TABLE_FIRST_ROW, row, len(labels))
    return row


def _fan_chart(ws: Worksheet, bands: pd.DataFrame, point: pd.Series, k: int) -> None:
    """Chart data block k (year, P5, band widths, P50, point) and its fan chart."""
    variable, colour = FAN_CHARTS[k]
    b = bands[(bands.variable == variable) & (bands.region == "JJJ")]
    q = b.pivot(index="year", columns="quantile", values="value")
    lo, q25, q50, q75, hi = (q[x] for x in (0.05, 0.25, 0.5, 0.75, 0.95))
    col = DATA_COLUMN + 8 * k
    zh, en = _label(variable)
    put(ws, TABLE_FIRST_ROW - 1, col, f"图表数据 chart data: {zh} {en}")
    head = [word("year"), "P5", "P5–P25", "P25–P75", "P75–P95", "中位数 median",
            "点值 point"]  # fmt: skip
    header(ws, TABLE_FIRST_ROW, col, head)
    fmt = _format(variable, b["unit"].iloc[0])
    for i, year in enumerate(q.index, start=TABLE_FIRST_ROW + 1):
        put(ws, i, col, int(year))
        widths = [lo[year], q25[year] - lo[year], q75[year] - q25[year], hi[year] - q75[year]]
        put_row(ws, i, col + 1, [*map(float, widths), float(q50[year])], fmt)
        put(ws, i, col + 6, float(point.loc[("JJJ", variable, year)]), fmt)
    last = TABLE_FIRST_ROW + len(q.index)
    cats = Reference(ws, min_col=col, min_row=TABLE_FIRST_ROW + 1, max_row=last)

    area = AreaChart()
    area.grouping = "stacked"
    area.add_data(
        Reference(ws, min_col=col + 1, max_col=col + 4, min_row=TABLE_FIRST_ROW, max_row=last),
        titles_from_data=True,
    )
    area.set_categories(cats)
    outer = OUTER_ALPHA_COLOUR[colour]
    for series, fill in zip(area.series, (None, outer, colour, outer), strict=True):
        gp = series.graphicalProperties
        gp.line.noFill = True
        if fill is None:
            gp.noFill = True  # the invisible base the bands stand on
        else:
            gp.solidFill = fill
    lines = LineChart()
    lines.add_data(
        Reference(ws, min_col=col + 5, max_col=col + 6, min_row=TABLE_FIRST_ROW, max_row=last),
        titles_from_data=True,
    )
    lines.set_categories(cats)
    median, pt = lines.series
    median.graphicalProperties.line.solidFill = "08306B"
    median.graphicalProperties.line.width = 28575
    pt.graphicalProperties.line.solidFill = "404040"
    pt.graphicalProperties.line.dashStyle = "dash"
    for s in lines.series:
        s.smooth = False
        s.marker.symbol = "none"
    area += lines
    style_chart(
        area,
        f"{zh} 5–95%区间 / {en}: 5–95% band",
        word("ratio") if b["unit"].iloc[0] == "ratio" else word("index"),
        word("year"),
    )
    area.y_axis.number_format = fmt
    floor = float(np.nanmin(lo.to_numpy()))
    area.y_axis.scaling.min = _nice_floor(floor)
    area.legend.legendEntry = [LegendEntry(idx=0, delete=True)]
    area.height = 10
    ws.add_chart(area, f"{get_column_letter(CHART_COLUMN)}{TABLE_FIRST_ROW + 18 * k}")


def _nice_floor(value: float) -> float:
    """A round axis minimum a little below ``value`` (so the band is not squashed)."""
    if value <= 0:
        return 0.0
    step = 10 ** np.floor(np.log10(value)) / 2
    return float(np.floor(value * 0.95 / step) * step)


def write_uncertainty_sheet(ws: Worksheet, ensemble: Ensemble, results: Results) -> None:
    """Fill ``ws`` with the bands of ``ensemble`` and the point projection ``results``."""
    bands = ensemble.bands(QUANTILES)
    point = point_values(results)
    drawn = len(ensemble.samples.columns)
    title(ws, f"{UNCERTAINTY}（{len(ensemble)} 次参数抽样 / {len(ensemble)} assumption draws）")
    note(
        ws, 2,
        f"抽样方法 method: {ensemble.method}；随机种子 seed: {ensemble.seed}；"
        f"抽取参数 assumptions drawn: {drawn}（按参数表的分布与上下限 / from the Assumptions "
        "table's distributions and low–high ranges）。",
    )  # fmt: skip
    fixed = "、".join(ensemble.fixed) if ensemble.fixed else word("none")
    note(ws, 3, f"本情景设定而保持不变的参数 / held at the workbook's value: {fixed}")
    note(
        ws, 4,
        "P5–P95 = 各次抽样结果的分位数；点值 = 参数表取值下的单次预测。"
        "同一种子重复运行结果完全相同。"
        " / P5–P95 are quantiles over the draws; Point = the single projection at the table "
        "values. The same seed gives identical numbers.",
    )  # fmt: skip
    _band_table(ws, bands, point)
    for k in range(len(FAN_CHARTS)):
        _fan_chart(ws, bands, point, k)
    ws.freeze_panes = f"A{TABLE_FIRST_ROW + 1}"
    styles.set_widths(ws, {"A": 30, "B": 22, "C": 18, "D": 8})
    styles.set_widths(ws, dict.fromkeys(range(5, 11), 12))
