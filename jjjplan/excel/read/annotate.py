"""``validate --annotate``: a *copy* of a planner's workbook with every problem marked.

The original is never modified (the output may not be an input, checked first). Offending
cells get a red fill and a note with the message in Chinese and English, and a 错误 Errors
sheet lists every issue. openpyxl drops some features on load + save (images, shapes,
sparklines, VBA, …); the pre-flight detects them, so the caller can tell the planner exactly
what the copy lacks instead of losing it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.errors import Issue, ValidationError
from jjjplan.excel.guard.preflight import preflight
from jjjplan.excel.safety import atomic_save, check_output_path, write_text_cell

ERROR_FILL = PatternFill("solid", start_color="FFFF9999", end_color="FFFF9999")
ERRORS_SHEET = "错误 Errors"
HEADERS = (
    "工作表 Sheet",
    "单元格 Cell",
    "字段 Field",
    "应为 Expected",
    "实际 Found",
    "说明 Message (中文)",
    "Message (English)",
    "级别 Severity",
)
SEVERITY_WORDS = {"error": "错误 error", "notice": "提示 notice"}
#: A range error marks each of its cells, up to this many (a whole-column range stays cheap).
MAX_MARKED_PER_ISSUE = 2_000


# What an Excel cell cannot hold as written (see safety.safe_text), for our *own* messages:
# they quote planner values, which may contain anything.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
# Features the copy keeps because of how it is loaded (rich_text=True).
_KEPT = {"rich_text"}


def display_text(value: object, limit: int = 32_000) -> str | None:
    """``value`` as text Excel shows exactly as written, for message cells and notes.

    Control characters become visible ``\\xNN`` escapes, line breaks become ``\\n``, a
    ``_xHHHH_`` sequence gets a zero-width space after its ``_`` so Excel does not decode it,
    and the text is cut to ``limit`` characters (with …). Empty text becomes None.
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSTORABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    text = _EXCEL_ESCAPE.sub("_\u200b\\1", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or None


@dataclass(frozen=True)
class AnnotatedCopy:
    path: Path
    marked_cells: int
    dropped: tuple[str, ...]  # features of the original that the copy does not carry


def annotate_copy(source: str | Path, error: ValidationError, out: str | Path) -> AnnotatedCopy:
    """Write ``out``: ``source`` with the issues of ``error`` marked. Never touches ``source``."""
    source, out = Path(source), Path(out)
    check_output_path(out, [source])
    report = preflight(source)
    keep_vba = out.suffix.lower() == ".xlsm" and report.has_vba
    wb = openpyxl.load_workbook(source, keep_vba=keep_vba, rich_text=True)
    marked = 0
    for issue in error.issues:
        if _mark(wb, issue):
            marked += 1
    _errors_sheet(wb, error.issues, error.notices)
    atomic_save(wb, out)
    dropped = tuple(
        str(f)
        for f in report.lossy_features
        if f.key not in _KEPT and not (keep_vba and f.key == "vba")
    )
    return AnnotatedCopy(out, marked, dropped)


def _cells_of(ws: Worksheet, ref: str) -> list:
    """The top-left cell of each merged range or plain cell in ``ref`` ("C7" or "D15:D21")."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return []
    cells, seen = [], set()
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            cell = ws.cell(row, col)
            if isinstance(cell, MergedCell):  # only a merge's top-left cell has a note
                top = next((m for m in ws.merged_cells.ranges if cell.coordinate in m), None)
                if top is None:  # pragma: no cover - openpyxl makes MergedCells only in ranges
                    continue
                cell = ws.cell(top.min_row, top.min_col)
            if cell.coordinate not in seen:
                seen.add(cell.coordinate)
                cells.append(cell)
            if len(cells) >= MAX_MARKED_PER_ISSUE:
                return cells
    return cells


def _mark(wb: openpyxl.Workbook, issue: Issue) -> bool:
    """Red fill and a bilingual note on every cell the issue names (all of a range)."""
    if not issue.sheet or not issue.cell or issue.sheet not in wb.sheetnames:
        return False
    ws = wb[issue.sheet]
    if not isinstance(ws, Worksheet):  # a chart sheet has no cells to mark
        return False
    cells = _cells_of(ws, issue.cell)
    text = f"{issue.message_zh}\n{issue.message_en}"
    detail = issue.detail()
    if detail:
        text += f"\n({detail})"
    for cell in cells:
        cell.fill = ERROR_FILL
        note = text
        if cell.comment is not None and cell.comment.author != "jjjplan":
            note += f"\n———\n{cell.comment.text}"  # keep the planner's own note below ours
        elif cell.comment is not None:  # a second issue on the same cell: keep both
            note = f"{cell.comment.text}\n———\n{text}"
        cell.comment = Comment(display_text(note), "jjjplan", width=320, height=140)
    return bool(cells)


def _errors_sheet(
    wb: openpyxl.Workbook, issues: tuple[Issue, ...], notices: tuple[Issue, ...] = ()
) -> None:
    """The Errors sheet: every error, then every notice; each cell reference links to it."""
    name = ERRORS_SHEET
    taken = {n.casefold() for n in wb.sheetnames}  # Excel compares sheet names caseless
    while name.casefold() in taken:  # never replace a sheet of the planner's
        name = f"{name}_"
    ws = wb.create_sheet(name, 0)
    for col, header in enumerate(HEADERS, start=1):
        c = ws.cell(row=1, column=col, value=header)
        c.font = Font(bold=True)
    for row, issue in enumerate((*issues, *notices), start=2):
        values = (
            issue.sheet or "",
            issue.cell or "",
            issue.field or "",
            issue.expected,
            issue.found,
            issue.message_zh,
            issue.message_en,
            SEVERITY_WORDS[issue.severity],
        )
        for col, value in enumerate(values, start=1):
            write_text_cell(ws.cell(row=row, column=col), display_text(value))
        _link(wb, row, ws, issue)
    for col, width in zip("ABCDEFGH", (22, 10, 30, 30, 24, 50, 60, 14), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.active = wb.sheetnames.index(name)


def _link(wb: openpyxl.Workbook, row: int, ws: Worksheet, issue: Issue) -> None:
    """Link the Cell column to the cell (or range) in the planner's sheet; an issue without
    a cell links its Sheet column to the sheet."""
    if not issue.sheet or issue.sheet not in wb.sheetnames:
        return
    cell = ws.cell(row=row, column=2 if issue.cell else 1)
    target = (issue.cell or "A1").replace("$", "")
    sheet = issue.sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!{target}")
    cell.style = "Hyperlink"
