"""Choropleth maps of the 13 planning units (boundaries: see :mod:`jjjplan.maps.geometry`).

``choropleth_figure`` draws a matplotlib figure (the briefing embeds it);
``choropleth_geojson`` returns the boundaries with the values in each feature's properties,
ready for a browser map (plotly ``Choropleth(geojson=..., featureidkey="id")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jjjplan.maps.geometry import BOUNDARY_SOURCE, unit_collection
from jjjplan.maps.values import MEASURES, Measure, map_values

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from jjjplan.results import Results

__all__ = [
    "BOUNDARY_SOURCE",
    "MEASURES",
    "Measure",
    "choropleth_figure",
    "choropleth_geojson",
    "map_values",
    "unit_collection",
]


def choropleth_geojson(
    results: Results,
    measure: str = "per_capita",
    year: int = 2035,
    base: Results | None = None,
    targets: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The unit FeatureCollection with ``value`` (float or None), ``measure``, ``year`` and
    the unit's names in every feature's properties, plus a ``source`` caption (zh, en)."""
    values = map_values(results, measure, year, base, targets)
    collection = unit_collection()
    for feature in collection["features"]:
        value = values.get(feature["id"])
        props = feature["properties"]
        props["value"] = None if value is None or value != value else float(value)
        props["measure"] = measure
        props["year"] = year
    collection["source"] = {"zh": BOUNDARY_SOURCE[0], "en": BOUNDARY_SOURCE[1]}
    m = MEASURES[measure]
    collection["measure"] = {"key": m.key, "zh": m.zh, "en": m.en, "unit": m.unit_zh}
    return collection


def choropleth_figure(
    results: Results,
    measure: str = "per_capita",
    year: int = 2035,
    base: Results | None = None,
    targets: Mapping[str, float] | None = None,
    lang: str = "zh",
    size: tuple[float, float] = (3.6, 4.2),
) -> Figure:
    """A matplotlib figure of the choropleth (no pyplot state; fonts embedded on save)."""
    from jjjplan.maps.figure import draw_choropleth

    values = map_values(results, measure, year, base, targets)
    return draw_choropleth(values, MEASURES[measure], year, lang=lang, size=size)
