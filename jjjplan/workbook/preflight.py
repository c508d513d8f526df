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
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from jjjplan.errors import Issue, WorkbookRejected
from jjjplan.workbook.isolation import (
    ISOLATED_MEMORY_MB,
    ISOLATED_TIMEOUT_S,
    run_isolated,
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

KiB = 1024
MiB = 1024 * KiB

# ---------------------------------------------------------------------------------------------
# Limits. Excel's own grid is 1,048,576 rows x 16,384 columns; planner inputs are far smaller,
# and anything near Excel's maximum is a stray cell rather than data.
# ---------------------------------------------------------------------------------------------
MAX_FILE_BYTES = 200 * MiB  # size of the .xlsx file itself
MAX_PART_BYTES = 100 * MiB  # declared uncompressed size of any one zip part
MAX_TOTAL_BYTES = 200 * MiB  # declared uncompressed size of all parts together
MAX_RATIO = 200.0  # uncompressed:compressed, checked for parts (and the whole file) above ...
RATIO_MIN_BYTES = 1 * MiB  # ... this uncompressed size; real sheets compress about 5-30:1
MAX_PARTS = 5_000  # zip entries (a sheet brings ~2-6 parts)
MAX_SHEETS = 500
MAX_DEFINED_NAMES = 10_000
MAX_ROWS = 100_000
MAX_COLS = 1_000
MAX_CELLS_PER_SHEET = 200_000
MAX_TOTAL_CELLS = 1_000_000
MAX_SHARED_STRINGS = 500_000
# Longest run of bytes without ">" in a part we parse. expat buffers a whole tag, comment or
# attribute (and re-scans it as data arrives), so this bounds its memory and time; Excel's
# longest legitimate run is a 32,767-character cell text (< 200 KiB even fully escaped).
MAX_XML_TOKEN_BYTES = 1 * MiB
CHUNK_BYTES = 1 * MiB  # bounded read size: memory per part never exceeds about 2 chunks

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384


@dataclass(frozen=True)
class Limits:
    """Every limit the pre-flight enforces; pass ``limits=Limits(max_rows=...)`` to override."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_part_bytes: int = MAX_PART_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO
    ratio_min_bytes: int = RATIO_MIN_BYTES
    max_parts: int = MAX_PARTS
    max_sheets: int = MAX_SHEETS
    max_defined_names: int = MAX_DEFINED_NAMES
    max_rows: int = MAX_ROWS
    max_cols: int = MAX_COLS
    max_cells_per_sheet: int = MAX_CELLS_PER_SHEET
    max_total_cells: int = MAX_TOTAL_CELLS
    max_shared_strings: int = MAX_SHARED_STRINGS
    max_xml_token_bytes: int = MAX_XML_TOKEN_BYTES
    chunk_bytes: int = CHUNK_BYTES


DEFAULT_LIMITS = Limits()


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


@dataclass(frozen=True)
class LossyFeature:
    """A feature present in the file that an openpyxl load + save would drop or alter."""

    key: str  # stable identifier, e.g. "vba", "shapes", "sparklines"
    count: int
    parts: tuple[str, ...]
    label_zh: str
    label_en: str

    def __str__(self) -> str:
        return f"{self.count} × {self.label_zh} / {self.label_en} ({', '.join(self.parts)})"


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
# Constants about the file format
# ---------------------------------------------------------------------------------------------
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
CONTENT_TYPES = "[Content_Types].xml"
DEFAULT_WORKBOOK = "xl/workbook.xml"

CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_XLTX = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_XLTM = "application/vnd.ms-excel.template.macroEnabled.main+xml"
CT_XLSB = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
WORKBOOK_TYPES = (CT_XLTM, CT_XLTX, CT_XLSM, CT_XLSX)  # openpyxl's search order
CT_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict" OOXML
)
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
# extLst <ext uri=...> whose content is counted element by element (x14 namespace)
_COUNTED_EXT_URIS = {
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}",  # sparkline groups
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}",  # x14 data validations
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}",  # x14 conditional formatting (data bars...)
}

# Any of these byte strings in an XML part means a DTD; Excel never writes one.
_DTD_PATTERNS = tuple(
    text.encode(enc)
    for text in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_DTD_OVERLAP = max(len(p) for p in _DTD_PATTERNS) - 1
_XML_DECL_ENCODING = re.compile(
    rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']"
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_LOCK_RE = re.compile(r"^\.~lock\..*#$")


class _StopParsing(Exception):
    """Raised from an expat handler to stop streaming a part early."""


class _DtdFound(Exception):
    """Raised from an expat handler when a DTD or entity declaration appears."""


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def _mib(n: float) -> str:
    """Human size with the exact byte count, e.g. ``150.0 MiB (157,286,400 bytes)``."""
    if n < KiB:
        return f"{int(n):,} bytes"
    if n < MiB:
        return f"{n / KiB:,.1f} KiB ({int(n):,} bytes)"
    return f"{n / MiB:,.1f} MiB ({int(n):,} bytes)"


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


def is_lock_file_name(name: str) -> bool:
    """True for Excel owner files (``~$a.xlsx``) and LibreOffice locks (``.~lock.a.xlsx#``)."""
    base = os.path.basename(name)
    return base.startswith("~$") or bool(_LOCK_RE.match(base))


_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13}) | {127}


