"""Pre-flight checks on a workbook file before openpyxl (or pandas) is allowed to parse it.

openpyxl and zipfile have no decompression limits, a single stray cell at ``XFD1048576``
makes every engine iterate 17 billion cells, and openpyxl's own answers to damaged files are
raw ``KeyError``/``BadZipFile`` tracebacks or, worse, silently missing sheets. This module
looks at the zip container and streams the XML with a bounded, entity-refusing expat parser
so that every such file is refused with a message a planner can act on (Chinese + English),
in bounded time and memory, before any heavy parser runs. See
``/work/shared/research/reliability.md`` §8 A–C for the catalogue of cases handled here.

Public API: :func:`preflight`, :class:`PreflightReport`, :class:`Limits`,
:func:`run_isolated` and :func:`assert_defusedxml_active`.

This module holds the public entry point and the order of the checks; the checks themselves
live in :mod:`~jjjplan.excel.guard.limits` (every limit), :mod:`~jjjplan.excel.guard.zipcheck`
(file and zip container), :mod:`~jjjplan.excel.guard.package` (content types and
relationships), :mod:`~jjjplan.excel.guard.xmlstream` (bounded, DTD-refusing XML reading and
the defusedxml check), :mod:`~jjjplan.excel.guard.xmlscan` (what is read out of the XML) and
:mod:`~jjjplan.excel.guard.features` (what openpyxl would lose), all reporting through
:mod:`~jjjplan.excel.guard.rejection`. Every public name is re-exported from here.
"""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from jjjplan.errors import Issue
from jjjplan.excel.catalogue import MESSAGES
from jjjplan.excel.guard.cellcapture import MAX_CAPTURED_CELLS, CapturedCell, CellCapture
from jjjplan.excel.guard.features import DrawingScan, FeatureTally, LossyFeature, part_features
from jjjplan.excel.guard.isolation import (
    ISOLATED_MEMORY_MB,
    ISOLATED_TIMEOUT_S,
    run_isolated,
)
from jjjplan.excel.guard.limits import (
    CHUNK_BYTES,
    DEFAULT_LIMITS,
    MAX_CELLS_PER_SHEET,
    MAX_COLS,
    MAX_DEFINED_NAMES,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHEETS,
    MAX_TOTAL_BYTES,
    MAX_TOTAL_CELLS,
    MAX_XML_TOKEN_BYTES,
    RATIO_MIN_BYTES,
    Limits,
)
from jjjplan.excel.guard.package import (
    CONTENT_TYPES,
    CT_SHARED_STRINGS,
    CT_XLSB,
    DEFAULT_WORKBOOK,
    WORKBOOK_TYPES,
    not_package,
    rels_path,
    resolve_target,
    too_many_entries,
)
from jjjplan.excel.guard.rejection import CheckContext
from jjjplan.excel.guard.xmlscan import (
    AttrScan,
    SharedStringsScan,
    SheetScan,
    WorkbookScan,
    sheet_issues,
)
from jjjplan.excel.guard.xmlstream import assert_defusedxml_active, consume_part, is_xml_part
from jjjplan.excel.guard.zipcheck import (
    check_end_record,
    check_magic,
    check_sizes,
    is_lock_file_name,
    open_path,
    too_big,
)

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_LIMITS",
    "ISOLATED_MEMORY_MB",
    "ISOLATED_TIMEOUT_S",
    "MAX_CELLS_PER_SHEET",
    "MAX_COLS",
    "MAX_DEFINED_NAMES",
    "MAX_FILE_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SHEETS",
    "MAX_TOTAL_BYTES",
    "MAX_TOTAL_CELLS",
    "MAX_XML_TOKEN_BYTES",
    "RATIO_MIN_BYTES",
    "Limits",
    "LossyFeature",
    "PreflightReport",
    "SheetInfo",
    "assert_defusedxml_active",
    "is_lock_file_name",
    "preflight",
    "run_isolated",
]


