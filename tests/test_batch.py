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


# -- the vectorised engine: every member equals its own single projection --------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_model import scenarios as scenario_strategy  # noqa: E402


def _assumption_draws():
    varying = [a for a in ASSUMPTIONS if a.varies]
    return st.dictionaries(
        st.sampled_from([a.id for a in varying]), st.floats(0.0, 1.0), max_size=6
    ).map(lambda u: {k: float(next(a for a in varying if a.id == k).ppf(v)) for k, v in u.items()})


@st.composite
def members(draw):
    s = draw(scenario_strategy())
    return s.replace(
        assumptions=draw(_assumption_draws()),
        policy_start_year=draw(st.integers(2023, 2035)),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(members(), min_size=1, max_size=5))
def test_every_member_equals_project_of_that_scenario(scenarios):
    try:
        batch = jjjplan.project_many(scenarios)
    except ValueError:  # a member's targets exceed its economy: single runs fail too
        assert any(_fails(s) for s in scenarios)
        return
    for k, s in enumerate(scenarios):
        single = jjjplan.project(s)
        for name in ("gdp", "population", "tech_stock", "chain_va", "relocated_in"):
            np.testing.assert_allclose(
                getattr(batch[k].projection, name), getattr(single.projection, name), rtol=1e-12
            )
        for name, arr in single.projection.ledger.items():
            np.testing.assert_allclose(batch[k].projection.ledger[name], arr, rtol=1e-12)
        np.testing.assert_allclose(batch.gaps.loc[k].to_numpy(), single.gaps.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(
            batch.ratios.loc[k].to_numpy(), single.ratios.to_numpy(), rtol=1e-12
        )


def _fails(s) -> bool:
    try:
        jjjplan.project(s)
    except ValueError:
        return True
    return False


def test_gini_by_sorted_cumsum_equals_the_pairwise_definition():
    rng = np.random.default_rng(7)
    gdp, pop = rng.uniform(1, 100, (50, 40)), rng.uniform(1, 10, (50, 40))
    gdp[0, :5] = pop[0, :5] * 3.0  # ties in per-capita GDP
    values, names = jjjplan.gaps.gap_measures_array(gdp, pop)
    p = pop / pop.sum(axis=1, keepdims=True)
    y = gdp / pop
    ybar = gdp.sum(axis=1) / pop.sum(axis=1)
    pairwise = np.einsum("ti,tij,tj->t", p, np.abs(y[:, :, None] - y[:, None, :]), p) / (2 * ybar)
    np.testing.assert_allclose(values[:, names.index("gini_weighted")], pairwise, rtol=1e-12)


def test_gaps_of_many_units_stay_cheap():
    # 2,000 units × 30 rows: the sorted form needs O(n log n) memory, not a 30×2000×2000 array
    rng = np.random.default_rng(3)
    values, _ = jjjplan.gaps.gap_measures_array(
        rng.uniform(1, 9, (30, 2000)), rng.uniform(1, 9, (30, 2000))
    )
    assert np.isfinite(values).all()
