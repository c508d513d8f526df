"""The baseline-data workbook: round trip, partial files, bad files, LibreOffice re-save."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from jjjplan import baseline
from jjjplan.data.editable import keys
from jjjplan.errors import ValidationError, WorkbookRejected
from jjjplan.excel import data_layout as D
from jjjplan.excel.read.data_workbook import read_data_workbook
from jjjplan.excel.write.data_template import make_data_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_template(tmp_path_factory.mktemp("data") / "d.xlsx")


def _columns(ws) -> dict[str, int]:
    table = ws.tables[D.DATA_TABLE.name]
    top = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit()))
    return {D.DATA_TABLE.columns[i].key: i + 1 for i in range(len(D.DATA_TABLE.columns))} | {
        "_top": top
    }


def _edit(src: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """Change a copy the way a planner would in Excel (openpyxl round trip)."""
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def _row_of(ws, region: str, year: int, series: str) -> int:
    c = _columns(ws)
    for r in range(c["_top"] + 1, ws.max_row + 1):
        if (
            ws.cell(r, c["region"]).value == region
            and ws.cell(r, c["year"]).value == year
            and ws.cell(r, c["series"]).value == series
        ):
            return r
    raise LookupError((region, year, series))


def test_template_reads_back_to_the_bundled_vintage(template: Path) -> None:
    d = read_data_workbook(template)
    b = baseline.dataset()
    sha = hashlib.sha256(template.read_bytes()).hexdigest()
    assert d.vintage == f"file:d.xlsx@{sha[:8]} (on {b.vintage})" and d.years == b.years
    for name in ("gdp", "gdp_current", "population"):
        np.testing.assert_array_equal(getattr(d, name), getattr(b, name))
    np.testing.assert_array_equal(d.real_growth[1:], b.real_growth[1:])
    np.testing.assert_array_equal(d.fiscal_revenue, b.fiscal_revenue)  # NaN where unpublished
    assert d.source_sha256 == hashlib.sha256(template.read_bytes()).hexdigest()
    assert d.notices == ()  # a full file: nothing fell back


def test_template_is_a_table_with_yellow_validated_inputs(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert set(wb.defined_names) >= {D.VINTAGE_NAME, D.VERSION_NAME}
    ws = wb[D.DATA]
    c = _columns(ws)
    n_rows = sum(1 for _ in keys(baseline.dataset()))
    assert ws.tables[D.DATA_TABLE.name].ref.endswith(str(c["_top"] + n_rows))
    value = ws.cell(c["_top"] + 1, c["value"])
    assert value.fill.fgColor.rgb.endswith("FFFF99") and value.comment is not None
    assert ws.cell(c["_top"] + 1, c["bundled"]).fill.fgColor.rgb.endswith("EDEDED")
    validated = " ".join(str(dv.sqref) for dv in ws.data_validations.dataValidation)
    col = openpyxl.utils.get_column_letter(c["value"])
    assert col in validated
    units = {ws.cell(r, c["unit"]).value for r in range(c["_top"] + 1, c["_top"] + n_rows + 1)}
    assert "亿元（当年价） / 100m yuan, current prices" in units  # money states its price basis


def test_a_changed_value_reaches_the_base_year_with_its_source(
    template: Path, tmp_path: Path
) -> None:
    def change(wb):
        ws = wb[D.DATA]
        c = _columns(ws)
        r = _row_of(ws, "BJ", 2024, "gdp_current")
        ws.cell(r, c["value"]).value = 50100.5
        ws.cell(r, c["source"]).value = "北京统计年鉴2025 表2-1"

    d = read_data_workbook(_edit(template, tmp_path / "mine.xlsx", change))
    bj = d.units.index("BJ")
    assert d.gdp_current[-1, bj] == 50100.5 == d.gdp[-1, bj]
    row = d.base_table().loc["BJ"]
    assert row.gdp_status == "planner"
    assert (
        row.gdp_source.startswith("mine.xlsx '基期数据 Data'!G")
        and "北京统计年鉴2025" in row.gdp_source
    )


def test_a_partial_file_falls_back_per_value_with_a_notice(template: Path, tmp_path: Path) -> None:
    def change(wb):
        ws = wb[D.DATA]
        c = _columns(ws)
        ws.cell(_row_of(ws, "TS", 2023, "population"), c["value"]).value = None  # emptied
        ws.delete_rows(_row_of(ws, "HS", 2024, "gdp_current"))  # row deleted

    d = read_data_workbook(_edit(template, tmp_path / "partial.xlsx", change))
    b = baseline.dataset()
    np.testing.assert_array_equal(d.population, b.population)
    np.testing.assert_array_equal(d.gdp_current, b.gdp_current)
    assert len(d.notices) == 2
    assert any(
        "TS 2023" in n and "沿用内置数据" in n and "bundled value used" in n for n in d.notices
    )
    assert any("HS 2024" in n for n in d.notices)


def test_every_problem_is_reported_at_once_with_sheet_and_cell(
    template: Path, tmp_path: Path
) -> None:
    def change(wb):
        ws = wb[D.DATA]
        c = _columns(ws)
        ws.cell(_row_of(ws, "BJ", 2024, "gdp_current"), c["value"]).value = "很多"
        ws.cell(_row_of(ws, "TJ", 2024, "population"), c["value"]).value = -5
        ws.cell(_row_of(ws, "SJZ", 2023, "real_growth"), c["year"]).value = 2019
        ws.cell(_row_of(ws, "LF", 2024, "population"), c["region"]).value = "XA"
        ws.cell(_row_of(ws, "CD", 2022, "gdp_current"), c["series"]).value = "gdp_current2"

    bad = _edit(template, tmp_path / "bad.xlsx", change)
    before = bad.read_bytes()
    with pytest.raises(ValidationError) as err:
        read_data_workbook(bad)
    issues = err.value.issues
    assert len(issues) == 5
    assert all(i.sheet == D.DATA and i.cell and i.message_zh and i.message_en for i in issues)
    text = str(err.value)
    assert "很多" in text and "-5" in text and "2019" in text and "XA" in text
    assert bad.read_bytes() == before  # the planner's file is untouched


def test_a_duplicate_row_and_an_unknown_vintage_are_errors(template: Path, tmp_path: Path) -> None:
    def change(wb):
        ws = wb[D.DATA]
        c = _columns(ws)
        r = _row_of(ws, "HD", 2024, "population")
        ws.cell(r + 1, c["region"]).value = "HD"
        ws.cell(r + 1, c["year"]).value = 2024
        ws.cell(r + 1, c["series"]).value = "population"
        about = wb[D.ABOUT]
        dest = next(iter(wb.defined_names[D.VINTAGE_NAME].destinations))
        about[dest[1].replace("$", "")].value = "2019-yearbook"

    with pytest.raises(ValidationError) as err:
        read_data_workbook(_edit(template, tmp_path / "dup.xlsx", change))
    codes = {i.field for i in err.value.issues}
    assert "data_vintage" in codes and "HD.2024.population" in codes


def test_vintage_argument_overrides_the_file_and_unknown_is_refused(template: Path) -> None:
    with pytest.raises(ValidationError, match="unknown data vintage"):
        read_data_workbook(template, "nope")
    # a 2024 file on the legacy vintage: years 2023-2024 are unknown there
    with pytest.raises(ValidationError) as err:
        read_data_workbook(template, baseline.LEGACY_VINTAGE)
    assert all(i.field and ".year" in i.field for i in err.value.issues)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "d.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(WorkbookRejected):
        read_data_workbook(fake)
    with pytest.raises(WorkbookRejected):
        read_data_workbook(tmp_path / "missing.xlsx")


def test_resolve_reads_a_path_and_remembers_it_by_label(template: Path) -> None:
    d = baseline.resolve(template)
    assert d.source_file == str(template.resolve()) and d.vintage.startswith("file:d.xlsx@")
    assert baseline.dataset_named(d.vintage) is d
    assert baseline.dataset_named(baseline.LEGACY_VINTAGE) is baseline.dataset("2022-initial")
    assert baseline.dataset_named("file:other.xlsx@00000000 (on 2024-census5)") is None


@pytest.mark.libreoffice
def test_template_resaved_by_libreoffice_reads_back_equal(
    template: Path, tmp_path: Path, require_binary
) -> None:
    from tests.test_libreoffice import run_soffice

    soffice = require_binary("soffice")
    outdir = tmp_path / "resaved"
    outdir.mkdir()
    proc = run_soffice(
        soffice, tmp_path / "profile", [template], outdir, "xlsx:Calc MS Excel 2007 XML"
    )
    resaved = outdir / template.name
    assert resaved.exists(), f"soffice wrote nothing:\n{proc.stdout}\n{proc.stderr}"
    a, b = read_data_workbook(template), read_data_workbook(resaved)
    for name in ("gdp", "gdp_current", "population", "fiscal_revenue", "fiscal_expenditure"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert b.notices == ()


def test_a_hostile_data_file_is_refused_by_the_guard(template: Path, tmp_path: Path) -> None:
    from tests.zip_surgery import patch_declared_size

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(
        patch_declared_size(template.read_bytes(), "xl/worksheets/sheet2.xml", 150 << 20)
    )
    with pytest.raises(WorkbookRejected) as err:
        read_data_workbook(bomb)
    assert "possible zip bomb" in str(err.value)

    entity = tmp_path / "dtd.xlsx"
    import zipfile

    with zipfile.ZipFile(template) as src, zipfile.ZipFile(entity, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + data
            dst.writestr(info, data)
    with pytest.raises(WorkbookRejected):
        read_data_workbook(entity)