def _looks_like_text(data: bytes) -> bool:
    return bool(data) and not any(b in _CONTROL_BYTES for b in data)


def _show_bytes(head: bytes) -> tuple[str, str]:
    """The bytes as hex, and as text (UTF-8 or GB18030 if they look like text, else ASCII)."""
    hex_text = " ".join(f"{b:02X}" for b in head)
    text = ""
    if _looks_like_text(head):
        for enc in ("utf-8", "gb18030"):
            try:
                text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
                break
            except UnicodeDecodeError:
                continue
    if not text:
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in head)
    return hex_text, "".join(ch if ch.isprintable() else "." for ch in text)


def _not_zip_hint(sample: bytes) -> tuple[str, str]:
    low = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith(b"<"):
        return (
            "看起来是网页 (HTML/XML) 导出文件，只是扩展名为 .xls/.xlsx；"
            "请在 Excel 中打开并“另存为” .xlsx",
            "it looks like an HTML/XML export with an Excel extension; open it in Excel and "
            "Save As .xlsx",
        )
    if low.startswith(b"%pdf"):
        return "看起来是 PDF 文件", "it looks like a PDF file"
    if not _looks_like_text(sample):
        return "", ""
    return (
        "看起来是文本/CSV 文件，只是扩展名为 .xlsx；请在 Excel 中打开并“另存为” .xlsx",
        "it looks like a text/CSV file renamed to .xlsx; open it in Excel and Save As .xlsx",
    )


