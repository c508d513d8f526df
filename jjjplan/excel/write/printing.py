"""Print setup for every sheet jjjplan writes: A4, orientation by the sheet's shape, fit to
the page width, repeating header rows, a header/footer with scenario, sheet, date and page
x/y, and page breaks so that no chart is cut in two.

Why one function at save time: the template, results and comparison writers (and sheets other
modules add later, such as uncertainty or provenance) all pass through
:func:`apply_print_setup` just before the atomic save, so a new sheet is print-ready without
its author thinking about paper. Everything is derived from what the sheet already holds —
its column widths, its frozen header rows and its chart anchors.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.write import styles
from jjjplan.excel.write.sheetio import merge_row

__all__ = [
    "BOOLEAN_FORMAT",
    "apply_print_setup",
    "chart_row_breaks",
    "page_setup",
    "sheet_width_chars",
    "show_booleans",
    "wrap_long_notes",
]

#: Shows a boolean cell as TRUE / FALSE in LibreOffice and WPS too (they otherwise show the
#: stored 1 / 0 under a General format); Excel shows booleans this way regardless.
BOOLEAN_FORMAT = styles.BOOLEAN

#: Column width Excel uses when none is set (characters of the default font).
DEFAULT_COLUMN_WIDTH = 8.43
#: Row height assumed when none is set (points); Excel's default for Calibri 11.
DEFAULT_ROW_HEIGHT = 15.0
#: A4 in points, and the margins below (inches).
A4_POINTS = (595.0, 842.0)
MARGIN_SIDE, MARGIN_TOP_BOTTOM, MARGIN_HEADER = 0.4, 0.75, 0.3
#: Printable width of A4 in default-font characters (~5.25 points each), portrait and
#: landscape, at the margins below.
PORTRAIT_WIDTH_CHARS = 100.0
LANDSCAPE_WIDTH_CHARS = 150.0
#: Wider than this (characters), a sheet prints two pages wide with its frozen label
#: columns repeated, instead of shrinking below 50 %.
TWO_PAGES_WIDE_CHARS = 2.0 * LANDSCAPE_WIDTH_CHARS
#: A note left of the frozen columns wraps within them when they are at least this wide.
MIN_FROZEN_WRAP_CHARS = 60.0
POINTS_PER_CM = 72 / 2.54


def sheet_width_chars(ws: Worksheet, max_column: int | None = None) -> float:
    """Width of the used columns (and of any chart reaching further right), in characters.
    ``max_column`` is ``ws.max_column`` when the caller knows it already (openpyxl scans
    every cell to find it)."""
    last = ws.max_column if max_column is None else max_column
    for chart in getattr(ws, "_charts", []):
        col, _ = _anchor_cell(chart)
        last = max(last, col + _chart_columns(ws, chart, col) - 1)
    return sum(_column_width(ws, c) for c in range(1, last + 1))


def _column_width(ws: Worksheet, col: int) -> float:
    return styles.column_width(ws, col)


def _row_height(ws: Worksheet, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    return dim.height if dim is not None and dim.height else DEFAULT_ROW_HEIGHT


def _anchor_cell(chart) -> tuple[int, int]:
    """(column, row), 1-based, of a chart's top-left cell."""
    anchor = chart.anchor
    if isinstance(anchor, str):
        letters = anchor.rstrip("0123456789")
        return column_index_from_string(letters), int(anchor[len(letters) :])
    marker = anchor._from
    return marker.col + 1, marker.row + 1


def _chart_columns(ws: Worksheet, chart, first: int) -> int:
    """How many columns a chart spans, from its width in cm and the column widths."""
    width_pt = chart.width * POINTS_PER_CM
    used, col = 0.0, first
    while used < width_pt:
        used += _column_width(ws, col) * 7.0
        col += 1
    return col - first


def _frozen(ws: Worksheet) -> tuple[int, int]:
    """(first scrolling column, first scrolling row) of the frozen pane; (1, 1) if none."""
    pane = ws.freeze_panes
    if not pane:
        return 1, 1
    letters = pane.rstrip("0123456789")
    return column_index_from_string(letters), int(pane[len(letters) :])


def _header_rows(ws: Worksheet) -> str | None:
    """Rows to repeat on every printed page: those above the frozen pane, if any."""
    _, row = _frozen(ws)
    return f"1:{row - 1}" if row > 1 else None


def _escape(text: str) -> str:
    """Header/footer text: ``&`` starts a code, so a literal one is doubled."""
    return text.replace("&", "&&")


