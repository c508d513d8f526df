"""Native Excel charts for the results and comparison workbooks, with one shared look.

Charts are native (not images) so they stay live in Excel and LibreOffice and a planner can
restyle them. openpyxl 3.1 hides chart axes by default; :func:`style_chart` turns them back
on and gives every chart the same title, size and legend position. :func:`put_by_year`
writes the year × series block that a year line chart plots.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import word
from jjjplan.excel.write.sheetio import put

__all__ = ["bar_chart", "line_chart", "put_by_year", "stacked_bar_chart", "style_chart"]


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
    ws: Worksheet, first_row: int, years: Sequence[int], columns: Sequence[tuple[pd.Series, str]]
) -> int:
    """Years down column A from ``first_row``, then one column per (series by year, number
    format) from column B: the block a year line chart plots. Returns the last row."""
    for i, year in enumerate(years, start=first_row):
        put(ws, i, 1, year)
        for j, (series, fmt) in enumerate(columns, start=2):
            put(ws, i, j, float(series.loc[year]), fmt)
    return first_row + len(years) - 1


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
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(years)
    style_chart(chart, title_text, y_title, word("year"))
    chart.y_axis.number_format = number_format
    for series in chart.series:
        series.smooth = False
        series.marker.symbol = "none"
    return chart


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
