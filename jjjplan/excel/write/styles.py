"""Cell styles shared by every workbook jjjplan writes (template, results, comparison).

Why one module: planners learn one visual language across all our files (yellow = edit me,
grey = read-only, blue = header) and a number looks the same wherever it appears. Style
objects are immutable in openpyxl, so the module-level constants can be assigned freely.
"""

from __future__ import annotations

import functools
import math
import unicodedata
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "BAD_FILL",
    "BAD_FONT",
    "BOOLEAN",
    "DECIMAL",
    "GOOD_FILL",
    "GOOD_FONT",
    "HEADER_FILL",
    "HEADER_FONT",
    "INDEX",
    "INPUT_FILL",
    "INTEGER",
    "MONEY",
    "NOTE_FONT",
    "PERCENT",
    "RATIO",
    "READONLY_FILL",
    "SECTION_FILL",
    "TITLE_FONT",
    "apply_once",
    "autofit_columns",
    "built_styles",
    "column_width",
    "display_width",
    "fit_row_height",
    "mark_input",
    "mark_readonly",
    "number_format",
    "number_format_style",
    "set_style",
    "set_widths",
    "style_header",
]

# --- number formats -------------------------------------------------------------------------
PERCENT = "0.0%"
MONEY = "#,##0"  # 亿元, 元/person: whole numbers read best in planning tables
DECIMAL = "#,##0.0"  # 万人
INDEX = "0.0000"  # inequality indices move in the 3rd–4th decimal
RATIO = "0.000"  # per-capita ratios (e.g. Beijing/Hebei ≈ 3.3)
INTEGER = "0"
# Excel shows a boolean cell as TRUE/FALSE whatever its format; LibreOffice sometimes shows
# 1/0 unless the format says otherwise.
BOOLEAN = '"TRUE";"TRUE";"FALSE"'

# --- colours and fonts ----------------------------------------------------------------------
INPUT_FILL = PatternFill("solid", fgColor="FFFF99")  # yellow: the planner edits these
READONLY_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: computed or reference data
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FILL = PatternFill("solid", fgColor="BDD7EE")
# Excel's own "Good"/"Bad" cell-style colours, familiar from conditional formatting.
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
GOOD_FONT = Font(color="006100")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
_THIN = Side(style="thin", color="9BC2E6")
_HEADER_BORDER = Border(bottom=_THIN)
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)


#: Per workbook: style key -> the style array openpyxl built for it on a plain cell.
_BUILT: weakref.WeakKeyDictionary[Any, dict[Hashable, Any]] = weakref.WeakKeyDictionary()


def _built_styles(cell: Any) -> dict[Hashable, Any]:
    """The style arrays already built for the workbook of ``cell``."""
    return built_styles(cell.parent.parent)


def built_styles(book: Any) -> dict[Hashable, Any]:
    """The style arrays already built for ``book`` (a workbook), by key."""
    built = _BUILT.get(book)
    if built is None:
        built = _BUILT[book] = {}
    return built


def apply_once(cell: Any, key: Hashable, build: Callable[[Any], None]) -> None:
    """Style ``cell`` as ``build`` does, building the style once per workbook.

    Why: each style assignment makes openpyxl hash the style object and look it up in the
    workbook's style lists; for thousands of cells that cost more than the writing itself.
    The first plain cell styled under ``key`` keeps the resulting style array; later plain
    cells copy it (openpyxl's own way to copy a style). A cell that already has a style of
    its own is styled by ``build`` directly, so nothing it had is lost.
    """
    if cell.has_style:
        build(cell)
        return
    built = _built_styles(cell)
    style = built.get(key)
    if style is None:
        build(cell)
        built[key] = copy(cell._style)
    else:
        cell._style = copy(style)


def number_format(cell: Any, fmt: str) -> None:
    """Give ``cell`` the number format ``fmt`` (:func:`apply_once`, without building a
    closure per cell: this runs for nearly every number written)."""
    if cell.has_style:
        cell.number_format = fmt
        return
    cell._style = copy(number_format_style(cell.parent, fmt))


def number_format_style(ws: Worksheet, fmt: str) -> Any:
    """The style array of a plain cell of ``ws`` given the number format ``fmt``, built
    once per workbook (on a cell that is not put on the sheet); copy it before use."""
    built = built_styles(ws.parent)
    key = ("number_format", fmt)
    style = built.get(key)
    if style is None:
        probe = Cell(ws)
        probe.number_format = fmt
        style = built[key] = probe._style
    return style


