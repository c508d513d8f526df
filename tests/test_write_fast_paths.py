"""The writers' shortcuts past openpyxl's per-cell setters leave every cell exactly as the
setters would: same value, type and style array (style indices compared within one
workbook, where they mean the same style), same merged cells, same chart XML. Each test does
the long way and the short way side by side and compares them."""

from __future__ import annotations

from xml.etree.ElementTree import tostring

import numpy as np
import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from jjjplan.excel.safety import write_text_cell
from jjjplan.excel.write import charts, styles
from jjjplan.excel.write.sheetio import merge_row, put, put_row

VALUES = [
    0.1 + 0.2,  # rounded to 15 significant digits on both ways
    np.float64(1234.5678901234567),
    -0.0,
    7,
    np.int64(-42),
    "北京 Beijing",
    "=SUM(A1)",  # text, never a formula
    "#N/A",  # text, never an error
    "-3",
    "line one\nline two",
]
FORMATS = [None, styles.MONEY, styles.PERCENT]


def _the_long_way(cell, value, fmt) -> None:
    """What put() did before its shortcuts: openpyxl's own setters."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(("=", "-")) or value == "#N/A":
            cell.quotePrefix = True
    elif isinstance(value, float | np.floating):
        cell.value = float(f"{float(value):.15g}")
    else:
        cell.value = int(value)
    if fmt is not None:
        cell.number_format = fmt


def _state(cell) -> tuple:
    return (type(cell), cell.value, cell.data_type, tuple(cell._style or (0,) * 9))


@pytest.mark.parametrize("styled_first", [False, True])
def test_put_leaves_each_cell_as_openpyxls_setters_would(styled_first: bool) -> None:
    wb = openpyxl.Workbook()
    short, long = wb.active, wb.create_sheet("long")
    for row, value in enumerate(VALUES, start=1):
        for col, fmt in enumerate(FORMATS, start=1):
            for ws in (short, long):
                if styled_first:  # a cell that has a style of its own keeps it
                    ws.cell(row, col).font = styles.HEADER_FONT
            put(short, row, col, value, fmt)
            _the_long_way(long.cell(row, col), value, fmt)
            assert _state(short.cell(row, col)) == _state(long.cell(row, col)), (value, fmt)
    assert short._current_row == long._current_row == len(VALUES)


def test_put_row_matches_put_cell_by_cell() -> None:
    wb = openpyxl.Workbook()
    a, b = wb.active, wb.create_sheet("b")
    values = [1.5, 2, "x", None, np.float64(3.25), True, 1e300]
    a.cell(1, 3).fill = styles.SECTION_FILL  # one cell styled beforehand
    b.cell(1, 3).fill = styles.SECTION_FILL
    put_row(a, 1, 1, values, styles.DECIMAL)
    for offset, value in enumerate(values):
        put(b, 1, 1 + offset, value, styles.DECIMAL)
    assert [_state(c) for c in a[1]] == [_state(c) for c in b[1]]


def test_put_refuses_nan_and_names_the_cell() -> None:
    ws = openpyxl.Workbook().active
    ws.title = "S"
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"S!B3"):
            put(ws, 3, 2, bad, styles.MONEY)
        with pytest.raises(ValueError, match=r"S!C4"):
            put_row(ws, 4, 3, [bad], styles.MONEY)


def test_put_refuses_a_position_outside_the_grid() -> None:
    ws = openpyxl.Workbook().active
    with pytest.raises(ValueError, match="outside Excel's grid"):
        put(ws, 0, 1, 1.0)
    with pytest.raises(ValueError, match="outside Excel's grid"):
        put(ws, 1_048_577, 1, 1.0)


def test_write_text_cell_on_a_plain_cell_matches_the_value_setter() -> None:
    ws = openpyxl.Workbook().active
    for value in ("=1+1", "#DIV/0!", "plain", "@x"):
        cell = ws.cell(1, 1)
        write_text_cell(cell, value)
        assert (cell.value, cell.data_type) == (value, "s")
        assert cell.quotePrefix == (value != "plain")


def test_set_style_gives_the_setters_style_array() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    parts = {
        "font": Font(bold=True, color="FF0000"),
        "fill": PatternFill("solid", fgColor="00FF00"),
        "border": Border(bottom=Side(style="thin")),
        "alignment": Alignment(wrap_text=True),
    }
    for row in (1, 2):  # the second time from the cache
        fast, slow = ws.cell(row, 1), ws.cell(row, 2)
        put(ws, row, 1, 1.0, styles.MONEY)
        put(ws, row, 2, 1.0, styles.MONEY)
        styles.set_style(fast, **parts)
        for name, value in parts.items():
            setattr(slow, name, value)
        assert tuple(fast._style) == tuple(slow._style)
    blank = ws.cell(5, 5)
    styles.set_style(blank, font=styles.NOTE_FONT)
    assert blank.font.i and blank.number_format == "General"


def _merge_both(width: int, start_style: dict, last_exists: bool = False) -> None:
    wb = openpyxl.Workbook()
    fast, slow = wb.active, wb.create_sheet("slow")
    for row in (1, 2, 3):  # the first merge is openpyxl's own; later ones use the cache
        for ws in (fast, slow):
            cell = ws.cell(row, 2, "label")
            for name, value in start_style.items():
                setattr(cell, name, value)
            ws.cell(row, 3).value = None  # a middle cell that exists (replaced on merging)
            if last_exists:
                ws.cell(row, 1 + width).border = Border(right=Side(style="thick"))
        merge_row(fast, row, 2, 1 + width)
        slow.merge_cells(start_row=row, start_column=2, end_row=row, end_column=1 + width)
    assert {str(r) for r in fast.merged_cells.ranges} == {str(r) for r in slow.merged_cells.ranges}
    for row in (1, 2, 3):
        for col in range(1, 3 + width):
            a, b = fast._cells.get((row, col)), slow._cells.get((row, col))
            assert (a is None) == (b is None), (row, col)
            if a is not None:
                assert _state(a) == _state(b), (row, col)
    assert isinstance(fast._cells[(3, 1 + width)], MergedCell)


@pytest.mark.parametrize("width", [2, 3, 6])
@pytest.mark.parametrize(
    "start_style",
    [
        {},
        {"font": styles.NOTE_FONT},
        {"border": Border(bottom=Side(style="thin")), "fill": styles.HEADER_FILL},
        {"protection": Protection(locked=False)},
    ],
    ids=["plain", "note", "header", "unlocked"],
)
def test_merge_row_leaves_the_cells_of_openpyxls_merge(width: int, start_style: dict) -> None:
    _merge_both(width, start_style)


def test_merge_row_with_an_existing_last_cell_is_openpyxls_merge() -> None:
    _merge_both(3, {"font": styles.HEADER_FONT}, last_exists=True)


def test_line_chart_series_serialise_as_add_data_would() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "泰尔 Theil's"  # a name that needs quoting in references
    ws.append(["year", "a", "b", "c"])
    for year in range(2020, 2036):
        ws.append([year, year * 0.5, year * 0.25, -1.0])
    years = Reference(ws, min_col=1, min_row=2, max_row=17)
    data = Reference(ws, min_col=2, max_col=4, min_row=1, max_row=17)
    ours = charts.line_chart(
        title_text="t", y_title="y", number_format="0.0", years=years, data=data
    )
    theirs = LineChart()
    theirs.add_data(data, titles_from_data=True)
    theirs.set_categories(years)
    charts.style_chart(theirs, "t", "y", ours.x_axis.title.tx.rich.p[0].r[0].t)
    theirs.y_axis.number_format = "0.0"
    theirs.y_axis.scaling.min, theirs.y_axis.scaling.max = charts.axis_bounds(data)
    for series in theirs.series:
        series.smooth = False
        series.marker.symbol = "none"
    assert tostring(ours._write()) == tostring(theirs._write())


def test_axis_bounds_read_the_numbers_under_the_titles() -> None:
    ws = openpyxl.Workbook().active
    ws.append(["t1", "t2"])
    ws.append([0.031, "n/a"])
    ws.append([0.034, 0.036])
    ref = Reference(ws, min_col=1, max_col=2, min_row=1, max_row=4)  # row 4 empty
    assert charts.axis_bounds(ref) == (0.03, 0.037)
    assert (4, 1) not in ws._cells  # reading created no cell
