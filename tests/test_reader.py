"""read_workbook: round trips, planner edits that must still read, and planner mistakes that
must be reported with the right sheet!cell.

Every bad file is built here by editing a fresh template with openpyxl, so no binary
fixtures are committed and each case shows exactly what the planner did.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table

from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.baseline import unit_codes
from jjjplan.errors import ValidationError
from jjjplan.excel import layout as L
from jjjplan.excel import make_template, read_workbook
from jjjplan.excel.read.reader import parse_number, read_workbook_report, scenario_cells
from jjjplan.excel.write.examples import example_scenarios
from jjjplan.scenario import (
    LEVERS,
    NATIONAL_PATHS,
    ChainFilling,
    GrowthPoles,
    Innovation,
    Milestones,
    Pathways,
    Reform,
    Scenario,
    assumption_bounds,
    default_presence,
)

REFORM = L.REFORM
POLES = L.POLES


# --- helpers -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


def edited(src: Path, dest: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    """A copy of ``src`` changed by ``edit`` as a planner would change it."""
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dest)
    return dest


def named(wb: openpyxl.Workbook, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def find_table(wb: openpyxl.Workbook, name: str):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise KeyError(name)


def table_cell(wb: openpyxl.Workbook, table: str, column: str, **keys: str):
    """The cell of ``column`` in the Table row whose key columns equal ``keys``."""
    ws, tbl = find_table(wb, table)
    spec = next(t for t in L.TABLES if t.name == table)
    min_col, min_row, max_col, max_row = range_boundaries(tbl.ref)
    cols = {}
    for col in range(min_col, max_col + 1):
        for c in spec.columns:
            if c.accepts(ws.cell(min_row, col).value):
                cols[c.key] = col
    for row in range(min_row + 1, max_row + 1):
        if all(ws.cell(row, cols[k]).value == v for k, v in keys.items()):
            return ws.cell(row, cols[column])
    raise KeyError(keys)


def problems(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        read_workbook(path)
    return info.value


def issue_at(err: ValidationError, sheet: str, cell: str | None):
    hits = [i for i in err.issues if i.sheet == sheet and i.cell == cell]
    assert hits, f"no issue at {sheet}!{cell}; got:\n{err}"
    return hits[0]


def shift_rows(wb: openpyxl.Workbook, ws, at: int, n: int) -> None:
    """Insert ``n`` rows before row ``at`` the way Excel does: Tables and names move too."""
    ws.insert_rows(at, n)
    for tbl in ws.tables.values():
        c1, r1, c2, r2 = range_boundaries(tbl.ref)
        r1, r2 = r1 + n * (r1 >= at), r2 + n * (r2 >= at)
        tbl.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
    for dn in wb.defined_names.values():
        sheet, ref = next(iter(dn.destinations))
        col, row = ref.replace("$", "")[0], int(ref.replace("$", "")[1:])
        if sheet == ws.title and row >= at:
            dn.attr_text = f"'{sheet}'!${col}${row + n}"


# --- round trips ---------------------------------------------------------------------------
def test_baseline_round_trip(template):
    assert read_workbook(template) == Scenario.baseline()


@pytest.mark.parametrize("scenario", example_scenarios(), ids=lambda s: s.name)
def test_example_round_trip(tmp_path, scenario):
    assert read_workbook(make_template(tmp_path / "s.xlsx", scenario)) == scenario


def test_clean_template_has_no_notices(template):
    reading = read_workbook_report(template)
    assert reading.issues == () and reading.notices == ()


def rounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Values a planner would type: six significant digits survive Excel exactly."""
    return st.floats(lo, hi).map(lambda x: float(f"{x:.6g}")).filter(lambda x: lo <= x <= hi)


def milestones(path: str) -> st.SearchStrategy[Milestones]:
    spec = LEVERS[path]
    return st.builds(Milestones, *(rounded(spec.low, spec.high) for _ in range(3)))


@st.composite
def weights(draw) -> dict[str, float]:
    units = draw(st.lists(st.sampled_from(unit_codes()), min_size=1, max_size=6, unique=True))
    if units == ["BJ"]:
        units.append("TJ")
    raw = [draw(st.integers(1, 100)) for _ in units]
    shares = [round(r / sum(raw), 4) for r in raw[:-1]]
    shares.append(round(1 - sum(shares), 4))
    return dict(zip(units, shares, strict=True))


texts = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=40
).filter(lambda t: t.strip() and "_x" not in t)
presence_keys = sorted(default_presence())