class _Ctx:
    """Per-run state: display name, limits and the issues found so far."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.issues: list[Issue] = []
        self.notices: list[Issue] = []

    def issue(
        self,
        zh: str,
        en: str,
        *,
        expected: str = "",
        found: str = "",
        sheet: str | None = None,
        cell: str | None = None,
        field: str | None = None,
        severity: str = "error",
    ) -> Issue:
        item = Issue(self.name, sheet, cell, field, expected, found, zh, en, severity)
        (self.notices if severity == "notice" else self.issues).append(item)
        return item

    def reject(self, zh: str, en: str, **kw: Any) -> WorkbookRejected:
        """Build (for ``raise``) a rejection holding this one issue plus anything collected."""
        self.issue(zh, en, **kw)
        return self.flush_error()

    def flush_error(self) -> WorkbookRejected:
        return WorkbookRejected(self.issues, self.notices)

    def raise_if_issues(self) -> None:
        if self.issues:
            raise self.flush_error()

    def damaged(self, part: str | None, detail: str) -> WorkbookRejected:
        where_zh = f"（部件 {part}）" if part else ""
        where_en = f" (part {part})" if part else ""
        return self.reject(
            f"文件已损坏或不完整{where_zh}，例如复制或下载被中断；请重新复制或重新下载该文件",
            f"the file is damaged or incomplete{where_en}, for example after an interrupted "
            "copy or download; copy or download it again",
            expected="a complete .xlsx zip package",
            found=detail,
        )

    def entities(self, part: str) -> WorkbookRejected:
        return self.reject(
            f"部件 {part} 包含 XML 实体声明 (DTD)，出于安全原因拒绝读取；Excel 从不写入 DTD",
            f"part {part} contains XML entity declarations, refused for safety "
            "(Excel never writes a DTD)",
            expected="XML without <!DOCTYPE>/<!ENTITY>",
            found="<!DOCTYPE> or <!ENTITY> declaration",
        )


# ---------------------------------------------------------------------------------------------
# Bounded reading and streaming XML
# ---------------------------------------------------------------------------------------------
def _iter_part(
    ctx: _Ctx, zf: zipfile.ZipFile, info: zipfile.ZipInfo, chunk_bytes: int
) -> Iterator[bytes]:
    """Decompress one part in bounded chunks; zipfile checks the CRC when the part ends.

    The output can never exceed the size declared in the central directory (zipfile stops
    there), and that size was already checked against the limits, so a lying header ends as a
    CRC failure, never as a huge allocation.
    """
    total = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(chunk_bytes)
                if not chunk:
                    break
                total += len(chunk)
                if total > info.file_size:
                    raise ctx.damaged(info.filename, "more data than the declared size")
                yield chunk
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise ctx.damaged(info.filename, f"{type(exc).__name__}: {exc}") from None
    if total != info.file_size:
        raise ctx.damaged(
            info.filename, f"{total:,} bytes instead of the declared {info.file_size:,}"
        )


def _check_xml_start(ctx: _Ctx, part: str, first: bytes) -> None:
    """Refuse encodings in which our byte scan for ``<!DOCTYPE`` could be bypassed."""
    data = first
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc: str | None = "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16: the scan has UTF-16 patterns
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        data = data.lstrip(b" \t\r\n")
        if not data or data.startswith((b"<\x00", b"\x00<")):
            return  # empty part, or UTF-16 without a BOM
        if not data.startswith(b"<"):
            hex_text, _ = _show_bytes(data[:8])
            raise ctx.reject(
                f"部件 {part} 不是有效的 XML（开头字节 {hex_text}），"
                "文件已损坏或使用了不支持的编码",
                f"part {part} is not valid XML (starts with bytes {hex_text}); the file is "
                "damaged or uses an unsupported encoding",
                expected="XML starting with '<'",
                found=hex_text,
            )
        m = _XML_DECL_ENCODING.match(data)
        if not m:
            return
        enc = m.group(1).decode("ascii")
        try:
            codec = codecs.lookup(enc).name
        except LookupError:
            codec = ""
        if codec in ("utf-16", "utf-16-le", "utf-16-be"):
            return
        if codec and all(
            p.encode(codec, "replace") == p.encode("ascii") for p in ("<!DOCTYPE", "<!ENTITY")
        ):
            return  # ASCII-compatible: the byte scan sees the markup as written
    raise ctx.reject(
        f"部件 {part} 使用了不常见的文本编码 {enc}，出于安全原因拒绝读取",
        f"part {part} uses an unusual text encoding ({enc}), refused for safety",
        expected="UTF-8 or UTF-16",
        found=str(enc),
    )


def _new_parser(handler: Any | None) -> Any:
    """An expat parser that refuses any DTD and never resolves entities."""
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_args: Any) -> Any:
        raise _DtdFound

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if handler is not None:
        parser.StartElementHandler = handler.start
        if hasattr(handler, "end"):
            parser.EndElementHandler = handler.end
    return parser


def _consume(
    ctx: _Ctx,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    xml: bool,
    handler: Any | None = None,
) -> bool:
    """Read one part exactly once: CRC check, DTD byte scan and (optionally) a streaming parse.

    Returns False when the handler stopped the parse early (a limit was hit).
    """
    parser = _new_parser(handler) if handler is not None else None
    tail = b""
    first = True
    token_limit = ctx.limits.max_xml_token_bytes
    chunk_bytes = ctx.limits.chunk_bytes
    if parser is not None:
        chunk_bytes = max(1, min(chunk_bytes, token_limit))  # a long run must cross a chunk edge
    run = 0  # bytes since the last ">"
    try:
        for chunk in _iter_part(ctx, zf, info, chunk_bytes):
            if parser is not None:
                first_gt = chunk.find(b">")
                if first_gt < 0:
                    run += len(chunk)
                else:
                    run += first_gt
                if run > token_limit:
                    raise _token_too_long(ctx, info.filename, token_limit)
                if first_gt >= 0:
                    run = len(chunk) - chunk.rfind(b">") - 1
            if xml:
                if first:
                    _check_xml_start(ctx, info.filename, chunk)
                    first = False
                edge = tail + chunk[:_DTD_OVERLAP]
                if any(p in chunk or p in edge for p in _DTD_PATTERNS):
                    raise ctx.entities(info.filename)
                tail = chunk[-_DTD_OVERLAP:]
            if parser is not None:
                parser.Parse(chunk, False)
        if parser is not None:
            parser.Parse(b"", True)
    except _StopParsing:
        return False
    except _DtdFound:
        raise ctx.entities(info.filename) from None
    except expat.ExpatError as exc:
        raise ctx.damaged(info.filename, f"XML error: {exc}") from None
    return True


def _token_too_long(ctx: _Ctx, part: str, limit: int) -> WorkbookRejected:
    return ctx.reject(
        f"部件 {part} 含有超过 {_mib(limit)} 的单个 XML 标记、注释或文本（文件已损坏或被恶意构造）",
        f"part {part} contains a single XML tag, comment or text longer than {_mib(limit)} "
        "(file damaged or crafted)",
        expected=f"XML tokens ≤ {_mib(limit)}",
        found=f"> {_mib(limit)} without '>'",
    )


def _split(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition("}")
    return ns, local


class _AttrScan:
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
        local = _split(name)[1]
        if local in self.wanted:
            if len(self.found) >= self.cap:
                self.over = True
                raise _StopParsing
            self.found.append((local, attrs))


class _WorkbookScan:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.sheets: list[tuple[str, str, str | None]] = []  # name, state, r:id
        self.defined_names = 0
        self.extensions = 0
        self.part = DEFAULT_WORKBOOK
        self.over: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = _split(name)
        if ns in MAIN_NS and local == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith("}id")), None)
            self.sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            if len(self.sheets) > self.limits.max_sheets:
                self.over = "sheets"
                raise _StopParsing
        elif ns in MAIN_NS and local == "definedName":
            self.defined_names += 1
            if self.defined_names > self.limits.max_defined_names:
                self.over = "names"
                raise _StopParsing
        elif local == "ext":
            self.extensions += 1


_C_NAMES = frozenset(f"{ns}}}c" for ns in MAIN_NS)
_ROW_NAMES = frozenset(f"{ns}}}row" for ns in MAIN_NS)
_F_NAMES = frozenset(f"{ns}}}f" for ns in MAIN_NS)
_DIM_NAMES = frozenset(f"{ns}}}dimension" for ns in MAIN_NS)
_EXT_NAMES = frozenset(f"{ns}}}ext" for ns in MAIN_NS)


class _SheetScan:
    """Stream a worksheet: claimed dimension, real extent, cell counts, lossy extensions.

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

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in _C_NAMES:
            self._cell(attrs.get("r"))
        elif name in _ROW_NAMES:
            self._close_row()
            r = attrs.get("r")
            if r is None:
                self.row += 1
            elif r.isdigit() and 1 <= int(r) <= EXCEL_MAX_ROWS:
                self.row = int(r)
            else:
                self.bad_ref = f"row {r}"
                raise _StopParsing
            self.col = 0
            self.row_has_cells = False
        elif name in _F_NAMES:
            self.formulas += 1
        elif name in _DIM_NAMES:
            if self.dimension is None:
                self.dimension = attrs.get("ref", "")
        elif name in _EXT_NAMES:
            if attrs.get("uri", "") not in _COUNTED_EXT_URIS:
                self.other_ext += 1
        elif name.startswith(X14_NS):
            local = _split(name)[1]
            if local == "sparkline":
                self.sparklines += 1
            elif local == "dataValidation":
                self.x14_validations += 1
            elif local == "conditionalFormatting":
                self.x14_conditional += 1

    def _close_row(self) -> None:
        """Note a formatted row without cells beyond the row limit (called at the next row)."""
        if not self.row_has_cells and self.row > self.limits.max_rows and not self.far_empty_row:
            self.far_empty_row = self.row

    def finish(self) -> None:
        self._close_row()

    def _cell(self, ref: str | None) -> None:
        if ref is None:
            row, col = self.row or 1, self.col + 1
        else:
            m = _CELL_RE.match(ref)
            if m is None:
                self.bad_ref = ref
                raise _StopParsing
            letters = m.group(1)
            col = _COL_CACHE.get(letters) or _col_index(letters)
            row = int(m.group(2))
            if not (0 < row <= EXCEL_MAX_ROWS and 0 < col <= EXCEL_MAX_COLS):
                self.bad_ref = ref
                raise _StopParsing
        self.col = col
        self.cells += 1
        if not self.row_has_cells:
            self.row_has_cells = True
            self.rows += 1
        if self.cells > self.cell_budget:
            self.over = "total" if self.over_is_total else "sheet"
            raise _StopParsing
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


