"""``jjjplan brief --data FILE / --data-vintage ID``: the briefing is computed on the data
asked for (scenario, baseline and bands alike) and its footer names that data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jjjplan import baseline
from jjjplan.brief import brief_results
from jjjplan.brief.content import gather
from jjjplan.cli import main
from jjjplan.excel import data_layout as D
from jjjplan.excel.write.provenance import file_sha256

ROOT = Path(__file__).resolve().parents[1]
COORDINATED = ROOT / "workbooks" / "05-coordinated.xlsx"


def invoke(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def flat_text(require_binary, pdf: Path) -> str:
    exe = require_binary("pdftotext")
    done = subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8").replace(" ", "").replace("\n", "")


def _value_cell(ws, region: str, year: int, series: str):
    heads = [c.value for c in next(ws.iter_rows(min_row=5, max_row=5))]
    col = {D.DATA_TABLE.columns[i].key: i for i in range(len(heads))}
    for row in ws.iter_rows(min_row=6):
        key = (row[col["region"]].value, row[col["year"]].value, row[col["series"]].value)
        if key == (region, year, series):
            return row[col["value"]]
    raise LookupError((region, year, series))


@pytest.fixture(scope="module")
def data_template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brief-data") / "d.xlsx"
    result = invoke("data", "template", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def my_data(data_template: Path, tmp_path_factory) -> Path:
    """The planner's data: Beijing's 2024 GDP raised well above the bundled figure."""
    mine = tmp_path_factory.mktemp("brief-mine") / "mine.xlsx"
    wb = openpyxl.load_workbook(data_template)
    _value_cell(wb[D.DATA], "BJ", 2024, "gdp_current").value = 60000
    wb.save(mine)
    return mine


def test_brief_with_a_data_vintage_names_it_in_the_footer(tmp_path, require_binary):
    out = tmp_path / "legacy.pdf"
    result = invoke("brief", COORDINATED, "-o", out, "--data-vintage", baseline.LEGACY_VINTAGE)
    assert result.exit_code == 0, result.output
    text = flat_text(require_binary, out)
    assert baseline.LEGACY_VINTAGE in text and "基期2022年" in text
    assert baseline.DEFAULT_VINTAGE not in text


def test_brief_with_a_data_file_uses_it_for_scenario_and_baseline(
    my_data: Path, tmp_path: Path, require_binary
):
    results, inputs = brief_results(COORDINATED, data=my_data)
    assert results.projection.vintage.startswith("file:mine.xlsx@")
    assert my_data in inputs  # hashed into the footer beside the scenario workbook
    bundled, _ = brief_results(COORDINATED)
    bj = results.projection.units.index("BJ")
    assert results.projection.gdp[-1, bj] != pytest.approx(bundled.projection.gdp[-1, bj])
    content = gather(results, inputs)
    # the baseline is projected on the same data (else every Δ would mix data and policy)
    assert content.base.projection.vintage == results.projection.vintage
    assert content.base.projection.gdp[0, bj] == pytest.approx(results.projection.gdp[0, bj])

    out = tmp_path / "mine.pdf"
    result = invoke("brief", COORDINATED, "-o", out, "--data", my_data)
    assert result.exit_code == 0, result.output
    text = flat_text(require_binary, out)
    assert "file:mine.xlsx@" in text
    assert file_sha256(my_data) in text and file_sha256(COORDINATED) in text


def test_brief_refuses_a_broken_data_file_with_its_cell(data_template: Path, tmp_path: Path):
    broken = tmp_path / "broken.xlsx"
    wb = openpyxl.load_workbook(data_template)
    cell = _value_cell(wb[D.DATA], "TJ", 2024, "population")
    cell.value = "一千三百万"
    wb.save(broken)
    before = broken.read_bytes()
    out = tmp_path / "b.pdf"
    result = invoke("brief", COORDINATED, "-o", out, "--data", broken)
    assert result.exit_code == 1, result.output
    assert f"'{D.DATA}'!{cell.coordinate}" in result.output
    assert not out.exists() and broken.read_bytes() == before
    unknown = invoke("brief", COORDINATED, "-o", out, "--data-vintage", "2019")
    assert unknown.exit_code == 1 and "unknown data vintage" in unknown.output
    assert not out.exists()


def test_brief_never_writes_over_its_data_file(my_data: Path):
    before = my_data.read_bytes()
    pdf_named_like_data = my_data.with_suffix(".pdf")
    result = invoke("brief", COORDINATED, "-o", my_data, "--data", my_data)
    assert result.exit_code == 1 and my_data.read_bytes() == before
    assert not pdf_named_like_data.exists()
