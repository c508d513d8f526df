"""Uncertainty in the outputs: ``--draws/--seed`` on run/compare, ``jjjplan sensitivity``,
the Uncertainty, Probabilities and Sensitivity sheets, Ctrl-C leaving nothing behind.

Draw counts are tiny (the loop engine costs milliseconds per projection); the sheets'
numbers are checked against the library functions they come from.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan.cli import main
from jjjplan.excel.read import read_workbook
from jjjplan.excel.write.probabilities import PROBABILITIES, UNDECIDED_FILL
from jjjplan.excel.write.sensitivity import SENSITIVITY
from jjjplan.excel.write.uncertainty import UNCERTAINTY
from jjjplan.uncertainty import commands
from jjjplan.uncertainty.compare import UNDECIDED

ROOT = Path(__file__).resolve().parents[1]
COORDINATED = ROOT / "workbooks" / "05-coordinated.xlsx"
BASELINE = ROOT / "workbooks" / "00-baseline.xlsx"


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def sheet_values(path: Path, sheet: str) -> list[tuple]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def chart_xml(path: Path) -> list[str]:
    """Each chart part's XML with the chart namespace prefix (if any) removed."""
    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    return [re.sub(r"<(/?)c:", r"<\1", x) for x in parts]


@pytest.fixture(scope="module")
def run_twice(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("unc-run")
    outs = folder / "r1.xlsx", folder / "r2.xlsx"
    for out in outs:
        result = invoke("run", COORDINATED, "-o", out, "--draws", 6, "--seed", 1)
        assert result.exit_code == 0, result.output
        assert "P5" in result.output and "P95" in result.output
    return outs


def test_run_with_draws_writes_the_uncertainty_sheet_with_fan_charts(run_twice):
    out = run_twice[0]
    assert UNCERTAINTY in openpyxl.load_workbook(out, read_only=True).sheetnames
    fans = [x for x in chart_xml(out) if "<areaChart>" in x]
    assert len(fans) == 2
    assert all("<lineChart>" in x for x in fans)  # median and point lines over the bands
    rows = sheet_values(out, UNCERTAINTY)
    head = next(r for r in rows if r[0] == "指标 Indicator")
    assert head[4:10] == ("P5", "P25", "P50", "P75", "P95", "点值 Point")


def test_the_same_seed_gives_identical_numbers(run_twice):
    a, b = (sheet_values(p, UNCERTAINTY) for p in run_twice)
    assert a == b


def test_uncertainty_sheet_matches_the_library(run_twice):
    rows = sheet_values(run_twice[0], UNCERTAINTY)
    theil = next(r for r in rows if r[0] and r[0].startswith("泰尔指数T（") and r[3] == 2035)
    bands = jjjplan.ensemble(read_workbook(COORDINATED), draws=6, seed=1).bands()
    want = bands.query("variable == 'theil_t' and year == 2035")["value"].tolist()
    assert list(theil[4:9]) == pytest.approx(want, rel=1e-12)
    for r in rows:
        if r[3] is not None and isinstance(r[4], float):
            assert r[4] <= r[5] <= r[6] <= r[7] <= r[8]  # monotone in the quantile


def test_run_without_draws_has_no_uncertainty_sheet(tmp_path):
    out = tmp_path / "r.xlsx"
    assert invoke("run", BASELINE, "-o", out).exit_code == 0
    assert UNCERTAINTY not in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_compare_with_draws_writes_rank_probabilities(tmp_path):
    out = tmp_path / "c.xlsx"
    result = invoke("compare", BASELINE, COORDINATED, "-o", out, "--draws", 4, "--seed", 2)
    assert result.exit_code == 0, result.output
    assert "P(lowest)" in result.output
    wb = openpyxl.load_workbook(out)
    ws = wb[PROBABILITIES]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    verdicts = [r for r in rows if r and r[0] and r[2] == "baseline" and r[1] == 2035]
    assert verdicts, "rank table has the baseline's rows"
    # the baseline compared with itself is always a coin flip, and marked
    for row in ws.iter_rows():
        if row[2].value == "baseline" and isinstance(row[1].value, int):
            assert row[5].value == 0.5 and row[6].value == UNDECIDED
            assert row[5].fill.fgColor.rgb.endswith(UNDECIDED_FILL.fgColor.rgb[-6:])


def test_sensitivity_command_writes_indices_and_a_chart(tmp_path):
    out = tmp_path / "s.xlsx"
    result = invoke("sensitivity", BASELINE, "-o", out, "--method", "morris", "--n", 2)
    assert result.exit_code == 0, result.output
    rows = sheet_values(out, SENSITIVITY)
    head = next(r for r in rows if r[0] == "代码 Code")
    assert head[-3:] == ("mu_star", "sigma", "mu_star_conf")
    body = [r for r in rows[rows.index(head) + 1 :] if r[0]]
    assert len(body) == sum(a.varies for a in jjjplan.assumptions.ASSUMPTIONS)
    assert any("<barChart>" in x for x in chart_xml(out))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--outcome", "nope@2035"), "unknown outcome"),
        (("--outcome", "theil_t@soon"), "NAME@YEAR"),
        (("--outcome", "theil_t@2050"), "outside"),
        (("--method", "fast"), "fast"),
    ],
)
def test_sensitivity_usage_errors(tmp_path, args, message):
    out = tmp_path / "s.xlsx"
    result = invoke("sensitivity", BASELINE, "-o", out, "--n", 2, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_ctrl_c_stops_cleanly_with_nothing_written(tmp_path, monkeypatch):
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("jjjplan.uncertainty.ensembles.evaluate", interrupted)
    out = tmp_path / "r.xlsx"
    result = invoke("run", BASELINE, "-o", out, "--draws", 3)
    assert result.exit_code != 0
    assert commands.INTERRUPTED in result.output
    assert list(tmp_path.iterdir()) == []


def test_sensitivity_help_has_an_example():
    result = invoke("sensitivity", "--help")
    assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.slow
def test_demo_with_draws_adds_uncertainty_to_every_output(tmp_path):
    result = invoke("demo", "--out", tmp_path, "--draws", 3, "--seed", 4)
    assert result.exit_code == 0, result.output
    assert "P(lowest)" in result.output
    for out in sorted(tmp_path.glob("*-results.xlsx")):
        assert UNCERTAINTY in openpyxl.load_workbook(out, read_only=True).sheetnames
    comparison = openpyxl.load_workbook(tmp_path / "comparison.xlsx", read_only=True)
    assert PROBABILITIES in comparison.sheetnames


def test_cli_method_list_matches_the_sensitivity_module():
    """The CLI lists the methods without importing SALib/numpy; the lists must agree."""
    from jjjplan.uncertainty import commands, gsa

    assert tuple(commands.METHODS) == tuple(gsa.METHODS)
