"""Baseline-data workbook controls: a path box with a load button, an upload, and a button
back to the bundled data. The dashboard does the reading (same guard as scenario loads:
:func:`jjjplan.baseline.resolve` raises ``ValidationError`` naming sheet!cell)."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from jjjplan.dashboard.labels import Lang, ui


class DataPanel:
    """Widgets only; :class:`~jjjplan.dashboard.Dashboard` wires them."""

    def __init__(self, lang: Lang) -> None:
        self.path = widgets.Text(
            placeholder="baseline-data.xlsx", layout=widgets.Layout(width="98%")
        )
        self.path.add_class("jjj-data-path")
        self.load_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.load_button.add_class("jjj-data-load")
        self.upload = widgets.FileUpload(
            accept=".xlsx", multiple=False, layout=widgets.Layout(width="auto")
        )
        self.upload.add_class("jjj-data-upload")
        self.reset_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.reset_button.add_class("jjj-data-reset")
        self.caption = widgets.HTML()
        self.widget = widgets.VBox(
            [
                self.caption,
                self.path,
                widgets.HBox(  # wraps: three buttons do not fit the left column at 1,280 px
                    [self.load_button, self.upload, self.reset_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        self.relabel(lang)

    def relabel(self, lang: Lang) -> None:
        self.caption.value = f"<b>{escape(ui('data_file', lang))}</b>"
        self.path.description = ui("path", lang)
        self.path.style = {"description_width": "initial"}
        self.load_button.description = ui("data_load", lang)
        self.upload.description = ui("data_upload", lang)
        self.reset_button.description = ui("data_reset", lang)
