"""The dashboard's result views: a key-figures table, charts in tabs, the fiscal ledger table,
and the side-by-side comparison of the scenarios added to the comparison list.

Only the chart in the selected tab is sent to the browser after a lever change; the others
are marked stale and sent when their tab is opened. The pathway-contribution view needs 16 model
runs (Shapley), so :class:`Views` never computes it: the dashboard does, only when that tab
is open or on its button (see :meth:`jjjplan.dashboard.Dashboard.compute_contributions`).
Each view shows the current settings against the baseline with the same assumptions.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import numpy as np

from jjjplan.baseline import PROVINCE_NAMES
from jjjplan.chains import PROVINCES
from jjjplan.dashboard.charts import (
    Chart,
    CompareChart,
    ContributionChart,
    GapChart,
    LedgerChart,
    MapChart,
    PerCapitaChart,
    RatioChart,
)
from jjjplan.dashboard.labels import UI, Lang, both, ui
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.maps import MEASURES
from jjjplan.results import RATIO_LABELS, VARIABLES, Results
from jjjplan.scenario import MILESTONE_YEARS, PATHWAYS

#: Tab order; the map is last so earlier tab indices (used by notebooks and tests) still hold.
TABS = ("gaps", "ratios", "percap", "ledger", "contrib", "compare", "map")
#: Map measures offered in the map tab (the target measure needs targets: not here).
MAP_MEASURES = ("per_capita", "change")
KEY_GAPS = ("theil_t", "theil_t_between", "theil_t_within", "cv_weighted")
KEY_RATIOS = ("bj_he_ratio", "tj_he_ratio")
LEDGER_ITEMS = ("own_revenue", "shares_received", "shares_paid", "compensation", "net_revenue")

_TABLE_CSS = (
    "<style>.jjj-t{border-collapse:collapse;font-size:12px}"
    ".jjj-t td,.jjj-t th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
    ".jjj-t td{white-space:nowrap}.jjj-t th{font-weight:normal;vertical-align:bottom}"
    ".jjj-t td:first-child{white-space:normal;min-width:9em}"
    ".jjj-t td:first-child,.jjj-t th:first-child{text-align:left}"
    ".jjj-d{color:#777;font-size:11px}</style>"
)


def _delta(v: float, fmt: str) -> str:
    return f"<span class='jjj-d'>({v:+{fmt}})</span>"


def key_figures(res: Results, base: Results) -> dict[str, dict[int, tuple[float, float]]]:
    """Key figure -> milestone year -> (scenario value, baseline value)."""
    out: dict[str, dict[int, tuple[float, float]]] = {}
    years = list(res.years)
    idx = [years.index(y) for y in MILESTONE_YEARS]
    for m in KEY_GAPS:
        s, b = res.gaps[m].to_numpy(), base.gaps[m].to_numpy()
        out[m] = {y: (float(s[i]), float(b[i])) for y, i in zip(MILESTONE_YEARS, idx, strict=True)}
    for r in KEY_RATIOS:
        s, b = res.ratios[r].to_numpy(), base.ratios[r].to_numpy()
        out[r] = {y: (float(s[i]), float(b[i])) for y, i in zip(MILESTONE_YEARS, idx, strict=True)}
    s = res.projection.ledger["shares_received"][:, 0]
    b = base.projection.ledger["shares_received"][:, 0]
    out["bj_shares_received"] = {
        y: (float(s[i]), float(b[i])) for y, i in zip(MILESTONE_YEARS, idx, strict=True)
    }
    return out


def key_figures_html(res: Results, base: Results, lang: Lang) -> str:
    """Small table: key figures for 2025/2030/2035, each with its change versus baseline."""
    figures = key_figures(res, base)
    labels = {m: GAP_MEASURE_LABELS[m] for m in KEY_GAPS}
    labels.update({r: RATIO_LABELS[r] for r in KEY_RATIOS})
    zh, en, unit = VARIABLES["shares_received"]
    labels["bj_shares_received"] = (f"北京{zh}（{unit}）", f"Beijing {en} ({unit})")
    head = "".join(f"<th>{y}</th>" for y in MILESTONE_YEARS)
    body = []
    for key, by_year in figures.items():
        fmt = ".1f" if key == "bj_shares_received" else (".3f" if "ratio" in key else ".4f")
        cells = "".join(
            f"<td data-key='{key}:{y}'>{s:{fmt}} {_delta(s - b, fmt)}</td>"
            for y, (s, b) in by_year.items()
        )
        body.append(f"<tr><td>{escape(both(labels[key], lang))}</td>{cells}</tr>")
    caption = f"{ui('key_figures', lang)} · ({ui('change', lang)})"
    return (
        f"{_TABLE_CSS}<table class='jjj-t jjj-key-figures'><caption style='text-align:left'>"
        f"<b>{escape(caption)}</b></caption><tr><th></th>{head}</tr>{''.join(body)}</table>"
    )


def _stacked(pair: tuple[str, str], lang: Lang) -> str:
    """Column header: 中文 above English in ``both`` mode, one language otherwise."""
    if lang == "both":
        return f"{escape(pair[0])}<br><small>{escape(pair[1])}</small>"
    return escape(both(pair, lang))


def ledger_totals(res: Results) -> dict[str, np.ndarray]:
    """Ledger items summed over the projection years after the base year, per province."""
    return {k: v[1:].sum(axis=0) for k, v in res.projection.ledger.items()}


def ledger_html(res: Results, base: Results, lang: Lang) -> str:
    """Cumulative fiscal ledger by province, with who gains and who pays from sharing."""
    s, b = ledger_totals(res), ledger_totals(base)
    names = [VARIABLES[i][:2] for i in LEDGER_ITEMS] + [UI["ledger_delta"]]
    head = "".join(f"<th>{_stacked(n, lang)}</th>" for n in names) + "<th></th>"
    rows = []
    for k, prov in enumerate(PROVINCES):
        cells = "".join(f"<td>{s[i][k]:,.0f}</td>" for i in LEDGER_ITEMS)
        change = s["net_revenue"][k] - b["net_revenue"][k]
        transfer = s["shares_received"][k] - s["shares_paid"][k] + s["compensation"][k]
        verdict = ui("gains", lang) if transfer >= 0 else ui("pays", lang)
        rows.append(
            f"<tr><td>{escape(both(PROVINCE_NAMES[prov], lang))}</td>{cells}"
            f"<td data-key='net_change:{prov}'>{change:+,.1f}</td>"
            f"<td>{escape(verdict)} {abs(transfer):,.0f}</td></tr>"
        )
    return (
        f"{_TABLE_CSS}<table class='jjj-t jjj-ledger-table'><caption style='text-align:left'>"
        f"<b>{escape(ui('ledger_title', lang))}</b></caption><tr><th></th>{head}</tr>"
        f"{''.join(rows)}</table>"
    )


def contribution_values(res: Results) -> np.ndarray:
    """Shapley contributions of each pathway to the 2035 change in Theil T, then the total."""
    c = res.contributions
    last = int(res.years[-1])
    values = [float(c.loc[(last, p), "theil_t"]) for p in PATHWAYS]
    return np.array([*values, float(sum(values))])


def compare_html(runs: list[Results], base: Results, lang: Lang) -> str:
    """Key figures in 2035, one column per compared scenario (baseline first)."""
    labels = {m: GAP_MEASURE_LABELS[m] for m in KEY_GAPS}
    labels.update({r: RATIO_LABELS[r] for r in KEY_RATIOS})
    columns = [(both(UI["baseline"], lang), base), *((r.scenario.name, r) for r in runs)]
    head = "".join(f"<th>{escape(name)}</th>" for name, _ in columns)
    rows = []
    for key, label in labels.items():
        frame = "gaps" if key in KEY_GAPS else "ratios"
        fmt = ".3f" if "ratio" in key else ".4f"
        ref = float(getattr(base, frame).loc[2035, key])
        cells = []
        for k, (_, res) in enumerate(columns):
            v = float(getattr(res, frame).loc[2035, key])
            delta = f" {_delta(v - ref, fmt)}" if k else ""
            cells.append(f"<td data-key='{key}:{k}'>{v:{fmt}}{delta}</td>")
        rows.append(f"<tr><td>{escape(both(label, lang))}</td>{''.join(cells)}</tr>")
    caption = f"2035 · {ui('tab_compare', lang)} · ({ui('change', lang)})"
    return (
        f"{_TABLE_CSS}<div style='overflow-x:auto'><table class='jjj-t jjj-compare-table'>"
        f"<caption style='text-align:left'><b>{escape(caption)}</b></caption>"
        f"<tr><th></th>{head}</tr>{''.join(rows)}</table></div>"
    )


class Views:
    """Key figures above a tab of charts; sends only what is visible to the browser."""

    def __init__(self, lang: Lang, units: tuple[str, ...]) -> None:
        self.lang: Lang = lang
        self.charts: dict[str, Chart] = {
            "gaps": GapChart(lang, "jjj-chart-gaps"),
            "ratios": RatioChart(lang, "jjj-chart-ratios"),
            "percap": PerCapitaChart(lang, "jjj-chart-percap", units),
            "map": MapChart(lang, "jjj-chart-map", units),
            "ledger": LedgerChart(lang, "jjj-chart-ledger"),
            "contrib": ContributionChart(lang, "jjj-chart-contrib"),
            "compare": CompareChart(lang, "jjj-chart-compare"),
        }
        self.key_table = widgets.HTML()
        self.key_table.add_class("jjj-key-figures")
        self.ledger_table = widgets.HTML()
        self.contrib_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.contrib_button.add_class("jjj-contrib-button")
        self.contrib_status = widgets.HTML()
        self.compare_table = widgets.HTML()
        self.compare_table.add_class("jjj-compare")
        self.map_measure = widgets.ToggleButtons(options=list(MAP_MEASURES))
        self.map_measure.style = {"button_width": "auto"}
        self.map_measure.add_class("jjj-map-measure")
        self.tabs = widgets.Tab(
            children=[
                self.charts["gaps"].widget,
                self.charts["ratios"].widget,
                self.charts["percap"].widget,
                widgets.VBox([self.charts["ledger"].widget, self.ledger_table]),
                widgets.VBox(
                    [
                        widgets.HBox([self.contrib_button, self.contrib_status]),
                        self.charts["contrib"].widget,
                    ]
                ),
                widgets.VBox([self.compare_table, self.charts["compare"].widget]),
                widgets.VBox([self.map_measure, self.charts["map"].widget]),
            ]
        )
        self.tabs.selected_index = 0
        self.widget = widgets.VBox([self.key_table, self.tabs], layout=widgets.Layout(width="100%"))
        self._res: Results | None = None
        self._base: Results | None = None
        #: Uncertainty bands of the current settings (see :meth:`show`), or None.
        self.bands = None
        self._compared: list[Results] = []
        #: True when the contributions shown are not those of the current settings.
        self.contrib_stale = True
        self.relabel(lang)

    @property
    def visible(self) -> str:
        """Name of the chart in the selected tab."""
        return TABS[self.tabs.selected_index or 0]

    def show(self, res: Results, base: Results, bands=None, *, key_figures: bool = True) -> None:
        """New results: draw the visible chart, refresh the key figures, mark the rest stale.

        ``bands``: None, or quantiles by year with columns (outcome, quantile) as from
        :func:`jjjplan.uncertainty.dashboard_bands`; Theil T and Beijing/Hebei are shaded
        (sent with the lines, in one message). ``key_figures=False``: the table was already
        refreshed by :meth:`show_key_figures`."""
        self._res, self._base = res, base
        self.bands = bands
        for name, chart in self.charts.items():
            if name not in ("contrib", "compare"):
                chart.stale = True
        self.render_visible()  # first: the chart's message leaves before the table is built
        if key_figures:
            self.show_key_figures(res, base)
        self.contrib_stale = True
        self.contrib_status.value = f"<small>{escape(ui('contrib_stale', self.lang))}</small>"

    def show_key_figures(self, res: Results, base: Results) -> None:
        """Only the key-figure table (the dashboard shows it before the draws' bands are
        computed, so the figures move at model speed)."""
        self.key_table.value = key_figures_html(res, base, self.lang)

    def show_comparison(self, runs: list[Results], base: Results) -> None:
        """The compared scenarios side by side (table of 2035 figures and Theil T lines)."""
        self._compared = list(runs)
        chart = self.charts["compare"]
        if not runs:
            self.compare_table.value = f"<small>{escape(ui('compare_empty', self.lang))}</small>"
            chart.set_data(base.years, base.gaps["theil_t"].to_numpy(), {})
        else:
            self.compare_table.value = compare_html(runs, base, self.lang)
            series = {r.scenario.name: r.gaps["theil_t"].to_numpy() for r in runs}
            chart.set_data(base.years, base.gaps["theil_t"].to_numpy(), series)
        self._compare_base = base
        if self.visible == "compare":
            chart.render()

    def render_visible(self) -> None:
        """Draw the selected tab's chart if its data changed (contributions excepted)."""
        self._render(self.visible)

    def exportable(self) -> dict[str, Chart]:
        """Every chart with current data (drawn first if stale), for image export: the
        contributions only once computed for the current settings."""
        out = {}
        for name, chart in self.charts.items():
            if name == "contrib" and self.contrib_stale:
                continue
            self._render(name)
            if chart._data is not None:
                out[name] = chart
        return out

    def _render(self, name: str) -> None:
        chart = self.charts[name]
        if name == "compare":
            if chart.stale:
                chart.render()
            return
        if name == "contrib" or self._res is None or not chart.stale:
            return
        res, base = self._res, self._base
        assert base is not None
        if name == "gaps":
            chart.set_data(
                res.years,
                _cols(res.gaps, (*GapChart.measures, "cv_weighted")),
                _cols(base.gaps, (*GapChart.measures, "cv_weighted")),
                _band(self.bands, "theil_t"),
            )
        elif name == "ratios":
            chart.set_data(
                res.years,
                _cols(res.ratios, KEY_RATIOS),
                _cols(base.ratios, KEY_RATIOS),
                _band(self.bands, "bj_he_ratio"),
            )
        elif name == "percap":
            chart.set_data(
                res.wide("gdp_per_capita").iloc[-1].to_numpy() / 1e4,
                base.wide("gdp_per_capita").iloc[-1].to_numpy() / 1e4,
            )
        elif name == "map":
            from jjjplan.maps import map_values

            chart.set_data(map_values(res, chart.measure, res.years[-1], base))
        elif name == "ledger":
            s, b = ledger_totals(res), ledger_totals(base)
            table = {i: s[i] for i in LedgerChart.items[:3]}
            table["net_change"] = s["net_revenue"] - b["net_revenue"]
            chart.set_data(table)
            self.ledger_table.value = ledger_html(res, base, self.lang)
        chart.render()

    def set_map_measure(self, measure: str) -> None:
        """Colour the map by ``measure`` (see :data:`MAP_MEASURES`)."""
        self.charts["map"].set_measure(measure)
        self.charts["map"].stale = True
        if self.visible == "map":
            self.render_visible()

    def show_contributions(self, values: np.ndarray) -> None:
        """Draw Shapley contributions (computed by the caller for the current results)."""
        chart = self.charts["contrib"]
        chart.set_data(values)
        chart.render()
        self.contrib_stale = False
        self.contrib_status.value = ""

    def relabel(self, lang: Lang) -> None:
        """Switch tables, tab titles and charts to ``lang``."""
        self.lang = lang
        for chart in self.charts.values():
            chart.relabel(lang)
        self.tabs.titles = tuple(ui(f"tab_{t}", lang) for t in TABS)
        self.contrib_button.description = ui("contrib_button", lang)
        measure = self.map_measure.value
        self.map_measure.options = [
            (both((MEASURES[m].zh, MEASURES[m].en), lang), m) for m in MAP_MEASURES
        ]
        self.map_measure.value = measure
        if self._res is not None and self._base is not None:
            self.key_table.value = key_figures_html(self._res, self._base, lang)
            if self.visible == "ledger":
                self.ledger_table.value = ledger_html(self._res, self._base, lang)
            else:
                self.charts["ledger"].stale = True
        if getattr(self, "_compare_base", None) is not None:
            self.show_comparison(self._compared, self._compare_base)
        if self.contrib_stale:
            self.contrib_status.value = f"<small>{escape(ui('contrib_stale', lang))}</small>"


def _cols(frame, names) -> dict[str, np.ndarray]:
    return {n: frame[n].to_numpy() for n in names}


def _band(bands, outcome: str):
    """One outcome's quantile columns, or None when bands are off."""
    if bands is None or len(bands) == 0:
        return None
    return bands[outcome]
