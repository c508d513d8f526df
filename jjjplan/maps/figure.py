"""Draw the choropleth with matplotlib: filled unit polygons, names and values, a colour bar,
north arrow, 100 km scale bar and the boundary source line.

Projection: longitude/latitude with the aspect fixed at 1/cos(39°N), the region's middle
latitude, so shapes and the scale bar are true to within ~3 % across 36–43°N.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from jjjplan import baseline
from jjjplan.brief.fonts import figure_rc
from jjjplan.brief.lang import check_lang, pick
from jjjplan.maps.geometry import BOUNDARY_SOURCE, unit_polygons
from jjjplan.maps.values import Measure

MID_LATITUDE = 39.0
KM_PER_DEGREE = 111.32
#: Offsets (degrees lon, lat) for labels that would sit on a neighbour's name.
LABEL_OFFSETS = {"LF": (0.15, -0.35), "TJ": (0.35, -0.1), "BJ": (-0.25, 0.3), "QHD": (-0.15, 0.0)}


TARGET_COLOURS = {1.0: "#4a9c5d", 0.0: "#d9704c"}
NO_DATA = "#dddddd"


def _is_dark(colour) -> bool:
    """True when black text would be hard to read on ``colour`` (relative luminance)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4


def _oriented(ring: list[tuple[float, float]], outer: bool) -> np.ndarray:
    """The ring counter-clockwise when outer, clockwise when a hole (so holes stay empty)."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    area = 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
    return xy if (area > 0) == outer else xy[::-1]


def unit_path(code: str) -> Path:
    """A compound matplotlib path of one unit's polygons (holes wound the other way)."""
    parts = [
        Path(_oriented(ring, outer=k == 0), closed=True)
        for polygon in unit_polygons(code)
        for k, ring in enumerate(polygon)
    ]
    return Path.make_compound_path(*parts)


def _colours(values: pd.Series, measure: Measure):
    """(colour per unit, ScalarMappable for the colour bar or None, legend handles)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if measure.key == "target_met":
        colours = {c: TARGET_COLOURS.get(v, NO_DATA) for c, v in values.items()}
        return colours, None
    finite = values.dropna()
    if measure.key == "change":
        span = max(float(finite.abs().max()), 1e-9)
        norm, cmap = Normalize(-span, span), colormaps["RdBu"]
    else:
        norm = Normalize(float(finite.min()), float(finite.max()))
        cmap = colormaps["YlGnBu"]
    mappable = ScalarMappable(norm=norm, cmap=cmap)
    colours = {c: (NO_DATA if v != v else mappable.to_rgba(v)) for c, v in values.items()}
    return colours, mappable


def _format(value: float, measure: Measure, lang: str) -> str:
    if value != value:
        return "—"
    if measure.key == "change":
        return f"{value:+.1f}%"
    if measure.key == "target_met":
        return pick("是", "yes", lang) if value else pick("否", "no", lang)
    return f"{value:.1f}"


def map_title(measure: Measure, year: int, lang: str) -> str:
    """The map's heading: measure, year and unit in the chosen language."""
    title = pick(measure.zh, measure.en, lang, sep="\n" if lang == "both" else " ")
    unit = pick(measure.unit_zh, measure.unit_en, lang, sep=" / ")
    return f"{title}（{year}，{unit}）" if lang != "en" else f"{title} ({year}, {unit})"


def draw_map(ax, values: pd.Series, measure: Measure, lang: str = "zh", label_size=5.5):
    """Draw the units on ``ax`` with names, values, north arrow and scale bar.

    Returns the ScalarMappable for a colour bar, or None for the yes/no target map.
    """
    check_lang(lang)
    colours, mappable = _colours(values, measure)
    units = baseline.units()
    for code in values.index:
        ax.add_patch(
            PathPatch(unit_path(code), facecolor=colours[code], edgecolor="#555555", lw=0.5)
        )
        row = units.loc[code]
        dx, dy = LABEL_OFFSETS.get(code, (0.0, 0.0))
        name = pick(row["name_zh"], row["name_en"], "en" if lang == "en" else "zh")
        ax.text(
            row["lon"] + dx,
            row["lat"] + dy,
            f"{name}\n{_format(values[code], measure, lang)}",
            color="white" if _is_dark(colours[code]) else "black",
            ha="center",
            va="center",
            fontsize=label_size,
            linespacing=1.0,
        )
    ax.set_xlim(113.3, 120.1)
    ax.set_ylim(36.0, 42.7)
    ax.set_aspect(1.0 / math.cos(math.radians(MID_LATITUDE)))
    ax.set_axis_off()
    _north_arrow(ax)
    _scale_bar(ax)
    return mappable


def draw_legend(fig: Figure, rect: tuple[float, float, float, float], mappable, lang: str):
    """A horizontal colour bar in ``rect`` (figure fraction), or the met / not-met key."""
    if mappable is not None:
        bar = fig.colorbar(mappable, cax=fig.add_axes(rect), orientation="horizontal")
        bar.ax.tick_params(labelsize=6)
        return
    x0, y0, width, _ = rect
    for k, (key, zh, en) in enumerate(((1.0, "达成", "met"), (0.0, "未达成", "not met"))):
        x = x0 + width * (0.3 + 0.4 * k)
        fig.text(x, y0, "■", color=TARGET_COLOURS[key], ha="right", fontsize=8)
        fig.text(x + 0.01, y0, pick(zh, en, lang, "/"), ha="left", fontsize=6)


def draw_choropleth(
    values: pd.Series,
    measure: Measure,
    year: int,
    lang: str = "zh",
    size: tuple[float, float] = (3.6, 4.2),
) -> Figure:
    """The stand-alone figure for ``values`` (unit code -> value) of ``measure`` in ``year``."""
    from matplotlib import rc_context

    with rc_context(figure_rc(lang)):
        fig = Figure(figsize=size, dpi=150)
        ax = fig.add_axes((0.02, 0.16, 0.96, 0.76))
        mappable = draw_map(ax, values, measure, lang)
        fig.suptitle(map_title(measure, year, lang), fontsize=8, y=0.985)
        draw_legend(fig, (0.2, 0.11, 0.6, 0.022), mappable, lang)
        source = pick(*BOUNDARY_SOURCE, lang, sep="\n")
        fig.text(0.5, 0.01, source, ha="center", va="bottom", fontsize=4.2, color="#555555")
    return fig


def _north_arrow(ax) -> None:
    ax.annotate(
        "N",
        xy=(119.7, 42.55),
        xytext=(119.7, 42.05),
        ha="center",
        va="center",
        fontsize=7,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 0.8},
    )


def _scale_bar(ax, km: float = 100.0) -> None:
    lat, lon0 = 36.35, 118.3
    width = km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    ax.plot([lon0, lon0 + width], [lat, lat], color="black", lw=1.5, solid_capstyle="butt")
    ax.text(lon0 + width / 2, lat + 0.12, f"{km:.0f} km", ha="center", fontsize=5.5)
