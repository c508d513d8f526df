"""The package layer (Open Packaging Conventions) of an .xlsx: content types and relationships.

Why: an .xlsx is a zip whose [Content_Types].xml says which part is the workbook and whose
``_rels`` parts say where its sheets and shared strings are; openpyxl follows the same
rules, so the pre-flight must resolve parts exactly as it does. The content-type constants,
relationship paths and the "not a spreadsheet package" refusal live here.
"""

from __future__ import annotations

import contextlib
import posixpath
import zipfile

from jjjplan.errors import WorkbookRejected
from jjjplan.excel.guard.rejection import CheckContext

__all__ = [
    "CONTENT_TYPES",
    "CT_SHARED_STRINGS",
    "CT_XLSB",
    "CT_XLSM",
    "CT_XLSX",
    "CT_XLTM",
    "CT_XLTX",
    "DEFAULT_WORKBOOK",
    "WORKBOOK_TYPES",
    "not_package",
    "rels_path",
    "resolve_target",
    "too_many_entries",
]

CONTENT_TYPES = "[Content_Types].xml"
DEFAULT_WORKBOOK = "xl/workbook.xml"

CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_XLTX = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_XLTM = "application/vnd.ms-excel.template.macroEnabled.main+xml"
CT_XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
WORKBOOK_TYPES = (CT_XLTM, CT_XLTX, CT_XLSM, CT_XLSX)  # openpyxl's search order
CT_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def not_package(
    ctx: CheckContext, missing: str, names: set[str], zf: zipfile.ZipFile
) -> WorkbookRejected:
    """Refuse a zip that is no spreadsheet, naming what it is instead when we can tell."""
    hint_zh = hint_en = ""
    if "word/document.xml" in names:
        hint_zh, hint_en = "这是 Word 文档", "this is a Word document"
    elif "ppt/presentation.xml" in names:
        hint_zh, hint_en = "这是 PowerPoint 演示文稿", "this is a PowerPoint presentation"
    elif "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
        with contextlib.suppress(Exception):
            if b"opendocument.spreadsheet" in zf.read("mimetype"):
                hint_zh = "这是 OpenDocument (.ods) 表格；请“另存为” .xlsx"
                hint_en = "this is an OpenDocument (.ods) spreadsheet; Save As .xlsx"
    return ctx.reject(
        f"不是电子表格文件包：缺少 {missing}" + (f"（{hint_zh}）" if hint_zh else ""),
        f"not a spreadsheet package: {missing} is missing" + (f" ({hint_en})" if hint_en else ""),
        expected=f"an .xlsx package containing {missing}",
        found=f"zip with {len(names):,} parts, no {missing}",
    )


def too_many_entries(ctx: CheckContext, part: str, cap: int) -> WorkbookRejected:
    """Refuse a manifest or .rels part with more entries than the package could need."""
    return ctx.reject(
        f"部件 {part} 的条目过多（超过 {cap:,} 个），文件已损坏或被恶意构造",
        f"part {part} has too many entries (more than {cap:,}); the file is damaged or crafted",
        expected=f"≤ {cap:,} entries",
        found=f"> {cap:,}",
    )


def rels_path(part: str) -> str:
    """The relationships part of ``part``: ``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve_target(rels_part: str, target: str) -> str:
    """Resolve a relationship target the way openpyxl does (``get_dependents``)."""
    if target.startswith("/"):
        return target[1:]
    parent = posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(parent, target))
