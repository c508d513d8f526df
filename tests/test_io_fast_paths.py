"""The shortcuts that make workbook I/O fast give the same workbook as the long way:
the reader's one openpyxl load (comments read as empty), styles built once and copied,
province tables computed once per Results."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from jjjplan import Scenario, project
from jjjplan.excel import make_template
from jjjplan.excel.read.openbook import load_values
from jjjplan.excel.write import styles
from jjjplan.excel.write.indicators import province_table
from jjjplan.excel.write.sheetio import put


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("fast") / "t.xlsx")


def test_one_load_has_every_value_merge_table_and_name_but_no_comment(template: Path) -> None:
    ours, full = load_values(template), openpyxl.load_workbook(template, data_only=True)
    assert any(c.comment for ws in full.worksheets for row in ws.iter_rows() for c in row)
    assert ours.sheetnames == full.sheetnames
    assert dict(ours.defined_names.items()).keys() == dict(full.defined_names.items()).keys()
    for a, b in zip(ours.worksheets, full.worksheets, strict=True):
        assert [[c.value for c in r] for r in a.iter_rows()] == [
            [c.value for c in r] for r in b.iter_rows()
        ]
        assert {t.ref for t in a.tables.values()} == {t.ref for t in b.tables.values()}
        assert a.merged_cells.ranges == b.merged_cells.ranges
        assert not any(c.comment for row in a.iter_rows() for c in row)


def test_a_style_built_once_is_the_style_built_each_time() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in range(1, 4):
        put(ws, row, 1, 0.5, styles.PERCENT)
        put(ws, row, 2, True)
    styles.style_header([ws.cell(5, c) for c in range(1, 4)])
    assert [ws.cell(r, 1).number_format for r in range(1, 4)] == [styles.PERCENT] * 3
    assert [ws.cell(r, 2).number_format for r in range(1, 4)] == [styles.BOOLEAN] * 3
    for c in range(1, 4):
        cell = ws.cell(5, c)
        assert cell.font.b and cell.fill.fgColor.rgb == styles.HEADER_FILL.fgColor.rgb
        assert cell.alignment.wrap_text and cell.border.bottom.style == "thin"


def test_a_cell_with_its_own_style_keeps_it() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    put(ws, 1, 1, 0.25, styles.PERCENT)  # builds the cached PERCENT style
    marked = ws.cell(2, 1)
    marked.fill = PatternFill("solid", fgColor="FF0000")
    put(ws, 2, 1, 0.5, styles.PERCENT)
    assert marked.number_format == styles.PERCENT
    assert marked.fill.fgColor.rgb == "00FF0000"
    assert ws.cell(1, 1).fill.fill_type is None


def test_province_table_is_computed_once_and_equals_provinces() -> None:
    results = project(Scenario.baseline())
    first = province_table(results)
    assert province_table(results) is first
    assert first.equals(results.provinces())
