"""Planner messages (issue 13 §5): magnitude words in number cells, no repeated tails,
no technical notices for a LibreOffice save after a row deletion, a deleted input row is an
error, and ``--annotate`` marks every cell of a range error and links its Errors sheet."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import range_boundaries

from jjjplan.cli import main
from jjjplan.errors import Issue, ValidationError
from jjjplan.excel import layout as L
from jjjplan.excel.read.cellvalues import BadValue, parse_number
from jjjplan.excel.read.reader import read_workbook, read_workbook_report
from jjjplan.excel.write import make_template

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("msg") / "template.xlsx")


def named_cell(wb, name):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def edited(template: Path, out: Path, edit) -> Path:
    shutil.copy(template, out)
    wb = openpyxl.load_workbook(out)
    edit(wb)
    wb.save(out)
    return out


# --- "500亿": the unit word, not Chinese numerals -------------------------------------------
@pytest.mark.parametrize(("text", "word"), [("500亿", "亿"), ("1,200 万元", "万元"), ("3万", "万")])
def test_magnitude_word_says_remove_it_and_names_the_unit(text, word):
    with pytest.raises(BadValue) as err:
        parse_number(text, unit="亿元")
    assert err.value.kw["hint_en"] == f"remove {word}: the cell is in 亿元; type the number only"
    assert f"请去掉“{word}”" in err.value.kw["hint_zh"]


def test_chinese_numerals_keep_their_hint():
    with pytest.raises(BadValue) as err:
        parse_number("五百", unit="亿元")
    assert "Chinese numerals" in err.value.kw["hint_en"]


def test_workbook_message_for_500yi_names_the_cells_unit(template, tmp_path):
    def edit(wb):
        named_cell(wb, "EligibilityThreshold").value = "500亿"

    with pytest.raises(ValidationError) as err:
        read_workbook(edited(template, tmp_path / "yi.xlsx", edit))
    text = str(err.value)
    assert "remove 亿: the cell is in 万元/yr" in text
    assert "Chinese numerals" not in text


# --- no "(expected …; found …)" tail repeating the message ----------------------------------
def test_tail_leaves_out_what_the_message_says():
    issue = Issue(
        "a.xlsx", "S", "C8", "f", "数字 a number, 如 e.g. 0.12", "'500亿'",
        "这里应填数字，实际为 '500亿'", "expected a number, found '500亿'",
    )  # fmt: skip
    assert "(expected" not in str(issue) and str(issue).count("'500亿'") == 2
    other = Issue("a.xlsx", "S", "C8", "f", "≤ 100", "250", "太大", "too large")
    assert str(other).endswith("(expected ≤ 100; found 250)")


def test_no_message_of_the_reader_repeats_its_found_value(template, tmp_path):
    def edit(wb):
        named_cell(wb, "OriginShare").value = "abc"
        named_cell(wb, "ShareYears").value = 500

    reading = read_workbook_report(edited(template, tmp_path / "two.xlsx", edit))
    assert len(reading.issues) == 2
    for issue in reading.issues:
        assert str(issue).count(issue.found) <= 2, str(issue)  # zh + en, never a third time


# --- a LibreOffice save after a row deletion ------------------------------------------------
def _delete_assumption_row(wb, ws_title: str = L.ASSUMPTIONS) -> None:
    ws = wb[ws_title]
    table = ws.tables["tblAssumptions"]
    _c1, r1, _c2, r2 = range_boundaries(table.ref)
    ws.delete_rows(r1 + 3)
    table.ref = (
        f"{table.ref.split(':')[0]}:{re.sub(r'[0-9]+', '', table.ref.split(':')[1])}{r2 - 1}"
    )
    table.autoFilter.ref = table.ref


def _as_libreoffice_saves_it(path: Path, sheet_index: int) -> None:
    """LibreOffice's artefacts: formatting on row 1,048,576 and a size reaching it."""
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = parts[part].decode("utf-8")
    xml = re.sub(
        r'<dimension ref="([A-Z]+1):([A-Z]+)[0-9]+"', r'<dimension ref="\1:\g<2>1048576"', xml
    )
    xml = xml.replace("</sheetData>", '<row r="1048576" customFormat="1" ht="12.8"/></sheetData>')
    parts[part] = xml.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())


def test_libreoffice_save_artefacts_are_not_planner_notices(template, tmp_path):
    path = shutil.copy(template, tmp_path / "lo.xlsx")
    _as_libreoffice_saves_it(
        Path(path), 1 + openpyxl.load_workbook(path).sheetnames.index(L.ASSUMPTIONS)
    )
    reading = read_workbook_report(path)
    assert reading.scenario is not None and not reading.issues
    assert not reading.notices, [str(n) for n in reading.notices]


def test_deleted_assumption_row_is_an_error_listed_first(template, tmp_path):
    path = edited(template, tmp_path / "del.xlsx", _delete_assumption_row)
    _as_libreoffice_saves_it(path, 1 + openpyxl.load_workbook(path).sheetnames.index(L.ASSUMPTIONS))
    result = invoke("validate", path)
    assert result.exit_code == 1
    assert "row deleted?" in result.output and "提示 / notice" not in result.output
    first = result.output.splitlines()[2]
    assert "tblAssumptions has no row for" in first


# --- --annotate ------------------------------------------------------------------------------
def test_annotate_marks_every_cell_of_a_range_and_links_the_errors_sheet(template, tmp_path):
    def edit(wb):
        named_cell(wb, "OriginShare").value = " 0.4"  # accepted with a notice
        ws = wb[L.POLES]
        table = ws.tables["tblPoleWeights"]
        _c1, r1, c2, _r2 = range_boundaries(table.ref)
        ws.cell(r1 + 1, c2).value = 0.9  # weights no longer sum to 100%

    path = edited(template, tmp_path / "w.xlsx", edit)
    out = tmp_path / "w-annotated.xlsx"
    result = invoke("validate", path, "--annotate", out)
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out)
    errors = wb["错误 Errors"]
    rows = list(errors.iter_rows(min_row=2))
    weight_row = next(r for r in rows if r[2].value == "poles.weights")
    ref = weight_row[1].value
    assert ":" in ref  # a range error
    c1, r1, c2, r2 = range_boundaries(ref)
    ws = wb[L.POLES]
    marked = [ws.cell(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    assert len(marked) > 1
    assert all(c.fill.fgColor.rgb == "FFFF9999" and c.comment is not None for c in marked)
    link = weight_row[1].hyperlink
    assert link is not None and link.location == f"'{L.POLES}'!{ref}"
    severities = [r[7].value for r in rows]
    assert severities[0].startswith("错误") and any(s.startswith("提示") for s in severities)
    assert severities == sorted(severities, key=lambda s: not s.startswith("错误"))
