"""Low-level, safe cell writing shared by the results and comparison workbooks.

Why values and not formulas: a workbook written by openpyxl has no cached formula results,
so pandas, ``data_only`` readers and previewers would see empty cells. Every number is
therefore written as a value, checked finite first (openpyxl would turn NaN/inf into an
empty cell without a word), and rounded to the 15 significant digits Excel keeps. Planner
text goes through :func:`~jjjplan.excel.safety.write_text_cell`, so a scenario called
``=HYPERLINK(...)`` stays text. Every writer goes through :func:`put`, so these rules hold
for every cell of both workbooks; the layout helpers (headers, notes, tables, sheet names)
give both workbooks the same look.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

import numpy as np
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.excel.catalogue import bilingual
from jjjplan.excel.safety import write_text_cell
from jjjplan.excel.write import styles

__all__ = [
    "MAX_EXACT_INT",
    "add_delta_colours",
    "add_table",
    "excel_float",
    "group_header",
    "header",
    "merge_row",
    "note",
    "put",
    "put_row",
    "section",
    "sheet_name",
    "title",
]

MAX_EXACT_INT = 2**53
#: Excel's grid: 1,048,576 rows by 16,384 columns (XFD).
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384


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
    Floats, the common case, are checked first and by exact type: this runs for every cell.
    """
    cell = _cell(ws, row, col)
    kind = type(value)
    if kind is float or (kind is not bool and isinstance(value, float | np.floating)):
        _store_float(ws, cell, float(value))
    elif value is None or (kind is str and value == ""):
        cell.value = None
        return cell
    elif kind is str or isinstance(value, str):
        try:
            write_text_cell(cell, value, normalize_newlines=True)
        except ValueError as err:
            raise ValueError(f"{_where(ws, cell)}: {err}") from err
    elif isinstance(value, bool | np.bool_):
        cell.value = bool(value)
        styles.number_format(cell, styles.BOOLEAN)
        return cell
    elif isinstance(value, int | np.integer):
        if abs(int(value)) > MAX_EXACT_INT:
            raise ValueError(
                f"{_where(ws, cell)}: refusing to write {value}: Excel keeps 15 significant "
                "digits, so the integer would change"
            )
        cell._value = int(value)  # as openpyxl's value setter stores an int
        cell.data_type = "n"
    else:
        raise TypeError(f"{_where(ws, cell)}: cannot write {type(value).__name__}")
    if number_format is not None:
        if cell._style is None:  # a new cell: copy the format's prebuilt style array
            cell._style = copy(styles.number_format_style(ws, number_format))
        else:
            styles.number_format(cell, number_format)
    return cell


def _store_float(ws: Worksheet, cell: Cell, number: float) -> None:
    """Store a finite float rounded as :func:`excel_float` does, as openpyxl's value setter
    would (``_value``, type ``"n"``); NaN/inf raise, naming the cell."""
    rounded = float(f"{number:.15g}") if math.isfinite(number) else number
    if not math.isfinite(rounded):
        excel_float(number, _where(ws, cell))  # raises
    cell._value = rounded
    cell.data_type = "n"


def _cell(ws: Worksheet, row: int, col: int) -> Cell:
    """``ws.cell(row, col)`` without its checks and descriptor calls: the cell at that
    position, created (as openpyxl's ``Worksheet._get_cell`` does) when the sheet has none."""
    cell = ws._cells.get((row, col))
    if cell is None:
        if not (0 < row <= MAX_ROW and 0 < col <= MAX_COLUMN):
            raise ValueError(f"{ws.title}: row {row}, column {col} is outside Excel's grid")
        cell = ws._cells[(row, col)] = Cell(ws, row=row, column=col)
        if row > ws._current_row:
            ws._current_row = row
    return cell


def _where(ws: Worksheet, cell: Any) -> str:
    return f"{ws.title}!{cell.coordinate}"


