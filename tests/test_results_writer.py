"""Results workbook: golden content, value round trips, provenance, safety of the write."""

from __future__ import annotations

import copy
import hashlib
import math
import platform
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from golden_util import VOLATILE, check_golden, diff_digests, workbook_digest
from openpyxl.workbook.workbook import Workbook

import jjjplan
from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.chains import PROVINCES
from jjjplan.errors import ValidationError
from jjjplan.excel import write_results
from jjjplan.excel.write import results as rw
from jjjplan.results import RATIO_NAMES, Results, project
from jjjplan.scenario import (
    MILESTONE_YEARS,
    PATHWAYS,
    GrowthPoles,
    Innovation,
    Milestones,
    Reform,
    Scenario,
)

SOURCE_BYTES = b"stand-in for a scenario workbook\n"
SHEETS = [
    "摘要 Summary",
    "图表 Charts",
    "地区生产总值 GDP",
    "常住人口 resident population",
    "人均地区生产总值 GDP per capita",
    "差距 Gaps",
    "财政 Fiscal",
    "贡献 Contributions",
    "来源 Provenance",
]


def policy_scenario(name: str = "政策情景 policy") -> Scenario:
    """A scenario that moves every pathway a little, so every sheet has non-zero deltas."""
    return Scenario.baseline().replace(
        name=name,
        description="测试情景：降低迁出地分享比例 / test: lower origin share",
        author="测试 tester",
        reform=Reform(origin_share=0.3, share_years=5),
        innovation=Innovation(share=Milestones(0.10, 0.15, 0.20)),
        poles=GrowthPoles(investment=Milestones(0.002, 0.004, 0.005)),
        assumptions={"eps_tech": 0.06},
    )


@pytest.fixture(scope="module")
def results() -> Results:
    return project(policy_scenario())


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "policy.xlsx"
    path.write_bytes(SOURCE_BYTES)
    return path


