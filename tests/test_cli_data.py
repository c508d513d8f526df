"""``jjjplan data template``, ``--data`` and ``--data-vintage`` as a planner uses them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan import baseline
from jjjplan.cli import main
from jjjplan.excel import data_layout as D
from jjjplan.excel import make_template

ROOT = Path(__file__).resolve().parents[1]
BASELINE_WB = ROOT / "workbooks" / "00-baseline.xlsx"


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def _provenance(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, read_only=True)["来源 Provenance"]
    return {r[0]: r[3] for r in ws.iter_rows(min_row=5, max_col=4, values_only=True) if r[0]}


def _value_cell(ws, region: str, year: int, series: str):
    heads = [c.value for c in next(ws.iter_rows(min_row=5, max_row=5))]
    col = {D.DATA_TABLE.columns[i].key: i for i in range(len(heads))}
    for row in ws.iter_rows(min_row=6):
        if (row[col["region"]].value, row[col["year"]].value, row[col["series"]].value) == (
            region,
            year,
            series,
        ):
            return row[col["value"]]
    raise LookupError((region, year, series))


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-data") / "d.xlsx"
    result = invoke("data", "template", out)
    assert result.exit_code == 0, result.output
    return out


def test_run_uses_the_post_census_vintage_and_names_it(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = invoke("run", BASELINE_WB, "-o", out)
    assert result.exit_code == 0, result.output
    prov = _provenance(out)
    assert prov["data_vintage"] == baseline.DEFAULT_VINTAGE and prov["base_year"] == 2024
    assert prov["policy_start_year"] == 2026
    # observed 2023-2024 province GDP growth reproduced (to 0.1%)
    r = jjjplan.project(jjjplan.excel.read_workbook(BASELINE_WB))
    prov_gdp = r.provinces()
    d = baseline.dataset()
    he = d.table[(d.table.region == "HE") & (d.table.variable == "real_growth")]
    observed = {
        "BJ": d.real_growth[1:, d.units.index("BJ")],
        "TJ": d.real_growth[1:, d.units.index("TJ")],
        "HE": he.sort_values("year").value.to_numpy() / 100,  # Hebei's published growth
    }
    for code, obs in observed.items():
        g = prov_gdp[(code, "gdp")].loc[[2022, 2023, 2024]].to_numpy()
        np.testing.assert_allclose(g[1:] / g[:-1] - 1, obs, atol=1e-3)


def test_a_planners_value_reaches_the_base_year_and_provenance(
    data_file: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.xlsx"
    wb = openpyxl.load_workbook(data_file)
    _value_cell(wb[D.DATA], "BJ", 2024, "gdp_current").value = 52000
    wb.save(mine)
    out = tmp_path / "r2.xlsx"
    result = invoke("run", BASELINE_WB, "--data", mine, "-o", out)
    assert result.exit_code == 0, result.output
    prov = _provenance(out)
    assert str(prov["data_file"]).endswith("mine.xlsx") and len(str(prov["data_sha256"])) == 64
    assert str(prov["data_vintage"]).startswith("file:mine.xlsx@")
    ws = openpyxl.load_workbook(out, read_only=True)["来源 Provenance"]
    cited = [r for r in ws.iter_rows(values_only=True) if r and r[0] == "BJ" and r[3] == 52000]
    assert cited and any("mine.xlsx" in str(c) for c in cited[0])


def test_a_broken_data_file_is_exit_1_with_cells_and_untouched(
    data_file: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"
    wb = openpyxl.load_workbook(data_file)
    cell = _value_cell(wb[D.DATA], "TJ", 2024, "population")
    cell.value = "一千三百万"
    wb.save(broken)
    before = broken.read_bytes()
    out = tmp_path / "r3.xlsx"
    result = invoke("run", BASELINE_WB, "--data", broken, "-o", out)
    assert result.exit_code == 1
    assert f"'{D.DATA}'!{cell.coordinate}" in result.output
    assert not out.exists() and broken.read_bytes() == before


def test_data_vintage_selects_the_legacy_base(tmp_path: Path) -> None:
    out = tmp_path / "legacy.xlsx"
    result = invoke("run", BASELINE_WB, "--data-vintage", baseline.LEGACY_VINTAGE, "-o", out)
    assert result.exit_code == 0, result.output
    prov = _provenance(out)
    assert prov["data_vintage"] == baseline.LEGACY_VINTAGE and prov["base_year"] == 2022
    bad = invoke("run", BASELINE_WB, "--data-vintage", "2019", "-o", tmp_path / "x.xlsx")
    assert bad.exit_code == 1 and "unknown data vintage" in bad.output
    assert baseline.DEFAULT_VINTAGE in bad.output


def test_compare_refuses_workbooks_naming_different_vintages(tmp_path: Path) -> None:
    a = make_template(tmp_path / "a.xlsx", jjjplan.Scenario.baseline().replace(name="a"))
    b_scenario = jjjplan.Scenario.baseline().replace(name="b", data_vintage=baseline.LEGACY_VINTAGE)
    b = make_template(tmp_path / "b.xlsx", b_scenario)
    result = invoke("compare", a, b, "-o", tmp_path / "c.xlsx")
    assert result.exit_code == 1 and "one run uses one data vintage" in result.output
    ok = invoke("compare", a, b, "--data-vintage", "2024-census5", "-o", tmp_path / "c.xlsx")
    assert ok.exit_code == 0, ok.output


def test_validate_checks_a_data_file(data_file: Path) -> None:
    result = invoke("validate", BASELINE_WB, "--data", data_file)
    assert result.exit_code == 0, result.output
    assert "baseline data valid" in result.output


def _baseline_row(output: str, year: int) -> list[float]:
    """The gap figures `jjjplan baseline` prints for one year."""
    line = next(ln for ln in output.splitlines() if ln.split()[:1] == [str(year)])
    return [float(v) for v in line.split()[1:]]


def test_baseline_command_projects_the_data_it_is_given(data_file: Path, tmp_path: Path) -> None:
    default = invoke("baseline")
    legacy = invoke("baseline", "--data-vintage", baseline.LEGACY_VINTAGE)
    assert default.exit_code == 0 and legacy.exit_code == 0, legacy.output
    assert baseline.LEGACY_VINTAGE in legacy.output and "2022" in legacy.output
    # the 2022-initial vintage starts from other 2022 figures (its base year)
    assert _baseline_row(legacy.output, 2022) != _baseline_row(default.output, 2022)
    # the printed 2035 Theil T is the one project() gives on that data
    r = jjjplan.project(
        jjjplan.Scenario.baseline(), data=baseline.resolve(None, baseline.LEGACY_VINTAGE)
    )
    assert _baseline_row(legacy.output, 2035)[0] == pytest.approx(
        float(r.gaps["theil_t"].loc[2035]), abs=5e-5
    )
    # a planner's value moves the projection; a broken file is refused with its cell
    mine = tmp_path / "mine.xlsx"
    wb = openpyxl.load_workbook(data_file)
    _value_cell(wb[D.DATA], "BJ", 2024, "gdp_current").value = 60000
    wb.save(mine)
    theirs = invoke("baseline", "--data", mine)
    assert theirs.exit_code == 0, theirs.output
    assert "mine.xlsx" in theirs.output
    assert _baseline_row(theirs.output, 2035) != _baseline_row(default.output, 2035)
    cell = _value_cell(wb[D.DATA], "TJ", 2024, "population")
    cell.value = "一千三百万"
    wb.save(mine)
    broken = invoke("baseline", "--data", mine)
    assert broken.exit_code == 1 and f"'{D.DATA}'!{cell.coordinate}" in broken.output
