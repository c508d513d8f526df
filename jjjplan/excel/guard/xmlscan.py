"""What the pre-flight reads out of workbook XML: the expat handlers and their verdicts.

Why: each scanner is the ``handler`` of :func:`~jjjplan.excel.guard.xmlstream.consume_part` for
one kind of part ([Content_Types].xml and .rels, workbook.xml, worksheets, shared strings)
and stops the stream as soon as a limit is passed, so counts stay bounded however large the
part. :class:`SheetScan` finds a sheet's real extent (a single stray cell at ``XFD1048576``
must not make every engine iterate 17 billion cells) and :func:`sheet_issues` compares it
with the limits and with the ``<dimension>`` the file claims.
"""

from __future__ import annotations

import re

from jjjplan.excel.catalogue import MESSAGES
from jjjplan.excel.guard.cellgrammar import cell_count, is_stored_index, is_stored_number
from jjjplan.excel.guard.emptyrows import EmptyRowCompactor
from jjjplan.excel.guard.limits import EXCEL_MAX_COLS, EXCEL_MAX_ROWS, Limits
from jjjplan.excel.guard.package import DEFAULT_WORKBOOK
from jjjplan.excel.guard.rejection import CheckContext
from jjjplan.excel.guard.xmlstream import StopParsing, split_name

__all__ = [
    "EXTERNAL_REF",
    "MAIN_NS",
    "X14_NS",
    "AttrScan",
    "SharedStringsScan",
    "SheetScan",
    "WorkbookScan",
    "sheet_issues",
]

MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict" OOXML
)

#: Names of the sheet-data elements as expat reports them with ``namespace_separator="}"``
#: ("namespace}local"), for the two passes that follow a sheet's cells (the pre-flight's
#: capture and the reader's own pass).
SHEET_DATA, ROW, CELL, VALUE, FORMULA, INLINE, TEXT = (
    f"{MAIN_NS[0]}}}{local}" for local in ("sheetData", "row", "c", "v", "f", "is", "t")
)
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
# extLst <ext uri=...> whose content is counted element by element (x14 namespace)
_COUNTED_EXT_URIS = {
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}",  # sparkline groups
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}",  # x14 data validations
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}",  # x14 conditional formatting (data bars...)
}
_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
#: A formula that refers to another workbook: ``[1]Sheet!A1`` (the index of an external link).
EXTERNAL_REF = re.compile(r"\[\d+\]")


