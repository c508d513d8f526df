"""project_many: the batch interface every many-run consumer uses."""

import numpy as np
import pytest

import jjjplan
from jjjplan.assumptions import ASSUMPTIONS


def _scenarios():
    base = jjjplan.Scenario.baseline()
    return [
        base,
        base.replace(reform=base.reform.__class__(origin_share=0.2)),
        base.replace(assumptions={"beta_conv": 0.03}),
    ]


def test_members_equal_single_projections():
    scenarios = _scenarios()
    batch = jjjplan.project_many(scenarios)
    assert len(batch) == 3
    for k, s in enumerate(scenarios):
        single = jjjplan.project(s).gaps
        np.testing.assert_allclose(batch.gaps.loc[k].to_numpy(), single.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(batch[k].gaps.to_numpy(), single.to_numpy(), rtol=1e-12)


def test_index_and_indicator_columns():
    batch = jjjplan.project_many(_scenarios()[:2])
    assert batch.gaps.index.names == ["member", "year"]
    assert {"theil_t", "bj_he_ratio"} <= set(batch.indicators.columns)
    assert sorted(set(batch.gaps.index.get_level_values("member"))) == [0, 1]


def test_rejects_non_scenarios():
    with pytest.raises(TypeError, match="member 1"):
        jjjplan.project_many([jjjplan.Scenario.baseline(), "x"])


def test_assumption_draws_stay_in_range():
    u = np.linspace(0, 1, 11)
    for a in ASSUMPTIONS:
        v = a.ppf(u)
        assert np.all(v >= a.low - 1e-12) and np.all(v <= a.high + 1e-12), a.id
