"""The :class:`Dashboard`: levers on the left, projected gaps versus baseline on the right.

A lever change runs ``control.apply(scenario) -> project() -> views.show()``: the model is
one pure call (~5–10 ms), the baseline with the same assumptions is cached, and only the
visible chart's new values are sent to the browser, which draws it (plotly, see
:mod:`jjjplan.dashboard.charts`). The 16-run
Shapley decomposition is computed only when its tab is open (deferred to after the main
update when an event loop is running, as in Jupyter and Voilà) or on its button.

Nothing happens at import: no display, no model run. Workbook
modules are imported inside the actions so the dashboard starts even if they fail to load.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields as dc_fields
from dataclasses import replace as dc_replace
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from jjjplan import baseline
from jjjplan.dashboard.actions import ActionsPanel
from jjjplan.dashboard.briefing import BriefingPanel
from jjjplan.dashboard.controls import (
    ChainTargets,
    Control,
    MilestoneControl,
    NationalPath,
    PathwaySwitches,
    PoleWeights,
    ScalarControl,
    ScenarioName,
    VintageControl,
    _get,
)
from jjjplan.dashboard.data_panel import DataPanel
from jjjplan.dashboard.labels import LANG_OPTIONS, Lang, both, check_lang, ui
from jjjplan.dashboard.log import LogPanel
from jjjplan.dashboard.naming import free_path, propose_name, round_weights
from jjjplan.dashboard.output_policy import ConfirmReplace, decide
from jjjplan.dashboard.seek_panel import SeekPanel
from jjjplan.dashboard.uncertainty_panel import UncertaintyPanel
from jjjplan.dashboard.views import Views, contribution_values
from jjjplan.results import Results, project
from jjjplan.scenario import LEVERS, PATHWAY_LABELS, Milestones, Scenario

#: Accordion sections: (title key, lever paths). Titles come from PATHWAY_LABELS / UI.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "reform",
        (
            "reform.origin_share",
            "reform.share_years",
            "reform.ext_years",
            "reform.cap_multiple",
            "reform.eligibility_threshold",
            "reform.government_led_only",
            "reform.market_integration",
        ),
    ),
    ("growth_poles", ("poles.weights", "poles.investment", "poles.relocation")),
    ("innovation", ("innovation.share", "innovation.absorption")),
    ("chain_filling", ("chains.presence",)),
    ("settings", ("national_path", "pathways", "policy_start_year", "data_vintage")),
)
_BASELINE_CACHE_SIZE = 8
#: Tab titles take their natural width (not lumino's 144px cap) and wrap onto a second row
#: rather than being cut; slider captions wrap instead of being truncated.
_CSS = (
    "<style>.jjj-dashboard .lm-TabBar-tab{max-width:none!important;flex:0 0 auto!important}"
    ".jjj-dashboard .lm-TabBar-content{flex-wrap:wrap}"
    ".jjj-dashboard .widget-button{overflow:visible}"
    ".jjj-dashboard .widget-label{white-space:normal;overflow:visible}</style>"
)


def _make_control(path: str, scenario: Scenario, lang: Lang) -> Control:
    if path == "poles.weights":
        return PoleWeights(scenario.poles.weights, lang)
    if path == "chains.presence":
        return ChainTargets(lang)
    if path == "national_path":
        return NationalPath(lang)
    if path == "pathways":
        return PathwaySwitches(lang)
    if path == "data_vintage":
        return VintageControl(lang)
    if isinstance(_get(scenario, path), Milestones):
        return MilestoneControl(path, lang)
    return ScalarControl(path, lang)


class Dashboard:
    """Interactive scenario dashboard; ``display(Dashboard())`` in Jupyter or Voilà.

    Parameters
    ----------
    scenario
        Starting settings (default: :meth:`Scenario.baseline`).
    workbook
        A scenario workbook to load at start; a bad workbook is reported at the top of the
        dashboard (and in the log) and the dashboard says it still shows ``scenario``.
    lang
        ``"both"`` (中文 first, then English; the default), ``"zh"`` or ``"en"``.
    workdir
        Directory that relative paths typed into the path boxes are resolved against
        (default: the ``JJJPLAN_WORKDIR`` environment variable, else the current directory;
        the Voilà server sets it to where ``jjjplan dashboard`` was started).
    data, data_vintage
        A baseline-data workbook and the bundled vintage to start from (default: the
        ``JJJPLAN_DATA`` / ``JJJPLAN_DATA_VINTAGE`` environment variables that
        ``jjjplan dashboard --data F --data-vintage V`` sets, else the bundled default).
        A bad data workbook is reported at the top, like a bad scenario workbook.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        workbook: str | os.PathLike[str] | None = None,
        lang: Lang = "both",
        workdir: str | os.PathLike[str] | None = None,
        data: str | os.PathLike[str] | None = None,
        data_vintage: str | None = None,
    ) -> None:
        self.lang: Lang = check_lang(lang)
        self.workdir = Path(workdir or os.environ.get("JJJPLAN_WORKDIR") or os.getcwd())
        self.log = LogPanel()
        self._scenario = scenario if scenario is not None else Scenario.baseline()
        data_vintage = data_vintage or os.environ.get("JJJPLAN_DATA_VINTAGE") or None
        if data_vintage and self._scenario.data_vintage is None:
            self._scenario = self._scenario.replace(data_vintage=data_vintage)
        data = data or os.environ.get("JJJPLAN_DATA") or None
        #: The planner's baseline data (a Dataset read from a workbook), None = bundled.
        self.data: baseline.Dataset | None = None
        #: Where :attr:`data` came from (path or upload name), None for the bundled data.
        self.data_source: str | None = None
        self._results: Results | None = None
        self._base_cache: dict[Any, Results] = {}
        self._contrib_pending = False
        #: Where the shown scenario came from: a workbook path, an upload name, or None.
        self.source: str | None = None
        #: Workbooks loaded in this session: never replaced by a save or an export.
        self.inputs: list[Path] = []
        #: Scenarios (with results) added to the comparison, in order.
        self.comparison: list[Results] = []
        #: Wall time of the last lever → model → views update, in milliseconds.
        self.last_update_ms = float("nan")

        self.controls: dict[str, Control] = {
            path: _make_control(path, self._scenario, self.lang)
            for _, paths in SECTIONS
            for path in paths
        }
        self.name = ScenarioName(self.lang)
        self.views = Views(self.lang, baseline.unit_codes())
        self.actions = ActionsPanel(self.name.widget, self.lang)
        self.uncertainty = UncertaintyPanel(self.lang)
        self.data_panel = DataPanel(self.lang)
        self.seek_panel = SeekPanel(self.lang)
        self.briefing = BriefingPanel(self.lang)
        #: The scenario as loaded from (or saved to) :attr:`source`; while the shown scenario
        #: is still this one, the briefing hashes that workbook into its footer.
        self._source_scenario: Scenario | None = None
        #: What the last goal seek found (:class:`jjjplan.goalseek.SeekResult`), or None.
        self.last_seek = None
        self.language = widgets.ToggleButtons(options=list(LANG_OPTIONS), value=self.lang)
        self.language.style = {"button_width": "auto"}
        self.language.add_class("jjj-language")
        self._early_captions: list[tuple[widgets.HTML, MilestoneControl]] = []
        self.widget = self._compose()
        self._wire()
        self.set_scenario(self._scenario)
        self.views.show_comparison([], self.baseline_results)
        if data:
            self._load_data(lambda: self.load_data(data))
        if workbook:
            self._load(lambda: self.load_workbook(workbook))

    # -- public state ----------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario the controls currently describe."""
        return self._scenario

    @property
    def results(self) -> Results:
        """Projection of :attr:`scenario`."""
        if self._results is None:
            self._results = project(self._scenario, data=self.data)
        return self._results

    @property
    def baseline_results(self) -> Results:
        """Projection of the baseline with the same assumptions as :attr:`scenario`."""
        return self._baseline_for(self._scenario)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- layout ----------------------------------------------------------------------------
    def _compose(self) -> widgets.Box:
        self.header = widgets.HTML()
        self.header.add_class("jjj-header")
        self.status = widgets.HTML()
        self.status.add_class("jjj-status")
        self.banner = widgets.HTML(layout=widgets.Layout(display="none"))
        self.banner.add_class("jjj-banner")
        self.sections = widgets.Accordion(children=[self._section(p) for _, p in SECTIONS])
        self.sections.selected_index = 0
        self.sections.add_class("jjj-levers")
        left = widgets.VBox(
            [self.sections, self.data_panel.widget, self.seek_panel.widget],
            layout=widgets.Layout(flex="0 0 36%", min_width="330px"),
        )
        left.add_class("jjj-left")
        right = widgets.VBox(
            [self.uncertainty.widget, self.views.widget],
            layout=widgets.Layout(flex="1 1 0", min_width="0"),
        )
        self.log_caption = widgets.HTML()
        root = widgets.VBox(
            [
                widgets.HBox(
                    [self.header, self.language],
                    layout=widgets.Layout(justify_content="space-between", align_items="center"),
                ),
                self.status,
                self.banner,
                widgets.HBox([left, right], layout=widgets.Layout(width="100%")),
                self.actions.widget,
                self.briefing.widget,
                self.log_caption,
                self.log.widget,
            ],
            layout=widgets.Layout(width="100%"),
        )
        root.add_class("jjj-dashboard")
        self._relabel_frame(self.lang)
        return root

    def _section(self, paths: tuple[str, ...]) -> widgets.Box:
        controls = [self.controls[p] for p in paths]
        children = [c.widget for c in controls]
        early = [c for c in controls if isinstance(c, MilestoneControl)]
        if early:
            boxes = []
            for c in early:
                caption = widgets.HTML()
                self._early_captions.append((caption, c))
                boxes.append(widgets.VBox([caption, c.early]))
            children.append(widgets.Accordion(children=[widgets.VBox(boxes)], selected_index=None))
        return widgets.VBox(children)

    def _relabel_frame(self, lang: Lang) -> None:
        self.header.value = (
            f"{_CSS}<h2 style='margin:4px 0'>{escape(ui('title', lang))}</h2>"
            f"<div style='color:#555'>{escape(ui('subtitle', lang))}</div>"
        )
        titles = [
            both(PATHWAY_LABELS[k], lang) if k in PATHWAY_LABELS else ui(k, lang)
            for k, _ in SECTIONS
        ]
        self.sections.titles = tuple(titles)
        for section in self.sections.children:
            for child in section.children:
                if isinstance(child, widgets.Accordion):
                    child.titles = (ui("milestones", lang),)
        for caption, control in self._early_captions:
            spec = LEVERS[control.path]
            caption.value = f"<small>{escape(both((spec.name_zh, spec.name_en), lang))}</small>"
        self.log_caption.value = f"<b>{escape(ui('log', lang))}</b>"
        self._show_status()

    def _show_status(self) -> None:
        """Scenario name, where it came from, and the pole-weight total: always visible."""
        lang, s = self.lang, self._scenario
        total = sum(s.poles.weights.values()) * 100
        source = escape(Path(self.source).name) if self.source else escape(ui("not_saved", lang))
        self.status.value = (
            "<div style='padding:4px 8px;background:#eef3f8;border-radius:4px'>"
            f"<b>{escape(ui('current', lang))}：</b>"
            f"<span class='jjj-scenario-shown'>{escape(s.name)}</span>"
            f" · {escape(ui('source', lang))}：<span class='jjj-source'>{source}</span>"
            f" · {escape(ui('weights_total', lang))}："
            f"<b class='jjj-total-shown'>{total:.1f}%</b>"
            f"<br>{self._data_status()}</div>"
        )

    def _data_status(self) -> str:
        """Data vintage (and file), base year and policy start year of what is shown."""
        lang, s = self.lang, self._scenario
        if self._results is not None:
            vintage, year = self._results.projection.vintage, self._results.base_year
        else:
            vintage = s.data_vintage or baseline.DEFAULT_VINTAGE
            year = baseline.VINTAGES[vintage].base_year if vintage in baseline.VINTAGES else "?"
        where = Path(self.data_source).name if self.data_source else ui("data_bundled", lang)
        return (
            f"{escape(ui('data_vintage', lang))}：<span class='jjj-vintage-shown'>"
            f"{escape(str(vintage))}</span> ({escape(where)})"
            f" · {escape(ui('base_year', lang))}：<span class='jjj-base-year'>{year}</span>"
            f" · {escape(ui('policy_start', lang))}："
            f"<span class='jjj-policy-start'>{s.policy_start_year}</span>"
        )

    def _show_banner(self, text: str) -> None:
        self.banner.value = (
            "<div style='padding:6px 10px;background:#fdecea;color:#b71c1c;border:1px solid "
            f"#f5c2c0;border-radius:4px;white-space:pre-wrap'>{escape(text)}</div>"
        )
        self.banner.layout.display = "block"

    def _hide_banner(self) -> None:
        self.banner.value = ""
        self.banner.layout.display = "none"

    def _wire(self) -> None:
        guard = self.log.guard
        for control in (*self.controls.values(), self.name):
            control.on_change(guard(self._lever_changed))
            control.guard = guard
        self.views.tabs.observe(guard(self._tab_changed), "selected_index")
        self.views.contrib_button.on_click(guard(lambda _: self.compute_contributions()))
        self.language.observe(guard(lambda ch: self.set_language(ch["new"])), "value")
        self.uncertainty.draws.observe(guard(self._draws_changed), "value")
        self.views.map_measure.observe(
            guard(lambda ch: self.views.set_map_measure(ch["new"])), "value"
        )
        dp = self.data_panel
        dp.load_button.on_click(
            guard(lambda _: self._load_data(lambda: self.load_data(dp.path.value)))
        )
        dp.upload.observe(guard(self._data_uploaded), "value")
        dp.reset_button.on_click(guard(lambda _: self.use_bundled_data()))
        sp = self.seek_panel
        sp.button.on_click(guard(lambda _: self.seek()))
        sp.load_button.on_click(guard(lambda _: self._load_code(sp.paste.value)))
        b = self.briefing
        b.brief_button.on_click(guard(lambda _: self._busy("busy_brief", self.write_briefing)))
        b.images_button.on_click(
            guard(lambda _: self._busy("busy_images", self.write_chart_images))
        )
        a = self.actions
        a.load_button.on_click(
            guard(lambda _: self._load(lambda: self.load_workbook(a.load_path.value)))
        )
        a.upload.observe(guard(self._uploaded), "value")
        a.save_button.on_click(guard(lambda _: self._confirmed(self._save_from_boxes)))
        a.add_button.on_click(guard(lambda _: self.add_to_comparison()))
        a.clear_button.on_click(guard(lambda _: self.clear_comparison()))
        a.export_button.on_click(
            guard(
                lambda _: self._confirmed(
                    lambda replace: self.export_comparison(a.export_path.value, replace=replace)
                )
            )
        )

    # -- model -----------------------------------------------------------------------------
    def _baseline_scenario(self, s: Scenario) -> Scenario:
        """Current policy with the same assumptions, base-year data and national path as ``s``."""
        return Scenario.baseline().replace(
            assumptions=s.assumptions,
            baseline_overrides=s.baseline_overrides,
            national_path=s.national_path,
            data_vintage=s.data_vintage,
        )

    def _baseline_for(self, s: Scenario) -> Results:
        key = (s.assumptions, s.baseline_overrides, s.national_path, s.data_vintage, id(self.data))
        res = self._base_cache.get(key)
        if res is None:
            res = project(self._baseline_scenario(s), data=self.data)
            if len(self._base_cache) >= _BASELINE_CACHE_SIZE:
                self._base_cache.pop(next(iter(self._base_cache)))
            self._base_cache[key] = res
        return res

    def _lever_changed(self, control: Control) -> None:
        old = self._scenario
        try:
            self._scenario = control.apply(old)
            self.refresh()
        except Exception:
            self._scenario = old
            control.set_from(old)
            self._results = None
            self._show_status()
            raise
        if control is self.name:
            self._propose_save()

    def refresh(self) -> None:
        """Project the current scenario and update the visible views.

        With uncertainty draws on, the key figures go to the browser first, then the chart's
        lines and bands together in ONE message (one redraw in the page) and the probability
        readout. In Chromium this brings the bands sooner than sending the lines first and
        the bands in a second step did: the page's first redraw, and the state it sends
        back, competed with the draws' projections (benchmarks/bench_dashboard.py
        ``--browser``)."""
        t0 = time.perf_counter()
        s = self._scenario
        self._results = project(s, data=self.data)
        base = self._baseline_for(s)
        draws_on = bool(int(self.uncertainty.draws.value))
        if draws_on:
            self.views.show_key_figures(self._results, base)
        bands = self.uncertainty.compute(s, self._baseline_scenario(s), data=self.data)
        self.views.show(self._results, base, bands, key_figures=not draws_on)
        self._show_status()
        self._show_code_and_targets()
        self.last_update_ms = (time.perf_counter() - t0) * 1000
        if self.views.visible == "contrib":
            self._defer(self.compute_contributions)

    def _draws_changed(self, change: dict) -> None:
        if not self.uncertainty.relabelling:
            self.refresh()

    def _defer(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` after the current callback if an event loop runs (Jupyter, Voilà), so
        the main views reach the browser first; otherwise leave the view marked stale."""
        if self._contrib_pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._contrib_pending = True

        def run() -> None:
            self._contrib_pending = False
            fn()

        loop.call_soon(self.log.guard(run))

    def compute_contributions(self) -> None:
        """Shapley contributions of the pathways to the 2035 change in Theil T (16 runs)."""
        self.views.contrib_status.value = f"<small>{ui('contrib_busy', self.lang)}</small>"
        self.views.show_contributions(contribution_values(self.results))

    def _tab_changed(self, change: dict) -> None:
        self.views.render_visible()
        if self.views.visible == "contrib" and self.views.contrib_stale:
            self.compute_contributions()

    # -- scenario in and out ---------------------------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        """Show ``scenario`` in every control and project it."""
        old = self._scenario
        try:
            self._scenario = scenario
            for control in (*self.controls.values(), self.name):
                control.set_from(scenario)
            self.refresh()
        except Exception:
            if scenario is old:
                raise
            self.set_scenario(old)  # keep showing what was there before
            raise
        self._propose_save()

    def set_language(self, lang: Lang) -> None:
        """Relabel controls, tables and charts: ``"zh"``, ``"en"`` or ``"both"``."""
        self.lang = check_lang(lang)
        for control in (*self.controls.values(), self.name):
            control.relabel(lang)
        self.actions.relabel(lang)
        self.uncertainty.relabel(lang)
        self.data_panel.relabel(lang)
        self.seek_panel.relabel(lang)
        self.briefing.relabel(lang)
        self._relabel_frame(lang)
        self.views.relabel(lang)
        if self.language.value != lang:
            self.language.value = lang

    def _resolve(self, path: str | os.PathLike[str]) -> Path:
        text = str(path).strip()
        if not text:
            raise ValueError("请输入文件路径 / enter a file path")
        p = Path(text).expanduser()
        return p if p.is_absolute() else self.workdir / p

    def _load(self, load: Callable[[], Scenario]) -> None:
        """Run a load; on failure say so at the top (what is still shown) and in the log."""
        try:
            load()
        except Exception as err:
            self.log.exception(err)
            question = ui("load_failed", self.lang).format(name=self._scenario.name)
            self._show_banner(f"{question}\n{err}")
        else:
            self._hide_banner()

    def load_workbook(self, path: str | os.PathLike[str]) -> Scenario:
        """Read a scenario workbook and show it (raises ValidationError listing sheet!cell)."""
        from jjjplan.excel.read.reader import read_workbook

        p = self._resolve(path)
        scenario = read_workbook(p)
        self.source = str(p)
        self.inputs.append(p)
        self.set_scenario(scenario)
        self._source_scenario = self._scenario
        self.log.info(f"已读取 loaded: {p} ({scenario.name})")
        return scenario

    def load_bytes(self, data: bytes, display_name: str = "upload.xlsx") -> Scenario:
        """Load an uploaded workbook. The bytes go to a fresh temporary ``.xlsx`` file; the
        uploaded file name is only ever shown as text, never used as a path."""
        from jjjplan.excel.read.reader import read_workbook

        scenario = _read_upload(data, display_name, read_workbook, "jjjplan-upload-")
        self.source = display_name
        self.set_scenario(scenario)
        self.log.info(f"已读取上传 loaded upload: {display_name} ({scenario.name})")
        return scenario

    def _uploaded(self, change: dict) -> None:
        _take_upload(change, self.actions.upload, self._load, self.load_bytes, "upload.xlsx")

    # -- baseline data ---------------------------------------------------------------------
    def _load_data(self, load: Callable[[], Any]) -> None:
        """Run a data load; on failure say so at the top (the data still used) and in the log."""
        try:
            load()
        except Exception as err:
            self.log.exception(err)
            where = Path(self.data_source).name if self.data_source else None
            shown = where or ui("data_bundled", self.lang)
            self._show_banner(f"{ui('data_failed', self.lang).format(data=shown)}\n{err}")
        else:
            self._hide_banner()

    def _use_data(self, data: baseline.Dataset | None, source: str | None) -> None:
        """Project with ``data`` from now on; put the previous data back if that fails."""
        old = (self.data, self.data_source)
        self.data, self.data_source = data, source
        self._base_cache.clear()
        try:
            self.refresh()
        except Exception:
            self.data, self.data_source = old
            self._base_cache.clear()
            self.refresh()
            raise

    def load_data(self, path: str | os.PathLike[str]) -> baseline.Dataset:
        """Read a baseline-data workbook (values it leaves empty come from the selected
        vintage) and project with it; raises ValidationError listing sheet!cell."""
        p = self._resolve(path)
        data = baseline.resolve(p, vintage=self._scenario.data_vintage)
        self.inputs.append(p)
        self._use_data(data, str(p))
        self.log.info(f"已读取基期数据 loaded baseline data: {p} ({data.vintage})")
        for notice in data.notices:
            self.log.notice(notice)
        return data

    def load_data_bytes(self, content: bytes, display_name: str = "data.xlsx") -> baseline.Dataset:
        """Load an uploaded baseline-data workbook from a fresh temporary file (the upload's
        name is only shown, never used as a path)."""
        vintage = self._scenario.data_vintage
        data = _read_upload(
            content, display_name, lambda p: baseline.resolve(p, vintage=vintage), "jjjplan-data-"
        )
        self._use_data(data, display_name)
        self.log.info(f"已读取上传基期数据 loaded baseline data upload: {display_name}")
        return data

    def _data_uploaded(self, change: dict) -> None:
        _take_upload(
            change, self.data_panel.upload, self._load_data, self.load_data_bytes, "data.xlsx"
        )

    def use_bundled_data(self) -> None:
        """Go back to the bundled data of the selected vintage."""
        self._use_data(None, None)
        self._hide_banner()
        self.log.info("改用内置数据 using the bundled data")

    # -- goal seek, targets and scenario codes (seek-dash: jjjplan/dashboard/seek_runner.py,
    #    seek_panel.py, targets_panel.py; this block only wires them) ---------------------
    def _show_code_and_targets(self) -> None:
        """The current scenario's code, for copying, and its targets met or missed (P(met)
        from the bands' own draws when draws are on) — refreshed after every update."""
        from jjjplan.codes import encode

        self.seek_panel.code.value = encode(self._scenario)
        self.seek_panel.targets.show(self.results, self.uncertainty.outcomes)
        self.seek_panel.offer_own(self._scenario)

    @property
    def seek_runner(self) -> Any:
        """Runs the seek panel's search (:class:`~jjjplan.dashboard.seek_runner.SeekRunner`)."""
        runner = self.__dict__.get("_seek_runner")
        if runner is None:
            from jjjplan.dashboard.seek_runner import SeekRunner

            runner = self._seek_runner = SeekRunner(self)
        return runner

    def seek(self, *, wait: bool | None = None) -> Any:
        """Run goal seek for the seek panel's target, levers and objective from the current
        settings and baseline data; apply the levers it finds to the sliders.

        With an event loop running (Jupyter, Voilà) the search runs in the background
        (busy state, progress, Cancel) and this returns None; otherwise, or with
        ``wait=True``, it blocks and returns the SeekResult (scripts and tests)."""
        if wait:
            return self.seek_runner.run_now()
        return self.seek_runner.start()

    def load_code(self, code: str) -> Scenario:
        """Show the scenario a pasted code describes (CodeError on a bad checksum)."""
        from jjjplan.codes import decode

        scenario = decode(code)
        self.source = None
        self.set_scenario(scenario)
        self.log.info(f"已读取情景代码 loaded scenario code ({scenario.name})")
        return scenario

    def _load_code(self, code: str) -> None:
        try:
            self.load_code(code)
        except Exception as err:
            self.log.exception(err)
            question = ui("code_failed", self.lang).format(name=self._scenario.name)
            self._show_banner(f"{question}\n{err}")
        else:
            self._hide_banner()

    # -- save as, compare, export ----------------------------------------------------------
    def _taken_names(self) -> set[str]:
        return {r.scenario.name for r in self.comparison} | {self._scenario.name}

    def _propose_save(self) -> None:
        """Fill the save-as boxes with a new name and a file that does not exist yet."""
        name = propose_name(self._scenario.name, self._taken_names())
        folder = (
            Path(self.source).parent
            if self.source and Path(self.source).is_absolute()
            else self.workdir
        )
        self.actions.save_name.value = name
        self.actions.save_path.value = str(free_path(folder, name))

    def _confirmed(self, action: Callable[[bool], Any]) -> None:
        """Run ``action(replace=False)``; if the file exists, ask before running it again."""
        try:
            action(False)
        except ConfirmReplace as err:
            path = err.path
            self.actions.ask(
                str(err),
                self.log.guard(lambda: action(True)),
                lambda: self.log.notice(f"{ui('cancelled', self.lang)}: {path}"),
            )

    def _save_from_boxes(self, replace: bool) -> Path:
        a = self.actions
        return self.save_workbook(a.save_path.value, name=a.save_name.value, replace=replace)

    def save_workbook(
        self, path: str | os.PathLike[str], *, name: str | None = None, replace: bool = False
    ) -> Path:
        """Save the current settings as a scenario workbook under a new ``name``.

        The saved scenario (and from then on the dashboard's) has that name, so it can join
        the comparison beside the loaded one; pole weights are stored on the 0.1-point grid
        in the poles' order. An existing file raises :class:`ConfirmReplace` unless
        ``replace`` is True; inputs and files that are not plain workbooks are refused.
        """
        from jjjplan.excel.write.template import make_template

        new_name = (name or "").strip() or propose_name(self._scenario.name, self._taken_names())
        target = decide(self._resolve(path), "scenario", self.inputs, replace)
        s = self._scenario
        weights = round_weights(s.poles.weights)
        saved = s.replace(name=new_name, poles=dc_replace(s.poles, weights=weights))
        out = Path(make_template(target, saved))
        self.source = str(out)
        self.set_scenario(saved)
        self._source_scenario = self._scenario
        self.log.info(f"已保存 saved: {out} ({new_name})")
        return out

    # -- briefing and chart images --------------------------------------------------------
    def _busy(self, key: str, action: Callable[[], Any]) -> None:
        done = self.briefing.busy(key)
        try:
            action()
        finally:
            done()

    def _brief_inputs(self) -> tuple[Path, ...]:
        """Files the briefing's footer hashes: the scenario workbook while the settings are
        still the ones read from it, and a baseline-data file (not uploads: no file)."""
        files = []
        if self.source and self._source_scenario is self._scenario and Path(self.source).is_file():
            files.append(Path(self.source))
        if self.data_source and Path(self.data_source).is_file():
            files.append(Path(self.data_source))
        return tuple(files)

    def _brief_folder(self) -> Path:
        from jjjplan.dashboard.briefing import output_folder

        return output_folder(self.source, self.workdir)

    def write_briefing(self, folder: str | os.PathLike[str] | None = None) -> Path:
        """The one-page briefing of the current settings (PDF, in the display language;
        with the 5–95% band when draws are on), saved as ``<scenario>-简报.pdf`` under a new
        name beside the scenario (or in ``folder``) and offered as a download link."""
        from jjjplan.brief import brief_pdf_bytes
        from jjjplan.dashboard.briefing import brief_band, free_file, write_new_file

        pdf = brief_pdf_bytes(
            self.results, self.lang, self._brief_inputs(), brief_band(self.views.bands)
        )
        where = self._resolve(folder) if folder else self._brief_folder()
        target = free_file(where, f"{self._scenario.name}-简报", ".pdf")
        out = write_new_file(pdf, target, "pdf", self.inputs)
        self.briefing.offer([(out, pdf)])
        self.log.info(f"已写出简报 briefing written: {out}")
        return out

    def write_chart_images(self, folder: str | os.PathLike[str] | None = None) -> list[Path]:
        """Every chart shown in the dashboard as PNG and SVG (kaleido), in a new folder
        ``<scenario>-图表`` beside the scenario (or in ``folder``); without kaleido or a
        browser for it, the briefing's charts (matplotlib) instead, with a notice."""
        import plotly.graph_objects as go

        from jjjplan.dashboard.briefing import (
            environment_allows_images,
            free_file,
            plotly_images,
            word,
        )

        where = self._resolve(folder) if folder else self._brief_folder()
        target = free_file(where, f"{self._scenario.name}-图表", "")
        target.mkdir()  # new folder: nothing in it can be replaced
        note = ""
        try:
            if not environment_allows_images():
                raise ImportError("JJJPLAN_NO_KALEIDO=1")
            figures = {}
            for name, chart in self.views.exportable().items():
                fig = go.Figure(chart.fig.to_dict())
                fig.update_layout(width=1100, height=max(480, fig.layout.height or 0))
                figures[name] = fig
            written = plotly_images(figures, target)
        except Exception as err:  # no kaleido, or no Chrome/Chromium for it
            from jjjplan.brief import write_chart_images
            from jjjplan.brief.content import gather
            from jjjplan.dashboard.briefing import brief_band

            note = word("no_kaleido", self.lang)
            self.log.notice(f"{note} ({type(err).__name__}: {err})")
            content = gather(self.results, self._brief_inputs(), brief_band(self.views.bands))
            written = write_chart_images(content, target, self.lang)
        self.briefing.offer([(p, p.read_bytes()) for p in written], note)
        self.log.info(f"已导出图表 chart images written: {target}")
        return written

    def add_to_comparison(self) -> Results:
        """Add the current settings, under the scenario-name box's name, to the comparison."""
        s = self._scenario
        if any(r.scenario.name == s.name for r in self.comparison):
            raise ValueError(
                f"比较列表中已有同名情景，请改名 / a scenario named {s.name!r} is "
                "already in the comparison; change the name first"
            )
        res = self.results
        self.comparison.append(res)
        self._comparison_changed()
        self.log.info(f"已加入比较 added to comparison: {s.name}")
        return res

    def clear_comparison(self) -> None:
        """Empty the comparison list."""
        self.comparison.clear()
        self._comparison_changed()

    def _comparison_changed(self) -> None:
        self.actions.show_comparison([r.scenario.name for r in self.comparison])
        self.views.show_comparison(self.comparison, self.baseline_results)
        self._propose_save()

    def export_comparison(self, path: str | os.PathLike[str], *, replace: bool = False) -> Path:
        """Write the comparison workbook of the listed scenarios against the baseline.

        The baseline is the listed scenario named "baseline" if there is one, else current
        policy with the current assumptions (added as the first column). Never replaces an
        input or a scenario workbook; an existing file needs ``replace=True``."""
        from jjjplan.excel.write.comparison import write_comparison

        if not self.comparison:
            raise ValueError(
                "比较列表为空，请先加入情景 / the comparison list is empty: add scenarios first"
            )
        target = decide(self._resolve(path), "comparison", self.inputs, replace)
        runs = list(self.comparison)
        names = [r.scenario.name for r in runs]
        if "baseline" not in names:  # compare against current policy, same assumptions
            runs.insert(0, self.baseline_results)
        out = Path(write_comparison(runs, target, baseline="baseline"))
        self.log.info(f"已导出比较 exported comparison: {out}")
        return out


def _read_upload(content: bytes, display_name: str, read: Callable[[str], Any], prefix: str):
    """``read`` an uploaded workbook from a fresh temporary ``.xlsx`` (the upload's name is
    only ever shown, never used as a path); problems name the uploaded file, not the temp."""
    from jjjplan.errors import ValidationError

    fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        try:
            return read(tmp)
        except ValidationError as err:
            raise type(err)(
                [_rename(i, tmp, display_name) for i in err.issues],
                [_rename(i, tmp, display_name) for i in err.notices],
            ) from None
    finally:
        os.unlink(tmp)


def _take_upload(change: dict, widget, guard: Callable, load: Callable, default: str) -> None:
    """The first file of a FileUpload change, loaded under ``guard`` (errors to the banner);
    the widget is cleared afterwards so the same file can be uploaded again."""
    files = change["new"]
    if not files:
        return
    item = files[0]
    try:
        guard(lambda: load(bytes(item["content"]), str(item.get("name") or default)))
    finally:
        widget.value = ()


def _rename(issue: Any, tmp: str, name: str) -> Any:
    """The issue with the temporary file's name replaced by the uploaded name (display only)."""
    changes = {}
    for f in dc_fields(issue):
        value = getattr(issue, f.name)
        if isinstance(value, str) and Path(tmp).name in value:
            changes[f.name] = value.replace(tmp, name).replace(Path(tmp).name, name)
    return dc_replace(issue, **changes) if changes else issue