@dataclass(frozen=True)
class SheetInfo:
    """What one sheet claims about its size and what it really holds."""

    name: str
    part: str  # zip member holding the sheet XML
    kind: str  # "worksheet", "chartsheet", "dialogsheet", "xlMacrosheet", ...
    state: str  # "visible", "hidden" or "veryHidden"
    claimed_dimension: str | None  # <dimension ref="..."> as written in the file
    extent: str | None  # real used range of <c> elements, e.g. "A1:F120"; None if no cells
    max_row: int
    max_col: int
    rows: int  # rows holding at least one cell
    cells: int  # <c> elements, including formatting-only cells
    formulas: int
    empty_rows: int = 0  # formatted rows without cells, compacted away before parsing
    #: cells holding a formula ("C7"), and those of them that refer to another workbook
    formula_cells: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    external_cells: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    #: the cells' stored text, kept for the reader (``preflight(..., cells=True)``; None when
    #: not kept, see :mod:`~jjjplan.excel.guard.cellcapture`)
    stored_cells: tuple[CapturedCell, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PreflightReport:
    """Result of a successful pre-flight; everything here is plain data and picklable."""

    path: str
    size: int
    sheet_names: tuple[str, ...]  # workbook order
    sheets: tuple[SheetInfo, ...]
    notices: tuple[Issue, ...]
    has_vba: bool
    lossy_features: tuple[LossyFeature, ...]
    workbook_part: str = "xl/workbook.xml"
    content_type: str = ""
    parts: int = 0
    total_uncompressed: int = 0
    shared_strings: int = 0
    defined_names: int = 0
    external_links: tuple[str, ...] = ()

    @property
    def dimensions(self) -> dict[str, tuple[str | None, str | None]]:
        """Sheet name → (claimed ``<dimension>``, real extent)."""
        return {s.name: (s.claimed_dimension, s.extent) for s in self.sheets}

    def sheet(self, name: str) -> SheetInfo:
        for info in self.sheets:
            if info.name == name:
                return info
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# The pre-flight
# ---------------------------------------------------------------------------------------------
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]


