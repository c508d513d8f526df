"""Read a planner's scenario workbook into a validated :class:`Scenario`, or report every problem.

Why this shape: planners insert rows, reorder them, move blocks and add sheets, so inputs are
found only by Excel Table name and defined name, and Table columns by header (see
:mod:`jjjplan.workbook.layout`). Nothing in the file is trusted: each cell is parsed strictly
(text numbers only where unambiguous, each normalisation reported as a notice), all problems
are collected with workbook, sheet, cell and Scenario field, and range checks come from
:func:`jjjplan.scenario.validate`, mapped back to the cell each value was read from.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers import expat

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.baseline import units
from jjjplan.chains import CHAINS, PROVINCES
from jjjplan.errors import Issue, ValidationError, WorkbookRejected, _sheet_ref
from jjjplan.scenario import (
    LEVERS,
    PATHWAYS,
    ChainFilling,
    GrowthPoles,
    Innovation,
    Milestones,
    Pathways,
    Reform,
    Scenario,
    ScenarioError,
    assumption_bounds,
)
from jjjplan.workbook import layout as L
from jjjplan.workbook.preflight import PreflightReport, preflight, run_isolated

__all__ = ["MESSAGES", "WorkbookReading", "read_workbook", "read_workbook_report", "scenario_cells"]

YEARS = ("y2025", "y2030", "y2035")
_NUMBER = re.compile(
    r"^([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[+-]?\.[0-9]+)\s?(%?)$", re.ASCII
)
_OVERRIDE_RANGE = (1e-6, 1e7)
_EXCEL_TEXT_LIMIT = 32_767  # characters per cell, counted in UTF-16 units like Excel
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Why a text is not a number, for a message the planner can act on (see _number_hint).
_CHINESE_NUMERALS = frozenset("〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億兩")
_CURRENCY = ("¥", "$", "€", "£", "₩", "RMB", "CNY", "USD", "US$")
_NON_FINITE = frozenset({"nan", "inf", "infinity", "-inf", "+inf", "-infinity", "+infinity"})
_EXPONENT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$", re.ASCII)
_SEPARATED = re.compile(r"^[+-]?[0-9][0-9.,]*%?$", re.ASCII)
_WITH_SUFFIX = re.compile(r"^[+-]?[0-9][0-9.,]*\s*(.+)$", re.ASCII | re.S)
_ACCOUNTING = re.compile(r"^\(\s*[0-9][0-9.,]*\s*\)$", re.ASCII)
# Programs whose saved formula results are current (they recalculate before saving).
_RECALCULATING_APPS = ("Microsoft Excel", "Microsoft Macintosh Excel", "LibreOffice")
_EXTERNAL_REF = re.compile(r"\[\d+\]")
_FIX_NAME = (
    "请在 公式 > 名称管理器 中重新定义，或把数据复制到新模板中",
    "re-create it in Formulas > Name Manager, or copy your values into a fresh template",
)
_FIX_TABLE = (
    "请在 表设计 > 表名称 中改回原名，或把数据复制到新模板中",
    "rename it back in Table Design > Table Name, or copy your values into a fresh template",
)

#: Every message a planner can see, (Chinese, English), filled in with ``str.format``.
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable": ("文件无法打开：{detail}", "the file could not be opened: {detail}"),
    "excel_error": ("单元格包含 Excel 错误 {found}", "the cell contains the Excel error {found}"),
    "no_cache": (
        "公式没有保存的计算结果——请在 Excel/LibreOffice 中打开并保存该文件",
        "formula without a cached value — open and save the file in Excel/LibreOffice",
    ),
    "empty": ("此单元格不能为空", "this cell must not be empty"),
    "not_number": ("这里应填数字，实际为 {found}", "expected a number, found {found}"),
    "no_percent": (
        "这里应填数字，此处不接受百分号，实际为 {found}",
        "expected a number (a percent sign is not allowed here), found {found}",
    ),
    "not_bool": (
        "这里应填 TRUE 或 FALSE（是/否），实际为 {found}",
        "expected TRUE or FALSE, found {found}",
    ),
    "not_choice": (
        "这里应填 {expected} 之一，实际为 {found}",
        "expected one of {expected}, found {found}",
    ),
    "not_text": ("这里应填文本，实际为 {found}", "expected text, found {found}"),
    "bad_name": (
        "名称 {name} 指向无效位置 {found}；"
        "请在 公式 > 名称管理器 中把它指向“{label_zh}”的取值单元格",
        "defined name {name} points nowhere valid ({found}); point it at the value cell of "
        "'{label_en}' in Formulas > Name Manager",
    ),
    "range_name": (
        "名称 {name} 指向区域 {found}，应只指向一个单元格",
        "defined name {name} refers to the range {found}; it must refer to one cell",
    ),
    "missing_sheet": (
        "缺少工作表“{sheet}”（其中应有：{names}）；请从新模板（jjjplan template）复制该工作表",
        "sheet '{sheet}' is missing (it should hold: {names}); copy it from a fresh template "
        "(jjjplan template)",
    ),
    "missing_table": (
        f"工作表“{{sheet}}”中缺少表格 {{name}}；{_FIX_TABLE[0]}",
        f"Excel Table {{name}} is missing (expected on sheet '{{sheet}}'); {_FIX_TABLE[1]}",
    ),
    "missing_name": (
        f"工作表“{{sheet}}”中缺少名称 {{name}}；{_FIX_NAME[0]}",
        f"defined name {{name}} is missing (expected on sheet '{{sheet}}'); {_FIX_NAME[1]}",
    ),
    "no_header_row": (
        "表格 {name} 没有标题行；请在 表设计 中勾选“标题行”",
        "Table {name} has no header row; turn on Header Row in Table Design",
    ),
    "dup_header": (
        "表头“{expected}”出现两次（{found}）；请删除或改名其中一列",
        "header '{expected}' appears twice ({found}); delete or rename one of the columns",
    ),
    "missing_column": (
        "表格 {name} 缺少列“{expected}”（表头被删除或改名）；请把表头改回“{expected}”",
        "Table {name} has no column '{expected}' (header deleted or renamed); rename the "
        "header back to '{expected}'",
    ),
    "unknown_key": (
        "未知的{what_zh} {found}；应为：{expected}",
        "unknown {what_en} {found}; expected one of: {expected}",
    ),
    "dup_row": (
        "{found} 出现了多次；请删除重复行",
        "{found} appears more than once; delete the duplicate row",
    ),
    "missing_row": (
        "表格 {name} 缺少 {expected} 行；请补上该行",
        "Table {name} has no row for {expected}; add it back",
    ),
    "version": (
        "模板版本 {found} 与本程序（{expected}）不兼容；请把数据复制到新模板中",
        "template version {found} is not supported (this is {expected}); copy your values "
        "into a fresh template",
    ),
    "weights_sum": (
        "增长极权重合计应为 100%（±0.1 个百分点），实际为 {found}（单元格 {cells}）",
        "growth-pole weights must sum to 100% (±0.1 point); they sum to {found} (cells {cells})",
    ),
    "weights_bj": (
        "除北京外至少需要一个增长极有权重（疏解增加值需要去处）",
        "at least one pole other than Beijing needs a weight (relocated value added needs a "
        "destination)",
    ),
    "range": (
        "{label_zh}应在 {expected} 之间，实际为 {found}",
        "{label_en} must be in {expected}, found {found}",
    ),
    "whole": (
        "{label_zh}应为整数，实际为 {found}",
        "{label_en} must be a whole number, found {found}",
    ),
    "invalid": ("{label_zh}：情景参数无效（{detail}）", "{label_en}: {detail}"),
    "not_number_hint": (
        "这里应填数字，实际为 {found}（{hint_zh}）",
        "expected a number, found {found} ({hint_en})",
    ),
    "stored_not_number": (
        "文件中保存的值 {found} 不是数字（文件已损坏，或由有缺陷的工具写入）",
        "stored value {found} is not a number (file damaged or written by a faulty tool)",
    ),
    "bad_shared_string": (
        "引用了第 {index} 条文本，但工作簿只有 {count} 条（文件已损坏）",
        "refers to text #{index} but the workbook has {count} (file damaged)",
    ),
    "too_long": (
        "文本长度为 {n:,} 个字符，Excel 每个单元格最多 32,767 个",
        "text is {n:,} characters, Excel allows 32,767",
    ),
    "control_char": (
        "文本含有控制字符 U+{cp:04X}，Excel 文件无法保存；请删除",
        "the text contains the control character U+{cp:04X}, which an Excel file cannot hold; "
        "remove it",
    ),
    "rounded_id": (
        "数字 {found} 超过 15 位有效数字，Excel 已将其舍入；请以文本形式输入（先输入 ' ）",
        "the number {found} has more than 15 significant digits, so Excel has already rounded "
        "it; store it as text (type ' first)",
    ),
    "dup_sheet": (
        "工作表“{a}”和“{b}”的名称只差大小写，Excel 视为同名；请改名其中一个",
        "sheets '{a}' and '{b}' differ only in case, which Excel treats as the same name; "
        "rename one",
    ),
    "chartsheet": (
        "“{sheet}”是图表工作表，不是数据工作表；请把数据工作表改回这个名称",
        "'{sheet}' is a chart sheet, not a data sheet; give the data sheet this name again",
    ),
    "merged": (
        "单元格 {found} 已合并；请取消合并并在每一行填写",
        "{found} is merged; unmerge and fill each row",
    ),
}
#: Hints for a text that is not a number: (Chinese, English).
HINTS: dict[str, tuple[str, str]] = {
    "chinese": (
        "不会自动转换中文数字，请输入阿拉伯数字",
        "Chinese numerals are not converted; type the digits",
    ),
    "ambiguous": (
        "千位/小数分隔符有歧义，不猜测地区格式；小数点请用“.”，千位分隔符用“,”",
        "ambiguous separators; the locale is not guessed — use '.' for decimals and ',' only "
        "for thousands",
    ),
    "accounting": (
        "括号表示的负数不被接受，请写成 -1234",
        "accounting negatives in brackets are not accepted; write -1234",
    ),
    "currency": (
        "请去掉货币符号，单位见批注",
        "remove the currency symbol; the unit is in the cell's note",
    ),
    "unit": ("请去掉单位，单位见批注", "remove the unit; the unit is in the cell's note"),
    "underscore": ("不接受下划线分隔", "underscores are not accepted in numbers"),
    "exponent": (
        "不接受科学计数法，请写出完整数字",
        "scientific notation is not accepted; write the number out",
    ),
    "not_finite": ("不是有限的数字", "not a finite number"),
    "digits": ("只接受数字 0–9", "only the digits 0–9 are accepted"),
}
NOTES: dict[str, tuple[str, str]] = {
    "text_number": (
        "文本 {found} 已按数字 {value} 读取",
        "text {found} read as the number {value}",
    ),
    "text_word": ("文本 {found} 已按 {value} 读取", "text {found} read as {value}"),
    "number_text": ("数字 {found} 已按文本读取", "the number {found} was read as text"),
    "default_row": (
        "表格 {name} 缺少 {expected} 行，使用默认值",
        "Table {name} has no row for {expected}; the default value is used",
    ),
    "text_normalised": (
        "文本 {found} 已规范化为 {value}（换行符统一、_xHHHH_ 转义已解码）",
        "text {found} was normalised to {value} (line breaks unified, _xHHHH_ decoded)",
    ),
    "sheet_matched": (
        "工作表“{wanted}”不存在，已按名称相近的工作表“{sheet}”读取（忽略空格、全半角和大小写）",
        "sheet '{wanted}' not found; read '{sheet}' instead, which matches it when spaces, "
        "width and case are ignored",
    ),
    "hidden_sheet": (
        "工作表“{sheet}”已隐藏（{state}），仍按输入读取",
        "sheet '{sheet}' is hidden ({state}); its inputs were read anyway",
    ),
    "hidden_rows": (
        "表格 {name} 中有 {n} 行被隐藏或筛选掉，仍已读取",
        "Table {name}: {n} hidden or filtered row(s) were included",
    ),
    "filter": (
        "表格 {name} 设置了筛选；所有行均已读取",
        "Table {name} has an active filter; all its rows were read",
    ),
    "external_link": (
        "工作簿链接了外部文件 {targets}；单元格 {cells} 中的值是上次保存的副本，可能已过时"
        "（不会打开外部文件）",
        "the workbook links to the external file {targets}; the values in {cells} are copies "
        "saved earlier and may be out of date (the linked file is never opened)",
    ),
    "external_link_unused": (
        "工作簿链接了外部文件 {targets}；没有输入单元格使用它（不会打开外部文件）",
        "the workbook links to the external file {targets}; no input cell uses it (the linked "
        "file is never opened)",
    ),
    "stale": (
        "工作簿最后由 {app} 保存，公式单元格 {cells} 的计算结果可能已过时；"
        "请在 Excel 中打开并保存后再读取",
        "the workbook was last saved by {app}; the formula results in {cells} may be out of "
        "date — open and save it in Excel first",
    ),
}


@dataclass(frozen=True)
class WorkbookReading:
    """What one read found: the scenario (None when there are errors), the errors, the
    notices (accepted normalisations) and the sheet and cell each Scenario field came from."""

    scenario: Scenario | None
    issues: tuple[Issue, ...]
    notices: tuple[Issue, ...]
    cells: Mapping[str, tuple[str, str]]


def read_workbook(path: str | os.PathLike[str], *, isolated: bool = True) -> Scenario:
    """The validated Scenario in ``path``; raises ValidationError listing every problem.

    ``isolated`` (default) parses in a separate process limited in memory and time
    (:func:`jjjplan.workbook.preflight.run_isolated`), so a hostile file can never take down
    the caller (a Jupyter kernel, the CLI); ``isolated=False`` parses in this process.
    """
    reading = read_workbook_report(path, isolated=isolated)
    if reading.issues or reading.scenario is None:
        raise ValidationError(reading.issues, reading.notices)
    return reading.scenario


def read_workbook_report(path: str | os.PathLike[str], *, isolated: bool = True) -> WorkbookReading:
    """Read ``path`` without raising for content problems, so callers can show notices or
    annotate cells. WorkbookRejected is still raised for a file that is not a safe .xlsx,
    and when an isolated parse exceeds its memory or time limit."""
    if isolated:
        text = os.fspath(path)
        return run_isolated(_read_report, text, workbook=os.path.basename(text))
    return _read_report(path)


def _read_report(path: str | os.PathLike[str]) -> WorkbookReading:
    report = preflight(path)
    reader = _Reader(Path(path), report)
    reader.notices.extend(report.notices)
    return reader.read()


def scenario_cells(path: str | os.PathLike[str]) -> dict[str, str]:
    """Scenario field path → ``sheet!cell`` (or range) it is read from, e.g. for annotating."""
    cells = read_workbook_report(path).cells
    return {field: f"{s}!{c}" if c else s for field, (s, c) in cells.items()}


# --- strict cell parsing -------------------------------------------------------------------
class _Bad(Exception):
    """A cell value that cannot be used: message code, expected and found text."""

    def __init__(self, code: str, expected: str, found: Any) -> None:
        super().__init__(code)
        self.code, self.expected = code, expected
        self.found = repr(found) if isinstance(found, str) else str(found)
        self.kw: dict[str, Any] = {}


Note = tuple[str, dict[str, Any]] | None


def parse_number(value: Any, percent: bool = False) -> tuple[float, Note]:
    """A cell value as a finite float, and a note when text had to be converted.

    Accepted text: ``0.5``, ``1,234``, ``12%`` (percent cells only) and full-width forms of
    these. Refused: words, Chinese numerals, exponents, nan/inf, ``1.2.3``, ``12%%``.
    """
    expected = "数字 a number" + (", 如 e.g. 0.12 / 12%" if percent else "")
    if isinstance(value, bool):
        raise _Bad("not_number", expected, str(value).upper())
    if isinstance(value, (datetime, date, time)):
        raise _Bad("not_number", expected, value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _hinted(expected, value, "not_finite")
        return float(value), None
    text = L.clean_text(str(value))
    match = _NUMBER.match(text)
    if not match:
        hint = _number_hint(text)
        if hint:
            raise _hinted(expected, value, hint)
        raise _Bad("not_number", expected, value)
    if match.group(2) and not percent:
        raise _Bad("no_percent", "数字 a number", value)
    number = Decimal(match.group(1).replace(",", "")) / (100 if match.group(2) else 1)
    if not math.isfinite(float(number)):  # hundreds of digits overflow to inf
        raise _hinted(expected, value, "not_finite")
    return float(number), ("text_number", {"found": repr(value), "value": f"{float(number):g}"})


def _hinted(expected: str, value: Any, hint: str) -> _Bad:
    bad = _Bad("not_number_hint", expected, value)
    bad.kw = {"hint_zh": HINTS[hint][0], "hint_en": HINTS[hint][1]}
    return bad


def _number_hint(text: str) -> str | None:
    """Why ``text`` (NFKC-cleaned) is not an accepted number, when we can tell."""
    low = text.casefold()
    if low in _NON_FINITE:
        return "not_finite"
    if "百分之" in text:
        return "chinese"
    if _ACCOUNTING.match(text):
        return "accounting"
    if text.upper().startswith(_CURRENCY):
        return "currency"
    if "_" in text and _NUMBER.match(text.replace("_", "")):
        return "underscore"
    if _EXPONENT.match(text):
        return "exponent"
    if _SEPARATED.match(text) and "," in text:
        return "ambiguous"
    suffix = _WITH_SUFFIX.match(text)
    if suffix and not _SEPARATED.match(text):
        rest = suffix.group(1).strip()
        if rest and all(ch in _CHINESE_NUMERALS for ch in rest):
            return "chinese"
        if any(ch.isalpha() for ch in rest):
            return "unit"
    if any(ch in _CHINESE_NUMERALS for ch in text):
        return "chinese"
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return "digits"
    return None


def parse_bool(value: Any) -> tuple[bool, Note]:
    """TRUE/FALSE cells as they are; text TRUE/FALSE, 是/否, yes/no with a note."""
    if isinstance(value, bool):
        return value, None
    word = L.clean_text(value).casefold() if isinstance(value, str) else None
    if word not in L.BOOL_WORDS:
        raise _Bad("not_bool", "TRUE/FALSE", value)
    flag = L.BOOL_WORDS[word]
    return flag, ("text_word", {"found": repr(value), "value": str(flag).upper()})


def parse_choice(value: Any, words: Mapping[str, str]) -> tuple[str, Note]:
    """One word of a vocabulary (case-insensitive); another spelling gives a note."""
    word = L.clean_text(value).casefold() if isinstance(value, str) else None
    if word not in words:
        raise _Bad("not_choice", "/".join(dict.fromkeys(words.values())), value)
    choice = words[word]
    return choice, None if value == choice else (
        "text_word",
        {"found": repr(value), "value": choice},
    )


def parse_text(value: Any) -> tuple[str, Note]:
    """Text as written; a number is accepted as its text with a note.

    Excel's ``_xHHHH_`` escapes are decoded and CR/CRLF become LF, with a note; text that
    then holds a control character (which no Excel file can store) is refused. A number of
    more than 15 significant digits is refused: Excel has already rounded it.
    """
    if isinstance(value, str):
        text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        bad = _CONTROL.search(text)
        if bad:
            error = _Bad("control_char", "文本 text", value)
            error.kw = {"cp": ord(bad.group())}
            raise error
        if text != value:
            return text, ("text_normalised", {"found": repr(value), "value": repr(text)})
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 10**_EXCEL_DIGITS:
            raise _Bad("rounded_id", "文本 text", value)
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text, ("number_text", {"found": value})
    raise _Bad("not_text", "文本 text", value)


# --- the reader ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cell:
    ws: Worksheet
    coord: str

    @property
    def where(self) -> tuple[str, str]:
        return self.ws.title, self.coord

    @property
    def value(self) -> Any:
        return self.ws[self.coord].value


Where = tuple[str | None, str | None]


class _Reader:
    """One pass over one workbook: locate blocks, parse cells, build and map the Scenario."""

    def __init__(self, path: Path, report: PreflightReport) -> None:
        self.path, self.book = path, path.name
        self.report = report
        self.issues: list[Issue] = []
        self.notices: list[Issue] = []
        self.values: dict[str, Any] = {}
        self.cells: dict[str, tuple[str, str]] = {}
        self.failed: set[str] = set()
        self._formula_sheets = {s.name for s in report.sheets if s.formulas}
        self._formulas: dict[str, dict[str, str]] = {}  # sheet -> cell -> formula text
        self._merged: set[tuple[str, str]] = set()  # cells covered by a reported merge
        self._sheet_notes: set[tuple[str, str]] = set()  # (code, sheet) already reported
        try:
            self.wb = openpyxl.load_workbook(path, data_only=True)
        except MemoryError:  # resource exhaustion is not damage; isolation reports it
            raise
        except Exception as exc:  # preflight passed, so this is a damaged or unusual file
            issues = _diagnose(path, report, self._issue)
            if not issues:
                issues = [
                    self._issue(
                        (None, None), None, "unreadable", ".xlsx", type(exc).__name__, detail=exc
                    )
                ]
            raise WorkbookRejected(issues) from exc

    # -- reporting --------------------------------------------------------------------------
    def _issue(self, where: Where, field, code, expected="", found="", notice=False, **kw):
        zh, en = (NOTES if notice else MESSAGES)[code]
        kw = {"expected": expected, "found": found, **kw}
        return Issue(
            self.book,
            *where,
            field,
            expected,
            str(kw["found"]),
            zh.format(**kw),
            en.format(**kw),
            "notice" if notice else "error",
        )

    def error(self, where: Where, field: str | None, code: str, expected="", found="", **kw):
        self.issues.append(self._issue(where, field, code, expected, found, **kw))
        if field:
            self.failed.add(field)

    def once(self, code: str, sheet: str) -> bool:
        """True the first time ``code`` is reported for ``sheet``."""
        if (code, sheet) in self._sheet_notes:
            return False
        self._sheet_notes.add((code, sheet))
        return True

    def notice(self, where: Where, field: str | None, code: str, **kw: Any) -> None:
        self.notices.append(self._issue(where, field, code, notice=True, **kw))

    # -- cells ------------------------------------------------------------------------------
    def _formula(self, sheet: str, coord: str) -> str | None:
        """The formula text of a cell (``data_only`` hides it), or None."""
        if sheet not in self._formula_sheets:
            return None
        if sheet not in self._formulas:
            wb = openpyxl.load_workbook(self.path, read_only=True)
            with contextlib.closing(wb):
                rows = wb[sheet].iter_rows()
                self._formulas[sheet] = {
                    c.coordinate: str(c.value)
                    for row in rows
                    for c in row
                    if getattr(c, "data_type", "") == "f"
                }
        return self._formulas[sheet].get(coord)

    def _is_formula(self, cell: _Cell) -> bool:
        """Whether an empty cell is really a formula whose result was never saved."""
        return self._formula(cell.ws.title, cell.coord) is not None

    def get(self, cell: _Cell, field: str, parse: Callable, blank_ok: bool = False) -> Any:
        """Parse one cell for ``field``, remember where it came from, report any problem."""
        self.cells[field] = cell.where
        if cell.where in self._merged:  # reported once for the whole merged range
            self.failed.add(field)
            return None
        raw = cell.ws[cell.coord]
        if raw.data_type == "e":
            return self.error(cell.where, field, "excel_error", "一个值 a value", raw.value)
        if isinstance(raw.value, str):
            units = len(raw.value.encode("utf-16-le")) // 2
            if units > _EXCEL_TEXT_LIMIT:
                shown = f"{len(raw.value):,} 个字符 characters"
                return self.error(
                    cell.where, field, "too_long", "≤ 32,767", shown, n=len(raw.value)
                )
        if raw.value is None or (isinstance(raw.value, str) and not L.clean_text(raw.value)):
            if self._is_formula(cell):
                self.error(cell.where, field, "no_cache", "公式结果 formula result", "无 none")
            elif not blank_ok:
                self.error(cell.where, field, "empty", "一个值 a value", "空 empty")
            return None
        try:
            parsed, note = parse(raw.value)
        except _Bad as bad:
            return self.error(cell.where, field, bad.code, bad.expected, bad.found, **bad.kw)
        if note:
            self.notice(cell.where, field, note[0], **note[1])
        return parsed

    def put(self, cell: _Cell, field: str, parse: Callable, blank_ok: bool = False) -> None:
        value = self.get(cell, field, parse, blank_ok)
        if value is not None:
            self.values[field] = value

    # -- blocks -----------------------------------------------------------------------------
    def read(self) -> WorkbookReading:
        self._duplicate_sheets()
        tables = {  # TableList.items() yields refs, so go through values()
            (table.displayName or table.name).casefold(): (ws, table)
            for ws in self.wb.worksheets
            for table in ws.tables.values()
        }
        missing: dict[str, list[str]] = {}
        for spec in L.SCALARS:
            cell = self._resolve(spec, missing)
            if cell is not None:
                self._read_scalar(spec, cell)
        for spec in L.TABLES:
            found = tables.get(spec.name.casefold())
            if found is None:
                missing.setdefault(spec.sheet, []).append(spec.name)
            else:
                self._read_table(spec, *found)
        self._report_missing(missing)
        self._hidden_sheets()
        self._external_links()
        self._stale_results()
        scenario = self._build()
        ok = scenario if not self.issues else None
        return WorkbookReading(ok, tuple(self.issues), tuple(self.notices), dict(self.cells))

    def _resolve(self, spec: L.Scalar, missing: dict[str, list[str]]) -> _Cell | None:
        """The single cell a defined name points at (names match case-insensitively)."""
        names = {k.casefold(): n for k, n in self.wb.defined_names.items()}
        dn = names.get(spec.name.casefold())
        dests = list(dn.destinations) if dn is not None else []
        if len(dests) == 1:
            dests = [(self._sheet_title(dests[0][0]) or dests[0][0], dests[0][1])]
        valid = len(dests) == 1 and dests[0][0] in self.wb.sheetnames
        if dn is None or (not valid and self._sheet_title(spec.sheet) is None):
            # absent, or left dangling (=#REF!) because its sheet was deleted
            missing.setdefault(spec.sheet, []).append(spec.name)
            self.failed.add(spec.field or spec.name)
            return None
        if not valid:
            where = (dests[0][0] if dests else spec.sheet, None)
            self.error(
                where,
                spec.field,
                "bad_name",
                "一个单元格 one cell",
                dn.attr_text,
                name=spec.name,
                label_zh=spec.zh,
                label_en=spec.en,
            )
            return None
        sheet, ref = dests[0]
        if not isinstance(self.wb[sheet], Worksheet):
            self._chartsheet(sheet, spec.field)
            return None
        first, _, last = ref.replace("$", "").partition(":")
        if last and last != first:
            self.error(
                (sheet, f"{first}:{last}"),
                spec.field,
                "range_name",
                "一个单元格 one cell",
                f"{first}:{last}",
                name=spec.name,
            )
            return None
        return _Cell(self.wb[sheet], first)

    def _sheet_title(self, wanted: str) -> str | None:
        """The sheet called ``wanted``; else the one sheet that matches it after NFKC, case
        folding and whitespace clean-up (reported in a notice); else None."""
        if wanted in self.wb.sheetnames:
            return wanted
        key = _sheet_key(wanted)
        hits = [s for s in self.wb.sheetnames if _sheet_key(s) == key]
        if len(hits) != 1:
            return None
        if self.once("sheet_matched", hits[0]):
            self.notice((hits[0], None), None, "sheet_matched", wanted=wanted, sheet=hits[0])
        return hits[0]

    def _chartsheet(self, sheet: str, field: str | None) -> None:
        if field:
            self.failed.add(field)
        if self.once("chartsheet", sheet):
            self.error(
                (sheet, None), field, "chartsheet", "工作表 worksheet", "图表 chart", sheet=sheet
            )

    def _duplicate_sheets(self) -> None:
        """Names as written in the file: openpyxl silently renames a clash to 'Name1'."""
        seen: dict[str, str] = {}
        for title in self.report.sheet_names:
            key = title.casefold()
            if key in seen:
                self.error(
                    (title, None),
                    None,
                    "dup_sheet",
                    "不同的名称 distinct names",
                    f"'{seen[key]}', '{title}'",
                    a=seen[key],
                    b=title,
                )
            else:
                seen[key] = title

    def _hidden_sheets(self) -> None:
        for sheet in dict.fromkeys(s for s, _c in self.cells.values()):
            ws = self.wb[sheet] if sheet in self.wb.sheetnames else None
            state = getattr(ws, "sheet_state", "visible")
            if state != "visible":
                self.notice((sheet, None), None, "hidden_sheet", sheet=sheet, state=state)

    def _read_cells(self) -> dict[tuple[str, str], str]:
        """Every single cell a value was read from → its field."""
        out = {}
        for field, (sheet, cell) in self.cells.items():
            if cell and ":" not in cell:
                out[(sheet, cell)] = field
        return out

    def _external_links(self) -> None:
        targets = self.report.external_links
        if not targets:
            return
        shown = ", ".join(targets)
        cells = [
            f"{_sheet_ref(s)}!{c}"
            for (s, c) in self._read_cells()
            if _EXTERNAL_REF.search(self._formula(s, c) or "")
        ]
        if cells:
            self.notice((None, None), None, "external_link", targets=shown, cells=_few(cells))
        else:
            self.notice((None, None), None, "external_link_unused", targets=shown)

    def _stale_results(self) -> None:
        """Formula inputs whose saved results may predate the last edit (non-Excel saver)."""
        if not self._formula_sheets:
            return
        app = _application(self.path)
        if app.startswith(_RECALCULATING_APPS) and "compatible" not in app.casefold():
            return
        cells = [  # formulas with a saved result (one without is already an error)
            f"{_sheet_ref(s)}!{c}"
            for (s, c) in self._read_cells()
            if self._formula(s, c) and self.wb[s][c].value is not None
        ]
        if cells:
            shown = app or "未知程序 an unknown program"
            self.notice((None, None), None, "stale", app=shown, cells=_few(cells))

    def _report_missing(self, missing: dict[str, list[str]]) -> None:
        """One issue per missing sheet, else one per missing Table or defined name."""
        present = ", ".join(f"'{s}'" for s in self.wb.sheetnames)
        for wanted, names in missing.items():
            sheet = self._sheet_title(wanted) or wanted
            if sheet in self.wb.sheetnames and not isinstance(self.wb[sheet], Worksheet):
                self._chartsheet(sheet, None)
                continue
            if sheet not in self.wb.sheetnames:
                self.error(
                    (sheet, None),
                    None,
                    "missing_sheet",
                    sheet,
                    present,
                    sheet=sheet,
                    names=", ".join(names),
                )
                continue
            for name in names:
                scalar = L.SCALAR_BY_NAME.get(name)
                code = "missing_name" if scalar else "missing_table"
                field = (scalar.field or name) if scalar else name
                self.error((sheet, None), field, code, name, "缺失 missing", name=name, sheet=sheet)

    def _read_scalar(self, spec: L.Scalar, cell: _Cell) -> None:
        if spec.kind == "version":
            version = self.get(cell, "template_version", parse_text)
            major = L.TEMPLATE_VERSION.split(".")[0]
            if version is not None and version.split(".")[0] != major:
                self.error(cell.where, "template_version", "version", L.TEMPLATE_VERSION, version)
            return
        parse = {
            "text": parse_text,
            "bool": parse_bool,
            "choice": lambda v: parse_choice(v, L.NATIONAL_PATH_WORDS),
            "number": lambda v: parse_number(v, spec.percent),
        }[spec.kind]
        self.put(cell, spec.field, parse, spec.blank_ok)

    # -- Tables -----------------------------------------------------------------------------
    def _read_table(self, spec: L.TableSpec, ws: Worksheet, table: Any) -> None:
        rows = self._table_rows(spec, ws, table)
        if rows is not None:
            read = {
                L.POLE_WEIGHTS.name: self._weights,
                L.CHAIN_PRESENCE.name: self._presence,
                L.ASSUMPTION_TABLE.name: self._assumptions,
                L.BASELINE_TABLE.name: self._overrides,
            }.get(spec.name, self._milestones)
            read(spec, ws, rows)

    def _columns(self, spec: L.TableSpec, ws: Worksheet, header_row: int, cols: range):
        """Column key → sheet column, found by header; reports duplicates."""
        where: dict[str, int] = {}
        for col in cols:
            header = ws.cell(header_row, col).value
            column = next((c for c in spec.columns if c.read and c.accepts(header)), None)
            if header is None or column is None:
                continue
            if column.key in where:
                here = ws.cell(header_row, col).coordinate
                cells = f"{get_column_letter(where[column.key])}{header_row}, {here}"
                self.error(
                    (ws.title, here),
                    f"{spec.name}.{column.key}",
                    "dup_header",
                    column.header,
                    cells,
                )
            where[column.key] = col
        return where

    def _table_rows(self, spec: L.TableSpec, ws: Worksheet, table: Any) -> list | None:
        """The Table's non-blank data rows as {column key: cell}; None without key columns."""
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        header = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{min_row}"
        if table.headerRowCount == 0:
            self.error((ws.title, header), spec.name, "no_header_row", name=spec.name)
            return None
        where = self._columns(spec, ws, min_row, range(min_col, max_col + 1))
        found = ", ".join(str(ws.cell(min_row, c).value) for c in range(min_col, max_col + 1))
        absent = [c for c in spec.columns if c.read and c.key not in where]
        for column in absent:
            self.error(
                (ws.title, header),
                f"{spec.name}.{column.key}",
                "missing_column",
                column.header,
                found,
                name=spec.name,
            )
        if any(c.role == "key" for c in absent):
            return None
        last = max_row - (table.totalsRowCount or 0)
        self._merged_data(spec, ws, (min_row + 1, last), set(where.values()))
        rows, hidden = [], 0
        for r in range(min_row + 1, last + 1):
            row = {k: _Cell(ws, f"{get_column_letter(c)}{r}") for k, c in where.items()}
            if any(cell.value not in (None, "") for cell in row.values()):
                rows.append(row)
                dim = ws.row_dimensions.get(r)  # .get: indexing would create the row
                hidden += bool(dim is not None and dim.hidden)
        where_table = (ws.title, table.ref)
        if hidden:
            self.notice(where_table, spec.name, "hidden_rows", name=spec.name, n=hidden)
        auto = getattr(table, "autoFilter", None)
        if auto is not None and (auto.filterColumn or auto.sortState):
            self.notice(where_table, spec.name, "filter", name=spec.name)
        return rows

    def _merged_data(self, spec: L.TableSpec, ws: Worksheet, rows: tuple[int, int], cols: set):
        """Report merged ranges over the data rows of the columns we read; only their
        top-left cell has a value, so the rows below would silently read as empty. Merges
        in informational columns (e.g. a chain name spanning its rows) are fine."""
        r1, r2 = rows
        for merged in ws.merged_cells.ranges:
            if merged.max_row < r1 or merged.min_row > r2:
                continue
            if not any(merged.min_col <= c <= merged.max_col for c in cols):
                continue
            ref = merged.coord
            self.error((ws.title, ref), spec.name, "merged", "未合并的单元格 unmerged cells", ref)
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    self._merged.add((ws.title, f"{get_column_letter(col)}{row}"))

    def _key(self, cell: _Cell, field: str, known: Mapping[str, str], what: tuple[str, str]):
        """A row key matched case-insensitively against ``known`` (variant → canonical)."""
        text = self.get(cell, field, parse_text)
        key = None if text is None else known.get(L.header_key(text))
        if text is not None and key is None:
            allowed = ", ".join(dict.fromkeys(known.values()))
            self.error(
                cell.where,
                field,
                "unknown_key",
                allowed,
                repr(text),
                what_zh=what[0],
                what_en=what[1],
            )
        elif key is not None and key != text:
            self.notice(cell.where, field, "text_word", found=repr(text), value=key)
        return key

    def _unique(self, seen: set[str], key: str, cell: _Cell, field: str) -> bool:
        if key in seen:
            self.error(cell.where, field, "dup_row", "每行唯一 unique rows", key)
            return False
        seen.add(key)
        return True

    def _missing_rows(self, spec: L.TableSpec, ws: Worksheet, wanted, seen, notice=False):
        for key in (k for k in wanted if k not in seen):
            if notice:
                self.notice((ws.title, None), key, "default_row", name=spec.name, expected=key)
            else:
                self.error(
                    (ws.title, None), key, "missing_row", key, "缺失 missing", name=spec.name
                )

    def _milestone_values(self, row: Mapping[str, _Cell], path: str, percent: bool) -> None:
        for year in YEARS:
            if year in row:
                self.put(row[year], f"{path}.{year}", lambda v: parse_number(v, percent))
            else:
                self.failed.add(f"{path}.{year}")

    def _milestones(self, spec: L.TableSpec, ws: Worksheet, rows: list) -> None:
        wanted = L.MILESTONE_ROWS[spec.name]
        known = {L.header_key(k): k for k in wanted}
        seen: set[str] = set()
        for row in rows:
            key = self._key(row["key"], f"{spec.name}.key", known, ("参数代码", "key"))
            if key and self._unique(seen, key, row["key"], key):
                self._milestone_values(row, key, LEVERS[key].percent)
        self._missing_rows(spec, ws, wanted, seen)

    def _weights(self, spec: L.TableSpec, ws: Worksheet, rows: list) -> None:
        if rows and "weight" not in rows[0]:  # header missing: reported by _table_rows
            self.failed.add("poles.weights")
            return
        seen: set[str] = set()
        for row in rows:
            unit = self._key(row["unit"], f"{spec.name}.unit", _unit_words(), ("单元", "unit"))
            if unit and self._unique(seen, unit, row["unit"], f"poles.weights.{unit}"):
                self.put(row["weight"], f"poles.weights.{unit}", lambda v: parse_number(v, True))
        self.values["poles.weights"] = {u: self.values.get(f"poles.weights.{u}", 0.0) for u in seen}
        cells = [r["weight"].coord for r in rows]
        self.cells["poles.weights"] = (ws.title, f"{cells[0]}:{cells[-1]}" if cells else None)

    def _presence(self, spec: L.TableSpec, ws: Worksheet, rows: list) -> None:
        chains = {L.header_key(c.id): c.id for c in CHAINS}
        segments = {c.id: {L.header_key(s.id): s.id for s in c.segments} for c in CHAINS}
        provinces = {L.header_key(p): p for p in PROVINCES}
        seen: set[str] = set()
        for row in rows:
            chain = self._key(row["chain"], f"{spec.name}.chain", chains, ("产业链", "chain"))
            seg = chain and self._key(
                row["segment"], f"{spec.name}.segment", segments[chain], ("环节", "segment")
            )
            prov = self._key(
                row["province"], f"{spec.name}.province", provinces, ("省份", "province")
            )
            key = f"chains.presence.{chain}/{seg}/{prov}"
            if chain and seg and prov and self._unique(seen, key, row["chain"], key):
                self._milestone_values(row, key, percent=False)
        wanted = [f"chains.presence.{k}" for k in ChainFilling().presence]
        self._missing_rows(spec, ws, wanted, seen, notice=True)

    def _assumptions(self, spec: L.TableSpec, ws: Worksheet, rows: list) -> None:
        known = {L.header_key(k): k for k in ASSUMPTION_BY_ID}
        seen: set[str] = set()
        for row in rows:
            aid = self._key(row["id"], f"{spec.name}.id", known, ("参数编号", "assumption id"))
            field = f"assumptions.{aid}"
            # without a value column the missing header is already reported
            if aid and self._unique(seen, field, row["id"], field) and "value" in row:
                self.put(row["value"], field, parse_number)
        wanted = [f"assumptions.{k}" for k in ASSUMPTION_BY_ID]
        self._missing_rows(spec, ws, wanted, seen, notice=True)

    def _overrides(self, spec: L.TableSpec, ws: Worksheet, rows: list) -> None:
        seen: set[str] = set()
        for row in rows:
            unit = self._key(row["unit"], f"{spec.name}.unit", _unit_words(), ("单元", "unit"))
            if unit and self._unique(seen, unit, row["unit"], f"baseline_overrides.{unit}"):
                for var in ("gdp", "population"):
                    field = f"baseline_overrides.{unit}.{var}"
                    if f"{var}_override" in row:  # else the missing header is reported
                        self.put(row[f"{var}_override"], field, parse_number, blank_ok=True)

    # -- the Scenario -----------------------------------------------------------------------
    def _build(self) -> Scenario | None:
        """Build the Scenario; map each validation problem back to its cell. Problems of a
        field that already failed to parse are not repeated."""
        try:
            return _assemble(self.values)
        except ScenarioError as exc:
            for field, message in exc.problems:
                if not any(_related(field, f) for f in self.failed):
                    self._scenario_problem(field, message)
        return None

    def _scenario_problem(self, field: str, message: str) -> None:
        where = _origin(self.cells, field)
        zh_label, en_label, low, high, percent = _spec_for(field)
        labels = {"label_zh": zh_label, "label_en": en_label}
        value = self.values.get(field)
        if field == "poles.weights":
            total = f"{sum(self.values.get(field, {}).values()) * 100:.2f}%"
            code = "weights_sum" if "sum" in message else "weights_bj"
            self.error(where, field, code, "100% ± 0.1", total, cells=where[1])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            allowed = L.format_range(low, high, percent)
            shown = f"{value * 100:g}%" if percent else f"{value:,g}"
            if low <= value <= high:
                self.error(where, field, "whole", f"整数 whole number, {allowed}", shown, **labels)
            else:
                self.error(where, field, "range", allowed, shown, **labels)
        else:
            self.error(where, field, "invalid", detail=message, **labels)


