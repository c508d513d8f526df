"""Browser-drawn charts: plotly ``FigureWidget``\\ s whose data are updated in place.

The browser draws every chart (plotly.js ships inside the plotly wheel and reaches the page
through the widget, so nothing is fetched from the network): hover values, zoom and PNG
export come from plotly's toolbar, and Chinese text is set by the browser's own fonts, so
the server needs no CJK font. A lever change sends one message per chart holding only the
values that changed (:meth:`Chart._send`: the scenario's lines, not the unchanged baseline,
years or empty bands); the figure and its traces are built once. Titles, legends and tick
labels change only on a language switch.

The line charts (Theil T, ratios) set their y ranges here, to the values plotly's autorange
gives (:func:`auto_range`), so a release that moves only y values is one instant
``Plotly.animate``: plotly.js redraws the paths and axes in place instead of the whole
figure (its full redraw, mostly axis and legend text measurement, was most of a release's
time in the page). An axis the planner zoomed keeps their range until they autoscale it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from copy import deepcopy
from functools import cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from jjjplan.baseline import BASE_YEAR
from jjjplan.dashboard.labels import UI, Lang, both, pick, province_name, title, ui1, unit_name
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS, VARIABLES
from jjjplan.scenario import END_YEAR, MILESTONE_YEARS, PATHWAY_LABELS, PATHWAYS

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
BASELINE_GREY = "#9e9e9e"
YEAR_TICKS = (BASE_YEAR, *MILESTONE_YEARS)
#: Browser fonts with Chinese glyphs, simplified Chinese first (whichever the planner has).
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", "SimHei", sans-serif'
)
HEIGHT = 380
#: Auto-range padding plotly.js adds on each side: the data span fills the middle 90% of the
#: axis (5% of its length each side), so the padding is span * 0.05 / 0.9 (see
#: :func:`auto_range`; equal to plotly's own range for line traces, checked in the browser).
AUTO_PAD = 0.05 / 0.9
#: plotly.animate options for a data-only update: no transition, no full redraw afterwards.
#: The traces' paths and the axes are redrawn in place (about half the time of a full
#: ``Plotly.update`` redraw of these charts, measured by benchmarks/bench_dashboard.py).
INSTANT = {"transition": {"duration": 0}, "frame": {"duration": 0, "redraw": False}}
#: Seconds after an update before the chart's full state is re-synced (see Chart._publish):
#: long enough not to compete with the next release while a planner drags.
PUBLISH_DELAY_S = 1.0


@cache
def figure_class() -> type[go.FigureWidget]:
    """``FigureWidget``, loading plotly's widget module by URL when the dashboard server
    publishes it (``JJJPLAN_ASSETS_URL``, set by ``jjjplan dashboard``): the browser then
    fetches and compiles it once for all charts. In JupyterLab the module travels with each
    chart as usual."""
    url = os.environ.get("JJJPLAN_ASSETS_URL")
    if not url:
        return go.FigureWidget
    attrs = {"_esm": f"{url}widgetbundle.js", "__module__": __name__}
    return type("FigureWidget", (go.FigureWidget,), attrs)


def plot_config(name: str) -> dict:
    """plotly toolbar: PNG export named after the chart, no plotly logo or cloud links."""
    return {
        "responsive": True,
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"jjjplan-{name}", "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }


def auto_range(series: Sequence[np.ndarray]) -> list[float] | None:
    """The y range plotly's autorange gives line traces holding ``series`` (None: no finite
    values, or a flat line, which plotly pads its own way)."""
    finite = [a[np.isfinite(a)] for a in (np.asarray(v, dtype=float) for v in series)]
    finite = [a for a in finite if a.size]
    if not finite:
        return None
    lo = float(min(a.min() for a in finite))
    hi = float(max(a.max() for a in finite))
    if not hi > lo:
        return None
    pad = (hi - lo) * AUTO_PAD
    return [lo - pad, hi + pad]


def base_layout(height: int = HEIGHT) -> dict:
    """Layout shared by all charts: browser CJK fonts, room for two-line titles and legends."""
    return {
        "height": height,
        "autosize": True,
        "font": {"family": FONT_FAMILY, "size": 12},
        "margin": {"l": 60, "r": 20, "t": 70, "b": 40},
        "template": "plotly_white",
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "hovermode": "x unified",
    }


#: Uncertainty bands: (catalogue key, lower quantile, upper quantile, fill opacity).
BANDS = (("band_90", 0.05, 0.95, 0.15), ("band_50", 0.25, 0.75, 0.3))


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def add_band_traces(fig: go.FigureWidget, color: str, **where) -> int:
    """Append the empty band traces (a lower edge, then an upper edge filled down to it, per
    band) and return the index of the first; ``where`` places them in a subplot."""
    start = len(fig.data)
    for key, _, _, alpha in BANDS:
        edge = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "legendgroup": key}
        fig.add_scatter(showlegend=False, **edge, **where)
        fig.add_scatter(fill="tonexty", fillcolor=_rgba(color, alpha), **edge, **where)
    return start


def label_band_traces(fig: go.FigureWidget, start: int, lang: Lang) -> None:
    """Legend names of the bands (on the upper edge, the trace that carries the fill)."""
    for k, (key, *_) in enumerate(BANDS):
        fig.data[start + 2 * k + 1].name = ui1(key, lang)


def update_band_traces(chart: Chart, start: int, band) -> None:
    """``band``: None (bands off: traces emptied) or a DataFrame indexed by year with one
    column per quantile (as from :func:`jjjplan.uncertainty.dashboard_bands`)."""
    for k, (_, lo, hi, _) in enumerate(BANDS):
        lower, upper = start + 2 * k, start + 2 * k + 1
        if band is None or len(band) == 0:
            chart._send(lower, x=[], y=[])
            chart._send(upper, x=[], y=[])
            continue
        x = list(map(int, band.index))
        chart._send(lower, x=x, y=band[lo].to_numpy())
        chart._send(upper, x=x, y=band[hi].to_numpy())


def _line(color: str, baseline: bool) -> dict:
    if baseline:
        return {"color": color, "width": 1.5, "dash": "dash"}
    return {"color": color, "width": 2.5}


class Chart:
    """Base: one FigureWidget, pending data, and a stale flag for views not on screen."""

    name = "chart"

    def __init__(self, lang: Lang, css: str) -> None:
        self.lang: Lang = lang
        self.fig = self._figure()
        # Tick labels are never hidden at the page's edge (the margins leave room): plotly's
        # default check measures every label against the page on each redraw, a quarter of
        # a line chart's redraw time in Chromium.
        self.fig.update_xaxes(ticklabeloverflow="allow")
        self.fig.update_yaxes(ticklabeloverflow="allow")
        self.fig._config = plot_config(self.name)
        self.fig.add_class(css)
        self.widget = self.fig
        #: True when the data changed since the last render (the view was hidden).
        self.stale = True
        self._data: tuple | None = None
        self._publish_pending = False
        #: (trace index, property) -> the values last sent (see :meth:`_send`).
        self._sent: dict[tuple[int, str], np.ndarray] = {}
        #: Trace edits of the update being built (:meth:`_render_lines`), None outside one.
        self._queue: dict[int, dict] | None = None
        #: y axis -> the range :meth:`_render_lines` last set on it (see :meth:`_follows_data`).
        self._ranges: dict[str, list[float] | None] = {}
        self._label()
        self._publish()

    # -- subclass hooks --------------------------------------------------------------------
    def _figure(self) -> go.FigureWidget:  # pragma: no cover - abstract
        raise NotImplementedError

    def _label(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, *data) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- public ----------------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The chart's title text as shown."""
        return self.fig.layout.title.text or ""

    def set_data(self, *data) -> None:
        """Remember new data; :meth:`render` sends it to the browser."""
        self._data = data
        self.stale = True

    #: True for line charts that set their own y ranges and may update instantly
    #: (:meth:`_render_lines`).
    instant_updates = False

    def render(self) -> None:
        """Send pending data to the browser in one message."""
        if self._data is None:
            return
        if self.instant_updates:
            self._render_lines()
        else:
            with self.fig.batch_update():
                self._update(*self._data)
        self._publish_soon()
        self.stale = False

    def _render_lines(self) -> None:
        """Line charts: the changed traces and the y ranges plotly's autorange would give
        (:func:`auto_range`, set here so plotly.js need not redraw everything to find them).
        When only y arrays change, one instant ``Plotly.animate`` (the paths and the axes are
        redrawn in place, about half the time of a full redraw); otherwise one
        ``Plotly.update``. An axis the planner zoomed or panned keeps their range."""
        self._queue = {}
        try:
            self._update(*self._data)
            queue = self._queue
        finally:
            self._queue = None
        if not queue:
            return
        ranges = self._data_ranges()
        if (
            all(set(p) == {"y"} for p in queue.values())
            and None not in ranges.values()
            and all(t.get("y") is not None for t in self.fig._data)
        ):
            self._animate(queue, ranges)
        else:
            with self.fig.batch_update():
                for k, props in queue.items():
                    self.fig.data[k].update(**props)
                for axis, r in ranges.items():
                    if r is None:  # nothing to span: plotly's own autorange
                        self.fig.layout[axis].update(range=None, autorange=True)
                    else:
                        self.fig.layout[axis].update(range=r, autorange=False)
        self._ranges.update(ranges)

    def _animate(self, queue: dict[int, dict], ranges: dict[str, list[float]]) -> None:
        """One instant ``Plotly.animate`` (:data:`INSTANT`) of the new y values and ranges.

        It names every trace, in order, unchanged ones with their current y: plotly.js
        re-orders the traces an animation names in front of the others, which would change
        which line is drawn on top. The values (float arrays from the model) go straight to
        the figure's state and message, as plotly.py's own ``batch_animate`` does after
        validating them: its property validation cost more than the rest of an update."""
        fig = self.fig
        ys = [
            np.array(queue[k]["y"], dtype=float) if k in queue else trace["y"]
            for k, trace in enumerate(fig._data)
        ]
        layout: dict[str, object] = {}
        for axis, r in ranges.items():
            layout[f"{axis}.range"] = r
            layout[f"{axis}.autorange"] = False
        traces = list(range(len(ys)))
        fig._perform_plotly_update({"y": ys}, layout, traces)
        fig._send_animate_msg(
            styles_data=[{"y": y} for y in ys],
            relayout_data=layout,
            trace_indexes=traces,
            animation_opts=deepcopy(INSTANT),
        )

    # The helpers below read the figure's own dicts (``fig._data``, ``fig._layout``, which
    # also take the planner's zoom and legend clicks from the page): plotly.py's property
    # objects cost more than the rest of an update.
    def _y_axis(self, k: int) -> str:
        """Layout name (``yaxis``, ``yaxis2``) of trace ``k``'s y axis."""
        return "yaxis" + (self.fig._data[k].get("yaxis") or "y")[1:]

    def _follows_data(self, axis: str) -> bool:
        """False once the planner zoomed or panned the axis in the page (its range is then
        not the one set here) until they double-click it back to autoscale."""
        layout = self.fig._layout.get(axis) or {}
        shown = layout.get("range")
        if layout.get("autorange") is True or shown is None:
            return True
        return list(shown) == self._ranges.get(axis)

    def _data_ranges(self) -> dict[str, list[float] | None]:
        """y axis -> the autorange of its visible traces' values as sent (None: nothing to
        span), for the axes that follow the data."""
        traces = self.fig._data
        axes = [self._y_axis(k) for k in range(len(traces))]
        return {
            axis: auto_range(
                [
                    self._sent.get((k, "y"), ())
                    for k, trace in enumerate(traces)
                    if axes[k] == axis and trace.get("visible", True) is True
                ]
            )
            for axis in dict.fromkeys(axes)
            if self._follows_data(axis)
        }

    def relabel(self, lang: Lang) -> None:
        """Switch titles, legend names and tick labels to ``lang``."""
        self.lang = lang
        with self.fig.batch_update():
            self._label()
        self._publish()

    def _send(self, k: int, **props) -> None:
        """Set trace ``k``'s numeric ``props``, leaving out those equal to what was sent
        last: a lever moves the scenario's lines only, so the baseline's, the years and
        empty bands stay off the wire and out of the browser's redraw work."""
        changed = {}
        for key, value in props.items():
            arr = np.asarray(value, dtype=float)
            last = self._sent.get((k, key))
            if last is None or last.shape != arr.shape or not np.array_equal(last, arr, True):
                changed[key] = value
                self._sent[(k, key)] = arr
        if not changed:
            return
        if self._queue is not None:
            self._queue.setdefault(k, {}).update(changed)
        else:
            self.fig.data[k].update(**changed)

    def _publish_soon(self) -> None:
        """:meth:`_publish` once the current callback is done (the page gets the chart's
        edit first), or now when no event loop runs (plain Python)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._publish()
            return
        if not self._publish_pending:
            self._publish_pending = True
            loop.call_later(PUBLISH_DELAY_S, self._publish)

    def _publish(self) -> None:
        """Make the widget's synced state the whole current figure.

        A FigureWidget sends changes as edit messages and syncs its full data and layout
        only when built. Voilà runs the notebook *before* the page connects, so the page
        would draw the figure as first built and miss every edit made before it connected
        (or after a reload). The state is a few kilobytes, so it is simply re-sent.
        """
        self._publish_pending = False
        self.fig._widget_data = deepcopy(self.fig._data)
        self.fig._widget_layout = deepcopy(self.fig._layout)


def _names(traces: Sequence, pairs: Sequence[tuple[str, str]], lang: Lang) -> None:
    """Legend names 'measure (scenario)' / 'measure (baseline)' for (scenario, baseline) pairs."""
    scen, base = ui1("scenario", lang), ui1("baseline", lang)
    for k, pair in enumerate(pairs):
        label = pick(pair, lang)
        traces[2 * k].name = f"{label} · {scen}"
        traces[2 * k + 1].name = f"{label} · {base}"


class GapChart(Chart):
    """Theil T with its between/within-province split, and the Williamson CV, over time."""

    name = "gaps"
    instant_updates = True
    measures = ("theil_t", "theil_t_between", "theil_t_within")

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(
            make_subplots(
                rows=1,
                cols=2,
                column_widths=[0.62, 0.38],
                horizontal_spacing=0.1,
                subplot_titles=(" ", " "),
            )
        )
        fig.update_layout(**base_layout(420))
        for color in COLORS[: len(self.measures)]:
            for baseline in (False, True):
                fig.add_scatter(mode="lines", line=_line(color, baseline), row=1, col=1)
        for baseline in (False, True):
            fig.add_scatter(mode="lines", line=_line(COLORS[3], baseline), row=1, col=2)
        fig.update_traces(hovertemplate="%{y:.4f}")
        self.band_start = add_band_traces(fig, COLORS[0], row=1, col=1)  # Theil T
        fig.update_xaxes(tickvals=YEAR_TICKS)
        fig.update_yaxes(tickformat=".3f", row=1, col=1)
        fig.update_yaxes(tickformat=".4f", row=1, col=2)
        fig.update_annotations(font_size=12)
        return fig

    def _label(self) -> None:
        lang = self.lang
        self.fig.layout.title.text = title(UI["gaps_title"], lang)
        pairs = [GAP_MEASURE_LABELS[m] for m in (*self.measures, "cv_weighted")]
        _names(self.fig.data, pairs, lang)
        left, right = self.fig.layout.annotations
        left.text = pick(GAP_MEASURE_LABELS["theil_t"], lang)
        right.text = pick(GAP_MEASURE_LABELS["cv_weighted"], lang)
        label_band_traces(self.fig, self.band_start, lang)

    def _update(self, years, scen, base, band=None) -> None:
        """``band``: Theil T quantiles by year (None: no bands)."""
        x = list(map(int, years))
        for k, m in enumerate((*self.measures, "cv_weighted")):
            self._send(2 * k, x=x, y=scen[m])
            self._send(2 * k + 1, x=x, y=base[m])
        update_band_traces(self, self.band_start, band)


class RatioChart(Chart):
    """Beijing/Hebei and Tianjin/Hebei per-capita GDP ratios over time."""

    name = "ratios"
    instant_updates = True
    ratios = ("bj_he_ratio", "tj_he_ratio")

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(layout=base_layout())
        for color, _ in zip(COLORS, self.ratios, strict=False):
            for baseline in (False, True):
                fig.add_scatter(mode="lines", line=_line(color, baseline), hovertemplate="%{y:.3f}")
        fig.update_xaxes(tickvals=YEAR_TICKS)
        self.band_start = add_band_traces(fig, COLORS[0])  # Beijing/Hebei
        return fig

    def _label(self) -> None:
        self.fig.layout.title.text = title(UI["ratio_title"], self.lang)
        _names(self.fig.data, [RATIO_LABELS[r] for r in self.ratios], self.lang)
        label_band_traces(self.fig, self.band_start, self.lang)

    def _update(self, years, scen, base, band=None) -> None:
        """``band``: Beijing/Hebei ratio quantiles by year (None: no bands)."""
        x = list(map(int, years))
        for k, r in enumerate(self.ratios):
            self._send(2 * k, x=x, y=scen[r])
            self._send(2 * k + 1, x=x, y=base[r])
        update_band_traces(self, self.band_start, band)


class PerCapitaChart(Chart):
    """GDP per capita by unit in 2035, scenario vs baseline bars (万元/person)."""

    name = "per-capita-2035"

    def __init__(self, lang: Lang, css: str, units: Sequence[str]) -> None:
        self.units = tuple(units)
        super().__init__(lang, css)

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(layout={**base_layout(), "barmode": "group", "hovermode": "x"})
        fig.add_bar(marker_color=COLORS[0], hovertemplate="%{x}: %{y:.2f}")
        fig.add_bar(marker_color=BASELINE_GREY, hovertemplate="%{x}: %{y:.2f}")
        fig.update_layout(margin={"b": 90})
        return fig

    def _label(self) -> None:
        lang = self.lang
        self.fig.layout.title.text = title(UI["percap_title"], lang)
        names = [unit_name(u, lang, style="one") for u in self.units]
        self.fig.data[0].update(x=names, name=ui1("scenario", lang))
        self.fig.data[1].update(x=names, name=ui1("baseline", lang))
        self.fig.layout.legend.update(y=1.0, x=1.0, xanchor="right", yanchor="bottom")

    def _update(self, scen, base) -> None:
        self._send(0, y=np.asarray(scen, dtype=float))
        self._send(1, y=np.asarray(base, dtype=float))


class LedgerChart(Chart):
    """Cumulative shares received, shares paid, compensation and Δ net revenue by province."""

    name = "fiscal-ledger"
    items = ("shares_received", "shares_paid", "compensation", "net_change")

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(layout={**base_layout(), "barmode": "group", "hovermode": "x"})
        for color, _ in zip(COLORS, self.items, strict=False):
            fig.add_bar(marker_color=color, hovertemplate="%{y:,.1f}")
        return fig

    def _label(self) -> None:
        lang = self.lang
        self.fig.layout.title.text = title(UI["ledger_title"], lang)
        provinces = [province_name(p, lang) for p in ("BJ", "TJ", "HE")]
        names = [pick(VARIABLES[i][:2], lang) for i in self.items[:3]]
        names.append(ui1("ledger_delta", lang))
        for trace, name in zip(self.fig.data, names, strict=True):
            trace.update(x=provinces, name=name)

    def _update(self, table) -> None:
        """``table``: item -> 3 values (BJ, TJ, HE); shares paid are shown as negatives."""
        for k, item in enumerate(self.items):
            v = np.asarray(table[item], dtype=float)
            self._send(k, y=-v if item == "shares_paid" else v)


class ContributionChart(Chart):
    """Shapley contributions of the four pathways to the 2035 change in Theil T."""

    name = "contributions"

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(layout={**base_layout(), "hovermode": "x", "showlegend": False})
        colors = [COLORS[0]] * len(PATHWAYS) + ["#555555"]
        fig.add_bar(
            marker_color=colors,
            texttemplate="%{y:+.4f}",
            textposition="outside",
            hovertemplate="%{x}: %{y:+.5f}<extra></extra>",
        )
        return fig

    def _label(self) -> None:
        lang = self.lang
        self.fig.layout.title.text = title(UI["contrib_title"], lang)
        names = [pick(PATHWAY_LABELS[p], lang) for p in PATHWAYS]
        self.fig.data[0].x = [*names, ui1("total", lang)]

    def _update(self, values) -> None:
        self.fig.data[0].y = np.asarray(values, dtype=float)


class CompareChart(Chart):
    """Theil T over time for every scenario in the comparison (side by side with baseline)."""

    name = "comparison"

    def _figure(self) -> go.FigureWidget:
        fig = figure_class()(layout=base_layout())
        fig.update_xaxes(tickvals=YEAR_TICKS)
        fig.update_yaxes(tickformat=".3f")
        return fig

    def _label(self) -> None:
        self.fig.layout.title.text = title(UI["compare_title"], self.lang)
        if self.fig.data:
            self.fig.data[0].name = both(UI["baseline"], self.lang)

    def _update(self, years, base, series: dict[str, np.ndarray]) -> None:
        """``series``: scenario name -> Theil T by year (in comparison order)."""
        x = list(map(int, years))
        wanted = 1 + len(series)
        if len(self.fig.data) != wanted:  # the list changed: rebuild the traces
            self.fig.data = ()
            self.fig.add_scatter(line=_line(BASELINE_GREY, True))
            for k in range(len(series)):
                self.fig.add_scatter(line=_line(COLORS[k % len(COLORS)], False))
            self.fig.update_traces(mode="lines", hovertemplate="%{y:.4f}")
        self.fig.data[0].update(x=x, y=base, name=both(UI["baseline"], self.lang))
        for trace, (name, y) in zip(self.fig.data[1:], series.items(), strict=True):
            trace.update(x=x, y=y, name=name)


class MapChart(Chart):
    """Map of the 13 units in the last year: per-capita GDP or its change versus baseline.

    Boundaries come from :func:`jjjplan.maps.unit_polygons` and are drawn as filled shapes on
    plain longitude/latitude axes (equal scale), not on a plotly ``geo`` subplot: a geo
    subplot makes plotly.js fetch its world topojson from a CDN even with the base map
    hidden, which fails offline. ``fig.data[0]`` is a marker trace carrying the colour bar
    (its marker colours are the values); one filled trace per unit follows. The values sent
    last are :attr:`locations`, :attr:`z` and :attr:`zmid`."""

    name = "map"

    def __init__(self, lang: Lang, css: str, units: Sequence[str]) -> None:
        self.units = tuple(units)
        self.locations = self.units
        self.measure = "per_capita"
        self.z: np.ndarray | None = None
        self.zmid: float | None = None
        super().__init__(lang, css)

    def _figure(self) -> go.FigureWidget:
        from jjjplan.baseline import units as unit_table
        from jjjplan.maps.geometry import unit_polygons

        fig = figure_class()(layout={**base_layout(460), "hovermode": "closest"})
        where = unit_table().loc[list(self.units)]
        fig.add_scatter(  # the values and the colour bar (markers at each unit's centre)
            x=where["lon"].to_numpy(float),
            y=where["lat"].to_numpy(float),
            mode="markers",
            marker={"size": 1, "opacity": 0, "color": [0.0] * len(self.units), "showscale": True},
            hoverinfo="skip",
            showlegend=False,
        )
        for u in self.units:
            xs: list[float | None] = []
            ys: list[float | None] = []
            for polygon in unit_polygons(u):
                ring = polygon[0]  # outer ring; holes are other units' shapes drawn on top
                xs += [x for x, _ in ring] + [None]
                ys += [y for _, y in ring] + [None]
            fig.add_scatter(
                x=xs, y=ys, fill="toself", mode="lines", hoveron="fills",
                line={"color": "white", "width": 0.8}, showlegend=False, name=u,
            )  # fmt: skip
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.3)  # ~1/cos(40°N)
        fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 50})
        return fig

    def _label(self) -> None:
        from jjjplan.maps import BOUNDARY_SOURCE, MEASURES

        lang, m = self.lang, MEASURES[self.measure]
        self.fig.layout.title.text = title((f"{END_YEAR}年{m.zh}", f"{m.en}, {END_YEAR}"), lang)
        unit = m.unit_en if lang == "en" else m.unit_zh
        self.fig.data[0].marker.colorbar.title.text = unit
        self._unit_text = unit
        self.fig.layout.annotations = ()
        self.fig.add_annotation(
            text=f"<sub>{pick(BOUNDARY_SOURCE, lang)}</sub>",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0,
            y=-0.08,
            xanchor="left",
        )
        if self.z is not None:
            self._paint(self.z)

    def set_measure(self, measure: str) -> None:
        """``"per_capita"`` or ``"change"`` (relabels; the caller sends new values)."""
        self.measure = measure
        self.relabel(self.lang)

    def _update(self, values) -> None:
        """``values``: unit code -> value of :attr:`measure` (as from ``map_values``)."""
        self.z = np.asarray([values[u] for u in self.units], dtype=float)
        self.zmid = 0.0 if self.measure == "change" else None
        self._paint(self.z)

    def _paint(self, z: np.ndarray) -> None:
        """Colour each unit's shape by its value (the colour bar uses the same scale)."""
        from plotly.colors import sample_colorscale

        if self.measure == "change":
            top = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
            scale, low, high = "RdBu", -top, top
        else:
            scale = "Blues"
            low, high = float(np.nanmin(z)), float(np.nanmax(z))
        span = (high - low) or 1.0
        colors = sample_colorscale(scale, list(np.clip((z - low) / span, 0.0, 1.0)))
        fmt = ".2f" if self.measure == "per_capita" else "+.1f"
        unit = getattr(self, "_unit_text", "")
        with self.fig.batch_update():
            self.fig.data[0].marker.update(color=z, colorscale=scale, cmin=low, cmax=high)
            for trace, u, v, c in zip(self.fig.data[1:], self.units, z, colors, strict=True):
                name = unit_name(u, self.lang, style="one")
                trace.update(fillcolor=c, text=f"{name}: {v:{fmt}} {unit}", hoverinfo="text")
