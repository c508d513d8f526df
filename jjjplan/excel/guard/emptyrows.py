"""Formatted rows without cells, compacted before any XML parser sees them.

Why: a planner who formats whole rows makes Excel write one ``<row r=… s=… customFormat=…/>``
per row; 948,576 of them are a 2 MB file that cost openpyxl minutes and gigabytes (one
RowDimension per row) although they hold no data. :class:`EmptyRowCompactor` is a streaming
byte filter that replaces every run of consecutive cell-less rows by one bare ``<row r="N"/>``
(the run's last row number, so a following row without ``r`` keeps its number), counting what
it dropped. The pre-flight feeds worksheets through it; the reader gives openpyxl the same
compacted parts (:func:`compacted_package`), so the work is bounded by the real cells.

It is exact on well-formed XML: ``<`` cannot occur inside a tag, so everything before the last
``<`` of the buffer is complete markup. A run containing a row without ``r`` is left as it is,
and the filter switches itself off for the rest of a part that holds a CDATA section (where
``<row/>`` could be text).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable

from jjjplan.excel.guard.xmlstream import StopParsing

__all__ = ["EmptyRowCompactor", "TooManyRows", "compacted_package"]

_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
# a row start tag whose attributes hold no "<" or ">" (Excel's never do; a row that hides
# ">" in a quoted value is simply not compacted, and still counts towards the row limit)
_EMPTY_ROW = rb"<(" + _NAME + rb")row\s[^<>]*(?:/>|>\s*</" + _NAME + rb"row\s*>)"
_ONE = re.compile(_EMPTY_ROW)
# A run of them. Both forms begin with a literal "<" outside any group, which lets the regex
# engine jump from candidate to candidate (a leading group made it try every byte: ~16 ms
# for a 64 KB sheet); rows written without a namespace prefix, as every spreadsheet program
# writes them, get the pattern that begins with the literal "<row" (0.1 ms).
_PLAIN_ROW = rb"<row\s[^<>]*(?:/>|>\s*</row\s*>)"
_RUN_PLAIN = re.compile(_PLAIN_ROW + rb"\s*(?:" + _PLAIN_ROW + rb"\s*)*")
_RUN_ANY = re.compile(_EMPTY_ROW + rb"\s*(?:" + _EMPTY_ROW + rb"\s*)*")
_PREFIXED_ROW = re.compile(rb":row\s")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']\s*([0-9]{1,7})\s*["']""")
_CDATA = b"<![CDATA["


class TooManyRows(StopParsing):
    """More row elements than the limit: stop before any parser spends time on them."""


class EmptyRowCompactor:
    """Streaming filter: ``feed(chunk)`` returns the bytes to parse, ``flush()`` the rest.

    ``max_rows`` bounds the number of row elements (with or without cells) a part may hold;
    they are counted at C speed before compaction and :class:`TooManyRows` is raised as soon
    as the count passes it."""

    def __init__(self, max_rows: int | None = None) -> None:
        self.max_rows = max_rows
        self.row_tags = 0
        self.over = False
        self.carry = b""
        self.off = False
        self.dropped = 0  # rows removed
        self.empty_rows = 0  # rows without cells seen (each run keeps one, bare)
        self.first = 0  # row number of the first removed row
        self.last = 0  # row number of the last row of a compacted run

    def feed(self, chunk: bytes) -> bytes:
        self._count(chunk)
        data = self.carry + chunk
        if self.off:
            self.carry = b""
            return data
        cut = data.rfind(b"<")
        if cut <= 0:
            self.carry = data
            return b""
        head, self.carry = data[:cut], data[cut:]
        if _CDATA in head:
            self.off = True
            return head
        return _compact_runs(self._compact, head)

    def _count(self, chunk: bytes) -> None:
        # "<row" and "<x:row " start tags; a tag cut by the chunk edge is missed, never
        # counted twice, so the count is a lower bound off by at most one per MiB
        self.row_tags += chunk.count(b"<row") + chunk.count(b":row ")
        if self.max_rows is not None and self.row_tags > self.max_rows:
            self.over = True
            raise TooManyRows

    def flush(self) -> bytes:
        rest, self.carry = self.carry, b""
        if self.off or _CDATA in rest:
            return rest
        return _compact_runs(self._compact, rest)

    def _compact(self, match: re.Match[bytes]) -> bytes:
        run = match.group(0)
        rows = run.count(b"<") - run.count(b"</")
        if run.count(b' r="') != rows:  # unusual spelling, or a row without r: look closely
            numbers = [_row_number(m.group(0)) for m in _ONE.finditer(run)]
            if None in numbers:  # the rows after a row without r count from it: keep all
                return run
        else:
            first = _R_ATTR.search(run)
            last = _R_ATTR.search(run, run.rfind(b' r="') - 1)
            numbers = [int(first.group(1)), int(last.group(1))]  # type: ignore[union-attr]
        if not self.first:
            self.first = numbers[0]  # type: ignore[assignment]
        self.last = max(self.last, numbers[-1])  # type: ignore[type-var]
        self.dropped += rows - 1
        self.empty_rows += rows
        prefix = _ONE.match(run).group(1)  # type: ignore[union-attr]
        return b"<" + prefix + b'row r="' + str(numbers[-1]).encode() + b'"/>'


def _compact_runs(compact: Callable[[re.Match[bytes]], bytes], data: bytes) -> bytes:
    """``data`` with each run of empty rows replaced by ``compact(run)``."""
    runs = _RUN_ANY if _PREFIXED_ROW.search(data) else _RUN_PLAIN
    return runs.sub(compact, data)


def _row_number(row: bytes) -> int | None:
    found = _R_ATTR.search(row, 0, row.find(b">") + 1)
    return int(found.group(1)) if found else None


def compacted_package(path: str, parts: Iterable[str], chunk: int = 1 << 20) -> io.BytesIO:
    """An in-memory copy of the package at ``path`` whose ``parts`` went through the
    compactor; every other part is copied unchanged. For openpyxl, after the pre-flight."""
    wanted = set(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in wanted:
                zout.writestr(info, zin.read(info), compress_type=zipfile.ZIP_DEFLATED)
                continue
            compactor = EmptyRowCompactor()
            with zin.open(info) as src, zout.open(info.filename, "w") as dst:
                while block := src.read(chunk):
                    dst.write(compactor.feed(block))
                dst.write(compactor.flush())
    out.seek(0)
    return out
