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
)


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
    _errors_sheet(wb, error.issues)
    atomic_save(wb, out)
    dropped = tuple(
        str(f)
        for f in report.lossy_features
        if f.key not in _KEPT and not (keep_vba and f.key == "vba")
    )
    return AnnotatedCopy(out, marked, dropped)


def _mark(wb: openpyxl.Workbook, issue: Issue) -> bool:
    if not issue.sheet or not issue.cell or issue.sheet not in wb.sheetnames:
        return False
    ws = wb[issue.sheet]
    if not isinstance(ws, Worksheet):  # a chart sheet has no cells to mark
        return False
    try:
        cell = ws[issue.cell.split(":")[0]]
    except (ValueError, KeyError, TypeError, IndexError):
        return False
    if isinstance(cell, MergedCell):  # only the top-left cell of a merged range has a note
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                cell = ws.cell(merged.min_row, merged.min_col)
                break
        else:  # pragma: no cover - openpyxl makes MergedCells only inside merged ranges
            return False
    cell.fill = ERROR_FILL
    text = f"{issue.message_zh}\n{issue.message_en}"
    if issue.expected or issue.found:
        text += f"\n(expected {issue.expected}; found {issue.found})"
    if cell.comment is not None:  # keep the planner's own note below ours
        text += f"\n———\n{cell.comment.text}"
    cell.comment = Comment(display_text(text), "jjjplan", width=320, height=140)
    return True


def _errors_sheet(wb: openpyxl.Workbook, issues: tuple[Issue, ...]) -> None:
    name = ERRORS_SHEET
    taken = {n.casefold() for n in wb.sheetnames}  # Excel compares sheet names caseless
    while name.casefold() in taken:  # never replace a sheet of the planner's
        name = f"{name}_"
    ws = wb.create_sheet(name, 0)
    for col, header in enumerate(HEADERS, start=1):
        c = ws.cell(row=1, column=col, value=header)
        c.font = Font(bold=True)
    for row, issue in enumerate(issues, start=2):
        values = (
            issue.sheet or "",
            issue.cell or "",
            issue.field or "",
            issue.expected,
            issue.found,
            issue.message_zh,
            issue.message_en,
        )
        for col, value in enumerate(values, start=1):
            write_text_cell(ws.cell(row=row, column=col), display_text(value))
    for col, width in zip("ABCDEFG", (22, 10, 30, 30, 24, 50, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.active = wb.sheetnames.index(name)