class _SharedStringsScan:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.declared = 0
        self.rich = 0
        self._in_rich = False
        self.over = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = _split(name)
        if ns not in MAIN_NS:
            return
        if local == "si":
            self.count += 1
            self._in_rich = False
            if self.count > self.limits.max_shared_strings:
                self.over = True
                raise _StopParsing
        elif local == "r" and not self._in_rich:
            self._in_rich = True
            self.rich += 1
        elif local == "sst":
            value = attrs.get("uniqueCount", "")
            self.declared = int(value) if value.isdigit() else 0
            if self.declared > self.limits.max_shared_strings:
                self.over = True
                raise _StopParsing


class _DrawingScan:
    def __init__(self) -> None:
        self.shapes = 0
        self.textboxes = 0
        self.pictures = 0
        self.charts = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = _split(name)
        if ns == XDR_NS:
            if local in ("sp", "cxnSp"):
                self.shapes += 1
            elif local == "pic":
                self.pictures += 1
            elif local == "cNvSpPr" and attrs.get("txBox") in ("1", "true"):
                self.textboxes += 1
        elif ns == CHART_NS and local == "chart":
            self.charts += 1


# ---------------------------------------------------------------------------------------------
# The pre-flight
# ---------------------------------------------------------------------------------------------
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]


def preflight(
    source: Source,
    *,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
) -> PreflightReport:
    """Inspect a workbook before any spreadsheet library touches it.

    ``source`` is a path, the raw bytes (e.g. an upload widget's ``content``) or a binary file
    object; ``name`` is the file name shown in messages (default: the path's basename).
    Raises :class:`WorkbookRejected` with Chinese + English messages when the file is not a
    readable, safe ``.xlsx`` within ``limits``; otherwise returns a :class:`PreflightReport`.
    Memory use is bounded by ``limits.chunk_bytes`` per part (plus the zip directory).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        ctx = _Ctx(name or os.path.basename(path) or path, limits)
        fh = _open_path(ctx, path)
        with fh:
            size = os.fstat(fh.fileno()).st_size
            return _preflight_stream(ctx, fh, size, path)
    if isinstance(source, (bytes, bytearray, memoryview)):
        ctx = _Ctx(name or "workbook.xlsx", limits)
        view = memoryview(source)
        if view.nbytes > limits.max_file_bytes:
            raise _too_big(ctx, view.nbytes)
        return _preflight_stream(ctx, io.BytesIO(view.tobytes()), view.nbytes, ctx.name)
    if hasattr(source, "read") and hasattr(source, "seek"):
        display = (
            name or os.path.basename(str(getattr(source, "name", "") or "")) or "workbook.xlsx"
        )
        ctx = _Ctx(display, limits)
        total = source.seek(0, io.SEEK_END)
        source.seek(0)
        return _preflight_stream(ctx, source, total, display)
    raise TypeError(
        f"preflight() needs a path, bytes or a binary file, not {type(source).__name__}"
    )


def _too_big(ctx: _Ctx, size: int) -> WorkbookRejected:
    return ctx.reject(
        f"文件过大：{_mib(size)}，上限为 {_mib(ctx.limits.max_file_bytes)}",
        f"the file is too large: {_mib(size)}; the limit is {_mib(ctx.limits.max_file_bytes)}",
        expected=f"≤ {_mib(ctx.limits.max_file_bytes)}",
        found=_mib(size),
    )


def _open_path(ctx: _Ctx, path: str) -> IO[bytes]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ctx.reject(
            "找不到文件，请检查路径和文件名",
            "file not found; check the folder and the file name",
            expected="an existing .xlsx file",
            found=path,
        ) from None
    except OSError as exc:
        raise ctx.reject(
            f"无法访问文件：{exc.strerror}",
            f"cannot access the file: {exc.strerror}",
            expected="a readable .xlsx file",
            found=path,
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise ctx.reject(
            "这是一个文件夹，不是 Excel 文件",
            "this is a folder, not an Excel file",
            expected="an .xlsx file",
            found=f"folder {path}",
        )
    if is_lock_file_name(path):
        base = os.path.basename(path)
        real = base[2:] if base.startswith("~$") else base[len(".~lock.") : -1]
        raise ctx.reject(
            f"这是 Excel/LibreOffice 的锁定文件（表示 {real} 正被打开），不是工作簿；"
            f"请选择 {real} 本身",
            f"this is an Excel/LibreOffice lock file (it means {real} is open), not a workbook; "
            f"choose {real} itself",
            expected="a workbook",
            found=f"lock file {base}",
        )
    if not stat.S_ISREG(st.st_mode):
        raise ctx.reject(
            "不是普通文件（可能是管道或设备）",
            "not a regular file (a pipe or a device?)",
            expected="a regular .xlsx file",
            found=path,
        )
    if st.st_size > ctx.limits.max_file_bytes:
        raise _too_big(ctx, st.st_size)
    try:
        return open(path, "rb")  # closed by the caller's with-block
    except OSError as exc:
        raise ctx.reject(
            f"无法打开文件：{exc.strerror}",
            f"cannot open the file: {exc.strerror}",
            expected="a readable .xlsx file",
            found=path,
        ) from None


def _check_magic(ctx: _Ctx, fh: IO[bytes], size: int) -> None:
    fh.seek(0)
    sample = fh.read(512)
    head = sample[:8]
    fh.seek(0)
    if size == 0 or not head:
        raise ctx.reject(
            "文件为空（0 字节），可能保存或复制未完成",
            "the file is empty (0 bytes); saving or copying it may not have finished",
            expected="an .xlsx file",
            found="0 bytes",
        )
    if size > ctx.limits.max_file_bytes:
        raise _too_big(ctx, size)
    hex_text, text = _show_bytes(head)
    shown = f'{hex_text} "{text}"'
    if head.startswith(OLE2_MAGIC):
        raise ctx.reject(
            "工作簿已加密（设置了打开密码）或为旧版 .xls 格式；"
            "请在 Excel 中取消密码，或“另存为” .xlsx",
            "the workbook is encrypted (password-protected) or in the old .xls format; "
            "remove the password / Save As .xlsx in Excel",
            expected="an unencrypted .xlsx (zip) file",
            found=f"OLE2 file, first bytes {shown}",
        )
    if not head.startswith(ZIP_MAGICS):
        hint_zh, hint_en = _not_zip_hint(sample)
        raise ctx.reject(
            f"{ctx.name} 不是有效的 Excel (.xlsx) 文件（前 8 个字节：{shown}）"
            + (f"；{hint_zh}" if hint_zh else ""),
            f"{ctx.name} is not a valid Excel .xlsx file (first 8 bytes: {shown})"
            + (f"; {hint_en}" if hint_en else ""),
            expected='an .xlsx zip package starting with 50 4B 03 04 "PK.."',
            found=shown,
        )


def _check_end_record(ctx: _Ctx, fh: IO[bytes], size: int) -> None:
    """Refuse a huge zip directory before zipfile builds one object per entry."""
    tail_len = min(size, 22 + 65_535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    fh.seek(0)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return  # zipfile will report the damage
    entries, cd_size = struct.unpack("<HI", tail[pos + 10 : pos + 16])
    loc = pos - 20
    zip64 = entries == 0xFFFF or cd_size == 0xFFFFFFFF
    if zip64 and loc >= 0 and tail[loc : loc + 4] == b"PK\x06\x07":
        # zip64 locator -> zip64 end record, which holds the real counts
        (offset,) = struct.unpack("<Q", tail[loc + 8 : loc + 16])
        if offset < size:
            fh.seek(offset)
            record = fh.read(56)
            fh.seek(0)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack("<QQ", record[32:48])
    # each entry is 46 bytes + its name; names of parts are short (1 KiB is generous)
    if entries != 0xFFFF and entries > ctx.limits.max_parts:
        raise _too_many_parts(ctx, entries)
    if cd_size != 0xFFFFFFFF and cd_size > ctx.limits.max_parts * (46 + 1024):
        raise _too_many_parts(ctx, cd_size // 46)


def _too_many_parts(ctx: _Ctx, n: int) -> WorkbookRejected:
    return ctx.reject(
        f"文件包内部件过多（{n:,} 个），上限为 {ctx.limits.max_parts:,}",
        f"too many parts in the package ({n:,}); the limit is {ctx.limits.max_parts:,}",
        expected=f"≤ {ctx.limits.max_parts:,} parts",
        found=f"{n:,} parts",
    )


def _check_sizes(ctx: _Ctx, infos: list[zipfile.ZipInfo], size: int) -> int:
    lim = ctx.limits
    if len(infos) > lim.max_parts:
        raise _too_many_parts(ctx, len(infos))
    seen: set[str] = set()
    total = 0
    for info in infos:
        part = info.filename
        if part in seen:
            raise ctx.damaged(part, f"two parts are named {part}")
        seen.add(part)
        if info.flag_bits & 0x1:
            raise ctx.reject(
                f"部件 {part} 被加密，无法读取；请在 Excel 中取消密码后另存为 .xlsx",
                f"part {part} is encrypted; remove the password in Excel and Save As .xlsx",
                expected="unencrypted parts",
                found="zip encryption",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ctx.damaged(part, f"unsupported zip compression method {info.compress_type}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > lim.max_part_bytes:
            ctx.issue(
                f"部件 {part} 声明的解压后大小为 {_mib(info.file_size)}，超过单个部件上限 "
                f"{_mib(lim.max_part_bytes)}（可能是压缩炸弹，或工作表异常巨大）",
                f"part {part} declares {_mib(info.file_size)} uncompressed, above the per-part "
                f"limit of {_mib(lim.max_part_bytes)} (possible zip bomb, or an unusually "
                "large sheet)",
                expected=f"≤ {_mib(lim.max_part_bytes)}",
                found=f"{_mib(info.file_size)} from {_mib(info.compress_size)} compressed",
            )
        elif info.file_size > lim.ratio_min_bytes and ratio > lim.max_ratio:
            ctx.issue(
                f"部件 {part} 的压缩比为 {ratio:,.0f}:1（{_mib(info.compress_size)} 解压为 "
                f"{_mib(info.file_size)}），超过上限 {lim.max_ratio:,.0f}:1（可能是压缩炸弹）",
                f"part {part} has a compression ratio of {ratio:,.0f}:1 "
                f"({_mib(info.compress_size)} expands to {_mib(info.file_size)}), above the "
                f"limit of {lim.max_ratio:,.0f}:1 (possible zip bomb)",
                expected=f"≤ {lim.max_ratio:,.0f}:1",
                found=f"{ratio:,.0f}:1",
            )
    ctx.raise_if_issues()
    if total > lim.max_total_bytes:
        largest = sorted(infos, key=lambda i: i.file_size, reverse=True)[:3]
        names = ", ".join(f"{i.filename} {_mib(i.file_size)}" for i in largest)
        raise ctx.reject(
            f"所有部件声明的解压后总大小为 {_mib(total)}，超过上限 {_mib(lim.max_total_bytes)}"
            f"（可能是压缩炸弹）；最大的部件：{names}",
            f"all parts together declare {_mib(total)} uncompressed, above the limit of "
            f"{_mib(lim.max_total_bytes)} (possible zip bomb); largest parts: {names}",
            expected=f"≤ {_mib(lim.max_total_bytes)}",
            found=_mib(total),
        )
    overall = total / max(size, 1)
    if total > lim.ratio_min_bytes and overall > lim.max_ratio:
        raise ctx.reject(
            f"文件整体压缩比为 {overall:,.0f}:1（{_mib(size)} 解压为 {_mib(total)}），超过上限 "
            f"{lim.max_ratio:,.0f}:1（可能是压缩炸弹）",
            f"the file as a whole has a compression ratio of {overall:,.0f}:1 ({_mib(size)} "
            f"expands to {_mib(total)}), above the limit of {lim.max_ratio:,.0f}:1 "
            "(possible zip bomb)",
            expected=f"≤ {lim.max_ratio:,.0f}:1",
            found=f"{overall:,.0f}:1",
        )
    return total


def _not_package(ctx: _Ctx, missing: str, names: set[str], zf: zipfile.ZipFile) -> WorkbookRejected:
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


def _preflight_stream(ctx: _Ctx, fh: IO[bytes], size: int, path: str) -> PreflightReport:
    _check_magic(ctx, fh, size)
    _check_end_record(ctx, fh, size)
    try:
        zf = zipfile.ZipFile(fh)
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, struct.error, UnicodeDecodeError, ...
        raise ctx.damaged(None, f"{type(exc).__name__}: {exc}") from None
    with zf:
        return _inspect_package(ctx, zf, size, path)


def _too_many_entries(ctx: _Ctx, part: str, cap: int) -> WorkbookRejected:
    return ctx.reject(
        f"部件 {part} 的条目过多（超过 {cap:,} 个），文件已损坏或被恶意构造",
        f"part {part} has too many entries (more than {cap:,}); the file is damaged or crafted",
        expected=f"≤ {cap:,} entries",
        found=f"> {cap:,}",
    )


def _is_xml_part(part: str, content_type: str) -> bool:
    return part.lower().endswith(_XML_SUFFIXES) or content_type.endswith(("+xml", "/xml"))


def _rels_path(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _resolve_target(rels_part: str, target: str) -> str:
    """Resolve a relationship target the way openpyxl does (``get_dependents``)."""
    if target.startswith("/"):
        return target[1:]
    parent = posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(parent, target))


def _inspect_package(ctx: _Ctx, zf: zipfile.ZipFile, size: int, path: str) -> PreflightReport:
    lim = ctx.limits
    infos = zf.infolist()
    total = _check_sizes(ctx, infos, size)
    by_name = {i.filename: i for i in infos}
    names = set(by_name)
    done: set[str] = set()

    def consume(part: str, handler: Any | None = None) -> bool:
        done.add(part)
        info = by_name[part]
        return _consume(
            ctx, zf, info, xml=_is_xml_part(part, content_type_of(part)), handler=handler
        )

    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}

    def content_type_of(part: str) -> str:
        if part in overrides:
            return overrides[part]
        return defaults.get(posixpath.splitext(part)[1].lstrip(".").lower(), "")

    # [Content_Types].xml -> which part is the workbook
    if CONTENT_TYPES not in names:
        raise _not_package(ctx, CONTENT_TYPES, names, zf)
    entry_cap = 4 * lim.max_parts + 100
    ct_scan = _AttrScan(entry_cap, "Default", "Override")
    consume(CONTENT_TYPES, ct_scan)
    if ct_scan.over:
        raise _too_many_entries(ctx, CONTENT_TYPES, entry_cap)
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
        raise _not_package(ctx, workbook_part or DEFAULT_WORKBOOK, names, zf)

    # workbook.xml and its relationships -> sheets
    wb_scan = _WorkbookScan(lim)
    wb_scan.part = workbook_part
    consume(workbook_part, wb_scan)
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
    wb_rels_part = _rels_path(workbook_part)
    rels: dict[str, tuple[str, str, str]] = {}  # Id -> (type, resolved target, mode)
    if wb_rels_part in names:
        rel_scan = _AttrScan(entry_cap, "Relationship")
        consume(wb_rels_part, rel_scan)
        if rel_scan.over:
            raise _too_many_entries(ctx, wb_rels_part, entry_cap)
        for _, attrs in rel_scan.found:
            mode = attrs.get("TargetMode", "Internal")
            target = attrs.get("Target", "")
            resolved = target if mode == "External" else _resolve_target(wb_rels_part, target)
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
    lossy_counts: dict[str, list[Any]] = {}

    def lossy(key: str, count: int, part: str) -> None:
        if count:
            entry = lossy_counts.setdefault(key, [0, []])
            entry[0] += count
            if part not in entry[1]:
                entry[1].append(part)

    for sheet_name, part, kind, state in sheet_parts:
        if kind == "chartsheet":
            consume(part)
            sheets.append(SheetInfo(sheet_name, part, kind, state, None, None, 0, 0, 0, 0, 0))
            continue
        scan = _SheetScan(lim, total_cells)
        consume(part, scan)
        scan.finish()
        total_cells += scan.cells
        _sheet_issues(ctx, sheet_name, scan)
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
            )
        )
        if scan.over == "total":
            break
    ctx.raise_if_issues()

    # shared strings
    sst_parts = {p for p, t in overrides.items() if t == CT_SHARED_STRINGS}
    sst_parts |= {t for (typ, t, _m) in rels.values() if typ.endswith("/sharedStrings")}
    shared_strings = 0
    for part in sorted(sst_parts & names):
        sst = _SharedStringsScan(lim)
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

    # drawings, then every other part (CRC + DTD scan)
    for part in sorted(names - done):
        if part.startswith("xl/drawings/") and part.endswith(".xml") and "/_rels/" not in part:
            drawing = _DrawingScan()
            consume(part, drawing)
            lossy("shapes", drawing.shapes, part)
            lossy("textboxes", drawing.textboxes, part)
            lossy("pictures", drawing.pictures, part)
            lossy("charts", drawing.charts, part)
    external: list[str] = []
    for part in sorted(names - done):
        if part.startswith("xl/externalLinks/_rels/") and part.endswith(".rels"):
            scan_links = _AttrScan(entry_cap, "Relationship")
            consume(part, scan_links)
            if scan_links.over:
                raise _too_many_entries(ctx, part, entry_cap)
            external += [a.get("Target", "") for _, a in scan_links.found]
        else:
            consume(part)
    ctx.raise_if_issues()

    _part_features(names, lossy, wb_scan)
    has_vba = any(p.lower() == "xl/vbaproject.bin" for p in names)
    features = tuple(
        LossyFeature(key, count, tuple(parts), *_FEATURE_LABELS[key])
        for key, (count, parts) in sorted(
            lossy_counts.items(), key=lambda kv: _FEATURE_ORDER[kv[0]]
        )
    )
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


def _parse_dimension(ref: str) -> tuple[int, int] | None:
    """Bottom-right (row, col) of a ``<dimension ref>``; None if unreadable."""
    last = ref.split(":")[-1].strip()
    parsed = _parse_ref(last)
    if parsed is None or not _in_grid(*parsed):
        return None
    return parsed


def _sheet_issues(ctx: _Ctx, sheet: str, scan: _SheetScan) -> None:
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
    if scan.far_empty_row:
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


_FEATURE_LABELS: dict[str, tuple[str, str]] = {
    "vba": ("VBA 宏", "VBA macros"),
    "shapes": ("形状/文本框", "shapes/text boxes"),
    "textboxes": ("文本框", "text boxes"),
    "pictures": (
        "图片（属性可能丢失；未安装 Pillow 时全部丢失）",
        "pictures (properties may be lost; all lost without Pillow)",
    ),
    "images": ("图片文件", "image files"),
    "charts": ("图表（格式可能改变）", "charts (formatting may change)"),
    "sparklines": ("迷你图", "sparklines"),
    "x14_validations": (
        "扩展数据验证（如引用其他工作表的下拉列表）",
        "x14 data validations (e.g. drop-down lists from other sheets)",
    ),
    "x14_conditional_formats": (
        "扩展条件格式（数据条、图标集）",
        "x14 conditional formats (data bars, icon sets)",
    ),
    "extensions": ("其他 Excel 扩展 (extLst)", "other Excel extensions (extLst)"),
    "slicers": ("切片器", "slicers"),
    "timelines": ("日程表", "timelines"),
    "pivot_tables": (
        "数据透视表/缓存（扩展与刷新状态可能丢失）",
        "pivot tables/caches (extensions and refresh state may be lost)",
    ),
    "threaded_comments": ("会话式批注", "threaded comments"),
    "comments": ("批注（框的大小和显示状态会丢失）", "comments (box size and visibility are lost)"),
    "in_cell_pictures": ("单元格内图片/数据类型", "in-cell pictures/data types"),
    "dynamic_arrays": ("动态数组元数据", "dynamic-array metadata"),
    "form_controls": ("表单控件", "form controls"),
    "checkboxes": ("复选框", "checkboxes"),
    "embedded_objects": ("嵌入对象/ActiveX", "embedded objects/ActiveX"),
    "custom_xml": ("自定义 XML 部件", "custom XML parts"),
    "rich_text": (
        "富文本格式（仅 rich_text=True 时保留）",
        "rich text formatting (kept only with rich_text=True)",
    ),
    "formula_cache": (
        "公式的缓存结果（保存后需 Excel 重新计算）",
        "cached formula results (lost on save until Excel recalculates)",
    ),
}
_FEATURE_ORDER = {key: i for i, key in enumerate(_FEATURE_LABELS)}

# part-name prefix -> feature key
_PART_FEATURES = (
    ("xl/vbaProject.bin", "vba"),
    ("xl/media/", "images"),
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelineCaches/", "timelines"),
    ("xl/pivotCache/", "pivot_tables"),
    ("xl/pivotTables/", "pivot_tables"),
    ("xl/threadedComments/", "threaded_comments"),
    ("xl/richData/", "in_cell_pictures"),
    ("xl/metadata.xml", "dynamic_arrays"),
    ("xl/ctrlProps/", "form_controls"),
    ("xl/featurePropertyBag/", "checkboxes"),
    ("xl/embeddings/", "embedded_objects"),
    ("xl/activeX/", "embedded_objects"),
    ("customXml/", "custom_xml"),
)


_COMMENTS_PART = re.compile(r"^xl/(comments/)?comments?\d*\.xml$")  # Excel / openpyxl naming


def _part_features(
    names: set[str], lossy: Callable[[str, int, str], None], wb: _WorkbookScan
) -> None:
    for part in sorted(names):
        if "/_rels/" in part:
            continue
        for prefix, key in _PART_FEATURES:
            if part.startswith(prefix):
                lossy(key, 1, part)
                break
        else:
            if _COMMENTS_PART.match(part):
                lossy("comments", 1, part)
    lossy("extensions", wb.extensions, wb.part)


# ---------------------------------------------------------------------------------------------
# defusedxml
# ---------------------------------------------------------------------------------------------
def assert_defusedxml_active() -> None:
    """Fail loudly unless openpyxl parses XML through defusedxml (it refuses every DTD).

    openpyxl silently falls back to the stdlib parser when defusedxml is missing or when
    ``OPENPYXL_DEFUSEDXML`` is set to anything but "True"; then only the expat version stands
    between a planner's file and an entity-expansion attack.
    """
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a hard dependency
        raise RuntimeError("openpyxl is not installed: pip install 'openpyxl>=3.1.2'") from exc
    if getattr(openpyxl, "DEFUSEDXML", False) is True:
        return
    env = os.environ.get("OPENPYXL_DEFUSEDXML")
    try:
        import defusedxml  # noqa: F401

        have = True
    except ImportError:
        have = False
    steps = []
    if not have:
        steps.append("pip install 'defusedxml>=0.7.1'")
    if env is not None and env != "True":
        steps.append(f"unset OPENPYXL_DEFUSEDXML (currently {env!r})")
    steps.append("restart Python / the Jupyter kernel")
    raise RuntimeError(
        "openpyxl 未启用 defusedxml，读取工作簿不安全 / openpyxl is not using defusedxml, so "
        "reading workbooks is unsafe. Fix: " + "; ".join(steps)
    )
