"""Line charts' instant updates: y ranges set in the kernel, zoom kept, one message each.

The Theil T and ratio charts set their own y ranges (the values plotly's autorange gives,
:func:`jjjplan.dashboard.charts.auto_range`) so a lever release that moves only y values is one
instant ``Plotly.animate`` rather than a full redraw. The browser side (the ranges equal
plotly.js's own autoscale; the page redraws) is checked in tests/test_browser.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jjjplan.dashboard.charts import AUTO_PAD, GapChart, RatioChart, auto_range


def test_auto_range_pads_the_data_span_like_plotly():
    # the span fills the middle 90% of the axis: 5% of its length on each side
    assert auto_range([[0.0, 0.9]]) == pytest.approx([-0.05, 0.95])
    lo, hi = auto_range([np.array([1.0, np.nan, 3.0]), (), [2.0]])
    assert (lo, hi) == pytest.approx((1 - 2 * AUTO_PAD, 3 + 2 * AUTO_PAD))
    assert auto_range([(), [np.nan]]) is None  # nothing to span
    assert auto_range([[0.2, 0.2]]) is None  # flat: left to plotly


YEARS = np.arange(2022, 2036)
MEASURES = (*GapChart.measures, "cv_weighted")


def _series(scale: float) -> dict[str, np.ndarray]:
    return {m: (0.1 + 0.02 * k) * scale * np.linspace(1, 0.8, len(YEARS)) for k, m in
            enumerate(MEASURES)}  # fmt: skip


def _band(scale: float) -> pd.DataFrame:
    mid = 0.1 * scale * np.linspace(1, 0.8, len(YEARS))
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    return pd.DataFrame({p: mid * (0.7 + 0.6 * p) for p in q}, index=pd.Index(YEARS, name="year"))


class Messages:
    """Records which plotly.py message each render sends (update = full redraw)."""

    def __init__(self, fig) -> None:
        self.sent: list[str] = []
        self.traces: list[list[int]] = []  # the trace indexes each animation names
        for kind in ("update", "animate"):
            send = getattr(fig, f"_send_{kind}_msg")

            def record(*args, _send=send, _kind=kind, **kw):
                self.sent.append(_kind)
                if _kind == "animate":
                    self.traces.append(list(kw["trace_indexes"]))
                return _send(*args, **kw)

            setattr(fig, f"_send_{kind}_msg", record)


def _render(chart: GapChart, scale: float, band: pd.DataFrame | None) -> None:
    chart.set_data(YEARS, _series(scale), _series(1.0), band)
    chart.render()


def _on_axis(chart, axis: str) -> list[np.ndarray]:
    return [
        np.asarray(t.y, dtype=float)
        for k, t in enumerate(chart.fig.data)
        if chart._y_axis(k) == axis and t.y is not None and t.visible in (None, True)
    ]


def test_y_only_changes_are_one_instant_message_with_plotlys_ranges():
    chart = GapChart("both", "jjj-chart-gaps")
    messages = Messages(chart.fig)
    _render(chart, 1.0, _band(1.0))
    _render(chart, 1.3, _band(1.3))  # lines and bands move: y only
    assert messages.sent == ["update", "animate"]
    # every trace, in order (plotly.js would draw the named ones on top of the others)
    assert messages.traces == [list(range(len(chart.fig.data)))]
    for axis in ("yaxis", "yaxis2"):  # Theil T (with its bands) and the CV subplot
        layout = chart.fig.layout[axis]
        assert layout.autorange is False
        assert list(layout.range) == pytest.approx(auto_range(_on_axis(chart, axis)))
    upper = np.asarray(chart.fig.data[chart.band_start + 1].y, dtype=float)
    assert upper == pytest.approx(_band(1.3)[0.95].to_numpy())  # the bands arrived too
    lo, hi = chart.fig.layout.yaxis.range
    assert lo < _band(1.3)[0.05].min() and hi > _band(1.3)[0.95].max()


def test_bands_switched_off_are_a_full_update_and_the_range_follows():
    chart = GapChart("both", "jjj-chart-gaps")
    messages = Messages(chart.fig)
    _render(chart, 1.0, _band(3.0))  # wide bands stretch the axis
    wide = list(chart.fig.layout.yaxis.range)
    _render(chart, 1.0, None)  # the band traces emptied: x changes, so a full update
    assert messages.sent == ["update", "update"]
    narrow = list(chart.fig.layout.yaxis.range)
    assert narrow == pytest.approx(auto_range(_on_axis(chart, "yaxis")))
    assert narrow[1] < wide[1]


def test_a_zoomed_axis_keeps_the_planners_range_until_autoscaled():
    chart = GapChart("both", "jjj-chart-gaps")
    _render(chart, 1.0, None)
    chart.fig.plotly_relayout({"yaxis.range": [0.1, 0.12]})  # as the page reports a zoom
    _render(chart, 1.2, None)
    assert list(chart.fig.layout.yaxis.range) == [0.1, 0.12]
    assert list(chart.fig.layout.yaxis2.range) == pytest.approx(
        auto_range(_on_axis(chart, "yaxis2"))  # the other subplot still follows
    )
    chart.fig.plotly_relayout({"yaxis.autorange": True})  # double-click: autoscale
    _render(chart, 1.4, None)
    assert list(chart.fig.layout.yaxis.range) == pytest.approx(auto_range(_on_axis(chart, "yaxis")))


def test_a_trace_hidden_from_the_legend_does_not_stretch_the_axis():
    chart = RatioChart("both", "jjj-chart-ratios")
    ratios = {"bj_he_ratio": np.linspace(2.2, 2.0, len(YEARS)), "tj_he_ratio": np.full(14, 1.6)}
    chart.set_data(YEARS, ratios, ratios, None)
    chart.render()
    chart.fig.plotly_restyle({"visible": "legendonly"}, [2, 3])  # Tianjin's lines hidden
    moved = {**ratios, "bj_he_ratio": ratios["bj_he_ratio"] * 1.1}
    chart.set_data(YEARS, moved, ratios, None)
    chart.render()
    lo, hi = chart.fig.layout.yaxis.range
    assert lo > 1.9  # Tianjin's 1.6 is not on the axis
    assert [lo, hi] == pytest.approx(auto_range([moved["bj_he_ratio"], ratios["bj_he_ratio"]]))


# -- the bands' quantiles: one sort, numpy's numbers ----------------------------------------
@pytest.mark.parametrize("draws", [1, 2, 7, 100, 500])
def test_band_quantiles_equal_numpys_to_the_last_bit(draws):
    from jjjplan.uncertainty.dashboard import _quantiles

    values = np.random.default_rng(draws).lognormal(size=(draws, 14, 6))
    q = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
    assert np.array_equal(_quantiles(values, q), np.quantile(values, q, axis=0))
    values[0, 3, 2] = np.nan  # a failed draw shows as NaN there, as in numpy
    assert np.array_equal(_quantiles(values, q), np.quantile(values, q, axis=0), equal_nan=True)
