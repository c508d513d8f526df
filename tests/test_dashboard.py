"""Widget-level tests of the dashboard: set ``.value``, call ``.click()``, check the model.

No browser and no kernel: ipywidgets run their observers synchronously in plain Python, so
each assertion is about the resulting Scenario, Results or log panel text.
"""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jjjplan import Scenario, project
from jjjplan.chains import CHAINS
from jjjplan.dashboard import Dashboard, rebalance
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
    code = (
        "import sys\n"
        "import jjjplan.dashboard, jjjplan.dashboard.serve\n"
        "assert 'ipywidgets' not in sys.modules and 'plotly' not in sys.modules\n"
        "import jjjplan.dashboard.app\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def problems(log) -> str:
    """The log without notices."""
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

    def broken(scenario, data=None):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(app, "project", broken)
    before = dash.scenario
    dash.controls["reform.share_years"].input.value = 7
    assert "RuntimeError: model exploded" in dash.log.text
    assert dash.scenario == before
    assert dash.controls["reform.share_years"].input.value == before.reform.share_years
    assert "traceback" in dash.log.widget.value


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
    assert dash.actions.save_name.value == "协同方案 A-2"  # a new name is proposed
    dash.actions.save_path.value = "saved.xlsx"  # relative: resolved against workdir
    dash.actions.save_button.click()
    path = tmp_path / "saved.xlsx"
    assert path.is_file(), dash.log.text
    assert dash.scenario.name == "协同方案 A-2"  # the dashboard now shows the saved scenario
    assert read_workbook(path) == dash.scenario

    other = Dashboard(workdir=tmp_path)
    other.actions.load_path.value = str(path)
    other.actions.load_button.click()
    assert other.scenario == dash.scenario, other.log.text
    assert other.controls["reform.origin_share"].input.value == pytest.approx(33)
    assert other.name.input.value == "协同方案 A-2"
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
    (tmp_path / "taken.xlsx").mkdir()
    dash.actions.save_path.value = str(tmp_path / "taken.xlsx")
    dash.actions.save_button.click()
    assert "not a regular file" in dash.log.text
    dash.actions.save_path.value = str(tmp_path / "plan.csv")
    dash.actions.save_button.click()
    assert "must end in .xlsx" in dash.log.text
    assert not (tmp_path / "plan.csv").exists()
    dash.actions.save_path.value = "   "
    dash.actions.save_button.click()
    assert "enter a file path" in dash.log.text


def test_bad_startup_workbook_is_shown_at_the_top(tmp_path):
    d = Dashboard(workbook=tmp_path / "missing.xlsx", workdir=tmp_path)
    assert "[error]" in d.log.text
    assert d.scenario == Scenario.baseline()
    # not silent: the top of the page says the load failed and what is still shown
    assert d.banner.layout.display != "none"
    assert "missing.xlsx" in d.banner.value and "baseline" in d.banner.value
    assert "could not be loaded" in d.banner.value and "未能读取" in d.banner.value
    children = d.widget.children
    assert children.index(d.banner) < children.index(d.actions.widget)


def test_failed_load_keeps_the_shown_scenario_and_a_good_load_clears_the_banner(dash, tmp_path):
    from jjjplan.excel.write.template import make_template

    dash.controls["reform.origin_share"].input.value = 30
    shown = dash.scenario
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    dash.actions.load_path.value = str(bad)
    dash.actions.load_button.click()
    assert dash.scenario == shown  # never silently replaced by the baseline
    assert "broken.xlsx" in dash.banner.value
    good = tmp_path / "good.xlsx"
    make_template(good, Scenario.baseline().replace(name="good one"))
    dash.actions.load_path.value = str(good)
    dash.actions.load_button.click()
    assert dash.banner.layout.display == "none"
    assert "good one" in dash.status.value and "good.xlsx" in dash.status.value


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
def test_only_the_visible_chart_is_sent(dash):
    ledger = dash.views.charts["ledger"]
    assert ledger.stale and ledger.fig.data[0].y is None
    dash.views.tabs.selected_index = 3
    assert not ledger.stale
    first = np.array(ledger.fig.data[0].y)
    assert first[0] > 0  # Beijing receives shared taxes under the baseline
    dash.controls["reform.origin_share"].input.value = 10
    assert np.array(ledger.fig.data[0].y)[0] < first[0]
    assert "net_change:BJ" in dash.views.ledger_table.value
    gaps = dash.views.charts["gaps"]
    assert gaps.stale  # hidden while the ledger tab was open


def test_gap_chart_shows_the_model_values(dash):
    dash.controls["poles.investment"].target.value = 3
    fig = dash.views.charts["gaps"].fig
    np.testing.assert_allclose(fig.data[0].y, dash.results.gaps["theil_t"].to_numpy())
    np.testing.assert_allclose(fig.data[1].y, dash.baseline_results.gaps["theil_t"].to_numpy())
    assert list(fig.data[0].x) == [int(y) for y in dash.results.years]
    assert fig.data[1].line.dash == "dash"
    assert "%{y:.4f}" in fig.data[0].hovertemplate  # hover values
    config = dash.views.charts["gaps"].fig._config
    assert config["toImageButtonOptions"]["format"] == "png"  # PNG export in the toolbar


def test_contributions_on_demand(dash):
    dash.controls["poles.investment"].target.value = 2
    assert dash.views.contrib_stale
    assert dash.views.charts["contrib"].fig.data[0].y is None
    dash.views.contrib_button.click()
    assert not dash.views.contrib_stale
    values = contribution_values(dash.results)
    np.testing.assert_allclose(dash.views.charts["contrib"].fig.data[0].y, values)
    total = dash.results.total_change().loc[2035, "theil_t"]
    assert values[-1] == pytest.approx(total)
    assert values[:-1].sum() == pytest.approx(total)
    dash.controls["poles.investment"].target.value = 1
    assert dash.views.contrib_stale  # no event loop here: waits for the tab or the button
    dash.views.tabs.selected_index = 4
    assert not dash.views.contrib_stale


def test_language_modes(dash):
    caption = dash.controls["reform.origin_share"].caption
    gaps = dash.views.charts["gaps"]
    # default: bilingual, Chinese first
    assert dash.lang == "both"
    assert "迁出地分享比例" in caption.value and "origin's share" in unescape(caption.value)
    assert gaps.title.startswith("泰尔指数T") and "Theil T" in gaps.title
    assert "京津冀" in dash.header.value and "Beijing" in dash.header.value
    assert "JJJPLAN_WORKBOOK" not in dash.header.value  # planner-facing, no developer text

    dash.language.value = "en"
    assert "迁出地分享比例" not in caption.value and "origin's share" in unescape(caption.value)
    assert gaps.title == "Theil T and its decomposition"
    assert dash.views.tabs.titles[0] == "Gaps"
    assert "Theil T" in dash.views.key_table.value and "泰尔" not in dash.views.key_table.value
    poles = dash.controls["poles.weights"]
    assert "Baoding (Xiong&#x27;an)" in poles.labels["BD"].value  # own line, never cut
    assert poles.sliders["BD"].tooltip == "Baoding (Xiong'an)"
    assert dash.actions.save_button.description == "Save as scenario workbook"
    assert "京津冀" not in dash.header.value

    dash.language.value = "zh"
    assert "迁出地分享比例" in caption.value and "origin's share" not in unescape(caption.value)
    assert gaps.title == "泰尔指数T及其分解"
    assert dash.views.tabs.titles[0] == "区域差距"
    assert "Theil" not in dash.views.key_table.value
    assert dash.controls["pathways"].boxes["reform"].description == "体制改革"
    assert "Beijing" not in dash.header.value and "京津冀" in dash.header.value
    assert dash.views.charts["percap"].fig.data[0].name == "情景"
    assert dash.log.text == ""
    with pytest.raises(ValueError, match="lang must be one of"):
        dash.set_language("fr")


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


# -- dashboard v2: status line, poles, save as, confirmation, comparison ---------------------
def _shown_total(d: Dashboard) -> float:
    import re

    return float(re.search(r"jjj-total-shown'>([\d.]+)%", d.status.value).group(1))


def test_status_shows_the_scenario_and_the_weight_total(dash):
    assert "baseline" in dash.status.value
    assert _shown_total(dash) == pytest.approx(100.0)
    dash.name.input.value = "方案 B"
    assert "方案 B" in dash.status.value
    dash.controls["poles.weights"].sliders["TJ"].value = 45.5
    assert _shown_total(dash) == pytest.approx(100.0)
    assert "100.0%" in dash.controls["poles.weights"].total.value


def test_every_unit_can_be_a_pole(dash):
    from jjjplan.baseline import unit_codes

    poles = dash.controls["poles.weights"]
    offered = {code for _, code in poles.new_pole.options}
    assert offered | set(poles.sliders) == set(unit_codes())  # Tianjin and all 11 Hebei cities
    for code in sorted(offered):
        poles.add_pole(code)
        poles.sliders[code].value = 5
        assert dash.scenario.poles.weights[code] == pytest.approx(0.05), dash.log.text
        assert sum(dash.scenario.poles.weights.values()) == pytest.approx(1.0, abs=1e-9)
    assert list(dash.scenario.poles.weights)[: len(POLES)] == list(POLES)  # order kept
    assert poles.add_button.disabled and dash.log.text == ""
    project(dash.scenario)  # the model accepts all of them


def test_removing_a_pole_gives_its_weight_to_the_unlocked_others(dash):
    poles = dash.controls["poles.weights"]
    poles.locks["TJ"].value = True
    poles.remove_pole("HD")
    w = dash.scenario.poles.weights
    assert "HD" not in w and "HD" not in poles.sliders
    assert w["TJ"] == pytest.approx(0.3)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-9)
    assert "HD" in {code for _, code in poles.new_pole.options}
    for code in ("BJ", "SJZ", "BD", "TS"):
        poles.locks[code].value = True
    poles.removers["TJ"].click()  # every other pole locked: refused, nothing changes
    assert "unlock one" in dash.log.text
    assert "TJ" in dash.scenario.poles.weights


