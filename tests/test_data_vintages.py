"""Data vintages: one consistent vintage per run, the default post-census, legacy exact."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jjjplan import baseline
from jjjplan.errors import ValidationError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ROOT = Path(__file__).resolve().parents[1]


def test_default_is_the_post_census_vintage_observed_to_2024():
    d = baseline.dataset()
    assert d is baseline.dataset(baseline.DEFAULT_VINTAGE)  # cached per vintage
    assert d.vintage == baseline.DEFAULT_VINTAGE == "2024-census5"
    assert d.years == (2022, 2023, 2024) and d.base_year == 2024 == d.years[-1]
    assert d.units == baseline.unit_codes()
    for arr in (d.gdp, d.gdp_current, d.real_growth, d.population):
        assert arr.shape == (3, 13)
    assert d.fiscal_revenue.shape == d.fiscal_expenditure.shape == (3, 3)
    assert baseline.VINTAGES[d.vintage].base_year == d.base_year


def test_legacy_vintage_reproduces_the_version_1_base_table_exactly():
    legacy = baseline.dataset(baseline.LEGACY_VINTAGE)
    assert legacy.years == (2022,) and legacy.base_year == 2022
    pd.testing.assert_frame_equal(legacy.base_table(), baseline.base_year().table)
    np.testing.assert_array_equal(legacy.gdp[0], baseline.base_year().gdp)
    np.testing.assert_array_equal(legacy.population[0], baseline.base_year().population)
    assert np.isnan(legacy.real_growth).all()


def test_observed_province_values_are_the_published_ones():
    d = baseline.dataset()
    u = list(d.units)
    bj, tj = u.index("BJ"), u.index("TJ")
    assert d.gdp_current[-1, bj] == pytest.approx(49843.1)
    assert d.gdp_current[-1, tj] == pytest.approx(18024.3)
    assert d.real_growth[1:, bj] == pytest.approx([0.052, 0.052])
    assert d.real_growth[1:, tj] == pytest.approx([0.043, 0.051])
    assert d.population[:, bj] == pytest.approx([2184.3, 2185.8, 2183.2])


def test_constant_price_gdp_reproduces_observed_real_growth():
    d = baseline.dataset()
    np.testing.assert_allclose(d.gdp[-1], d.gdp_current[-1])  # base year: constant = current
    np.testing.assert_allclose(d.gdp[1:] / d.gdp[:-1] - 1.0, d.real_growth[1:], rtol=1e-12)


def test_hebei_cities_add_up_to_the_published_provincial_totals():
    d = baseline.dataset()
    t = d.table
    cities = [c for c in d.units if c not in ("BJ", "TJ")]
    idx = [d.units.index(c) for c in cities]
    for var, arr in (("gdp_current", d.gdp_current), ("population", d.population)):
        he = t[(t.region == "HE") & (t.variable == var)].set_index("year").value
        np.testing.assert_allclose(arr[:, idx].sum(axis=1), he.loc[list(d.years)], rtol=1e-6)


def test_every_value_has_provenance_and_estimates_say_how():
    t = baseline.dataset().table
    assert not t.value.isna().any()
    assert (t.source.str.len() > 0).all()
    est = t[t.status == "estimate"]
    assert len(est) > 0 and (est.method.str.len() > 20).all()
    money = t[t.unit == "亿元"]
    assert (money.price_basis.str.len() > 0).all()  # every money value says its price basis


def test_one_run_uses_one_vintage():
    d = baseline.dataset()
    gdp = d.table[(d.table.variable == "gdp_current") & d.table.region.isin(["BJ", "TJ", "HE"])]
    # post-census basis only: R5 revised levels and the 2024 releases published after it
    assert set(gdp.vintage_code) == {"R5", "I5"}
    assert set(gdp[gdp.year == 2024].vintage_code) == {"I5"}


def test_unknown_vintage_is_a_bilingual_error_listing_the_choices():
    with pytest.raises(ValidationError) as err:
        baseline.dataset("2019-final")
    text = str(err.value)
    assert "未知的数据版本" in text and "unknown data vintage" in text
    for vid in baseline.VINTAGES:
        assert vid in text


def test_resolve_picks_the_bundled_vintage_or_passes_a_dataset_through():
    assert baseline.resolve() is baseline.dataset()
    legacy = baseline.resolve(None, baseline.LEGACY_VINTAGE)
    assert legacy.vintage == baseline.LEGACY_VINTAGE
    assert baseline.resolve(legacy, baseline.DEFAULT_VINTAGE) is legacy
    with pytest.raises(TypeError):
        baseline.resolve(42)


def test_price_basis_names_the_base_year():
    assert "2024年不变价" in baseline.dataset().price_basis
    assert "2022 prices" in baseline.dataset(baseline.LEGACY_VINTAGE).price_basis


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data not present beside the repo")
def test_bundled_vintage_matches_a_rebuild():
    spec = importlib.util.spec_from_file_location(
        "build_dataset", ROOT / "tools" / "build_dataset.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    units, obs = mod.build(SHARED)
    table = mod.assemble_census5(units, obs)
    path = ROOT / "jjjplan" / "data" / "vintage_2024-census5.csv"
    with path.open(encoding="utf-8") as fh:
        shipped = list(csv.DictReader(fh))
    assert shipped == [{k: str(v) for k, v in r.items()} for r in table]


def test_template_rows_cover_every_series_unit_and_year_once():
    from jjjplan.data import editable

    d = baseline.dataset()
    rows = editable.template_rows(d)
    keys = [(r["region"], r["year"], r["series"].id) for r in rows]
    assert len(keys) == len(set(keys)) == 13 * 3 + 13 * 2 + 13 * 3 + 3 * 3 * 2
    bj = {(r["year"], r["series"].id): r for r in rows if r["region"] == "BJ"}
    assert bj[(2024, "gdp_current")]["value"] == pytest.approx(49843.1)
    assert bj[(2022, "fiscal_revenue")]["value"] is None  # unpublished stays empty
    est = [r for r in rows if r["status"] == "estimate"]
    assert est and all(r["source"].startswith("估算 estimate") for r in est)


def test_a_planners_value_replaces_the_bundled_one_with_its_provenance():
    from jjjplan.data import editable

    d = baseline.dataset()
    given = {
        ("BJ", 2024, "gdp_current"): editable.PlannerValue(
            50000.0, "北京统计年鉴2025", "", "数据!G5"
        )
    }
    m = editable.merge(d, given, file_label="d.xlsx", source_file="d.xlsx", source_sha256="0" * 64)
    assert m.vintage == "file:d.xlsx@00000000 (on 2024-census5)" and m.source_sha256 == "0" * 64
    bj = m.units.index("BJ")
    assert m.gdp_current[-1, bj] == 50000.0 == m.gdp[-1, bj]
    # the constant-price chain still reproduces the observed growth
    np.testing.assert_allclose(m.gdp[1:, bj] / m.gdp[:-1, bj] - 1, d.real_growth[1:, bj])
    row = m.base_table().loc["BJ"]
    assert row.gdp_status == "planner" and "d.xlsx 数据!G5: 北京统计年鉴2025" in row.gdp_source
    # everything else is the bundled vintage, each left-out value with a notice
    np.testing.assert_array_equal(
        np.delete(m.gdp_current, bj, axis=1), np.delete(d.gdp_current, bj, axis=1)
    )
    published = [r for r in editable.template_rows(d) if r["value"] is not None]
    assert len(m.notices) == len(published) - 1  # unpublished values stay empty, no notice
    assert all("未填" in n and "left empty" in n for n in m.notices)


def test_national_gdp_is_of_the_same_vintage_and_base_year():
    assert baseline.dataset().national_gdp == pytest.approx(1349084.0)  # 2024, post-census
    assert baseline.dataset(baseline.LEGACY_VINTAGE).national_gdp == pytest.approx(1210207.0)


def test_base_table_is_built_once_and_callers_get_their_own_copy():
    data = baseline.dataset()
    first = data.base_table()
    first.loc["BJ", "gdp"] = -1.0  # a caller editing its frame
    again = data.base_table()
    assert again.loc["BJ", "gdp"] > 0
    assert again is not data.base_table()
    pd.testing.assert_frame_equal(again, data._build_base_table())
