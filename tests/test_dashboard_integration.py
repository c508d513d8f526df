"""Widget-level tests of the dashboard's links to the newer engines: uncertainty bands and
the probability readout, data vintages, the policy start year and baseline-data workbooks.

Like tests/test_dashboard.py: no browser, no kernel; set ``.value`` / ``.click()`` and check
the scenario, the chart traces, the status line and the log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from jjjplan import baseline, project
from jjjplan.dashboard import Dashboard
from jjjplan.dashboard.charts import BANDS
from jjjplan.dashboard.views import TABS
from jjjplan.excel import data_layout as D
from jjjplan.excel.write.data_template import make_data_template
from jjjplan.uncertainty import dashboard_bands, dashboard_probability


@pytest.fixture
def dash(tmp_path, monkeypatch) -> Dashboard:
    monkeypatch.delenv("JJJPLAN_DATA", raising=False)
    monkeypatch.delenv("JJJPLAN_DATA_VINTAGE", raising=False)
    return Dashboard(workdir=tmp_path)


def _band_y(fig, start: int) -> list[np.ndarray]:
    return [np.asarray(fig.data[start + k].y, dtype=float) for k in range(2 * len(BANDS))]


# -- uncertainty bands -------------------------------------------------------------------------
def test_bands_are_off_by_default_and_show_the_ensemble_quantiles(dash):
    gaps = dash.views.charts["gaps"]
    assert all(len(y) == 0 for y in _band_y(gaps.fig, gaps.band_start))
    assert dash.uncertainty.readout.value == ""

    dash.controls["reform.origin_share"].input.value = 40
    dash.uncertainty.draws.value = 100
    assert dash.log.text == ""
    expected = dashboard_bands(dash.scenario, 100, 0)["theil_t"]
    lo90, hi90, lo50, hi50 = _band_y(gaps.fig, gaps.band_start)
    np.testing.assert_allclose(lo90, expected[0.05].to_numpy())
    np.testing.assert_allclose(hi90, expected[0.95].to_numpy())
    np.testing.assert_allclose(lo50, expected[0.25].to_numpy())
    np.testing.assert_allclose(hi50, expected[0.75].to_numpy())
    assert np.all(lo90 <= lo50) and np.all(lo50 <= hi50) and np.all(hi50 <= hi90)
    assert gaps.fig.data[gaps.band_start + 1].fill == "tonexty"


def test_ratio_chart_shades_the_beijing_hebei_band(dash):
    dash.uncertainty.draws.value = 100
    dash.views.tabs.selected_index = TABS.index("ratios")
    ratios = dash.views.charts["ratios"]
    expected = dashboard_bands(dash.scenario, 100, 0)["bj_he_ratio"]
    lo90, hi90, *_ = _band_y(ratios.fig, ratios.band_start)
    np.testing.assert_allclose(lo90, expected[0.05].to_numpy())
    np.testing.assert_allclose(hi90, expected[0.95].to_numpy())


def test_a_lever_release_updates_bands_and_probability(dash):
    dash.uncertainty.draws.value = 100
    gaps = dash.views.charts["gaps"]
    before = _band_y(gaps.fig, gaps.band_start)[1].copy()
    p_same = dash.uncertainty.probability
    # the baseline against itself: every draw ties, so the readout says 50%
    assert p_same is not None and p_same["theil_t"].iloc[-1] == pytest.approx(0.5)

    dash.controls["reform.origin_share"].input.value = 60
    after = _band_y(gaps.fig, gaps.band_start)[1]
    assert not np.allclose(before, after)
    p = dashboard_probability(dash.scenario, dash._baseline_scenario(dash.scenario), 100, 0)
    assert dash.uncertainty.probability["theil_t"].iloc[-1] == p["theil_t"].iloc[-1]
    text = unescape(dash.uncertainty.readout.value)
    assert "P(优于基准)" in text and "P(better than baseline)" in text
    assert f"{p['theil_t'].iloc[-1]:.0%}" in text


def test_turning_draws_off_clears_the_bands(dash):
    dash.uncertainty.draws.value = 100
    dash.uncertainty.draws.value = 0
    gaps = dash.views.charts["gaps"]
    assert all(len(y) == 0 for y in _band_y(gaps.fig, gaps.band_start))
    assert dash.uncertainty.readout.value == ""


def test_language_switch_keeps_draws_and_relabels_bands(dash):
    dash.uncertainty.draws.value = 100
    runs = []
    dash.uncertainty.compute = lambda *a, **k: runs.append(1)  # a relabel must not re-run
    dash.set_language("en")
    assert dash.uncertainty.draws.value == 100 and runs == []
    gaps = dash.views.charts["gaps"]
    assert gaps.fig.data[gaps.band_start + 1].name == "5–95% band"
    assert "P(better than baseline)" in dash.uncertainty.readout.value
    assert "优于" not in dash.uncertainty.readout.value


# -- vintage, policy start year, status line ----------------------------------------------------
def test_status_line_names_vintage_base_year_and_policy_start(dash):
    status = unescape(dash.status.value)
    v = baseline.VINTAGES[baseline.DEFAULT_VINTAGE]
    assert baseline.DEFAULT_VINTAGE in status and str(v.base_year) in status
    assert "2026" in status and "政策起始年" in status


def test_vintage_dropdown_projects_on_that_vintage(dash):
    other = next(v for v in baseline.VINTAGES if v != baseline.DEFAULT_VINTAGE)
    dash.controls["data_vintage"].input.value = other
    assert dash.log.text == ""
    assert dash.scenario.data_vintage == other
    assert dash.results.projection.vintage == other
    assert dash.baseline_results.projection.vintage == other
    assert dash.results.base_year == baseline.VINTAGES[other].base_year
    assert f">{baseline.VINTAGES[other].base_year}<" in dash.status.value
    expected = project(dash.scenario).gaps["theil_t"].to_numpy()
    np.testing.assert_array_equal(dash.results.gaps["theil_t"].to_numpy(), expected)


def test_policy_start_year_slider_reaches_the_scenario(dash):
    dash.controls["poles.investment"].target.value = 2.0
    early = dash.results.gaps["theil_t"].to_numpy()
    dash.controls["policy_start_year"].input.value = 2030
    assert dash.scenario.policy_start_year == 2030
    assert ">2030<" in dash.status.value
    late = dash.results.gaps["theil_t"].to_numpy()
    np.testing.assert_array_equal(late, project(dash.scenario).gaps["theil_t"].to_numpy())
    assert not np.allclose(early, late)


def test_environment_sets_vintage_at_start(tmp_path, monkeypatch):
    other = next(v for v in baseline.VINTAGES if v != baseline.DEFAULT_VINTAGE)
    monkeypatch.setenv("JJJPLAN_DATA_VINTAGE", other)
    monkeypatch.delenv("JJJPLAN_DATA", raising=False)
    d = Dashboard(workdir=tmp_path)
    assert d.scenario.data_vintage == other
    assert d.controls["data_vintage"].input.value == other
    assert d.results.projection.vintage == other


# -- baseline-data workbook ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def data_template(tmp_path_factory) -> Path:
    return make_data_template(tmp_path_factory.mktemp("data") / "data.xlsx")


def _edited(src: Path, dst: Path, region: str, year: int, series: str, value) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb[D.DATA]
    table = ws.tables[D.DATA_TABLE.name]
    top = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit()))
    col = {c.key: i + 1 for i, c in enumerate(D.DATA_TABLE.columns)}
    for r in range(top + 1, ws.max_row + 1):
        key = tuple(ws.cell(r, col[k]).value for k in ("region", "year", "series"))
        if key == (region, year, series):
            ws.cell(r, col["value"]).value = value
            break
    else:
        raise LookupError((region, year, series))
    wb.save(dst)
    return dst


def test_loading_a_data_workbook_projects_with_it(dash, data_template, tmp_path):
    bj_gdp = float(baseline.dataset().gdp_current[-1, baseline.unit_codes().index("BJ")])
    mine = _edited(data_template, tmp_path / "mine.xlsx", "BJ", 2024, "gdp_current", bj_gdp * 1.1)
    dash.data_panel.path.value = "mine.xlsx"  # relative to the workdir
    dash.data_panel.load_button.click()
    assert dash.log.text.count("baseline data") >= 1 and "Traceback" not in dash.log.text
    assert dash.banner.layout.display == "none"
    assert dash.data is not None and dash.data_source == str(mine)
    expected = project(dash.scenario, data=mine).gaps["theil_t"].to_numpy()
    np.testing.assert_allclose(dash.results.gaps["theil_t"].to_numpy(), expected)
    bundled = project(dash.scenario).gaps["theil_t"].to_numpy()
    assert not np.allclose(dash.results.gaps["theil_t"].to_numpy(), bundled)
    assert "mine.xlsx" in dash.status.value
    assert mine in dash.inputs  # never replaced by a save or export

    dash.data_panel.reset_button.click()
    assert dash.data is None
    np.testing.assert_allclose(dash.results.gaps["theil_t"].to_numpy(), bundled)


def test_a_bad_data_workbook_is_shown_at_the_top_with_sheet_and_cell(dash, data_template, tmp_path):
    bad = _edited(data_template, tmp_path / "bad.xlsx", "TJ", 2024, "population", "很多")
    before = dash.results.gaps["theil_t"].to_numpy()
    dash._load_data(lambda: dash.load_data(bad))
    banner = unescape(dash.banner.value)
    assert dash.banner.layout.display == "block"
    assert "基期数据" in banner and "bad.xlsx" in banner and "!" in banner
    assert dash.data is None
    np.testing.assert_array_equal(dash.results.gaps["theil_t"].to_numpy(), before)


def test_an_uploaded_bad_data_file_is_reported_under_its_name(dash, data_template, tmp_path):
    bad = _edited(data_template, tmp_path / "x.xlsx", "TJ", 2024, "population", -5)
    dash.data_panel.upload.value = (
        {
            "name": "规划数据.xlsx",
            "type": "",
            "size": bad.stat().st_size,
            "content": memoryview(bad.read_bytes()),
            "last_modified": datetime.now(UTC),
        },
    )
    banner = unescape(dash.banner.value)
    assert "规划数据.xlsx" in banner and "jjjplan-data-" not in banner
    assert dash.data is None and dash.data_panel.upload.value == ()


def test_environment_data_file_is_loaded_at_start(data_template, tmp_path, monkeypatch):
    monkeypatch.setenv("JJJPLAN_DATA", str(data_template))
    monkeypatch.delenv("JJJPLAN_DATA_VINTAGE", raising=False)
    d = Dashboard(workdir=tmp_path)
    assert d.data is not None and d.data_source == str(data_template)
    assert "data.xlsx" in d.status.value and d.log.text.count("Traceback") == 0


# -- map tab -----------------------------------------------------------------------------------
def test_map_tab_colours_units_by_per_capita_gdp_and_change(dash):
    from jjjplan.maps import map_values, unit_collection

    dash.controls["poles.investment"].target.value = 2.0
    dash.views.tabs.selected_index = TABS.index("map")
    trace = dash.views.charts["map"]  # the values it sent; the figure draws shapes on plain axes
    assert dash.log.text == ""
    assert set(trace.locations) == {f["id"] for f in unit_collection()["features"]}
    fig = trace.fig
    assert not fig.layout.geo.to_plotly_json()  # no geo subplot: plotly would fetch a CDN map
    np.testing.assert_allclose(fig.data[0].marker.color, trace.z)  # colour bar = the values
    expected = map_values(dash.results, "per_capita", 2035)
    np.testing.assert_allclose(trace.z, [expected[u] for u in trace.locations])

    dash.views.map_measure.value = "change"
    change = map_values(dash.results, "change", 2035, dash.baseline_results)
    np.testing.assert_allclose(trace.z, [change[u] for u in trace.locations])
    assert trace.zmid == 0.0
    assert "较基准" in unescape(dash.views.charts["map"].title)

    dash.set_language("en")  # keeps the chosen measure
    assert dash.views.map_measure.value == "change"
    assert "vs baseline" in dash.views.charts["map"].title


def test_map_is_redrawn_after_a_lever_release_only_when_visible(dash):
    dash.views.tabs.selected_index = TABS.index("map")
    trace = dash.views.charts["map"]
    before = np.asarray(trace.z, dtype=float).copy()
    dash.controls["poles.investment"].target.value = 2.5
    assert not np.allclose(before, trace.z)
    dash.views.tabs.selected_index = TABS.index("gaps")
    shown = np.asarray(trace.z, dtype=float).copy()
    dash.controls["poles.investment"].target.value = 0.5
    np.testing.assert_array_equal(shown, trace.z)  # hidden: not sent
    assert dash.views.charts["map"].stale


# -- goal seek and scenario codes ---------------------------------------------------------------
def test_seek_with_a_met_target_shows_the_message_and_keeps_levers(dash):
    sp = dash.seek_panel
    sp.indicator.value, sp.year.value, sp.op.value = "bj_he_ratio", 2035, "<="
    sp.value.value = 3.6  # current policy already meets it
    before = dash.scenario.reform
    sp.button.click()
    assert "Traceback" not in dash.log.text and "[error]" not in dash.log.text
    found = dash.last_seek
    assert found is not None and found.met
    assert unescape(sp.message.value).count(found.message) == 1
    assert dash.scenario == found.scenario and dash.scenario.reform == before


@pytest.mark.slow
def test_seek_applies_the_found_levers_to_the_sliders(dash):
    sp = dash.seek_panel
    sp.indicator.value, sp.year.value, sp.op.value = "bj_he_ratio", 2035, "<="
    sp.value.value = 3.38
    sp.button.click()
    found = dash.last_seek
    assert found.met and dash.scenario == found.scenario
    assert dash.results.ratios["bj_he_ratio"].loc[2035] <= 3.38 + 1e-9
    c = dash.controls["poles.relocation"]
    assert c.apply(dash.scenario) == dash.scenario  # the sliders show the found levers


def test_scenario_code_round_trips_through_the_paste_box(dash):
    from jjjplan.codes import decode

    dash.controls["reform.origin_share"].input.value = 35
    code = dash.seek_panel.code.value
    assert code.startswith("JJJ1-")
    assert decode(code).reform.origin_share == pytest.approx(0.35)
    dash.controls["reform.origin_share"].input.value = 80
    assert dash.seek_panel.code.value != code  # follows every change
    dash.seek_panel.paste.value = code
    dash.seek_panel.load_button.click()
    assert dash.banner.layout.display == "none"
    assert dash.scenario.reform.origin_share == pytest.approx(0.35)
    assert dash.controls["reform.origin_share"].input.value == pytest.approx(35)


def test_a_code_with_a_bad_checksum_is_refused_at_the_top(dash):
    dash.controls["reform.origin_share"].input.value = 35
    code = dash.seek_panel.code.value
    before = dash.scenario
    dash.seek_panel.paste.value = code[:-2] + ("ZZ" if not code.endswith("ZZ") else "YY")
    dash.seek_panel.load_button.click()
    banner = unescape(dash.banner.value)
    assert dash.banner.layout.display == "block"
    assert "校验和" in banner and "checksum" in banner and "Traceback" not in banner
    assert dash.scenario == before