pole_moves = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from((*POLES, "ZJK", "LF")), st.floats(0, 100)),
        st.tuples(st.just("lock"), st.sampled_from((*POLES, "ZJK", "LF")), st.booleans()),
        st.tuples(st.just("add"), st.sampled_from(("ZJK", "LF", "HS")), st.just(0)),
        st.tuples(st.just("remove"), st.sampled_from((*POLES, "ZJK", "LF")), st.just(0)),
    ),
    max_size=20,
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(moves=pole_moves)
def test_weights_stay_at_100_under_moves_locks_adds_and_removes(moves):
    control = PoleWeights(REF_POLE_WEIGHTS, "both")
    for kind, pole, value in moves:
        if pole not in control.sliders and kind != "add":
            continue
        before = dict(control.weights)
        locked_before = {k: before[k] for k in control.locked if k != pole}
        if kind == "move":
            control.sliders[pole].value = value
        elif kind == "lock":
            control.locks[pole].value = value
        elif kind == "add":
            control.add_pole(pole)
        else:
            try:
                control.remove_pole(pole)
            except ValueError:
                assert control.weights == before
        w = control.weights
        assert sum(w.values()) == pytest.approx(1.0, abs=1e-9)
        assert all(round(v * 1000, 6).is_integer() for v in w.values())  # 0.1-point grid
        for k, v in locked_before.items():
            assert w[k] == v  # locked poles never move
        shown = sum(s.value for s in control.sliders.values())
        assert shown == pytest.approx(100.0, abs=1e-6)