@st.composite
def scenarios(draw) -> Scenario:
    """Random valid levers, pathway switches, assumptions and baseline overrides."""
    presence = {
        k: draw(milestones("chains.presence"))
        for k in draw(st.lists(st.sampled_from(presence_keys), max_size=5, unique=True))
    }
    chosen = draw(st.lists(st.sampled_from(ASSUMPTIONS), max_size=5, unique=True))
    overrides = draw(
        st.dictionaries(
            st.sampled_from(unit_codes()),
            st.fixed_dictionaries(
                {}, optional={"gdp": rounded(1, 1e6), "population": rounded(1, 1e4)}
            ),
            max_size=3,
        )
    )
    return Scenario(
        name=draw(texts),
        description=draw(st.one_of(st.just(""), texts)),
        author=draw(st.one_of(st.just(""), texts)),
        national_path=draw(st.sampled_from(NATIONAL_PATHS)),
        pathways=Pathways(*(draw(st.booleans()) for _ in range(4))),
        poles=GrowthPoles(
            draw(weights()),
            draw(milestones("poles.investment")),
            draw(milestones("poles.relocation")),
        ),
        chains=ChainFilling(presence),
        innovation=Innovation(
            draw(milestones("innovation.share")), draw(milestones("innovation.absorption"))
        ),
        reform=Reform(
            draw(rounded(0, 1)),
            draw(st.integers(0, 10)),
            draw(st.integers(0, 10)),
            draw(rounded(0, 10)),
            draw(rounded(0, 1e5)),
            draw(st.booleans()),
            draw(milestones("reform.market_integration")),
        ),
        assumptions={a.id: draw(rounded(*assumption_bounds(a))) for a in chosen},
        baseline_overrides={u: v for u, v in overrides.items() if v},
    )


@given(scenario=scenarios())
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_scenario_round_trip(tmp_path, scenario):
    assert read_workbook(make_template(tmp_path / "h.xlsx", scenario)) == scenario


@pytest.fixture
def only_when_slow_selected(request):
    """The long run takes minutes: run it only when asked for (``pytest -m slow``)."""
    expr = request.config.getoption("markexpr") or ""
    if "slow" not in expr or "not slow" in expr:
        pytest.skip("long hypothesis run; select it with -m slow (make fuzz)")


@pytest.mark.slow
@pytest.mark.usefixtures("only_when_slow_selected")
@given(scenario=scenarios())
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_scenario_round_trip_long(tmp_path, scenario):
    assert read_workbook(make_template(tmp_path / "h.xlsx", scenario)) == scenario


def test_formula_like_text_round_trips_as_text(tmp_path):
    s = Scenario.baseline().replace(name='=HYPERLINK("http://x")', author="@me", description="#N/A")
    path = make_template(tmp_path / "inj.xlsx", s)
    cell = named(openpyxl.load_workbook(path), "ScenarioName")
    assert cell.data_type == "s"
    assert read_workbook(path) == s


# --- planner edits that must still read ----------------------------------------------------
def test_inserted_rows_above_blocks(tmp_path, template):
    def edit(wb):
        shift_rows(wb, wb[REFORM], 1, 3)
        shift_rows(wb, wb[L.ASSUMPTIONS], 5, 2)

    assert read_workbook(edited(template, tmp_path / "ins.xlsx", edit)) == Scenario.baseline()


def test_row_inserted_inside_weights_table(tmp_path, template):
    def edit(wb):
        ws, tbl = find_table(wb, "tblPoleWeights")
        table_cell(wb, "tblPoleWeights", "weight", unit="TJ").value = 0.25
        c1, r1, c2, r2 = range_boundaries(tbl.ref)
        ws.insert_rows(r1 + 2)
        tbl.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2 + 1}"
        ws.cell(r1 + 2, c1, "ZJK")
        ws.cell(r1 + 2, c1 + 3, 0.05)

    got = read_workbook(edited(template, tmp_path / "row.xlsx", edit))
    assert got.poles.weights == {**Scenario.baseline().poles.weights, "TJ": 0.25, "ZJK": 0.05}


def test_reordered_rows_and_columns(tmp_path, template):
    def edit(wb):
        for name in ("tblChainPresence", "tblAssumptions", "tblPoleWeights"):
            ws, tbl = find_table(wb, name)
            c1, r1, c2, r2 = range_boundaries(tbl.ref)
            rows = [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1 + 1, r2 + 1)]
            for r, values in zip(range(r1 + 1, r2 + 1), reversed(rows), strict=True):
                for c, v in zip(range(c1, c2 + 1), values, strict=True):
                    ws.cell(r, c).value = v
        ws, tbl = find_table(wb, "tblInnovation")  # swap the 2025 and 2035 columns
        c1, r1, c2, r2 = range_boundaries(tbl.ref)
        for r in range(r1, r2 + 1):
            a, b = ws.cell(r, c1 + 4), ws.cell(r, c1 + 6)
            a.value, b.value = b.value, a.value

    assert read_workbook(edited(template, tmp_path / "ord.xlsx", edit)) == Scenario.baseline()


