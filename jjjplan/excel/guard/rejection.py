"""How a pre-flight check says no: the per-run issue collector and message formatting.

Why: every check (file, zip container, XML stream, sheet extent) reports through the same
:class:`CheckContext`, which collects planner-facing :class:`~jjjplan.errors.Issue` objects
(Chinese + English) and turns them into one :class:`~jjjplan.errors.WorkbookRejected`. The
wording shared by several checks (damaged file, DTD refused, sizes, raw bytes) lives here
so that it is written once.
"""

from __future__ import annotations

import codecs
from typing import Any

from jjjplan.errors import Issue, WorkbookRejected
from jjjplan.excel.guard.limits import KiB, Limits, MiB

__all__ = ["CheckContext", "looks_like_text", "mib", "show_bytes"]


def mib(n: float) -> str:
    """Human size with the exact byte count, e.g. ``150.0 MiB (157,286,400 bytes)``."""
    if n < KiB:
        return f"{int(n):,} bytes"
    if n < MiB:
        return f"{n / KiB:,.1f} KiB ({int(n):,} bytes)"
    return f"{n / MiB:,.1f} MiB ({int(n):,} bytes)"


_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13}) | {127}


def looks_like_text(data: bytes) -> bool:
    return bool(data) and not any(b in _CONTROL_BYTES for b in data)


def show_bytes(head: bytes) -> tuple[str, str]:
    """The bytes as hex, and as text (UTF-8 or GB18030 if they look like text, else ASCII)."""
    hex_text = " ".join(f"{b:02X}" for b in head)
    text = ""
    if looks_like_text(head):
        for enc in ("utf-8", "gb18030"):
            try:
                text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
                break
            except UnicodeDecodeError:
                continue
    if not text:
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in head)
    return hex_text, "".join(ch if ch.isprintable() else "." for ch in text)


class CheckContext:
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
