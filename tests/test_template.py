"""make_template: the committed template matches the code (drift test), and every input a
planner edits is a named Table column or defined name, yellow, validated and annotated."""

from __future__ import annotations

import difflib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.errors import ValidationError
from jjjplan.excel import layout as L
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.write.template import INPUT_FILL
from jjjplan.scenario import LEVERS, Scenario

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "templates" / "jjjplan-template.xlsx"
YELLOW = INPUT_FILL.fgColor.rgb


@pytest.fixture(scope="module")
def path(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


@pytest.fixture(scope="module")
def wb(path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def fingerprint(path: Path) -> list[str]:
    """Workbook content without volatile metadata (creation time, app properties)."""
    wb = openpyxl.load_workbook(path)
    lines = [f"sheets {wb.sheetnames}"]
    lines += [f"name {n} = {d.attr_text}" for n, d in sorted(wb.defined_names.items())]
    for ws in wb.worksheets:
        lines.append(f"[{ws.title}] freeze={ws.freeze_panes} protected={ws.protection.sheet}")
        lines += [f"width {k} {d.width}" for k, d in sorted(ws.column_dimensions.items())]
        for t in ws.tables.values():
            lines.append(f"table {t.displayName} {t.ref} {[c.name for c in t.tableColumns]}")
        lines += sorted(
            f"dv {v.type} {v.operator} {v.formula1} {v.formula2} {v.sqref}"
            for v in ws.data_validations.dataValidation
        )
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.comment is None:
                    continue
                fill = c.fill.fgColor.rgb if c.fill.fill_type else "-"
                note = c.comment.text if c.comment else ""
                lines.append(
                    f"{c.coordinate} {c.data_type} {c.value!r} {c.number_format} {fill} "
                    f"locked={c.protection.locked} note={note!r}"
                )
    return lines


def test_committed_template_matches_code(path):
    """If this fails, run: .venv/bin/python tools/build_workbooks.py (and commit the files)."""
    expected, actual = fingerprint(path), fingerprint(COMMITTED)
    diff = list(difflib.unified_diff(expected, actual, "generated", "committed", lineterm=""))
    shown = "\n".join(line[:160] for line in diff[:40])
    assert not diff, f"templates/ is stale; run tools/build_workbooks.py\n{shown}"


def test_committed_template_is_the_baseline():
    assert read_workbook(COMMITTED) == Scenario.baseline()


def test_sheets_in_order(wb):
    assert wb.sheetnames == list(L.SHEETS)


def is_input(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == YELLOW


def validations(ws) -> dict[str, object]:
    """Cell coordinate → the data validation covering it."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            c1, r1, c2, r2 = range_boundaries(rng)
            for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
                out.update({c.coordinate: dv for c in row})
    return out


@pytest.mark.parametrize("spec", L.SCALARS, ids=lambda s: s.name)
def test_scalar_is_a_workbook_scoped_name_on_one_cell(wb, spec):
    destinations = list(wb.defined_names[spec.name].destinations)
    assert len(destinations) == 1
    sheet, ref = destinations[0]
    assert sheet == spec.sheet and ":" not in ref
    cell = wb[sheet][ref.replace("$", "")]
    assert is_input(cell) == spec.editable
    if spec.editable:
        assert cell.comment and spec.zh in cell.comment.text and spec.en in cell.comment.text
        assert (cell.coordinate in validations(wb[sheet])) == (spec.kind != "text")
    if spec.percent:
        assert cell.number_format == L.PERCENT


@pytest.mark.parametrize("spec", L.TABLES, ids=lambda t: t.name)
def test_table_has_bilingual_headers_and_marked_inputs(wb, spec):
    ws = wb[spec.sheet]
    table = ws.tables[spec.name]
    c1, r1, c2, r2 = range_boundaries(table.ref)
    headers = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
    assert headers == [c.header for c in spec.columns]
    assert all(c.header == f"{c.zh} {c.en}" for c in spec.columns)
    checked = validations(ws)
    for col, column in enumerate(spec.columns, c1):
        for row in range(r1 + 1, r2 + 1):
            cell = ws.cell(row, col)
            assert is_input(cell) == (column.role == "input"), cell.coordinate
            if column.role == "input":
                assert cell.comment is not None and cell.coordinate in checked


def test_every_input_cell_has_a_bilingual_note_with_unit_range_and_source(wb):
    about = [named(wb, s.name) for s in L.scalars_on(L.ABOUT) if s.editable]
    sheets = wb.worksheets[1:]  # the About sheet's colour legend is yellow too
    inputs = about + [c for ws in sheets for row in ws.iter_rows() for c in row if is_input(c)]
    assert len(inputs) > 400
    for cell in inputs:
        text = cell.comment.text
        assert "单位" in text and "Unit" in text, cell.coordinate
        assert "允许范围" in text and "allowed" in text, cell.coordinate
        assert "来源" in text and "Source" in text, cell.coordinate


def named(wb, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def test_validation_rules(wb):
    def rule(name):
        cell = named(wb, name)
        return validations(cell.parent)[cell.coordinate]

    origin = rule("OriginShare")
    assert (origin.type, origin.operator, origin.formula1, origin.formula2) == (
        "decimal",
        "between",
        "0",
        "1",
    )
    assert (rule("ShareYears").type, rule("ShareYears").formula2) == ("whole", "10")
    assert rule("GovernmentLedOnly").formula1 == '"TRUE,FALSE"'
    assert rule("PathwayReform").formula1 == '"TRUE,FALSE"'
    assert rule("NationalPath").formula1 == '"low,central,high"'
    spec = LEVERS["poles.investment"]
    ws = wb[L.POLES]
    table = ws.tables["tblPoleMilestones"]
    c1, r1, _, _ = range_boundaries(table.ref)
    dv = validations(ws)[ws.cell(r1 + 1, c1 + 4).coordinate]
    assert (float(dv.formula1), float(dv.formula2)) == (spec.low, spec.high)
    assert all(
        dv.showErrorMessage for s in wb.worksheets for dv in s.data_validations.dataValidation
    )


def test_number_formats(wb):
    ws = wb[L.POLES]
    c1, r1, _, _ = range_boundaries(ws.tables["tblPoleWeights"].ref)
    assert ws.cell(r1 + 1, c1 + 3).number_format == L.PERCENT
    c1, r1, _, _ = range_boundaries(ws.tables["tblPoleMilestones"].ref)
    assert ws.cell(r1 + 2, c1 + 4).number_format == L.MONEY  # relocation, 亿元
    ws = wb[L.BASELINE]
    c1, r1, _, _ = range_boundaries(ws.tables["tblBaseline"].ref)
    assert ws.cell(r1 + 1, c1 + 4).number_format == L.MONEY


def test_baseline_sheet_protected_except_overrides(wb):
    ws = wb[L.BASELINE]
    assert ws.protection.sheet and not ws.protection.password
    c1, r1, c2, r2 = range_boundaries(ws.tables["tblBaseline"].ref)
    for col in range(c1, c2 + 1):
        header = ws.cell(r1, col).value
        override = "override" in header
        assert ws.cell(r1 + 1, col).protection.locked is not override, header
    assert r2 - r1 == 13  # one row per planning unit


def test_frozen_panes_and_widths(wb):
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes, ws.title
    for ws in wb.worksheets:
        assert ws.column_dimensions["A"].width >= 12


def test_assumptions_sheet_lists_every_assumption(wb):
    ws = wb[L.ASSUMPTIONS]
    c1, r1, _, r2 = range_boundaries(ws.tables["tblAssumptions"].ref)
    rows = {ws.cell(r, c1).value: ws.cell(r, c1 + 8).value for r in range(r1 + 1, r2 + 1)}
    assert rows == {a.id: a.flag for a in ASSUMPTIONS}


def test_about_sheet_explains_editing(wb):
    text = "\n".join(str(c.value) for row in wb[L.ABOUT].iter_rows() for c in row if c.value)
    for needle in (
        "如何编辑",
        "How to edit",
        "颜色说明",
        "Colour legend",
        "TRUE",
        "是/否",
        L.TEMPLATE_VERSION,
        "jjjplan validate",
    ):
        assert needle in text


def test_pathway_sheets_cite_the_article(wb):
    for pathway, sheet in L.PATHWAY_SHEETS.items():
        cells = [c.value for row in wb[sheet].iter_rows(max_row=4) for c in row]
        assert any(L.ARTICLE_SECTIONS[pathway] in str(v) for v in cells), sheet


def test_planner_text_is_never_a_formula(tmp_path):
    s = Scenario.baseline().replace(name="=cmd|' /C calc'!A0", description="+1", author="#N/A")
    wb = openpyxl.load_workbook(make_template(tmp_path / "x.xlsx", s))
    ws = wb[L.ABOUT]
    cells = [c for row in ws.iter_rows() for c in row if c.value in (s.name, "+1", "#N/A")]
    assert len(cells) == 3
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_refuses_a_target_open_in_excel(tmp_path):
    (tmp_path / "~$open.xlsx").write_bytes(b"\x05user")
    with pytest.raises(ValidationError):
        make_template(tmp_path / "open.xlsx")
    assert not (tmp_path / "open.xlsx").exists()


def test_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValidationError):
        make_template(tmp_path / "no" / "such.xlsx")


def test_default_is_the_baseline_and_returns_the_path(tmp_path):
    out = make_template(tmp_path / "b.xlsx")
    assert out == tmp_path / "b.xlsx" and read_workbook(out) == Scenario.baseline()
