"""Print-ready workbooks: every sheet of the template, results and comparison workbooks has
an A4 page setup, and LibreOffice prints them in a sane number of pages with no chart cut.

Pages are attributed to sheets by the printed header, which shows the sheet name (&A)."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from jjjplan import project
from jjjplan.excel.read.reader import read_workbook
from jjjplan.excel.write import make_template, write_comparison, write_results
from jjjplan.excel.write.printing import (
    BOOLEAN_FORMAT,
    POINTS_PER_CM,
    _anchor_cell,
    _page_height_points,
    _row_height,
)
from tests.test_libreoffice import ROOT, run_soffice

SHIPPED = sorted((ROOT / "workbooks").glob("*.xlsx"))


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("print")
    results = [project(read_workbook(p)) for p in SHIPPED]
    return {
        "template": make_template(folder / "template.xlsx"),
        "results": write_results(results[-1], folder / "results.xlsx"),
        "comparison": write_comparison(results, folder / "comparison.xlsx"),
    }


@pytest.mark.parametrize("key", ["template", "results", "comparison"])
def test_every_sheet_has_an_a4_page_setup(written, key):
    wb = openpyxl.load_workbook(written[key])
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.page_setup.orientation in ("portrait", "landscape")
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth) in (1, 2) and int(ws.page_setup.fitToHeight) == 0
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.oddHeader.center.text == "&A" and ws.oddHeader.left.text
        if ws.freeze_panes and int(re.sub("[A-Z]", "", ws.freeze_panes)) > 1:
            assert ws.print_title_rows, f"{ws.title}: header rows not repeated"


def test_booleans_show_true_false_in_written_results(written):
    """Results and comparison booleans carry the TRUE/FALSE format; the template keeps plain
    booleans, which LibreOffice shows as TRUE/FALSE and re-saves as booleans (a formatted
    boolean comes back from LibreOffice as the number 1)."""
    for key in ("results", "comparison"):
        for ws in openpyxl.load_workbook(written[key]).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, bool):
                        assert cell.number_format == BOOLEAN_FORMAT, (key, ws.title, cell)
    for ws in openpyxl.load_workbook(written["template"]).worksheets:
        for row in ws.iter_rows():
            assert all(c.number_format != BOOLEAN_FORMAT for c in row if isinstance(c.value, bool))


def test_no_chart_runs_over_a_page_end(written):
    """Between a page break (or the top) and a chart's bottom edge there is at most one
    page of rows, at 100 % scale (the printed scale is at most that)."""
    for key in ("results", "comparison"):
        for ws in openpyxl.load_workbook(written[key]).worksheets:
            breaks = sorted(b.id for b in ws.row_breaks.brk)
            for chart in ws._charts:
                _, top = _anchor_cell(chart)
                start = max([b + 1 for b in breaks if b < top], default=1)
                used = sum(_row_height(ws, r) for r in range(start, top))
                assert used + chart.height * POINTS_PER_CM <= _page_height_points(ws) + 1e-6


def test_long_notes_are_wrapped_not_cut(written):
    ws = openpyxl.load_workbook(written["results"])["摘要 Summary"]
    notes = [c for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
    baseline_note = next(c for c in notes if c.value.startswith("基准情景 ="))
    assert baseline_note.alignment.wrap_text
    assert any(str(r).startswith(baseline_note.coordinate + ":") for r in ws.merged_cells.ranges)


@pytest.fixture(scope="module")
def pages(written, require_binary, tmp_path_factory) -> dict[str, Counter]:
    soffice = require_binary("soffice")
    pdftotext = require_binary("pdftotext")
    out = tmp_path_factory.mktemp("print-pdf")
    profile = tmp_path_factory.mktemp("print-lo")
    run_soffice(soffice, profile, list(written.values()), out, "pdf")
    counted = {}
    for key, path in written.items():
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        text = subprocess.run(
            [pdftotext, "-layout", str(out / f"{path.stem}.pdf"), "-"],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        per_sheet: Counter = Counter()
        for page in text.split("\f"):
            if not page.strip():
                continue
            head = page.strip().splitlines()[0]
            # the header line shows the sheet name; longest match first (names nest)
            hit = next((n for n in sorted(names, key=len, reverse=True) if n in head), None)
            per_sheet[hit] += 1
        counted[key] = per_sheet
    return counted


@pytest.mark.libreoffice
def test_template_prints_in_a_few_pages_per_sheet(pages):
    template = pages["template"]
    assert None not in template, template  # every page has its header
    assert all(n <= 3 for n in template.values()), template
    assert sum(template.values()) <= 14, template  # was 49 without a page setup


@pytest.mark.libreoffice
def test_results_and_comparison_page_counts(pages):
    results, comparison = pages["results"], pages["comparison"]
    assert None not in results and None not in comparison
    assert results["摘要 Summary"] == 1
    assert results["图表 Charts"] <= 3  # data, then four charts two to a page
    assert all(n <= 4 for n in results.values()), results
    assert comparison["情景对比 Summary"] <= 2  # two pages wide, labels repeated
    indicator_sheets = [n for n in comparison if n not in ("情景对比 Summary", "来源 Provenance")]
    assert len(indicator_sheets) == 9
    # the table, then its chart whole on the next page: a split chart would make three
    assert all(comparison[n] == 2 for n in indicator_sheets), comparison
