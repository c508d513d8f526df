"""The bundled dataset: provenance on every value, one vintage per calculation."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTION_BY_ID, ASSUMPTIONS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_thirteen_units_in_three_provinces():
    u = baseline.units()
    assert len(u) == 13
    assert u.province.value_counts().to_dict() == {"HE": 11, "BJ": 1, "TJ": 1}
    assert "XA" not in u.index  # Xiong'an is a note, not a unit


def test_base_year_is_the_latest_complete_year():
    assert baseline.latest_complete_year() == baseline.BASE_YEAR == 2022


def test_base_year_uses_one_vintage_per_group_and_flags_estimates():
    t = baseline.base_year().table
    assert set(t.loc[["BJ", "TJ"], "gdp_vintage"]) == {"I"}
    assert set(t.drop(["BJ", "TJ"]).gdp_vintage) == {"W"}  # Hebei yearbook scope
    est = t[t.population_status == "estimate"]
    assert sorted(est.index) == sorted(set(t.index) - {"BJ", "TJ"})
    assert est.population_method.str.contains("census share").all()
    assert baseline.base_year().count_status() == {"sourced": 15, "estimate": 11}


def test_hebei_city_populations_add_up_to_the_provincial_total():
    t = baseline.base_year().table
    assert t.drop(["BJ", "TJ"]).population.sum() == pytest.approx(7420.0)


def test_every_observation_has_a_source_and_estimates_have_a_method():
    obs = baseline.observations()
    assert (obs.source.str.len() > 0).all()
    assert (obs.confidence.str.len() > 0).all()
    flagged = obs[obs.status.isin(["estimate", "derived"])]
    assert (flagged.method.str.len() > 10).all()


def test_calibration_history_uses_the_pre_r5_chain():
    h = baseline.province_history()
    assert h.groupby("year").gdp_vintage.first().to_dict() == {2014: "R4", 2019: "F", 2022: "I"}


def test_distances_are_symmetric_and_plausible():
    d = baseline.distances_km()
    assert np.allclose(d, d.T) and np.allclose(np.diag(d), 0)
    u = list(baseline.unit_codes())
    assert 100 < d[u.index("BJ"), u.index("TJ")] < 125  # about 113 km


def test_every_assumption_has_a_source_and_a_sane_range():
    for a in ASSUMPTIONS:
        assert a.source, a.id
        assert a.low <= a.value <= a.high, a.id
        assert a.name_zh and a.name_en, a.id
    assert ASSUMPTION_BY_ID["pop_cap_bj"].value == 2300


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data not present beside the repo")
def test_bundled_dataset_matches_a_rebuild_from_shared_data():
    spec = importlib.util.spec_from_file_location(
        "build_dataset", Path(__file__).resolve().parents[1] / "tools" / "build_dataset.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _, obs = mod.build(SHARED)
    path = Path(baseline.__file__).parent / "data" / "observations.csv"
    with path.open(encoding="utf-8") as fh:
        shipped = list(csv.DictReader(fh))
    assert [dict(r) for r in shipped] == [{k: str(v) for k, v in r.items()} for r in obs]