@pytest.fixture(scope="module")
def written(results: Results, source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "结果 results.xlsx"
    assert write_results(results, out, source_path=source) == out.resolve()
    return out


@pytest.fixture(scope="module")
def wb(written: Path) -> Workbook:
    return openpyxl.load_workbook(written)


def key_values(ws) -> dict[str, list]:
    """Provenance rows keyed by column A: key -> [中文, English, value, ...]."""
    return {
        row[0].value: [c.value for c in row[1:]]
        for row in ws.iter_rows()
        if isinstance(row[0].value, str)
    }


def table_rows(ws, name: str) -> list[dict]:
    """Rows of an Excel Table as dicts keyed by header."""
    ref = ws.tables[name].ref
    rows = [[c.value for c in row] for row in ws[ref]]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --------------------------------------------------------------------------------------------
# Golden content
# --------------------------------------------------------------------------------------------
def test_matches_golden(written: Path, update_golden: bool) -> None:
    check_golden(written, "results_policy", update=update_golden)


def test_golden_drift_is_reported_readably(written: Path) -> None:
    digest = workbook_digest(written)
    kv = {v: k for k, v in digest["sheet"]["来源 Provenance"]["cells"].items() if k[0] == "A"}
    row = kv["generated_utc"][1:]
    assert digest["sheet"]["来源 Provenance"]["cells"][f"D{row}"] == VOLATILE
    changed = copy.deepcopy(digest)
    cells = changed["sheet"]["差距 Gaps"]["cells"]
    cells["B6"] *= 1 + 1e-12  # float noise: not drift
    assert diff_digests(digest, changed) == []
    old = cells["B6"]
    cells["B6"] = old * 1.001
    changed["sheet"]["差距 Gaps"]["freeze_panes"] = "C6"
    assert diff_digests(digest, changed) == [
        f"sheet › 差距 Gaps › cells › B6: expected {digest['sheet']['差距 Gaps']['cells']['B6']!r}"
        f", got {old * 1.001!r}",
        "sheet › 差距 Gaps › freeze_panes: expected 'B6', got 'C6'",
    ]


def test_sheet_names_and_frozen_panes(wb: Workbook) -> None:
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        if ws.title != "图表 Charts":
            assert ws.freeze_panes, ws.title


def test_charts_present_with_expected_types(wb: Workbook) -> None:
    charts = wb["图表 Charts"]._charts
    kinds = [(c.tagname, getattr(c, "type", None), c.grouping, len(c.series)) for c in charts]
    assert kinds == [
        ("lineChart", None, "standard", 2),
        ("lineChart", None, "standard", 2),
        ("barChart", "col", "clustered", 2),  # per-capita GDP: scenario and baseline bars
        ("barChart", "bar", "stacked", len(PATHWAYS)),
    ]
    # stacked in one column below the data, so each prints on a portrait page
    anchors = [(c.anchor._from.col, c.anchor._from.row) for c in charts]
    assert {col for col, _ in anchors} == {0}
    assert [row for _, row in anchors] == sorted(row for _, row in anchors)
    assert min(row for _, row in anchors) > wb["图表 Charts"].max_row - 1


def test_line_chart_axes_are_scaled_to_the_data(wb: Workbook) -> None:
    """The Theil chart does not start at 0 (that flattens a 0.03 difference)."""
    theil = wb["图表 Charts"]._charts[0]
    values = [
        c.value
        for row in wb["图表 Charts"].iter_rows(min_row=5, max_row=18, min_col=2, max_col=3)
        for c in row
        if isinstance(c.value, float)
    ]
    assert 0 < theil.y_axis.scaling.min <= min(values)
    assert max(values) <= theil.y_axis.scaling.max < 2 * max(values)


def test_no_formulas_and_no_empty_numbers(wb: Workbook) -> None:
    """Values only (no uncached formulas), and no NaN turned into an empty cell."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, float):
                    assert math.isfinite(cell.value)
    gaps = wb["差距 Gaps"]
    assert all(c.value is not None for row in gaps[gaps.tables["Gaps"].ref] for c in row)


# --------------------------------------------------------------------------------------------
# Values round trip
# --------------------------------------------------------------------------------------------
def test_gaps_sheet_equals_results_gaps(wb: Workbook, results: Results) -> None:
    ws = wb["差距 Gaps"]
    ids = [c.value for c in ws[4]]
    assert ids[0] == "year"
    expected = results.gaps.join(results.ratios)
    assert set(expected.columns) == set(ids[1:])
    years = [ws.cell(row=r, column=1).value for r in range(6, 6 + len(expected))]
    assert years == [int(y) for y in expected.index]
    for j, key in enumerate(ids[1:], start=2):
        got = [ws.cell(row=r, column=j).value for r in range(6, 6 + len(expected))]
        np.testing.assert_allclose(got, expected[key].to_numpy(), rtol=1e-14, err_msg=key)


@pytest.mark.parametrize("variable", ["gdp", "population", "gdp_per_capita"])
def test_projection_sheets_equal_results(wb: Workbook, results: Results, variable: str) -> None:
    ws = wb[rw.projection_sheet_name(variable)]
    wide, prov = results.wide(variable), results.provinces()
    rows = {r[0].value: [c.value for c in r[4:]] for r in ws.iter_rows(min_row=5)}
    for code in wide.columns:
        np.testing.assert_allclose(rows[code], wide[code].to_numpy(), rtol=1e-14)
    for region in ("HE", "JJJ"):
        np.testing.assert_allclose(rows[region], prov[(region, variable)].to_numpy(), rtol=1e-14)
    assert [c.value for c in ws[4]][4:] == [int(y) for y in results.years]


def test_summary_baseline_is_policy_only(wb: Workbook, results: Results) -> None:
    """The baseline column equals all pathways off under the scenario's own assumptions."""
    ws = wb["摘要 Summary"]
    reference = results.subset(())
    for i, ind in enumerate(rw.KEY_INDICATORS):
        row = 13 + i
        assert ws.cell(row=row, column=2).value == ind.en
        for k, year in enumerate(MILESTONE_YEARS):
            col = 4 + 3 * k
            scen, base, delta = (ws.cell(row=row, column=col + d).value for d in range(3))
            assert scen == pytest.approx(float(ind.series(results).loc[year]), rel=1e-12)
            assert base == pytest.approx(float(ind.series(reference).loc[year]), rel=1e-12)
            # cells hold 15 significant digits, so a small delta of two large numbers
            # carries an absolute rounding error of ~1e-14 of their size
            assert delta == pytest.approx(scen - base, rel=1e-12, abs=1e-13 * abs(base))


def test_baseline_keeps_assumptions_and_national_path() -> None:
    s = policy_scenario().replace(national_path="high")
    b = rw.baseline_for(s)
    assert b.assumptions == s.assumptions
    assert b.national_path == "high"
    assert b.reform == Scenario.baseline().reform


def test_contributions_sum_to_total_change(wb: Workbook, results: Results) -> None:
    rows = table_rows(wb["贡献 Contributions"], "Contributions")
    label = rw.bilingual(*rw.GAP_MEASURE_LABELS["theil_t"])
    change = results.total_change()["theil_t"]
    for year in results.years:
        block = [r for r in rows if r["年份 Year"] == int(year)]
        assert [r["代码 Code"] for r in block] == [*PATHWAYS, "total"]
        parts = sum(r[label] for r in block[:-1])
        assert block[-1][label] == pytest.approx(parts, abs=1e-15)
        assert block[-1][label] == pytest.approx(float(change.loc[year]), abs=1e-12)


def test_fiscal_ledger_round_trip(wb: Workbook, results: Results) -> None:
    rows = table_rows(wb["财政 Fiscal"], "Ledger")
    ledger = results.ledger()
    assert len(rows) == len(ledger)
    header = next(h for h in rows[0] if h.startswith("净财政收入"))
    got = [r[header] for r in rows]
    np.testing.assert_allclose(got, ledger["net_revenue"].to_numpy(), rtol=1e-14)
    # ledger() is the projection's [year, province] arrays, year-major, provinces in order
    p = results.projection
    assert list(ledger.columns) == list(p.ledger)
    for t, year in enumerate(p.years):
        for j, prov in enumerate(PROVINCES):
            row = ledger.loc[(int(year), prov)].to_numpy(dtype=float)
            assert row.tolist() == [float(p.ledger[k][t, j]) for k in p.ledger]
    # every row and item on the sheet, in ledger()'s order
    assert [(r["年份 Year"], r["代码 Code"]) for r in rows] == [
        (int(y), p) for y, p in ledger.index
    ]
    values = [list(r.values())[3:] for r in rows]
    np.testing.assert_allclose(values, ledger.to_numpy(dtype=float), rtol=1e-14)


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def test_provenance_lists_every_assumption(wb: Workbook, results: Results) -> None:
    rows = {r["参数代码 Id"]: r for r in table_rows(wb["来源 Provenance"], "Assumptions")}
    assert set(rows) == {a.id for a in ASSUMPTIONS}
    for a in ASSUMPTIONS:
        r = rows[a.id]
        assert r["取值 Value"] == results.scenario.assumptions[a.id]
        assert (r["单位 Unit"], r["来源 Source"], r["标记 Flag"]) == (a.unit, a.source, a.flag)
        assert r["已修改 Changed"] is (a.id == "eps_tech")


def test_provenance_run_facts(wb: Workbook, source: Path) -> None:
    kv = key_values(wb["来源 Provenance"])
    assert kv["source_path"][2] == str(source.resolve())
    assert kv["source_sha256"][2] == hashlib.sha256(SOURCE_BYTES).hexdigest()
    assert kv["jjjplan_version"][2] == jjjplan.__version__
    assert kv["openpyxl_version"][2] == openpyxl.__version__
    assert kv["python_version"][2] == platform.python_version()
    assert datetime.fromisoformat(kv["generated_utc"][2]).utcoffset().total_seconds() == 0
    assert kv["scenario_name"][2] == "政策情景 policy"


def test_provenance_levers_and_data_flags(wb: Workbook) -> None:
    ws = wb["来源 Provenance"]
    levers = {r["字段 Field"]: r for r in table_rows(ws, "Levers")}
    assert levers["reform.origin_share"]["取值 Value"] == 0.3
    assert levers["reform.origin_share"]["已修改 Changed"] is True
    assert levers["pathways.reform"]["取值 Value"] is True
    t = baseline.dataset().base_table()  # the run's vintage (the default)
    counts = pd.concat([t.gdp_status, t.population_status]).value_counts().to_dict()
    kv = key_values(ws)
    total = sum(counts.values())
    assert kv["base_estimate"][2] == f"{counts['estimate']} / {total}"
    flags = table_rows(ws, "BaseYearData")
    assert sum(r["状态 Status"] == "estimate" for r in flags) == counts["estimate"]
    assert kv["data_vintage"][2] == baseline.DEFAULT_VINTAGE
    assert kv["base_year"][2] == baseline.dataset().base_year
    assert kv["policy_start_year"][2] == 2026
    sources = table_rows(ws, "DataSources")
    assert len(sources) == len(baseline.dataset().table)
    assert all(r["来源 Source"] for r in sources)


def test_without_source_path_says_so(results: Results, tmp_path: Path) -> None:
    out = write_results(results, tmp_path / "r.xlsx")
    kv = key_values(openpyxl.load_workbook(out)["来源 Provenance"])
    assert kv["source_path"][2] == "未提供 not given"


# --------------------------------------------------------------------------------------------
# Safety
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "@SUM(A1)", "+1-1", "#N/A"])
def test_planner_text_is_never_a_formula(name: str, tmp_path: Path) -> None:
    s = policy_scenario(name).replace(description='=cmd|" /C calc"!A0')
    out = write_results(project(s), tmp_path / "inj.xlsx")
    wb = openpyxl.load_workbook(out)
    for cell in (wb["摘要 Summary"]["B2"], wb["摘要 Summary"]["B3"]):
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert wb["摘要 Summary"]["B2"].value == name
    assert key_values(wb["来源 Provenance"])["scenario_name"][2] == name


