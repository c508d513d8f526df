"""Generated hostile workbooks for issue 16 (hardening 2), built in code from the template.

Each builder takes the bytes of a fresh ``make_template`` workbook and returns the bytes of a
changed copy: what Excel, WPS or LibreOffice really write (a ``'Sheet'!#REF!`` name, Strict
Open XML), values only Python's ``float()`` would accept, and 64 KB files whose single range
spans a whole sheet. Shared by ``tests/test_hardening2.py``, ``tests/test_fuzz.py`` and
``benchmarks/bench_hostile.py``; nothing binary is committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zip_surgery import rezip

from jjjplan.excel import layout as L

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def part_of(sheet: str) -> str:
    """The zip part of one of the template's sheets (they are written in L.SHEETS order)."""
    return f"xl/worksheets/sheet{L.SHEETS.index(sheet) + 1}.xml"


REFORM_PART = part_of(L.REFORM)
#: CapMultiple, a number cell on the Reform sheet of the template
NUMBER_CELL = "C11"
#: ScenarioName, a text cell on the About sheet
TEXT_CELL = "C5"


def _sub_once(pattern: str, new: str) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        text = body.decode()
        assert re.search(pattern, text, re.S), pattern
        return re.sub(pattern, lambda _m: new, text, count=1, flags=re.S).encode()

    return change


def _insert_before(tag: str, xml: str) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        assert tag.encode() in body, tag
        return body.replace(tag.encode(), xml.encode() + tag.encode(), 1)

    return change


# --- what Excel, WPS and LibreOffice write -----------------------------------------------------
def ref_name(data: bytes, name: str = "CapMultiple", form: str = "sheet") -> bytes:
    """The defined name as Excel leaves it after its cell's row was deleted.

    ``form``: ``"sheet"`` → ``'体制改革 Reform'!#REF!`` (Excel), ``"bare"`` → ``#REF!``
    (LibreOffice), ``"cell"`` → ``'体制改革 Reform'!#REF!$C$11``, ``"range"`` →
    ``'体制改革 Reform'!$C$11:#REF!``."""
    sheet = f"'{L.REFORM}'"
    text = {
        "sheet": f"{sheet}!#REF!",
        "bare": "#REF!",
        "cell": f"{sheet}!#REF!$C$11",
        "range": f"{sheet}!$C$11:#REF!",
    }[form]
    return rezip(
        data,
        {
            "xl/workbook.xml": _sub_once(
                rf'<definedName name="{name}">[^<]*</definedName>',
                f'<definedName name="{name}">{text}</definedName>',
            )
        },
    )


def strict_open_xml(data: bytes) -> bytes:
    """The package rewritten to ISO/IEC 29500 Strict namespaces, as Excel's "Strict Open XML
    Spreadsheet" save type writes it."""
    swaps = [
        (MAIN_NS, STRICT_MAIN_NS),
        (REL_NS, STRICT_REL_NS),
        (
            "http://schemas.openxmlformats.org/drawingml/2006/main",
            "http://purl.oclc.org/ooxml/drawingml/main",
        ),
    ]

    def to_strict(body: bytes) -> bytes:
        for old, new in swaps:
            body = body.replace(old.encode(), new.encode())
        return body.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)

    with _zip(data) as zf:
        names = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    return rezip(data, {n: to_strict for n in names})


def _zip(data: bytes):
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data))


def stored_number(data: bytes, stored: str, cell: str = NUMBER_CELL) -> bytes:
    """CapMultiple's number cell with ``stored`` as the text of its ``<v>``."""
    return rezip(
        data,
        {
            REFORM_PART: _sub_once(
                rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)',
                f'<c r="{cell}" t="n"><v>{_xml_text(stored)}</v></c>',
            )
        },
    )


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shared_string_index(data: bytes, index: str, strings: tuple[str, ...] = ("only",)) -> bytes:
    """ScenarioName as a shared-string cell whose index is ``index`` (as stored)."""
    items = "".join(f"<si><t>{_xml_text(s)}</t></si>" for s in strings)
    sst = (
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )
    rel = (
        f'<Relationship Id="rIdSst" Type="{REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    about = part_of(L.ABOUT)
    return rezip(
        data,
        {
            about: _sub_once(
                rf'<c r="{TEXT_CELL}"[^>]*?(/>|>.*?</c>)',
                f'<c r="{TEXT_CELL}" t="s"><v>{index}</v></c>',
            ),
            "xl/sharedStrings.xml": sst,
            "[Content_Types].xml": lambda b: b.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>'
                "</Types>".encode(),
            ),
            "xl/_rels/workbook.xml.rels": lambda b: b.replace(b"</Relationships>", rel.encode()),
        },
    )