def _sheet_key(title: str) -> str:
    """A sheet name as a planner reads it: width, case and spacing ignored."""
    return L.clean_text(title).casefold()


def _few(cells: list[str], limit: int = 10) -> str:
    shown = ", ".join(cells[:limit])
    return shown + (f" … (+{len(cells) - limit})" if len(cells) > limit else "")


def _application(path: Path) -> str:
    """``<Application>`` of docProps/app.xml: the program that last saved the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/app.xml")
            if info.file_size > 1_000_000:
                return ""
            text = zf.read(info).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return ""
    match = re.search(r"<(?:\w+:)?Application>([^<]{0,200})</", text)
    return match.group(1).strip() if match else ""


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


def _diagnose(path: Path, report: PreflightReport, issue: Callable[..., Issue]) -> list[Issue]:
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


def _unit_words() -> dict[str, str]:
    """Unit code or Chinese or English name (any case or width) → unit code."""
    words = {}
    for code, row in units().iterrows():
        for word in (code, row["name_zh"], row["name_en"]):
            words[L.header_key(word)] = code
    return words


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _origin(cells: Mapping[str, tuple[str, str]], field: str) -> Where:
    """The sheet and cell a field (or its nearest parent) was read from."""
    parts = field.split(".")
    while parts:
        hit = cells.get(".".join(parts))
        if hit:
            return hit
        parts.pop()
    return None, None


def _spec_for(field: str) -> tuple[str, str, float, float, bool]:
    """Labels, allowed range and percent flag of a Scenario field, for messages."""
    for path, spec in LEVERS.items():
        if field == path or field.startswith(path + "."):
            return spec.name_zh, spec.name_en, spec.low, spec.high, spec.percent
    a = ASSUMPTION_BY_ID.get(field.removeprefix("assumptions."))
    if a is not None:
        return (a.name_zh, a.name_en, *assumption_bounds(a), False)
    if field.startswith("baseline_overrides."):
        return ("基期覆盖值", "baseline override", *_OVERRIDE_RANGE, False)
    return field, field, 0.0, 0.0, False


def _milestones(values: Mapping[str, Any], path: str, ref: Milestones) -> Milestones:
    years = zip(YEARS, ref.values(), strict=True)
    return Milestones(*(values.get(f"{path}.{y}", default) for y, default in years))


def _assemble(values: Mapping[str, Any]) -> Scenario:
    """The Scenario from parsed values; a value not read keeps its reference value, so
    validation still checks every value that was read."""
    ref = Scenario.baseline()
    v = values.get

    def reform(name: str) -> Any:
        value = v(f"reform.{name}", getattr(ref.reform, name))
        spec = LEVERS.get(f"reform.{name}")
        whole = spec and spec.integer and float(value).is_integer()
        return int(value) if whole else value

    def ms(path: str) -> Milestones:
        return _milestones(values, path, L.field_value(ref, path))

    presence = ref.chains.presence
    return Scenario(
        name=v("name", ref.name),
        description=v("description", ""),
        author=v("author", ""),
        national_path=v("national_path", ref.national_path),
        pathways=Pathways(**{p: v(f"pathways.{p}", getattr(ref.pathways, p)) for p in PATHWAYS}),
        poles=GrowthPoles(
            v("poles.weights", ref.poles.weights), ms("poles.investment"), ms("poles.relocation")
        ),
        chains=ChainFilling(
            {k: _milestones(values, f"chains.presence.{k}", m) for k, m in presence.items()}
        ),
        innovation=Innovation(ms("innovation.share"), ms("innovation.absorption")),
        reform=Reform(
            *(
                reform(k)
                for k in (
                    "origin_share",
                    "share_years",
                    "ext_years",
                    "cap_multiple",
                    "eligibility_threshold",
                    "government_led_only",
                )
            ),
            market_integration=ms("reform.market_integration"),
        ),
        assumptions={
            k.removeprefix("assumptions."): x
            for k, x in values.items()
            if k.startswith("assumptions.")
        },
        baseline_overrides=_overrides(values),
    )


def _overrides(values: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key, value in values.items():
        if key.startswith("baseline_overrides."):
            _, unit, var = key.split(".")
            out.setdefault(unit, {})[var] = value
    return out
