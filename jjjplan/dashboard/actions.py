"""Widgets of the workbook actions: load, upload, save, add to comparison, export.

Only layout and captions live here; what the buttons do is in
:class:`jjjplan.dashboard.Dashboard` (``load_workbook``, ``load_bytes``, ``save_workbook``,
``add_to_comparison``, ``export_comparison``) so the same actions are scriptable.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from jjjplan.dashboard.labels import Lang, ui

_ROW = widgets.Layout(width="100%", align_items="center")
_PATH = widgets.Layout(flex="1 1 auto", width="auto")
_BUTTON = widgets.Layout(width="auto", flex="0 0 auto")


def _path(css: str, placeholder: str) -> widgets.Text:
    box = widgets.Text(placeholder=placeholder, layout=_PATH)
    box.add_class(css)
    return box


def _button(css: str, icon: str) -> widgets.Button:
    button = widgets.Button(icon=icon, layout=_BUTTON)
    button.add_class(css)
    return button


class ActionsPanel:
    """Path boxes and buttons; ``name`` is the scenario-name widget shared with the scenario."""

    def __init__(self, name: widgets.Widget, lang: Lang) -> None:
        self.caption = widgets.HTML()
        self.load_path = _path("jjj-load-path", "workbooks/scenario.xlsx")
        self.load_button = _button("jjj-load", "folder-open")
        self.upload = widgets.FileUpload(accept=".xlsx", multiple=False, layout=_BUTTON)
        self.upload.add_class("jjj-upload")
        self.save_path = _path("jjj-save-path", "workbooks/my_scenario.xlsx")
        self.save_button = _button("jjj-save", "save")
        self.name = name
        self.add_button = _button("jjj-add", "plus")
        self.clear_button = _button("jjj-clear", "trash")
        self.comparison = widgets.HTML()
        self.comparison.add_class("jjj-comparison")
        self.export_path = _path("jjj-export-path", "out/comparison.xlsx")
        self.export_button = _button("jjj-export", "table")
        self.widget = widgets.VBox(
            [
                self.caption,
                widgets.HBox([self.load_path, self.load_button, self.upload], layout=_ROW),
                widgets.HBox([self.save_path, self.save_button], layout=_ROW),
                widgets.HBox([self.name, self.add_button, self.clear_button], layout=_ROW),
                self.comparison,
                widgets.HBox([self.export_path, self.export_button], layout=_ROW),
            ]
        )
        self.lang: Lang = lang
        self._names: list[str] = []
        self.relabel(lang)

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
        self.save_button.description = ui("save", lang)
        self.add_button.description = ui("add", lang)
        self.clear_button.description = ui("clear", lang)
        self.export_button.description = ui("export", lang)
        for box in (self.load_path, self.save_path, self.export_path):
            box.description = ui("path", lang)
        self.show_comparison(self._names)