def put_row(
    ws: Worksheet, row: int, col: int, values: Iterable[Any], number_format: str | None = None
) -> None:
    """:func:`put` each value along a row from ``col``. Floats into new cells, the common
    case of a numbers row, copy the format's style array looked up once for the row."""
    style = None if number_format is None else styles.number_format_style(ws, number_format)
    for offset, value in enumerate(values):
        if type(value) is float and style is not None:
            cell = _cell(ws, row, col + offset)
            if cell._style is None:
                _store_float(ws, cell, value)
                cell._style = copy(style)
                continue
        put(ws, row, col + offset, value, number_format)


def header(ws: Worksheet, row: int, col: int, labels: Sequence[Any]) -> None:
    """A styled header row (bold, blue) of bilingual labels."""
    put_row(ws, row, col, labels)
    styles.style_header(ws.cell(row=row, column=col + i) for i in range(len(labels)))


def merge_row(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """``ws.merge_cells`` of one row's columns ``first_col``..``last_col``, the cells ending
    with the very styles openpyxl gives them, built once per workbook and start style.

    Why: openpyxl re-styles every cell of a merged range one by one (the edge borders and
    the start cell's protection, each set hashing the style object and searching the
    workbook's list); a row merge's outcome depends only on the start cell's style and the
    range's width (1, 2 or more), so the first merge of each kind is openpyxl's own and the
    others copy its result. A range whose last cell exists already (openpyxl then moves that
    cell's right and bottom border to the start) is merged by openpyxl itself."""
    ref = f"{get_column_letter(first_col)}{row}:{get_column_letter(last_col)}{row}"
    if last_col <= first_col or (row, last_col) in ws._cells:
        ws.merge_cells(ref)
        return
    start = ws._cells.get((row, first_col))
    shape = min(last_col - first_col + 1, 3)  # start + last, plus middles when 3 or more
    key = ("merged row", tuple(start._style) if start is not None and start._style else (), shape)
    built = styles.built_styles(ws.parent)
    outcome = built.get(key)
    if outcome is None:
        ws.merge_cells(ref)
        middle = ws._cells[(row, first_col + 1)] if shape == 3 else None
        built[key] = tuple(
            copy(c._style) if c is not None else None
            for c in (ws._cells[(row, first_col)], middle, ws._cells[(row, last_col)])
        )
        return
    first, middle, last = outcome
    mcr = MergedCellRange(ws, ref)  # creates the start cell if need be, as openpyxl does
    ws.merged_cells.add(mcr)
    mcr.start_cell._style = copy(first)
    for col in range(first_col + 1, last_col + 1):
        cell = ws._cells[(row, col)] = MergedCell(ws, row, col)
        cell._style = copy(last if col == last_col else middle)


_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)


def group_header(ws: Worksheet, row: int, col: int, width: int, value: Any) -> None:
    """A header spanning ``width`` columns (merged, centred) above a row of sub-headers."""
    cell = put(ws, row, col, value)
    if width > 1:
        merge_row(ws, row, col, col + width - 1)
    styles.style_header([cell])
    styles.set_style(cell, alignment=_CENTRED)


def title(ws: Worksheet, text: str, row: int = 1) -> None:
    """The sheet's title line (large bold) in column A."""
    styles.set_style(put(ws, row, 1, text), font=styles.TITLE_FONT)


def note(ws: Worksheet, row: int, text: str, col: int = 1) -> None:
    """An explanatory note (small grey text)."""
    styles.set_style(put(ws, row, col, text), font=styles.NOTE_FONT)


def section(ws: Worksheet, row: int, text: str, width: int) -> None:
    """A section heading: bold text and a fill band ``width`` columns wide."""
    styles.set_style(put(ws, row, 1, text), font=styles.HEADER_FONT)
    for col in range(1, width + 1):
        styles.set_style(_cell(ws, row, col), fill=styles.SECTION_FILL)


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
