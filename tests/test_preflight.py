"""Pre-flight refusals for the bad-input catalogue (reliability.md §8 A–C).

Every hostile file is generated here (zipfile + BytesIO); nothing large is committed or
written: size bombs are made by patching the declared size in the zip headers.
"""

from __future__ import annotations

import io
import pickle
import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from zip_surgery import patch_declared_size

from jjjplan.errors import Issue, ValidationError, WorkbookRejected
from jjjplan.excel.guard.preflight import (
    DEFAULT_LIMITS,
    Limits,
    PreflightReport,
    assert_defusedxml_active,
    is_lock_file_name,
    preflight,
    run_isolated,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WS_TYPE = f"{REL_NS}/worksheet"
CT_WB = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WS = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MiB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# A tiny hand-made xlsx, so each test controls exactly one defect
# ---------------------------------------------------------------------------------------------
def content_types(n_sheets: int = 1, extra: str = "") -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_WS}"/>'
        for i in range(1, n_sheets + 1)
    )
    return (
        f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_WB}"/>{overrides}{extra}</Types>'
    )


def workbook_xml(names: list[str], defined_names: int = 0) -> str:
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1)
    )
    dn = ""
    if defined_names:
        dn = "<definedNames>" + "".join(
            f'<definedName name="n{i}">Sheet1!$A$1</definedName>' for i in range(defined_names)
        )
        dn += "</definedNames>"
    return (
        f'{DECL}<workbook xmlns="{MAIN}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets>{dn}'
        "</workbook>"
    )


def workbook_rels(n_sheets: int = 1, extra: str = "") -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{WS_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    )
    return f'{DECL}<Relationships xmlns="{PKG_REL}">{rels}{extra}</Relationships>'


def sheet_xml(cells: str = '<row r="1"><c r="A1"><v>1</v></c></row>', dim: str | None = "A1",
              tail: str = "", head: str = DECL) -> str:  # fmt: skip
    dimension = f'<dimension ref="{dim}"/>' if dim else ""
    body = f"{dimension}<sheetData>{cells}</sheetData>{tail}"
    return f'{head}<worksheet xmlns="{MAIN}">{body}</worksheet>'


