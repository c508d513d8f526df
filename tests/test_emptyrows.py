"""The empty-row compactor keeps one bare row per run of formatted rows without cells,
whether rows are written with a namespace prefix or not."""

from __future__ import annotations

import pytest

from jjjplan.excel.guard.emptyrows import EmptyRowCompactor


def _compact(data: bytes, chunk: int | None = None) -> tuple[bytes, EmptyRowCompactor]:
    compactor = EmptyRowCompactor()
    if chunk is None:
        return compactor.feed(data) + compactor.flush(), compactor
    out = b"".join(compactor.feed(data[i : i + chunk]) for i in range(0, len(data), chunk))
    return out + compactor.flush(), compactor


CASES = {
    "plain": (
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2" s="3" customFormat="1"/>\n<row r="3" s="3" customFormat="1"/>'
        b'<row r="4" ht="20" customHeight="1"></row><row r="5"><c r="A5"/></row></sheetData>',
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="4"/><row r="5"><c r="A5"/></row></sheetData>',
        3,
    ),
    "prefixed": (
        b'<x:sheetData><x:row r="7" s="1"/> <x:row r="8" s="1"></x:row>'
        b'<x:row r="9"><x:c r="A9"/></x:row></x:sheetData>',
        b'<x:sheetData><x:row r="8"/><x:row r="9"><x:c r="A9"/></x:row></x:sheetData>',
        2,
    ),
    "row without a number kept": (
        b'<sheetData><row r="1" s="1"/><row s="1"/><row r="3"><c/></row></sheetData>',
        b'<sheetData><row r="1" s="1"/><row s="1"/><row r="3"><c/></row></sheetData>',
        0,
    ),
    "other elements named like rows": (
        b'<sheetData><rows r="1" /><rowBreaks r="2" /></sheetData>',
        b'<sheetData><rows r="1" /><rowBreaks r="2" /></sheetData>',
        0,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_of_empty_rows_become_one_bare_row(case: str) -> None:
    data, expected, empty = CASES[case]
    out, compactor = _compact(data)
    assert out == expected
    assert compactor.empty_rows == empty


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_a_long_run_fed_in_chunks_keeps_its_last_row_number(prefix: str) -> None:
    rows = "".join(f'<{prefix}row r="{r}" s="1" customFormat="1"/>' for r in range(2, 50_001))
    data = f'<{prefix}row r="1"><{prefix}c/></{prefix}row>{rows}'.encode()
    out, compactor = _compact(data, chunk=1 << 16)
    assert out.startswith(f'<{prefix}row r="1"><{prefix}c/></{prefix}row>'.encode())
    assert out.endswith(f'<{prefix}row r="50000"/>'.encode())
    assert compactor.empty_rows == 49_999 and len(out) < 2_000
