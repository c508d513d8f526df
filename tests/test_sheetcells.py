"""The reader's one expat pass over a worksheet's cells gives exactly what openpyxl's own
parse gives (values, types, styles, order, row settings, warnings), on every workbook we
ship or test with and on each cell shape; any other shape is left to openpyxl."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet._reader import WorkSheetParser

from jjjplan.excel import make_template
from jjjplan.excel.guard.cellcapture import CellCapture
from jjjplan.excel.guard.limits import DEFAULT_LIMITS
from jjjplan.excel.guard.preflight import preflight
from jjjplan.excel.guard.xmlstream import StopParsing, _new_parser
from jjjplan.excel.read.openbook import load_values
from jjjplan.excel.read.sheetcells import (
    Unsupported,
    captured_cells,
    read_sheet_cells,
    without_cells,
)

ROOT = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DATE_STYLE, DURATION_STYLE = 3, 4  # style ids the parsers below treat as date / [h]:mm


def _workbooks(tmp: Path) -> list[Path]:
    made = make_template(tmp / "template.xlsx")
    shipped = sorted((ROOT / "workbooks").glob("*.xlsx")) + sorted(
        (ROOT / "templates").glob("*.xlsx")
    )
    return [made, *shipped]


def _cells(wb) -> dict:
    """Everything of each sheet the reader can see, cell by cell, in openpyxl's order."""
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = (
            [
                (key, type(c).__name__, c.value, c.data_type, c.style_id)
                for key, c in ws._cells.items()
            ],
            {r: (d.hidden, d.ht, d.outlineLevel) for r, d in ws.row_dimensions.items()},
            sorted(str(r) for r in ws.merged_cells.ranges),
            sorted((t.displayName, t.ref) for t in ws.tables.values()),
            (ws.max_row, ws.max_column, ws.sheet_state),
        )
    return out


def test_every_shipped_workbook_loads_the_same_cells_as_openpyxl(tmp_path: Path) -> None:
    paths = _workbooks(tmp_path)
    assert len(paths) > 3
    for path in paths:
        assert _cells(load_values(path)) == _cells(openpyxl.load_workbook(path, data_only=True)), (
            path.name
        )


def test_cells_kept_by_the_preflight_load_the_same_cells_as_openpyxl(tmp_path: Path) -> None:
    for path in _workbooks(tmp_path):
        report = preflight(path, cells=True)
        kept = {s.part: s.stored_cells for s in report.sheets if s.stored_cells is not None}
        assert len(kept) == len([s for s in report.sheets if s.kind == "worksheet"])
        assert _cells(load_values(path, kept)) == _cells(
            openpyxl.load_workbook(path, data_only=True)
        ), path.name
    assert all(s.stored_cells is None for s in preflight(path).sheets)  # only when asked


def test_the_template_is_read_by_the_fast_pass(tmp_path: Path) -> None:
    """Each of the template's sheets has the plain shape (else the speed-up is gone)."""
    import zipfile

    path = make_template(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            cells, rest = read_sheet_cells(zf.read(name), _parser())
            assert cells and b"<c " not in rest and b"<c>" not in rest, name


def _parser(source=None, strings=("first", "second")) -> WorkSheetParser:
    return WorkSheetParser(
        source,
        list(strings),
        data_only=True,
        date_formats={DATE_STYLE, DURATION_STYLE},
        timedelta_formats={DURATION_STYLE},
    )


def _sheet(rows: str, before: str = "", after: str = "", prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}="{NS}" '
        f'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        f"{before}<{p}sheetData>{rows}</{p}sheetData>{after}</{p}worksheet>"
    ).encode()


def _openpyxl_way(xml: bytes) -> tuple[list, dict, list[str]]:
    parser = _parser(io.BytesIO(xml))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cells = [cell for _row, row in parser.parse() for cell in row]
    return cells, parser.row_dimensions, [str(w.message) for w in seen]


def _kept_way(xml: bytes) -> tuple[list, dict, list[str]]:
    """The pre-flight's scan keeps the cells; the reader takes them out of the XML."""
    scan = CellCapture(DEFAULT_LIMITS, 0, 1000)
    parser = _new_parser(scan)
    try:
        parser.Parse(xml, True)
    except StopParsing:  # the pre-flight refuses the file
        raise Unsupported("refused") from None
    scan.finish()
    if scan.kept is None:
        raise Unsupported("not kept")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rest = without_cells(xml, scan.kept)
        cells = captured_cells(scan.kept, _parser())
    parser = _parser(io.BytesIO(rest))
    assert [row for _r, row in parser.parse() if row] == []
    return cells, parser.row_dimensions, [str(w.message) for w in seen]


