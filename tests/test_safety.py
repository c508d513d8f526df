"""Writer safety: text cells stay text, saves are atomic, outputs never clobber inputs."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import WriteOnlyCell

from jjjplan.errors import ValidationError
from jjjplan.excel.safety import (
    ERROR_CODES,
    MAX_TEXT_LENGTH,
    atomic_save,
    check_output_path,
    lock_files_for,
    needs_quote_prefix,
    safe_text,
    write_text_cell,
)

TRICKY = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "+86 10 1234",
    "-5 apples",
    "\tTab first",
    "\nNewline first",
    "#N/A",
    "#REF!",
    "#DIV/0!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "第一行\n第二行",
    " leading and trailing ",
    "＝全角等号",
    "0012",
    "1e3",
    "NA",
    "x" * MAX_TEXT_LENGTH,
]


def _roundtrip(texts: list[str], *, write_only: bool = False) -> tuple[bytes, list[list]]:
    """Write each text to column A via write_text_cell, save, reload in both reader modes."""
    wb = openpyxl.Workbook(write_only=write_only)
    if write_only:
        ws = wb.create_sheet("结果")
        for text in texts:
            cell = WriteOnlyCell(ws)
            write_text_cell(cell, text)
            ws.append([cell])
    else:
        ws = wb.active
        ws.title = "结果"
        for row, text in enumerate(texts, 1):
            write_text_cell(ws.cell(row, 1), text)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    results = []
    for read_only in (False, True):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=read_only)
        results.append([(c.value, c.data_type) for (c,) in book["结果"].iter_rows(max_col=1)])
        book.close()
    return data, results


@pytest.mark.parametrize("write_only", [False, True])
def test_tricky_text_reads_back_identical(write_only: bool) -> None:
    data, results = _roundtrip(TRICKY, write_only=write_only)
    expected = [(text, "s") for text in TRICKY]
    for got in results:
        assert got == expected
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read(
            zf.namelist()[[n.endswith("sheet1.xml") for n in zf.namelist()].index(True)]
        )
        styles = zf.read("xl/styles.xml").decode()
    # no formula and no error cells were written, every cell is an inline string
    assert b"<f>" not in sheet and b't="e"' not in sheet and b't="str"' not in sheet
    assert sheet.count(b't="inlineStr"') == len(TRICKY)
    xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])
    assert any('quotePrefix="1"' in xf for xf in xfs)


def test_quote_prefix_is_set_only_where_needed() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, text in enumerate(["=1+1", "#N/A", "plain", "a=b", "-5 apples"], 1):
        write_text_cell(ws.cell(row, 1), text)
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(buf).active
    assert [back.cell(r, 1).quotePrefix for r in range(1, 6)] == [True, True, False, False, True]
    cell = ws.cell(1, 1)
    write_text_cell(cell, "now plain")  # a re-used cell loses the prefix it no longer needs
    assert cell.quotePrefix is False and cell.data_type == "s"
    write_text_cell(cell, None)
    assert cell.value is None


def test_pandas_reads_the_text_back_as_text() -> None:
    pd = pytest.importorskip("pandas")
    data, _ = _roundtrip(TRICKY[:18])
    frame = pd.read_excel(
        io.BytesIO(data), engine="openpyxl", header=None, dtype=object, keep_default_na=False
    )
    assert frame[0].tolist() == TRICKY[:18]


def test_error_codes_and_prefix_rule() -> None:
    assert {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"} <= ERROR_CODES
    assert {"#GETTING_DATA", "#SPILL!", "#CALC!"} <= ERROR_CODES
    for text in ("=x", "+x", "-x", "@x", "\tx", "\rx", "\nx", "#N/A"):
        assert needs_quote_prefix(text)
    assert not needs_quote_prefix("x=1") and not needs_quote_prefix("#N/A ")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a\x00b", "U+0000"),
        ("\x1b[31mred\x1b[0m", "U+001B"),
        ("a\x0bb", "U+000B"),
        ("a\x0cb", "U+000C"),
        ("a\x1fb", "U+001F"),
        ("bad\ufffe", "U+FFFE"),
        ("lone \ud800 surrogate", "U+D800"),
        ("line\r\nbreak", "carriage return"),
        ("cr\ronly", "carriage return"),
        ("_x0041_", "'_x0041_'"),
        ("x" * (MAX_TEXT_LENGTH + 1), "32,768 characters"),
        ("😀" * 20_000, "40,000 characters"),
        ("", "empty text"),
    ],
)
def test_unstorable_text_is_refused_not_changed(text: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=re.escape(phrase)):
        safe_text(text)
    ws = openpyxl.Workbook().active
    for _ in range(2):  # the checks are remembered per text: a refusal must repeat
        with pytest.raises(ValueError, match=re.escape(phrase)):
            write_text_cell(ws["A1"], text)
        assert ws["A1"].value is None  # nothing was written


def test_remembered_checks_still_quote_every_cell() -> None:
    """The same formula-like text written twice is quoted twice (checks are remembered per
    text, the cell styling is not), and a non-text value is still refused."""
    ws = openpyxl.Workbook().active
    for cell in (ws["A1"], ws["A2"]):
        write_text_cell(cell, "=1+1")
        assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    with pytest.raises(TypeError):
        write_text_cell(ws["A3"], 12)  # type: ignore[arg-type]


def test_newline_normalisation_is_explicit() -> None:
    assert safe_text("a\r\nb\rc", normalize_newlines=True) == "a\nb\nc"
    with pytest.raises(TypeError):
        safe_text(12)  # type: ignore[arg-type]


_TEXT = st.text(st.characters(exclude_categories=()), min_size=0, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT | st.sampled_from(TRICKY[:-1]), min_size=1, max_size=8))
def test_property_write_read_is_identical_or_refused(texts: list[str]) -> None:
    accepted = []
    for text in texts:
        try:
            accepted.append(safe_text(text))
        except ValueError:
            continue
    if not accepted:
        return
    _data, results = _roundtrip(accepted)
    for got in results:
        assert got == [(text, "s") for text in accepted]


# ---------------------------------------------------------------------------------------------
# atomic_save
# ---------------------------------------------------------------------------------------------
def _book(value: str) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active["A1"] = value
    return wb


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_atomic_save_replaces_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "结果.xlsx"
    atomic_save(_book("old"), target)
    os.chmod(target, 0o640)
    seen: list[str] = []

    def writer(tmp: str) -> None:
        seen.append(tmp)
        _book("new").save(tmp)

    assert atomic_save(writer, target) == target
    assert openpyxl.load_workbook(target).active["A1"].value == "new"
    (tmp,) = seen
    assert Path(tmp).parent == tmp_path and tmp.endswith(".xlsx")
    assert Path(tmp).name.startswith(f".结果.tmp-{os.getpid()}-")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # permissions kept
    assert _leftovers(tmp_path) == []


def test_failed_save_leaves_original_byte_identical(tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    atomic_save(_book("original"), target)
    before = target.read_bytes()
    broken = _book("new")
    broken.active["B1"] = datetime(2024, 3, 1, tzinfo=UTC)  # openpyxl raises only in save()
    with pytest.raises(TypeError, match="timezone"):
        atomic_save(broken, target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_exception_in_callable_after_partial_write(tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    atomic_save(_book("original"), target)
    before = target.read_bytes()

    def crash(tmp: str) -> None:
        Path(tmp).write_bytes(b"PK\x03\x04 half written")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_save(crash, target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_invalid_output_fails_verification(tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    atomic_save(_book("original"), target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match=r"not a valid \.xlsx"):
        atomic_save(lambda tmp: Path(tmp).write_bytes(b"not a zip"), target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_atomic_save_new_file_and_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.xlsx"
    atomic_save(_book("v1"), real)
    assert stat.S_IMODE(real.stat().st_mode) & 0o600 == 0o600
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    atomic_save(_book("v2"), link)
    assert link.is_symlink()
    assert openpyxl.load_workbook(real).active["A1"].value == "v2"


# ---------------------------------------------------------------------------------------------
# check_output_path
# ---------------------------------------------------------------------------------------------
def test_output_same_as_input_is_refused(tmp_path: Path) -> None:
    inp = tmp_path / "需求计划.xlsx"
    atomic_save(_book("x"), inp)
    with pytest.raises(ValidationError) as info:
        check_output_path(tmp_path / "sub" / ".." / "需求计划.xlsx", [inp])
    (issue,) = info.value.issues
    assert "输出文件与输入文件 需求计划.xlsx 是同一个文件" in issue.message_zh
    assert "the output file is the same file as the input 需求计划.xlsx" in issue.message_en
    hard = tmp_path / "hardlink.xlsx"
    os.link(inp, hard)
    with pytest.raises(ValidationError, match="same file as the input"):
        check_output_path(hard, [inp])
    not_yet = tmp_path / "new.xlsx"
    with pytest.raises(ValidationError, match="same file as the input"):
        check_output_path(not_yet, [tmp_path / "." / "new.xlsx"])


def test_output_next_to_input_is_fine(tmp_path: Path) -> None:
    inp = tmp_path / "in.xlsx"
    atomic_save(_book("x"), inp)
    assert check_output_path(tmp_path / "out.xlsx", [inp]) == tmp_path / "out.xlsx"


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        check_output_path(tmp_path / "nope" / "out.xlsx")
    assert "输出文件夹不存在" in info.value.issues[0].message_zh
    assert "the output folder does not exist" in info.value.issues[0].message_en


def test_excel_lock_file_is_refused_with_owner(tmp_path: Path) -> None:
    out = tmp_path / "结果.xlsx"
    excel_lock, _ = lock_files_for(out)
    name = "张伟"  # Excel layout: ANSI name, 0x20 padding to 55, length word, UTF-16-LE name
    raw = bytes([2]) + b"??" + b" " * 52 + bytes([len(name), 0]) + name.encode("utf-16-le")
    excel_lock.write_bytes(raw + b" \x00" * ((165 - len(raw)) // 2) + b" ")
    with pytest.raises(ValidationError) as info:
        check_output_path(out)
    (issue,) = info.value.issues
    assert "文件正在 Excel/LibreOffice 中打开（由 张伟 打开）；请关闭后重试" in issue.message_zh
    assert "the file is open in Excel/LibreOffice (by 张伟); close it and try again" in (
        issue.message_en
    )
    assert "~$结果.xlsx" in issue.message_en


def test_libreoffice_lock_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    _, lo_lock = lock_files_for(out)
    assert lo_lock.name == ".~lock.out.xlsx#"
    lo_lock.write_text("Li Na,host,/home/li/.config,25.11.2025 09:00,file:///x;\n")
    with pytest.raises(ValidationError) as info:
        check_output_path(out)
    assert "the file is open in Excel/LibreOffice (by Li Na)" in info.value.issues[0].message_en
