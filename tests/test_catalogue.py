"""The bad-input catalogue (reliability.md §8, cases 1–57), one test per applicable case.

Every hostile or broken file is generated here from a fresh ``make_template`` workbook, by
openpyxl edits (what a planner does in Excel) or zip surgery (what a damaged copy or another
tool does); nothing binary is committed. Each test asserts the user-facing key phrase in
Chinese *and* English and, where there is one, the sheet!cell. Pre-flight refusals (A–C) are
tested in depth on hand-made packages in ``test_preflight.py``; here they are checked once
more end to end, through ``read_workbook`` on a real template and, for a representative
subset, through the ``jjjplan validate`` command (exit code 1, no traceback). Reading runs
with ``isolated=False`` except where isolation is the point (section "Isolation").
docs/reliability.md maps every case number to its test.
"""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries
from zip_surgery import patch_declared_size, rezip

import jjjplan
from jjjplan.cli import main
from jjjplan.errors import Issue, ValidationError, WorkbookRejected
from jjjplan.excel import layout as L
from jjjplan.excel import make_template, read_workbook, write_comparison, write_results
from jjjplan.excel.guard.preflight import run_isolated
from jjjplan.excel.read.reader import WorkbookReading, read_workbook_report
from jjjplan.excel.write.sheetio import put, sheet_name
from jjjplan.scenario import Scenario

MiB = 1024 * 1024
EXE = Path(sys.executable).with_name("jjjplan")
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_XLTX = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


# =============================================================================================
# Helpers
# =============================================================================================
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("catalogue") / "plan.xlsx")


@pytest.fixture(scope="module")
def names(template: Path) -> dict[str, tuple[str, str]]:
    """Defined name → (sheet, cell) in the template."""
    wb = openpyxl.load_workbook(template)
    out = {}
    for name, dn in wb.defined_names.items():
        sheet, ref = next(iter(dn.destinations))
        out[name] = (sheet, ref.replace("$", ""))
    return out


def part_of(sheet: str) -> str:
    """The zip part of one of the template's sheets (they are written in L.SHEETS order)."""
    return f"xl/worksheets/sheet{L.SHEETS.index(sheet) + 1}.xml"


def edited(src: Path, dest: Path, edit: Callable[[openpyxl.Workbook], object]) -> Path:
    """A copy of ``src`` changed by ``edit``, as a planner would change it in Excel."""
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dest)
    return dest


def set_named(src: Path, dest: Path, name: str, value: object, data_type: str | None = None):
    def edit(wb: openpyxl.Workbook) -> None:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][ref.replace("$", "")]
        cell.value = value
        if data_type:
            cell.data_type = data_type

    return edited(src, dest, edit)


def surgery(src: Path, dest: Path, changes: dict[str, object]) -> Path:
    dest.write_bytes(rezip(src.read_bytes(), changes))
    return dest


def replace_cell(ref: str, new: str) -> Callable[[bytes], bytes]:
    """A zip change replacing the XML of cell ``ref`` (``<c r="ref" …>…</c>``) by ``new``."""

    def change(body: bytes) -> bytes:
        text = body.decode()
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        assert pattern.search(text), ref
        return pattern.sub(lambda _m: new, text, count=1).encode()

    return change


def read(path: Path) -> WorkbookReading:
    return read_workbook_report(path, isolated=False)


