"""The dashboard's goal seek in the background and the scenario's targets table.

Background seeks need a running event loop, as in Jupyter and Voilà: each test runs one with
``asyncio.run`` and awaits :attr:`SeekRunner.done`. Seeks here search two levers so they
finish in about a second; nothing is stubbed except where a test says why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from html import unescape

import numpy as np
import pytest

from jjjplan import Scenario, baseline, project
from jjjplan.dashboard import Dashboard
from jjjplan.dashboard.targets_panel import target_table
from jjjplan.excel.write.target_check import target_check
from jjjplan.targets import parse_target

TWO_LEVERS = ("poles.investment", "poles.relocation")


@pytest.fixture
def dash(tmp_path, monkeypatch) -> Dashboard:
    monkeypatch.delenv("JJJPLAN_DATA", raising=False)
    monkeypatch.delenv("JJJPLAN_DATA_VINTAGE", raising=False)
    return Dashboard(workdir=tmp_path)


def _ask(dash: Dashboard, value: float, free=TWO_LEVERS) -> None:
    sp = dash.seek_panel
    sp.indicator.value, sp.year.value, sp.op.value = "bj_he_ratio", 2035, "<="
    sp.value.value = value
    sp.free.value = tuple(free)


def _message(dash: Dashboard) -> str:
    return unescape(dash.seek_panel.message.value)


def _ratio_2035(s: Scenario, data=None) -> float:
    return float(project(s, data=data).ratios.loc[2035, "bj_he_ratio"])


# -- background seek ---------------------------------------------------------------------------
def test_background_seek_is_busy_then_puts_the_found_levers_on_the_sliders(dash):
    _ask(dash, 3.2)
    sp, before = dash.seek_panel, dash.scenario

    async def run():
        sp.button.click()  # returns at once: the search runs on a worker thread
        busy = (
            dash.seek_runner.running,
            sp.button.disabled,
            sp.cancel_button.layout.display != "none" and not sp.cancel_button.disabled,
            sp.indicator.disabled,
            dash.scenario == before,  # nothing applied yet
        )
        return busy, await asyncio.wait_for(dash.seek_runner.done, 120)

    busy, found = asyncio.run(run())
    assert busy == (True, True, True, True, True)
    assert found is not None and found.met and dash.last_seek is found
    assert dash.scenario == found.scenario != before
    assert _ratio_2035(dash.scenario) <= 3.2
    for path in ("poles.investment", "poles.relocation"):
        control = dash.controls[path]
        assert control.apply(dash.scenario) == dash.scenario  # the sliders hold the found levers
    relocation = dash.controls["poles.relocation"]
    assert relocation.apply(before) != before  # ... which differ from the starting ones
    assert not dash.seek_runner.running and not sp.button.disabled
    assert sp.cancel_button.layout.display == "none" and not sp.indicator.disabled
    assert found.message in _message(dash)
    assert "Traceback" not in dash.log.text and "[error]" not in dash.log.text


def test_cancel_stops_promptly_and_leaves_the_sliders_unchanged(dash):
    _ask(dash, 2.5, free=dash.seek_panel.free.value)  # every lever: a long search
    before = dash.scenario
    sliders = [c.apply(before) for c in dash.controls.values()]  # what the sliders say

    async def run():
        dash.seek_panel.button.click()
        while dash.seek_runner.progress is None:  # wait for the first progress readout
            await asyncio.sleep(0.02)
        shown = _message(dash)
        t0 = time.perf_counter()
        dash.seek_panel.cancel_button.click()
        result = await asyncio.wait_for(dash.seek_runner.done, 60)
        return shown, result, time.perf_counter() - t0

    shown, result, waited = asyncio.run(run())
    assert "batch 1" in shown and "best margin so far" in shown and "批" in shown
    assert result is None and dash.last_seek is None
    assert waited < 10  # stops at the next batch, not at the end of the search
    assert "已取消 cancelled" in _message(dash)
    assert dash.scenario == before
    assert [c.apply(before) for c in dash.controls.values()] == sliders
    assert not dash.seek_runner.running and not dash.seek_panel.button.disabled


def test_an_error_in_the_background_is_shown_in_the_panel(dash, monkeypatch):
    # the search is replaced by one that fails: the only way to force an unexpected error
    import jjjplan.goalseek.solve as solve

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(solve, "seek", broken)
    _ask(dash, 3.2)
    before = dash.scenario

    async def run():
        dash.seek_panel.button.click()
        return await asyncio.wait_for(dash.seek_runner.done, 30)

    assert asyncio.run(run()) is None
    text = _message(dash)
    assert "目标反推失败" in text and "goal seek failed" in text and "disk on fire" in text
    assert "jjj-seek-error" in dash.seek_panel.message.value
    assert dash.scenario == before and not dash.seek_panel.button.disabled
    assert "disk on fire" in dash.log.text


def test_no_lever_chosen_is_a_bilingual_message_and_nothing_starts(dash):
    _ask(dash, 3.2, free=())
    dash.seek_panel.button.click()
    text = _message(dash)
    assert "请至少选择" in text and "choose at least one lever" in text
    assert not dash.seek_runner.running and dash.last_seek is None


def test_the_synchronous_seek_returns_the_result(dash):
    _ask(dash, 3.2)
    found = dash.seek(wait=True)
    assert found.met and dash.scenario == found.scenario
    assert found.message in _message(dash)


# -- seek on the dashboard's baseline data -----------------------------------------------------
def _richer_hebei() -> baseline.Dataset:
    d = baseline.dataset()
    he = [i for i, u in enumerate(d.units) if u not in ("BJ", "TJ")]
    gdp, current = d.gdp.copy(), d.gdp_current.copy()
    gdp[:, he] *= 1.15
    current[:, he] *= 1.15
    return dataclasses.replace(d, gdp=gdp, gdp_current=current, vintage="test-richer-hebei-dash")


def test_seek_searches_on_the_loaded_data(dash):
    rich = _richer_hebei()
    dash._use_data(rich, "rich.xlsx")
    _ask(dash, 2.95)
    found = dash.seek(wait=True)
    assert found.met and found.data is rich
    assert _ratio_2035(found.scenario, rich) <= 2.95 < _ratio_2035(found.scenario)
    assert dash.results.ratios.loc[2035, "bj_he_ratio"] <= 2.95  # the sliders, on that data


# -- the scenario's targets --------------------------------------------------------------------
TARGETS = (
    parse_target("bj_he_ratio@2035<=3.0", priority=1),
    parse_target("gdp_per_capita[HE/TJ]@2030>=0.6", priority=2),
    parse_target("theil_t@2035<=1.0"),
)


def _rows(dash: Dashboard) -> list[str]:
    html = unescape(dash.seek_panel.targets.widget.value)
    return [r for r in html.split("<tr")[1:] if "jjj-target-" in r]


def test_a_scenario_without_targets_says_where_to_add_them(dash):
    text = unescape(dash.seek_panel.targets.widget.value)
    assert "未设定目标" in text and "Targets sheet" in text
    assert dash.seek_panel.targets.table.empty


def test_targets_table_shows_projection_met_and_margin(dash):
    dash.set_scenario(dash.scenario.replace(targets=TARGETS))
    table = dash.seek_panel.targets.table
    ratio = float(dash.results.ratios.loc[2035, "bj_he_ratio"])
    assert list(table["target"]) == [t.key for t in TARGETS]
    assert table.loc[0, "projected"] == pytest.approx(ratio)
    assert table.loc[0, "margin"] == pytest.approx(3.0 - ratio)
    assert not table.loc[0, "met"]  # current policy: ratio about 3.4
    assert table.loc[2, "met"]  # Theil T is far below 1
    assert "p_met" not in table  # draws are off
    rows = _rows(dash)
    assert len(rows) == 3
    assert "jjj-target-missed" in rows[0] and "未达到 missed" in rows[0]
    assert "京冀人均GDP比" in rows[0] and "2035" in rows[0] and "<= 3" in rows[0]
    assert "HE/TJ" in rows[1] and "jjj-target-met" in rows[2]
    # the same numbers as the results workbook's 目标检查 Targets sheet
    expected = target_check(dash.results, TARGETS)
    np.testing.assert_allclose(table["margin"], expected["margin"])
    # and it follows every lever move
    dash.controls["poles.investment"].target.value = 2.5
    assert dash.seek_panel.targets.table.loc[0, "projected"] == pytest.approx(
        float(dash.results.ratios.loc[2035, "bj_he_ratio"])
    )
    assert dash.seek_panel.targets.table.loc[0, "projected"] != pytest.approx(ratio)


def test_p_met_comes_from_the_draws_the_bands_use(dash, monkeypatch):
    import jjjplan.dashboard.draws as draws_module

    calls = []
    real = draws_module.evaluate

    def counted(*args, **kwargs):  # counts projections of the draws, computes them for real
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(draws_module, "evaluate", counted)
    dash.set_scenario(dash.scenario.replace(targets=TARGETS))
    calls.clear()
    dash.uncertainty.draws.value = 100
    assert calls == [200]  # ONE evaluation: the scenario's and the baseline's 100 draws
    table = dash.seek_panel.targets.table
    outcomes = dash.uncertainty.outcomes
    assert outcomes.indicators.shape[0] == 100
    # P(met) of the ratio target is the share of those draws meeting it ...
    t = TARGETS[0]
    year = list(outcomes.years).index(2035)
    values = outcomes.indicator("bj_he_ratio")[:, year]
    assert table.loc[0, "p_met"] == pytest.approx(np.mean(values <= 3.0))
    # ... the very draws whose quantiles the bands show
    from jjjplan.uncertainty import dashboard_bands

    bands = dashboard_bands(dash.scenario, 100, 0)
    assert bands[("bj_he_ratio", 0.5)].loc[2035] == pytest.approx(np.quantile(values, 0.5))
    assert 0.0 <= table.loc[1, "p_met"] <= 1.0  # regional targets are kept with the draws
    assert t.key in unescape(dash.seek_panel.targets.widget.value) or _rows(dash)
    assert "P(met)" in unescape(dash.seek_panel.targets.widget.value)
    # the same table the results workbook writes from an ensemble of those draws
    again = target_table(dash.results, outcomes)
    np.testing.assert_allclose(again["p_met"], table["p_met"])
    dash.uncertainty.draws.value = 0
    assert "p_met" not in dash.seek_panel.targets.table


def test_targets_table_follows_the_language(dash):
    dash.set_scenario(dash.scenario.replace(targets=TARGETS))
    dash.set_language("en")
    text = unescape(dash.seek_panel.targets.widget.value)
    assert "The scenario's targets" in text and "missed</span>" in text and "未达到" not in text
    dash.set_language("zh")
    text = unescape(dash.seek_panel.targets.widget.value)
    assert "本情景的目标" in text and "未达到</span>" in text and "missed</span>" not in text


# -- in a real Jupyter kernel --------------------------------------------------------------------
KERNEL_SETUP = """
from jjjplan.dashboard import Dashboard
d = Dashboard()
sp = d.seek_panel
sp.free.value = ("poles.investment", "poles.relocation")
sp.value.value = 3.2
"""


@pytest.mark.slow  # starts a kernel and a dashboard in it: ~30 s on a shared machine
def test_in_a_kernel_the_click_returns_at_once_and_the_loop_applies_the_result():
    """The kernel's own event loop (ipykernel) carries the result back to the widgets."""
    manager = pytest.importorskip("jupyter_client.manager")
    import os
    import sys
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")])}
    km, kc = manager.start_new_kernel(kernel_name="python3", env=env)

    def run(code: str) -> str:
        msg_id = kc.execute(code)
        out = []
        while True:
            m = kc.get_iopub_msg(timeout=120)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "stream":
                out.append(m["content"]["text"])
            elif m["msg_type"] == "error":
                out.append("ERROR " + "\n".join(m["content"]["traceback"]))
            elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return "".join(out)

    try:
        assert run(f"import sys; print(sys.executable == {sys.executable!r})").strip() == "True"
        assert run(KERNEL_SETUP) == ""
        click = run(
            "import time; t0 = time.perf_counter(); sp.button.click(); "
            "print(time.perf_counter() - t0 < 1.0, d.seek_runner.running, sp.button.disabled)"
        )
        assert click.split() == ["True", "True", "True"]  # returned at once, busy
        for _ in range(240):  # the next cells run while the search goes on
            if run("print(d.seek_runner.running)").strip() == "False":
                break
            time.sleep(0.25)
        done = run(
            "print(d.last_seek.met, d.scenario == d.last_seek.scenario, sp.button.disabled, "
            "d.controls['poles.relocation'].apply(d.scenario) == d.scenario)"
        )
        assert done.split() == ["True", "True", "False", "True"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_seek_the_scenarios_own_targets(dash):
    sp = dash.seek_panel
    assert sp.use_own.layout.display == "none"  # no targets: not offered
    own = (parse_target("bj_he_ratio@2035<=3.2"), parse_target("theil_t@2035<=1.0"))
    dash.set_scenario(dash.scenario.replace(targets=own))
    assert sp.use_own.layout.display != "none"
    sp.use_own.value = True
    assert sp.indicator.disabled  # the row is not what is sought
    sp.free.value = TWO_LEVERS
    found = dash.seek(wait=True)
    assert list(found.table["target"]) == [t.key for t in own] and found.met
    assert dash.scenario.targets == own  # the found scenario keeps its targets
    assert dash.seek_panel.targets.table["met"].all()  # and the table shows them met
    dash.set_scenario(dash.scenario.replace(targets=()))
    assert sp.use_own.layout.display == "none" and not sp.use_own.value
    assert not sp.indicator.disabled


def test_moving_a_slider_while_seeking_keeps_the_dashboard_live_and_is_noted(dash):
    _ask(dash, 3.2)
    share = dash.controls["reform.origin_share"]

    async def run():
        dash.seek_panel.button.click()
        share.input.value = 35  # the kernel is free: this projects at once
        moved = dash.scenario.reform.origin_share
        return moved, await asyncio.wait_for(dash.seek_runner.done, 120)

    moved, found = asyncio.run(run())
    assert moved == pytest.approx(0.35)
    assert found.met and dash.scenario == found.scenario  # found from the settings at Seek
    assert "settings changed while seeking" in dash.log.text
