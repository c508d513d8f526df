"""Write the baseline-data workbook (``jjjplan data template``), prefilled from a bundled vintage.

Why: planners in a development commission have the official yearbook on their desk. This
workbook lists every observed value the model uses — units × years × series, each with its
source and vintage — as one Excel Table with the scenario template's conventions (yellow =
edit, grey = reference, validation and a bilingual note on every input), so they can replace
any value and cite their source; ``--data FILE`` then runs on it. Layout:
:mod:`jjjplan.excel.data_layout`; series: :mod:`jjjplan.data.editable`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from jjjplan import baseline
from jjjplan.data.editable import Series, template_rows
from jjjplan.excel import data_layout as D
from jjjplan.excel.layout import Column, format_range
from jjjplan.excel.safety import atomic_save, check_output_path
from jjjplan.excel.write.template import (
    INFO_FILL,
    TITLE_FONT,
    _Input,
    _note,
    _Rule,
    _Sheet,
)

__all__ = ["build_data_workbook", "make_data_template"]

_HOW_TO = (
    (
        "在黄色单元格中填入您的统计年鉴或统计公报数值，并在“来源”列注明出处（年鉴名称、表号、页码或网址）。",
        "Type your yearbook or communiqué figures into the yellow cells and cite them in the "
        "Source column (yearbook, table, page or address).",
    ),
    (
        "清空的数值沿用内置数据（每个值给出一条提示）；灰色列仅供参考，不会被读取。",
        "A value left empty falls back to the bundled data (one notice each); grey columns are "
        "for reference and are not read.",
    ),
    (
        "可以排序、筛选、插入说明列；请勿修改表格名称 BaselineData 和名称 DataVintage。",
        "You may sort, filter or add columns; do not rename the Table BaselineData or the "
        "defined name DataVintage.",
    ),
    (
        "运行：jjjplan run 情景.xlsx --data 本文件.xlsx -o 结果.xlsx",
        "Run: jjjplan run scenario.xlsx --data this-file.xlsx -o results.xlsx",
    ),
)


def make_data_template(path: str | os.PathLike[str], vintage: str | None = None) -> Path:
    """Write the baseline-data workbook of bundled ``vintage`` (default: the default vintage).

    The write is atomic and refuses a path that is open in Excel/LibreOffice.
    """
    data = baseline.dataset(vintage)  # an unknown vintage is a clear error before any write
    out = check_output_path(path)
    atomic_save(build_data_workbook(data), out)
    return out


def build_data_workbook(data: baseline.Dataset) -> Workbook:
    """The openpyxl workbook for ``data`` (not saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    about = _Sheet(wb, wb.create_sheet(D.ABOUT))
    _about(about, data)
    about.finish()
    sheet = _Sheet(wb, wb.create_sheet(D.DATA))
    _data(sheet, data)
    sheet.finish()
    return wb


def _about(sh: _Sheet, data: baseline.Dataset) -> None:
    v = baseline.VINTAGES[data.vintage]
    sh.title(
        "京津冀基期数据工作簿",
        "JJJ baseline-data workbook",
        (
            f"预填数据版本 Prefilled from vintage: {v.id} — {v.label_zh} / {v.label_en}",
            f"观测年份 Observed years: {', '.join(map(str, data.years))}；"
            f"基期 base year {data.base_year}",
            "货币单位为亿元（当年价）；模型的不变价 GDP = 基期当年价水平按实际增速回推，即"
            f"{data.base_year}年价格 / Money is 100m yuan at current prices; the model's "
            f"constant-price GDP is the base-year level chained back with real growth "
            f"({data.base_year} prices).",
        ),
    )
    sh.header_row(("项目 Item", "取值 Value", "说明 Note"))
    sh.width(1, 44)
    sh.width(2, 22)
    sh.width(3, 70)
    for scalar in D.SCALARS:
        sh.row += 1
        sh.text(sh.row, 1, f"{scalar.zh} / {scalar.en}")
        cell = sh.ws.cell(sh.row, 2)
        if scalar.kind == "version":
            sh.text(sh.row, 2, D.DATA_VERSION)
            cell.fill = INFO_FILL
        else:
            sh.text(sh.row, 2, data.vintage)
            choices = "/".join(scalar.choices)
            sh.input(
                cell,
                _Input(
                    None,
                    _Rule("list", choices=scalar.choices),
                    _note(scalar.zh, scalar.en, "—", choices, v.description),
                ),
            )
            sh.text(sh.row, 3, v.description)
        sh.define(scalar.name, cell.coordinate)
    sh.row += 2
    sh.heading("如何使用", "How to use")
    for zh, en in _HOW_TO:
        sh.text(sh.row, 1, zh)
        sh.row += 1
        sh.text(sh.row, 1, en)
        sh.row += 1
    sh.freeze = None


def _data(sh: _Sheet, data: baseline.Dataset) -> None:
    sh.text(sh.row, 1, "基期观测数据  Observed baseline data", TITLE_FONT)
    sh.row += 1
    sh.text(
        sh.row,
        1,
        f"内置数据版本 bundled vintage {data.vintage}；“估算”表示内置值为估计值（方法见来源列） / "
        "'estimate' marks a bundled estimate (method in the Source column)",
    )
    sh.row += 2
    names = baseline.units()
    rows: list[dict[str, Any]] = []
    for r in template_rows(data):
        code, s = r["region"], r["series"]
        if code in names.index:
            name = f"{names.loc[code, 'name_zh']} {names.loc[code, 'name_en']}"
        else:
            name = " ".join(baseline.PROVINCE_NAMES[code])
        rows.append(
            {
                "region": code,
                "name": name,
                "year": r["year"],
                "series": s.id,
                "series_name": f"{s.name_zh} / {s.name_en}",
                "unit": s.unit,
                "value": r["value"],
                "source": r["source"],
                "vintage": r["vintage"],
                "bundled": r["value"],
                "status": _status_word(r["status"]),
                "_series": s,
            }
        )
    sh.freeze = None
    top = sh.table(D.DATA_TABLE, rows, _input)
    sh.freeze = f"A{top + 1}"
    for r in range(top + 1, top + len(rows) + 1):  # years as whole numbers
        sh.ws.cell(r, 3).number_format = "0"


def _status_word(status: str) -> str | None:
    return {
        "sourced": "来源 sourced",
        "derived": "推算 derived",
        "estimate": "估算 estimate",
        "": "未公布 unpublished",
    }.get(status, status or None)


def _input(row: dict[str, Any], column: Column) -> _Input:
    s: Series = row["_series"]
    if column.key == "value":
        allowed = format_range(s.low, s.high, False)
        note = _note(
            f"{s.name_zh}，{row['region']} {row['year']}年",
            f"{s.name_en}, {row['region']} {row['year']}",
            s.unit,
            allowed,
            "统计年鉴/统计公报（请在来源列注明） / yearbook or communiqué (cite it in Source)",
            "留空则沿用内置值",
            "leave empty to use the bundled value",
        )
        return _Input("#,##0.00", _Rule("decimal", s.low, s.high), note)
    what = {"source": ("来源", "Source"), "vintage": ("数据版本", "Vintage")}[column.key]
    note = _note(
        what[0],
        what[1],
        "—",
        "文本 text",
        "例如：河北统计年鉴2025 表3-1 / e.g. Hebei Statistical Yearbook 2025, table 3-1",
    )
    return _Input(None, None, note)
