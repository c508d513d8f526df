"""Goal seek (目标反推) and scenario codes: widgets only, wired by the dashboard.

One target row (indicator, year, operator, value), the levers to search, the objective, and
Seek / Cancel buttons: :mod:`jjjplan.dashboard.seek_runner` runs
:func:`jjjplan.goalseek.seek` in the background from the current settings, shows its
progress here and applies the levers it finds to the sliders. Under them, the scenario's own
targets (:mod:`jjjplan.dashboard.targets_panel`). The current scenario's code
(:func:`jjjplan.codes.encode`) is shown for copying, and a pasted code is loaded with
:func:`jjjplan.codes.decode` (a bad checksum is a clear error).
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from jjjplan.dashboard.labels import UI, Lang, both, ui
from jjjplan.dashboard.targets_panel import TargetsPanel
from jjjplan.goalseek.levers import FREE_LEVERS
from jjjplan.goalseek.result import OBJECTIVES
from jjjplan.scenario import END_YEAR
from jjjplan.targets import INDICATORS, OPS, YEARS, Target

#: Operators offered (canonical spellings of :data:`jjjplan.targets.OPS`).
SEEK_OPS = tuple(dict.fromkeys(OPS.values()))


def word(key: str, lang: Lang, **values: object) -> str:
    """A seek-panel word (``seek_*`` in the dashboard catalogue) in mode ``lang`` (zh, en
    or both), with ``values`` filled in."""
    zh, en = UI[f"seek_{key}"]
    return both((zh.format(**values), en.format(**values)), lang)


def free_lever_label(name: str, lang: Lang) -> str:
    """Caption of a free lever such as ``chains.presence.HE``."""
    from jjjplan.excel.write.seek_sheet import lever_label

    zh, en, _ = lever_label(name)
    return both((zh, en), lang)


class SeekPanel:
    """Target row, levers, objective, Seek/Cancel and message; the scenario's targets;
    scenario code box and paste box."""

    def __init__(self, lang: Lang) -> None:
        auto = widgets.Layout(width="auto", max_width="96%")  # 100% + its margin overflowed
        #: Rows wrap inside the left column: at 1,280 px the indicator alone fills a line,
        #: and year, operator and value were pushed out of sight behind the charts.
        wrap = widgets.Layout(flex_flow="row wrap", max_width="100%")
        self.caption = widgets.HTML()
        self.indicator = widgets.Dropdown(
            options=list(INDICATORS), value="bj_he_ratio", layout=auto
        )
        self.year = widgets.Dropdown(options=list(YEARS), value=END_YEAR, layout=auto)
        self.op = widgets.Dropdown(options=list(SEEK_OPS), value="<=", layout=auto)
        self.value = widgets.FloatText(value=3.0, layout=widgets.Layout(width="13em"))
        for w, name in ((self.indicator, "indicator"), (self.year, "year"), (self.op, "op")):
            w.add_class(f"jjj-seek-{name}")
        self.value.add_class("jjj-seek-value")
        #: Seek the scenario's own targets (its 目标 Targets sheet) instead of the row above;
        #: offered only when the scenario has targets.
        self.use_own = widgets.Checkbox(
            value=False, indent=False, layout=widgets.Layout(width="auto", display="none")
        )
        self.use_own.add_class("jjj-seek-own")
        #: Levers the search may move (default: every lever goal seek can move).
        self.free = widgets.SelectMultiple(
            options=list(FREE_LEVERS),
            value=tuple(FREE_LEVERS),
            rows=5,
            layout=widgets.Layout(width="98%"),
        )
        self.free.add_class("jjj-seek-free")
        self.objective = widgets.Dropdown(options=list(OBJECTIVES), value="min-change", layout=auto)
        self.button = widgets.Button(layout=auto)
        self.button.add_class("jjj-seek-button")
        self.cancel_button = widgets.Button(
            button_style="warning", disabled=True, layout=widgets.Layout(display="none")
        )
        self.cancel_button.add_class("jjj-seek-cancel")
        self.message = widgets.HTML()
        self.message.add_class("jjj-seek-message")
        #: The scenario's own targets, met or missed (refreshed after every update).
        self.targets = TargetsPanel(lang)
        self.code_caption = widgets.HTML()
        self.code = widgets.Textarea(
            disabled=False, layout=widgets.Layout(width="98%", height="4em")
        )
        self.code.add_class("jjj-scenario-code")
        self.paste = widgets.Text(layout=widgets.Layout(width="98%"))
        self.paste.add_class("jjj-code-paste")
        self.load_button = widgets.Button(layout=auto)
        self.load_button.add_class("jjj-code-load")
        self.widget = widgets.VBox(
            [
                self.caption,
                widgets.HBox([self.indicator, self.year, self.op, self.value], layout=wrap),
                self.use_own,
                self.free,
                widgets.HBox([self.objective, self.button, self.cancel_button], layout=wrap),
                self.message,
                self.targets.widget,
                self.code_caption,
                self.code,
                widgets.HBox([self.paste, self.load_button], layout=wrap),
            ]
        )
        self.busy = False
        self.use_own.observe(lambda _: self._row_enabled(), "value")
        self.relabel(lang)

    def target(self) -> Target:
        """The target row as a :class:`~jjjplan.targets.Target` (TargetError if invalid)."""
        return Target(self.indicator.value, int(self.year.value), self.op.value, self.value.value)

    def targets_for(self, scenario) -> tuple[Target, ...]:
        """What to seek: the scenario's own targets when chosen (and it has some), else the
        target row."""
        own = tuple(getattr(scenario, "targets", ()) or ())
        if self.use_own.value and own:
            return own
        return (self.target(),)

    def offer_own(self, scenario) -> None:
        """Show the "seek the scenario's own targets" box only when it has targets."""
        has = bool(getattr(scenario, "targets", ()))
        self.use_own.layout.display = None if has else "none"
        if not has:
            self.use_own.value = False
        self._row_enabled()

    def _row_enabled(self) -> None:
        row_off = self.busy or self.use_own.value
        for w in (self.indicator, self.year, self.op, self.value):
            w.disabled = row_off

    def say(self, text: str, *, error: bool = False) -> None:
        style = "white-space:pre-wrap" + (";color:#b71c1c" if error else "")
        cls = " class='jjj-seek-error'" if error else ""
        self.message.value = f"<div{cls} style='{style}'>{escape(text)}</div>"

    def set_busy(self, busy: bool) -> None:
        """While a seek runs: Seek disabled and saying so, inputs locked, Cancel shown."""
        self.busy = busy
        for w in (self.use_own, self.free, self.objective):
            w.disabled = busy
        self._row_enabled()
        self.button.disabled = busy
        self.cancel_button.disabled = not busy
        self.cancel_button.layout.display = None if busy else "none"
        if busy:
            self.widget.add_class("jjj-seek-busy")
        else:
            self.widget.remove_class("jjj-seek-busy")
        self._caption_button()

    def _caption_button(self) -> None:
        lang = self.lang
        self.button.description = word("running", lang) if self.busy else ui("seek_button", lang)
        self.button.icon = "spinner" if self.busy else ""

    def relabel(self, lang: Lang) -> None:
        self.lang = lang
        value = self.indicator.value
        self.indicator.options = [(both(INDICATORS[k], lang), k) for k in INDICATORS]
        self.indicator.value = value
        chosen = self.free.value
        self.free.options = [(free_lever_label(k, lang), k) for k in FREE_LEVERS]
        self.free.value = chosen
        objective = self.objective.value
        self.objective.options = [(both(OBJECTIVES[k], lang), k) for k in OBJECTIVES]
        self.objective.value = objective
        self.caption.value = f"<b>{escape(ui('seek', lang))}</b>"
        self.indicator.description = ui("seek_indicator", lang)
        self.year.description = ui("seek_year", lang)
        self.value.description = ui("seek_value", lang)
        self.free.description = word("free", lang)
        self.use_own.description = word("own", lang)
        self.objective.description = word("objective", lang)
        for w in (self.indicator, self.year, self.value, self.free, self.objective):
            w.style = {"description_width": "initial"}
        self._caption_button()
        self.cancel_button.description = word("cancel", lang)
        self.targets.relabel(lang)
        self.code_caption.value = f"<b>{escape(ui('code', lang))}</b>"
        self.paste.placeholder = "JJJ1-…"
        self.paste.description = ui("code_paste", lang)
        self.paste.style = {"description_width": "initial"}
        self.load_button.description = ui("code_load", lang)