def test_save_as_rounds_weights_and_keeps_pole_order(dash, tmp_path):
    from jjjplan.excel.read.reader import read_workbook

    s = dash.scenario
    odd = {"HD": 0.0932727272729, "TJ": 0.3, "BJ": 0.1067272727271, "BD": 0.5}
    dash.set_scenario(s.replace(poles=s.poles.__class__(weights=odd), name="plan"))
    out = dash.save_workbook(tmp_path / "plan-2.xlsx")
    saved = read_workbook(out)
    assert list(saved.poles.weights) == ["HD", "TJ", "BJ", "BD"]
    assert saved.poles.weights == {"HD": 0.093, "TJ": 0.3, "BJ": 0.107, "BD": 0.5}
    assert saved.name == "plan-2" and dash.scenario == saved


def test_save_never_replaces_without_asking(dash, tmp_path):
    from jjjplan.excel.read.reader import read_workbook

    first = dash.save_workbook(tmp_path / "mine.xlsx", name="mine")
    original = first.read_bytes()
    dash.controls["reform.origin_share"].input.value = 25
    dash.actions.save_path.value = str(first)
    dash.actions.save_button.click()
    assert dash.actions.asking  # the confirmation bar is up; nothing written yet
    assert "mine.xlsx" in dash.actions.question.value
    assert first.read_bytes() == original
    dash.actions.cancel_button.click()
    assert not dash.actions.asking and first.read_bytes() == original
    assert "cancelled" in dash.log.text
    dash.actions.save_button.click()
    dash.actions.replace_button.click()
    assert read_workbook(first).reform.origin_share == pytest.approx(0.25)
    from jjjplan.dashboard.output_policy import ConfirmReplace

    with pytest.raises(ConfirmReplace):
        dash.save_workbook(first)