def part_name_case_twin(data: bytes) -> bytes:
    """A second zip entry ``xl/worksheets/Sheet5.xml`` whose name differs from the Reform
    sheet's part only in letter case, holding a different CapMultiple."""
    with _zip(data) as zf:
        body = zf.read(REFORM_PART)
    twin = _sub_once(
        rf'<c r="{NUMBER_CELL}"[^>]*?(/>|>.*?</c>)', f'<c r="{NUMBER_CELL}" t="n"><v>9</v></c>'
    )(body)
    return rezip(data, {REFORM_PART.replace("/sheet", "/Sheet"): twin})


# --- whole-sheet ranges (cost) ---------------------------------------------------------------
WHOLE_SHEET = "A1:XFD1048576"


def whole_sheet_hyperlink(data: bytes, ref: str = WHOLE_SHEET) -> bytes:
    link = f'<hyperlinks><hyperlink ref="{ref}" location="\'{L.REFORM}\'!A1"/></hyperlinks>'
    return rezip(data, {REFORM_PART: _insert_before("<pageMargins", link)})


def whole_sheet_merge(data: bytes, ref: str = "A20:XFD1048576") -> bytes:
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
    return rezip(data, {REFORM_PART: _insert_before("<dataValidations", merge)})


def whole_sheet_conditional_format(data: bytes, ref: str = "A:XFD") -> bytes:
    rule = (
        f'<conditionalFormatting sqref="{ref}"><cfRule type="expression" priority="1">'
        "<formula>TRUE</formula></cfRule></conditionalFormatting>"
    )
    return rezip(data, {REFORM_PART: _insert_before("<dataValidations", rule)})


def whole_sheet_validation(data: bytes, ref: str = "A1:XFD1048576") -> bytes:
    rule = (
        f'<dataValidation sqref="{ref}" type="whole" operator="between" allowBlank="1">'
        "<formula1>0</formula1><formula2>10</formula2></dataValidation>"
    )
    return rezip(data, {REFORM_PART: _insert_before("</dataValidations>", rule)})


def whole_sheet_column_format(data: bytes) -> bytes:
    """Every column of the sheet formatted (``<col min="1" max="16384" style=…>``)."""
    cols = '<cols><col min="1" max="16384" width="12" style="1" customWidth="1"/></cols>'
    return rezip(data, {REFORM_PART: _sub_once(r"<cols>.*?</cols>", cols)})


def formatted_empty_rows(data: bytes, first: int = 100_001, last: int = 1_048_576) -> bytes:
    """Rows ``first``..``last`` formatted (style, height) but without cells, as Excel writes
    after a planner formats whole rows."""
    rows = "".join(
        f'<row r="{r}" s="1" customFormat="1" ht="15" customHeight="1"/>'
        for r in range(first, last + 1)
    )
    return rezip(data, {REFORM_PART: _insert_before("</sheetData>", rows)})


COST_CASES: dict[str, Callable[[bytes], bytes]] = {
    "hyperlink over the whole sheet": whole_sheet_hyperlink,
    "hyperlink over a whole column": lambda d: whole_sheet_hyperlink(d, "C:C"),
    "merge over the whole sheet": whole_sheet_merge,
    "merge over a whole column": lambda d: whole_sheet_merge(d, "J:J"),
    "conditional format over the whole sheet": whole_sheet_conditional_format,
    "data validation over the whole sheet": whole_sheet_validation,
    "format on every column": whole_sheet_column_format,
    "948,576 formatted empty rows (beyond the row limit)": formatted_empty_rows,
    "99,983 formatted empty rows (within the row limit)": lambda d: formatted_empty_rows(
        d, 18, 100_000
    ),
}
