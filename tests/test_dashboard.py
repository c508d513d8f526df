"""Widget-level tests of the dashboard: set ``.value``, call ``.click()``, check the model.

No browser and no kernel: ipywidgets run their observers synchronously in plain Python, so
each assertion is about the resulting Scenario, Results or log panel text.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import ipywidgets as widgets
import matplotlib
import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jjjplan import Scenario, project
from jjjplan.chains import CHAINS
from jjjplan.dashboard import Dashboard, fonts, rebalance
from jjjplan.dashboard.controls import PoleWeights, chain_cells, raise_presence, tidy
from jjjplan.dashboard.views import contribution_values
from jjjplan.scenario import PATHWAYS, REF_POLE_WEIGHTS, base_presence

POLES = tuple(REF_POLE_WEIGHTS)
NOW = datetime.now(UTC)


@pytest.fixture
def dash(tmp_path) -> Dashboard:
    return Dashboard(workdir=tmp_path)


def _bj_shares_received(d: Dashboard) -> float:
    ledger = d.results.ledger()
    return float(ledger.loc[(2035, "BJ"), "shares_received"])


# -- building and displaying --------------------------------------------------------------
def test_import_has_no_side_effects():
    # (reading rcParams["backend"] would itself import pyplot, so compare chosen keys)
    code = (
        "import sys, matplotlib\n"
        "keys = ('font.family', 'font.sans-serif', 'axes.unicode_minus', 'font.size')\n"
        "before = {k: matplotlib.rcParams[k] for k in keys}\n"
        "import jjjplan.dashboard, jjjplan.dashboard.app, jjjplan.dashboard.serve\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.rcParams._get_backend_or_none() is None\n"
        "assert {k: matplotlib.rcParams[k] for k in keys} == before\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def test_building_leaves_global_matplotlib_state_alone(dash):
    assert "font.family" in matplotlib.rcParams
    assert matplotlib.rcParams["font.family"] == matplotlib.rcParamsDefault["font.family"]
    assert (
        "matplotlib.pyplot" not in sys.modules or not sys.modules["matplotlib.pyplot"].get_fignums()
    )


def problems(log) -> str:
    """The log without notices: a missing CJK font is a notice, not an error."""
    return "\n".join(line for line in log.text.splitlines() if not line.startswith("[notice]"))


def test_display_gives_a_widget_view(dash):
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(dash.widget, widgets.Box)
    assert dash.scenario == Scenario.baseline()
    assert problems(dash.log) == ""


def test_starting_scenario_is_shown(tmp_path):
    s = Scenario.baseline().replace(name="mine")
    d = Dashboard(s, workdir=tmp_path)
    assert d.scenario is s
    assert d.name.input.value == "mine"


# -- levers reach the scenario ------------------------------------------------------------
def test_tax_share_changes_the_fiscal_ledger(dash):
    before = _bj_shares_received(dash)
    table_before = dash.views.key_table.value
    dash.controls["reform.origin_share"].input.value = 20
    assert dash.scenario.reform.origin_share == pytest.approx(0.2)
    after = _bj_shares_received(dash)
    assert after < before  # Beijing keeps a smaller share of relocated firms' taxes
    assert dash.views.key_table.value != table_before
    assert problems(dash.log) == ""


@pytest.mark.parametrize(
    ("path", "value", "check"),
    [
        ("reform.share_years", 5, lambda s: s.reform.share_years == 5),
        ("reform.ext_years", 0, lambda s: s.reform.ext_years == 0),
        ("reform.cap_multiple", 4.5, lambda s: s.reform.cap_multiple == 4.5),
        ("reform.eligibility_threshold", 500, lambda s: s.reform.eligibility_threshold == 500),
        ("reform.government_led_only", False, lambda s: s.reform.government_led_only is False),
    ],
)
def test_scalar_levers_reach_the_scenario(dash, path, value, check):
    dash.controls[path].input.value = value
    assert check(dash.scenario)
    assert problems(dash.log) == ""


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("poles.investment", 2.0, 0.02),
        ("poles.relocation", 900, 900.0),
        ("innovation.share", 20.0, 0.2),
        ("innovation.absorption", 70, 0.7),
        ("reform.market_integration", 0.8, 0.8),
    ],
)
def test_milestone_target_sets_2035_and_a_straight_path(dash, path, value, expected):
    control = dash.controls[path]
    control.target.value = value
    section, field = path.split(".")
    ms = getattr(getattr(dash.scenario, section), field)
    assert ms.y2035 == pytest.approx(expected)
    assert ms.y2030 == pytest.approx((ms.y2025 + ms.y2035) / 2)
    control.sliders[2030].value = control.sliders[2030].min
    ms = getattr(getattr(dash.scenario, section), field)
    assert ms.y2030 == pytest.approx(control.sliders[2030].min / control.scale)
    assert ms.y2035 == pytest.approx(expected)


def test_national_path_and_pathway_switches(dash):
    dash.controls["national_path"].input.value = "high"
    assert dash.scenario.national_path == "high"
    assert dash.baseline_results.scenario.national_path == "high"  # same assumptions
    dash.controls["reform.origin_share"].input.value = 10
    theil_on = dash.results.gaps.loc[2035, "theil_t"]
    dash.controls["pathways"].boxes["reform"].value = False
    assert dash.scenario.pathways.reform is False
    theil_off = dash.results.gaps.loc[2035, "theil_t"]
    assert theil_off == pytest.approx(dash.baseline_results.gaps.loc[2035, "theil_t"])
    assert theil_on != theil_off


def test_chain_target_raises_only_lower_segments(dash):
    control = dash.controls["chains.presence"]
    control.chain.value = "ic"
    control.target.value = 0.6
    presence = dash.scenario.chains.presence
    base = base_presence()
    for key in chain_cells("ic"):
        if base[key] < 0.6:
            assert presence[key].y2035 == pytest.approx(0.6)
        else:
            assert presence[key].y2035 == base[key]
    other = chain_cells("nev")[0]
    assert presence[other] == Scenario.baseline().chains.presence[other]
    # switching chains shows that chain's own target and changes nothing
    before = dash.scenario
    control.chain.value = "nev"
    assert dash.scenario is before
    control.chain.value = "ic"
    assert control.target.value == pytest.approx(0.6)


def test_raise_presence_rule():
    ref = Scenario.baseline().chains.presence
    out = raise_presence(ref, "ic", 0.5)
    base = base_presence()
    for key, ms in out.items():
        if base[key] >= 0.5:
            assert ms == ref[key]
        else:
            frac = (2025 - 2022) / (2035 - 2022)
            assert ms.y2025 == pytest.approx(base[key] + (0.5 - base[key]) * frac)
            assert ms.y2035 == pytest.approx(0.5)


def test_a_move_that_breaks_a_model_rule_is_logged_and_undone(dash):
    before = dash.scenario
    dash.controls["poles.weights"].sliders["BJ"].value = 100  # nowhere left to relocate to
    assert "poles.weights" in dash.log.text
    assert dash.scenario == before
    shown = {k: s.value / 100 for k, s in dash.controls["poles.weights"].sliders.items()}
    assert shown == pytest.approx(dict(before.poles.weights))


def test_no_callback_fails_silently(dash, monkeypatch):
    import jjjplan.dashboard.app as app

    def broken(scenario):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(app, "project", broken)
    before = dash.scenario
    dash.controls["reform.share_years"].input.value = 7
    assert "RuntimeError: model exploded" in dash.log.text
    assert dash.scenario == before
    assert dash.controls["reform.share_years"].input.value == before.reform.share_years
    assert "traceback" in dash.log.widget.value


def test_update_is_fast(dash):
    times = []
    for v in range(20, 60, 4):
        dash.controls["reform.origin_share"].input.value = v
        times.append(dash.last_update_ms)
    assert statistics.median(times) < 100


# -- growth-pole weights: always 100% -----------------------------------------------------
weights_st = st.dictionaries(
    st.sampled_from(POLES), st.floats(0, 1, allow_nan=False), min_size=1
).filter(lambda w: sum(w.values()) > 1e-9)


@given(
    weights=weights_st,
    data=st.data(),
    new_value=st.one_of(st.floats(-1, 2, allow_nan=False), st.just(math.nan)),
)
def test_rebalance_keeps_the_sum_at_one(weights, data, new_value):
    changed = data.draw(st.sampled_from(sorted(weights)))
    locked = data.draw(st.sets(st.sampled_from(sorted(weights))))
    total = sum(weights.values())
    start = {k: v / total for k, v in weights.items()}
    out = rebalance(weights, changed, new_value, locked)
    assert set(out) == set(weights)
    assert sum(out.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(0.0 <= v <= 1.0 + 1e-12 for v in out.values())
    for k in locked - {changed}:
        assert out[k] == pytest.approx(start[k], abs=1e-12)
    free = [k for k in weights if k != changed and k not in locked]
    if changed in locked or not free or math.isnan(new_value):
        assert out == pytest.approx(start)  # refused: clamped back
    else:
        room = 1 - sum(start[k] for k in locked if k != changed)
        assert out[changed] == pytest.approx(min(max(new_value, 0), room), abs=1e-12)


def test_rebalance_examples():
    w = {"A": 0.5, "B": 0.3, "C": 0.2}
    assert rebalance(w, "A", 0.8) == pytest.approx({"A": 0.8, "B": 0.12, "C": 0.08})
    assert rebalance(w, "A", 0.8, {"B"}) == pytest.approx({"A": 0.7, "B": 0.3, "C": 0.0})
    assert rebalance(w, "A", 0.9, {"B", "C"}) == pytest.approx(w)  # all others locked
    assert rebalance({"A": 1.0, "B": 0.0, "C": 0.0}, "A", 0.4) == pytest.approx(
        {"A": 0.4, "B": 0.3, "C": 0.3}  # unlocked others all zero: spread equally
    )
    with pytest.raises(KeyError):
        rebalance(w, "Z", 0.1)


moves = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(POLES), st.floats(0, 100)),
        st.tuples(st.just("lock"), st.sampled_from(POLES), st.booleans()),
    ),
    max_size=25,
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(moves=moves)
def test_live_pole_sliders_always_sum_to_100(moves):
    control = PoleWeights(REF_POLE_WEIGHTS, "zh")
    for kind, pole, value in moves:
        if kind == "move":
            control.sliders[pole].value = value
        else:
            control.locks[pole].value = value
            assert control.sliders[pole].disabled is value
        total = sum(s.value for s in control.sliders.values())
        assert total == pytest.approx(100.0, abs=1e-6)
        assert sum(control.weights.values()) == pytest.approx(1.0, abs=1e-9)
        assert all(0 <= s.value <= 100 for s in control.sliders.values())


def test_live_weights_in_the_dashboard_follow_locks(dash):
    poles = dash.controls["poles.weights"]
    poles.locks["TJ"].value = True
    poles.locks["BD"].value = True
    poles.sliders["SJZ"].value = 30
    w = dash.scenario.poles.weights
    assert w["TJ"] == pytest.approx(0.3) and w["BD"] == pytest.approx(0.3)
    assert w["SJZ"] == pytest.approx(0.3)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-9)
    for code in ("BJ", "TS", "HD"):
        poles.locks[code].value = True
    poles.sliders["SJZ"].value = 50  # every other pole locked: clamped back
    assert poles.sliders["SJZ"].value == pytest.approx(30)
    assert dash.scenario.poles.weights["SJZ"] == pytest.approx(0.3)


def test_tidy_values_survive_sixteen_digits():
    for x in (0.1 + 0.2, 12.3 / 100, 2 / 7, 1234.5678901234567):
        assert float(f"{tidy(x):.16g}") == tidy(x)


# -- workbooks ----------------------------------------------------------------------------
def _change_many(d: Dashboard) -> None:
    d.controls["reform.origin_share"].input.value = 33
    d.controls["reform.share_years"].input.value = 4
    d.controls["poles.weights"].sliders["TJ"].value = 40.3
    d.controls["poles.investment"].target.value = 1.7
    d.controls["innovation.share"].target.value = 15.3
    d.controls["chains.presence"].target.value = 0.65
    d.controls["reform.market_integration"].target.value = 0.73
    d.controls["national_path"].input.value = "low"
    d.controls["pathways"].boxes["innovation"].value = False
    d.name.input.value = "协同方案 A"


def test_save_then_load_gives_an_equal_scenario(dash, tmp_path):
    from jjjplan.excel.read.reader import read_workbook

    _change_many(dash)
    dash.actions.save_path.value = "saved.xlsx"  # relative: resolved against workdir
    dash.actions.save_button.click()
    path = tmp_path / "saved.xlsx"
    assert path.is_file(), dash.log.text
    assert read_workbook(path) == dash.scenario

    other = Dashboard(workdir=tmp_path)
    other.actions.load_path.value = str(path)
    other.actions.load_button.click()
    assert other.scenario == dash.scenario, other.log.text
    assert other.controls["reform.origin_share"].input.value == pytest.approx(33)
    assert other.name.input.value == "协同方案 A"
    np.testing.assert_allclose(other.results.gaps, dash.results.gaps)


def test_upload_is_read_from_a_temporary_file(dash, tmp_path, monkeypatch):
    from jjjplan.excel.write.template import make_template

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "src.xlsx"
    s = Scenario.baseline().replace(name="uploaded")
    make_template(src, s)
    evil = "../../evil/name.xlsx"
    dash.actions.upload.value = (
        {
            "name": evil,
            "type": "",
            "size": src.stat().st_size,
            "content": memoryview(src.read_bytes()),
            "last_modified": NOW,
        },
    )
    assert dash.scenario == read_back(src)
    assert dash.actions.upload.value == ()
    assert not (tmp_path / evil).exists() and not (tmp_path.parent.parent / "evil").exists()
    assert "uploaded" in dash.log.text


def read_back(path):
    from jjjplan.excel.read.reader import read_workbook

    return read_workbook(path)


def test_text_file_named_xlsx_is_reported_in_the_log(dash, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("this is not a workbook")
    before = dash.scenario
    dash.actions.load_path.value = str(bad)
    dash.actions.load_button.click()
    assert "[error]" in dash.log.text
    assert "notes.xlsx" in dash.log.text
    assert dash.scenario == before


def test_uploaded_text_file_is_reported_under_its_name(dash):
    dash.actions.upload.value = (
        {
            "name": "plan.xlsx",
            "type": "",
            "size": 5,
            "content": memoryview(b"hello"),
            "last_modified": NOW,
        },
    )
    assert "[error]" in dash.log.text
    assert "plan.xlsx" in dash.log.text
    assert "jjjplan-upload-" not in dash.log.text  # the temp name is not shown


def test_bad_weight_cell_is_reported_with_sheet_and_cell(dash, tmp_path):
    from jjjplan.excel.read.reader import scenario_cells
    from jjjplan.excel.write.template import make_template

    path = tmp_path / "template.xlsx"
    make_template(path)
    sheet, cell = scenario_cells(path)["poles.weights.TJ"].rsplit("!", 1)
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = "abc"
    bad = tmp_path / "bad_weight.xlsx"
    wb.save(bad)
    dash.actions.load_path.value = str(bad)
    dash.actions.load_button.click()
    ref = f"'{sheet}'!{cell}" if " " in sheet else f"{sheet}!{cell}"
    assert ref in dash.log.text
    assert "'abc'" in dash.log.text
    assert "<pre" in dash.log.widget.value  # rendered inside the dashboard's log panel


def test_failed_save_is_logged(dash, tmp_path):
    (tmp_path / "taken").mkdir()
    dash.actions.save_path.value = str(tmp_path / "taken")
    dash.actions.save_button.click()
    assert "[error]" in dash.log.text
    dash.actions.save_path.value = "   "
    dash.actions.save_button.click()
    assert "enter a file path" in dash.log.text


def test_bad_startup_workbook_is_logged_not_raised(tmp_path):
    d = Dashboard(workbook=tmp_path / "missing.xlsx", workdir=tmp_path)
    assert "[error]" in d.log.text
    assert d.scenario == Scenario.baseline()


def test_comparison_add_and_export(dash, tmp_path):
    dash.actions.export_button.click()
    assert "comparison list is empty" in dash.log.text
    dash.name.input.value = "低分享 low share"
    dash.controls["reform.origin_share"].input.value = 20
    dash.actions.add_button.click()
    dash.actions.add_button.click()  # same name twice: refused
    assert "already in the comparison" in dash.log.text
    dash.name.input.value = "高投资 high investment"
    dash.controls["poles.investment"].target.value = 3
    dash.actions.add_button.click()
    assert [r.scenario.name for r in dash.comparison] == [
        "低分享 low share",
        "高投资 high investment",
    ]
    assert "高投资 high investment" in dash.actions.comparison.value
    dash.actions.export_path.value = "cmp.xlsx"
    dash.actions.export_button.click()
    out = tmp_path / "cmp.xlsx"
    assert out.is_file(), dash.log.text
    assert "exported comparison" in dash.log.text
    dash.actions.clear_button.click()
    assert dash.comparison == []


def test_empty_name_is_refused(dash):
    dash.name.input.value = "  "
    assert "name" in dash.log.text
    assert dash.scenario.name == "baseline"
    assert dash.name.input.value == "baseline"


# -- views ----------------------------------------------------------------------------------
def test_only_the_visible_chart_is_drawn(dash):
    ledger = dash.views.charts["ledger"]
    assert ledger.stale and ledger.image.value == b""
    dash.views.tabs.selected_index = 3
    assert not ledger.stale and ledger.image.value[:4] == b"\x89PNG"
    first = ledger.image.value
    dash.controls["reform.origin_share"].input.value = 10
    assert ledger.image.value != first
    assert "net_change:BJ" in dash.views.ledger_table.value
    gaps = dash.views.charts["gaps"]
    assert gaps.stale  # hidden while the ledger tab was open


def test_contributions_on_demand(dash):
    dash.controls["poles.investment"].target.value = 2
    assert dash.views.contrib_stale
    assert dash.views.charts["contrib"].image.value == b""
    dash.views.contrib_button.click()
    assert not dash.views.contrib_stale
    values = contribution_values(dash.results)
    total = dash.results.total_change().loc[2035, "theil_t"]
    assert values[-1] == pytest.approx(total)
    assert values[:-1].sum() == pytest.approx(total)
    dash.controls["poles.investment"].target.value = 1
    assert dash.views.contrib_stale  # no event loop here: waits for the tab or the button
    dash.views.tabs.selected_index = 4
    assert not dash.views.contrib_stale


def test_language_switch_relabels(dash):
    caption = dash.controls["reform.origin_share"].caption
    assert "迁出地分享比例" in caption.value and "origin's share" in unescape(caption.value)
    title = dash.views.charts["gaps"].ax.get_title()
    assert ("泰尔" in title) == bool(fonts.find_cjk_font())  # Chinese charts need a CJK font
    dash.language.value = "en"
    assert "迁出地分享比例" not in caption.value and "origin's share" in unescape(caption.value)
    assert dash.views.charts["gaps"].ax.get_title() == "Theil T and its decomposition"
    assert dash.views.tabs.titles[0] == "Gaps"
    assert "Theil T" in dash.views.key_table.value and "泰尔" not in dash.views.key_table.value
    assert dash.controls["poles.weights"].sliders["BD"].description == "Baoding (Xiong'an)"
    assert dash.actions.save_button.description == "Save scenario workbook"
    assert dash.views.charts["gaps"].image.value[:4] == b"\x89PNG"
    dash.language.value = "zh"
    assert "迁出地分享比例" in caption.value
    assert dash.controls["pathways"].boxes["reform"].description.startswith("体制改革")
    assert problems(dash.log) == ""


def test_without_a_cjk_font_charts_fall_back_to_english(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    d = Dashboard(workdir=tmp_path)
    assert d.views.charts["gaps"].ax.get_title() == "Theil T and its decomposition"
    assert "No CJK font" in d.log.text
    assert "迁出地分享比例" in d.controls["reform.origin_share"].caption.value  # HTML is fine


def test_a_cjk_font_is_found_here():
    from conftest import require_cjk_font  # skips on a machine without CJK fonts, fails in CI

    assert require_cjk_font() == fonts.find_cjk_font()


def test_every_pathway_has_a_switch(dash):
    assert set(dash.controls["pathways"].boxes) == set(PATHWAYS)


def test_chain_selector_lists_every_chain(dash):
    ids = [v for _, v in dash.controls["chains.presence"].chain.options]
    assert ids == [c.id for c in CHAINS]


def test_loaded_scenario_with_its_own_pole_list(tmp_path):
    s = Scenario.baseline()
    s = s.replace(poles=s.poles.__class__(weights={"TJ": 0.5, "LF": 0.5}))
    d = Dashboard(s, workdir=tmp_path)
    sliders = d.controls["poles.weights"].sliders
    assert list(sliders) == ["TJ", "LF"]
    sliders["LF"].value = 80
    assert d.scenario.poles.weights == pytest.approx({"TJ": 0.2, "LF": 0.8})
    assert project(d.scenario).gaps.notna().all().all()


def test_axis_limits_keep_still_for_small_moves():
    from jjjplan.dashboard.charts import new_limits

    first = new_limits((0.0, 1.0), [0.15, 0.17])
    assert first is not None and first[0] < 0.15 and first[1] > 0.17
    assert new_limits(first, [0.151, 0.169]) is None  # small move: blit, no full redraw
    assert new_limits(first, [0.15, 0.25]) is not None  # left the axes: full redraw
    lo, hi = new_limits((0.0, 0.0), [0.0, 0.0], include_zero=True)
    assert lo < hi  # all-zero data (baseline contributions) still get a usable range


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "workbooks").glob("*.xlsx"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_workbooks_load_and_respond(dash, path):
    from jjjplan.excel.read.reader import read_workbook

    dash.actions.load_path.value = str(path)
    dash.actions.load_button.click()
    assert dash.scenario == read_workbook(path), dash.log.text
    dash.controls["reform.origin_share"].input.value = 25
    dash.controls["poles.weights"].sliders["TJ"].value = 35
    assert sum(dash.scenario.poles.weights.values()) == pytest.approx(1.0, abs=1e-9)
    assert "[error]" not in dash.log.text
