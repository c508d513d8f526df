"""Open a workbook that passed the guard with openpyxl, once, for its saved cell values.

Why a module of its own: reading is one openpyxl pass (``data_only``: the saved results;
which cells hold formulas comes from the pre-flight's pass, see
:class:`~jjjplan.excel.guard.xmlscan.SheetScan`), and that pass skips what no reader looks
at: cell comments. The template carries a help note on nearly every input cell, and parsing
them into objects cost about a fifth of openpyxl's load. Each worksheet's cells are read by
one expat pass with openpyxl's own cell rules (:mod:`~jjjplan.excel.read.sheetcells`, about
a third of the cost of openpyxl's ElementTree parse); a sheet not in the plain shape that
pass reads is read by openpyxl whole. Everything else (merges, Tables, defined names, row
visibility, styles) is openpyxl's own reading, unchanged.
"""

from __future__ import annotations

import io
import os
import sys
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.relationship import RelationshipList, get_dependents, get_rels_path
from openpyxl.pivot.table import TableDefinition
from openpyxl.reader.drawings import find_images
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._reader import WorkSheetParser, WorksheetReader
from openpyxl.worksheet.table import Table
from openpyxl.xml.constants import COMMENTS_NS
from openpyxl.xml.functions import fromstring

from jjjplan.excel.guard.cellcapture import CapturedCell
from jjjplan.excel.read.sheetcells import captured_cells, read_sheet_cells, without_cells

__all__ = ["load_values"]

#: What a comments part reads as: a well-formed part with no comment in it.
_NO_COMMENTS = (
    b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<authors/><commentList/></comments>"
)


class _ArchiveWithoutComments:
    """The workbook's zip archive as openpyxl sees it, with every comments part empty."""

    def __init__(self, archive: zipfile.ZipFile, comment_parts: set[str]) -> None:
        self._archive = archive
        self._comment_parts = comment_parts

    def read(self, name: Any, *args: Any, **kwargs: Any) -> bytes:
        if isinstance(name, str) and name.lstrip("/") in self._comment_parts:
            return _NO_COMMENTS
        return self._archive.read(name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)


class _FastCellsReader(WorksheetReader):  # type: ignore[misc]
    """openpyxl's worksheet reader, with the cells taken from the pre-flight's kept text
    (``captured``) or read by one expat pass
    (:func:`~jjjplan.excel.read.sheetcells.read_sheet_cells`) when the sheet data has the
    plain shape, and everything else of the sheet read by openpyxl from the XML without
    them. Any other sheet is read by openpyxl whole."""

    def __init__(
        self,
        ws: Any,
        xml_source: IO[bytes],
        shared_strings: Any,
        data_only: bool,
        rich: bool,
        captured: Any = None,
    ) -> None:
        data = xml_source.read()
        self.fast_cells: list[dict[str, Any]] | None = None
        self.fast_warnings: list[warnings.WarningMessage] = []
        if data_only and not rich:
            wb = ws.parent
            cells = WorkSheetParser(
                None,
                shared_strings,
                data_only,
                wb.epoch,
                wb._date_formats,
                wb._timedelta_formats,
                rich,
            )
            try:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    if captured is not None:  # kept by the pre-flight
                        rest = without_cells(data, captured)
                        self.fast_cells, data = captured_cells(captured, cells), rest
                    else:
                        self.fast_cells, data = read_sheet_cells(data, cells)
                self.fast_warnings = seen
            except MemoryError:
                raise
            except Exception:  # Unsupported, or damage openpyxl's own parse meets and names
                self.fast_cells = None
        super().__init__(ws, io.BytesIO(data), shared_strings, data_only, rich)

    def bind_cells(self) -> None:
        if self.fast_cells is None:
            super().bind_cells()
            return
        registry = vars(sys.modules[WorkSheetParser.__module__]).setdefault(
            "__warningregistry__", {}
        )
        for w in self.fast_warnings:  # where openpyxl's parse of the cells would give them
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, registry=registry)
        for _row in self.parser.parse():  # rows without cells: their settings only
            pass
        ws = self.ws
        styles, cells = ws.parent._cell_styles, ws._cells
        for cell in self.fast_cells:  # as WorksheetReader.bind_cells does
            c = Cell(
                ws, row=cell["row"], column=cell["column"], style_array=styles[cell["style_id"]]
            )
            c._value = cell["value"]
            c.data_type = cell["data_type"]
            cells[(cell["row"], cell["column"])] = c
        if cells:
            ws._current_row = ws.max_row


