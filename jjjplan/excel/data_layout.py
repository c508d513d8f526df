"""Where every block of the baseline-data workbook sits, declared once for writer and reader.

Why a module of its own: like :mod:`jjjplan.excel.layout` for the scenario workbook, the
baseline-data workbook (``jjjplan data template``) is found again by Excel Table name, defined
name and column header, never by position, so planners may sort, filter and move things. The
series themselves (labels, units with price basis, ranges) are :mod:`jjjplan.data.editable`.
"""

from __future__ import annotations

from jjjplan import baseline
from jjjplan.data.editable import SERIES
from jjjplan.excel.layout import Column, Scalar, TableSpec, header_key

__all__ = [
    "ABOUT",
    "DATA",
    "DATA_TABLE",
    "DATA_VERSION",
    "SCALARS",
    "VERSION_NAME",
    "VINTAGE_NAME",
    "region_words",
    "series_words",
]

DATA_VERSION = "1.0"
ABOUT = "说明 About"
DATA = "基期数据 Data"
VERSION_NAME = "DataTemplateVersion"
VINTAGE_NAME = "DataVintage"

DATA_TABLE = TableSpec(
    "BaselineData",
    DATA,
    "基期观测数据",
    "Observed baseline data",
    (
        Column("region", "单元代码", "Unit code", "key", 10),
        Column("name", "单元名称", "Unit name", width=18),
        Column("year", "年份", "Year", "key", 8),
        Column("series", "指标代码", "Series code", "key", 20),
        Column("series_name", "指标", "Series", width=40),
        Column("unit", "单位（价格基准）", "Unit (price basis)", width=34),
        Column("value", "数值", "Value", "input", 14, "#,##0.00", blank_ok=True),
        Column("source", "来源", "Source", "input", 60, blank_ok=True),
        Column("vintage", "数据版本", "Vintage", "input", 24, blank_ok=True),
        Column("bundled", "内置值", "Bundled value", width=14, number_format="#,##0.00"),
        Column("status", "内置状态", "Bundled status", width=12),
    ),
)

SCALARS = (
    Scalar(VERSION_NAME, None, ABOUT, "模板版本", "Template version", "version", editable=False),
    Scalar(
        VINTAGE_NAME,
        "data_vintage",
        ABOUT,
        "内置数据版本（未填的数值取自此版本）",
        "Bundled vintage (empty values are taken from it)",
        "choice",
        choices=tuple(baseline.VINTAGES),
    ),
)


def region_words() -> dict[str, str]:
    """Unit or province code, Chinese or English name (any case or width) → code."""
    words = {}
    for code, row in baseline.units().iterrows():
        for word in (code, row["name_zh"], row["name_en"]):
            words[header_key(word)] = code
    for code, (zh, en) in baseline.PROVINCE_NAMES.items():
        for word in (code, zh, en):
            words.setdefault(header_key(word), code)
    return words


def series_words() -> dict[str, str]:
    """Series id, Chinese or English name → series id."""
    words = {}
    for s in SERIES:
        for word in (s.id, s.name_zh, s.name_en):
            words[header_key(word)] = s.id
    return words
