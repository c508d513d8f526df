"""What one read of a workbook has found so far, and how a single input cell is read into it.

Why a module of its own: every step of reading — defined names, each kind of Table, the final
Scenario check — records into the same place: the parsed value of each Scenario field, the
sheet and cell it came from, the errors and notices, and which fields already failed (so a
later check does not repeat the problem). :meth:`Findings.get` is the one path from a cell to
a value: merged cells, Excel errors, over-long text, blanks and formulas without a saved
result are handled here, then the value is parsed by :mod:`jjjplan.excel.read.cellvalues`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.errors import Issue
from jjjplan.excel import layout as L
from jjjplan.excel.catalogue import Where, make_issue
from jjjplan.excel.guard.preflight import SheetInfo
from jjjplan.excel.read.cellvalues import BadValue, Note, check_text_length

__all__ = ["Cell", "Findings", "Parser", "cell_at"]

#: A parser of :mod:`jjjplan.excel.read.cellvalues`: cell value -> (parsed value, note).
Parser = Callable[[Any], tuple[Any, Note]]


_PLAIN_COORD = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")


@lru_cache(maxsize=1 << 16)
def _row_col(coord: str) -> tuple[int, int] | None:
    return coordinate_to_tuple(coord) if _PLAIN_COORD.match(coord) else None


def cell_at(ws: Worksheet, coord: str) -> Any:
    """``ws[coord]`` for one cell (the same cell, created when absent), with the reference
    parsed once per coordinate instead of on every look-up: a read looks up about a
    thousand cells, and openpyxl's parse of the reference was a quarter of its time."""
    row_col = _row_col(coord)
    return ws[coord] if row_col is None else ws.cell(*row_col)


@dataclass(frozen=True)
class Cell:
    """One cell of a loaded worksheet, by coordinate (e.g. ``"C7"``)."""

    ws: Worksheet
    coord: str

    @property
    def where(self) -> tuple[str, str]:
        return self.ws.title, self.coord

    @property
    def value(self) -> Any:
        return cell_at(self.ws, self.coord).value


class Findings:
    """Values, their cells, errors and notices of one read of the workbook at ``path``.

    ``sheets`` are the pre-flight's findings per sheet: which cells hold formulas (the
    workbook is parsed for the saved results, which hide the formulas)."""

    def __init__(self, path: Path, sheets: Iterable[SheetInfo]) -> None:
        self.path, self.book = path, path.name
        self.issues: list[Issue] = []
        self.notices: list[Issue] = []
        self.values: dict[str, Any] = {}
        self.cells: dict[str, tuple[str, str]] = {}
        self.failed: set[str] = set()
        self.merged: set[tuple[str, str]] = set()  # cells covered by a reported merge
        self._formulas = {s.name: s.formula_cells for s in sheets if s.formula_cells}
        self._external = {s.name: s.external_cells for s in sheets if s.external_cells}
        self._sheet_notes: set[tuple[str, str]] = set()  # (code, sheet) already reported

    # -- reporting --------------------------------------------------------------------------
    def issue(
        self,
        where: Where,
        field: str | None,
        code: str,
        expected: str = "",
        found: Any = "",
        notice: bool = False,
        **kw: Any,
    ) -> Issue:
        """The Issue for message ``code`` in this workbook (not recorded)."""
        return make_issue(self.book, where, field, code, expected, found, notice, **kw)

    def error(
        self,
        where: Where,
        field: str | None,
        code: str,
        expected: str = "",
        found: Any = "",
        **kw: Any,
    ) -> None:
        """Record an error; ``field`` then counts as failed (see :attr:`failed`)."""
        self.issues.append(self.issue(where, field, code, expected, found, **kw))
        if field:
            self.failed.add(field)

    def once(self, code: str, sheet: str) -> bool:
        """True the first time ``code`` is reported for ``sheet``."""
        if (code, sheet) in self._sheet_notes:
            return False
        self._sheet_notes.add((code, sheet))
        return True

    def notice(self, where: Where, field: str | None, code: str, **kw: Any) -> None:
        """Record a notice (message ``code`` of ``NOTES``)."""
        self.notices.append(self.issue(where, field, code, notice=True, **kw))

    # -- cells ------------------------------------------------------------------------------
    def is_formula(self, sheet: str, coord: str) -> bool:
        """Whether the cell holds a formula (``data_only`` shows only its saved result)."""
        return coord in self._formulas.get(sheet, ())

    def refers_elsewhere(self, sheet: str, coord: str) -> bool:
        """Whether the cell's formula refers to another workbook (``[1]Sheet!A1``)."""
        return coord in self._external.get(sheet, ())

    @property
    def has_formulas(self) -> bool:
        """Whether any sheet of the workbook holds a formula."""
        return bool(self._formulas)

    def read_cells(self) -> dict[tuple[str, str], str]:
        """Every single cell a value was read from → its field."""
        out = {}
        for field, (sheet, cell) in self.cells.items():
            if cell and ":" not in cell:
                out[(sheet, cell)] = field
        return out

    def get(self, cell: Cell, field: str, parse: Parser, blank_ok: bool = False) -> Any:
        """Parse one cell for ``field``, remember where it came from, report any problem."""
        self.cells[field] = cell.where
        if cell.where in self.merged:  # reported once for the whole merged range
            self.failed.add(field)
            return None
        raw = cell_at(cell.ws, cell.coord)
        if raw.data_type == "e":
            return self.error(cell.where, field, "excel_error", "一个值 a value", raw.value)
        try:
            check_text_length(raw.value)
            if raw.value is None or (isinstance(raw.value, str) and not L.clean_text(raw.value)):
                if self.is_formula(*cell.where):  # a result that was never saved
                    self.error(cell.where, field, "no_cache", "公式结果 formula result", "无 none")
                elif not blank_ok:
                    self.error(cell.where, field, "empty", "一个值 a value", "空 empty")
                return None
            parsed, note = parse(raw.value)
        except BadValue as bad:
            return self.error(cell.where, field, bad.code, bad.expected, bad.found, **bad.kw)
        if note:
            self.notice(cell.where, field, note[0], **note[1])
        return parsed

    def put(self, cell: Cell, field: str, parse: Parser, blank_ok: bool = False) -> None:
        """:meth:`get`, keeping the value for the Scenario when there is one."""
        value = self.get(cell, field, parse, blank_ok)
        if value is not None:
            self.values[field] = value
