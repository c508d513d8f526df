"""Widgets of the workbook actions: load, upload, save as, add to comparison, export.

Only layout and captions live here; what the buttons do is in
:class:`jjjplan.dashboard.Dashboard` (``load_workbook``, ``load_bytes``, ``save_workbook``,
``add_to_comparison``, ``export_comparison``) so the same actions are scriptable. The
confirmation bar asks before an existing file is replaced; the dashboard fills in the
question and what "Replace" does (:meth:`ActionsPanel.ask`).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from jjjplan.dashboard.labels import Lang, ui
from jjjplan.excel.guard.limits import MAX_FILE_BYTES

_ROW = widgets.Layout(width="100%", align_items="center")
_PATH = widgets.Layout(flex="1 1 auto", width="auto")
_BUTTON = widgets.Layout(width="auto", flex="0 0 auto")
_HIDDEN = "none"


def _path(css: str, placeholder: str) -> widgets.Text:
    box = widgets.Text(placeholder=placeholder, layout=_PATH)
    box.add_class(css)
    return box


def _button(css: str, style: str = "") -> widgets.Button:
    button = widgets.Button(layout=_BUTTON, button_style=style)
    button.add_class(css)
    return button


class ActionsPanel:
    """Path boxes and buttons; ``name`` is the scenario-name widget shared with the scenario."""

    def __init__(self, name: widgets.Widget, lang: Lang) -> None:
        self.caption = widgets.HTML()
        self.load_path = _path("jjj-load-path", "workbooks/scenario.xlsx")
        self.load_button = _button("jjj-load")
        self.upload = widgets.FileUpload(accept=".xlsx", multiple=False, layout=_BUTTON)
        self.upload.add_class("jjj-upload")
        self.upload_note = widgets.HTML()
        self.save_name = widgets.Text(layout=widgets.Layout(width="40%"))
        self.save_name.add_class("jjj-save-name")
        self.save_path = _path("jjj-save-path", "workbooks/my_scenario.xlsx")
        self.save_button = _button("jjj-save", "primary")
        self.name = name
        self.add_button = _button("jjj-add")
        self.clear_button = _button("jjj-clear")
        self.comparison = widgets.HTML()
        self.comparison.add_class("jjj-comparison")
        self.export_path = _path("jjj-export-path", "comparison.xlsx")
        self.export_button = _button("jjj-export")
        self.question = widgets.HTML()
        self.replace_button = _button("jjj-confirm-replace", "danger")
        self.cancel_button = _button("jjj-confirm-cancel")
        self.confirm = widgets.HBox(
            [self.question, self.replace_button, self.cancel_button],
            layout=widgets.Layout(display=_HIDDEN, align_items="center"),
        )
        self.confirm.add_class("jjj-confirm")
        self.widget = widgets.VBox(
            [
                self.caption,
                self.confirm,
                widgets.HBox(
                    [self.load_path, self.load_button, self.upload, self.upload_note], layout=_ROW
                ),
                widgets.HBox([self.save_name, self.save_path, self.save_button], layout=_ROW),
                widgets.HBox([self.name, self.add_button, self.clear_button], layout=_ROW),
                self.comparison,
                widgets.HBox([self.export_path, self.export_button], layout=_ROW),
            ]
        )
        self.lang: Lang = lang
        self._names: list[str] = []
        self._on_replace: Callable[[], None] | None = None
        self.replace_button.on_click(lambda _: self._answer(True))
        self.cancel_button.on_click(lambda _: self._answer(False))
        self._on_cancel: Callable[[], None] | None = None
        self.relabel(lang)

    # -- confirmation ----------------------------------------------------------------------
    @property
    def asking(self) -> bool:
        """True while the confirmation bar waits for an answer."""
        return self.confirm.layout.display != _HIDDEN

    def ask(
        self, question: str, on_replace: Callable[[], None], on_cancel: Callable[[], None]
    ) -> None:
        """Show ``question`` with Replace / Cancel; nothing is written until Replace."""
        self._on_replace, self._on_cancel = on_replace, on_cancel
        self.question.value = f"<b style='color:#b71c1c'>{escape(question)}</b>"
        self.confirm.layout.display = "flex"

    def _answer(self, replace: bool) -> None:
        action = self._on_replace if replace else self._on_cancel
        self._on_replace = self._on_cancel = None
        self.question.value = ""
        self.confirm.layout.display = _HIDDEN
        if action is not None:
            action()

    # -- display ---------------------------------------------------------------------------
    def show_comparison(self, names: list[str]) -> None:
        """List the scenarios waiting in the comparison."""
        self._names = list(names)
        items = ", ".join(escape(n) for n in names) if names else escape(ui("empty", self.lang))
        self.comparison.value = (
            f"<small><b>{escape(ui('comparison', self.lang))}:</b> {items}</small>"
        )

    def relabel(self, lang: Lang) -> None:
        """Captions in ``lang``."""
        self.lang = lang
        self.caption.value = f"<b>{escape(ui('actions', lang))}</b>"
        self.load_button.description = ui("load", lang)
        self.upload.description = ui("upload", lang)
        mb = MAX_FILE_BYTES // 2**20
        self.upload_note.value = f"<small>{escape(ui('upload_limit', lang).format(mb=mb))}</small>"
        self.save_name.description = ui("save_name", lang)
        self.save_name.style = {"description_width": "initial"}
        self.save_button.description = ui("save", lang)
        self.add_button.description = ui("add", lang)
        self.clear_button.description = ui("clear", lang)
        self.export_button.description = ui("export", lang)
        self.replace_button.description = ui("replace", lang)
        self.cancel_button.description = ui("cancel", lang)
        for box in (self.load_path, self.save_path, self.export_path):
            box.description = ui("path", lang)
        self.show_comparison(self._names)
