"""``jjjplan run`` without ``-o``: ``<input>-results.xlsx`` beside the input, never replacing
a file (the planner may keep earlier results under that name)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from jjjplan.cli import default_results_path, main

ROOT = Path(__file__).resolve().parents[1]
GROWTH = ROOT / "workbooks" / "01-growth-poles.xlsx"


def test_default_results_name_sits_beside_the_input_and_counts_up(tmp_path):
    wb = tmp_path / "我的情景.xlsx"
    assert default_results_path(wb) == tmp_path / "我的情景-results.xlsx"
    (tmp_path / "我的情景-results.xlsx").write_bytes(b"old")
    assert default_results_path(wb) == tmp_path / "我的情景-results-2.xlsx"
    (tmp_path / "我的情景-results-2.xlsx").write_bytes(b"old")
    assert default_results_path(wb) == tmp_path / "我的情景-results-3.xlsx"


def test_run_without_out_writes_beside_the_input_and_never_overwrites(tmp_path):
    wb = tmp_path / "plan.xlsx"
    shutil.copy(GROWTH, wb)
    earlier = tmp_path / "plan-results.xlsx"
    earlier.write_bytes(b"the planner's earlier results")
    result = CliRunner().invoke(main, ["run", str(wb)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "plan-results-2.xlsx"
    assert str(written) in result.output
    assert earlier.read_bytes() == b"the planner's earlier results"
    assert "摘要 Summary" in openpyxl.load_workbook(written, read_only=True).sheetnames