def problems(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        read_workbook(path, isolated=False)
    return info.value


def rejected(path: Path) -> WorkbookRejected:
    with pytest.raises(WorkbookRejected) as info:
        read_workbook(path, isolated=False)
    return info.value


def says(
    items: ValidationError | tuple[Issue, ...],
    zh: str,
    en: str,
    sheet: str | None = None,
    cell: str | None = None,
) -> Issue:
    """The issue (or notice) carrying both key phrases, at ``sheet``!``cell`` if given."""
    pool = items if isinstance(items, tuple) else (*items.issues, *items.notices)
    for issue in pool:
        if zh in issue.message_zh and en in issue.message_en:
            if sheet is not None:
                assert issue.sheet == sheet, issue
            if cell is not None:
                assert issue.cell == cell, issue
                assert f"!{cell}" in str(issue)
            return issue
    shown = "\n".join(str(i) for i in pool)
    raise AssertionError(f"{zh!r} / {en!r} not found in:\n{shown}")


def cli_validate(path: Path) -> str:
    """``jjjplan validate`` in-process (the read is isolated): exit 1, no traceback."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def exe_validate(path: Path) -> str:
    """The installed ``jjjplan validate`` in a subprocess, as a planner runs it."""
    proc = subprocess.run(
        [str(EXE), "validate", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.stderr


needs_exe = pytest.mark.skipif(not EXE.exists(), reason="jjjplan executable not installed")


# =============================================================================================
# A. Container and package
# =============================================================================================
def test_case01_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "需求.xlsx"
    path.write_text("物料,数量\nM001,12\n", encoding="utf-8")
    issue = says(
        rejected(path),
        "需求.xlsx 不是有效的 Excel (.xlsx) 文件",
        "需求.xlsx is not a valid Excel .xlsx file",
    )
    assert "E7 89 A9" in issue.message_en and "text/CSV" in issue.message_en  # first bytes


@needs_exe
def test_case01_html_export_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("<html><table><tr><td>1</td></tr></table></html>")
    err = exe_validate(path)
    assert "export.xlsx 不是有效的 Excel (.xlsx) 文件" in err
    assert "it looks like an HTML/XML export" in err


def test_case02_encrypted_or_legacy_xls(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    says(
        rejected(path),
        "工作簿已加密（设置了打开密码）或为旧版 .xls 格式",
        "the workbook is encrypted (password-protected) or in the old .xls format",
    )
    assert "Save As .xlsx" in cli_validate(path)


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_case03_truncated_copy(tmp_path: Path, template: Path, keep: float) -> None:
    data = template.read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: int(len(data) * keep)])
    says(
        rejected(path),
        "文件已损坏或不完整",
        "the file is damaged or incomplete, for example after an interrupted copy",
    )


@needs_exe
def test_case03_truncated_copy_through_the_cli(tmp_path: Path, template: Path) -> None:
    path = tmp_path / "half.xlsx"
    path.write_bytes(template.read_bytes()[:5000])
    assert "copy or download it again" in exe_validate(path)


def test_case04_zip_bomb_by_declared_size(tmp_path: Path, template: Path) -> None:
    part = part_of(L.CHAINS)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(patch_declared_size(template.read_bytes(), part, 150 * MiB))
    started = time.perf_counter()
    issue = says(
        rejected(path),
        f"部件 {part} 声明的解压后大小为 150.0 MiB",
        f"part {part} declares 150.0 MiB (157,286,400 bytes) uncompressed, above the per-part "
        "limit of 100.0 MiB",
    )
    assert time.perf_counter() - started < 2
    assert "possible zip bomb" in issue.message_en
    assert "possible zip bomb" in cli_validate(path)


def test_case05_lying_zip_header(tmp_path: Path, template: Path) -> None:
    part = part_of(L.REFORM)
    data = template.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        real = zf.getinfo(part).file_size
    path = tmp_path / "liar.xlsx"
    path.write_bytes(patch_declared_size(data, part, real // 2))
    issue = says(
        rejected(path), "文件已损坏或不完整（部件", f"is damaged or incomplete (part {part})"
    )
    assert "CRC" in issue.found or "bytes instead" in issue.found


def test_case06_xlsm_is_read_and_macros_never_reach_our_output(
    tmp_path: Path, template: Path
) -> None:
    vba_rel = (
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
        'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'
    )
    path = surgery(
        template,
        tmp_path / "macro.xlsm",
        {
            "[Content_Types].xml": lambda b: b.replace(CT_XLSX.encode(), CT_XLSM.encode()).replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            ),
            "xl/_rels/workbook.xml.rels": lambda b: b.replace(
                b"</Relationships>", vba_rel.encode()
            ),
            "xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1000),
        },
    )
    scenario = read_workbook(path, isolated=False)
    assert scenario == Scenario.baseline()
    out = write_results(jjjplan.project(scenario), tmp_path / "r.xlsx", source_path=path)
    with zipfile.ZipFile(out) as zf:
        assert not [n for n in zf.namelist() if "vba" in n.lower()]
        assert CT_XLSM.encode() not in zf.read("[Content_Types].xml")


def test_case06_xltx_template_type_is_read(tmp_path: Path, template: Path) -> None:
    path = surgery(
        template,
        tmp_path / "plan.xltx",
        {"[Content_Types].xml": lambda b: b.replace(CT_XLSX.encode(), CT_XLTX.encode())},
    )
    assert read_workbook(path, isolated=False) == Scenario.baseline()


def test_case07_sheet_listed_but_its_part_missing(tmp_path: Path, template: Path) -> None:
    path = surgery(template, tmp_path / "holes.xlsx", {part_of(L.REFORM): None})
    issue = says(
        rejected(path),
        f"workbook.xml 列出了工作表“{L.REFORM}”，但其数据",
        f"workbook.xml lists sheet '{L.REFORM}' but its data",
    )
    assert "(file damaged)" in issue.message_en and issue.sheet == L.REFORM


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/workbook.xml"])
def test_case08_not_a_spreadsheet_package(tmp_path: Path, template: Path, part: str) -> None:
    path = surgery(template, tmp_path / "parts.xlsx", {part: None})
    says(rejected(path), f"不是电子表格文件包：缺少 {part}", f"not a spreadsheet package: {part}")


# =============================================================================================
# B. XML-level attacks
# =============================================================================================
def _laughs() -> str:
    entities, previous = ['<!ENTITY lol "lol">'], "lol"
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "{("&" + previous + ";") * 10}">')
        previous = f"lol{i}"
    return '<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + "]>"


LAUGHS = _laughs()


def with_dtd(dtd: str) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        text = body.decode()
        text = re.sub(r"^<\?xml[^>]*\?>", "", text)
        return (dtd + text).encode()

    return change


def entity_refusal(path: Path, part: str) -> None:
    issue = says(
        rejected(path),
        f"部件 {part} 包含 XML 实体声明 (DTD)，出于安全原因拒绝读取",
        f"part {part} contains XML entity declarations, refused for safety",
    )
    assert issue.workbook == path.name


def test_case09_billion_laughs(tmp_path: Path, template: Path) -> None:
    part = part_of(L.REFORM)
    path = surgery(template, tmp_path / "laughs.xlsx", {part: with_dtd(LAUGHS)})
    started = time.perf_counter()
    entity_refusal(path, part)
    assert time.perf_counter() - started < 2
    assert "refused for safety" in cli_validate(path)


def test_case09_sub_threshold_entity_in_sheet_name(tmp_path: Path, template: Path) -> None:
    """The 300,000-character sheet name expat alone accepts."""

    def change(body: bytes) -> bytes:
        text = body.decode().replace(f'name="{L.BASELINE}"', 'name="&x;"')
        return (f'<!DOCTYPE workbook [<!ENTITY x "{"X" * 300_000}">]>' + text).encode()

    path = surgery(template, tmp_path / "name.xlsx", {"xl/workbook.xml": change})
    entity_refusal(path, "xl/workbook.xml")


def test_case10_external_entity(tmp_path: Path, template: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    part = part_of(L.ABOUT)
    dtd = f'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    path = surgery(
        template,
        tmp_path / "xxe.xlsx",
        {part: lambda b: with_dtd(dtd)(b.replace(b"<t>baseline</t>", b"<t>&xxe;</t>"))},
    )
    entity_refusal(path, part)


def test_case11_benign_dtd_is_refused_too(tmp_path: Path, template: Path) -> None:
    part = part_of(L.ABOUT)
    path = surgery(
        template, tmp_path / "acme.xlsx", {part: with_dtd('<!DOCTYPE w [<!ENTITY co "ACME">]>')}
    )
    entity_refusal(path, part)


def test_case12_stored_value_not_a_number(tmp_path: Path, template: Path, names) -> None:
    sheet, cell = names["CapMultiple"]
    path = surgery(
        template,
        tmp_path / "nan.xlsx",
        {part_of(sheet): replace_cell(cell, f'<c r="{cell}" t="n"><v>not-a-number</v></c>')},
    )
    err = problems(path)
    says(
        err,
        "文件中保存的值 'not-a-number' 不是数字（文件已损坏，或由有缺陷的工具写入）",
        "stored value 'not-a-number' is not a number (file damaged or written by a faulty tool)",
        sheet,
        cell,
    )
    assert "internal error" not in cli_validate(path)


def test_case13_shared_string_index_out_of_range(tmp_path: Path, template: Path, names) -> None:
    sheet, cell = names["ScenarioName"]
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>only</t></si></sst>'
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = (
        '<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    path = surgery(
        template,
        tmp_path / "sst.xlsx",
        {
            part_of(sheet): replace_cell(cell, f'<c r="{cell}" t="s"><v>5</v></c>'),
            "xl/sharedStrings.xml": sst,
            "[Content_Types].xml": lambda b: b.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}"/></Types>'.encode(),
            ),
            "xl/_rels/workbook.xml.rels": lambda b: b.replace(b"</Relationships>", rel.encode()),
        },
    )
    says(
        problems(path),
        "引用了第 5 条文本，但工作簿只有 1 条（文件已损坏）",
        "refers to text #5 but the workbook has 1 (file damaged)",
        sheet,
        cell,
    )


# =============================================================================================
# C. Size and shape limits
# =============================================================================================
def test_case14_claimed_dimension_is_ignored(tmp_path: Path, template: Path) -> None:
    part = part_of(L.REFORM)
    path = surgery(
        template,
        tmp_path / "dim.xlsx",
        {part: lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', b)},
    )
    started = time.perf_counter()
    reading = read(path)
    assert time.perf_counter() - started < 5
    assert reading.scenario == Scenario.baseline()
    says(
        reading.notices,
        "文件记录的范围 A1:XFD1048576 大于实际数据范围",
        "the size recorded in the file (A1:XFD1048576) is larger than the real data",
        L.REFORM,
    )


def test_case15_one_stray_cell_far_away(tmp_path: Path, template: Path) -> None:
    def edit(wb):
        wb[L.INNOVATION]["XFD1048576"] = " "

    path = edited(template, tmp_path / "stray.xlsx", edit)
    issue = says(
        rejected(path),
        "数据延伸到 XFD1048576（1,048,576 行 × 16,384 列）",
        "data extends to XFD1048576 (1,048,576 rows × 16,384 columns); limit is 100,000 rows "
        "× 1,000 columns — delete the stray content at XFD1048576",
    )
    assert issue.sheet == L.INNOVATION
    assert "delete the stray content at XFD1048576" in cli_validate(path)


def big_sheet(cells: int, width: int = 500) -> bytes:
    rows = []
    for r in range(1, cells // width + 2):
        n = min(width, cells - (r - 1) * width)
        if n <= 0:
            break
        row = "".join(f'<c r="{get_column_letter(c)}{r}"/>' for c in range(1, n + 1))
        rows.append(f'<row r="{r}">{row}</row>')
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return (
        f'<worksheet xmlns="{main_ns}"><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()
    )


def test_case16_too_many_cells(tmp_path: Path, template: Path) -> None:
    planner = edited(template, tmp_path / "extra.xlsx", lambda wb: wb.create_sheet("我的数据"))
    part = f"xl/worksheets/sheet{len(L.SHEETS) + 1}.xml"
    path = surgery(planner, tmp_path / "cells.xlsx", {part: big_sheet(200_001)})
    issue = says(
        rejected(path),
        "单元格过多：超过 200,000 个",
        "too many cells: more than 200,000 (formatting-only cells count)",
    )
    assert issue.sheet == "我的数据"


def test_case17_huge_shared_string_table(tmp_path: Path, template: Path) -> None:
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="600000" '
        'uniqueCount="600000"><si><t>a</t></si></sst>'
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    path = surgery(
        template,
        tmp_path / "sst.xlsx",
        {
            "xl/sharedStrings.xml": sst,
            "[Content_Types].xml": lambda b: b.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}"/></Types>'.encode(),
            ),
        },
    )
    says(
        rejected(path),
        "共享字符串过多：600,000 个，上限为 500,000",
        "too many shared strings: 600,000; the limit is 500,000",
    )


def test_case18_cell_text_over_32767_characters(tmp_path: Path, template: Path, names) -> None:
    sheet, cell = names["ScenarioDescription"]
    text = "长" * 40_000
    path = surgery(
        template,
        tmp_path / "long.xlsx",
        {
            part_of(sheet): replace_cell(
                cell, f'<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>'
            )
        },
    )
    says(
        problems(path),
        "文本长度为 40,000 个字符，Excel 每个单元格最多 32,767 个",
        "text is 40,000 characters, Excel allows 32,767",
        sheet,
        cell,
    )


def test_case19_too_many_defined_names(tmp_path: Path, template: Path) -> None:
    extra = "".join(
        f"<definedName name=\"n{i}\">'{L.ABOUT}'!$A$1</definedName>" for i in range(10_001)
    )
    path = surgery(
        template,
        tmp_path / "names.xlsx",
        {
            "xl/workbook.xml": lambda b: b.replace(
                b"</definedNames>", extra.encode() + b"</definedNames>"
            )
        },
    )
    says(
        rejected(path), "定义的名称过多：超过 10,000 个", "too many defined names: more than 10,000"
    )


def test_case19_too_many_sheets(tmp_path: Path, template: Path) -> None:
    extra = "".join(f'<sheet name="s{i}" sheetId="{100 + i}" r:id="rId1"/>' for i in range(500))
    path = surgery(
        template,
        tmp_path / "sheets.xlsx",
        {"xl/workbook.xml": lambda b: b.replace(b"</sheets>", extra.encode() + b"</sheets>")},
    )
    says(rejected(path), "工作表过多：超过 500 个", "too many sheets: more than 500")


# =============================================================================================
# D. Workbook structure (the cases that touch our template)
# =============================================================================================
def test_case20_sheet_renamed_in_excel_still_reads(tmp_path: Path, template: Path) -> None:
    """Excel updates defined names when a sheet is renamed; Tables stay on their sheet."""
    new = "体制改革　Ｒｅｆｏｒｍ "

    def edit(wb):
        wb[L.REFORM].title = new
        for dn in wb.defined_names.values():
            dn.attr_text = dn.attr_text.replace(f"'{L.REFORM}'", f"'{new}'")

    assert read_workbook(edited(template, tmp_path / "r.xlsx", edit), isolated=False) == (
        Scenario.baseline()
    )


def test_case20_sheet_name_matched_after_nfkc_with_a_notice(tmp_path: Path, template) -> None:
    """Names still point at '体制改革 Reform', the sheet is now '体制改革 Ｒｅｆｏｒｍ '."""
    new = "体制改革 Ｒｅｆｏｒｍ "
    path = surgery(
        template,
        tmp_path / "w.xlsx",
        {
            "xl/workbook.xml": lambda b: b.replace(
                f'<sheet name="{L.REFORM}"'.encode(), f'<sheet name="{new}"'.encode()
            )
        },
    )
    reading = read(path)
    assert reading.scenario == Scenario.baseline(), reading.issues
    notice = says(
        reading.notices,
        f"工作表“{L.REFORM}”不存在，已按名称相近的工作表“{new}”读取",
        f"sheet '{L.REFORM}' not found; read '{new}' instead, which matches it when spaces, "
        "width and case are ignored",
    )
    assert notice.severity == "notice"


def test_case20_sheet_really_missing_lists_the_available_ones(tmp_path, template) -> None:
    def edit(wb):
        del wb[L.INNOVATION]
        wb.create_sheet("创新匹配 Innovation2")

    issue = says(
        problems(edited(template, tmp_path / "m.xlsx", edit)),
        f"缺少工作表“{L.INNOVATION}”",
        f"sheet '{L.INNOVATION}' is missing",
        L.INNOVATION,
    )
    assert "'创新匹配 Innovation2'" in issue.found


def test_case21_sheet_names_differing_only_in_case(tmp_path: Path, template: Path) -> None:
    planner = edited(template, tmp_path / "a.xlsx", lambda wb: wb.create_sheet("my sheet"))
    twin = L.REFORM.upper()
    path = surgery(
        planner,
        tmp_path / "case.xlsx",
        {"xl/workbook.xml": lambda b: b.replace(b'name="my sheet"', f'name="{twin}"'.encode())},
    )
    says(
        problems(path),
        f"工作表“{L.REFORM}”和“{twin}”的名称只差大小写，Excel 视为同名",
        f"sheets '{L.REFORM}' and '{twin}' differ only in case, which Excel treats as the same "
        "name; rename one",
    )


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_case22_hidden_sheet_with_inputs_is_read_with_a_notice(tmp_path, template, state):
    def edit(wb):
        wb[L.REFORM].sheet_state = state
        wb.active = 0

    reading = read(edited(template, tmp_path / "h.xlsx", edit))
    assert reading.scenario == Scenario.baseline()
    says(
        reading.notices,
        f"工作表“{L.REFORM}”已隐藏（{state}），仍按输入读取",
        f"sheet '{L.REFORM}' is hidden ({state}); its inputs were read anyway",
        L.REFORM,
    )


def test_case22_unrelated_hidden_sheet_is_ignored(tmp_path: Path, template: Path) -> None:
    def edit(wb):
        ws = wb.create_sheet("草稿")
        ws["A1"] = "=1/0"
        ws.sheet_state = "veryHidden"

    reading = read(edited(template, tmp_path / "h.xlsx", edit))
    assert reading.scenario == Scenario.baseline() and not reading.notices


def table_ref(wb: openpyxl.Workbook, name: str):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, range_boundaries(ws.tables[name].ref)
    raise KeyError(name)


def test_case23_hidden_rows_in_an_input_table_are_read(tmp_path: Path, template: Path) -> None:
    def edit(wb):
        ws, (_c1, r1, _c2, _r2) = table_ref(wb, "tblAssumptions")
        for r in (r1 + 2, r1 + 3):
            ws.row_dimensions[r].hidden = True

    reading = read(edited(template, tmp_path / "rows.xlsx", edit))
    assert reading.scenario == Scenario.baseline()
    says(
        reading.notices,
        "表格 tblAssumptions 中有 2 行被隐藏或筛选掉，仍已读取",
        "Table tblAssumptions: 2 hidden or filtered row(s) were included",
        L.ASSUMPTIONS,
    )


def test_case23_active_autofilter_is_reported(tmp_path: Path, template: Path) -> None:
    from openpyxl.worksheet.filters import FilterColumn, Filters

    def edit(wb):
        ws, _ = table_ref(wb, "tblChainPresence")
        table = ws.tables["tblChainPresence"]
        column = FilterColumn(colId=5, filters=Filters(filter=["BJ"]))
        table.autoFilter.filterColumn.append(column)

    reading = read(edited(template, tmp_path / "filter.xlsx", edit))
    assert reading.scenario == Scenario.baseline()
    says(
        reading.notices,
        "表格 tblChainPresence 设置了筛选；所有行均已读取",
        "Table tblChainPresence has an active filter; all its rows were read",
        L.CHAINS,
    )


def test_case24_chart_sheet_where_a_data_sheet_is_expected(tmp_path, template) -> None:
    from openpyxl.chart import BarChart

    def edit(wb):
        del wb[L.REFORM]  # the defined names still point at the sheet title ...
        cs = wb.create_chartsheet(L.REFORM)  # ... which is now a chart
        cs.add_chart(BarChart())

    err = problems(edited(template, tmp_path / "chart.xlsx", edit))
    says(
        err,
        f"“{L.REFORM}”是图表工作表，不是数据工作表",
        f"'{L.REFORM}' is a chart sheet, not a data sheet",
        L.REFORM,
    )


@pytest.mark.parametrize(
    "variant",
    ["2030年目标\u00a0Target 2030", "2030年目标\u200b Target 2030", "2030年目标\nTarget 2030"],
    ids=["NBSP", "ZWSP", "newline"],
)
def test_case25_header_with_invisible_characters_is_normalised(tmp_path, template, variant):
    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblChainPresence")
        for c in range(c1, c2 + 1):
            if ws.cell(r1, c).value == "2030年目标 Target 2030":
                ws.cell(r1, c).value = variant
                ws.tables["tblChainPresence"].tableColumns[c - c1].name = variant

    assert read(edited(template, tmp_path / "hdr.xlsx", edit)).scenario == Scenario.baseline()


def test_case25_duplicate_header_after_normalisation(tmp_path: Path, template: Path) -> None:
    where = {}

    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblAssumptions")
        headers = {ws.cell(r1, c).value: c for c in range(c1, c2 + 1)}
        first = headers["取值 Value"]
        dup = headers["标记 Flag"]
        ws.cell(r1, dup).value = "取值\u00a0Ｖａｌｕｅ"
        ws.tables["tblAssumptions"].tableColumns[dup - c1].name = "取值\u00a0Ｖａｌｕｅ"
        where["cells"] = f"{get_column_letter(first)}{r1}, {get_column_letter(dup)}{r1}"

    err = problems(edited(template, tmp_path / "dup.xlsx", edit))
    issue = says(err, "表头“取值 Value”出现两次", "header '取值 Value' appears twice")
    assert where["cells"] in issue.message_en and where["cells"] in issue.message_zh


def test_case25_header_split_over_merged_cells(tmp_path: Path, template: Path) -> None:
    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblAssumptions")
        value = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == "取值 Value")
        ws.merge_cells(start_row=r1, start_column=value - 1, end_row=r1, end_column=value)

    issue = says(
        problems(edited(template, tmp_path / "merged.xlsx", edit)),
        "表格 tblAssumptions 缺少列“取值 Value”",
        "Table tblAssumptions has no column '取值 Value' (header deleted or renamed)",
    )
    assert issue.field == "tblAssumptions.value"


def test_case26_merged_cells_in_the_data_region(tmp_path: Path, template: Path) -> None:
    where = {}

    def edit(wb):
        ws, (c1, r1, _c2, _r2) = table_ref(wb, "tblPoleMilestones")
        col = c1 + 4  # 2025 target
        ws.merge_cells(start_row=r1 + 1, start_column=col, end_row=r1 + 2, end_column=col)
        where["ref"] = f"{get_column_letter(col)}{r1 + 1}:{get_column_letter(col)}{r1 + 2}"
        where["sheet"] = ws.title

    err = problems(edited(template, tmp_path / "merged.xlsx", edit))
    assert len([i for i in err.issues if "is merged" in i.message_en]) == 1
    says(
        err,
        f"单元格 {where['ref']} 已合并；请取消合并并在每一行填写",
        f"{where['ref']} is merged; unmerge and fill each row",
        where["sheet"],
        where["ref"],
    )
    assert not [i for i in err.issues if "must not be empty" in i.message_en]


def test_case26_merged_cells_in_an_information_column_are_fine(tmp_path, template) -> None:
    """Planners merge a chain's name over its rows for readability; that column is not read."""

    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblChainPresence")
        col = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == "产业链 Chain")
        ws.merge_cells(start_row=r1 + 1, start_column=col, end_row=r1 + 9, end_column=col)

    reading = read(edited(template, tmp_path / "grouped.xlsx", edit))
    assert reading.scenario == Scenario.baseline(), reading.issues


