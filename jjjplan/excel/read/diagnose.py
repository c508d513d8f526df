"""Say why openpyxl could not load a workbook that the pre-flight accepted, at sheet!cell.

Why a module of its own: this runs only on the failure path, and it reads the worksheet XML
directly instead of through openpyxl, to find the stored values openpyxl chokes on — a number
cell whose text is not a number, or a shared-string index past the table's end — so the
planner is told which cell is damaged rather than just "the file could not be opened".
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from jjjplan.errors import Issue
from jjjplan.excel.guard.preflight import PreflightReport

__all__ = ["diagnose"]


class _CellScan:
    """Find the stored cell values openpyxl cannot load: a number cell whose text is not a
    number (case 12) and a shared-string index past the table's end (case 13)."""

    def __init__(self, sheet: str, strings: int, issue: Callable[..., Issue]) -> None:
        self.sheet, self.strings, self.issue = sheet, strings, issue
        self.found: list[Issue] = []
        self.ref: str | None = None
        self.kind = "n"
        self.text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "c":
            self.ref, self.kind = attrs.get("r"), attrs.get("t", "n")
        elif local == "v" and self.ref:
            self.text = []

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, name: str) -> None:
        if name.rpartition("}")[2] != "v" or self.text is None:
            return
        value, self.text = "".join(self.text), None
        where = (self.sheet, self.ref)
        if not value:  # openpyxl reads an empty <v/> as an empty cell
            return
        if self.kind in ("n", "b"):
            try:
                float(value) if any(ch in value for ch in ".eE") else int(value)
            except ValueError:
                self.found.append(
                    self.issue(where, None, "stored_not_number", "数字 number", repr(value))
                )
        elif self.kind == "s":
            index = int(value) if value.strip().isdigit() else -1
            if not 0 <= index < self.strings:
                self.found.append(
                    self.issue(
                        where,
                        None,
                        "bad_shared_string",
                        f"< {self.strings}",
                        value,
                        index=value,
                        count=self.strings,
                    )
                )
        if len(self.found) >= 50:
            raise StopIteration


def diagnose(path: Path, report: PreflightReport, issue: Callable[..., Issue]) -> list[Issue]:
    """Why openpyxl could not load a file the pre-flight accepted, at sheet!cell if we can
    tell. The pre-flight already bounded every part and refused DTDs, so a plain expat
    stream over the worksheets is safe here."""
    found: list[Issue] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in report.sheets:
                if info.kind != "worksheet":
                    continue
                scan = _CellScan(info.name, report.shared_strings, issue)
                parser = expat.ParserCreate(namespace_separator="}")
                parser.StartElementHandler = scan.start
                parser.EndElementHandler = scan.end
                parser.CharacterDataHandler = scan.data
                with contextlib.suppress(StopIteration), zf.open(info.part) as fh:
                    parser.ParseFile(fh)
                found += scan.found
    except (OSError, zipfile.BadZipFile, expat.ExpatError, KeyError, ValueError):
        pass
    return found