#: Style-array slot of each cell style attribute (openpyxl's ``StyleArray`` field names).
_SLOTS = {"font": "fontId", "fill": "fillId", "border": "borderId", "alignment": "alignmentId"}


def set_style(cell: Any, **parts: Any) -> None:
    """``cell.font = ...`` (fill, border, alignment), with each style object's index in the
    workbook's list looked up once per workbook: openpyxl's own setter hashes the object and
    searches the list on every assignment. The cell ends up with the same style array."""
    built = _built_styles(cell)
    for attr, value in parts.items():
        key = (attr, id(value))
        known = built.get(key)
        if known is None or known[0] is not value:
            collection = getattr(cell.parent.parent, f"_{attr}s")
            known = built[key] = (value, collection.add(value))  # keeps value alive
        if cell._style is None:
            cell._style = StyleArray()
        setattr(cell._style, _SLOTS[attr], known[1])


def _header_style(cell: Any) -> None:
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = _HEADER_ALIGN


def style_header(cells: Iterable[Any]) -> None:
    """Bold, blue-filled, wrapped header cells."""
    for cell in cells:
        apply_once(cell, "header", _header_style)


def mark_input(cell: Any) -> None:
    """Yellow: a value the planner is expected to edit."""
    cell.fill = INPUT_FILL


def mark_readonly(cell: Any) -> None:
    """Grey: a value the planner should read but not edit."""
    cell.fill = READONLY_FILL


def display_width(text: Any) -> float:
    """Approximate Excel column width of ``text``: wide (CJK, full-width) characters count 2."""
    if text is None:
        return 0.0
    return _text_width(str(text))


@functools.lru_cache(maxsize=4096)
def _text_width(text: str) -> float:
    """:func:`display_width` of a string, remembered: headers and notes are measured again
    for every row height and print-width decision."""
    longest = 0.0
    for line in text.split("\n"):
        width = sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in line)
        longest = max(longest, width)
    return longest


def set_widths(ws: Worksheet, widths: Mapping[str | int, float]) -> None:
    """Set column widths by letter (``"A"``) or 1-based index."""
    for col, width in widths.items():
        letter = get_column_letter(col) if isinstance(col, int) else col
        ws.column_dimensions[letter].width = width


def autofit_columns(
    ws: Worksheet,
    *,
    min_row: int = 1,
    min_width: float = 8.0,
    max_width: float = 50.0,
    skip: Iterable[str] = (),
) -> None:
    """Fit each column to its longest value from ``min_row`` down (titles above are skipped,
    so a long title overflowing to the right does not widen column A)."""
    skip = set(skip)
    best: dict[int, float] = {}
    for row in ws.iter_rows(min_row=min_row):
        for cell in row:
            if cell.value is None or cell.column_letter in skip:
                continue
            text = cell.value
            if isinstance(text, float):
                text = f"{text:,.4f}"
            best[cell.column] = max(best.get(cell.column, 0.0), display_width(text))
    for col, width in best.items():
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = min(max(width + 2.0, min_width), max_width)


def column_width(ws: Worksheet, col: int) -> float:
    """Width of a column as Excel shows it (8.43 when never set)."""
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.customWidth else 8.43


def fit_row_height(
    ws: Worksheet, row: int, *, line_height: float = 15.0, max_column: int | None = None
) -> None:
    """Make a row of wrapped header text tall enough for its longest label, at the column
    widths already set (Excel does not grow row heights for files it did not lay out).
    ``max_column`` is ``ws.max_column`` when the caller knows it (openpyxl scans every cell
    to find it)."""
    merged = {r.min_col: r for r in ws.merged_cells.ranges if r.min_row == row}
    lines = 1
    last = ws.max_column if max_column is None else max_column
    (cells,) = ws.iter_rows(min_row=row, max_row=row, max_col=last)
    for cell in cells:
        if cell.value is None:
            continue
        span = merged.get(cell.column)
        cols = range(span.min_col, span.max_col + 1) if span else [cell.column]
        width = sum(column_width(ws, c) for c in cols)
        needed = display_width(cell.value) / max(width - 1.0, 1.0)
        lines = max(lines, math.ceil(needed), str(cell.value).count("\n") + 1)
    ws.row_dimensions[row].height = line_height * lines