def test_save_refuses_inputs_and_workbooks_with_extra_sheets(dash, tmp_path):
    from jjjplan.excel.write.template import make_template

    loaded = tmp_path / "loaded.xlsx"
    make_template(loaded, Scenario.baseline().replace(name="loaded"))
    dash.load_workbook(loaded)
    before = loaded.read_bytes()
    dash.actions.save_path.value = str(loaded)
    dash.actions.save_button.click()
    assert "loaded as input" in dash.log.text and not dash.actions.asking
    assert loaded.read_bytes() == before

    extra = tmp_path / "with_notes.xlsx"
    make_template(extra)
    wb = openpyxl.load_workbook(extra)
    wb.create_sheet("我的备注 Notes")["A1"] = "planner's own notes"
    wb.save(extra)
    before = extra.read_bytes()
    dash.actions.save_path.value = str(extra)
    dash.actions.save_button.click()
    assert "我的备注 Notes" in dash.log.text and not dash.actions.asking
    assert extra.read_bytes() == before


def test_export_never_targets_inputs_or_scenario_workbooks(dash, tmp_path):
    from jjjplan.excel.write.template import make_template

    dash.add_to_comparison()
    other = tmp_path / "other-scenario.xlsx"
    make_template(other)
    before = other.read_bytes()
    dash.actions.export_path.value = str(other)
    dash.actions.export_button.click()
    assert "is a scenario workbook" in dash.log.text and not dash.actions.asking
    assert other.read_bytes() == before

    out = tmp_path / "cmp.xlsx"
    dash.export_comparison(out)
    first = out.read_bytes()
    dash.actions.export_path.value = str(out)
    dash.actions.export_button.click()
    assert dash.actions.asking and out.read_bytes() == first
    dash.actions.replace_button.click()
    assert not dash.actions.asking and "exported comparison" in dash.log.text

    notes = tmp_path / "notes.xlsx"
    notes.write_text("not a workbook")
    dash.actions.export_path.value = str(notes)
    dash.actions.export_button.click()
    assert "not a readable workbook" in dash.log.text
    assert notes.read_text() == "not a workbook"