def _our_way(xml: bytes) -> tuple[list, dict, list[str]]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cells, rest = read_sheet_cells(xml, _parser())
    parser = _parser(io.BytesIO(rest))
    assert [row for _r, row in parser.parse() if row] == []  # no cell left for openpyxl
    return cells, parser.row_dimensions, [str(w.message) for w in seen]


CELL_SHAPES = {
    "int": '<c r="A1"><v>42</v></c>',
    "float": '<c r="A1"><v>0.125</v></c>',
    "exponent": '<c r="A1"><v>1.5E-3</v></c>',
    "negative": '<c r="A1" t="n"><v>-7</v></c>',
    "bool": '<c r="A1" t="b"><v>1</v></c>',
    "false": '<c r="A1" t="b"><v>0</v></c>',
    "error": '<c r="A1" t="e"><v>#DIV/0!</v></c>',
    "formula text": '<c r="A1" t="str"><f>A2&amp;"x"</f><v>yx</v></c>',
    "formula number": '<c r="A1"><f>1+1</f><v>2</v></c>',
    "formula no result": '<c r="A1"><f>1+1</f></c>',
    "shared formula": '<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>3</v></c>'
    '<c r="A2"><f t="shared" si="0"/><v>4</v></c>',
    "shared string": '<c r="A1" t="s"><v>1</v></c>',
    "inline": '<c r="A1" t="inlineStr"><is><t>北京 Beijing</t></is></c>',
    "inline spaces": '<c r="A1" t="inlineStr"><is><t xml:space="preserve">  a\nb  </t></is></c>',
    "inline empty t": '<c r="A1" t="inlineStr"><is><t/></is></c>',
    "inline no t": '<c r="A1" t="inlineStr"><is></is></c>',
    "inline without is": '<c r="A1" t="inlineStr"/>',
    "inline entities": '<c r="A1" t="inlineStr"><is><t>a &lt;&amp;&gt; &#x4E00;</t></is></c>',
    "empty v": '<c r="A1"><v></v></c>',
    "styled empty": '<c r="A1" s="2"/>',
    "date": f'<c r="A1" s="{DATE_STYLE}"><v>45658</v></c>',
    "datetime": f'<c r="A1" s="{DATE_STYLE}"><v>45658.75</v></c>',
    "duration": f'<c r="A1" s="{DURATION_STYLE}"><v>1.5</v></c>',
    "date out of range": f'<c r="A1" s="{DATE_STYLE}"><v>1e12</v></c>',
    "iso date": '<c r="A1" t="d"><v>2025-01-02T03:04:05</v></c>',
    "no reference": "<c><v>1</v></c><c><v>2</v></c>",
    "lower-case and $": '<c r="b2"><v>1</v></c><c r="$C$2"><v>2</v></c>',
    "same cell twice": '<c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>',
    "two v": '<c r="A1"><v>1</v><v>2</v></c>',
}


@pytest.mark.parametrize("shape", sorted(CELL_SHAPES))
def test_each_cell_shape_reads_as_openpyxl_reads_it(shape: str) -> None:
    xml = _sheet(f'<row r="1" spans="1:3">{CELL_SHAPES[shape]}</row>')
    for way in (_our_way, _kept_way):
        ours = _outcome(way, xml)
        if ours == ("raises", "Unsupported"):  # the reader gives the sheet to openpyxl
            assert shape == "two v", "only unusual shapes may be left to openpyxl"
            continue
        assert ours == _outcome(_openpyxl_way, xml)


def _outcome(way, xml: bytes):
    """What reading gives, or which exception it raises (the reader then asks openpyxl,
    which raises its own)."""
    try:
        return way(xml)
    except Exception as exc:
        return ("raises", type(exc).__name__)


ROW_SHAPES = {
    "settings kept": '<row r="2" ht="30" customHeight="1" hidden="1" x14ac:dyDescent="0.25">'
    '<c r="A2"><v>1</v></c></row><row r="5" outlineLevel="1"/>',
    "rows without numbers": "<row><c><v>1</v></c></row><row><c><v>2</v></c></row>",
    "row number as float": '<row r="3.0"><c><v>1</v></c></row>',
    "attribute needing escapes": '<row r="1" spans="1:2" x14ac:note="a&quot;&lt;&#10;b">'
    '<c r="A1"><v>1</v></c></row>',
    "gap then no number": '<row r="4"><c r="B4"><v>1</v></c></row><row><c><v>2</v></c></row>',
}


