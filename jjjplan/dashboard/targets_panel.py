"""The scenario's own targets in the dashboard: projected value, met or missed, margin and —
with assumption draws on — the probability of meeting each.

Why it reuses :func:`jjjplan.excel.write.target_check.target_check`: the results workbook's
目标检查 Targets sheet and this table must agree to the digit, so both come from one
function. The probability uses the draws the bands were drawn from
(:class:`jjjplan.dashboard.draws.DashboardDraws`), never a second projection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as widgets
import pandas as pd

from jjjplan.dashboard.labels import UI, Lang, both
from jjjplan.results import Results
from jjjplan.targets import INDICATORS, REGIONAL, Target

__all__ = ["TargetsPanel", "target_table"]


def text(key: str, lang: Lang, **values: object) -> str:
    """A targets-table word (``targets_*`` in the dashboard catalogue) in mode ``lang``."""
    zh, en = UI[f"targets_{key}"]
    return both((zh.format(**values), en.format(**values)), lang)


@dataclass(frozen=True, eq=False)
class _Draws:
    """The scenario's projected draws seen as an ensemble (what ``target_check`` reads)."""

    outcomes: Any


def target_table(results: Results, draws: Any = None) -> pd.DataFrame:
    """The results workbook's target check of ``results.scenario.targets``: target,
    indicator, required, projected, margin, met and, with ``draws`` (the scenario's projected
    assumption draws, :class:`~jjjplan.uncertainty.evaluate.Outcomes`), p_met."""
    from jjjplan.excel.write.target_check import target_check

    targets = tuple(getattr(results.scenario, "targets", ()) or ())
    ensemble = _Draws(draws) if draws is not None else None
    return target_check(results, targets, ensemble=ensemble)


def _label(t: Target, lang: Lang) -> str:
    zh, en = INDICATORS.get(t.indicator) or REGIONAL.get(t.indicator) or (t.indicator,) * 2
    where = f" {t.region}" if t.region else ""
    return both((f"{zh}{where}", f"{en}{where}"), lang)


def _number(value: float, signed: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign}.4g}"


class TargetsPanel:
    """An HTML table of the scenario's targets; :meth:`show` after every update."""

    def __init__(self, lang: Lang) -> None:
        self.widget = widgets.HTML(layout=widgets.Layout(overflow="auto", width="98%"))
        self.widget.add_class("jjj-targets")
        #: The last table shown (one row per target), empty when the scenario has none.
        self.table = pd.DataFrame()
        self._targets: tuple[Target, ...] = ()
        self._draws = 0
        self.lang = lang
        self._render()

    def show(self, results: Results, draws: Any = None) -> pd.DataFrame:
        """Check ``results`` against its scenario's targets (P(met) from ``draws`` when
        given) and show the table; returns it."""
        self._targets = tuple(getattr(results.scenario, "targets", ()) or ())
        self._draws = 0 if draws is None else int(draws.indicators.shape[0])
        self.table = target_table(results, draws)
        self._render()
        return self.table

    def relabel(self, lang: Lang) -> None:
        self.lang = lang
        self._render()

    def _render(self) -> None:
        lang = self.lang
        head = f"<b>{escape(text('caption', lang))}</b>"
        if not self._targets:
            self.widget.value = (
                f"{head}<div class='jjj-targets-none' style='color:#666'>"
                f"<small>{escape(text('none', lang))}</small></div>"
            )
            return
        table = self.table
        with_p = "p_met" in table
        keys = ["indicator", "year", "required", "projected", "met", "margin"]
        keys += ["p_met"] if with_p else []
        cells = "".join(f"<th style='padding:2px 6px'>{escape(text(k, lang))}</th>" for k in keys)
        rows = []
        for t, row in zip(self._targets, table.itertuples(index=False), strict=True):
            met = bool(row.met)
            colour = "#1b5e20;background:#e8f5e9" if met else "#b71c1c;background:#fdecea"
            values = [
                escape(_label(t, lang)),
                str(t.year),
                escape(f"{t.op} {_number(t.value)}"),
                _number(row.projected),
                f"<span style='color:{colour};padding:0 4px'>"
                f"{escape(text('yes' if met else 'no', lang))}</span>",
                _number(row.margin, signed=True),
            ]
            if with_p:
                p = float(row.p_met)
                values.append(
                    f"{p:.0%}" if math.isfinite(p) else f"<i>{escape(text('not_kept', lang))}</i>"
                )
            cls = "jjj-target-met" if met else "jjj-target-missed"
            rows.append(
                f"<tr class='{cls}'>"
                + "".join(f"<td style='padding:2px 6px'>{v}</td>" for v in values)
                + "</tr>"
            )
        n_met = int(table["met"].sum())
        summary = text("summary", lang, met=n_met, n=len(table))
        note = text("draws_note", lang, draws=self._draws) if with_p else text("margin_note", lang)
        self.widget.value = (
            f"{head} <span class='jjj-targets-summary'>{escape(summary)}</span>"
            "<table style='border-collapse:collapse;font-size:12px'>"
            f"<tr style='border-bottom:1px solid #ccc'>{cells}</tr>{''.join(rows)}</table>"
            f"<small style='color:#666'>{escape(note)}</small>"
        )