def package(
    names: list[str] | None = None, **overrides: str | bytes | None
) -> dict[str, str | bytes]:
    """Parts of a valid workbook; ``overrides`` replace (or, with None, delete) parts."""
    names = names or ["Sheet1"]
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types(len(names)),
        "_rels/.rels": f'{DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
        f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": workbook_xml(names),
        "xl/_rels/workbook.xml.rels": workbook_rels(len(names)),
    }
    for i in range(1, len(names) + 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml()
    for key, value in overrides.items():
        key = "[Content_Types].xml" if key == "CT" else key
        if value is None:
            parts.pop(key, None)
        else:
            parts[key] = value
    return parts


def zip_bytes(parts: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "plan.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make(tmp_path: Path, name: str = "plan.xlsx", names: list[str] | None = None, **kw) -> Path:
    return write(tmp_path, zip_bytes(package(names, **kw)), name)


def data_offset(data: bytes, part: str) -> tuple[int, int]:
    """(offset, length) of the stored/compressed bytes of ``part``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def refused(source, **kw) -> WorkbookRejected:
    with pytest.raises(WorkbookRejected) as info:
        preflight(source, **kw)
    exc = info.value
    assert type(exc) is WorkbookRejected
    assert exc.issues and all(i.severity == "error" for i in exc.issues)
    return exc


def assert_says(exc: WorkbookRejected, zh: str, en: str) -> Issue:
    """Some issue carries both key phrases; also checks they reach str(exc)."""
    for issue in exc.issues:
        if zh in issue.message_zh and en in issue.message_en:
            assert zh in str(exc) and en in str(exc)
            return issue
    raise AssertionError(f"{zh!r} / {en!r} not in:\n{exc}")


@pytest.fixture
def openpyxl_book(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "需求计划"
    ws.append(["物料", "数量", "单价"])
    for i in range(1, 21):
        ws.append([f"M{i:03}", i, 1.5 * i])
    ws["E2"] = "=B2*C2"
    wb.create_sheet("说明")["A1"] = "备注"
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Valid files
# ---------------------------------------------------------------------------------------------
def test_valid_openpyxl_workbook_passes(openpyxl_book: Path) -> None:
    report = preflight(openpyxl_book)
    assert isinstance(report, PreflightReport)
    assert report.sheet_names == ("需求计划", "说明", "隐藏")
    assert report.size == openpyxl_book.stat().st_size
    plan = report.sheet("需求计划")
    assert (plan.claimed_dimension, plan.extent) == ("A1:E21", "A1:E21")
    assert (plan.max_row, plan.max_col, plan.rows, plan.cells, plan.formulas) == (21, 5, 21, 64, 1)
    assert report.sheet("隐藏").state == "hidden"
    assert report.sheet("隐藏").extent is None
    assert report.notices == ()
    assert report.has_vba is False
    assert [f.key for f in report.lossy_features] == ["formula_cache"]
    assert report.dimensions["说明"] == ("A1:A1", "A1")
    assert pickle.loads(pickle.dumps(report)) == report


def test_bytes_and_file_objects_are_accepted(openpyxl_book: Path) -> None:
    data = openpyxl_book.read_bytes()
    by_path = preflight(openpyxl_book)
    by_bytes = preflight(memoryview(data), name="upload.xlsx")
    assert by_bytes.path == "upload.xlsx"
    assert by_bytes.sheets == by_path.sheets
    assert preflight(io.BytesIO(data)).sheet_names == by_path.sheet_names


@pytest.mark.libreoffice
def test_libreoffice_saved_workbook_passes(openpyxl_book: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed")
    out = tmp_path / "lo"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(openpyxl_book)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    report = preflight(out / "plan.xlsx")
    assert report.sheet_names == ("需求计划", "说明", "隐藏")
    assert report.sheet("需求计划").extent == "A1:E21"
    assert report.notices == ()


def test_hand_made_minimal_package_passes(tmp_path: Path) -> None:
    report = preflight(make(tmp_path))
    assert report.sheet_names == ("Sheet1",)
    assert report.sheet("Sheet1").extent == "A1"


# ---------------------------------------------------------------------------------------------
# A. Container and package
# ---------------------------------------------------------------------------------------------
def test_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path, "物料,数量\nM001,12\n".encode())
    exc = refused(path)
    issue = assert_says(exc, "不是有效的 Excel (.xlsx) 文件", "is not a valid Excel .xlsx file")
    assert 'E7 89 A9 E6 96 99 2C E6 "物料,"' in issue.message_en  # first 8 bytes: hex, text
    assert "text/CSV" in issue.message_en and "文本/CSV" in issue.message_zh
    assert issue.workbook == "plan.xlsx"


def test_ascii_csv_shows_first_bytes_as_text(tmp_path: Path) -> None:
    exc = refused(write(tmp_path, b"id,name,qty\n1,a,2\n"))
    assert_says(exc, "不是有效的 Excel (.xlsx) 文件", '69 64 2C 6E 61 6D 65 2C "id,name,"')


def test_html_export(tmp_path: Path) -> None:
    data = b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr></table>"
    exc = refused(write(tmp_path, data, "export.xls"))
    assert_says(exc, "不是有效的 Excel (.xlsx) 文件", "export.xls is not a valid Excel .xlsx file")
    assert_says(exc, "网页 (HTML/XML)", "HTML/XML export")


def test_ole2_encrypted_or_xls(tmp_path: Path) -> None:
    data = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    exc = refused(write(tmp_path, data))
    assert_says(exc, "已加密", "encrypted (password-protected) or in the old .xls format")
    assert_says(exc, "“另存为” .xlsx", "remove the password / Save As .xlsx")


def test_truncated_file(openpyxl_book: Path, tmp_path: Path) -> None:
    data = openpyxl_book.read_bytes()
    exc = refused(write(tmp_path, data[: len(data) // 2], "half.xlsx"))
    assert_says(exc, "已损坏或不完整", "damaged or incomplete")
    assert_says(exc, "重新复制", "copy or download it again")


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_crc_damage(tmp_path: Path, compression: int) -> None:
    data = bytearray(zip_bytes(package(), compression))
    offset, length = data_offset(bytes(data), "xl/worksheets/sheet1.xml")
    for i in range(offset + length // 3, offset + length // 3 + 4):
        data[i] ^= 0x55
    exc = refused(write(tmp_path, bytes(data)))
    issue = assert_says(exc, "已损坏或不完整", "damaged or incomplete")
    assert "xl/worksheets/sheet1.xml" in issue.message_en


def test_lying_header_smaller_than_data(tmp_path: Path) -> None:
    data = zip_bytes(package())
    real = len(sheet_xml().encode())
    exc = refused(write(tmp_path, patch_declared_size(data, "xl/worksheets/sheet1.xml", real // 2)))
    assert_says(exc, "已损坏或不完整", "damaged or incomplete (part xl/worksheets/sheet1.xml)")


def test_lying_header_larger_than_data(tmp_path: Path) -> None:
    data = zip_bytes(package())
    exc = refused(write(tmp_path, patch_declared_size(data, "xl/worksheets/sheet1.xml", 50_000)))
    assert_says(exc, "已损坏或不完整", "damaged or incomplete (part xl/worksheets/sheet1.xml)")


def test_missing_content_types(tmp_path: Path) -> None:
    exc = refused(make(tmp_path, CT=None))
    assert_says(exc, "不是电子表格文件包：缺少 [Content_Types].xml", "not a spreadsheet package")


def test_missing_workbook_xml(tmp_path: Path) -> None:
    exc = refused(make(tmp_path, **{"xl/workbook.xml": None}))
    assert_says(exc, "不是电子表格文件包", "not a spreadsheet package: xl/workbook.xml is missing")


def test_word_document_is_not_a_spreadsheet(tmp_path: Path) -> None:
    parts = {"[Content_Types].xml": content_types(0), "word/document.xml": "<w/>"}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(CT_WB, "x/y")
    exc = refused(write(tmp_path, zip_bytes(parts)))
    assert_says(exc, "这是 Word 文档", "this is a Word document")


def test_sheet_listed_but_part_missing(tmp_path: Path) -> None:
    path = make(tmp_path, names=["需求计划", "产能"], **{"xl/worksheets/sheet2.xml": None})
    exc = refused(path)
    issue = assert_says(
        exc,
        "workbook.xml 列出了工作表“产能”",
        "workbook.xml lists sheet '产能' but its data (xl/worksheets/sheet2.xml) is missing "
        "(file damaged)",
    )
    assert issue.sheet == "产能"


def test_xlsb_is_refused(tmp_path: Path) -> None:
    ct = content_types().replace(CT_WB, "application/vnd.ms-excel.sheet.binary.macroEnabled.main")
    exc = refused(make(tmp_path, CT=ct))
    assert_says(exc, "二进制 .xlsb", "binary .xlsb workbook")


def test_zip_bomb_by_declared_part_size(tmp_path: Path) -> None:
    data = patch_declared_size(zip_bytes(package()), "xl/worksheets/sheet1.xml", 150 * MiB)
    started = time.perf_counter()
    exc = refused(write(tmp_path, data))
    assert time.perf_counter() - started < 1
    issue = assert_says(exc, "可能是压缩炸弹", "above the per-part limit of 100.0 MiB")
    assert (
        "part xl/worksheets/sheet1.xml declares 150.0 MiB (157,286,400 bytes)" in issue.message_en
    )
    assert "压缩炸弹" in issue.message_zh and "possible zip bomb" in issue.message_en


def test_zip_bomb_by_total_size(tmp_path: Path) -> None:
    data = zip_bytes(package())
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        data = patch_declared_size(data, part, 90 * MiB)
    exc = refused(write(tmp_path, data), limits=Limits(max_ratio=10**9))
    issue = assert_says(exc, "解压后总大小", "all parts together declare 270.0 MiB")
    assert "above the limit of 200.0 MiB (209,715,200 bytes) (possible zip bomb)" in str(issue)
    exc = refused(write(tmp_path, data))  # with the default ratio limit each part is named
    assert len(exc.issues) == 3


def test_ratio_bomb(tmp_path: Path) -> None:
    bomb = sheet_xml(cells="").replace("<sheetData>", "<sheetData>" + " " * (8 * MiB))
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": bomb}))
    issue = assert_says(exc, "压缩比为", "above the limit of 200:1 (possible zip bomb)")
    assert "part xl/worksheets/sheet1.xml has a compression ratio of" in issue.message_en


def test_too_many_parts(tmp_path: Path) -> None:
    exc = refused(make(tmp_path), limits=Limits(max_parts=3))
    assert_says(exc, "文件包内部件过多", "too many parts in the package (5); the limit is 3")


def _as_zip64(data: bytes) -> bytes:
    """Move the entry count and directory size into a zip64 end record, as big files do."""
    eocd = data.rfind(b"PK\x05\x06")
    _d, _s, _n, n, cd_size, cd_offset = struct.unpack_from("<HHHHII", data, eocd + 4)
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, cd_size, cd_offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:eocd] + record + locator + end


def test_zip64_directory_counts_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, _as_zip64(zip_bytes(package())))
    assert preflight(path).sheet_names == ("Sheet1",)  # a valid zip64 file passes
    # the count must be refused from the end record, before zipfile reads the directory
    monkeypatch.setattr(zipfile, "ZipFile", None)
    exc = refused(path, limits=Limits(max_parts=3))
    assert_says(exc, "文件包内部件过多", "too many parts in the package (5); the limit is 3")


def test_huge_manifest_is_refused(tmp_path: Path) -> None:
    extra = "".join(f'<Override PartName="/x{i}.xml" ContentType="a/b"/>' for i in range(200))
    exc = refused(make(tmp_path, CT=content_types(extra=extra)), limits=Limits(max_parts=10))
    assert_says(exc, "条目过多", "part [Content_Types].xml has too many entries (more than 140)")


def test_encrypted_zip_entry_flag(tmp_path: Path) -> None:
    data = bytearray(zip_bytes(package()))
    pos = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, pos + 8, struct.unpack_from("<H", data, pos + 8)[0] | 1)
    exc = refused(write(tmp_path, bytes(data)))
    assert_says(exc, "被加密", "is encrypted")


# ---------------------------------------------------------------------------------------------
# Path-level cases
# ---------------------------------------------------------------------------------------------
def test_empty_file(tmp_path: Path) -> None:
    exc = refused(write(tmp_path, b""))
    assert_says(exc, "文件为空（0 字节）", "the file is empty (0 bytes)")


def test_file_not_found(tmp_path: Path) -> None:
    exc = refused(tmp_path / "missing.xlsx")
    assert_says(exc, "找不到文件", "file not found")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    exc = refused(tmp_path / "folder.xlsx")
    assert_says(exc, "这是一个文件夹", "this is a folder, not an Excel file")


@pytest.mark.parametrize("name", ["~$plan.xlsx", ".~lock.plan.xlsx#"])
def test_lock_file_names(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, b"\x05Alice" + bytes(160), name)
    exc = refused(path)
    issue = assert_says(
        exc, "是 Excel/LibreOffice 的锁定文件", "is an Excel/LibreOffice lock file (it means"
    )
    assert "plan.xlsx is open), not a workbook; choose plan.xlsx itself" in issue.message_en
    assert is_lock_file_name(str(path))
    assert not is_lock_file_name("plan.xlsx")


def test_file_too_large(tmp_path: Path, openpyxl_book: Path) -> None:
    exc = refused(openpyxl_book, limits=Limits(max_file_bytes=1000))
    assert_says(exc, "文件过大", "the file is too large")


# ---------------------------------------------------------------------------------------------
# B. XML-level attacks
# ---------------------------------------------------------------------------------------------
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE worksheet [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def entity_refusal(exc: WorkbookRejected, part: str) -> None:
    issue = assert_says(
        exc, "包含 XML 实体声明", "contains XML entity declarations, refused for safety"
    )
    assert f"part {part} contains" in issue.message_en
    assert "出于安全原因拒绝读取" in issue.message_zh


def test_billion_laughs_in_sheet(tmp_path: Path) -> None:
    bomb = sheet_xml(
        head=BILLION_LAUGHS,
        cells='<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
    )
    started = time.perf_counter()
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": bomb}))
    assert time.perf_counter() - started < 1
    entity_refusal(exc, "xl/worksheets/sheet1.xml")


def test_quadratic_blowup_in_shared_strings(tmp_path: Path) -> None:
    big = "A" * 50_000
    sst = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "{big}">]>'
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>{"&a;" * 200}</t></si></sst>'
    )
    ct = content_types(extra=f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>')
    exc = refused(make(tmp_path, CT=ct, **{"xl/sharedStrings.xml": sst}))
    entity_refusal(exc, "xl/sharedStrings.xml")


def test_entity_in_sheet_name_below_expat_threshold(tmp_path: Path) -> None:
    """The 300,000-character sheet name that expat alone accepts (§0 finding 1)."""
    wb = workbook_xml(["&x;"]).replace(
        DECL, f'{DECL}<!DOCTYPE workbook [<!ENTITY x "{"X" * 3000}">]>'
    )
    exc = refused(make(tmp_path, **{"xl/workbook.xml": wb}))
    entity_refusal(exc, "xl/workbook.xml")


def test_external_entity_xxe(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    rels = (
        workbook_rels()
        .replace(DECL, f'{DECL}<!DOCTYPE Relationships [<!ENTITY xxe SYSTEM "file://{secret}">]>')
        .replace('Target="worksheets/sheet1.xml"', 'Target="&xxe;"')
    )
    exc = refused(make(tmp_path, **{"xl/_rels/workbook.xml.rels": rels}))
    entity_refusal(exc, "xl/_rels/workbook.xml.rels")
    assert "TOP SECRET" not in str(exc)


def test_external_parameter_entity_over_http(tmp_path: Path) -> None:
    dtd = '<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;'
    doc = f'<?xml version="1.0"?><!DOCTYPE x [{dtd}]><x/>'
    exc = refused(make(tmp_path, **{"docProps/custom.xml": doc}))
    entity_refusal(exc, "docProps/custom.xml")


def test_benign_dtd_is_refused_too(tmp_path: Path) -> None:
    sheet = sheet_xml(head=f'{DECL}<!DOCTYPE worksheet [<!ENTITY co "ACME">]>')
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet}))
    entity_refusal(exc, "xl/worksheets/sheet1.xml")


def test_doctype_without_entities_is_refused(tmp_path: Path) -> None:
    sheet = sheet_xml(head=f'{DECL}<!DOCTYPE worksheet SYSTEM "sheet.dtd">')
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet}))
    entity_refusal(exc, "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_dtd_in_utf16_part(tmp_path: Path, encoding: str) -> None:
    text = sheet_xml(head='<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>')
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": text.encode(encoding)}))
    entity_refusal(exc, "xl/worksheets/sheet1.xml")


def test_dtd_split_across_read_chunks(tmp_path: Path) -> None:
    pad = "<!--" + "x" * 51 + "-->"  # puts "<!DOCTYPE" across the 64-byte chunk boundary
    doc = f"{pad}<!DOCTYPE r [<!ENTITY a 'b'>]><r/>"
    assert doc.index("<!DOCTYPE") < 64 < doc.index("<!DOCTYPE") + 9
    exc = refused(make(tmp_path, **{"docProps/app.xml": doc}), limits=Limits(chunk_bytes=64))
    entity_refusal(exc, "docProps/app.xml")


def test_ebcdic_encoding_is_refused(tmp_path: Path) -> None:
    doc = '<?xml version="1.0" encoding="cp037"?><r/>'.encode("cp037")
    exc = refused(make(tmp_path, **{"docProps/app.xml": doc}))
    assert_says(exc, "不是有效的 XML", "is not valid XML")
    decl_only = b'<?xml version="1.0" encoding="cp037"?>' + "<r/>".encode("cp037")
    exc = refused(make(tmp_path, **{"docProps/app.xml": decl_only}))
    assert_says(exc, "不常见的文本编码", "uses an unusual text encoding (cp037)")


def test_overlong_xml_token_is_refused(tmp_path: Path) -> None:
    """expat buffers a whole comment/tag; a huge one would cost memory and quadratic time."""
    sheet = sheet_xml(head=f"{DECL}<!--{'x' * 5000}-->")
    path = make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet})
    assert preflight(path).sheet_names == ("Sheet1",)
    exc = refused(path, limits=Limits(max_xml_token_bytes=1000))
    assert_says(
        exc,
        "含有超过 1,000 bytes 的单个 XML 标记",
        "part xl/worksheets/sheet1.xml contains a single XML tag, comment or text longer than",
    )


def test_malformed_xml_is_damaged(tmp_path: Path) -> None:
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml()[:-20]}))
    assert_says(exc, "已损坏或不完整", "damaged or incomplete (part xl/worksheets/sheet1.xml)")


# ---------------------------------------------------------------------------------------------
# C. Size and shape limits
# ---------------------------------------------------------------------------------------------
def test_stray_cell_at_xfd1048576(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "物料"
    wb.active["XFD1048576"] = " "
    wb.save(tmp_path / "stray.xlsx")
    started = time.perf_counter()
    exc = refused(tmp_path / "stray.xlsx")
    assert time.perf_counter() - started < 1
    issue = assert_says(
        exc,
        "数据延伸到 XFD1048576（1,048,576 行 × 16,384 列），上限为 100,000 行 × 1,000 列"
        "——请删除 XFD1048576 处的多余内容",
        "data extends to XFD1048576 (1,048,576 rows × 16,384 columns); limit is "
        "100,000 rows × 1,000 columns — delete the stray content at XFD1048576",
    )
    assert issue.sheet == "Sheet1"
    assert str(issue).startswith("stray.xlsx › Sheet1: 数据延伸到")


def test_stray_cells_are_all_named(tmp_path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="ALM1" s="1"/></row>'
        '<row r="200000"><c r="B200000" s="1"/></row>'
    )
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells, dim=None)}))
    assert_says(exc, "数据延伸到 ALM200000", "delete the stray content at ALM1, B200000")


def test_claimed_dimension_far_beyond_data_is_a_notice(tmp_path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="B2"><v>3</v></c></row>'
    )
    sheet = sheet_xml(cells, dim="A1:XFD1048576")
    started = time.perf_counter()
    report = preflight(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet}))
    assert time.perf_counter() - started < 1
    info = report.sheet("Sheet1")
    assert (info.claimed_dimension, info.extent, info.cells) == ("A1:XFD1048576", "A1:B2", 3)
    (notice,) = report.notices
    assert notice.severity == "notice" and notice.sheet == "Sheet1"
    assert "larger than the real data (A1:B2); the recorded size is ignored" in notice.message_en
    assert "大于实际数据范围 A1:B2" in notice.message_zh


def test_formatted_far_row_without_cells_is_a_notice(tmp_path: Path) -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576" ht="30" customHeight="1"/>'
    report = preflight(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells)}))
    assert any(
        "row 1,048,576 has row formatting but no cells" in n.message_en for n in report.notices
    )


def test_cells_without_references_are_counted(tmp_path: Path) -> None:
    cells = "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
    report = preflight(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells, "A1:B2")}))
    assert report.sheet("Sheet1").extent == "A1:B2"
    assert report.notices == ()


def test_invalid_cell_reference(tmp_path: Path) -> None:
    cells = '<row r="1"><c r="XFE1"><v>1</v></c></row>'
    exc = refused(make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells)}))
    assert_says(exc, "单元格引用“XFE1”无效", "cell reference 'XFE1' is not valid")


def test_too_many_cells(tmp_path: Path) -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 61))
    exc = refused(
        make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells)}),
        limits=Limits(max_cells_per_sheet=50),
    )
    issue = assert_says(exc, "单元格过多：超过 50 个", "too many cells: more than 50")
    assert issue.sheet == "Sheet1"


def test_too_many_cells_in_workbook(tmp_path: Path) -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 31))
    path = make(tmp_path, names=["a", "b"], **{
        "xl/worksheets/sheet1.xml": sheet_xml(cells), "xl/worksheets/sheet2.xml": sheet_xml(cells)
    })  # fmt: skip
    exc = refused(path, limits=Limits(max_total_cells=50))
    assert_says(exc, "整个工作簿的单元格过多", "too many cells in the workbook: more than 50")


def test_too_many_shared_strings(tmp_path: Path) -> None:
    sst = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 5 + "</sst>"
    ct = content_types(extra=f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>')
    path = make(tmp_path, CT=ct, **{"xl/sharedStrings.xml": sst})
    assert preflight(path).shared_strings == 5
    exc = refused(path, limits=Limits(max_shared_strings=3))
    assert_says(exc, "共享字符串过多", "too many shared strings")


def test_declared_shared_string_count_is_checked_first(tmp_path: Path) -> None:
    sst = f'<sst xmlns="{MAIN}" count="9000000" uniqueCount="9000000"><si><t>x</t></si></sst>'
    ct = content_types(extra=f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>')
    exc = refused(make(tmp_path, CT=ct, **{"xl/sharedStrings.xml": sst}))
    assert_says(exc, "共享字符串过多：9,000,000 个", "too many shared strings: 9,000,000")


def test_too_many_sheets(tmp_path: Path) -> None:
    names = [f"S{i}" for i in range(DEFAULT_LIMITS.max_sheets + 1)]
    exc = refused(make(tmp_path, **{"xl/workbook.xml": workbook_xml(names)}))
    assert_says(exc, "工作表过多：超过 500 个", "too many sheets: more than 500")


def test_too_many_defined_names(tmp_path: Path) -> None:
    wb = workbook_xml(["Sheet1"], defined_names=DEFAULT_LIMITS.max_defined_names + 1)
    exc = refused(make(tmp_path, **{"xl/workbook.xml": wb}))
    assert_says(exc, "定义的名称过多：超过 10,000 个", "too many defined names: more than 10,000")


# ---------------------------------------------------------------------------------------------
# Features openpyxl would drop on load + save
# ---------------------------------------------------------------------------------------------
def test_vba_drawing_and_extensions_are_detected(tmp_path: Path) -> None:
    xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    drawing = (
        f'{DECL}<xdr:wsDr xmlns:xdr="{xdr}"><xdr:twoCellAnchor><xdr:sp><xdr:nvSpPr>'
        '<xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr></xdr:sp>'
        "</xdr:twoCellAnchor><xdr:oneCellAnchor><xdr:pic/></xdr:oneCellAnchor></xdr:wsDr>"
    )
    x14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
    ext = (
        f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{x14}">'
        "<x14:sparklineGroups><x14:sparklineGroup><x14:sparklines><x14:sparkline/>"
        "<x14:sparkline/></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
        f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{x14}">'
        "<x14:dataValidations><x14:dataValidation/></x14:dataValidations></ext></extLst>"
    )
    path = make(
        tmp_path,
        "plan.xlsm",
        **{
            "xl/worksheets/sheet1.xml": sheet_xml(tail=ext),
            "xl/vbaProject.bin": bytes(range(256)) * 4,
            "xl/drawings/drawing1.xml": drawing,
            "xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(100),
            "xl/threadedComments/threadedComment1.xml": f"{DECL}<ThreadedComments/>",
        },
    )
    report = preflight(path)
    assert report.has_vba is True
    found = {f.key: f for f in report.lossy_features}
    assert {"vba", "shapes", "textboxes", "pictures", "images", "sparklines"} <= set(found)
    assert {"x14_validations", "threaded_comments"} <= set(found)
    assert found["sparklines"].count == 2
    assert found["textboxes"].parts == ("xl/drawings/drawing1.xml",)
    assert "sparklines" in str(found["sparklines"]) and "迷你图" in str(found["sparklines"])


def test_openpyxl_image_workbook_reports_pictures(tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    from openpyxl.drawing.image import Image

    img_path = tmp_path / "dot.png"
    pil.new("RGB", (4, 4), "red").save(img_path)
    wb = openpyxl.Workbook()
    wb.active.add_image(Image(str(img_path)), "B2")
    wb.save(tmp_path / "img.xlsx")
    report = preflight(tmp_path / "img.xlsx")
    keys = {f.key for f in report.lossy_features}
    assert {"pictures", "images"} <= keys
    assert report.has_vba is False


# ---------------------------------------------------------------------------------------------
# Error types (shared by the package)
# ---------------------------------------------------------------------------------------------
def test_issue_location_and_str() -> None:
    issue = Issue(
        "plan.xlsx", "需求计划", "B7", None, "a number", '"十二"', "应为数字", "expected a number"
    )
    assert issue.location() == "plan.xlsx › 需求计划!B7"
    # the tail leaves out what the message already says ("expected a number")
    assert str(issue) == 'plan.xlsx › 需求计划!B7: 应为数字 / expected a number (found "十二")'
    assert Issue("a.xlsx", "My Sheet", "A1", "qty", "", "", "z", "e").location() == (
        "a.xlsx › 'My Sheet'!A1 [qty]"
    )
    assert Issue("a.xlsx", None, None, None, "", "", "z", "e").location() == "a.xlsx"
    with pytest.raises(ValueError):
        Issue("a.xlsx", None, None, None, "", "", "z", "e", severity="warning")


def test_validation_error_lists_issues_and_notices() -> None:
    err = Issue("a.xlsx", "S", "A1", None, "x", "y", "错", "wrong")
    note = Issue("a.xlsx", "S", None, None, "", "", "提示", "note", severity="notice")
    exc = ValidationError([err, note])
    assert exc.issues == (err,) and exc.notices == (note,)
    lines = str(exc).splitlines()
    assert lines[0] == "发现 1 个问题 / 1 problem(s) found"
    assert lines[1] == f"  - {err}"
    assert lines[2] == "1 条提示 / 1 notice(s)"
    clone = pickle.loads(pickle.dumps(exc))
    assert (clone.issues, clone.notices, str(clone)) == (exc.issues, exc.notices, str(exc))
    rejected = pickle.loads(pickle.dumps(WorkbookRejected([err])))
    assert type(rejected) is WorkbookRejected and isinstance(rejected, ValidationError)
    assert str(rejected).startswith("工作簿未被读取（1 个问题） / workbook refused (1 problem(s))")


# ---------------------------------------------------------------------------------------------
# Isolation and defusedxml
# ---------------------------------------------------------------------------------------------
def test_run_isolated_memory_limit_becomes_rejection() -> None:
    with pytest.raises(WorkbookRejected) as info:
        run_isolated(bytearray, 2 * 1024**3, memory_mb=512, workbook="big.xlsx")
    assert type(info.value) is WorkbookRejected
    assert_says(info.value, "解析超出了内存/时间上限", "parsing exceeded the memory/time limit")
    assert "memory limit 512 MiB" in info.value.issues[0].message_en


def test_run_isolated_timeout_becomes_rejection() -> None:
    started = time.perf_counter()
    with pytest.raises(WorkbookRejected) as info:
        run_isolated(time.sleep, 30, timeout_s=1.5)
    assert time.perf_counter() - started < 6
    assert_says(
        info.value, "时间上限 1.5 秒", "parsing exceeded the memory/time limit (time limit 1.5 s)"
    )


def test_run_isolated_returns_result_and_reraises(tmp_path: Path, openpyxl_book: Path) -> None:
    assert run_isolated(preflight, openpyxl_book) == preflight(openpyxl_book)
    bad = write(tmp_path, b"id,name\n", "bad.xlsx")
    with pytest.raises(WorkbookRejected) as info:
        run_isolated(preflight, bad)
    assert_says(
        info.value, "不是有效的 Excel (.xlsx) 文件", "bad.xlsx is not a valid Excel .xlsx file"
    )
    with pytest.raises(ValueError, match="invalid literal"):
        run_isolated(int, "not a number")


def test_defusedxml_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_defusedxml_active()
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    monkeypatch.setenv("OPENPYXL_DEFUSEDXML", "False")
    with pytest.raises(RuntimeError, match="unset OPENPYXL_DEFUSEDXML"):
        assert_defusedxml_active()


def test_limits_are_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_LIMITS.max_rows = 5  # type: ignore[misc]
    assert (DEFAULT_LIMITS.max_part_bytes, DEFAULT_LIMITS.max_total_bytes) == (100 * MiB, 200 * MiB)


def test_formula_cells_are_found_in_the_same_pass(tmp_path: Path) -> None:
    """The reader learns which cells hold formulas, and which refer to another workbook,
    from the pre-flight's one pass (openpyxl shows either formulas or saved results)."""
    cells = (
        '<row r="1"><c r="A1"><f>1+2</f><v>3</v></c><c r="B1"><v>5</v></c>'
        '<c r="C1"><f t="shared" ref="C1:C3" si="0">[1]Sheet1!A1</f><v>4</v></c></row>'
        '<row r="2"><c r="C2"><f t="shared" si="0"/><v>4</v></c>'
        '<c r="D2"><f t="shared" ref="D2:D3" si="1">SUM(A1:B1)</f></c></row>'
        '<row r="3"><c r="C3"><f t="shared" si="0"/></c><c r="D3"><f t="shared" si="1"/></c>'
        '<c r="E3"><f>[2]Other!B2*2</f><v>1</v></c></row>'
    )
    path = make(tmp_path, **{"xl/worksheets/sheet1.xml": sheet_xml(cells, dim="A1:E3")})
    info = preflight(path).sheets[0]
    assert info.formulas == 7
    assert info.formula_cells == {"A1", "C1", "C2", "D2", "C3", "D3", "E3"}
    assert info.external_cells == {"C1", "C2", "C3", "E3"}
    assert preflight(make(tmp_path, "plain.xlsx")).sheets[0].formula_cells == frozenset()