EXT_LINK = (
    '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL_NS}"><externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/>'
    '</sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>4</v></cell>'
    "</row></sheetData></sheetDataSet></externalBook></externalLink>"
)


def test_case28_external_links_are_reported_not_resolved(tmp_path, template, names) -> None:
    sheet, cell = names["CapMultiple"]
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
    link_type = f"{REL_NS}/externalLink"
    target = "file:///C:/规划/其他情景.xlsx"
    path = surgery(
        template,
        tmp_path / "linked.xlsx",
        {
            part_of(sheet): replace_cell(cell, f'<c r="{cell}"><f>[1]Sheet1!A1</f><v>4</v></c>'),
            "xl/externalLinks/externalLink1.xml": EXT_LINK,
            "xl/externalLinks/_rels/externalLink1.xml.rels": (
                f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL_NS}/'
                f'externalLinkPath" Target="{target}" TargetMode="External"/></Relationships>'
            ),
            "[Content_Types].xml": lambda b: b.replace(
                b"</Types>",
                f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{ct}"/>'
                "</Types>".encode(),
            ),
            "xl/_rels/workbook.xml.rels": lambda b: b.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdX1" Type="{link_type}" '
                'Target="externalLinks/externalLink1.xml"/></Relationships>'.encode(),
            ),
            "xl/workbook.xml": lambda b: b.replace(
                b"<definedNames>",
                b'<externalReferences><externalReference r:id="rIdX1"/></externalReferences>'
                b"<definedNames>",
            ),
        },
    )
    reading = read(path)
    assert reading.scenario is not None and reading.scenario.reform.cap_multiple == 4
    notice = says(
        reading.notices,
        f"工作簿链接了外部文件 {target}",
        f"the workbook links to the external file {target}; the values in",
    )
    assert f"{sheet}!{cell}" in notice.message_en.replace("'", "")
    assert "the linked file is never opened" in notice.message_en


# =============================================================================================
# E. Cell values (reading)
# =============================================================================================
def typed(template: Path, tmp_path: Path, name: str, value: object) -> WorkbookReading:
    return read(set_named(template, tmp_path / "typed.xlsx", name, value))


def wrong(template: Path, tmp_path: Path, names, name: str, value: object) -> Issue:
    reading = typed(template, tmp_path, name, value)
    sheet, cell = names[name]
    hits = [i for i in reading.issues if (i.sheet, i.cell) == (sheet, cell)]
    assert hits, f"no issue at {sheet}!{cell} for {value!r}: {reading.issues}"
    return hits[0]


def test_case29_thousands_separator_is_normalised(tmp_path, template, names) -> None:
    reading = typed(template, tmp_path, "EligibilityThreshold", "1,234")
    assert reading.scenario.reform.eligibility_threshold == 1234
    says(
        reading.notices,
        "文本 '1,234' 已按数字 1234 读取",
        "text '1,234' read as the number 1234",
        *names["EligibilityThreshold"],
    )


@pytest.mark.parametrize("text", ["12%", "１２％", "12 %"])
def test_case30_percent_text_in_a_percent_cell(tmp_path, template, names, text) -> None:
    reading = typed(template, tmp_path, "OriginShare", text)
    assert reading.scenario.reform.origin_share == pytest.approx(0.12)
    says(
        reading.notices,
        f"文本 {text!r} 已按数字 0.12 读取",
        f"text {text!r} read as the number 0.12",
    )


def test_case30_percent_in_a_plain_number_cell(tmp_path, template, names) -> None:
    issue = wrong(template, tmp_path, names, "CapMultiple", "12%")
    assert "此处不接受百分号" in issue.message_zh
    assert "expected a number (a percent sign is not allowed here), found '12%'" in (
        issue.message_en
    )


@pytest.mark.parametrize(
    ("text", "value"), [("１２", 12.0), ("２．５", 2.5), ("３，０００", 3000.0)]
)
def test_case31_full_width_digits(tmp_path, template, names, text, value) -> None:
    reading = typed(template, tmp_path, "EligibilityThreshold", text)
    assert reading.scenario.reform.eligibility_threshold == value
    says(reading.notices, f"文本 {text!r} 已按数字", f"text {text!r} read as the number {value:g}")


HINT = "这里应填数字，实际为 {found}（{zh}）", "expected a number, found {found} ({en})"


def assert_hint(issue: Issue, found: str, zh: str, en: str) -> None:
    assert HINT[0].format(found=repr(found), zh=zh) in issue.message_zh, issue
    assert HINT[1].format(found=repr(found), en=en)[:-1] in issue.message_en, issue


@pytest.mark.parametrize("text", ["百分之十二", "十二", "一千二百", "三", "壹佰"])
def test_case32_chinese_numerals_are_refused(tmp_path, template, names, text) -> None:
    issue = wrong(template, tmp_path, names, "EligibilityThreshold", text)
    assert_hint(
        issue,
        text,
        "不会自动转换中文数字，请输入阿拉伯数字",
        "Chinese numerals are not converted; type the digits",
    )


@pytest.mark.parametrize("text", ["1.234,5", "1,5", "1,23", "12,5%"])
def test_case33_ambiguous_separators(tmp_path, template, names, text) -> None:
    issue = wrong(template, tmp_path, names, "EligibilityThreshold", text)
    assert_hint(
        issue,
        text,
        "千位/小数分隔符有歧义，不猜测地区格式；小数点请用“.”，千位分隔符用“,”",
        "ambiguous separators; the locale is not guessed — use '.' for decimals and ',' only "
        "for thousands",
    )


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("(1,234)", "括号表示的负数不被接受，请写成 -1234", "accounting negatives in brackets"),
        ("¥1,234", "请去掉货币符号，单位见批注", "remove the currency symbol"),
        ("￥1234", "请去掉货币符号，单位见批注", "remove the currency symbol"),
        ("12件", "请去掉单位，单位见批注", "remove the unit; the unit is in the cell's note"),
        # digits with a magnitude word: drop the word, the cell's unit is named (issue 13)
        ("1200 万元", "请去掉“万元”：本单元格的单位是", "remove 万元: the cell is in 万元/yr"),
        ("3万", "请去掉“万”：本单元格的单位是 万元/yr", "remove 万: the cell is in 万元/yr"),
    ],
)
def test_case34_accounting_currency_and_units(tmp_path, template, names, text, zh, en) -> None:
    issue = wrong(template, tmp_path, names, "EligibilityThreshold", text)
    assert f"实际为 {text!r}（{zh}" in issue.message_zh
    assert f"found {text!r} ({en}" in issue.message_en


@pytest.mark.parametrize("text", ["12\u200b", "\u00a012 ", "\ufeff12", " 12\t"])
def test_case35_invisible_characters_stripped_with_a_notice(tmp_path, template, names, text):
    reading = typed(template, tmp_path, "EligibilityThreshold", text)
    assert reading.scenario.reform.eligibility_threshold == 12
    says(reading.notices, f"文本 {text!r} 已按数字 12 读取", f"text {text!r} read as the number 12")


def test_case35_free_text_keeps_its_characters(tmp_path, template) -> None:
    name = "\u00a0情景\u200bA "
    reading = typed(template, tmp_path, "ScenarioName", name)
    assert reading.scenario.name == name


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("1_000", "不接受下划线分隔", "underscores are not accepted in numbers"),
        ("1e3", "不接受科学计数法，请写出完整数字", "scientific notation is not accepted"),
        ("1e400", "不接受科学计数法，请写出完整数字", "scientific notation is not accepted"),
        ("٣", "只接受数字 0–9", "only the digits 0–9 are accepted"),
        ("nan", "不是有限的数字", "not a finite number"),
        ("inf", "不是有限的数字", "not a finite number"),
        ("-Infinity", "不是有限的数字", "not a finite number"),
    ],
)
def test_case36_values_python_accepts_too_readily(tmp_path, template, names, text, zh, en):
    issue = wrong(template, tmp_path, names, "EligibilityThreshold", text)
    assert_hint(issue, text, zh, en)


def test_case36_stored_infinity_is_refused(tmp_path: Path, template: Path, names) -> None:
    sheet, cell = names["CapMultiple"]
    path = surgery(
        template,
        tmp_path / "inf.xlsx",
        {part_of(sheet): replace_cell(cell, f'<c r="{cell}" t="n"><v>1e400</v></c>')},
    )
    issue = says(problems(path), "不是有限的数字", "not a finite number", sheet, cell)
    assert issue.field == "reform.cap_multiple"


def test_case37_long_number_where_text_is_expected(tmp_path, template, names) -> None:
    issue = wrong(template, tmp_path, names, "ScenarioName", 123456789012345678)
    assert "超过 15 位有效数字，Excel 已将其舍入；请以文本形式输入" in issue.message_zh
    assert "has more than 15 significant digits, so Excel has already rounded it; store it " in (
        issue.message_en
    )


def test_case37_code_like_text_keeps_leading_zeros(tmp_path, template) -> None:
    assert typed(template, tmp_path, "ScenarioName", "0012").scenario.name == "0012"


@pytest.mark.parametrize("word", ["NA", "None", "N/A", "null", "nan"])
def test_case38_missing_value_words_are_data(tmp_path, template, names, word) -> None:
    assert typed(template, tmp_path, "ScenarioName", word).scenario.name == word
    issue = wrong(template, tmp_path, names, "CapMultiple", word)
    assert "expected a number" in issue.message_en and repr(word) in issue.message_en


@pytest.mark.parametrize("code", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#SPILL!"])
def test_case39_error_cells(tmp_path: Path, template: Path, names, code: str) -> None:
    sheet, cell = names["CapMultiple"]
    path = set_named(template, tmp_path / "err.xlsx", "CapMultiple", code, data_type="e")
    says(
        problems(path),
        f"单元格包含 Excel 错误 {code}",
        f"the cell contains the Excel error {code}",
        sheet,
        cell,
    )


def test_case39_error_cell_in_a_table(tmp_path: Path, template: Path) -> None:
    where = {}

    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblAssumptions")
        col = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == "取值 Value")
        cell = ws.cell(r1 + 1, col)
        cell.value, cell.data_type = "#DIV/0!", "e"
        where["at"] = (ws.title, cell.coordinate)

    err = problems(edited(template, tmp_path / "err.xlsx", edit))
    says(
        err,
        "单元格包含 Excel 错误 #DIV/0!",
        "the cell contains the Excel error #DIV/0!",
        *where["at"],
    )
    assert "#DIV/0!" in cli_validate(edited(template, tmp_path / "err2.xlsx", edit))


def test_case40_formula_without_cached_value_in_a_table(tmp_path, template) -> None:
    where = {}

    def edit(wb):
        ws, (c1, r1, c2, _r2) = table_ref(wb, "tblAssumptions")
        col = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == "取值 Value")
        cell = ws.cell(r1 + 1, col)
        cell.value = "=0.5*2"
        where["at"] = (ws.title, cell.coordinate)

    says(
        problems(edited(template, tmp_path / "f.xlsx", edit)),
        "公式没有保存的计算结果——请在 Excel/LibreOffice 中打开并保存该文件",
        "formula without a cached value — open and save the file in Excel/LibreOffice",
        *where["at"],
    )


def with_cached_formula(template: Path, dest: Path, names, app: str) -> Path:
    sheet, cell = names["CapMultiple"]
    app_xml = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties"><Application>{app}</Application></Properties>'
    )
    return surgery(
        template,
        dest,
        {
            part_of(sheet): replace_cell(cell, f'<c r="{cell}"><f>1+2</f><v>3</v></c>'),
            "docProps/app.xml": app_xml,
        },
    )


def test_case41_possibly_stale_cached_values(tmp_path: Path, template: Path, names) -> None:
    sheet, cell = names["CapMultiple"]
    reading = read(with_cached_formula(template, tmp_path / "wps.xlsx", names, "SomeTool 1.0"))
    assert reading.scenario.reform.cap_multiple == 3
    notice = says(
        reading.notices,
        "工作簿最后由 SomeTool 1.0 保存，公式单元格",
        "the workbook was last saved by SomeTool 1.0; the formula results in",
    )
    assert f"'{sheet}'!{cell}" in notice.message_en and "may be out of date" in notice.message_en


@pytest.mark.parametrize("app", ["Microsoft Excel", "LibreOffice/7.4.7.2$Linux_X86_64"])
def test_case41_excel_or_libreoffice_cache_is_trusted(tmp_path, template, names, app) -> None:
    reading = read(with_cached_formula(template, tmp_path / "ok.xlsx", names, app))
    assert reading.scenario.reform.cap_multiple == 3
    assert not [n for n in reading.notices if "out of date" in n.message_en]


@pytest.mark.parametrize(
    ("text", "flag"), [("是", True), ("否", False), ("ＴＲＵＥ", True), ("no", False)]
)
def test_case42_boolean_words(tmp_path, template, names, text, flag) -> None:
    reading = typed(template, tmp_path, "GovernmentLedOnly", text)
    assert reading.scenario.reform.government_led_only is flag
    says(reading.notices, f"文本 {text!r} 已按 {str(flag).upper()} 读取", f"text {text!r} read as")


@pytest.mark.parametrize("text", ["Y", "对", "1", "maybe"])
def test_case42_other_words_are_refused(tmp_path, template, names, text) -> None:
    issue = wrong(template, tmp_path, names, "GovernmentLedOnly", text)
    assert "这里应填 TRUE 或 FALSE（是/否）" in issue.message_zh
    assert f"expected TRUE or FALSE, found {text!r}" in issue.message_en


def test_case43_a_date_in_a_number_cell_is_not_a_serial(tmp_path, template, names) -> None:
    issue = wrong(template, tmp_path, names, "CapMultiple", datetime(2024, 3, 1))
    assert "expected a number, found 2024-03-01" in issue.message_en


def test_case44_excel_escapes_and_carriage_returns(tmp_path, template, names) -> None:
    sheet, cell = names["ScenarioDescription"]
    raw = "第一行_x000D_\n第二行_x005F_x0041_"
    path = surgery(
        template,
        tmp_path / "crlf.xlsx",
        {
            part_of(sheet): replace_cell(
                cell, f'<c r="{cell}" t="inlineStr"><is><t>{raw}</t></is></c>'
            )
        },
    )
    reading = read(path)
    assert reading.scenario.description == "第一行\n第二行_x0041_"
    says(reading.notices, "已规范化", "(line breaks unified, _xHHHH_ decoded)", sheet, cell)


def test_case44_escaped_control_character_is_refused(tmp_path, template, names) -> None:
    sheet, cell = names["ScenarioName"]
    path = surgery(
        template,
        tmp_path / "bell.xlsx",
        {
            part_of(sheet): replace_cell(
                cell, f'<c r="{cell}" t="inlineStr"><is><t>a_x0007_b</t></is></c>'
            )
        },
    )
    says(
        problems(path),
        "文本含有控制字符 U+0007，Excel 文件无法保存；请删除",
        "the text contains the control character U+0007, which an Excel file cannot hold",
        sheet,
        cell,
    )


# =============================================================================================
# F. Writing results (the results, comparison and template writers)
# =============================================================================================
@pytest.fixture(scope="module")
def results() -> jjjplan.Results:
    return jjjplan.project(Scenario.baseline())


def with_name(results: jjjplan.Results, **changes) -> jjjplan.Results:
    return jjjplan.project(results.scenario.replace(**changes))


def cells_with(path: Path, text: str) -> list:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == text]


INJECTIONS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tTAB",
    "＝1+1",
]


@pytest.mark.parametrize("name", INJECTIONS)
def test_case45_formula_like_names_are_written_as_text(tmp_path, results, name) -> None:
    out = write_results(with_name(results, name=name), tmp_path / "r.xlsx")
    hits = cells_with(out, name)
    assert hits, "the scenario name is missing from the results workbook"
    for cell in hits:
        assert cell.data_type == "s" and cell.value == name
        assert cell.quotePrefix is True
    with zipfile.ZipFile(out) as zf:
        sheets = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>cmd" not in sheets and b"<f>HYPERLINK" not in sheets


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "#N/A", "@me"])
def test_case45_46_template_and_comparison_keep_the_text(tmp_path, results, name) -> None:
    scenario = Scenario.baseline().replace(name=name, author=name, description="#REF!")
    path = make_template(tmp_path / "t.xlsx", scenario)
    assert read_workbook(path, isolated=False) == scenario
    out = write_comparison(
        [results, with_name(results, name=name)], tmp_path / "c.xlsx", baseline=results
    )
    hits = cells_with(out, name)
    assert hits and all(c.data_type == "s" for c in hits)


@pytest.mark.parametrize("code", ["#N/A", "#REF!", "#DIV/0!", "#SPILL!"])
def test_case46_error_code_names_are_text(tmp_path, results, code) -> None:
    out = write_results(with_name(results, name=code), tmp_path / "r.xlsx")
    hits = cells_with(out, code)
    assert hits and all(c.data_type == "s" and c.quotePrefix for c in hits)


@pytest.mark.parametrize("text", ["a\x07b", "\x1b[31mred\x1b[0m", "nul\x00"])
def test_case47_control_characters_are_refused_before_saving(tmp_path, results, text) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous output")
    with pytest.raises(ValueError, match=r"control/invalid character U\+00"):
        write_results(with_name(results, name=text), target)
    with pytest.raises(ValueError, match=r"control/invalid character U\+00"):
        make_template(tmp_path / "t.xlsx", Scenario.baseline().replace(description=text))
    assert target.read_bytes() == b"previous output"
    assert not (tmp_path / "t.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_case47_refusal_names_the_field(tmp_path, results) -> None:
    with pytest.raises(ValueError) as info:
        write_results(with_name(results, name="a\x07b"), tmp_path / "r.xlsx")
    assert "!" in str(info.value) or "name" in str(info.value)


def test_case48_over_long_text_is_refused_before_writing(tmp_path, results) -> None:
    target = tmp_path / "r.xlsx"
    with pytest.raises(ValueError, match="Excel allows 32,767"):
        write_results(with_name(results, description="长" * 40_000), target)
    with pytest.raises(ValueError, match="Excel allows 32,767"):
        make_template(tmp_path / "t.xlsx", Scenario.baseline().replace(description="x" * 32_768))
    assert not target.exists() and not (tmp_path / "t.xlsx").exists()


def test_case48_longest_allowed_text_round_trips(tmp_path) -> None:
    scenario = Scenario.baseline().replace(description="x" * 32_767)
    path = make_template(tmp_path / "t.xlsx", scenario)
    assert read_workbook(path, isolated=False).description == "x" * 32_767


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_case49_nan_and_inf_are_never_written_silently(tmp_path, results, bad) -> None:
    broken = jjjplan.project(results.scenario)
    gaps = broken.gaps.copy()
    gaps.iloc[3, 0] = bad
    broken.__dict__["gaps"] = gaps  # the cached_property
    target = tmp_path / "r.xlsx"
    with pytest.raises(ValueError, match=r"refusing to write .* \(NaN/inf"):
        write_results(broken, target)
    assert not target.exists()
    wb = openpyxl.Workbook()
    with pytest.raises(ValueError, match=r"Sheet!B2: refusing to write"):
        put(wb.active, 2, 2, bad)


def test_case50_integers_and_short_floats_are_exact(tmp_path) -> None:
    wb = openpyxl.Workbook()
    values = [0.5, 1234.5678, 2**53, -(2**31), 1e-300, 0.1, 12345.678901234]
    for row, value in enumerate(values, 1):
        put(wb.active, row, 1, value)
    wb.save(tmp_path / "n.xlsx")
    back = openpyxl.load_workbook(tmp_path / "n.xlsx").active
    assert [back.cell(r, 1).value for r in range(1, len(values) + 1)] == values


@pytest.mark.parametrize("value", [0.1 + 0.2, 1 / 3, 123456.78901234567, -2.5e-12])
def test_case50_floats_are_written_at_excel_precision(tmp_path, value) -> None:
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, value)
    wb.save(tmp_path / "n.xlsx")
    back = openpyxl.load_workbook(tmp_path / "n.xlsx").active["A1"].value
    assert back == float(f"{value:.15g}")  # deterministic, and what Excel itself keeps
    assert back == pytest.approx(value, rel=1e-14)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.7976931348623157e308, "beyond Excel's range"), (2**53 + 1, "15 significant digits")],
)
def test_case50_numbers_excel_cannot_hold_are_refused(value, text) -> None:
    wb = openpyxl.Workbook()
    with pytest.raises(ValueError, match=text) as info:
        put(wb.active, 1, 1, value)
    assert "!A1" in str(info.value)


