"""Property tests and fuzzing of the workbook reader and writers (reliability.md §9.4).

(a) Random values and types typed into random input cells of a valid template: the reader
    returns a Scenario or raises ValidationError, never anything else.
(b) What jjjplan writes reads back identical (value and type) or is refused: text through
    ``write_text_cell`` and through the results writer's scenario name and description;
    numbers and booleans through the results writer's cell helper ``put``.
(c) Template → reader round trips of random valid scenarios are already property-tested in
    ``test_reader.py`` (``test_random_scenario_round_trip``), so they are not repeated here.
(d) Byte-level fuzzing of the reader: random flips, inserts, deletes and truncations of a
    template's bytes, and of the bytes *inside* its XML parts (re-zipped with valid CRCs):
    only ValidationError/WorkbookRejected may escape.

The default run is short (see ``EXAMPLES``); ``make fuzz`` runs the ``slow`` versions with
``JJJPLAN_FUZZ_EXAMPLES`` examples each (default 1000), e.g.
``JJJPLAN_FUZZ_EXAMPLES=5000 make fuzz``. atheris is not needed: hypothesis drives the bytes.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import hostile_files as H
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from zip_surgery import rezip

import jjjplan
from jjjplan.errors import ValidationError
from jjjplan.excel import layout as L
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.guard.cellgrammar import cell_count, is_stored_number
from jjjplan.excel.guard.preflight import preflight
from jjjplan.excel.read.reader import read_workbook_report
from jjjplan.excel.safety import ERROR_CODES, write_text_cell
from jjjplan.excel.write.results import build_results_workbook
from jjjplan.excel.write.sheetio import put
from jjjplan.scenario import Scenario

#: Examples per property in the default (fast) run.
EXAMPLES = {"cells": 25, "text": 60, "results": 6, "numbers": 80, "bytes": 60, "xml": 40}
EXAMPLES |= {"stored": 30, "parts": 15, "ranges": 20}  # issue 16
#: Examples per property under ``make fuzz`` (``pytest -m slow``).
LONG_EXAMPLES = int(os.environ.get("JJJPLAN_FUZZ_EXAMPLES", "1000"))

FAST = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": os.environ.get("JJJPLAN_FUZZ_RANDOM") != "1",
}
LONG = {**FAST, "max_examples": LONG_EXAMPLES, "derandomize": False}


# --- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("fuzz") / "template.xlsx")


@pytest.fixture(scope="module")
def template_bytes(template: Path) -> bytes:
    return template.read_bytes()


@pytest.fixture(scope="module")
def input_cells(template: Path) -> list[tuple[str, str]]:
    """(sheet, cell) of every scalar input and of a sample of Table input cells."""
    wb = openpyxl.load_workbook(template)
    cells = []
    for dn in wb.defined_names.values():
        sheet, ref = next(iter(dn.destinations))
        cells.append((sheet, ref.replace("$", "")))
    for ws in wb.worksheets:
        for table in ws.tables.values():
            spec = next((t for t in L.TABLES if t.name == table.displayName), None)
            if spec is None:  # an optional table with its own reader (e.g. tblTargets)
                continue
            c1, r1, c2, r2 = openpyxl.utils.range_boundaries(table.ref)
            for col in range(c1, c2 + 1):
                column = next((c for c in spec.columns if c.accepts(ws.cell(r1, col).value)), None)
                if column is None or not column.read:
                    continue
                for row in range(r1 + 1, min(r2, r1 + 4) + 1):  # the first rows suffice
                    cells.append((ws.title, ws.cell(row, col).coordinate))
    return cells


# --- strategies ----------------------------------------------------------------------------
NUMBER_WORDS = [
    "1,234",
    "1.234,5",
    "１２．５",
    "12%",
    "百分之十二",
    "(1,234)",
    "¥1,234",
    "12件",
    "1_000",
    "1e400",
    "nan",
    "inf",
    "٣",
    "12\u200b",
    "是",
    "TRUE",
    "a_x000D_b",
    "a_x0007_b",
    " ",
    "",
]
formulas = st.sampled_from(["=1+1", "=A1", "=1/0", "=SUM(A1:A3)", "=[1]Sheet1!A1", "=NOW()"])
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.sampled_from(NUMBER_WORDS),
    st.sampled_from(sorted(ERROR_CODES)).map(lambda code: ("error", code)),
    formulas,
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.text(max_size=3).map(lambda t: t * 12_000),  # long text, up to 36,000 characters
)


def assign(cell, value) -> None:
    if isinstance(value, tuple):  # an error cell
        cell.value, cell.data_type = value[1], "e"
    else:
        cell.value = value


# --- (a) random values in random input cells -----------------------------------------------
def _mutated_cells(template: Path, tmp_path: Path, cells, picks) -> Path:
    wb = openpyxl.load_workbook(template)
    for (sheet, coord), value in picks:
        try:
            assign(wb[sheet][coord], value)
        except (IllegalCharacterError, ValueError, TypeError):
            assume(False)  # openpyxl itself refuses to store it: not a file a planner can make
    path = tmp_path / "mutated.xlsx"
    try:
        wb.save(path)
    except (IllegalCharacterError, ValueError, TypeError, OverflowError):
        assume(False)
    return path


def check_cells(template: Path, tmp_path: Path, input_cells, data) -> None:
    n = data.draw(st.integers(1, 4), label="cells")
    where = data.draw(
        st.lists(st.sampled_from(input_cells), min_size=n, max_size=n, unique=True), label="at"
    )
    values = data.draw(st.lists(cell_values, min_size=n, max_size=n), label="values")
    path = _mutated_cells(template, tmp_path, input_cells, list(zip(where, values, strict=True)))
    try:
        scenario = read_workbook(path, isolated=False)
    except ValidationError as err:
        assert err.issues, "a ValidationError must list at least one issue"
        for issue in err.issues:
            assert issue.message_zh and issue.message_en
        return
    assert isinstance(scenario, Scenario)


@given(data=st.data())
@settings(max_examples=EXAMPLES["cells"], **FAST)
def test_random_cell_values_give_a_scenario_or_a_validation_error(
    template, tmp_path, input_cells, data
) -> None:
    check_cells(template, tmp_path, input_cells, data)


@pytest.mark.slow
@given(data=st.data())
@settings(**LONG)
def test_random_cell_values_long(template, tmp_path, input_cells, data) -> None:
    check_cells(template, tmp_path, input_cells, data)


# --- (b) what jjjplan writes reads back identical, or is refused ---------------------------
tricky_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.builds(str.__add__, st.sampled_from("=+-@\t\r\n＝"), st.text(max_size=20)),
    st.sampled_from(sorted(ERROR_CODES)),
    st.sampled_from(["a\r\nb", "a\rb", "_x000D_", "a_x0041_b", "\x1b[31mred", "\ufeffbom"]),
    st.integers(32_760, 32_770).map(lambda n: "长" * n),
    st.integers(16_380, 16_386).map(lambda n: "😀" * n),  # two UTF-16 units each
)


def saved_and_loaded(wb: openpyxl.Workbook) -> openpyxl.Workbook:
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def check_text_cell(text: str) -> None:
    wb = openpyxl.Workbook()
    try:
        write_text_cell(wb.active["B2"], text)
    except ValueError:
        return  # refused, with a reason: never silently changed
    back = saved_and_loaded(wb).active["B2"]
    assert (back.value, back.data_type) == (text, "s")


@given(text=tricky_text)
@settings(max_examples=EXAMPLES["text"], **FAST)
def test_text_cells_read_back_identical_or_are_refused(text: str) -> None:
    check_text_cell(text)


@pytest.mark.slow
@given(text=tricky_text)
@settings(**LONG)
def test_text_cells_long(text: str) -> None:
    check_text_cell(text)


@pytest.fixture(scope="module")
def projected() -> tuple[jjjplan.Results, jjjplan.Results]:
    results = jjjplan.project(Scenario.baseline())
    return results, results


def results_for(results: jjjplan.Results, **changes) -> jjjplan.Results:
    return jjjplan.project(results.scenario.replace(**changes))


def check_results_text(projected, name: str, description: str) -> None:
    results, base = projected
    assume(name.strip())
    try:
        wb = build_results_workbook(results_for(results, name=name, description=description), base)
    except ValueError:
        return  # refused before anything is written
    back = saved_and_loaded(wb)
    written = {
        c.value: c.data_type
        for ws in back.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for text in (name, description):
        if not text:
            continue
        # the results writer unifies line breaks explicitly (the reader reports them too)
        expected = text.replace("\r\n", "\n").replace("\r", "\n")
        assert written.get(expected) == "s", f"{expected!r} not written as text"


@given(name=tricky_text, description=tricky_text)
@settings(max_examples=EXAMPLES["results"], **FAST)
@example(name="=cmd|' /C calc'!A0", description="#N/A")
def test_results_writer_labels_read_back_identical_or_are_refused(projected, name, description):
    check_results_text(projected, name, description)


@pytest.mark.slow
@given(name=tricky_text, description=tricky_text)
@settings(**{**LONG, "max_examples": max(1, LONG_EXAMPLES // 20)})
def test_results_writer_labels_long(projected, name, description):
    check_results_text(projected, name, description)


def fifteen_digits(x: float) -> float:
    return float(f"{x:.15g}")


numbers = st.one_of(
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False).map(fifteen_digits).filter(math.isfinite),
    st.booleans(),
)


def check_number(value) -> None:
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, value)
    back = saved_and_loaded(wb).active["A1"]
    assert back.value == value
    if isinstance(value, bool):
        assert back.value is value and back.data_type == "b"
    else:  # Excel has one number type; openpyxl returns a whole number as int
        assert back.data_type == "n" and not isinstance(back.value, bool)
        assert float(back.value) == float(value)


@given(value=numbers)
@settings(max_examples=EXAMPLES["numbers"], **FAST)
@example(value=2**53)
@example(value=-0.0)
@example(value=5e-324)
@example(value=1.79769313486231e308)
def test_numbers_read_back_identical(value) -> None:
    check_number(value)


@pytest.mark.slow
@given(value=numbers)
@settings(**LONG)
def test_numbers_long(value) -> None:
    check_number(value)


@given(value=st.one_of(st.datetimes(), st.dates(), st.times(), st.just(math.nan)))
@settings(max_examples=20, **FAST)
def test_dates_and_nan_are_refused_by_the_cell_writer(value) -> None:
    wb = openpyxl.Workbook()
    expected = ValueError if isinstance(value, float) else TypeError
    with pytest.raises(expected):
        put(wb.active, 1, 1, value)
    assert isinstance(value, float | datetime | date | time)


# --- (d) byte-level fuzzing ----------------------------------------------------------------
def read_bytes(tmp_path: Path, data: bytes, *, isolated: bool = False) -> None:
    """Only ValidationError (including WorkbookRejected) may escape the reader."""
    path = tmp_path / "fuzzed.xlsx"
    path.write_bytes(data)
    try:
        read_workbook_report(path, isolated=isolated)
    except ValidationError as err:
        assert err.issues
        assert all(i.message_zh and i.message_en for i in err.issues)


mutation = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "truncate", "zero"]),
    st.floats(0, 1),
    st.binary(min_size=1, max_size=8),
)


def mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op, where, blob in ops:
        if not buf:
            break
        at = min(int(where * len(buf)), len(buf) - 1)
        if op == "flip":
            buf[at] ^= blob[0] or 1
        elif op == "insert":
            buf[at:at] = blob
        elif op == "delete":
            del buf[at : at + len(blob)]
        elif op == "truncate":
            del buf[at:]
        else:
            buf[at : at + len(blob)] = bytes(len(blob))
    return bytes(buf)


def check_bytes(template_bytes: bytes, tmp_path: Path, ops) -> None:
    read_bytes(tmp_path, mutate(template_bytes, ops))


@given(ops=st.lists(mutation, min_size=1, max_size=4))
@settings(max_examples=EXAMPLES["bytes"], **FAST)
def test_mutated_file_bytes(template_bytes, tmp_path, ops) -> None:
    check_bytes(template_bytes, tmp_path, ops)


@pytest.mark.slow
@given(ops=st.lists(mutation, min_size=1, max_size=4))
@settings(**LONG)
def test_mutated_file_bytes_long(template_bytes, tmp_path, ops) -> None:
    check_bytes(template_bytes, tmp_path, ops)


#: Tokens that make XML or a cell hostile, spliced into a part's decompressed bytes.
XML_TOKENS = [
    b"<",
    b">",
    b'"',
    b"&amp;",
    b"&#0;",
    b"&bogus;",
    b"<!DOCTYPE x>",
    b'<!ENTITY e "x">',
    b't="s"',
    b't="e"',
    b't="b"',
    b't="d"',
    b't="inlineStr"',
    b'r="XFD1048576"',
    b'r="A0"',
    b"<v>1e400</v>",
    b"<v>nan</v>",
    b"<v>99999999</v>",
    b"<f>[1]Sheet1!A1</f>",
    b'ref="A1:XFD1048576"',
    b"\xff\xfe",
    b"_x0007_",
    b"</worksheet>",
    b"<sheetData>",
    b'state="veryHidden"',
    b'name=""',
]


def check_xml_parts(template_bytes: bytes, tmp_path: Path, data) -> None:
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = sorted(n for n in parts if n.endswith((".xml", ".rels")))
    chosen = data.draw(st.lists(st.sampled_from(xml), min_size=1, max_size=3, unique=True))
    for part in chosen:
        body = bytearray(parts[part])
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(0, max(0, len(body) - 1)))
            how = data.draw(st.sampled_from(["token", "flip", "delete", "digits"]))
            if how == "token":
                body[at:at] = data.draw(st.sampled_from(XML_TOKENS))
            elif how == "flip" and body:
                body[at] ^= data.draw(st.integers(1, 255))
            elif how == "delete":
                del body[at : at + data.draw(st.integers(1, 40))]
            else:  # change a number the reader will see
                match = re.compile(rb"\d+").search(bytes(body), at)
                if match:
                    new = data.draw(st.sampled_from([b"0", b"-1", b"1048577", b"9" * 30]))
                    body[match.start() : match.end()] = new
        parts[part] = bytes(body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    read_bytes(tmp_path, out.getvalue())


@given(data=st.data())
@settings(max_examples=EXAMPLES["xml"], **FAST)
def test_mutated_xml_inside_the_package(template_bytes, tmp_path, data) -> None:
    check_xml_parts(template_bytes, tmp_path, data)


@pytest.mark.slow
@given(data=st.data())
@settings(**LONG)
def test_mutated_xml_inside_the_package_long(template_bytes, tmp_path, data) -> None:
    check_xml_parts(template_bytes, tmp_path, data)


def test_isolated_reader_on_a_handful_of_mutations(template_bytes, tmp_path) -> None:
    """The same contract through the isolated path (what the CLI and the dashboard use)."""
    for ops in (
        [("truncate", 0.5, b"x")],
        [("flip", 0.3, b"\x40")],
        [("insert", 0.9, b"<!DOCTYPE")],
        [("zero", 0.7, bytes(8))],
    ):
        read_bytes(tmp_path, mutate(template_bytes, ops), isolated=True)


# --- (e) issue 16: stored-value grammar, part names, whole-sheet ranges ----------------------
#: characters Python's int()/float() accept but Excel's XML Schema grammar does not, and its own
STORED_ALPHABET = "0123456789+-.eE _\t\n\xa0\u200b\u3000٣१１INFaxj"


def stored_value_outcome(template_bytes: bytes, tmp_path: Path, stored: str) -> None:
    """Accepted by the grammar → read as Python reads the collapsed text (or refused by the
    scenario's own range check); anything else → refused at Reform!C11, never read."""
    path = tmp_path / "stored.xlsx"
    path.write_bytes(H.stored_number(template_bytes, stored))
    try:
        reading = read_workbook_report(path, isolated=False)
        issues = reading.issues
    except ValidationError as err:
        reading, issues = None, err.issues
    if stored == "":  # <v></v>: no stored value, an empty cell
        assert any(i.cell == H.NUMBER_CELL for i in issues), issues
    elif is_stored_number(stored):
        value = float(stored.strip(" \t\r\n"))
        if reading is not None and reading.scenario is not None:
            assert reading.scenario.reform.cap_multiple == value
        else:
            assert issues and (not math.isfinite(value) or not 0 <= value <= 10), issues
    else:
        assert reading is None or reading.scenario is None
        assert any(
            i.cell == H.NUMBER_CELL and "is not a number (file damaged" in i.message_en
            for i in issues
        ), issues


@given(stored=st.text(STORED_ALPHABET, max_size=8))
@settings(max_examples=EXAMPLES["stored"], **FAST)
@example(stored="٣")
@example(stored="1_0")
@example(stored="\xa03\xa0")
@example(stored=" 3 ")
def test_stored_values_follow_the_xml_schema_grammar(template_bytes, tmp_path, stored) -> None:
    stored_value_outcome(template_bytes, tmp_path, stored)


@pytest.mark.slow
@given(stored=st.text(STORED_ALPHABET, max_size=12))
@settings(**LONG)
def test_stored_values_long(template_bytes, tmp_path, stored) -> None:
    stored_value_outcome(template_bytes, tmp_path, stored)


def part_name_outcome(template_bytes: bytes, tmp_path: Path, data) -> None:
    """Re-case one part's name, optionally keeping the original too: the reader reads it or
    refuses it (a case twin is always refused), never anything else."""
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as zf:
        names = zf.namelist()
    part = data.draw(st.sampled_from(names))
    flips = data.draw(st.lists(st.booleans(), min_size=len(part), max_size=len(part)))
    recased = "".join(c.swapcase() if f else c for c, f in zip(part, flips, strict=True))
    keep = data.draw(st.booleans())
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as zf:
        body = zf.read(part)
    changes = {recased: body} if keep else {part: None, recased: body}
    path = tmp_path / "cased.xlsx"
    path.write_bytes(rezip(template_bytes, changes))
    try:
        read_workbook_report(path, isolated=False)
    except ValidationError as err:
        assert err.issues
        if keep and recased != part:
            assert any("differ only in letter case" in i.message_en for i in err.issues)
    else:
        assert not keep or recased == part


@given(data=st.data())
@settings(max_examples=EXAMPLES["parts"], **FAST)
def test_part_names_compare_case_insensitively(template_bytes, tmp_path, data) -> None:
    part_name_outcome(template_bytes, tmp_path, data)


@pytest.mark.slow
@given(data=st.data())
@settings(**LONG)
def test_part_names_long(template_bytes, tmp_path, data) -> None:
    part_name_outcome(template_bytes, tmp_path, data)


RANGE_KINDS = {
    "hyperlink": H.whole_sheet_hyperlink,
    "merge": H.whole_sheet_merge,
    "conditional format": H.whole_sheet_conditional_format,
    "data validation": H.whole_sheet_validation,
}


def a_reference(data) -> str:
    """A cell, a range, whole columns or whole rows, anywhere in the grid (below row 19,
    where merging cannot cover the Reform inputs)."""
    shape = data.draw(st.sampled_from(["range", "columns", "rows"]))
    c1, c2 = sorted(data.draw(st.lists(st.integers(1, 16384), min_size=2, max_size=2)))
    r1, r2 = sorted(data.draw(st.lists(st.integers(20, 1_048_576), min_size=2, max_size=2)))
    a, b = get_column_letter(c1), get_column_letter(c2)
    return {"range": f"{a}{r1}:{b}{r2}", "columns": f"{a}:{b}", "rows": f"{r1}:{r2}"}[shape]


def range_outcome(template_bytes: bytes, tmp_path: Path, data) -> None:
    kind = data.draw(st.sampled_from(sorted(RANGE_KINDS)))
    ref = a_reference(data)
    path = tmp_path / "range.xlsx"
    path.write_bytes(RANGE_KINDS[kind](template_bytes, ref))
    cells = cell_count(ref)
    try:
        preflight(path)
    except ValidationError as err:
        assert kind in ("hyperlink", "merge") and cells > 200_000, (kind, ref, err)
        assert ref in str(err)
    else:
        assert kind not in ("hyperlink", "merge") or cells <= 200_000, (kind, ref)


@given(data=st.data())
@settings(max_examples=EXAMPLES["ranges"], **FAST)
def test_whole_sheet_ranges_are_decided_in_the_preflight(template_bytes, tmp_path, data) -> None:
    range_outcome(template_bytes, tmp_path, data)


@pytest.mark.slow
@given(data=st.data())
@settings(**LONG)
def test_whole_sheet_ranges_long(template_bytes, tmp_path, data) -> None:
    range_outcome(template_bytes, tmp_path, data)
