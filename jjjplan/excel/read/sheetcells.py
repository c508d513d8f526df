"""A worksheet's cells in one expat pass, with openpyxl's own cell rules.

Why a module of its own: openpyxl parses a sheet through a pure-Python ElementTree builder and
builds an object per inline string; for a template-sized workbook that was about two thirds
of reading it. Here one expat pass reads the ``<sheetData>`` cells, each turned into a value
by openpyxl's own :meth:`WorkSheetParser.parse_cell` (numbers, booleans, dates by style,
errors, shared strings: the same code, so the same answers), and hands openpyxl the sheet
with only the cells taken out, so everything else of the sheet (rows' settings, merges,
Tables, validations, views …) is still openpyxl's own reading, warnings and errors included.

Only the plain shape Excel, WPS and LibreOffice write is read here: rows of ``<c>`` holding
``<v>``, ``<f>`` or an ``<is>`` with a single ``<t>``, in UTF-8. Anything else in the sheet
data (rich inline text, phonetic runs, extension lists, unusual encodings, XML errors …)
raises :class:`Unsupported`, and the caller gives the sheet to openpyxl unchanged, so the
two paths never have to agree on anything but the plain shape (tests compare them).

Usually even that pass is spared: the pre-flight, which streams every sheet anyway, keeps
the plain cells' stored text (:mod:`jjjplan.excel.guard.cellcapture`);
:func:`captured_cells` turns them into values and :func:`without_cells` takes them out of
the XML. :func:`read_sheet_cells` is for sheets the pre-flight kept nothing of.
"""

from __future__ import annotations

import re
from typing import Any
from xml.parsers import expat

from openpyxl.worksheet._reader import INLINE_STRING, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from jjjplan.excel.guard.xmlscan import CELL as _C
from jjjplan.excel.guard.xmlscan import FORMULA as _F
from jjjplan.excel.guard.xmlscan import INLINE as _IS
from jjjplan.excel.guard.xmlscan import ROW as _ROW
from jjjplan.excel.guard.xmlscan import SHEET_DATA as _SHEET_DATA
from jjjplan.excel.guard.xmlscan import TEXT as _T
from jjjplan.excel.guard.xmlscan import VALUE as _V

__all__ = ["SheetCells", "Unsupported", "captured_cells", "read_sheet_cells", "without_cells"]

_SEP = "}"
_OPENING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_ENCODING = re.compile(rb"^<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")


class Unsupported(Exception):
    """The sheet data is not in the plain shape read here: let openpyxl read the sheet."""


class _CellElement:
    """The one ``<c>`` element :meth:`WorkSheetParser.parse_cell` is given: its attributes
    and the text of its first ``<v>`` (``""`` for an empty one, None when absent)."""

    __slots__ = ("attrib", "text")

    def __init__(self, attrib: dict[str, str]) -> None:
        self.attrib, self.text = attrib, None

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrib.get(key, default)

    def findtext(self, tag: str, default: Any = None) -> Any:
        assert tag == VALUE_TAG
        return default if self.text is None else self.text

    def find(self, tag: str) -> None:
        assert tag == INLINE_STRING  # inline strings are answered by the caller
        return None


class SheetCells:
    """The expat handler: the cells (as ``parse_cell`` returns them, in document order),
    the rows' attributes, and where ``<sheetData>`` starts and ends in the bytes."""

    def __init__(self, parser: Any, cell_parser: WorkSheetParser) -> None:
        self.expat = parser
        self.cell_parser = cell_parser
        self.cells: list[dict[str, Any]] = []
        self.rows: list[dict[str, str]] = []
        self.depth = 0
        self.data_depth = 0  # depth of <sheetData> while inside it, else 0
        self.span: tuple[int, int] | None = None
        self.start_at = -1
        self.cell: _CellElement | None = None
        self.text: list[str] | None = None  # text of the open <v> or <t>
        self.inline: list[str] | None = None  # <t> texts of the open <is>
        self.in_formula = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        level = self.depth - self.data_depth if self.data_depth else 0
        if not self.data_depth:
            if name == _SHEET_DATA and self.depth == 2 and self.span is None:
                self.data_depth, self.start_at = self.depth, self.expat.CurrentByteIndex
            elif name in (_ROW, _SHEET_DATA):  # openpyxl reads rows wherever they are
                raise Unsupported(name)
        elif level == 1 and name == _ROW:
            self._row(attrs)
        elif level == 2 and name == _C:
            self.cell = _CellElement(attrs)
        elif level == 3 and self.cell is not None and name == _V:
            if self.cell.text is None:
                self.text = []
        elif level == 3 and name == _F:
            self.in_formula = True
        elif level == 3 and name == _IS and self.inline is None:
            self.inline = []
        elif level == 4 and name == _T and self.inline is not None and not self.inline:
            self.text = []
        else:  # rich text, phonetic runs, extensions, a second <is> or <t> …
            raise Unsupported(name)

    def end(self, name: str) -> None:
        level = self.depth - self.data_depth if self.data_depth else 0
        self.depth -= 1
        if not self.data_depth:
            return
        if level == 3 and name == _V and self.text is not None:
            self.cell.text = "".join(self.text)  # type: ignore[union-attr]
            self.text = None
        elif level == 4 and name == _T:
            self.inline.append("".join(self.text or ()))  # type: ignore[union-attr]
            self.text = None
        elif level == 3 and name == _F:
            self.in_formula = False
        elif level == 2:
            self._cell()
        elif level == 0:  # </sheetData>
            end = self.expat.CurrentByteIndex
            self.span, self.data_depth = (self.start_at, end), 0

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)
        elif self.cell is not None and not self.in_formula and data.strip():
            raise Unsupported("mixed content")  # text between elements of a cell

    def _row(self, attrs: dict[str, str]) -> None:
        """The row counters as :meth:`WorkSheetParser.parse_row` sets them."""
        parser = self.cell_parser
        if "r" in attrs:
            try:
                parser.row_counter = int(attrs["r"])
            except ValueError:
                value = float(attrs["r"])
                if not value.is_integer():
                    raise Unsupported("row number") from None
                parser.row_counter = int(value)
        else:
            parser.row_counter += 1
        parser.col_counter = 0
        self.rows.append(attrs)

    def _cell(self) -> None:
        element, self.cell = self.cell, None
        inline, self.inline = self.inline, None
        cell = self.cell_parser.parse_cell(element)
        if cell["data_type"] == "inlineStr" and inline is not None:
            # openpyxl: Text.from_tree(<is>).content, the one <t>'s text ("" without one)
            cell["data_type"], cell["value"] = "s", inline[0] if inline else ""
        self.cells.append(cell)