def page_setup(ws: Worksheet, title: str, *, max_column: int | None = None) -> None:
    """A4, portrait unless the sheet is wider than a portrait page, fit to width, repeated
    header rows, header (title · sheet · print date) and footer (page x / y). Field codes
    (&A sheet, &D date, &P/&N pages) are filled in by Excel, WPS and LibreOffice at print
    time, so the file itself does not change from day to day. ``max_column`` is
    ``ws.max_column`` when the caller knows it."""
    width = sheet_width_chars(ws, max_column)
    landscape = width > PORTRAIT_WIDTH_CHARS
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.page_margins = PageMargins(
        left=MARGIN_SIDE,
        right=MARGIN_SIDE,
        top=MARGIN_TOP_BOTTOM,
        bottom=MARGIN_TOP_BOTTOM,
        header=MARGIN_HEADER,
        footer=MARGIN_HEADER,
    )
    ws.print_options.horizontalCentered = True
    rows = _header_rows(ws)
    if rows:
        ws.print_title_rows = rows
    first_col, _ = _frozen(ws)
    if width > TWO_PAGES_WIDE_CHARS and first_col > 1:
        ws.page_setup.fitToWidth = 2
        ws.print_title_cols = f"A:{get_column_letter(first_col - 1)}"
    ws.oddHeader.left.text = _escape(title)
    ws.oddHeader.left.size = 8
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.center.size = 8
    ws.oddHeader.right.text = "&D"
    ws.oddHeader.right.size = 8
    ws.oddFooter.center.text = "第 &P 页，共 &N 页 / Page &P of &N"
    ws.oddFooter.center.size = 8
    ws.oddFooter.left.text = "jjjplan"
    ws.oddFooter.left.size = 8
    chart_row_breaks(ws)


def _page_height_points(ws: Worksheet) -> float:
    """Printable height of one page at 100 % (a sheet shrunk to fit its width fits more)."""
    short, long = A4_POINTS
    height = short if ws.page_setup.orientation == "landscape" else long
    return height - 2 * MARGIN_TOP_BOTTOM * 72


def chart_row_breaks(ws: Worksheet) -> list[int]:
    """Add a page break above each chart that would otherwise run over a page end; returns
    the rows broken after. Heights are summed at 100 % scale, so this errs towards a break."""
    charts = sorted(getattr(ws, "_charts", []), key=lambda c: _anchor_cell(c)[1])
    if not charts:
        return []
    page = _page_height_points(ws)
    repeated = 0.0
    rows = _header_rows(ws)
    if rows:
        repeated = sum(_row_height(ws, r) for r in range(1, int(rows.split(":")[1]) + 1))
    existing = {b.id for b in ws.row_breaks.brk}
    page_start, breaks = 1, []
    for chart in charts:
        _, top = _anchor_cell(chart)
        offset = sum(_row_height(ws, r) for r in range(page_start, top))
        if page_start > 1:
            offset += repeated
        if offset + chart.height * POINTS_PER_CM > page and top > page_start:
            if top - 1 not in existing:
                ws.row_breaks.append(Break(id=top - 1))
            breaks.append(top - 1)
            page_start = top
    return breaks


def _stored_cells(ws: Worksheet) -> Iterable[Any]:
    """The cells the sheet holds, without creating the empty ones ``iter_rows`` would (one
    per position of the used range; openpyxl keeps its cells in ``_cells``)."""
    return ws._cells.values()


def show_booleans(ws: Worksheet) -> int:
    """Give every boolean cell :data:`BOOLEAN_FORMAT`; returns how many cells."""
    n = 0
    for cell in _stored_cells(ws):
        if isinstance(cell.value, bool):
            if cell.number_format != BOOLEAN_FORMAT:  # sheetio.put already gave it
                cell.number_format = BOOLEAN_FORMAT
            n += 1
    return n


def _last_values(ws: Worksheet) -> list[Any]:
    """Per row that holds a value, in row order: its last (rightmost) cell with a value."""
    last: dict[int, Any] = {}
    for (row, col), cell in ws._cells.items():
        if cell.value is not None and (row not in last or col > last[row].column):
            last[row] = cell
    return [last[row] for row in sorted(last)]


def _table_bounds(ws: Worksheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each Excel Table on the sheet."""
    from openpyxl.utils.cell import range_boundaries

    return [range_boundaries(table.ref) for table in ws.tables.values()]


def _in_table(bounds: list[tuple[int, int, int, int]], row: int, col: int) -> bool:
    return any(c1 <= col <= c2 and r1 <= row <= r2 for c1, r1, c2, r2 in bounds)


def wrap_long_notes(
    ws: Worksheet, max_chars: float | None = None, *, max_column: int | None = None
) -> list[str]:
    """Merge a row's last text, when it spills over empty cells to its right, across the
    printed width and wrap it, so it prints whole instead of being cut at the page edge.
    Inputs (unlocked cells), table cells and rows that already hold merged cells are left
    alone. Returns the merged ranges. ``max_column`` is ``ws.max_column`` when the caller
    knows it (openpyxl scans every cell to find it)."""
    last_col = max(ws.max_column if max_column is None else max_column, 1)
    width_limit = max_chars or max(PORTRAIT_WIDTH_CHARS, sheet_width_chars(ws, last_col))
    first_col, _ = _frozen(ws)
    frozen_width = sum(_column_width(ws, c) for c in range(1, first_col))
    merged_rows = {r for rng in ws.merged_cells.ranges for r in range(rng.min_row, rng.max_row + 1)}
    tables = _table_bounds(ws)
    top_aligned: dict[tuple[tuple[int, ...], bool], Any] = {}
    widths = {c: _column_width(ws, c) for c in range(1, last_col + 1)}
    done = []
    for cell in _last_values(ws):  # the last text of a row is the one that can spill right
        if not isinstance(cell.value, str):
            continue
        if cell.row in merged_rows or _in_table(tables, cell.row, cell.column):
            continue
        if cell.protection is not None and cell.protection.locked is False:
            continue
        need = sum(styles.display_width(line) for line in cell.value.split("\n"))
        if need <= widths[cell.column] * 1.05:
            continue
        # left of frozen columns, stay in them: a note spilling past the pane edge is cut
        narrow = cell.column >= first_col or frozen_width < MIN_FROZEN_WRAP_CHARS
        limit = width_limit if narrow else frozen_width
        span, end = 0.0, cell.column
        for col in range(cell.column, last_col + 1):
            if span + widths[col] > limit:
                break
            span += widths[col]
            end = col
        if end == cell.column and need <= span:
            continue
        # the row's cells as they are before merging (the merge replaces some of them)
        (row,) = (
            ws.iter_rows(min_row=cell.row, max_row=cell.row, max_col=last_col)
            if need > span
            else ((),)
        )
        if end > cell.column:
            merge_row(ws, cell.row, cell.column, end)
            done.append(f"{cell.coordinate}:{get_column_letter(end)}{cell.row}")
        if need > span:  # more than one line: wrap, grow the row, labels to the top
            for other in row:
                _align_top(other, other is cell, top_aligned)
            styles.fit_row_height(ws, cell.row, max_column=last_col)
    return done


def _align_top(cell: Any, wrap: bool, done: dict[tuple[tuple[int, ...], bool], Any]) -> None:
    """Align ``cell`` to the top, wrapping its text if ``wrap`` (or if it wrapped already).

    The new style follows from the old one alone, so it is built once per distinct old
    style and copied to the other cells (an assignment makes openpyxl hash the Alignment
    and search the workbook's list for it: slow across a few thousand cells of a wide row).
    """
    style = cell._style  # None on a cell openpyxl has not styled yet
    key = (tuple(style) if style else (), wrap)
    built = done.get(key)
    if built is not None:
        cell._style = copy(built)
        return
    old = cell.alignment
    cell.alignment = Alignment(
        horizontal=old.horizontal, vertical="top", wrap_text=wrap or old.wrap_text
    )
    done[key] = copy(cell._style)


def apply_print_setup(
    wb: Workbook, title: str, sheets: Iterable[str] = (), *, planner_edits: bool = False
) -> None:
    """Print setup for ``sheets`` (default: every worksheet) of ``wb``.

    ``planner_edits=True`` for a workbook planners edit and jjjplan reads back (the
    template): its notes keep their own layout (merged note rows travel badly when a planner
    inserts rows) and its TRUE/FALSE cells keep Excel's boolean type — with a custom
    TRUE/FALSE number format LibreOffice re-saves a boolean as the number 1, which the reader
    then refuses; LibreOffice shows an unformatted boolean cell as TRUE/FALSE anyway.
    """
    names = list(sheets) or wb.sheetnames
    for name in names:
        ws = wb[name]
        if isinstance(ws, Worksheet):
            last = ws.max_column  # once: neither step below adds a column
            if not planner_edits:
                show_booleans(ws)
                wrap_long_notes(ws, max_column=last)
            page_setup(ws, title, max_column=last)
