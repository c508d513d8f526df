"""Results exports: CSV (UTF-8 BOM for Excel), Parquet, IAMC (pyam's layout), and the
``jjjplan run --csv/--parquet/--iamc`` options."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan import exports
from jjjplan.cli import main
from jjjplan.excel import make_template

YEAR_COLUMNS_FROM = 5  # IAMC wide: five index columns, then one column per year


@pytest.fixture(scope="module")
def results() -> jjjplan.Results:
    return jjjplan.project(jjjplan.Scenario.baseline())


def test_export_frame_is_the_tidy_frame_plus_every_gap_measure(results) -> None:
    frame = exports.export_frame(results)
    assert list(frame.columns) == list(results.frame.columns)
    indicators = results.gaps.join(results.ratios)
    assert len(frame) == len(results.frame) + indicators.size
    theil = frame[(frame.variable == "theil_t") & (frame.region == "JJJ")].set_index("year")
    pd.testing.assert_series_equal(
        theil["value"], indicators["theil_t"], check_names=False, check_index_type=False
    )


def test_csv_has_a_bom_and_round_trips(results, tmp_path: Path) -> None:
    path = results.to_csv(tmp_path / "r.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows then reads UTF-8
    assert "万人".encode() in raw
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    expected = exports.export_frame(results)
    assert list(back.columns) == list(expected.columns)
    assert len(back) == len(expected)
    assert back["value"].to_numpy() == pytest.approx(expected["value"].to_numpy())


def test_parquet_round_trips(results, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow (jjjplan[parquet]) not installed")
    path = results.to_parquet(tmp_path / "r.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(
        back, exports.export_frame(results), check_dtype=False, check_like=True
    )


def test_parquet_without_pyarrow_gives_a_double_quoted_install_hint(
    results, tmp_path: Path, monkeypatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "jjjplan\[parquet\]"'):
        results.to_parquet(tmp_path / "r.parquet")
    assert not (tmp_path / "r.parquet").exists()


def test_iamc_wide_follows_the_documented_layout(results) -> None:
    wide = results.to_iamc()
    assert tuple(wide.columns[:YEAR_COLUMNS_FROM]) == exports.IAMC_COLUMNS
    years = list(wide.columns[YEAR_COLUMNS_FROM:])
    assert all(isinstance(y, int) for y in years) and years == sorted(years)
    assert not wide.duplicated(list(exports.IAMC_COLUMNS)).any()
    assert wide[list(exports.IAMC_COLUMNS)].notna().all().all()
    assert set(wide["model"]) == {f"jjjplan {jjjplan.__version__}"}
    assert {"Beijing", "Tianjin", "Hebei", "Shijiazhuang"} <= set(wide["region"])
    # units are ASCII, same magnitude: 亿元 is "100 million CNY", never rescaled
    assert all(u.isascii() for u in wide["unit"])
    gdp = wide[(wide.variable == "GDP|Real") & (wide.region == "Beijing")]
    bj = results.frame.query("variable == 'gdp' and region == 'BJ' and year == 2035")
    assert gdp[2035].item() == pytest.approx(bj["value"].item())
    assert gdp["unit"].item().startswith("100 million CNY")


def test_iamc_long_equals_wide(results) -> None:
    long = results.to_iamc(layout="long")
    assert list(long.columns) == [*exports.IAMC_COLUMNS, "year", "value"]
    wide = results.to_iamc()
    melted = wide.melt(id_vars=list(exports.IAMC_COLUMNS), var_name="year").dropna()
    assert len(melted) == len(long) == len(exports.export_frame(results))


def test_iamc_files_load_in_pyam(results, tmp_path: Path) -> None:
    pyam = pytest.importorskip("pyam", reason="pyam-iamc not installed")
    for name in ("r.csv", "r.xlsx"):
        df = pyam.IamDataFrame(str(results.to_iamc(tmp_path / name)))
        assert len(df) == len(exports.export_frame(results))


def test_iamc_xlsx_has_a_data_sheet_like_pyam_writes(results, tmp_path: Path) -> None:
    path = results.to_iamc(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["data"]
    header = next(wb["data"].iter_rows(max_row=1, values_only=True))
    assert tuple(header[:YEAR_COLUMNS_FROM]) == exports.IAMC_COLUMNS


def test_to_excel_writes_the_results_workbook(results, tmp_path: Path) -> None:
    path = results.to_excel(tmp_path / "r.xlsx")
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert any("Gaps" in s for s in sheets) and any("Provenance" in s for s in sheets)


@pytest.fixture(scope="module")
def scenario_workbook(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("exports") / "plan.xlsx")


def test_run_writes_every_requested_format_and_lists_them_in_json(
    scenario_workbook: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow (jjjplan[parquet]) not installed")
    outs = {k: tmp_path / f"r.{k}" for k in ("xlsx", "csv", "parquet")}
    iamc = tmp_path / "r-iamc.csv"
    args = ["run", str(scenario_workbook), "-o", str(outs["xlsx"]), "--json"]
    args += ["--csv", str(outs["csv"]), "--parquet", str(outs["parquet"]), "--iamc", str(iamc)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["exit_code"] == 0
    assert [Path(p) for p in report["outputs"]] == [*outs.values(), iamc]
    assert all(p.is_file() for p in [*outs.values(), iamc])
    assert report["figures"]["gaps"]["2035"]["theil_t"] > 0


def test_run_refuses_an_export_onto_the_input(scenario_workbook: Path, tmp_path: Path) -> None:
    before = scenario_workbook.read_bytes()
    args = ["run", str(scenario_workbook), "-o", str(tmp_path / "r.xlsx")]
    result = CliRunner().invoke(main, [*args, "--csv", str(scenario_workbook)])
    assert result.exit_code == 1
    assert scenario_workbook.read_bytes() == before
    assert not (tmp_path / "r.xlsx").exists()