def test_moved_block_and_extra_planner_sheet(tmp_path, template):
    def edit(wb):
        ws, tbl = find_table(wb, "tblInnovation")
        ws.move_range(tbl.ref, rows=6, cols=9)
        c1, r1, c2, r2 = range_boundaries(tbl.ref)
        tbl.ref = f"{get_column_letter(c1 + 9)}{r1 + 6}:{get_column_letter(c2 + 9)}{r2 + 6}"
        # move the reform milestones to the planner's own sheet
        ws, tbl = find_table(wb, "tblReformMilestones")
        mine = wb.create_sheet("我的工作 Mine", 0)
        mine["A1"] = "规划人员自己的笔记"
        c1, r1, c2, r2 = range_boundaries(tbl.ref)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                mine.cell(r - r1 + 5, c - c1 + 2, ws.cell(r, c).value)
                ws.cell(r, c).value = None
        del ws.tables["tblReformMilestones"]
        moved = Table(
            displayName="tblReformMilestones",
            ref=f"B5:{get_column_letter(c2 - c1 + 2)}{r2 - r1 + 5}",
        )
        mine.add_table(moved)
        mine.add_table(Table(displayName="tblMine", ref="A20:B21"))
        mine["A20"], mine["B20"], mine["A21"] = "x", "y", 1

    assert read_workbook(edited(template, tmp_path / "mv.xlsx", edit)) == Scenario.baseline()


@pytest.mark.parametrize(
    "header", ["2025", "target 2025", "TARGET_2025", "2025年目标", " 2025年目标  Target 2025 "]
)
def test_header_variants_accepted(tmp_path, template, header):
    def edit(wb):
        ws, tbl = find_table(wb, "tblPoleMilestones")
        c1, r1, _, _ = range_boundaries(tbl.ref)
        ws.cell(r1, c1 + 4).value = header
        tbl.tableColumns[4].name = header

    assert read_workbook(edited(template, tmp_path / "hdr.xlsx", edit)) == Scenario.baseline()


def test_text_numbers_accepted_with_notices(tmp_path, template):
    def edit(wb):
        named(wb, "OriginShare").value = "30%"
        named(wb, "EligibilityThreshold").value = "1,234"
        named(wb, "GovernmentLedOnly").value = "否"
        named(wb, "NationalPath").value = "高"
        table_cell(
            wb, "tblChainPresence", "y2030", chain="ic", segment="design", province="TJ"
        ).value = "０.６"
        table_cell(wb, "tblPoleWeights", "weight", unit="TJ").value = "３０％"
        table_cell(wb, "tblPoleWeights", "unit", unit="HD").value = "邯郸"

    reading = read_workbook_report(edited(template, tmp_path / "txt.xlsx", edit))
    assert reading.issues == ()
    s = reading.scenario
    assert (s.reform.origin_share, s.reform.eligibility_threshold) == (0.3, 1234.0)
    assert s.reform.government_led_only is False and s.national_path == "high"
    assert s.chains.presence["ic/design/TJ"].y2030 == 0.6
    assert s.poles.weights == Scenario.baseline().poles.weights
    fields = {n.field for n in reading.notices}
    assert {
        "reform.origin_share",
        "reform.eligibility_threshold",
        "reform.government_led_only",
        "national_path",
        "chains.presence.ic/design/TJ.y2030",
        "poles.weights.TJ",
    } <= fields
    assert all(n.severity == "notice" and n.cell and n.sheet for n in reading.notices)


def test_baseline_override_pasted(tmp_path, template):
    def edit(wb):
        table_cell(wb, "tblBaseline", "gdp_override", unit="SJZ").value = 7200
        table_cell(wb, "tblBaseline", "population_override", unit="TS").value = 770.5

    got = read_workbook(edited(template, tmp_path / "ovr.xlsx", edit))
    assert got.baseline_overrides == {"SJZ": {"gdp": 7200.0}, "TS": {"population": 770.5}}


# --- planner mistakes ----------------------------------------------------------------------
def at_name(name: str) -> Callable:
    return lambda wb: named(wb, name)


def at_table(table: str, column: str, **keys: str) -> Callable:
    return lambda wb: table_cell(wb, table, column, **keys)


