"""``jjjplan seek``, ``jjjplan code``, ``template --code`` and ``run --code``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from jjjplan import project
from jjjplan.cli import main
from jjjplan.codes import encode
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.write.examples import EXAMPLE_FILES, example_scenarios
from jjjplan.excel.write.seek_sheet import SEEK_SHEET
from jjjplan.scenario import Scenario
from jjjplan.targets import parse_target

REPO_WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"
BASELINE_WB = REPO_WORKBOOKS / "00-baseline.xlsx"
FAST = ("--free", "poles.investment", "--free", "poles.relocation")


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.mark.parametrize("command", ["seek", "code"])
def test_help_has_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_seek_writes_a_new_workbook_that_meets_the_target(tmp_path):
    out = tmp_path / "found.xlsx"
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio@2035<=3.2", *FAST, "-o", out)
    assert result.exit_code == 0, result.output
    found = read_workbook(out)
    assert found.targets == (parse_target("bj_he_ratio@2035<=3.2"),)
    assert project(found).ratios.loc[2035, "bj_he_ratio"] <= 3.2
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SEEK_SHEET
    text = " ".join(str(c.value) for row in wb[SEEK_SHEET].iter_rows() for c in row if c.value)
    assert "poles.relocation" in text and "all targets met" in text
    # the results workbook confirms the target
    res = tmp_path / "r.xlsx"
    assert invoke("run", out, "-o", res).exit_code == 0
    check = pd.read_excel(res, sheet_name="目标检查 Targets", header=3)
    assert check.iloc[0]["达到 Met"] == "达到 met"


def test_seek_never_overwrites(tmp_path):
    out = tmp_path / "exists.xlsx"
    out.write_bytes(b"planner's file")
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio@2035<=3.2", "-o", out)
    assert result.exit_code == 1
    assert out.read_bytes() == b"planner's file"


def test_infeasible_seek_exits_1_naming_the_closest_value(tmp_path):
    out = tmp_path / "imp.xlsx"
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio@2035<=0.5", *FAST, "-o", out)
    assert result.exit_code == 1
    assert "closest achievable" in result.output
    assert "bj_he_ratio@2035<=0.5" in result.output


def test_bad_target_expression_names_the_option(tmp_path):
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio<3", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert "--target" in result.output and "cannot read target" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_seek_without_targets_says_where_to_give_them(tmp_path):
    result = invoke("seek", BASELINE_WB, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1 and "Targets" in result.output


def test_seek_reads_targets_from_the_workbook(tmp_path):
    wb = tmp_path / "t.xlsx"
    make_template(wb, Scenario(targets=(parse_target("bj_he_ratio@2035<=3.25"),)))
    result = invoke("seek", wb, *FAST, "-o", tmp_path / "f.xlsx")
    assert result.exit_code == 0, result.output


def test_unknown_lever_is_a_clear_error(tmp_path):
    result = invoke(
        "seek",
        BASELINE_WB,
        "--target",
        "bj_he_ratio@2035<=3",
        "--free",
        "poles.x",
        "-o",
        tmp_path / "x.xlsx",
    )
    assert result.exit_code == 1 and "unknown lever" in result.output


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_code_template_run_reproduce_every_shipped_workbook(tmp_path, name):
    code = invoke("code", REPO_WORKBOOKS / name).output.strip()
    assert code.startswith("JJJ1-")
    rebuilt = tmp_path / "rebuilt.xlsx"
    assert invoke("template", "--code", code, rebuilt).exit_code == 0
    original = read_workbook(REPO_WORKBOOKS / name)
    again = read_workbook(rebuilt)
    assert again.replace(description=original.description, author=original.author) == original
    assert project(again).frame.equals(project(original).frame)


def test_run_with_a_code_matches_the_workbook(tmp_path):
    s = example_scenarios()[4]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert invoke("run", "--code", encode(s), "-o", a).exit_code == 0
    assert invoke("run", REPO_WORKBOOKS / EXAMPLE_FILES[4], "-o", b).exit_code == 0
    for sheet in ("差距 Gaps", "地区生产总值 GDP"):
        pd.testing.assert_frame_equal(
            pd.read_excel(a, sheet_name=sheet), pd.read_excel(b, sheet_name=sheet)
        )


def test_mistyped_code_is_a_clear_error(tmp_path):
    code = encode(example_scenarios()[1])
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    result = invoke("template", "--code", wrong, tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert "--code" in result.output and "checksum" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_run_needs_a_workbook_or_a_code(tmp_path):
    assert invoke("run", "-o", tmp_path / "x.xlsx").exit_code == 2


@pytest.mark.slow
def test_done_when_all_levers(tmp_path: Path):
    """The issue's check: every lever free, baseline → bj_he_ratio ≤ 3.0 by 2035."""
    out = tmp_path / "found.xlsx"
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio@2035<=3.0", "-o", out)
    assert result.exit_code == 0, result.output
    assert project(read_workbook(out)).ratios.loc[2035, "bj_he_ratio"] <= 3.0


def test_seek_uses_the_data_options_like_run(tmp_path):
    from jjjplan import baseline

    target = "bj_he_ratio@2035<=3.2"
    plain, legacy = tmp_path / "plain.xlsx", tmp_path / "legacy.xlsx"
    assert invoke("seek", BASELINE_WB, "--target", target, *FAST, "-o", plain).exit_code == 0
    result = invoke(
        "seek", BASELINE_WB, "--target", target, *FAST,
        "--data-vintage", baseline.LEGACY_VINTAGE, "-o", legacy,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert baseline.LEGACY_VINTAGE in result.output  # the data used is named
    found = read_workbook(legacy)
    assert found.data_vintage == baseline.LEGACY_VINTAGE  # run FOUND reproduces the search
    assert project(found).ratios.loc[2035, "bj_he_ratio"] <= 3.2
    assert found.poles != read_workbook(plain).poles  # another base year, other levers
    # the Seek sheet says which data the levers were found on
    assert baseline.LEGACY_VINTAGE in _seek_fact(legacy, "Baseline data")
    assert baseline.DEFAULT_VINTAGE in _seek_fact(plain, "Baseline data")


def _seek_fact(path: Path, key: str) -> str:
    ws = openpyxl.load_workbook(path)[SEEK_SHEET]
    for row in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if isinstance(row[0], str) and key in row[0]:
            return str(row[1])
    raise AssertionError(f"no {key!r} row in the Seek sheet")


def test_seek_with_a_broken_data_file_names_its_cell_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    out = tmp_path / "f.xlsx"
    result = invoke("seek", BASELINE_WB, "--target", "bj_he_ratio@2035<=3.2", "--data", bad,
                    "-o", out)  # fmt: skip
    assert result.exit_code == 1 and "bad.xlsx" in result.output
    assert not out.exists()
