"""CLI conventions shared by every command (``jjjplan.cli_support``): -v/-q, --json, exit
codes 0/1/2/3, output that survives a GBK (cp936) console, SIGBREAK, install hints."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import jjjplan
from jjjplan import cli_support
from jjjplan.cli import main
from jjjplan.excel import make_template

EXE = Path(sys.executable).with_name("jjjplan")


def invoke(*args: str, **kwargs):
    result = CliRunner().invoke(main, list(args), **kwargs)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("conv") / "good.xlsx")


@pytest.fixture(scope="module")
def bad(good: Path) -> Path:
    wb = openpyxl.load_workbook(good)
    sheet, ref = next(iter(wb.defined_names["OriginShare"].destinations))
    wb[sheet][ref.replace("$", "")].value = "abc"
    path = good.with_name("bad.xlsx")
    wb.save(path)
    return path


# --- GBK consoles ---------------------------------------------------------------------------
def assert_gbk_safe(text: str) -> None:
    """Every character is encodable in GBK, or one of the console's known ASCII stand-ins
    (e.g. the location separator of library messages); never a crash, never a '?'."""
    missing = set()
    for ch in set(text):
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            missing.add(ch)
    assert missing <= set(cli_support._ASCII_STANDINS), sorted(missing)


def command_runs(good: Path, bad: Path, tmp: Path) -> list[tuple[list[str], int]]:
    """Every command (and its help) with the exit code it must give."""
    out = tmp / "out"
    runs: list[tuple[list[str], int]] = [([name, "--help"], 0) for name in main.commands]
    runs += [
        (["--help"], 0),
        (["--version"], 0),
        (["template", str(tmp / "t.xlsx")], 0),
        (["validate", str(good)], 0),
        (["validate", str(good), str(bad)], 1),
        (["validate", str(bad), "--json"], 1),
        (["run", str(good), "-o", str(tmp / "r.xlsx"), "--csv", str(tmp / "r.csv")], 0),
        (["run", str(bad), "-o", str(tmp / "r2.xlsx")], 1),
        (["compare", str(good), "-o", str(tmp / "c.xlsx")], 0),
        (["demo", "--out", str(out)], 0),
        (["examples", str(tmp / "ex")], 0),
        (["examples", str(tmp / "ex")], 1),  # refuses to replace the copies
        (["baseline"], 0),
        (["dashboard", str(bad)], 1),
    ]
    assert {r[0][0] for r in runs} >= set(main.commands)  # every command is exercised
    return runs


def test_every_command_output_is_gbk_safe(good: Path, bad: Path, tmp_path: Path) -> None:
    for args, code in command_runs(good, bad, tmp_path):
        result = invoke(*args)
        assert result.exit_code == code, (args, result.output)
        assert_gbk_safe(result.output)


@pytest.mark.skipif(not EXE.exists(), reason="jjjplan executable not installed in this venv")
def test_gbk_console_redirected_to_a_file_does_not_crash(
    good: Path, bad: Path, tmp_path: Path
) -> None:
    """``PYTHONIOENCODING=gbk jjjplan … > log.txt`` as on Chinese Windows (stdout and stderr
    are GBK files); the log reads back as GBK."""
    env = {k: v for k, v in os.environ.items() if k != "JJJPLAN_DEBUG"}
    env["PYTHONIOENCODING"] = "gbk"
    env["PYTHONPATH"] = str(Path(jjjplan.__file__).parents[1])
    runs = [
        (["demo", "--out", "o2"], 0),
        (["validate", str(good), str(bad)], 1),
        (["run", str(good), "-o", "r.xlsx"], 0),
        (["examples", "ex"], 0),
    ]
    for args, code in runs:
        with open(tmp_path / "log.txt", "wb") as log:
            proc = subprocess.run([str(EXE), *args], cwd=tmp_path, stdout=log, stderr=log, env=env)
        text = (tmp_path / "log.txt").read_bytes().decode("gbk")
        assert proc.returncode == code, (args, text)
        assert "Traceback" not in text and "UnicodeEncodeError" not in text


def test_prepare_console_replaces_what_gbk_cannot_encode(monkeypatch) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="gbk", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    cli_support.prepare_console()
    stream.write("✓ 有效 plan.xlsx › 税收分享!B7 ✗ \U0001f600")
    stream.flush()
    assert raw.getvalue().decode("gbk") == "OK 有效 plan.xlsx > 税收分享!B7 X ?"


# --- -v / -q and the jjjplan logger ------------------------------------------------------------
def test_quiet_hides_status_lines_before_or_after_the_command(good: Path, tmp_path: Path) -> None:
    loud = invoke("run", str(good), "-o", str(tmp_path / "a.xlsx"))
    assert "results written" in loud.output
    for args in (["-q", "run"], ["run", "-q"]):
        result = invoke(*args[:1], *args[1:], str(good), "-o", str(tmp_path / "b.xlsx"))
        assert result.exit_code == 0
        assert result.output == ""
        (tmp_path / "b.xlsx").unlink()


def test_verbose_shows_debug_records_of_the_jjjplan_logger(good: Path) -> None:
    result = invoke("-v", "validate", str(good))
    assert result.exit_code == 0
    assert "jjjplan DEBUG: jjjplan validate: start" in result.output
    assert "DEBUG" not in invoke("validate", str(good)).output


def test_logger_is_restored_after_a_command(good: Path) -> None:
    logger = logging.getLogger("jjjplan")
    before = (list(logger.handlers), logger.level, logger.propagate)
    invoke("-v", "validate", str(good))
    assert (list(logger.handlers), logger.level, logger.propagate) == before


def test_quiet_still_shows_problems(bad: Path) -> None:
    result = invoke("-q", "validate", str(bad))
    assert result.exit_code == 1
    assert "'abc'" in result.output or "abc" in result.output
    assert "expected a number" in result.output


# --- --json --------------------------------------------------------------------------------------
def test_validate_json_lists_problems_with_their_cells(good: Path, bad: Path) -> None:
    result = invoke("validate", str(good), str(bad), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["command"] == "validate" and report["exit_code"] == 1 and not report["ok"]
    assert [d["valid"] for d in report["details"]] == [True, False]
    problem = report["problems"][0]
    assert problem["workbook"] == "bad.xlsx" and problem["cell"] and problem["found"]
    assert problem["message_zh"] and problem["message_en"]
    assert result.stdout.isascii()  # any console can carry it


def test_compare_json_has_outputs_and_key_figures(good: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    result = invoke("compare", str(good), "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["outputs"] == [str(out)] and out.is_file()
    (row,) = report["figures"]["gaps_2035"].values()
    assert set(row) >= {"theil_t", "bj_he_ratio"} and row["theil_t"] > 0


def test_json_on_an_input_problem_is_still_one_json_object(bad: Path, tmp_path: Path) -> None:
    result = invoke("run", str(bad), "-o", str(tmp_path / "r.xlsx"), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["problems"] and report["outputs"] == [] and "error" in report


# --- exit codes ----------------------------------------------------------------------------------
def test_exit_codes(monkeypatch, good: Path, bad: Path, tmp_path: Path) -> None:
    assert invoke("validate", str(good)).exit_code == cli_support.EXIT_OK
    assert invoke("validate", str(bad)).exit_code == cli_support.EXIT_INPUT
    assert invoke("run").exit_code == cli_support.EXIT_USAGE  # neither a workbook nor --code
    monkeypatch.setattr(jjjplan, "project", lambda _s, **_kw: 1 / 0)
    result = invoke("run", str(good), "-o", str(tmp_path / "r.xlsx"), "--json")
    assert result.exit_code == cli_support.EXIT_INTERNAL
    assert json.loads(result.stdout)["error"].endswith("ZeroDivisionError: division by zero")


def test_python_dash_m_jjjplan() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(jjjplan.__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "jjjplan", "--help"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "Usage: jjjplan" in proc.stdout


# --- Windows code paths (monkeypatched) --------------------------------------------------------
def test_sigbreak_stops_a_command_cleanly_and_is_restored(
    monkeypatch, good: Path, tmp_path: Path
) -> None:
    """Windows' Ctrl+Break (SIGBREAK) becomes SystemExit during a command, like SIGTERM."""
    stand_in = signal.SIGUSR1  # SIGBREAK exists only on Windows
    monkeypatch.setattr(signal, "SIGBREAK", stand_in, raising=False)
    before = signal.getsignal(stand_in)
    seen = {}
    real_project = jjjplan.project

    def spy(scenario, **kwargs):
        seen["handler"] = signal.getsignal(stand_in)
        return real_project(scenario, **kwargs)

    monkeypatch.setattr(jjjplan, "project", spy)
    assert invoke("run", str(good), "-o", str(tmp_path / "r.xlsx")).exit_code == 0
    handler = seen["handler"]
    assert callable(handler) and handler is not before
    with pytest.raises(SystemExit) as stop:
        handler(stand_in, None)
    assert stop.value.code == 128 + stand_in
    assert signal.getsignal(stand_in) == before


def test_missing_extra_is_an_input_problem_with_a_cmd_exe_safe_hint(monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a)
    )
    result = invoke("dashboard", "--no-browser")
    assert result.exit_code == 1
    assert 'pip install "jjjplan[dashboard]"' in result.output
    assert "internal error" not in result.output and "port in use" not in result.output


def test_install_hint_uses_double_quotes() -> None:
    assert cli_support.install_hint("lab") == 'pip install "jjjplan[lab]"'