IC_TJ = {"chain": "ic", "segment": "design", "province": "TJ"}

#: case -> (where the planner typed, what they typed, field reported, text in the message)
MISTAKES = {
    "word for number": (at_name("OriginShare"), "abc", "reform.origin_share", "'abc'"),
    "1.2.3": (at_name("CapMultiple"), "1.2.3", "reform.cap_multiple", "1.2.3"),
    "12%%": (at_name("OriginShare"), "12%%", "reform.origin_share", "12%%"),
    "percent in plain cell": (
        at_name("EligibilityThreshold"),
        "12%",
        "reform.eligibility_threshold",
        "percent sign",
    ),
    "chinese numeral": (at_name("ShareYears"), "三", "reform.share_years", "三"),
    "exponent": (at_name("CapMultiple"), "1e3", "reform.cap_multiple", "1e3"),
    "empty": (at_name("ExtYears"), None, "reform.ext_years", "empty"),
    "not a boolean": (at_name("PathwayReform"), "maybe", "pathways.reform", "maybe"),
    "bad national path": (at_name("NationalPath"), "medium", "national_path", "medium"),
    "out of range": (at_name("OriginShare"), 1.5, "reform.origin_share", "150%"),
    "not whole": (at_name("ShareYears"), 3.5, "reform.share_years", "whole"),
    "presence out of range": (
        at_table("tblChainPresence", "y2030", **IC_TJ),
        1.5,
        "chains.presence.ic/design/TJ.y2030",
        "0–1",
    ),
    "milestone word": (
        at_table("tblInnovation", "y2035", key="innovation.share"),
        "twenty",
        "innovation.share.y2035",
        "twenty",
    ),
    "assumption out of range": (
        at_table("tblAssumptions", "value", id="beta_conv"),
        99,
        "assumptions.beta_conv",
        "99",
    ),
    "unknown pole unit": (
        at_table("tblPoleWeights", "unit", unit="HD"),
        "XA",
        "tblPoleWeights.unit",
        "XA",
    ),
    "negative override": (
        at_table("tblBaseline", "gdp_override", unit="SJZ"),
        -5,
        "baseline_overrides.SJZ.gdp",
        "-5",
    ),
    "formula without cached value": (
        at_name("OriginShare"),
        "=1+1",
        "reform.origin_share",
        "formula without a cached value",
    ),
    "version": (at_name("TemplateVersion"), "2.0", "template_version", "2.0"),
}


def make_mistake(wb: openpyxl.Workbook, case: str) -> tuple[str, str]:
    """Apply one mistake; return the sheet and cell it was made in."""
    locate, value = MISTAKES[case][:2]
    cell = locate(wb)
    cell.value = value
    return cell.parent.title, cell.coordinate


@pytest.mark.parametrize("case", MISTAKES)
def test_planner_mistake_is_reported_at_its_cell(tmp_path, template, case):
    _, _, field, text = MISTAKES[case]
    where = []
    err = problems(
        edited(template, tmp_path / "bad.xlsx", lambda wb: where.extend(make_mistake(wb, case)))
    )
    issue = issue_at(err, *where)
    assert issue.field == field
    assert issue.workbook == "bad.xlsx"
    assert text in f"{issue.message_en} {issue.found}"
    assert issue.message_zh and issue.expected
    assert f"!{where[1]}" in str(err)


def test_excel_error_cell(tmp_path, template):
    def edit(wb):
        cell = named(wb, "CapMultiple")
        cell.value, cell.data_type = "#REF!", "e"

    cell = named(openpyxl.load_workbook(template), "CapMultiple").coordinate
    issue = issue_at(problems(edited(template, tmp_path / "e.xlsx", edit)), REFORM, cell)
    assert "#REF!" in issue.message_en


def test_weights_not_summing_to_100(tmp_path, template):
    def edit(wb):
        table_cell(wb, "tblPoleWeights", "weight", unit="TJ").value = 0.2

    path = edited(template, tmp_path / "w.xlsx", edit)
    ws, tbl = find_table(openpyxl.load_workbook(path), "tblPoleWeights")
    c1, r1, _, r2 = range_boundaries(tbl.ref)
    cells = f"{get_column_letter(c1 + 3)}{r1 + 1}:{get_column_letter(c1 + 3)}{r2}"
    issue = issue_at(problems(path), ws.title, cells)
    assert issue.field == "poles.weights"
    assert "90.00%" in issue.message_en and "90.00%" in issue.message_zh
    assert cells in issue.message_en


