"""Goal seek (目标反推) and scenario codes: widgets only, wired by the dashboard.

One target row (indicator, year, operator, value) and a Seek button: the dashboard runs
:func:`jjjplan.goalseek.seek` from the current settings and shows the levers it finds. The
current scenario's code (:func:`jjjplan.codes.encode`) is shown for copying, and a pasted
code is loaded with :func:`jjjplan.codes.decode` (a bad checksum is a clear error).
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from jjjplan.dashboard.labels import Lang, both, ui
from jjjplan.scenario import END_YEAR
from jjjplan.targets import INDICATORS, OPS, YEARS, Target

#: Operators offered (canonical spellings of :data:`jjjplan.targets.OPS`).
SEEK_OPS = tuple(dict.fromkeys(OPS.values()))


class SeekPanel:
    """Target row, Seek button and message; scenario code box and paste box."""

    def __init__(self, lang: Lang) -> None:
        auto = widgets.Layout(width="auto")
        self.caption = widgets.HTML()
        self.indicator = widgets.Dropdown(
            options=list(INDICATORS), value="bj_he_ratio", layout=auto
        )
        self.year = widgets.Dropdown(options=list(YEARS), value=END_YEAR, layout=auto)
        self.op = widgets.Dropdown(options=list(SEEK_OPS), value="<=", layout=auto)
        self.value = widgets.FloatText(value=3.0, layout=widgets.Layout(width="8em"))
        self.button = widgets.Button(layout=auto)
        self.button.add_class("jjj-seek-button")
        self.message = widgets.HTML()
        self.message.add_class("jjj-seek-message")
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
                widgets.HBox([self.indicator, self.year, self.op, self.value, self.button]),
                self.message,
                self.code_caption,
                self.code,
                widgets.HBox([self.paste, self.load_button]),
            ]
        )
        self.relabel(lang)

    def target(self) -> Target:
        """The target row as a :class:`~jjjplan.targets.Target` (TargetError if invalid)."""
        return Target(self.indicator.value, int(self.year.value), self.op.value, self.value.value)

    def say(self, text: str) -> None:
        self.message.value = f"<div style='white-space:pre-wrap'>{escape(text)}</div>"

    def relabel(self, lang: Lang) -> None:
        value = self.indicator.value
        self.indicator.options = [(both(INDICATORS[k], lang), k) for k in INDICATORS]
        self.indicator.value = value
        self.caption.value = f"<b>{escape(ui('seek', lang))}</b>"
        self.indicator.description = ui("seek_indicator", lang)
        self.year.description = ui("seek_year", lang)
        self.value.description = ui("seek_value", lang)
        for w in (self.indicator, self.year, self.value):
            w.style = {"description_width": "initial"}
        self.button.description = ui("seek_button", lang)
        self.code_caption.value = f"<b>{escape(ui('code', lang))}</b>"
        self.paste.placeholder = "JJJ1-…"
        self.paste.description = ui("code_paste", lang)
        self.paste.style = {"description_width": "initial"}
        self.load_button.description = ui("code_load", lang)