def test_case51_datetimes_are_refused_by_the_cell_writer() -> None:
    wb = openpyxl.Workbook()
    with pytest.raises(TypeError, match="cannot write datetime"):
        put(wb.active, 1, 1, datetime(2025, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("zh", "en", "taken", "expected"),
    [
        ("A/B", "", (), "A-B"),
        ("情景[1]:*?", "", (), "情景-1----"),
        ("'引号'", "", (), "引号"),
        ("很" * 40, "", (), "很" * 27 + " (2)"),
        ("摘要", "Summary", ("摘要 SUMMARY",), "摘要"),
        ("摘要", "", ("摘要",), "摘要 (2)"),
    ],
)
def test_case52_output_sheet_names_are_sanitised(zh, en, taken, expected) -> None:
    name = sheet_name(zh, en, taken)
    assert name == expected
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert name.casefold() not in {t.casefold() for t in taken}


# =============================================================================================
# G. File system and concurrency (53–55: see test_file_safety.py and test_cli.py)
# =============================================================================================
def lossy_workbook(template: Path, tmp_path: Path) -> Path:
    """The template with a planner's picture, text box, sparklines and VBA, plus one error."""
    pil = pytest.importorskip("PIL.Image")
    from openpyxl.drawing.image import Image

    png = tmp_path / "logo.png"
    pil.new("RGB", (8, 8), "red").save(png)

    def edit(wb):
        wb[L.ABOUT].add_image(Image(str(png)), "H2")
        sheet, ref = next(iter(wb.defined_names["OriginShare"].destinations))
        wb[sheet][ref.replace("$", "")].value = "abc"

    with_image = edited(template, tmp_path / "img.xlsx", edit)
    textbox = (
        f'<xdr:twoCellAnchor xmlns:xdr="{XDR}"><xdr:from><xdr:col>9</xdr:col><xdr:colOff>0'
        "</xdr:colOff><xdr:row>2</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to>"
        "<xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0"
        '</xdr:rowOff></xdr:to><xdr:sp><xdr:nvSpPr><xdr:cNvPr id="99" name="TextBox 1"/>'
        '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr/></xdr:sp><xdr:clientData/>'
        "</xdr:twoCellAnchor>"
    )
    sparklines = (
        f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{X14}">'
        '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        "<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>A1:C1</xm:f><xm:sqref>D1"
        "</xm:sqref></x14:sparkline><x14:sparkline><xm:f>A2:C2</xm:f><xm:sqref>D2</xm:sqref>"
        "</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
        "</extLst></worksheet>"
    )
    with zipfile.ZipFile(with_image) as zf:
        drawing = next(n for n in zf.namelist() if re.match(r"xl/drawings/drawing\d+\.xml$", n))
    return surgery(
        with_image,
        tmp_path / "planner.xlsm",
        {
            drawing: lambda b: re.sub(rb"</(\w+:)?wsDr>", textbox.encode() + rb"</\1wsDr>", b),
            part_of(L.POLES): lambda b: b.replace(b"</worksheet>", sparklines.encode()),
            "xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512),
            "[Content_Types].xml": lambda b: b.replace(CT_XLSX.encode(), CT_XLSM.encode()),
        },
    )


def test_case56_annotate_lists_what_the_copy_lacks(tmp_path: Path, template: Path) -> None:
    import hashlib

    src = lossy_workbook(template, tmp_path)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "checked.xlsx"
    result = CliRunner().invoke(main, ["validate", str(src), "--annotate", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    text = result.output
    assert "the copy lacks" in text and "(the original is unchanged)" in text
    for label in ("VBA macros", "text boxes", "sparklines", "pictures"):
        assert label in text, label
    assert "VBA 宏" in text and "迷你图" in text and "文本框" in text
    assert "注意 / warning: Sparkline Group extension is not supported" in text
    assert "warn(msg)" not in text  # library warnings as one plain line
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert out.exists() and openpyxl.load_workbook(out).sheetnames[0] == "错误 Errors"
    # never back into the original
    result = CliRunner().invoke(main, ["validate", str(src), "--annotate", str(src)])
    assert "annotated copy not written" in result.output
    assert "the output file is the same file as the input planner.xlsm" in result.output
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_case56_xlsm_copy_keeps_the_macros(tmp_path: Path, template: Path) -> None:
    src = lossy_workbook(template, tmp_path)
    out = tmp_path / "checked.xlsm"
    result = CliRunner().invoke(main, ["validate", str(src), "--annotate", str(out)])
    assert "VBA macros" not in result.output
    with zipfile.ZipFile(out) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


# =============================================================================================
# Isolation: a hostile file can cost only a child process
# =============================================================================================
def test_reading_is_isolated_by_default(tmp_path: Path, template: Path, monkeypatch) -> None:
    def exploding(*_a, **_k):
        raise MemoryError("the parent process must never parse")

    monkeypatch.setattr(openpyxl, "load_workbook", exploding)
    monkeypatch.setattr("jjjplan.excel.read.reader.load_values", exploding)  # its one parse
    assert read_workbook(template) == Scenario.baseline()
    assert read_workbook_report(template).scenario == Scenario.baseline()
    with pytest.raises(MemoryError):
        read_workbook(template, isolated=False)


def test_isolated_read_reports_problems_with_cells(tmp_path, template, names) -> None:
    path = set_named(template, tmp_path / "bad.xlsx", "CapMultiple", "abc")
    with pytest.raises(ValidationError) as info:
        read_workbook(path)
    assert (info.value.issues[0].sheet, info.value.issues[0].cell) == names["CapMultiple"]


def test_relative_path_after_chdir(tmp_path: Path, template: Path, monkeypatch) -> None:
    folder = tmp_path / "planner"
    folder.mkdir()
    (folder / "mine.xlsx").write_bytes(template.read_bytes())
    monkeypatch.chdir(folder)
    assert read_workbook("mine.xlsx") == Scenario.baseline()


def test_crash_in_the_child_is_a_rejection_and_the_next_read_works(template: Path) -> None:
    with pytest.raises(WorkbookRejected) as info:
        run_isolated(os.abort, workbook="boom.xlsx")
    says(info.value, "进程异常结束", "the process ended abnormally")
    assert info.value.issues[0].workbook == "boom.xlsx"
    assert read_workbook(template) == Scenario.baseline()


def test_hang_in_the_child_is_a_rejection(template: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(WorkbookRejected) as info:
        run_isolated(time.sleep, 30, timeout_s=1)
    assert time.perf_counter() - started < 8
    says(info.value, "时间上限 1 秒", "time limit 1 s")
    assert read_workbook(template) == Scenario.baseline()


def test_concurrent_isolated_reads(template: Path) -> None:
    got: list[object] = []

    def worker() -> None:
        try:
            got.append(read_workbook(template))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            got.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert got == [Scenario.baseline()] * 4


def test_warnings_from_the_child_reach_the_caller() -> None:
    with pytest.warns(UserWarning, match="from the child"):
        run_isolated(warnings.warn, "from the child")


def test_functions_from_main_are_refused_clearly() -> None:
    def local():  # pragma: no cover - never called
        return 1

    local.__module__ = "__main__"
    with pytest.raises(TypeError, match="defined in __main__"):
        run_isolated(local)


def test_guardless_planner_script_reads_once(tmp_path: Path, template: Path) -> None:
    """multiprocessing's 'spawn' re-ran such a script in the child and crashed it."""
    script = tmp_path / "my_analysis.py"
    script.write_text(
        "from jjjplan.excel import read_workbook\n"
        "print('START', flush=True)\n"
        f"print(read_workbook({str(template)!r}).name)\n"
        f"print(read_workbook({str(template)!r}).name)\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["START", "baseline", "baseline"]


@pytest.mark.parametrize("ref", ["A0:C5", "A1:C1048577", "C5:A1"])
def test_damaged_table_range_is_a_clear_error(tmp_path, ref) -> None:
    """Found by the long fuzz run: a mutated Table range must not crash the reader."""
    src = tmp_path / "t.xlsx"
    make_template(src)
    out = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/tables/") and b'displayName="tblPoleWeights"' in data:
                data = re.sub(rb'ref="[^"]+"', f'ref="{ref}"'.encode(), data, count=1)
            zout.writestr(item, data)
    with pytest.raises(ValidationError) as info:
        read_workbook(out, isolated=False)
    assert "tblPoleWeights" in str(info.value)
    assert "invalid range" in str(info.value)