def test_failed_save_leaves_existing_file_byte_identical(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = write_results(results, tmp_path / "r.xlsx")
    before = out.read_bytes()

    def half_written(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(Workbook, "save", half_written)
    with pytest.raises(OSError, match="simulated"):
        write_results(results, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_refuses_to_overwrite_its_input(results: Results, tmp_path: Path) -> None:
    src = tmp_path / "scenario.xlsx"
    src.write_bytes(SOURCE_BYTES)
    with pytest.raises(ValidationError, match="same file as the input"):
        write_results(results, src, source_path=src)
    assert src.read_bytes() == SOURCE_BYTES


def test_refuses_missing_folder(results: Results, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="folder does not exist"):
        write_results(results, tmp_path / "nope" / "r.xlsx")


def test_rejects_non_results(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"expects jjjplan\.Results"):
        write_results(Scenario.baseline(), tmp_path / "r.xlsx")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), np.float64("-inf")])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    ws = Workbook().active
    with pytest.raises(ValueError, match=r"Sheet!B3: refusing to write .* \(NaN/inf"):
        rw.put(ws, 3, 2, bad)


def test_sheet_name_is_legal_and_unique() -> None:
    assert rw.sheet_name("差距", "Gaps") == "差距 Gaps"
    long = rw.sheet_name("京冀人均GDP比", "Beijing/Hebei per-capita GDP")
    assert long == "京冀人均GDP比"
    odd = rw.sheet_name("a[b]:c*d?e/f\\g", "")
    assert not set("[]:*?/\\") & set(odd)
    assert rw.sheet_name("差距", "Gaps", taken=["差距 GAPS", "差距"]) == "差距 (2)"
    assert len(rw.sheet_name("长" * 40)) <= 31


def test_ratio_names_are_in_gaps_sheet(wb: Workbook) -> None:
    ids = [c.value for c in wb["差距 Gaps"][4]]
    assert set(RATIO_NAMES) <= set(ids)


def test_the_baseline_beside_the_scenario_is_projected_on_the_same_data(tmp_path, monkeypatch):
    """A run on another vintage compares with a baseline on that vintage, not on the default."""
    import jjjplan
    from jjjplan import baseline
    from jjjplan.excel.write import results as results_module

    seen = []
    real = results_module.build_results_workbook

    def capture(results, base, *args, **kwargs):
        seen.append(base)
        return real(results, base, *args, **kwargs)

    monkeypatch.setattr(results_module, "build_results_workbook", capture)
    legacy = baseline.dataset("2022-initial")
    scenario = jjjplan.Scenario.baseline()
    results = jjjplan.project(scenario, data=legacy)
    jjjplan.write_results(results, tmp_path / "legacy.xlsx")
    assert seen[0].projection.data.vintage == "2022-initial"
    assert seen[0].gaps.equals(results.gaps)  # the baseline scenario on the same data