def read_sheet_cells(data: bytes, cell_parser: WorkSheetParser) -> tuple[list[dict], bytes]:
    """The cells of the worksheet XML ``data`` and the same XML without them (rows kept,
    with their attributes), for openpyxl to read the rest. Raises :class:`Unsupported` for
    sheet data not in the plain shape (see the module docstring)."""
    head = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).lstrip()
    declared = _ENCODING.match(head)
    if not head.startswith(b"<") or (
        declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")
    ):
        raise Unsupported("encoding")
    parser = expat.ParserCreate(namespace_separator=_SEP)
    handler = SheetCells(parser, cell_parser)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unsupported("XML") from exc
    if handler.span is None or not handler.cells:
        raise Unsupported("no cells")  # nothing to gain
    start, end_tag = handler.span
    end = data.find(b">", end_tag)
    if end < 0 or not (_OPENING.match(data, start) and data.startswith(b"</", end_tag)):
        raise Unsupported("sheetData")
    return handler.cells, data[:start] + _rows_only(handler.rows) + data[end + 1 :]


#: A ``<c>`` element as stored, for taking the cells the pre-flight kept out of the XML.
#: Exact on the parts it is used on: no comments, CDATA or processing instructions (the
#: pre-flight keeps no cells of such a part), so ``<c`` and ``</c>`` are only ever tags.
_CELL_ELEMENT = re.compile(rb"<c(?=[\s/>])[^>]*?(?:/>|>.*?</c\s*>)", re.S)
_R_ATTR = re.compile(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def captured_cells(captured: Any, cell_parser: WorkSheetParser) -> list[dict[str, Any]]:
    """The cells the pre-flight kept (:mod:`jjjplan.excel.guard.cellcapture`), each turned
    into a value by openpyxl's :meth:`WorkSheetParser.parse_cell`, in document order."""
    cells = []
    row_at = -1
    for row_index, row_counter, attrs, value, inline in captured:
        if row_index != row_at:  # a new <row>: as WorkSheetParser.parse_row sets them
            row_at = row_index
            cell_parser.row_counter, cell_parser.col_counter = row_counter, 0
        element = _CellElement(attrs)
        element.text = value
        cell = cell_parser.parse_cell(element)
        if cell["data_type"] == "inlineStr" and inline is not None:
            cell["data_type"], cell["value"] = "s", inline
        cells.append(cell)
    return cells


def without_cells(data: bytes, captured: Any) -> bytes:
    """The worksheet XML ``data`` with the kept cells' elements taken out (rows and all else
    kept). Raises :class:`Unsupported` unless exactly those cells, in that order, were
    found (e.g. cells written with a namespace prefix)."""
    head = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).lstrip()
    declared = _ENCODING.match(head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")
    found: list[str | None] = []

    def take(match: re.Match[bytes]) -> bytes:
        tag = match.group(0)
        r = _R_ATTR.search(tag, 0, tag.find(b">") + 1)
        found.append(None if r is None else (r.group(1) or r.group(2) or b"").decode())
        return b""

    rest = _CELL_ELEMENT.sub(take, data)
    if found != [attrs.get("r") for _i, _n, attrs, _v, _t in captured]:
        raise Unsupported("cells")
    return rest


def _rows_only(rows: list[dict[str, str]]) -> bytes:
    """``<sheetData>`` holding the rows with their attributes and no cells."""
    spaces: dict[str, str] = {}
    parts = []
    for attrs in rows:
        items = []
        for key, value in attrs.items():
            uri, _, local = key.rpartition(_SEP)
            if uri:
                prefix = spaces.setdefault(uri, f"n{len(spaces)}")
                key = f"{prefix}:{local}"
            items.append(f' {key}="{_attr(value)}"')
        parts.append(f"<row{''.join(items)}/>")
    declared = "".join(f' xmlns:{p}="{_attr(uri)}"' for uri, p in spaces.items())
    head = f'<sheetData xmlns="{SHEET_MAIN_NS}"{declared}>'
    return (head + "".join(parts) + "</sheetData>").encode("utf-8")


def _attr(value: str) -> str:
    """An attribute value escaped so that expat reads back exactly ``value``."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )
