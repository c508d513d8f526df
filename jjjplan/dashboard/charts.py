"""matplotlib charts that update in place and render to an ``ipywidgets.Image``.

Speed matters (a lever change must redraw well within 100 ms), so each chart keeps one
``Figure`` for its whole life and only changes artist data. Data artists are *animated*: a
full draw paints everything else (axes, ticks, legend, titles) once and caches it; a later
update restores that background and draws just the data artists on top (blitting), which
is several times cheaper than a full draw. A full draw happens only when the data leave
the current axis limits (or shrink to a small part of them) or the language changes.

Figures are created with ``matplotlib.figure.Figure`` and the Agg canvas directly: no pyplot,
no backend switch, no global rcParams change (fonts go through ``rc_context``). The PNG goes
into an Image widget, which works the same in JupyterLab and Voilà.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from jjjplan.baseline import BASE_YEAR
from jjjplan.dashboard.labels import Lang, pick, province_name, ui1, unit_name
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS, VARIABLES
from jjjplan.scenario import MILESTONE_YEARS, PATHWAY_LABELS, PATHWAYS

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
SCENARIO_STYLE = {"linestyle": "-", "linewidth": 2.0}
BASELINE_STYLE = {"linestyle": "--", "linewidth": 1.3, "alpha": 0.8}
YEAR_TICKS = (BASE_YEAR, *MILESTONE_YEARS)


def png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas buffer as PNG, with fast compression (the image is re-sent on every move)."""
    w, h = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def new_limits(
    current: tuple[float, float], values: Iterable[float], include_zero: bool = False
) -> tuple[float, float] | None:
    """New axis limits when ``values`` leave ``current`` or would fit limits 2.5× narrower.

    The hysteresis keeps limits fixed while a slider moves a little, so most updates blit.
    """
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return None
    lo, hi = float(v.min()), float(v.max())
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = hi - lo
    pad = max(span * 0.12, abs(hi) * 0.01, 1e-6)
    proposed = (
        lo - pad if (lo < 0 or not include_zero) else 0.0,
        hi + pad if (hi > 0 or not include_zero) else 0.0,
    )
    if proposed[1] <= proposed[0]:  # all values equal (e.g. all zero): any visible range
        wide = max(abs(hi) * 0.1, 1e-3)
        proposed = (lo - wide, hi + wide)
    c_lo, c_hi = current
    keep = c_lo < c_hi and c_lo <= lo and hi <= c_hi
    if keep and (c_hi - c_lo) <= 2.5 * (proposed[1] - proposed[0]):
        return None
    return proposed


