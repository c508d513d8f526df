"""The technology-flow destination split (issue 9 §4) in the scenario workbook."""

from pathlib import Path

import openpyxl
import pytest

from jjjplan import Innovation, Scenario
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.read.reader import read_workbook_report


def test_blank_split_reads_as_current_policy(tmp_path: Path):
    path = make_template(tmp_path / "a.xlsx", Scenario.baseline())
    assert dict(read_workbook(path, isolated=False).innovation.destinations) == {}


def test_split_round_trips(tmp_path: Path):
    s = Scenario(name="t", innovation=Innovation(destinations={"TJ": 0.25, "HD": 0.75}))
    path = make_template(tmp_path / "b.xlsx", s)
    got = read_workbook(path, isolated=False)
    assert {u: v for u, v in got.innovation.destinations.items() if v} == {"TJ": 0.25, "HD": 0.75}


def test_bad_sum_names_the_cells(tmp_path: Path):
    s = Scenario(name="t", innovation=Innovation(destinations={"TJ": 0.25, "HD": 0.75}))
    path = make_template(tmp_path / "c.xlsx", s)
    wb = openpyxl.load_workbook(path)
    ws = wb["创新匹配 Innovation"]
    table = ws.tables["tblTechDestinations"]
    row = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit())) + 1
    assert ws[f"A{row}"].value == "TJ"
    ws[f"D{row}"] = 0.5  # TJ 50% + HD 75% = 125%
    wb.save(path)
    reading = read_workbook_report(path, isolated=False)
    assert reading.scenario is None
    text = " ".join(str(i) for i in reading.issues)
    assert "125.00%" in text and "100%" in text


@pytest.mark.parametrize("name", ["00-baseline.xlsx", "03-innovation-matching.xlsx"])
def test_shipped_workbooks_have_the_table(name: str):
    root = Path(__file__).resolve().parents[1]
    wb = openpyxl.load_workbook(root / "workbooks" / name)
    assert "tblTechDestinations" in wb["创新匹配 Innovation"].tables