def preflight(
    source: Source,
    *,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
    cells: bool = False,
) -> PreflightReport:
    """Inspect a workbook before any spreadsheet library touches it.

    ``source`` is a path, the raw bytes (e.g. an upload widget's ``content``) or a binary file
    object; ``name`` is the file name shown in messages (default: the path's basename).
    Raises :class:`WorkbookRejected` with Chinese + English messages when the file is not a
    readable, safe ``.xlsx`` within ``limits``; otherwise returns a :class:`PreflightReport`.
    Memory use is bounded by ``limits.chunk_bytes`` per part (plus the zip directory).
    ``cells=True`` also keeps the worksheets' cells as stored (:attr:`SheetInfo.stored_cells`, up
    to :data:`~jjjplan.excel.guard.cellcapture.MAX_CAPTURED_CELLS`) for the reader.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        ctx = CheckContext(name or os.path.basename(path) or path, limits)
        fh = open_path(ctx, path)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            return _preflight_stream(ctx, fh, size, path, cells)
    if isinstance(source, (bytes, bytearray, memoryview)):
        ctx = CheckContext(name or "workbook.xlsx", limits)
        view = memoryview(source)
        if view.nbytes > limits.max_file_bytes:
            raise too_big(ctx, view.nbytes)
        return _preflight_stream(ctx, io.BytesIO(view.tobytes()), view.nbytes, ctx.name, cells)
    if hasattr(source, "read") and hasattr(source, "seek"):
        display = (
            name or os.path.basename(str(getattr(source, "name", "") or "")) or "workbook.xlsx"
        )
        ctx = CheckContext(display, limits)
        total = source.seek(0, io.SEEK_END)
        source.seek(0)
        return _preflight_stream(ctx, source, total, display, cells)
    raise TypeError(
        f"preflight() needs a path, bytes or a binary file, not {type(source).__name__}"
    )


def _preflight_stream(
    ctx: CheckContext, fh: IO[bytes], size: int, path: str, cells: bool = False
) -> PreflightReport:
    check_magic(ctx, fh, size)
    check_end_record(ctx, fh, size)
    try:
        zf = zipfile.ZipFile(fh)
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, struct.error, UnicodeDecodeError, ...
        raise ctx.damaged(None, f"{type(exc).__name__}: {exc}") from None
    with zf:
        return _inspect_package(ctx, zf, size, path, cells)


def _inspect_package(
    ctx: CheckContext, zf: zipfile.ZipFile, size: int, path: str, cells: bool = False
) -> PreflightReport:
    lim = ctx.limits
    infos = zf.infolist()
    total = check_sizes(ctx, infos, size)
    by_name = {i.filename: i for i in infos}
    names = set(by_name)
    done: set[str] = set()

    def consume(part: str, handler: Any | None = None) -> bool:
        done.add(part)
        info = by_name[part]
        return consume_part(
            ctx, zf, info, xml=is_xml_part(part, content_type_of(part)), handler=handler
        )

    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}

    def content_type_of(part: str) -> str:
        if part in overrides:
            return overrides[part]
        return defaults.get(posixpath.splitext(part)[1].lstrip(".").lower(), "")

    # [Content_Types].xml -> which part is the workbook
    if CONTENT_TYPES not in names:
        raise not_package(ctx, CONTENT_TYPES, names, zf)
    entry_cap = 4 * lim.max_parts + 100
    ct_scan = AttrScan(entry_cap, "Default", "Override")
    consume(CONTENT_TYPES, ct_scan)
    if ct_scan.over:
        raise too_many_entries(ctx, CONTENT_TYPES, entry_cap)
    for local, attrs in ct_scan.found:
        if local == "Override" and "PartName" in attrs:
            overrides[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")
        elif local == "Default" and "Extension" in attrs:
            defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")

    if CT_XLSB in overrides.values() or CT_XLSB in defaults.values():
        raise ctx.reject(
            "这是二进制 .xlsb 工作簿，无法读取；请在 Excel 中“另存为” .xlsx",
            "this is a binary .xlsb workbook, which cannot be read; Save As .xlsx in Excel",
            expected=".xlsx",
            found=".xlsb",
        )
    workbook_part, workbook_type = "", ""
    for ct in WORKBOOK_TYPES:
        hit = next((p for p, t in overrides.items() if t == ct), None)
        if hit:
            workbook_part, workbook_type = hit, ct
            break
    else:
        default_hit = next((t for t in defaults.values() if t in WORKBOOK_TYPES), None)
        if default_hit:
            workbook_part, workbook_type = DEFAULT_WORKBOOK, default_hit
    if not workbook_part or workbook_part not in names:
        raise not_package(ctx, workbook_part or DEFAULT_WORKBOOK, names, zf)

    # workbook.xml and its relationships -> sheets
    wb_scan = WorkbookScan(lim)
    wb_scan.part = workbook_part
    consume(workbook_part, wb_scan)
    if wb_scan.strict:
        raise ctx.reject(
            "工作簿以“Strict Open XML 电子表格”格式保存，无法读取；请在 Excel 中"
            "“文件 > 另存为”，保存类型选“Excel 工作簿 (*.xlsx)”",
            "the workbook was saved as 'Strict Open XML Spreadsheet', which cannot be read; "
            "in Excel use File > Save As and choose the type 'Excel Workbook (*.xlsx)'",
            expected="an ordinary (Transitional) .xlsx",
            found="Strict Open XML",
        )
    if wb_scan.over == "sheets":
        raise ctx.reject(
            f"工作表过多：超过 {lim.max_sheets:,} 个",
            f"too many sheets: more than {lim.max_sheets:,}",
            expected=f"≤ {lim.max_sheets:,} sheets",
            found=f"> {lim.max_sheets:,} sheets",
        )
    if wb_scan.over == "names":
        raise ctx.reject(
            f"定义的名称过多：超过 {lim.max_defined_names:,} 个",
            f"too many defined names: more than {lim.max_defined_names:,}",
            expected=f"≤ {lim.max_defined_names:,} defined names",
            found=f"> {lim.max_defined_names:,}",
        )
    wb_rels_part = rels_path(workbook_part)
    rels: dict[str, tuple[str, str, str]] = {}  # Id -> (type, resolved target, mode)
    if wb_rels_part in names:
        rel_scan = AttrScan(entry_cap, "Relationship")
        consume(wb_rels_part, rel_scan)
        if rel_scan.over:
            raise too_many_entries(ctx, wb_rels_part, entry_cap)
        for _, attrs in rel_scan.found:
            mode = attrs.get("TargetMode", "Internal")
            target = attrs.get("Target", "")
            resolved = target if mode == "External" else resolve_target(wb_rels_part, target)
            rels[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved, mode)
    elif wb_scan.sheets:
        raise ctx.damaged(wb_rels_part, f"{wb_rels_part} is missing, so no sheet can be found")

    sheet_parts: list[tuple[str, str, str, str]] = []  # name, part, kind, state
    for sheet_name, state, rid in wb_scan.sheets:
        rel = rels.get(rid or "")
        part = rel[1] if rel else ""
        if not rel or part not in names:
            found = f"relationship {rid} not found" if not rel else f"{part} missing"
            ctx.issue(
                f"workbook.xml 列出了工作表“{sheet_name}”，"
                f"但其数据 ({part or rid}) 不存在（文件已损坏）",
                f"workbook.xml lists sheet '{sheet_name}' but its data ({part or rid}) is "
                "missing (file damaged)",
                sheet=sheet_name,
                expected=f"part {part or '(sheet XML)'}",
                found=found,
            )
            continue
        kind = rel[0].rsplit("/", 1)[-1] or "worksheet"
        sheet_parts.append((sheet_name, part, kind, state))
    ctx.raise_if_issues()

    # sheets: stream each once
    sheets: list[SheetInfo] = []
    total_cells = 0
    lossy = FeatureTally()
    text_refs: list[tuple[str, str, int]] = []  # (sheet, cell, highest shared-string index)
    budget = MAX_CAPTURED_CELLS

    for sheet_name, part, kind, state in sheet_parts:
        if kind == "chartsheet":
            consume(part)
            sheets.append(SheetInfo(sheet_name, part, kind, state, None, None, 0, 0, 0, 0, 0))
            continue
        scan = CellCapture(lim, total_cells, budget) if cells else SheetScan(lim, total_cells)
        consume(part, scan)
        scan.finish()
        kept = scan.kept if isinstance(scan, CellCapture) else None
        budget -= len(kept or ())
        total_cells += scan.cells
        sheet_issues(ctx, sheet_name, scan)
        lossy("sparklines", scan.sparklines, part)
        lossy("x14_validations", scan.x14_validations, part)
        lossy("x14_conditional_formats", scan.x14_conditional, part)
        lossy("extensions", scan.other_ext, part)
        lossy("formula_cache", scan.formulas, part)
        sheets.append(
            SheetInfo(
                sheet_name,
                part,
                kind,
                state,
                scan.dimension,
                scan.extent,
                scan.max_row,
                scan.max_col,
                scan.rows,
                scan.cells,
                scan.formulas,
                scan.transform.empty_rows,
                frozenset(scan.formula_cells),
                frozenset(scan.external_cells),
                None if kept is None else tuple(kept),
            )
        )
        if scan.max_index >= 0:
            text_refs.append((sheet_name, scan.max_index_cell, scan.max_index))
        if scan.over == "total":
            break
    ctx.raise_if_issues()

    # shared strings
    sst_parts = {p for p, t in overrides.items() if t == CT_SHARED_STRINGS}
    sst_parts |= {t for (typ, t, _m) in rels.values() if typ.endswith("/sharedStrings")}
    shared_strings = 0
    for part in sorted(sst_parts & names):
        sst = SharedStringsScan(lim)
        consume(part, sst)
        if sst.over:
            n = max(sst.count, sst.declared)
            raise ctx.reject(
                f"共享字符串过多：{n:,} 个，上限为 {lim.max_shared_strings:,}",
                f"too many shared strings: {n:,}; the limit is {lim.max_shared_strings:,}",
                expected=f"≤ {lim.max_shared_strings:,}",
                found=f"{n:,}" if sst.count <= lim.max_shared_strings else f"> {n - 1:,}",
            )
        shared_strings += sst.count
        lossy("rich_text", sst.rich, part)
    zh, en = MESSAGES["bad_shared_string"]
    for sheet_name, cell, index in text_refs:  # openpyxl would index past the end, or wrap
        if index >= shared_strings:
            ctx.issue(
                zh.format(index=index, count=shared_strings),
                en.format(index=index, count=shared_strings),
                sheet=sheet_name,
                cell=cell,
                expected=f"a text number below {shared_strings}",
                found=str(index),
            )
    ctx.raise_if_issues()

    # drawings, then every other part (CRC + DTD scan)
    for part in sorted(names - done):
        if part.startswith("xl/drawings/") and part.endswith(".xml") and "/_rels/" not in part:
            drawing = DrawingScan()
            consume(part, drawing)
            lossy("shapes", drawing.shapes, part)
            lossy("textboxes", drawing.textboxes, part)
            lossy("pictures", drawing.pictures, part)
            lossy("charts", drawing.charts, part)
    external: list[str] = []
    for part in sorted(names - done):
        if part.startswith("xl/externalLinks/_rels/") and part.endswith(".rels"):
            scan_links = AttrScan(entry_cap, "Relationship")
            consume(part, scan_links)
            if scan_links.over:
                raise too_many_entries(ctx, part, entry_cap)
            external += [a.get("Target", "") for _, a in scan_links.found]
        else:
            consume(part)
    ctx.raise_if_issues()

    part_features(names, lossy, wb_scan)
    has_vba = any(p.lower() == "xl/vbaproject.bin" for p in names)
    features = lossy.features()
    return PreflightReport(
        path=path,
        size=size,
        sheet_names=tuple(s[0] for s in wb_scan.sheets),
        sheets=tuple(sheets),
        notices=tuple(ctx.notices),
        has_vba=has_vba,
        lossy_features=features,
        workbook_part=workbook_part,
        content_type=workbook_type,
        parts=len(infos),
        total_uncompressed=total,
        shared_strings=shared_strings,
        defined_names=wb_scan.defined_names,
        external_links=tuple(external),
    )
