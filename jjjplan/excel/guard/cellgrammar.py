"""The grammar Excel uses for what a worksheet stores, checked before openpyxl parses it.

Why: openpyxl turns a stored ``<v>`` into a number with Python's ``int()``/``float()``, which
also accept Arabic-Indic digits (``٣``), underscores (``1_0``), Unicode spaces (NBSP) and
words (``infinity``) — values Excel and LibreOffice show differently or refuse. Excel reads
``<v>`` of a number cell as an XML Schema ``double`` (whitespace-collapsed) and a shared
string reference as an unsigned index, so that is what is accepted here. The range helpers
measure a reference (``A1:XFD1048576``, ``C:C``, ``3:5``) in cells without building it, so
the pre-flight can bound what a hyperlink or merge would make openpyxl create.
"""

from __future__ import annotations

import re

from jjjplan.excel.guard.limits import EXCEL_MAX_COLS, EXCEL_MAX_ROWS

__all__ = ["area", "cell_count", "is_stored_index", "is_stored_number"]

_WS = "[ \t\r\n]*"  # XML Schema "collapse": only these four are whitespace
_DOUBLE = re.compile(
    _WS + r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)" + _WS
)
_INDEX = re.compile(_WS + "[0-9]{1,10}" + _WS)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?")


def is_stored_number(text: str) -> bool:
    """True if ``text`` is an XML Schema double (ASCII digits, optional sign, exponent,
    INF/NaN) with only XML whitespace around it."""
    return _DOUBLE.fullmatch(text) is not None


def is_stored_index(text: str) -> bool:
    """True if ``text`` is a shared-string index Excel accepts (unsigned ASCII digits)."""
    return _INDEX.fullmatch(text) is not None


def _col(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


def area(ref: str) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of ``A1``, ``A1:C3``, ``C:C`` or
    ``3:5`` (``$`` allowed); None if it is not a reference inside the Excel grid."""
    ends = []
    for part in ref.strip().split(":"):
        m = _CELL.fullmatch(part.strip())
        if m is None or not (m.group(1) or m.group(2)):
            return None
        ends.append((m.group(1), m.group(2)))
    if len(ends) == 1:
        ends.append(ends[0])
    if len(ends) != 2:
        return None
    (c1, r1), (c2, r2) = ends
    if (c1 is None) != (c2 is None) or (r1 is None) != (r2 is None):
        return None
    rows = (int(r1), int(r2)) if r1 else (1, EXCEL_MAX_ROWS)
    cols = (_col(c1), _col(c2)) if c1 else (1, EXCEL_MAX_COLS)
    top, bottom = sorted(rows)
    left, right = sorted(cols)
    if top < 1 or left < 1 or bottom > EXCEL_MAX_ROWS or right > EXCEL_MAX_COLS:
        return None
    return top, left, bottom, right


def cell_count(ref: str) -> int | None:
    """Number of cells a reference (or a space-separated list of them) covers."""
    total = 0
    for one in ref.split():
        box = area(one)
        if box is None:
            return None
        top, left, bottom, right = box
        total += (bottom - top + 1) * (right - left + 1)
    return total