def test_missing_table(tmp_path, template):
    def edit(wb):
        del wb[L.INNOVATION].tables["tblInnovation"]

    issue = issue_at(problems(edited(template, tmp_path / "t.xlsx", edit)), L.INNOVATION, None)
    assert "tblInnovation" in issue.message_en and "Table Design" in issue.message_en


def test_renamed_header(tmp_path, template):
    header = []

    def edit(wb):
        ws, tbl = find_table(wb, "tblChainPresence")
        c1, r1, c2, _ = range_boundaries(tbl.ref)
        ws.cell(r1, c1 + 8).value = "目标 Goal"
        tbl.tableColumns[8].name = "目标 Goal"
        header.append(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r1}")

    issue = issue_at(problems(edited(template, tmp_path / "h.xlsx", edit)), L.CHAINS, header[0])
    assert "2030年目标 Target 2030" in issue.message_en and issue.field == "tblChainPresence.y2030"
    assert "目标 Goal" in issue.found


def test_deleted_defined_name(tmp_path, template):
    def edit(wb):
        del wb.defined_names["ShareYears"]

    issue = issue_at(problems(edited(template, tmp_path / "n.xlsx", edit)), REFORM, None)
    assert "ShareYears" in issue.message_en and "Name Manager" in issue.message_en


def test_defined_name_pointing_at_a_range(tmp_path, template):
    def edit(wb):
        wb.defined_names["CapMultiple"].attr_text = f"'{REFORM}'!$C$11:$C$12"

    issue = issue_at(problems(edited(template, tmp_path / "r.xlsx", edit)), REFORM, "C11:C12")
    assert issue.field == "reform.cap_multiple"
    assert "CapMultiple" in issue.message_en


def test_missing_sheet(tmp_path, template):
    def edit(wb):
        del wb[L.INNOVATION]

    err = problems(edited(template, tmp_path / "s.xlsx", edit))
    issue = issue_at(err, L.INNOVATION, None)
    assert "tblInnovation" in issue.message_en and "PathwayInnovation" in issue.message_en
    assert len(err.issues) == 1


def test_not_a_workbook(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_workbook(path)
    assert info.value.issues[0].workbook == "plan.xlsx"


def test_all_problems_reported_at_once(tmp_path, template):
    cases = (
        "word for number",
        "empty",
        "presence out of range",
        "unknown pole unit",
        "milestone word",
        "negative override",
    )
    where = set()

    def edit(wb):
        where.update(make_mistake(wb, case) for case in cases)
        del wb.defined_names["ShareYears"]

    err = problems(edited(template, tmp_path / "many.xlsx", edit))
    assert where | {(REFORM, None)} <= {(i.sheet, i.cell) for i in err.issues}


def test_duplicate_row(tmp_path, template):
    where = []

    def edit(wb):
        cell = table_cell(wb, "tblAssumptions", "id", id="eps_tech")
        cell.value = "beta_conv"
        where.extend((cell.parent.title, cell.coordinate))

    err = problems(edited(template, tmp_path / "d.xlsx", edit))
    assert "more than once" in issue_at(err, *where).message_en


def test_scenario_cells_maps_fields(template):
    cells = scenario_cells(template)
    wb = openpyxl.load_workbook(template)
    origin = named(wb, "OriginShare")
    assert cells["reform.origin_share"] == f"{REFORM}!{origin.coordinate}"
    presence = table_cell(
        wb, "tblChainPresence", "y2025", chain="ic", segment="design", province="BJ"
    )
    assert cells["chains.presence.ic/design/BJ.y2025"] == f"{L.CHAINS}!{presence.coordinate}"
    assert cells["poles.weights"].startswith(f"{POLES}!D")


@pytest.mark.parametrize(
    ("text", "value"),
    [("12%", 0.12), ("１２％", 0.12), ("1,234", 1234.0), ("0.5", 0.5), (".5", 0.5),
     ("１２．５", 12.5), (" 12 % ", 0.12), ("12\u200b", 12.0), ("-3", -3.0)],
)  # fmt: skip
def test_unambiguous_text_numbers(text, value):
    assert parse_number(text, percent=True)[0] == value


@pytest.mark.parametrize(
    "text",
    ["abc", "1.2.3", "12%%", "1e3", "1,5", "1.234,5", "百分之十二", "十二", "nan", "inf",
     "9" * 400, "(1,234)", "¥1,234", "12件", "٣", "1_000", ""],
)  # fmt: skip
def test_ambiguous_text_numbers_are_refused(text):
    with pytest.raises(Exception, match="not_number"):
        parse_number(text, percent=True)