class Chart:
    """Base class: owns the Figure, the Image widget and the blit cache."""

    figsize: tuple[float, float] = (7.4, 3.3)
    dpi = 100

    def __init__(self, rc: dict, lang: Lang, css: str) -> None:
        self.rc = rc
        self.lang: Lang = lang
        self.dynamic: list[Artist] = []
        with rc_context(rc):
            self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
            FigureCanvasAgg(self.fig)
            self._build()
            for artist in self.dynamic:
                artist.set_animated(True)
            self._label()
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(width="100%", max_width=f"{self.figsize[0] * self.dpi:.0f}px"),
        )
        self.image.add_class(css)
        self._background = None
        self._full = True
        #: True when the data changed since the last render (the view was hidden).
        self.stale = True
        self._data: tuple | None = None

    # -- subclass hooks --------------------------------------------------------------------
    def _build(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _label(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_data(self, *data) -> bool:  # pragma: no cover - abstract
        """Update artists; return True if axis limits changed (a full redraw is needed)."""
        raise NotImplementedError

    # -- public ----------------------------------------------------------------------------
    def set_data(self, *data) -> None:
        """Remember new data; :meth:`render` draws it."""
        self._data = data
        self.stale = True

    def render(self) -> None:
        """Draw pending data into the Image widget (full draw only when limits changed)."""
        if self._data is None:
            return
        with rc_context(self.rc):
            if self._set_data(*self._data):
                self._full = True
            canvas = self.fig.canvas
            if self._full or self._background is None:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
                self._full = False
            else:
                canvas.restore_region(self._background)
            for artist in self.dynamic:
                if artist.get_visible():
                    artist.axes.draw_artist(artist)
            self.image.value = png_bytes(canvas)
        self.stale = False

    def relabel(self, lang: Lang) -> None:
        """Switch chart text to ``lang`` (a full redraw follows on the next render)."""
        self.lang = lang
        with rc_context(self.rc):
            self._label()
        self._full = True
        self.stale = True

    def close(self) -> None:
        """Drop the figure's artists (figures are not registered with pyplot)."""
        self.fig.clear()


def _limits(ax: Axes, values: Iterable[float], include_zero: bool = False) -> bool:
    lim = new_limits(ax.get_ylim(), values, include_zero)
    if lim is not None:
        ax.set_ylim(*lim)
    return lim is not None


def _style_legend(lang: Lang, colors_labels: Sequence[tuple[str, str]]) -> list[Artist]:
    handles: list[Artist] = [
        Line2D([], [], color=c, label=label, linewidth=2) for c, label in colors_labels
    ]
    handles.append(Line2D([], [], color="#444", label=ui1("scenario", lang), **SCENARIO_STYLE))
    handles.append(Line2D([], [], color="#444", label=ui1("baseline", lang), **BASELINE_STYLE))
    return handles


class GapChart(Chart):
    """Theil T with its between/within-province split, and the Williamson CV, over time."""

    measures = ("theil_t", "theil_t_between", "theil_t_within")

    def _build(self) -> None:
        self.ax, self.ax_cv = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
        self.fig.subplots_adjust(left=0.07, right=0.98, top=0.88, bottom=0.3, wspace=0.25)
        self.lines = {}
        for color, m in zip(COLORS, (*self.measures, "cv_weighted"), strict=False):
            ax = self.ax_cv if m == "cv_weighted" else self.ax
            color = COLORS[3] if m == "cv_weighted" else color
            self.lines[m] = (
                ax.plot([], [], color=color, **SCENARIO_STYLE)[0],
                ax.plot([], [], color=color, **BASELINE_STYLE)[0],
            )
        self.dynamic = [line for pair in self.lines.values() for line in pair]
        for ax in (self.ax, self.ax_cv):
            ax.set_xticks(YEAR_TICKS)
        self.legend = None

    def _label(self) -> None:
        lang = self.lang
        self.ax.set_title(ui1("gaps_title", lang))
        self.ax_cv.set_title(pick(GAP_MEASURE_LABELS["cv_weighted"], lang))
        if self.legend is not None:
            self.legend.remove()
        pairs = [
            (COLORS[i], pick(GAP_MEASURE_LABELS[m], lang)) for i, m in enumerate(self.measures)
        ]
        self.legend = self.fig.legend(
            handles=_style_legend(lang, pairs), loc="lower center", ncol=3, fontsize=8
        )

    def _set_data(self, years, scen, base) -> bool:
        changed = False
        for m, (s_line, b_line) in self.lines.items():
            s_line.set_data(years, scen[m])
            b_line.set_data(years, base[m])
        if years[0] != self.ax.get_xlim()[0] or years[-1] != self.ax.get_xlim()[1]:
            for ax in (self.ax, self.ax_cv):
                ax.set_xlim(years[0], years[-1])
            changed = True
        values = np.concatenate([np.r_[scen[m], base[m]] for m in self.measures])
        changed |= _limits(self.ax, values)
        changed |= _limits(self.ax_cv, np.r_[scen["cv_weighted"], base["cv_weighted"]])
        return changed


class RatioChart(Chart):
    """Beijing/Hebei and Tianjin/Hebei per-capita GDP ratios over time."""

    ratios = ("bj_he_ratio", "tj_he_ratio")
    figsize = (7.4, 3.0)

    def _build(self) -> None:
        self.ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.22)
        self.lines = {
            r: (
                self.ax.plot([], [], color=c, **SCENARIO_STYLE)[0],
                self.ax.plot([], [], color=c, **BASELINE_STYLE)[0],
            )
            for c, r in zip(COLORS, self.ratios, strict=False)
        }
        self.dynamic = [line for pair in self.lines.values() for line in pair]
        self.ax.set_xticks(YEAR_TICKS)
        self.legend = None

    def _label(self) -> None:
        self.ax.set_title(ui1("ratio_title", self.lang))
        if self.legend is not None:
            self.legend.remove()
        pairs = [(COLORS[i], pick(RATIO_LABELS[r], self.lang)) for i, r in enumerate(self.ratios)]
        self.legend = self.fig.legend(
            handles=_style_legend(self.lang, pairs), loc="lower center", ncol=4, fontsize=8
        )

    def _set_data(self, years, scen, base) -> bool:
        for r, (s_line, b_line) in self.lines.items():
            s_line.set_data(years, scen[r])
            b_line.set_data(years, base[r])
        changed = tuple(self.ax.get_xlim()) != (years[0], years[-1])
        if changed:
            self.ax.set_xlim(years[0], years[-1])
        values = np.concatenate([np.r_[scen[r], base[r]] for r in self.ratios])
        return _limits(self.ax, values) or changed


class BarChart(Chart):
    """Grouped bars (scenario vs baseline or several items) with fixed categories."""

    def _bars(self, n_groups: int, series: Sequence[str]) -> list:
        width = 0.8 / len(series)
        x = np.arange(n_groups)
        groups = []
        for k, color in enumerate(series):
            bars = self.ax.bar(
                x + (k - (len(series) - 1) / 2) * width,
                np.zeros(n_groups),
                width=width,
                color=color,
            )
            groups.append(list(bars))
        self.ax.set_xticks(x)
        self.ax.axhline(0, color="#888", linewidth=0.8)
        return groups

    @staticmethod
    def _heights(bars: list, values: Sequence[float]) -> None:
        for bar, v in zip(bars, values, strict=True):
            bar.set_y(min(0.0, float(v)))
            bar.set_height(abs(float(v)))


class PerCapitaChart(BarChart):
    """GDP per capita by unit in 2035, scenario vs baseline (万元/person)."""

    figsize = (7.4, 3.2)

    def __init__(self, rc: dict, lang: Lang, css: str, units: Sequence[str]) -> None:
        self.units = tuple(units)
        super().__init__(rc, lang, css)

    def _build(self) -> None:
        self.ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.25)
        self.scen_bars, self.base_bars = self._bars(len(self.units), (COLORS[0], "#bbbbbb"))
        self.dynamic = [*self.scen_bars, *self.base_bars]
        self.legend = None

    def _label(self) -> None:
        self.ax.set_title(ui1("percap_title", self.lang))
        self.ax.set_xticklabels(
            [unit_name(u, self.lang, style="one") for u in self.units], rotation=40, ha="right"
        )
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.ax.legend(
            handles=[
                Patch(color=COLORS[0], label=ui1("scenario", self.lang)),
                Patch(color="#bbbbbb", label=ui1("baseline", self.lang)),
            ],
            loc="upper right",
            fontsize=8,
        )

    def _set_data(self, scen, base) -> bool:
        self._heights(self.scen_bars, scen)
        self._heights(self.base_bars, base)
        return _limits(self.ax, np.r_[scen, base], include_zero=True)


