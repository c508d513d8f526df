"""Strict parsing of one cell value: a number, a TRUE/FALSE, a word of a vocabulary or text.

Why a module of its own: this is the policy for what a planner may type, and it needs no
workbook at all — each parser takes the value openpyxl loaded and returns the parsed value
and a :data:`Note` (a notice when the value had to be normalised, e.g. the text ``"12%"``
read as 0.12), or raises :class:`BadValue` naming the message (see
:mod:`jjjplan.excel.catalogue`) a planner can act on. Text numbers are accepted only where
unambiguous; nothing is guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from jjjplan.excel import layout as L
from jjjplan.excel.catalogue import HINTS

__all__ = [
    "BadValue",
    "Note",
    "check_text_length",
    "parse_bool",
    "parse_choice",
    "parse_number",
    "parse_text",
]

_NUMBER = re.compile(
    r"^([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[+-]?\.[0-9]+)\s?(%?)$", re.ASCII
)
_EXCEL_TEXT_LIMIT = 32_767  # characters per cell, counted in UTF-16 units like Excel
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Why a text is not a number, for a message the planner can act on (see _number_hint).
_CHINESE_NUMERALS = frozenset("〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億兩")
# Digits followed by one of these are a magnitude or unit written into the cell ("500亿"),
# not Chinese numerals: the planner should drop the word, the cell's unit is fixed.
_MAGNITUDES = frozenset(
    {"亿", "万", "万亿", "千", "百万", "千万", "亿元", "万元", "元", "万人", "人", "万亿元"}
)
_CURRENCY = ("¥", "$", "€", "£", "₩", "RMB", "CNY", "USD", "US$")
_NON_FINITE = frozenset({"nan", "inf", "infinity", "-inf", "+inf", "-infinity", "+infinity"})
_EXPONENT = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$", re.ASCII)
_SEPARATED = re.compile(r"^[+-]?[0-9][0-9.,]*%?$", re.ASCII)
_WITH_SUFFIX = re.compile(r"^[+-]?[0-9][0-9.,]*\s*(.+)$", re.ASCII | re.S)
_ACCOUNTING = re.compile(r"^\(\s*[0-9][0-9.,]*\s*\)$", re.ASCII)


class BadValue(Exception):
    """A cell value that cannot be used: message code, expected and found text, and the
    extra fields (``kw``) its message needs."""

    def __init__(self, code: str, expected: str, found: Any, **kw: Any) -> None:
        super().__init__(code)
        self.code, self.expected = code, expected
        self.found = repr(found) if isinstance(found, str) else str(found)
        self.kw: dict[str, Any] = kw


#: A notice for an accepted normalisation: (code in ``NOTES``, its fields), or None.
Note = tuple[str, dict[str, Any]] | None


def check_text_length(value: Any) -> None:
    """Refuse text longer than an Excel cell can hold (counted in UTF-16 units like Excel);
    such a file was not written by Excel. Checked for every input cell, whatever its kind."""
    if isinstance(value, str) and len(value.encode("utf-16-le")) // 2 > _EXCEL_TEXT_LIMIT:
        error = BadValue("too_long", "≤ 32,767", "", n=len(value))
        error.found = f"{len(value):,} 个字符 characters"
        raise error


def parse_number(value: Any, percent: bool = False, unit: str = "") -> tuple[float, Note]:
    """A cell value as a finite float, and a note when text had to be converted.

    Accepted text: ``0.5``, ``1,234``, ``12%`` (percent cells only) and full-width forms of
    these. Refused: words, Chinese numerals, exponents, nan/inf, ``1.2.3``, ``12%%``.
    ``unit`` (the cell's unit, when known) goes into the hint for text like ``500亿``.
    """
    expected = "数字 a number" + (", 如 e.g. 0.12 / 12%" if percent else "")
    if isinstance(value, bool):
        raise BadValue("not_number", expected, str(value).upper())
    if isinstance(value, (datetime, date, time)):
        raise BadValue("not_number", expected, value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _hinted(expected, value, "not_finite")
        return float(value), None
    text = L.clean_text(str(value))
    match = _NUMBER.match(text)
    if not match:
        suffix = _magnitude(text)
        if suffix:
            hint = "magnitude" if unit else "magnitude_note"
            raise _hinted(expected, value, hint, suffix=suffix, unit=unit)
        hint = _number_hint(text)
        if hint:
            raise _hinted(expected, value, hint)
        raise BadValue("not_number", expected, value)
    if match.group(2) and not percent:
        raise BadValue("no_percent", "数字 a number", value)
    number = Decimal(match.group(1).replace(",", "")) / (100 if match.group(2) else 1)
    if not math.isfinite(float(number)):  # hundreds of digits overflow to inf
        raise _hinted(expected, value, "not_finite")
    return float(number), ("text_number", {"found": repr(value), "value": f"{float(number):g}"})


def _hinted(expected: str, value: Any, hint: str, **fields: str) -> BadValue:
    zh, en = HINTS[hint]
    return BadValue(
        "not_number_hint",
        expected,
        value,
        hint_zh=zh.format(**fields),
        hint_en=en.format(**fields),
    )


def _magnitude(text: str) -> str | None:
    """The magnitude or unit word after the digits of ``text`` ("500亿" -> "亿"), if any."""
    suffix = _WITH_SUFFIX.match(text)
    if suffix and _NUMBER.match(text[: suffix.start(1)].strip()):
        rest = suffix.group(1).strip()
        return rest if rest in _MAGNITUDES else None
    return None


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
        raise BadValue("not_bool", "TRUE/FALSE", value)
    flag = L.BOOL_WORDS[word]
    return flag, ("text_word", {"found": repr(value), "value": str(flag).upper()})


def parse_choice(value: Any, words: Mapping[str, str]) -> tuple[str, Note]:
    """One word of a vocabulary (case-insensitive); another spelling gives a note."""
    word = L.clean_text(value).casefold() if isinstance(value, str) else None
    if word not in words:
        raise BadValue("not_choice", "/".join(dict.fromkeys(words.values())), value)
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
            raise BadValue("control_char", "文本 text", value, cp=ord(bad.group()))
        if text != value:
            return text, ("text_normalised", {"found": repr(value), "value": repr(text)})
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 10**_EXCEL_DIGITS:
            raise BadValue("rounded_id", "文本 text", value)
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text, ("number_text", {"found": value})
    raise BadValue("not_text", "文本 text", value)