@pytest.mark.parametrize("shape", sorted(ROW_SHAPES))
def test_rows_keep_their_numbers_and_settings(shape: str) -> None:
    xml = _sheet(ROW_SHAPES[shape], before="<sheetFormatPr defaultRowHeight='15'/>")
    expected = _outcome(_openpyxl_way, xml)
    assert _outcome(_our_way, xml) == expected
    kept = _outcome(_kept_way, xml)
    assert kept == expected or (shape == "row number as float" and kept[0] == "raises")


def test_a_prefixed_namespace_reads_the_same() -> None:
    """(Cells kept by the pre-flight cannot be taken out of such XML: left to the reader.)"""
    xml = _sheet(
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>', prefix="x"
    )
    assert _our_way(xml) == _openpyxl_way(xml)


UNSUPPORTED = {
    "rich text": '<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row>',
    "phonetic": '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t><rPh sb="0" eb="1"><t>x</t>'
    "</rPh></is></c></row>",
    "cell extension": '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',
    "not a cell in a row": '<row r="1"><v>1</v></row>',
    "fractional row": '<row r="1.5"><c><v>1</v></c></row>',
    "two t": '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t><t>b</t></is></c></row>',
}


@pytest.mark.parametrize("shape", sorted(UNSUPPORTED))
def test_other_shapes_are_left_to_openpyxl(shape: str) -> None:
    with pytest.raises(Unsupported):
        read_sheet_cells(_sheet(UNSUPPORTED[shape]), _parser())
    with pytest.raises(Unsupported):
        _kept_way(_sheet(UNSUPPORTED[shape]))


@pytest.mark.parametrize(
    "markup", ["<!-- <c r='A9'/> -->", "<?pi data?>", "<![CDATA[</c>]]>"], ids=str
)
def test_cells_are_not_kept_from_parts_a_byte_search_could_misread(markup: str) -> None:
    row = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
    with pytest.raises(Unsupported):
        _kept_way(_sheet(row, after=f"<extra>{markup}</extra>"))


def test_rows_outside_the_sheet_data_and_other_encodings_are_left_to_openpyxl() -> None:
    stray = _sheet('<row r="1"><c><v>1</v></c></row>', after='<extLst><row r="9"/></extLst>')
    with pytest.raises(Unsupported):
        read_sheet_cells(stray, _parser())
    utf16 = _sheet('<row r="1"><c><v>1</v></c></row>').replace(b"UTF-8", b"UTF-16")
    with pytest.raises(Unsupported):
        read_sheet_cells(utf16.decode().encode("utf-16"), _parser())
    with pytest.raises(Unsupported):
        read_sheet_cells(b"<worksheet><sheetData><row", _parser())  # damaged XML


def test_a_sheet_left_to_openpyxl_still_loads_the_same(tmp_path: Path) -> None:
    """A workbook whose sheet has rich inline text: that sheet goes the long way."""
    import zipfile

    path = make_template(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet1.xml"
    first = parts[name].index(b"<is><t>")
    parts[name] = parts[name][:first] + b"<is><r><t>rich</t></r>" + parts[name][first + 4 :]
    rich = tmp_path / "rich.xlsx"
    with zipfile.ZipFile(rich, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    with pytest.raises(Unsupported):
        read_sheet_cells(parts[name], _parser())
    assert _cells(load_values(rich)) == _cells(openpyxl.load_workbook(rich, data_only=True))


def test_a_workbook_saved_by_libreoffice_loads_the_same_cells(
    tmp_path: Path, require_binary
) -> None:
    """LibreOffice writes shared strings and spells out every row setting: still the plain
    shape, kept by the pre-flight, and the same cells as openpyxl's."""
    import subprocess

    soffice = require_binary("soffice")
    (tmp_path / "in").mkdir()
    source = make_template(tmp_path / "in" / "t.xlsx")
    out = tmp_path / "out"
    cmd = [
        soffice,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(out),
        str(source),
    ]
    subprocess.run(cmd, capture_output=True, timeout=240, check=True)
    saved = out / "t.xlsx"
    report = preflight(saved, cells=True)
    kept = {s.part: s.stored_cells for s in report.sheets if s.stored_cells is not None}
    assert kept and all(cells for cells in kept.values())
    assert _cells(load_values(saved, kept)) == _cells(openpyxl.load_workbook(saved, data_only=True))
