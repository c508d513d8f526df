"""Open a workbook that passed the guard with openpyxl, once, for its saved cell values.

Why a module of its own: reading is one openpyxl pass (``data_only``: the saved results;
which cells hold formulas comes from the pre-flight's pass, see
:class:`~jjjplan.excel.guard.xmlscan.SheetScan`), and that pass skips what no reader looks
at: cell comments. The template carries a help note on nearly every input cell, and parsing
them into objects cost about a fifth of openpyxl's load. Everything else (cells, merges,
Tables, defined names, row visibility) is openpyxl's own reading, unchanged.
"""

from __future__ import annotations

import os
import zipfile
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.reader.excel import ExcelReader

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


class _ValuesReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's workbook reader, reading comments parts as empty."""

    def read_manifest(self) -> None:
        super().read_manifest()
        comments = {
            o.PartName.lstrip("/")
            for o in self.package.Override
            if o.ContentType == CommentSheet.mime_type
        }
        if comments:
            self.archive = _ArchiveWithoutComments(self.archive, comments)


def load_values(source: str | os.PathLike[str] | IO[bytes]) -> Workbook:
    """The workbook with saved values (``data_only``), as ``openpyxl.load_workbook`` loads
    it but without cell comments."""
    reader = _ValuesReader(source, read_only=False, data_only=True)
    reader.read()
    return reader.wb
