"""The :class:`Dashboard`: levers on the left, projected gaps versus baseline on the right.

A lever change runs ``control.apply(scenario) -> project() -> views.show()``: the model is
one pure call (~5–10 ms), the baseline with the same assumptions is cached, and only the
visible chart is redrawn by blitting (see :mod:`jjjplan.dashboard.charts`). The 16-run
Shapley decomposition is computed only when its tab is open (deferred to after the main
update when an event loop is running, as in Jupyter and Voilà) or on its button.

Nothing happens at import: no backend switch, no display, no font lookup. Workbook
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
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from jjjplan import baseline
from jjjplan.dashboard import fonts
from jjjplan.dashboard.actions import ActionsPanel
from jjjplan.dashboard.controls import (
    ChainTargets,
    Control,
    MilestoneControl,
    NationalPath,
    PathwaySwitches,
    PoleWeights,
    ScalarControl,
    ScenarioName,
    _get,
)
from jjjplan.dashboard.labels import LANGS, UI, Lang, both, ui
from jjjplan.dashboard.log import LogPanel
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
    ("settings", ("national_path", "pathways")),
)
_BASELINE_CACHE_SIZE = 8
#: Let bilingual tab titles take their natural width instead of lumino's 144px cap.
_CSS = (
    "<style>.jjj-dashboard .lm-TabBar-tab{max-width:none!important;flex:0 0 auto!important}"
    ".jjj-dashboard .widget-button{overflow:visible}</style>"
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
        A scenario workbook to load at start; a bad workbook is reported in the log panel
        and the dashboard starts from ``scenario`` instead.
    lang
        ``"zh"`` (bilingual, 中文 first) or ``"en"``.
    workdir
        Directory that relative paths typed into the path boxes are resolved against
        (default: the ``JJJPLAN_WORKDIR`` environment variable, else the current directory;
        the Voilà server sets it to where ``jjjplan dashboard`` was started).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        workbook: str | os.PathLike[str] | None = None,
        lang: Lang = "zh",
        workdir: str | os.PathLike[str] | None = None,
    ) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        self.lang: Lang = lang
        self.workdir = Path(workdir or os.environ.get("JJJPLAN_WORKDIR") or os.getcwd())
        self.font = fonts.find_cjk_font()
        self.log = LogPanel()
        self._scenario = scenario if scenario is not None else Scenario.baseline()
        self._results: Results | None = None
        self._base_cache: dict[Any, Results] = {}
        self._contrib_pending = False
        #: Scenarios (with results) added to the comparison, in order.
        self.comparison: list[Results] = []
        #: Wall time of the last lever → model → views update, in milliseconds.
        self.last_update_ms = float("nan")

        self.controls: dict[str, Control] = {
            path: _make_control(path, self._scenario, lang)
            for _, paths in SECTIONS
            for path in paths
        }
        self.name = ScenarioName(lang)
        self.views = Views(self.font, lang, baseline.unit_codes())
        self.actions = ActionsPanel(self.name.widget, lang)
        self.language = widgets.ToggleButtons(
            options=[("中文", "zh"), ("English", "en")], value=lang
        )
        self.language.add_class("jjj-language")
        self._early_captions: list[tuple[widgets.HTML, MilestoneControl]] = []
        self.widget = self._compose()
        self._wire()
        if not self.font:
            self.log.notice(both(UI["no_font"], "zh"))
        self.set_scenario(self._scenario)
        if workbook:
            self.log.guard(self.load_workbook)(workbook)

    # -- public state ----------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario the controls currently describe."""
        return self._scenario

    @property
    def results(self) -> Results:
        """Projection of :attr:`scenario`."""
        if self._results is None:
            self._results = project(self._scenario)
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
        self.sections = widgets.Accordion(children=[self._section(p) for _, p in SECTIONS])
        self.sections.selected_index = 0
        self.sections.add_class("jjj-levers")
        left = widgets.VBox([self.sections], layout=widgets.Layout(width="42%", min_width="360px"))
        right = widgets.VBox([self.views.widget], layout=widgets.Layout(width="58%"))
        self.log_caption = widgets.HTML()
        root = widgets.VBox(
            [
                widgets.HBox(
                    [self.header, self.language],
                    layout=widgets.Layout(justify_content="space-between"),
                ),
                widgets.HBox([left, right], layout=widgets.Layout(width="100%")),
                self.actions.widget,
                self.log_caption,
                self.log.widget,
            ]
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
        self.header.value = f"{_CSS}<h3 style='margin:4px 0'>{ui('title', lang)}</h3>"
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
            caption.value = f"<small>{both((spec.name_zh, spec.name_en), lang)}</small>"
        self.log_caption.value = f"<b>{ui('log', lang)}</b>"

    def _wire(self) -> None:
        guard = self.log.guard
        for control in (*self.controls.values(), self.name):
            control.on_change(guard(self._lever_changed))
        self.views.tabs.observe(guard(self._tab_changed), "selected_index")
        self.views.contrib_button.on_click(guard(lambda _: self.compute_contributions()))
        self.language.observe(guard(lambda ch: self.set_language(ch["new"])), "value")
        a = self.actions
        a.load_button.on_click(guard(lambda _: self.load_workbook(a.load_path.value)))
        a.upload.observe(guard(self._uploaded), "value")
        a.save_button.on_click(guard(lambda _: self.save_workbook(a.save_path.value)))
        a.add_button.on_click(guard(lambda _: self.add_to_comparison()))
        a.clear_button.on_click(guard(lambda _: self.clear_comparison()))
        a.export_button.on_click(guard(lambda _: self.export_comparison(a.export_path.value)))

    # -- model -----------------------------------------------------------------------------
    def _baseline_for(self, s: Scenario) -> Results:
        key = (s.assumptions, s.baseline_overrides, s.national_path)
        res = self._base_cache.get(key)
        if res is None:
            ref = Scenario.baseline().replace(
                assumptions=s.assumptions,
                baseline_overrides=s.baseline_overrides,
                national_path=s.national_path,
            )
            res = project(ref)
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
            raise

    def refresh(self) -> None:
        """Project the current scenario and update the visible views."""
        t0 = time.perf_counter()
        self._results = project(self._scenario)
        self.views.show(self._results, self._baseline_for(self._scenario))
        self.last_update_ms = (time.perf_counter() - t0) * 1000
        if self.views.visible == "contrib":
            self._defer(self.compute_contributions)

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

    def set_language(self, lang: Lang) -> None:
        """Relabel controls, tables and charts (charts stay English without a CJK font)."""
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
        self.lang = lang
        for control in (*self.controls.values(), self.name):
            control.relabel(lang)
        self.actions.relabel(lang)
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

    def load_workbook(self, path: str | os.PathLike[str]) -> Scenario:
        """Read a scenario workbook and show it (raises ValidationError listing sheet!cell)."""
        from jjjplan.excel.read.reader import read_workbook

        p = self._resolve(path)
        scenario = read_workbook(p)
        self.set_scenario(scenario)
        self.log.info(f"已读取 loaded: {p} ({scenario.name})")
        return scenario

    def load_bytes(self, data: bytes, display_name: str = "upload.xlsx") -> Scenario:
        """Load an uploaded workbook. The bytes go to a fresh temporary ``.xlsx`` file; the
        uploaded file name is only ever shown as text, never used as a path."""
        from jjjplan.errors import ValidationError
        from jjjplan.excel.read.reader import read_workbook

        fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix="jjjplan-upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            try:
                scenario = read_workbook(tmp)
            except ValidationError as err:
                raise type(err)(
                    [_rename(i, tmp, display_name) for i in err.issues],
                    [_rename(i, tmp, display_name) for i in err.notices],
                ) from None
        finally:
            os.unlink(tmp)
        self.set_scenario(scenario)
        self.log.info(f"已读取上传 loaded upload: {display_name} ({scenario.name})")
        return scenario

    def _uploaded(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        try:
            self.load_bytes(bytes(item["content"]), str(item.get("name") or "upload.xlsx"))
        finally:
            self.actions.upload.value = ()

    def save_workbook(self, path: str | os.PathLike[str]) -> Path:
        """Write the current settings as a scenario workbook (reads back to an equal Scenario)."""
        from jjjplan.excel.write.template import make_template

        out = Path(make_template(self._resolve(path), self._scenario))
        self.log.info(f"已保存 saved: {out}")
        return out

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
        self.actions.show_comparison([r.scenario.name for r in self.comparison])
        self.log.info(f"已加入比较 added to comparison: {s.name}")
        return res

    def clear_comparison(self) -> None:
        """Empty the comparison list."""
        self.comparison.clear()
        self.actions.show_comparison([])

    def export_comparison(self, path: str | os.PathLike[str]) -> Path:
        """Write the comparison workbook of the listed scenarios against the baseline.

        The baseline is the listed scenario named "baseline" if there is one, else current
        policy with the current assumptions (added as the first column)."""
        from jjjplan.excel.write.comparison import write_comparison

        if not self.comparison:
            raise ValueError(
                "比较列表为空，请先加入情景 / the comparison list is empty: add scenarios first"
            )
        target = self._resolve(path)
        runs = list(self.comparison)
        names = [r.scenario.name for r in runs]
        if "baseline" not in names:  # compare against current policy, same assumptions
            runs.insert(0, self.baseline_results)
        out = Path(write_comparison(runs, target, baseline="baseline"))
        self.log.info(f"已导出比较 exported comparison: {out}")
        return out


def _rename(issue: Any, tmp: str, name: str) -> Any:
    """The issue with the temporary file's name replaced by the uploaded name (display only)."""
    changes = {}
    for f in dc_fields(issue):
        value = getattr(issue, f.name)
        if isinstance(value, str) and Path(tmp).name in value:
            changes[f.name] = value.replace(tmp, name).replace(Path(tmp).name, name)
    return dc_replace(issue, **changes) if changes else issue
