"""The bundled unit map: 13 valid, non-overlapping boundaries that meet, values per unit that
match the projection, GeoJSON for the browser and a matplotlib figure with embedded fonts."""

from __future__ import annotations

import io
import json
import math
from importlib import resources

import pytest

from jjjplan import baseline, project
from jjjplan.brief.export import save_figure
from jjjplan.excel.read.reader import read_workbook
from jjjplan.maps import (
    BOUNDARY_SOURCE,
    MEASURES,
    choropleth_figure,
    choropleth_geojson,
    map_values,
    unit_collection,
)
from jjjplan.scenario import Scenario
from tests.test_libreoffice import ROOT

shapely = pytest.importorskip("shapely")
from shapely.geometry import shape  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    scenario = read_workbook(ROOT / "workbooks" / "05-coordinated.xlsx")
    from jjjplan.excel.write.indicators import baseline_for

    return project(scenario), project(baseline_for(scenario))


def test_one_feature_per_planning_unit_in_unit_order():
    ids = [f["id"] for f in unit_collection()["features"]]
    assert ids == list(baseline.unit_codes())


def test_bundled_geometry_is_small():
    data = resources.files("jjjplan.maps").joinpath("units.geojson").read_bytes()
    assert len(data) < 100_000


def test_boundaries_are_valid_and_meet_without_gaps_or_overlaps():
    geoms = {f["id"]: shape(f["geometry"]) for f in unit_collection()["features"]}
    assert all(g.is_valid and not g.is_empty for g in geoms.values())
    union = shapely.union_all(list(geoms.values()))
    overlap = sum(g.area for g in geoms.values()) - union.area
    assert overlap == pytest.approx(0.0, abs=1e-9)
    # Beijing is enclosed by Hebei and Tianjin: its neighbours share edges (no sliver gap).
    for neighbour in ("TJ", "LF", "BD", "ZJK", "CD"):
        assert geoms["BJ"].intersection(geoms[neighbour]).length > 0.05, neighbour
    # The region has no interior hole: a gap between simplified units would be one.
    holes = [len(p.interiors) for p in getattr(union, "geoms", [union])]
    assert sum(holes) == 0


def test_unit_coordinates_fall_inside_their_own_polygon():
    units = baseline.units()
    for f in unit_collection()["features"]:
        row = units.loc[f["id"]]
        assert shape(f["geometry"]).contains(shapely.Point(row["lon"], row["lat"])), f["id"]


def test_collection_is_a_copy():
    unit_collection()["features"].clear()
    assert len(unit_collection()["features"]) == 13


def test_per_capita_values_are_the_projection_in_10k_yuan(runs):
    r, _ = runs
    values = map_values(r, "per_capita", 2030)
    expected = r.wide("gdp_per_capita").loc[2030] / 1e4
    assert values.to_dict() == pytest.approx(expected.to_dict())


def test_change_versus_itself_is_zero_and_versus_baseline_matches(runs):
    r, b = runs
    assert map_values(r, "change", base=r).abs().max() == 0.0
    change = map_values(r, "change", base=b)
    ratio = r.wide("gdp_per_capita").loc[2035] / b.wide("gdp_per_capita").loc[2035]
    assert change["BD"] == pytest.approx((ratio["BD"] - 1) * 100)


def test_target_met_is_yes_no_or_missing(runs):
    r, _ = runs
    value = r.wide("gdp_per_capita").loc[2035]
    met = map_values(r, "target_met", targets={"BJ": value["BJ"], "HS": value["HS"] + 1})
    assert met["BJ"] == 1.0
    assert met["HS"] == 0.0
    assert math.isnan(met["TS"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "nope"}, "unknown map measure"),
        ({"measure": "change"}, "needs the baseline"),
        ({"measure": "target_met"}, "needs per-unit targets"),
        ({"measure": "target_met", "targets": {"XX": 1.0}}, "unknown units"),
        ({"year": 2050}, "outside the projection"),
    ],
)
def test_bad_map_requests_are_clear_errors(runs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        map_values(runs[0], **kwargs)


def test_geojson_carries_values_and_source_and_serialises(runs):
    r, b = runs
    collection = choropleth_geojson(r, "change", base=b)
    text = json.dumps(collection, ensure_ascii=False)
    assert BOUNDARY_SOURCE[0] in text
    props = {f["id"]: f["properties"] for f in collection["features"]}
    assert props["BD"]["value"] == pytest.approx(map_values(r, "change", base=b)["BD"])
    assert collection["measure"]["zh"] == MEASURES["change"].zh
    missing = choropleth_geojson(r, "target_met", targets={"BJ": 1.0})
    assert [f["properties"]["value"] for f in missing["features"]].count(None) == 12


def test_figure_draws_all_units_and_embeds_its_font(runs):
    r, _ = runs
    fig = choropleth_figure(r, "per_capita")
    ax = fig.axes[0]
    assert len(ax.patches) == 13
    buf = io.BytesIO()
    save_figure(fig, buf, "pdf")
    pdf = buf.getvalue()
    assert b"/FontFile" in pdf  # glyphs embedded, not referenced
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "保定" in texts and "Baoding" not in texts
    english = choropleth_figure(project(Scenario.baseline()), "per_capita", lang="en")
    assert "Baoding" in " ".join(t.get_text() for t in english.axes[0].texts)
