"""The ``jjjplan`` command line: exit codes, messages a planner can act on, never a traceback.

Exit codes: 0 success, 1 input problems (all listed, with sheet!cell), 2 usage errors,
3 internal errors.
Most cases run in-process with Click's CliRunner; a few run the installed ``jjjplan``
executable in a subprocess, as a planner would. File-safety cases (inputs byte-identical
after every command) are in ``test_file_safety.py``; hostile files in ``test_catalogue.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan.cli import main
from jjjplan.excel import layout as L
from jjjplan.excel import make_template
from jjjplan.scenario import Scenario

EXE = Path(sys.executable).with_name("jjjplan")
COMMANDS = (
    "template",
    "validate",
    "run",
    "compare",
    "demo",
    "examples",
    "baseline",
    "dashboard",
    "brief",
)


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result


def named_cell(wb: openpyxl.Workbook, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("cli") / "good.xlsx")


@pytest.fixture(scope="module")
def bad(good: Path) -> tuple[Path, str]:
    """A workbook with a word in a number cell; returns it and the sheet!cell."""
    wb = openpyxl.load_workbook(good)
    cell = named_cell(wb, "OriginShare")
    cell.value = "abc"
    path = good.with_name("bad.xlsx")
    wb.save(path)
    return path, f"{cell.coordinate}"


# --- help and usage ------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"jjjplan {command}" in result.output


def test_group_help_and_version() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert all(c in result.output for c in COMMANDS)
    version = invoke("--version").output.strip()
    assert version.startswith(f"jjjplan {jjjplan.__version__} (")
    assert "vintage" in version or "base year" in version


def test_usage_errors_exit_2() -> None:
    assert invoke("validate").exit_code == 2  # no workbook
    assert invoke("run").exit_code == 2  # no workbook
    assert invoke("frobnicate").exit_code == 2


def test_annotate_with_several_workbooks_needs_a_folder(tmp_path: Path, good: Path) -> None:
    result = invoke("validate", str(good), str(good), "--annotate", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    assert "--annotate must name an existing folder" in result.output


# --- template, validate --------------------------------------------------------------------
def test_template_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "我的情景.xlsx"
    result = invoke("template", str(out))
    assert result.exit_code == 0 and "template written" in result.output
    result = invoke("validate", str(out))
    assert result.exit_code == 0
    assert "scenario 'baseline'" in result.output and "valid" in result.output


def test_template_into_missing_folder(tmp_path: Path) -> None:
    result = invoke("template", str(tmp_path / "nope" / "t.xlsx"))
    assert result.exit_code == 1
    assert (
        "输出文件夹不存在" in result.output and "the output folder does not exist" in result.output
    )


def test_validate_lists_the_problem_with_sheet_and_cell(bad: tuple[Path, str]) -> None:
    path, cell = bad
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert f"'{L.REFORM}'!{cell}" in result.output
    assert "这里应填数字" in result.output and "expected a number" in result.output


def test_validate_reports_every_workbook(good: Path, bad: tuple[Path, str]) -> None:
    result = invoke("validate", str(good), str(bad[0]))
    assert result.exit_code == 1
    assert f"√ {good}" in result.output and f"× {bad[0]}" in result.output


def test_validate_missing_file(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "missing.xlsx"))
    assert result.exit_code == 1
    assert "找不到文件" in result.output and "file not found" in result.output


def test_validate_annotate_marks_the_cell(tmp_path: Path, bad: tuple[Path, str]) -> None:
    path, cell = bad
    out = tmp_path / "checked.xlsx"
    result = invoke("validate", str(path), "--annotate", str(out))
    assert result.exit_code == 1
    assert "annotated copy" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "错误 Errors"
    marked = wb[L.REFORM][cell]
    assert marked.fill.fgColor.rgb == "FFFF9999"
    assert "expected a number" in marked.comment.text


def test_validate_annotate_a_good_workbook_writes_nothing(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "checked.xlsx"
    result = invoke("validate", str(good), "--annotate", str(out))
    assert result.exit_code == 0
    assert "no annotated copy written" in result.output
    assert not out.exists()


def test_annotate_of_an_unreadable_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = invoke("validate", str(path), "--annotate", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert "could not be opened, so no annotated copy was written" in result.output


def test_annotate_issue_without_a_cell_does_not_crash(tmp_path: Path, good: Path) -> None:
    """Issues naming a sheet or a defined name but no cell still go on the Errors sheet."""
    wb = openpyxl.load_workbook(good)
    del wb.defined_names["ShareYears"]
    src = tmp_path / "noname.xlsx"
    wb.save(src)
    out = tmp_path / "checked.xlsx"
    result = invoke("validate", str(src), "--annotate", str(out))
    assert result.exit_code == 1 and "internal error" not in result.output
    rows = list(openpyxl.load_workbook(out)["错误 Errors"].iter_rows(values_only=True))
    assert rows[1][0] == L.REFORM and rows[1][1] is None
    assert "ShareYears" in rows[1][6]


# --- run, compare, demo, baseline, dashboard -----------------------------------------------
def test_run_writes_results_and_prints_gaps(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = invoke("run", str(good), "-o", str(out))
    assert result.exit_code == 0
    assert "results written" in result.output and "theil_t" in result.output
    assert "摘要" in " ".join(openpyxl.load_workbook(out).sheetnames)


def test_run_bad_workbook_writes_nothing(tmp_path: Path, bad: tuple[Path, str]) -> None:
    out = tmp_path / "r.xlsx"
    result = invoke("run", str(bad[0]), "-o", str(out))
    assert result.exit_code == 1 and bad[1] in result.output
    assert not out.exists()


def test_run_refuses_output_open_in_excel(tmp_path: Path, good: Path) -> None:
    """Case 53: a LibreOffice lock file (or Excel's ~$ owner file) means the target is open."""
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous")
    (tmp_path / ".~lock.r.xlsx#").write_text("Li Na,host,/home/li,25.11.2025 09:00,x;\n")
    result = invoke("run", str(good), "-o", str(out))
    assert result.exit_code == 1
    assert "文件正在 Excel/LibreOffice 中打开（由 Li Na 打开）" in result.output
    assert "the file is open in Excel/LibreOffice (by Li Na)" in result.output
    assert out.read_bytes() == b"previous"


def test_compare_two_workbooks(tmp_path: Path, good: Path) -> None:
    other = make_template(tmp_path / "other.xlsx", Scenario.baseline().replace(name="other"))
    out = tmp_path / "c.xlsx"
    result = invoke("compare", str(good), str(other), "-o", str(out), "--baseline", str(good))
    assert result.exit_code == 0 and "(2 scenarios)" in result.output
    assert out.exists()


def test_compare_lists_problems_of_every_workbook(tmp_path: Path, bad: tuple[Path, str]) -> None:
    wb = openpyxl.load_workbook(bad[0])
    named_cell(wb, "CapMultiple").value = "x"
    second = tmp_path / "bad2.xlsx"
    wb.save(second)
    result = invoke("compare", str(bad[0]), str(second), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert "bad.xlsx" in result.output and "bad2.xlsx" in result.output


def test_compare_refuses_duplicate_scenario_names(tmp_path: Path, good: Path) -> None:
    twin = make_template(tmp_path / "twin.xlsx", Scenario.baseline().replace(name="BASELINE "))
    result = invoke("compare", str(good), str(twin), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert "与 good.xlsx 的情景名称相同" in result.output
    assert "scenario name 'BASELINE ' is also the name in good.xlsx" in result.output
    assert "internal error" not in result.output


def test_demo_on_a_folder(tmp_path: Path, good: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(good, books / "a.xlsx")
    make_template(books / "b.xlsx", Scenario.baseline().replace(name="b"))
    (books / "~$a.xlsx").write_bytes(b"lock")  # Excel's owner file is skipped
    out = tmp_path / "out"
    result = invoke("demo", "--out", str(out), "--workbooks", str(books))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "a-results.xlsx",
        "b-results.xlsx",
        "comparison.xlsx",
    ]


def test_demo_with_a_bad_workbook_writes_nothing(tmp_path: Path, bad: tuple[Path, str]) -> None:
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(bad[0], books / "bad.xlsx")
    out = tmp_path / "out"
    result = invoke("demo", "--out", str(out), "--workbooks", str(books))
    assert result.exit_code == 1 and bad[1] in result.output
    assert not list(out.glob("*.xlsx"))


def test_baseline_prints_gaps() -> None:
    result = invoke("baseline")
    assert result.exit_code == 0 and "theil_t" in result.output and "2035" in result.output


def test_dashboard_refuses_a_bad_workbook_before_serving(bad: tuple[Path, str]) -> None:
    result = invoke("dashboard", str(bad[0]), "--no-browser")
    assert result.exit_code == 1 and bad[1] in result.output


# --- internal errors -----------------------------------------------------------------------
def test_internal_error_is_one_line_unless_debugging(monkeypatch, tmp_path, good: Path) -> None:
    def boom(_scenario, data=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(jjjplan, "project", boom)
    result = invoke("run", str(good), "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 3
    assert "内部错误 / internal error: RuntimeError: boom" in result.output
    assert "JJJPLAN_DEBUG=1" in result.output
    result = CliRunner().invoke(
        main, ["run", str(good), "-o", str(tmp_path / "r.xlsx")], env={"JJJPLAN_DEBUG": "1"}
    )
    assert isinstance(result.exception, RuntimeError)


# --- the real executable -------------------------------------------------------------------
@pytest.mark.skipif(not EXE.exists(), reason="jjjplan executable not installed in this venv")
def test_installed_executable_exit_codes(tmp_path: Path, bad: tuple[Path, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JJJPLAN_DEBUG"}
    ok = subprocess.run(
        [str(EXE), "template", "t.xlsx"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stderr
    proc = subprocess.run(
        [str(EXE), "validate", str(bad[0])], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    assert bad[1] in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