class _ValuesReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader, reading comments parts as empty and cells through
    :class:`_FastCellsReader`."""

    def read_manifest(self) -> None:
        super().read_manifest()
        comments = {
            o.PartName.lstrip("/")
            for o in self.package.Override
            if o.ContentType == CommentSheet.mime_type
        }
        if comments:
            self.archive = _ArchiveWithoutComments(self.archive, comments)

    def read_worksheets(self) -> None:
        """openpyxl 3.1's ``ExcelReader.read_worksheets`` (read-write mode), with
        :class:`_FastCellsReader` as the worksheet reader."""
        comment_warning = (
            "Cell '{0}':{1} is part of a merged range but has a comment which will be "
            "removed because merged cells cannot contain any data."
        )
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            rels_path = get_rels_path(rel.target)
            rels = RelationshipList()
            if rels_path in self.valid_files:
                rels = get_dependents(self.archive, rels_path)
            fh = self.archive.open(rel.target)
            ws = self.wb.create_sheet(sheet.name)
            ws._rels = rels
            ws_parser = _FastCellsReader(
                ws,
                fh,
                self.shared_strings,
                self.data_only,
                self.rich_text,
                self.captured.get(rel.target),
            )
            ws_parser.bind_all()
            fh.close()
            for r in rels.find(COMMENTS_NS):  # read as empty (see _ArchiveWithoutComments)
                src = self.archive.read(r.target)
                comment_sheet = CommentSheet.from_tree(fromstring(src))
                for ref, comment in comment_sheet.comments:
                    try:
                        ws[ref].comment = comment
                    except AttributeError:
                        c = ws[ref]
                        if isinstance(c, MergedCell):
                            warnings.warn(
                                comment_warning.format(ws.title, c.coordinate), stacklevel=2
                            )
                            continue
            if self.wb.vba_archive and ws.legacy_drawing:
                ws.legacy_drawing = rels.get(ws.legacy_drawing).target
            else:
                ws.legacy_drawing = None
            for t in ws_parser.tables:
                src = self.archive.read(t)
                ws.add_table(Table.from_tree(fromstring(src)))
            for drawing in rels.find(SpreadsheetDrawing._rel_type):
                charts, images = find_images(self.archive, drawing.target)
                for c in charts:
                    ws.add_chart(c, c.anchor)
                for im in images:
                    ws.add_image(im, im.anchor)
            pivot_caches = self.parser.pivot_caches
            for r in rels.find(TableDefinition.rel_type):
                pivot = TableDefinition.from_tree(fromstring(self.archive.read(r.Target)))
                pivot.cache = pivot_caches[pivot.cacheId]
                ws.add_pivot(pivot)
            ws.sheet_state = sheet.state


def load_values(
    source: str | os.PathLike[str] | IO[bytes],
    captured: Mapping[str, Sequence[CapturedCell]] | None = None,
) -> Workbook:
    """The workbook with saved values (``data_only``), as ``openpyxl.load_workbook`` loads
    it but without cell comments. ``captured``: the cells the pre-flight kept, by sheet part
    (``preflight(..., cells=True)``), so those sheets are not parsed again."""
    reader = _ValuesReader(source, read_only=False, data_only=True)
    reader.captured = dict(captured or {})
    reader.read()
    return reader.wb
