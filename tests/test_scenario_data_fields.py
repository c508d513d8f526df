"""The scenario workbook's data-vintage and policy-start-year fields (About sheet)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jjjplan import Scenario, baseline
from jjjplan.errors import ValidationError
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.layout import ABOUT
from jjjplan.excel.read.reader import read_workbook_report


def _cell(wb: openpyxl.Workbook, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def test_fields_round_trip_through_the_template(tmp_path: Path) -> None:
    s = Scenario.baseline().replace(data_vintage=baseline.LEGACY_VINTAGE, policy_start_year=2028)
    got = read_workbook(make_template(tmp_path / "s.xlsx", s))
    assert got.data_vintage == baseline.LEGACY_VINTAGE and got.policy_start_year == 2028
    plain = read_workbook(make_template(tmp_path / "p.xlsx"))
    assert plain.data_vintage is None and plain.policy_start_year == 2026


def test_bad_values_are_reported_at_their_cells(tmp_path: Path) -> None:
    path = make_template(tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(path)
    _cell(wb, "DataVintage").value = "2019-yearbook"
    _cell(wb, "PolicyStartYear").value = 2040
    wb.save(path)
    with pytest.raises(ValidationError) as err:
        read_workbook(path)
    by_field = {i.field: i for i in err.value.issues}
    assert set(by_field) == {"data_vintage", "policy_start_year"}
    assert all(i.sheet == ABOUT and i.cell for i in by_field.values())
    assert baseline.DEFAULT_VINTAGE in by_field["data_vintage"].message_en


def test_an_older_template_without_the_fields_reads_with_defaults_and_notices(
    tmp_path: Path,
) -> None:
    path = make_template(tmp_path / "old.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb.defined_names["DataVintage"]
    del wb.defined_names["PolicyStartYear"]
    _cell(wb, "TemplateVersion").value = "1.0"
    wb.save(path)
    reading = read_workbook_report(path)
    assert reading.scenario is not None and not reading.issues
    assert reading.scenario.data_vintage is None and reading.scenario.policy_start_year == 2026
    noted = {n.field for n in reading.notices}
    assert {"data_vintage", "policy_start_year"} <= noted


def test_a_current_template_without_the_fields_is_an_error(tmp_path: Path) -> None:
    path = make_template(tmp_path / "new.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb.defined_names["DataVintage"]
    wb.save(path)
    with pytest.raises(ValidationError, match="DataVintage"):
        read_workbook(path)
