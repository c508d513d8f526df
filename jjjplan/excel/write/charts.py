"""Native Excel charts for the results and comparison workbooks, with one shared look.

Charts are native (not images) so they stay live in Excel and LibreOffice and a planner can
restyle them. openpyxl 3.1 hides chart axes by default; :func:`style_chart` turns them back
on and gives every chart the same title, size and legend position. :func:`put_by_year`
writes the year × series block that a year line chart plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumDataSource, NumRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import Series, SeriesLabel, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import word
from jjjplan.excel.write.sheetio import put

__all__ = [
    "axis_bounds",
    "bar_chart",
    "line_chart",
    "put_by_year",
    "stacked_bar_chart",
    "style_chart",
]


def style_chart(
    chart: LineChart | BarChart, title_text: str, y_title: str, x_title: str = ""
) -> None:
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


def put_by_year(
    ws: Worksheet,
    first_row: int,
    years: Sequence[int],
    columns: Sequence[tuple[pd.Series | Mapping[int, float], str]],
) -> int:
    """Years down column A from ``first_row``, then one column per (series by year, number
    format) from column B: the block a year line chart plots. A series is a year-indexed
    pandas Series or a ``{year: value}`` mapping. Returns the last row."""
    by_year = [(_by_year(series), fmt) for series, fmt in columns]  # .loc per cell is slow
    for i, year in enumerate(years, start=first_row):
        put(ws, i, 1, year)
        for j, (values, fmt) in enumerate(by_year, start=2):
            put(ws, i, j, float(values[year]), fmt)
    return first_row + len(years) - 1


def _by_year(series: pd.Series | Mapping[int, float]) -> Mapping[int, Any]:
    """A year-indexed series as a dict (one lookup per cell instead of a ``.loc``)."""
    if isinstance(series, Mapping):
        return series
    if not series.index.is_unique:
        raise ValueError(f"series {series.name!r} has repeated years")
    return dict(zip((int(y) for y in series.index), series.tolist(), strict=True))


def line_chart(
    *,
    title_text: str,
    y_title: str,
    number_format: str,
    years: Reference,
    data: Reference,
) -> LineChart:
    """A year line chart; series titles come from the header row included in ``data``."""
    chart = LineChart()
    chart.series = _line_series(data, years)
    style_chart(chart, title_text, y_title, word("year"))
    chart.y_axis.number_format = number_format
    bounds = axis_bounds(data)
    if bounds is not None:  # scaled to the data: an axis from 0 flattens a 0.03 change
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = bounds
    return chart


def _line_series(data: Reference, years: Reference) -> list[Series]:
    """One unsmoothed, marker-less series per column of ``data`` (its first row holds the
    series titles) over the categories ``years``: what ``chart.add_data(data,
    titles_from_data=True)``, ``chart.set_categories(years)`` and setting ``smooth`` and
    ``marker.symbol`` on each series give, with the marker and the categories built once
    per chart and shared by its series (each would otherwise build, then drop, a default
    marker with its own shape properties: most of a chart's building time)."""
    no_marker = Marker(symbol="none")
    categories = AxDataSource(numRef=NumRef(f=str(years)))
    series = []
    for col in range(data.min_col, data.max_col + 1):
        values = Reference(data.worksheet, col, data.min_row + 1, col, data.max_row)
        title = f"{data.sheetname}!{get_column_letter(col)}{data.min_row}"  # as Reference.pop
        series.append(
            Series(
                tx=SeriesLabel(strRef=StrRef(title)),
                val=NumDataSource(numRef=NumRef(f=str(values))),
                cat=categories,
                marker=no_marker,
                smooth=False,
            )
        )
    return series


def axis_bounds(data: Reference) -> tuple[float, float] | None:
    """Round value-axis limits around the numbers ``data`` refers to (its first row is the
    series titles), with a tenth of the range as margin; never below 0 for positive data."""
    cells = data.worksheet._cells  # read, not iter_rows: that creates every missing cell
    values = [
        cell._value
        for row in range(data.min_row + 1, data.max_row + 1)
        for col in range(data.min_col, data.max_col + 1)
        if (cell := cells.get((row, col))) is not None and isinstance(cell._value, int | float)
    ]
    values = [float(v) for v in values if not isinstance(v, bool) and math.isfinite(v)]
    if not values:
        return None
    lo, hi = min(values), max(values)
    span = hi - lo if hi > lo else max(abs(hi), 1e-12) * 0.1
    step = 10 ** math.floor(math.log10(span))
    low = math.floor((lo - 0.1 * span) / step) * step
    high = math.ceil((hi + 0.1 * span) / step) * step
    if lo >= 0 > low:
        low = 0.0
    return round(low, 12), round(high, 12)


def _bars(
    direction: str,
    title_text: str,
    y_title: str,
    number_format: str,
    data: Reference,
    categories: Reference,
) -> BarChart:
    chart = BarChart()
    chart.type = direction
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    style_chart(chart, title_text, y_title)
    chart.y_axis.number_format = number_format
    return chart


def bar_chart(
    *,
    title_text: str,
    y_title: str,
    number_format: str,
    data: Reference,
    categories: Reference,
) -> BarChart:
    """Vertical bars of one series (titled by the header cell in ``data``), no legend."""
    chart = _bars("col", title_text, y_title, number_format, data, categories)
    chart.legend = None
    return chart


def stacked_bar_chart(
    *,
    title_text: str,
    y_title: str,
    number_format: str,
    data: Reference,
    categories: Reference,
) -> BarChart:
    """Horizontal stacked bars: one bar per category, one segment per series (titled by the
    header row in ``data``). Segments may be negative, so category names sit left of the
    plot rather than at zero."""
    chart = _bars("bar", title_text, y_title, number_format, data, categories)
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.x_axis.tickLblPos = "low"
    chart.gapWidth = 60
    return chart
