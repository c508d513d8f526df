"""The engine's fast paths give the same numbers as the plain forms they replace.

Each speed-up of ``project_many`` (issue 9/10 speed goals) has a slower, obvious form; these
tests pin the fast form to it, so a later optimisation cannot change a number unnoticed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import jjjplan
from jjjplan.gaps import gap_measures_array
from jjjplan.model import engine
from jjjplan.model.inputs import compile_inputs
from jjjplan.model.taxshare import SharingRule, joint_schedules, sharing_schedule


def _rules(k: int, seed: int = 0) -> SharingRule:
    rng = np.random.default_rng(seed)
    return SharingRule(
        origin_share=rng.uniform(0, 1, k),
        share_years=rng.integers(1, 6, k).astype(float),
        ext_years=rng.integers(0, 4, k).astype(float),
        cap_multiple=rng.uniform(1, 5, k),
    )


def test_joint_schedules_equal_separate_schedules_and_their_prefixes():
    k = 12
    rule, g, cf = _rules(k), np.linspace(0, 0.05, k), np.linspace(0, 1, k)
    ref = SharingRule()
    own, of_ref = joint_schedules([rule, ref], k, 30, g, cf)
    want = sharing_schedule(rule, 30, g, cf)
    want_ref = sharing_schedule(
        SharingRule(*(np.full(k, v, dtype=float) for v in dataclasses.astuple(ref))), 30, g, cf
    )
    for got, exp in ((own, want), (of_ref, want_ref)):
        for name in ("firm_tax", "origin", "destination", "compensation"):
            np.testing.assert_array_equal(getattr(got, name), getattr(exp, name))
    # a schedule's first years do not depend on its length (the engine slices one pass)
    short = sharing_schedule(rule, 9, g, cf)
    np.testing.assert_array_equal(short.origin, want.origin[:, :9])
    np.testing.assert_array_equal(short.compensation, want.compensation[:, :9])


@pytest.mark.parametrize("k", [1, 3, 8, 50])
def test_cohort_matrix_is_the_lagged_schedule(k):
    values = np.random.default_rng(k).uniform(0, 1, (k, 22))
    m = engine._cohort_matrix(values)
    want = np.zeros((k, 22, 22))
    for t in range(22):
        for t0 in range(t):
            want[:, t, t0] = values[:, t - t0 - 1]
    np.testing.assert_array_equal(m, want)


def test_gap_measures_do_not_depend_on_unit_order_or_block_size(monkeypatch):
    rng = np.random.default_rng(5)
    gdp, pop = rng.uniform(1, 50, (40, 13)), rng.uniform(1, 9, (40, 13))
    groups = ("BJ", "TJ", *["HE"] * 11)
    values, names = gap_measures_array(gdp, pop, groups=groups)  # contiguous groups
    perm = rng.permutation(13)  # groups no longer contiguous: the general path
    shuffled, _ = gap_measures_array(gdp[:, perm], pop[:, perm], groups=[groups[i] for i in perm])
    np.testing.assert_allclose(shuffled, values, rtol=1e-12, atol=1e-15)
    monkeypatch.setattr(jjjplan.gaps, "_BLOCK", 7)  # rows split into blocks of 7
    blocked, _ = gap_measures_array(gdp, pop, groups=groups)
    np.testing.assert_array_equal(blocked, values)
    assert "theil_t_between" in names


def test_members_sharing_lever_objects_compile_like_distinct_copies():
    base = jjjplan.Scenario.baseline()
    moved = base.replace(
        reform=dataclasses.replace(base.reform, origin_share=0.3),
        innovation=dataclasses.replace(base.innovation, destinations={"TJ": 0.4, "BD": 0.6}),
    )
    shared = [moved.replace(name=f"m{i}", assumptions={"beta_conv": 0.01 + i / 100})
              for i in range(4)]  # fmt: skip
    # the same levers rebuilt as separate objects (what a sweep hands over)
    copies = [
        s.replace(
            reform=dataclasses.replace(s.reform),
            innovation=dataclasses.replace(s.innovation),
            poles=dataclasses.replace(s.poles),
        )
        for s in shared
    ]
    mixed = [base, *shared, *copies, base]
    years = tuple(range(2014, 2036))
    units = engine.resolve_data(mixed).units
    got = compile_inputs(mixed, units, 2024, years)
    one_by_one = [compile_inputs([s], units, 2024, years) for s in mixed]
    for field in ("weights", "relocation", "investment", "tech_share", "tech_split",
                  "absorption", "market_integration", "chain_share", "chain_alloc"):  # fmt: skip
        want = np.concatenate([getattr(x, field) for x in one_by_one])
        np.testing.assert_array_equal(getattr(got, field), want, err_msg=field)
    for name in got.rule:
        np.testing.assert_array_equal(got.rule[name], [x.rule[name][0] for x in one_by_one])


def test_batch_indicator_values_are_the_indicators_frame():
    base = jjjplan.Scenario.baseline()
    batch = jjjplan.project_many([base, base.replace(assumptions={"beta_conv": 0.03})])
    values, names = batch.indicator_values
    frame = batch.indicators
    assert tuple(frame.columns) == names
    np.testing.assert_array_equal(values.reshape(-1, len(names)), frame.to_numpy())


def test_dashboard_reuses_the_baseline_draws_for_an_equal_baseline(monkeypatch):
    from jjjplan.uncertainty import dashboard

    base = jjjplan.Scenario.baseline()
    s = base.replace(reform=dataclasses.replace(base.reform, origin_share=0.2))
    first = dashboard.dashboard_bands_and_probability(s, base, draws=6, seed=11)
    projected = []
    real = dashboard._outcomes
    monkeypatch.setattr(
        dashboard, "_outcomes", lambda sc, *a, **k: projected.append(sc) or real(sc, *a, **k)
    )
    again = jjjplan.Scenario.baseline()  # a new object equal to the baseline
    moved = s.replace(reform=dataclasses.replace(s.reform, origin_share=0.7))
    dashboard.dashboard_bands_and_probability(moved, again, draws=6, seed=11)
    assert projected == [moved]  # only the scenario's draws were projected
    repeat = dashboard.dashboard_bands_and_probability(s, again, draws=6, seed=11)
    for a, b in zip(first, repeat, strict=True):
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


@pytest.mark.parametrize("order", ["engine", "shuffled"])
def test_province_sums_of_big_batches_equal_the_membership_product(order):
    provinces = ("BJ", "TJ", *["HE"] * 11)
    if order == "shuffled":
        provinces = provinces[3:] + provinces[:3]  # Hebei first: not one run per province
    _, in_prov = engine._province_membership(provinces)
    x = np.random.default_rng(2).uniform(0, 9, (600, 22, 13))  # above the matmul size
    np.testing.assert_allclose(engine._province_sum(x, in_prov), x @ in_prov.T, rtol=1e-14)
    np.testing.assert_allclose(engine._province_sum(x[:2], in_prov), x[:2] @ in_prov.T)
