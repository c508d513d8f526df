"""project_many: the batch interface every many-run consumer uses."""

import numpy as np

import jjjplan


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
        single = jjjplan.project(s)
        for name in ("gdp", "population", "tech_stock", "chain_va", "relocated_in"):
            _same(getattr(batch[k].projection, name), getattr(single.projection, name))
        for name, arr in single.projection.ledger.items():
            _same(batch[k].projection.ledger[name], arr)
        _same(batch.gaps.loc[k].to_numpy(), single.gaps.to_numpy())
        _same(batch.ratios.loc[k].to_numpy(), single.ratios.to_numpy())


def _same(got, want) -> None:
    """Equal to 1e-12 relative to the array's own scale: items that nearly cancel (a ledger
    line near zero) may differ in the last bits when the batch sums in another order."""
    want = np.asarray(want, dtype=float)
    scale = float(np.nanmax(np.abs(want), initial=0.0))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * scale)


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