def _col_letters(col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _col_index(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


_COL_CACHE = {_col_letters(i): i for i in range(1, 1001)}  # columns A..ALL


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """``"B7"`` → (row 7, col 2); None if not a cell reference."""
    m = _CELL_RE.match(ref)
    if not m:
        return None
    return int(m.group(2)), _col_index(m.group(1))


def _in_grid(row: int, col: int) -> bool:
    return 1 <= row <= EXCEL_MAX_ROWS and 1 <= col <= EXCEL_MAX_COLS


class AttrScan:
    """Collect the attributes of elements with the given local names, at most ``cap`` of them.

    Used for [Content_Types].xml and .rels parts, whose entries are bounded by the number of
    parts; the cap keeps a crafted 100 MiB manifest from becoming gigabytes of dicts.
    """

    def __init__(self, cap: int, *locals_: str) -> None:
        self.cap = cap
        self.wanted = set(locals_)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.over = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = split_name(name)[1]
        if local in self.wanted:
            if len(self.found) >= self.cap:
                self.over = True
                raise StopParsing
            self.found.append((local, attrs))


class WorkbookScan:
    """workbook.xml: the sheets (name, state, relationship id), defined names, extensions."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.sheets: list[tuple[str, str, str | None]] = []  # name, state, r:id
        self.defined_names = 0
        self.extensions = 0
        self.part = DEFAULT_WORKBOOK
        self.over: str | None = None
        self.strict = False  # ISO/IEC 29500 Strict: openpyxl finds no sheets in it

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = split_name(name)
        if local == "workbook" and (ns == MAIN_NS[1] or attrs.get("conformance") == "strict"):
            self.strict = True
        if ns in MAIN_NS and local == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith("}id")), None)
            self.sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            if len(self.sheets) > self.limits.max_sheets:
                self.over = "sheets"
                raise StopParsing
        elif ns in MAIN_NS and local == "definedName":
            self.defined_names += 1
            if self.defined_names > self.limits.max_defined_names:
                self.over = "names"
                raise StopParsing
        elif local == "ext":
            self.extensions += 1


_C_NAMES = frozenset(f"{ns}}}c" for ns in MAIN_NS)
_V_NAMES = frozenset(f"{ns}}}v" for ns in MAIN_NS)
_SPAN_NAMES = {f"{ns}}}{local}": local for ns in MAIN_NS for local in ("hyperlink", "mergeCell")}
_ROW_NAMES = frozenset(f"{ns}}}row" for ns in MAIN_NS)
_F_NAMES = frozenset(f"{ns}}}f" for ns in MAIN_NS)
_DIM_NAMES = frozenset(f"{ns}}}dimension" for ns in MAIN_NS)
_EXT_NAMES = frozenset(f"{ns}}}ext" for ns in MAIN_NS)


class SheetScan:
    """Stream a worksheet: claimed dimension, real extent, cell counts, lossy extensions,
    and which cells hold a formula (and which of those refer to another workbook).

    Why formulas here: openpyxl shows either the saved results (``data_only``) or the
    formulas, never both, and the reader needs both; collecting the formula cells in this
    pass, which reads every byte anyway, spares the reader a second openpyxl load.
    This runs once per ``<c>`` element, so the hot path avoids calls and regexes.
    """

    def __init__(self, limits: Limits, cells_before: int) -> None:
        self.limits = limits
        self.cell_budget = min(limits.max_cells_per_sheet, limits.max_total_cells - cells_before)
        self.over_is_total = limits.max_total_cells - cells_before < limits.max_cells_per_sheet
        self.row_limit = limits.max_rows
        self.col_limit = limits.max_cols
        self.dimension: str | None = None
        self.row = 0
        self.col = 0
        self.row_has_cells = True  # no open row yet
        self.cells = 0
        self.rows = 0
        self.formulas = 0
        self.min_row = self.min_col = EXCEL_MAX_ROWS + 1
        self.max_row = self.max_col = 0
        self.far: list[str] = []
        self.far_empty_row = 0
        self.bad_ref: str | None = None
        self.over: str | None = None
        self.sparklines = 0
        self.x14_validations = 0
        self.x14_conditional = 0
        self.other_ext = 0
        # formatted rows without cells are compacted before expat sees them (cost), and the
        # number of row elements is bounded at C speed
        self.transform = EmptyRowCompactor(max_rows=limits.max_rows)
        # stored values, checked against Excel's grammar (not Python's int()/float())
        self.cell_ref = ""
        self.cell_type: str | None = None
        self.value: list[str] | None = None  # text of the open <v>
        self.bad_numbers: list[tuple[str, str]] = []  # (cell, stored text)
        self.bad_indices: list[tuple[str, str]] = []
        self.max_index = -1
        self.max_index_cell = ""
        # hyperlinks and merges: openpyxl builds one object per cell they cover
        self.spans: list[tuple[str, str, int]] = []  # (kind, ref, cells)
        self.span_cells = 0
        # formula cells (as openpyxl names them, e.g. "C7"); external: those whose formula,
        # or the shared formula they follow, names another workbook ("[1]Sheet!A1")
        self.cell_row = 0
        self.formula_cells: set[str] = set()
        self.external_cells: set[str] = set()
        self.formula: list[str] | None = None  # text of the open <f>
        self.formula_at = ""
        self.formula_si: str | None = None  # shared-formula index of the open master
        self.shared_external: dict[str, bool] = {}  # si -> master names another workbook

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.value is not None:
            self._close_value()
        if self.formula is not None:
            self._close_formula()
        if name in _C_NAMES:
            self._cell(attrs.get("r"))
            self.cell_type = attrs.get("t")
        elif name in _V_NAMES:
            self.value = []
        elif name in _ROW_NAMES:
            self._close_row()
            r = attrs.get("r")
            if r is None:
                self.row += 1
            elif r.isdigit() and 1 <= int(r) <= EXCEL_MAX_ROWS:
                self.row = int(r)
            else:
                self.bad_ref = f"row {r}"
                raise StopParsing
            self.col = 0
            self.row_has_cells = False
        elif name in _F_NAMES:
            self.formulas += 1
            self._open_formula(attrs)
        elif name in _DIM_NAMES:
            if self.dimension is None:
                self.dimension = attrs.get("ref", "")
        elif name in _SPAN_NAMES:
            self._span(_SPAN_NAMES[name], attrs.get("ref", ""))
        elif name in _EXT_NAMES:
            if attrs.get("uri", "") not in _COUNTED_EXT_URIS:
                self.other_ext += 1
        elif name.startswith(X14_NS):
            local = split_name(name)[1]
            if local == "sparkline":
                self.sparklines += 1
            elif local == "dataValidation":
                self.x14_validations += 1
            elif local == "conditionalFormatting":
                self.x14_conditional += 1

    def chars(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)
        elif self.formula is not None:
            self.formula.append(data)

    def _open_formula(self, attrs: dict[str, str]) -> None:
        """A ``<f>``: its cell holds a formula. A shared formula's followers have no text
        of their own; openpyxl translates the master's, which keeps its workbook index."""
        at = f"{_col_letters(self.col)}{self.cell_row}"
        self.formula_cells.add(at)
        si = attrs.get("si") if attrs.get("t") == "shared" else None
        if si is not None and si in self.shared_external:  # a follower: its text is ignored
            if self.shared_external[si]:
                self.external_cells.add(at)
            at, si = "", None
        self.formula, self.formula_at, self.formula_si = [], at, si

    def _close_formula(self) -> None:
        text = "".join(self.formula or ())
        self.formula = None
        if not self.formula_at:
            return
        external = bool(text) and EXTERNAL_REF.search(text) is not None
        if external:
            self.external_cells.add(self.formula_at)
        if self.formula_si is not None and text:
            self.shared_external[self.formula_si] = external

    def _close_value(self) -> None:
        """Check the stored text of the <v> just read (numbers and shared-string indices)."""
        text = "".join(self.value or ())
        self.value = None
        kind = self.cell_type
        if not text:  # <v/>: no stored value (openpyxl reads None, e.g. an uncached formula)
            return
        if kind is None or kind == "n":
            if not is_stored_number(text) and len(self.bad_numbers) < 10:
                self.bad_numbers.append((self.cell_ref, text))
        elif kind == "s":
            if not is_stored_index(text):
                if len(self.bad_indices) < 10:
                    self.bad_indices.append((self.cell_ref, text))
            elif int(text) > self.max_index:
                self.max_index, self.max_index_cell = int(text), self.cell_ref

    def _span(self, kind: str, ref: str) -> None:
        cells = cell_count(ref)
        if cells is None:  # unreadable: openpyxl reports it, at no cost
            return
        self.span_cells += cells
        if cells > 1 and len(self.spans) < 5:
            self.spans.append((kind, ref, cells))
        if self.span_cells > self.limits.max_cells_per_sheet:
            self.over = "spans"
            raise StopParsing

    def _close_row(self) -> None:
        """Note a formatted row without cells beyond the row limit (called at the next row)."""
        if not self.row_has_cells and self.row > self.limits.max_rows and not self.far_empty_row:
            self.far_empty_row = self.row

    def finish(self) -> None:
        if self.value is not None:
            self._close_value()
        if self.formula is not None:
            self._close_formula()
        self._close_row()

    def _cell(self, ref: str | None) -> None:
        if ref is None:
            row, col = self.row or 1, self.col + 1
        else:
            m = _CELL_RE.match(ref)
            if m is None:
                self.bad_ref = ref
                raise StopParsing
            letters = m.group(1)
            col = _COL_CACHE.get(letters) or _col_index(letters)
            row = int(m.group(2))
            if not (0 < row <= EXCEL_MAX_ROWS and 0 < col <= EXCEL_MAX_COLS):
                self.bad_ref = ref
                raise StopParsing
        self.col, self.cell_row = col, row
        self.cell_ref = ref if ref is not None else f"{_col_letters(col)}{row}"
        self.cells += 1
        if not self.row_has_cells:
            self.row_has_cells = True
            self.rows += 1
        if self.cells > self.cell_budget:
            self.over = "total" if self.over_is_total else "sheet"
            raise StopParsing
        if row < self.min_row:
            self.min_row = row
        if col < self.min_col:
            self.min_col = col
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col
        if (row > self.row_limit or col > self.col_limit) and len(self.far) < 5:
            self.far.append(f"{_col_letters(col)}{row}")

    @property
    def extent(self) -> str | None:
        if not self.cells:
            return None
        top_left = f"{_col_letters(self.min_col)}{self.min_row}"
        bottom_right = f"{_col_letters(self.max_col)}{self.max_row}"
        return top_left if top_left == bottom_right else f"{top_left}:{bottom_right}"


class SharedStringsScan:
    """sharedStrings.xml: the number of strings (declared and real) and rich-text runs."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.declared = 0
        self.rich = 0
        self._in_rich = False
        self.over = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = split_name(name)
        if ns not in MAIN_NS:
            return
        if local == "si":
            self.count += 1
            self._in_rich = False
            if self.count > self.limits.max_shared_strings:
                self.over = True
                raise StopParsing
        elif local == "r" and not self._in_rich:
            self._in_rich = True
            self.rich += 1
        elif local == "sst":
            value = attrs.get("uniqueCount", "")
            self.declared = int(value) if value.isdigit() else 0
            if self.declared > self.limits.max_shared_strings:
                self.over = True
                raise StopParsing


def _parse_dimension(ref: str) -> tuple[int, int] | None:
    """Bottom-right (row, col) of a ``<dimension ref>``; None if unreadable."""
    last = ref.split(":")[-1].strip()
    parsed = _parse_ref(last)
    if parsed is None or not _in_grid(*parsed):
        return None
    return parsed


def sheet_issues(ctx: CheckContext, sheet: str, scan: SheetScan) -> None:
    """Turn one sheet's scan into issues: bad references, limits, stray cells, dimension."""
    lim = ctx.limits
    if scan.bad_ref is not None:
        ctx.issue(
            f"单元格引用“{scan.bad_ref}”无效或超出 Excel 网格（文件已损坏）",
            f"cell reference '{scan.bad_ref}' is not valid or lies outside the Excel grid "
            "(file damaged)",
            sheet=sheet,
            expected="a reference within A1:XFD1048576",
            found=scan.bad_ref,
        )
        return
    if scan.transform.over:
        ctx.issue(
            f"行数过多：超过 {lim.max_rows:,} 行带有数据或格式（只有格式的空行也计入）；"
            "请选中不用的行，开始 > 清除 > 清除格式，或删除这些行",
            f"too many rows: more than {lim.max_rows:,} rows hold data or formatting "
            "(formatted empty rows count); select the unused rows and use Home > Clear > "
            "Clear Formats, or delete them",
            sheet=sheet,
            expected=f"≤ {lim.max_rows:,} rows",
            found=f"> {lim.max_rows:,} rows",
        )
        return
    if scan.over == "spans":
        kind, ref, cells = max(scan.spans, key=lambda span: span[2])
        what_zh, what_en, fix_zh, fix_en = {
            "hyperlink": ("超链接", "a hyperlink", "删除该超链接或只链接所需单元格", "remove it"),
            "mergeCell": ("合并单元格", "merged cells", "取消合并", "unmerge them"),
        }[kind]
        ctx.issue(
            f"{what_zh}覆盖 {ref}（{cells:,} 个单元格），每个工作表上限为 "
            f"{lim.max_cells_per_sheet:,} 个；请{fix_zh}",
            f"{what_en} cover{'s' if kind == 'hyperlink' else ''} {ref} ({cells:,} cells); "
            f"the limit is {lim.max_cells_per_sheet:,} cells per sheet — {fix_en}",
            sheet=sheet,
            cell=ref,
            expected=f"≤ {lim.max_cells_per_sheet:,} cells",
            found=f"{ref} ({cells:,} cells)",
        )
        return
    zh, en = MESSAGES["stored_not_number"]
    for cell, text in scan.bad_numbers:
        found = repr(text)
        ctx.issue(
            zh.format(found=found),
            en.format(found=found),
            sheet=sheet,
            cell=cell,
            expected="a number stored as ASCII digits",
            found=found,
        )
    for cell, text in scan.bad_indices:
        ctx.issue(
            f"引用了第 {text!r} 条文本，这不是有效的文本编号（文件已损坏）",
            f"refers to text #{text!r}, which is not a valid text number (file damaged)",
            sheet=sheet,
            cell=cell,
            expected="a text number 0, 1, 2, …",
            found=repr(text),
        )
    if scan.over == "sheet":
        ctx.issue(
            f"单元格过多：超过 {lim.max_cells_per_sheet:,} 个（包括只有格式的单元格），"
            "请删除多余的行/列或拆分工作表",
            f"too many cells: more than {lim.max_cells_per_sheet:,} (formatting-only cells "
            "count); delete unused rows/columns or split the sheet",
            sheet=sheet,
            expected=f"≤ {lim.max_cells_per_sheet:,} cells",
            found=f"> {lim.max_cells_per_sheet:,} cells",
        )
        return
    if scan.over == "total":
        ctx.issue(
            f"整个工作簿的单元格过多：超过 {lim.max_total_cells:,} 个",
            f"too many cells in the workbook: more than {lim.max_total_cells:,}",
            sheet=sheet,
            expected=f"≤ {lim.max_total_cells:,} cells in all sheets",
            found=f"> {lim.max_total_cells:,}",
        )
        return
    if scan.far:
        corner = f"{_col_letters(scan.max_col)}{scan.max_row}"
        stray = ", ".join(scan.far)
        ctx.issue(
            f"数据延伸到 {corner}（{scan.max_row:,} 行 × {scan.max_col:,} 列），上限为 "
            f"{lim.max_rows:,} 行 × {lim.max_cols:,} 列——请删除 {stray} 处的多余内容",
            f"data extends to {corner} ({scan.max_row:,} rows × {scan.max_col:,} columns); "
            f"limit is {lim.max_rows:,} rows × {lim.max_cols:,} columns — delete the stray "
            f"content at {stray}",
            sheet=sheet,
            expected=f"≤ {lim.max_rows:,} rows × {lim.max_cols:,} columns",
            found=f"content at {stray}",
        )
        return
    dropped = scan.transform
    if dropped.empty_rows >= 10_000:
        n = dropped.empty_rows
        ctx.issue(
            f"{n:,} 行（第 {dropped.first:,}–{dropped.last:,} 行之间）只有行格式、"
            "没有单元格，已忽略",
            f"{n:,} rows (between rows {dropped.first:,} and {dropped.last:,}) have row "
            "formatting but no cells; they are ignored",
            sheet=sheet,
            expected="rows with cells",
            found=f"{n:,} formatted empty rows",
            severity="notice",
        )
    elif scan.far_empty_row:
        ctx.issue(
            f"第 {scan.far_empty_row:,} 行只有行格式、没有单元格，已忽略",
            f"row {scan.far_empty_row:,} has row formatting but no cells; it is ignored",
            sheet=sheet,
            expected=f"rows ≤ {lim.max_rows:,}",
            found=f"formatted row {scan.far_empty_row:,}",
            severity="notice",
        )
    claim = scan.dimension
    if claim is None:
        return
    claimed = _parse_dimension(claim)
    real = scan.extent or "（无数据）"
    real_en = scan.extent or "no data"
    if claimed is None:
        if claim.strip():
            ctx.issue(
                f"文件记录的范围“{claim}”无法识别，已忽略",
                f"the size recorded in the file ('{claim}') is not readable; it is ignored",
                sheet=sheet,
                expected="a range like A1:F20",
                found=claim,
                severity="notice",
            )
        return
    c_row, c_col = claimed
    if (scan.cells and (c_row > scan.max_row or c_col > scan.max_col)) or (
        not scan.cells and (c_row, c_col) != (1, 1)
    ):
        ctx.issue(
            f"文件记录的范围 {claim} 大于实际数据范围 {real}；将忽略记录的范围",
            f"the size recorded in the file ({claim}) is larger than the real data "
            f"({real_en}); the recorded size is ignored",
            sheet=sheet,
            expected=f"dimension matching the data ({real_en})",
            found=claim,
            severity="notice",
        )