class LedgerChart(BarChart):
    """Cumulative shares received, shares paid, compensation and Δ net revenue by province."""

    items = ("shares_received", "shares_paid", "compensation", "net_change")
    figsize = (7.4, 3.2)

    def _build(self) -> None:
        self.ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.1, right=0.99, top=0.88, bottom=0.2)
        self.groups = self._bars(3, COLORS[: len(self.items)])
        self.dynamic = [bar for group in self.groups for bar in group]
        self.legend = None

    def _label(self) -> None:
        lang = self.lang
        self.ax.set_title(ui1("ledger_title", lang))
        self.ax.set_xticklabels([province_name(p, lang) for p in ("BJ", "TJ", "HE")])
        names = [pick(VARIABLES[i][:2], lang) for i in self.items[:3]]
        names.append(ui1("ledger_delta", lang))
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.ax.legend(
            handles=[Patch(color=c, label=n) for c, n in zip(COLORS, names, strict=False)],
            loc="best",
            fontsize=8,
            ncol=2,
        )

    def _set_data(self, table) -> bool:
        """``table``: item -> 3 values (BJ, TJ, HE); shares paid are shown as negatives."""
        values = []
        for item, bars in zip(self.items, self.groups, strict=True):
            v = np.asarray(table[item], dtype=float)
            v = -v if item == "shares_paid" else v
            self._heights(bars, v)
            values.append(v)
        return _limits(self.ax, np.concatenate(values), include_zero=True)


class ContributionChart(BarChart):
    """Shapley contributions of the four pathways to the 2035 change in Theil T."""

    figsize = (7.4, 3.0)

    def _build(self) -> None:
        self.ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.1, right=0.99, top=0.88, bottom=0.15)
        (self.bars,) = self._bars(len(PATHWAYS) + 1, (COLORS[0],))
        self.bars[-1].set_color("#555555")
        self.texts = [
            self.ax.text(i, 0, "", ha="center", va="bottom", fontsize=8)
            for i in range(len(self.bars))
        ]
        self.dynamic = [*self.bars, *self.texts]

    def _label(self) -> None:
        self.ax.set_title(ui1("contrib_title", self.lang))
        names = [pick(PATHWAY_LABELS[p], self.lang) for p in PATHWAYS]
        self.ax.set_xticklabels([*names, ui1("total", self.lang)])

    def _set_data(self, values) -> bool:
        self._heights(self.bars, values)
        changed = _limits(self.ax, values, include_zero=True)
        lo, hi = self.ax.get_ylim()
        for i, (text, v) in enumerate(zip(self.texts, values, strict=True)):
            text.set_text(f"{v:+.4f}")
            text.set_position((i, v + (hi - lo) * (0.02 if v >= 0 else -0.08)))
        return changed
