"""Workbooks saved by WPS Office (the office suite many Chinese government PCs use) read like
Excel's: the scenario, every problem with its cell, validation, comparison."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from wps_fixtures import (
    CELLIMAGE_REL,
    KSO_BUILD,
    WPS_APPLICATIONS,
    application_of,
    save_as_wps,
)

from jjjplan.cli import main
from jjjplan.errors import ValidationError
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.read.reader import read_workbook_report
from jjjplan.scenario import Scenario


def set_named(source: Path, target: Path, name: str, value) -> Path:
    wb = openpyxl.load_workbook(source)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")].value = value
    wb.save(target)
    return target


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("wps") / "t.xlsx")


@pytest.mark.parametrize("application", WPS_APPLICATIONS)
def test_fixture_has_the_wps_package_parts(template: Path, tmp_path: Path, application) -> None:
    wps = save_as_wps(template, tmp_path / "wps.xlsx", application)
    assert application_of(wps) == application
    with zipfile.ZipFile(wps) as zf:
        assert KSO_BUILD in zf.read("docProps/custom.xml").decode()
        assert CELLIMAGE_REL in zf.read("xl/_rels/workbook.xml.rels").decode()
        assert "custom.xml" in zf.read("[Content_Types].xml").decode()


@pytest.mark.parametrize("application", WPS_APPLICATIONS)
def test_wps_saved_template_reads_as_the_baseline(
    template: Path, tmp_path: Path, application
) -> None:
    wps = save_as_wps(template, tmp_path / "wps.xlsx", application)
    report = read_workbook_report(wps)
    assert report.issues == () and report.scenario == Scenario.baseline()


def test_wps_saved_edit_is_read(template: Path, tmp_path: Path) -> None:
    edited = set_named(template, tmp_path / "edited.xlsx", "CapMultiple", 2.5)
    excel = read_workbook(edited)
    wps = read_workbook(save_as_wps(edited, tmp_path / "编辑-wps.xlsx"))
    assert wps == excel != Scenario.baseline()


def test_wps_saved_problem_names_its_cell(template: Path, tmp_path: Path) -> None:
    bad = set_named(template, tmp_path / "bad.xlsx", "CapMultiple", "abc")
    with pytest.raises(ValidationError) as excel:
        read_workbook(bad)
    with pytest.raises(ValidationError) as wps:
        read_workbook(save_as_wps(bad, tmp_path / "bad-wps.xlsx"))
    located = [(i.workbook.replace("-wps", ""), i.sheet, i.cell) for i in wps.value.issues]
    assert located == [(i.workbook, i.sheet, i.cell) for i in excel.value.issues]


def test_cli_validates_and_compares_wps_files(template: Path, tmp_path: Path) -> None:
    wps = save_as_wps(template, tmp_path / "base-wps.xlsx")
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(wps)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "c.xlsx"
    result = runner.invoke(main, ["compare", str(wps), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
