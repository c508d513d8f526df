"""The uncertainty row above the charts: how many assumption draws, and P(better than baseline).

With draws > 0 every lever release also projects the scenario (and the baseline) under that
many draws of the uncertain assumptions (:func:`jjjplan.uncertainty.dashboard_bands` and
:func:`~jjjplan.uncertainty.dashboard_probability`, one batched run each; the design is
cached, so only the levers change) and the gap charts shade the 5–95% and 25–75% bands.
0 switches it off, which keeps a lever release at model speed.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import pandas as pd

from jjjplan.dashboard.labels import Lang, both, ui
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS
from jjjplan.scenario import Scenario

#: Choices of the draws control (0 = off).
DRAW_CHOICES = (0, 100, 200, 500)
#: Fixed seed: the same settings always give the same bands.
SEED = 0
#: Outcomes of the probability readout.
READOUT = ("theil_t", "bj_he_ratio")


class UncertaintyPanel:
    """Draws dropdown and the probability readout; :meth:`compute` runs the ensembles."""

    def __init__(self, lang: Lang) -> None:
        self.draws = widgets.Dropdown(
            options=[(str(n), n) for n in DRAW_CHOICES],
            value=0,
            layout=widgets.Layout(width="auto"),
        )
        #: True while captions change (the dropdown's value is put back; not a planner's move).
        self.relabelling = False
        self.draws.add_class("jjj-draws")
        self.readout = widgets.HTML()
        self.readout.add_class("jjj-p-better")
        self.widget = widgets.HBox(
            [self.draws, self.readout], layout=widgets.Layout(align_items="center")
        )
        #: Last probability table (index year, column per outcome), None when off.
        self.probability: pd.DataFrame | None = None
        #: The scenario's projected draws of the last update (for the targets' P(met)),
        #: None when off.
        self.outcomes = None
        self.relabel(lang)

    def compute(self, scenario: Scenario, baseline: Scenario, data=None) -> pd.DataFrame | None:
        """Bands of ``scenario`` (None when draws is 0); updates the probability readout and
        keeps the scenario's draws (:attr:`outcomes`) for the targets table."""
        from jjjplan.dashboard.draws import evaluate_draws

        n = int(self.draws.value)
        if n == 0:
            self.probability = self.outcomes = None
            self._show()
            return None
        found = evaluate_draws(scenario, baseline, n, SEED, data=data)  # one evaluation
        self.probability, self.outcomes = found.probability, found.outcomes
        self._show()
        return found.bands

    def relabel(self, lang: Lang) -> None:
        self.lang = lang
        value = self.draws.value
        off = ui("draws_off", lang)
        self.relabelling = True
        try:
            self.draws.options = [(f"0 ({off})" if n == 0 else str(n), n) for n in DRAW_CHOICES]
            self.draws.value = value
        finally:
            self.relabelling = False
        self.draws.description = ui("draws", lang)
        self.draws.style = {"description_width": "initial"}
        self._show()

    def _show(self) -> None:
        p = self.probability
        if p is None or len(p) == 0:
            self.readout.value = ""
            return
        lang, year = self.lang, int(p.index[-1])
        labels = {**GAP_MEASURE_LABELS, **RATIO_LABELS}
        parts = " · ".join(
            f"{escape(both(labels[k], lang))} <b>{p[k].iloc[-1]:.0%}</b>" for k in READOUT
        )
        note = escape(ui("p_better_note", lang))
        self.readout.value = (
            f"<span title='{note}'>&nbsp;<b>{escape(ui('p_better', lang))}</b> {year}: "
            f"{parts}</span>"
        )