def test_saved_scenario_joins_the_comparison_beside_the_loaded_one(dash, tmp_path):
    from jjjplan.excel.write.template import make_template

    src = tmp_path / "05.xlsx"
    make_template(src, Scenario.baseline().replace(name="coordinated"))
    dash.load_workbook(src)
    dash.add_to_comparison()
    dash.controls["poles.investment"].target.value = 2.5
    dash.actions.save_button.click()  # proposed name and a free file beside the input
    assert dash.scenario.name == "coordinated-2", dash.log.text
    assert (tmp_path / "coordinated-2.xlsx").is_file()
    dash.add_to_comparison()  # no duplicate-name refusal
    assert [r.scenario.name for r in dash.comparison] == ["coordinated", "coordinated-2"]
    assert dash.actions.save_name.value == "coordinated-3"
    # side by side: a column per scenario, and a Theil T line per scenario
    table = dash.views.compare_table.value
    assert "coordinated-2" in table and "theil_t:2" in table
    dash.views.tabs.selected_index = 5
    names = [t.name for t in dash.views.charts["compare"].fig.data]
    assert names[1:] == ["coordinated", "coordinated-2"]
    np.testing.assert_allclose(
        dash.views.charts["compare"].fig.data[2].y, dash.comparison[1].gaps["theil_t"]
    )
    assert "[error]" not in dash.log.text


def test_naming_helpers():
    from jjjplan.dashboard.naming import file_name, propose_name, round_weights

    assert propose_name("plan") == "plan-2"
    assert propose_name("plan-2", {"plan-3"}) == "plan-4"
    assert file_name("a/b:c 方案?") == "a_b_c 方案_.xlsx"
    w = round_weights({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3})
    assert list(w) == ["A", "B", "C"] and sum(w.values()) == pytest.approx(1.0, abs=1e-12)
    assert sorted(w.values()) == [0.333, 0.333, 0.334]
    assert round_weights({"A": 0.5, "B": 0.2501, "C": 0.2499}, keep={"A"}) == {
        "A": 0.5,
        "B": 0.25,
        "C": 0.25,
    }


# -- uncertainty draws: key figures first, then lines and bands in one chart message -----
def test_with_draws_one_release_sends_lines_and_bands_in_one_chart_message(dash):
    """In an event loop (as in Voilà) the key figures leave before the draws are projected,
    then ONE message carries the chart's new lines and bands (one redraw in the page)."""
    import asyncio

    from jjjplan.uncertainty.dashboard import dashboard_bands_and_probability

    dash.uncertainty.draws.value = 100
    gaps = dash.views.charts["gaps"]
    old_table = dash.views.key_table.value
    messages, table_at_compute = [], []
    for name in ("_send_update_msg", "_send_animate_msg"):
        sender = getattr(gaps.fig, name)

        def counted(*args, _sender=sender, _name=name, **kw):
            messages.append((_name, len(args[0]) if args and args[0] else 0))
            return _sender(*args, **kw)

        setattr(gaps.fig, name, counted)
    compute = dash.uncertainty.compute

    def compute_and_note(*args, **kw):
        table_at_compute.append(dash.views.key_table.value)
        return compute(*args, **kw)

    dash.uncertainty.compute = compute_and_note

    async def release() -> None:
        dash.controls["reform.origin_share"].input.value = 15

    asyncio.run(release())
    assert table_at_compute and table_at_compute[0] != old_table  # key figures went first
    assert table_at_compute[0] == dash.views.key_table.value
    assert len(messages) == 1  # lines and bands: one message
    lines = np.array(gaps.fig.data[0].y, dtype=float)
    assert lines == pytest.approx(dash.results.gaps["theil_t"].to_numpy())
    s = dash.scenario
    expected, _ = dashboard_bands_and_probability(
        s, dash._baseline_scenario(s), 100, 0, data=dash.data
    )
    band = dash.views.bands["theil_t"]
    assert band.loc[2035, 0.95] == pytest.approx(expected["theil_t"].loc[2035, 0.95])
    lower_90, upper_90 = gaps.fig.data[gaps.band_start], gaps.fig.data[gaps.band_start + 1]
    assert lower_90.y[-1] == pytest.approx(band.loc[2035, 0.05])  # drawn on the chart
    assert upper_90.y[-1] == pytest.approx(band.loc[2035, 0.95])
    assert "%" in dash.uncertainty.readout.value  # P(better) with the bands
    assert problems(dash.log) == ""
