"""The pre-flight's sheet scan, also keeping each cell's stored text for the reader.

Why: the pre-flight already streams every byte of every worksheet; keeping the cells it
passes over spares the reader a second pass over the same XML (with openpyxl's ElementTree
parse that pass was two thirds of reading a template-sized workbook). Only the raw stored
text is kept here (attributes, the first ``<v>``, the ``<t>`` of an inline string): turning
it into values is the reader's job (:mod:`jjjplan.excel.read.sheetcells`, openpyxl's own
cell rules), so the guard still depends on nothing later.

Only the plain shape is kept: ``<sheetData>`` holding ``<row>``s of ``<c>``s, each with
``<v>``, ``<f>`` or an ``<is>`` holding one ``<t>``, in a part without comments, CDATA or
processing instructions (so that a byte search can take the cells out again exactly, see
:func:`jjjplan.excel.read.sheetcells.without_cells`). Anything else, or more than
:data:`MAX_CAPTURED_CELLS` cells in the workbook, drops the capture for that sheet and the
reader reads it itself.
"""

from __future__ import annotations

from jjjplan.excel.guard.limits import Limits
from jjjplan.excel.guard.xmlscan import CELL as _C
from jjjplan.excel.guard.xmlscan import FORMULA as _F
from jjjplan.excel.guard.xmlscan import INLINE as _IS
from jjjplan.excel.guard.xmlscan import ROW as _ROW
from jjjplan.excel.guard.xmlscan import SHEET_DATA as _SHEET_DATA
from jjjplan.excel.guard.xmlscan import TEXT as _T
from jjjplan.excel.guard.xmlscan import VALUE as _V
from jjjplan.excel.guard.xmlscan import SheetScan

__all__ = ["MAX_CAPTURED_CELLS", "CapturedCell", "CellCapture"]

#: Cells kept per workbook; beyond it the reader reads the remaining sheets itself, so the
#: memory kept stays small whatever the file (a template holds about 2,500).
MAX_CAPTURED_CELLS = 100_000


#: One kept cell: which ``<row>`` of the sheet it is in (0, 1, …), the row counter as
#: openpyxl's parser has it there (the row's number, or the previous one plus one), the
#: cell's attributes, the text of its first ``<v>`` (None without one) and the text of its
#: inline string (None without ``<is>``, "" for an ``<is>`` without ``<t>``).
CapturedCell = tuple[int, int, dict[str, str], str | None, str | None]


class _Dropped(Exception):
    """The sheet is not in the plain shape: stop keeping its cells."""


class CellCapture(SheetScan):
    """:class:`SheetScan` (every check unchanged) that also keeps the sheet's cells.

    ``budget`` is how many cells may still be kept in this workbook. After the scan,
    :attr:`kept` is the list of kept cells, or None when the sheet is not in the plain
    shape or holds more cells than the budget."""

    def __init__(self, limits: Limits, cells_before: int, budget: int) -> None:
        super().__init__(limits, cells_before)
        self.budget = budget
        self.kept: list[CapturedCell] | None = []
        self.depth = 0
        self.data_depth = 0  # depth of <sheetData> while inside it
        self.seen_data = False
        self.row_counter = 0
        self.row_index = -1
        self.attrs: dict[str, str] | None = None  # the open cell's
        self.v: str | None = None
        self.inline: str | None = None
        self.t_count = 0
        self.text: list[str] | None = None  # text of the open <v> or <t>
        self.in_formula = False

    # expat handlers ----------------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)  # the checks; may stop the parse (a limit)
        self.depth += 1
        if self.kept is None:
            return
        try:
            self._start(name, attrs)
        except _Dropped:
            self.kept = None

    def end(self, name: str) -> None:
        level = self.depth - self.data_depth if self.data_depth else -1
        self.depth -= 1
        if self.kept is None or level < 0:
            return
        if level == 3:
            if name == _V and self.text is not None:
                self.v, self.text = "".join(self.text), None
            elif name == _F:
                self.in_formula = False
        elif level == 4 and self.text is not None:  # </t>
            self.inline, self.text = "".join(self.text), None
        elif level == 2:  # </c>
            cell = (self.row_index, self.row_counter, self.attrs, self.v, self.inline)
            self.kept.append(cell)  # type: ignore[arg-type]
            if len(self.kept) > self.budget:
                self.kept = None
            self.attrs = None
        elif level == 0:  # </sheetData>
            self.data_depth = 0

    def chars(self, data: str) -> None:
        super().chars(data)
        if self.text is not None:
            self.text.append(data)
        elif self.attrs is not None and not self.in_formula and data.strip():
            self.kept = None  # text between the elements of a cell

    def comment(self, _data: str) -> None:
        self.kept = None  # a byte search could meet markup inside it

    def cdata(self) -> None:
        self.kept = None

    def instruction(self, _target: str, _data: str) -> None:
        self.kept = None

    # the plain shape ---------------------------------------------------------------------
    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if not self.data_depth:
            if name == _SHEET_DATA and self.depth == 2 and not self.seen_data:
                self.data_depth, self.seen_data = self.depth, True
            elif name in (_ROW, _SHEET_DATA):  # openpyxl reads rows wherever they are
                raise _Dropped
            return
        level = self.depth - self.data_depth
        if level == 2 and name == _C:
            self.attrs, self.v, self.inline, self.t_count = attrs, None, None, 0
        elif level == 3 and name == _V:
            if self.v is None and self.text is None:
                self.text = []
            else:  # a second <v>
                raise _Dropped
        elif level == 1 and name == _ROW:
            self._row(attrs)
        elif level == 3 and name == _F:
            self.in_formula = True
        elif level == 3 and name == _IS and self.inline is None:
            self.inline = ""
        elif level == 4 and name == _T and self.inline == "" and not self.t_count:
            self.t_count, self.text = 1, []
        else:  # rich text, phonetic runs, extensions, a second <is> or <t> …
            raise _Dropped

    def _row(self, attrs: dict[str, str]) -> None:
        """The row counter as openpyxl's ``WorkSheetParser.parse_row`` sets it."""
        self.row_index += 1
        r = attrs.get("r")
        if r is None:
            self.row_counter += 1
            return
        try:
            self.row_counter = int(r)
        except ValueError:
            raise _Dropped from None  # "2.0" and worse: openpyxl's own parse decides
