"""Error types shared by the whole package.

Planners must be able to act on every message without a developer, so each problem is an
:class:`Issue` that names the file, the sheet and the cell, says what was expected and what
was found, and carries the message in Chinese and English. Problems are collected and raised
together in one :class:`ValidationError` so a planner can fix a workbook in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SEVERITIES", "Issue", "ValidationError", "WorkbookRejected"]

SEVERITIES = ("error", "notice")

# Excel quotes a sheet name in a reference when it holds anything but letters, digits, "_"
# and "." (CJK characters count as letters), or when it starts with a digit.
_NEEDS_QUOTES = re.compile(r"[^\w.]|^\d")


def _sheet_ref(sheet: str) -> str:
    """Return the sheet name as Excel would write it in front of ``!``."""
    if _NEEDS_QUOTES.search(sheet):
        return "'" + sheet.replace("'", "''") + "'"
    return sheet


@dataclass(frozen=True)
class Issue:
    """One problem (or, with ``severity="notice"``, one normalisation) found in a workbook."""

    workbook: str
    sheet: str | None
    cell: str | None
    field: str | None
    expected: str
    found: str
    message_zh: str
    message_en: str
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")

    def location(self) -> str:
        """Where the problem is, e.g. ``plan.xlsx › 需求计划!B7 [数量]``; omits missing parts."""
        parts = []
        if self.workbook:
            parts.append(self.workbook)
        if self.sheet is not None and self.cell:
            parts.append(f"{_sheet_ref(self.sheet)}!{self.cell}")
        elif self.sheet is not None:
            parts.append(self.sheet)
        elif self.cell:
            parts.append(self.cell)
        text = " › ".join(parts)
        if self.field:
            text = f"{text} [{self.field}]" if text else f"[{self.field}]"
        return text

    def __str__(self) -> str:
        head = self.location()
        text = f"{head}: " if head else ""
        message = f"{self.message_zh} / {self.message_en}"
        text += message
        detail = self.detail(message)
        if detail:
            text += f" ({detail})"
        return text

    def detail(self, message: str | None = None) -> str:
        """ "expected …; found …", leaving out what the message already says, so a message
        does not repeat itself in its tail."""
        message = f"{self.message_zh} / {self.message_en}" if message is None else message
        parts = []
        if self.expected and not _said(self.expected, message):
            parts.append(f"expected {self.expected}")
        if self.found and self.found not in _NOTHING and not _said(self.found, message):
            parts.append(f"found {self.found}")
        return "; ".join(parts)


#: "found" values that only say a value is absent; the message says that better.
_NOTHING = frozenset({"缺失 missing", "空 empty", "missing", "empty"})
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def _said(text: str, message: str) -> bool:
    """Whether ``text`` (or the English of its first clause) is already in ``message``."""
    if text in message:
        return True
    first = re.split(r"[,，;；(（]", text, maxsplit=1)[0]
    english = _CJK.sub(" ", first).strip()
    return len(english) >= 3 and english in message


def _partition(items: Iterable[Issue]) -> tuple[tuple[Issue, ...], tuple[Issue, ...]]:
    errors: list[Issue] = []
    notices: list[Issue] = []
    for item in items:
        if not isinstance(item, Issue):
            raise TypeError(f"expected Issue, got {type(item).__name__}")
        (notices if item.severity == "notice" else errors).append(item)
    return tuple(errors), tuple(notices)


class ValidationError(Exception):
    """Every problem found in one run, so the planner can fix them all at once.

    Issues are split by severity: ``issues`` holds only errors and ``notices`` only notices,
    whichever argument they were passed in.
    """

    header_zh = "发现 {n} 个问题"
    header_en = "{n} problem(s) found"

    def __init__(self, issues: Iterable[Issue], notices: Iterable[Issue] = ()) -> None:
        errors, notes = _partition([*issues, *notices])
        self.issues: tuple[Issue, ...] = errors
        self.notices: tuple[Issue, ...] = notes
        # args are what pickle passes back to __init__, so this survives a subprocess.
        super().__init__(errors, notes)

    def __str__(self) -> str:
        n = len(self.issues)
        lines = [f"{self.header_zh.format(n=n)} / {self.header_en.format(n=n)}"]
        lines += [f"  - {issue}" for issue in self.issues]
        if self.notices:
            k = len(self.notices)
            lines.append(f"{k} 条提示 / {k} notice(s)")
            lines += [f"  - {notice}" for notice in self.notices]
        return "\n".join(lines)


class WorkbookRejected(ValidationError):
    """The file was refused before it was parsed (damaged, unsafe, or over a limit)."""

    header_zh = "工作簿未被读取（{n} 个问题）"
    header_en = "workbook refused ({n} problem(s))"
