"""Comparison workbook: golden content, any number of scenarios, deltas, names, safety."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import openpyxl
import pytest
from golden_util import check_golden
from openpyxl.workbook.workbook import Workbook

from jjjplan.errors import ValidationError
from jjjplan.excel import write_comparison
from jjjplan.excel.write import comparison as cmp
from jjjplan.excel.write.indicators import KEY_INDICATORS
from jjjplan.results import Results, project
from jjjplan.scenario import MILESTONE_YEARS, GrowthPoles, Innovation, Milestones, Reform, Scenario

FORBIDDEN = set("[]:*?/\\")


def scenario(i: int) -> Scenario:
    """Scenario ``i`` of a family that differs in reform, innovation and national path."""
    return Scenario.baseline().replace(
        name=f"情景{i} s{i}",
        description=f"第{i}号测试情景 / test scenario {i}",
        reform=Reform(origin_share=0.05 * i, share_years=3 + i % 3),
        innovation=Innovation(share=Milestones(0.09, 0.10 + 0.01 * i, 0.10 + 0.02 * i)),
        national_path=("low", "central", "high")[i % 3],
    )


@pytest.fixture(scope="module")
def family() -> list[Results]:
    """The baseline first-but-not-named-first case is covered elsewhere; here index 0."""
    return [project(Scenario.baseline()), *(project(scenario(i)) for i in range(1, 10))]


@pytest.fixture(scope="module")
def golden_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Results], list]:
    folder = tmp_path_factory.mktemp("src")
    poles = GrowthPoles(weights={"TJ": 0.4, "BD": 0.4, "LF": 0.2})  # LF absent from baseline
    policy = scenario(2).replace(name="政策 policy", poles=poles, assumptions={"eps_tech": 0.08})
    results = [project(scenario(1)), project(Scenario.baseline()), project(policy)]
    sources = []
    for r in results[:2]:
        path = folder / f"{r.scenario.name}.xlsx"
        path.write_bytes(r.scenario.name.encode())
        sources.append(path)
    return results, [*sources, None]


@pytest.fixture(scope="module")
def golden_book(golden_inputs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    results, sources = golden_inputs
    out = tmp_path_factory.mktemp("out") / "对比 comparison.xlsx"
    return write_comparison(results, out, source_paths=sources)


def summary_rows(ws) -> dict[tuple[str, int | None], list]:
    """(field, year) -> values from column F on."""
    return {
        (r[0].value, r[4].value): [c.value for c in r[5:]]
        for r in ws.iter_rows(min_row=8)
        if r[0].value and r[1].value
    }


def key_values(ws) -> dict[str, list]:
    return {r[0].value: [c.value for c in r[3:]] for r in ws.iter_rows() if r[0].value}


# --------------------------------------------------------------------------------------------
# Golden and structure
# --------------------------------------------------------------------------------------------
def test_matches_golden(golden_book: Path, update_golden: bool) -> None:
    check_golden(golden_book, "comparison_three", update=update_golden)


def test_golden_book_uses_named_baseline_and_na(golden_book: Path) -> None:
    """Default baseline = the scenario named "baseline" (2nd here); %Δ of a 0 base is n/a."""
    ws = openpyxl.load_workbook(golden_book)["情景对比 Summary"]
    assert ws["C2"].value == "baseline"
    assert [ws.cell(row=6, column=c).value for c in range(6, 9)] == [
        "情景1 s1",
        "基准 Baseline",  # the baseline column says so in both languages
        "政策 policy",
    ]
    rows = summary_rows(ws)
    lf = rows[("poles.weights.LF", None)]
    assert lf[:3] == [0.0, 0.0, 0.2]  # missing pole = weight 0
    assert lf[3:5] == [0.0, 0.2]  # Δ
    assert lf[5:7] == ["n/a", "n/a"]  # %Δ with a zero baseline
    assert rows[("national_path", None)][3:5] == [None, "变化 changed"]


@pytest.mark.parametrize("n", [1, 2, 10])
def test_any_number_of_scenarios(family: list[Results], n: int, tmp_path: Path) -> None:
    results = family[:n]
    out = write_comparison(results, tmp_path / f"c{n}.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "情景对比 Summary"
    assert wb.sheetnames[-1] == "来源 Provenance"
    assert len(wb.sheetnames) == 2 + len(KEY_INDICATORS)
    for name in wb.sheetnames:
        assert len(name) <= 31 and not FORBIDDEN & set(name), name
    ws = wb["情景对比 Summary"]
    names = [cmp.scenario_header(r.scenario.name, i == 0) for i, r in enumerate(results)]
    assert [ws.cell(row=6, column=6 + i).value for i in range(n)] == names
    assert all(re.search("[A-Za-z]", name) for name in wb.sheetnames)  # English part kept
    assert ws.max_column == 5 + n + 2 * (n - 1)
    rows = summary_rows(ws)
    for ind in KEY_INDICATORS:
        sheet = wb[wb.sheetnames[1 + KEY_INDICATORS.index(ind)]]
        (chart,) = sheet._charts
        assert chart.tagname == "lineChart" and len(chart.series) == n
        for year in MILESTONE_YEARS:
            values = rows[(ind.key, year)]
            expected = [float(ind.series(r).loc[year]) for r in results]
            assert values[:n] == pytest.approx(expected, rel=1e-12)
            deltas = values[n : 2 * n - 1]
            want = [v - expected[0] for v in expected[1:]]
            assert deltas == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_indicator_sheets_hold_year_by_scenario(family: list[Results], tmp_path: Path) -> None:
    results = family[:3]
    wb = openpyxl.load_workbook(write_comparison(results, tmp_path / "c.xlsx"))
    theil = wb[wb.sheetnames[1]]
    assert theil["A1"].value.startswith("泰尔指数T")
    years = [int(y) for y in results[0].years]
    assert [theil.cell(row=4 + i, column=1).value for i in range(len(years))] == years
    for j, r in enumerate(results, start=2):
        got = [theil.cell(row=4 + i, column=j).value for i in range(len(years))]
        assert got == pytest.approx(list(r.gaps["theil_t"]), rel=1e-14)


def test_delta_colours_on_outcomes(family: list[Results], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_comparison(family[:3], tmp_path / "c.xlsx"))
    rules = {
        str(cf.sqref): [(r.operator, r.formula[0]) for r in cf.rules]
        for cf in wb["情景对比 Summary"].conditional_formatting
    }
    assert len(rules) == 2 * len(KEY_INDICATORS)  # Δ block and %Δ block per indicator
    assert all(len(v) == 2 for v in rules.values())


# --------------------------------------------------------------------------------------------
# Baseline choice and bad input
# --------------------------------------------------------------------------------------------
def test_baseline_by_results_or_name(family: list[Results], tmp_path: Path) -> None:
    results = family[:3]
    for base in (results[2], results[2].scenario.name):
        out = write_comparison(results, tmp_path / "b.xlsx", baseline=base)
        ws = openpyxl.load_workbook(out)["情景对比 Summary"]
        assert ws["C2"].value == results[2].scenario.name


def test_first_is_baseline_when_none_is_named_so(family: list[Results], tmp_path: Path) -> None:
    out = write_comparison(family[1:4], tmp_path / "b.xlsx")
    assert openpyxl.load_workbook(out)["情景对比 Summary"]["C2"].value == "情景1 s1"


def test_unknown_baseline(family: list[Results], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'nope' is not one of the compared scenarios"):
        write_comparison(family[:2], tmp_path / "b.xlsx", baseline="nope")


def test_duplicate_names_are_refused(family: list[Results], tmp_path: Path) -> None:
    twin = project(scenario(1).replace(name=" 情景1 S1 "))
    with pytest.raises(ValueError, match=r"duplicated: '情景1 s1', ' 情景1 S1 '"):
        write_comparison([family[1], family[0], twin], tmp_path / "d.xlsx")
    assert not (tmp_path / "d.xlsx").exists()


def test_bad_inputs(family: list[Results], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        write_comparison([], tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match=r"results_list\[1\] is Scenario"):
        write_comparison([family[0], Scenario.baseline()], tmp_path / "x.xlsx")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="source_paths has 1 entries but there are 2"):
        write_comparison(family[:2], tmp_path / "x.xlsx", source_paths=[None])


# --------------------------------------------------------------------------------------------
# Provenance and safety
# --------------------------------------------------------------------------------------------
def test_provenance_names_sources_and_hashes(golden_book: Path, golden_inputs) -> None:
    results, sources = golden_inputs
    kv = key_values(openpyxl.load_workbook(golden_book)["来源 Provenance"])
    assert kv["scenario_name"][:3] == [r.scenario.name for r in results]
    assert kv["source_path"][:3] == [
        str(sources[0].resolve()),
        str(sources[1].resolve()),
        "未提供 not given",
    ]
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sources[:2]]
    assert kv["source_sha256"][:2] == digests
    assert kv["is_baseline"][:3] == [False, True, False]
    for key in ("jjjplan_version", "openpyxl_version", "pandas_version", "generated_utc"):
        assert kv[key][0]


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "@SUM(A1)"])
def test_scenario_names_stay_text(family: list[Results], name: str, tmp_path: Path) -> None:
    odd = project(scenario(3).replace(name=name, description="-1+1"))
    wb = openpyxl.load_workbook(write_comparison([family[0], odd], tmp_path / "i.xlsx"))
    cells = [wb["情景对比 Summary"].cell(row=6, column=c) for c in (7, 8, 9)]
    cells.append(wb[wb.sheetnames[1]]["C3"])
    for cell in cells:
        assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row), ws.title


def test_failed_save_leaves_existing_file_byte_identical(
    family: list[Results], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = write_comparison(family[:2], tmp_path / "c.xlsx")
    before = out.read_bytes()

    def half_written(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(Workbook, "save", half_written)
    with pytest.raises(OSError, match="simulated"):
        write_comparison(family[:3], out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.xlsx"]


def test_refuses_to_overwrite_an_input(family: list[Results], tmp_path: Path) -> None:
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"input")
    with pytest.raises(ValidationError, match=r"same file as the input a\.xlsx"):
        write_comparison(family[:2], src, source_paths=[src, None])
    assert src.read_bytes() == b"input"


def test_lever_rows_follow_the_brief() -> None:
    """Every lever group the planners asked for is on the summary sheet."""
    rows = cmp._aligned_levers([Scenario.baseline()])
    paths = [r.path for r, _ in rows]
    for wanted in (
        "reform.origin_share",
        "reform.share_years",
        "reform.cap_multiple",
        "reform.eligibility_threshold",
        "reform.government_led_only",
        "poles.weights.TJ",
        "innovation.share.y2035",
        "poles.investment.y2035",
        "national_path",
        "pathways.reform",
    ):
        assert wanted in paths
