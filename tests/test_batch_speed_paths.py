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


@pytest.mark.parametrize("k", [1, 3, 50])
def test_lagged_flows_are_the_plain_cohort_sums(k):
    rng = np.random.default_rng(k)
    T = 22
    schedules = [rng.uniform(0, 1, (k, T)) for _ in range(3)]
    amounts = rng.uniform(0, 5, T)
    want = np.zeros((T, 3, k))
    for t in range(T):
        for t0 in range(t):  # receipts in year t of the cohort that moved in t0
            for j, sched in enumerate(schedules):
                want[t, j] += sched[:, t - t0 - 1] * amounts[t0]
    np.testing.assert_allclose(engine._lagged(schedules, amounts), want, rtol=1e-13, atol=1e-12)


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


def test_assumption_matrix_reads_any_key_order_by_id():
    """Members in the canonical key order are read by their values; a member whose mapping
    comes in another order (built outside ``Scenario``) is still read key by key."""
    from jjjplan.model.inputs import _assumption_matrix

    keys = ("a", "b", "c")
    canonical = {"a": 1.0, "b": 2.0, "c": 3.0}
    shuffled = {"c": 30.0, "a": 10.0, "b": 20.0}
    got = _assumption_matrix([canonical, shuffled, canonical], keys)
    np.testing.assert_array_equal(got, [[1, 2, 3], [10, 20, 30], [1, 2, 3]])
    with pytest.raises(KeyError):
        _assumption_matrix([{"a": 1.0, "b": 2.0, "d": 4.0}], keys)


def test_positivity_check_after_the_loop_names_the_first_bad_year_then_member():
    """The engine checks the projected state once after its yearly loop; the error must
    name what a check inside the loop would have: the earliest bad year, then member."""
    years = np.arange(2025, 2030)
    gdp = np.ones((5, 3, 13))
    pop = np.ones((5, 3, 13))
    scenarios = [jjjplan.Scenario(name=f"m{k}") for k in range(3)]
    engine._check_positive_state(gdp, pop, years, scenarios)  # all positive: no error
    gdp[3, 0, 4] = -1.0  # member 0 goes bad later ...
    gdp[4, 0] = np.nan
    pop[2, 2, 0] = 0.0  # ... member 2 first, in 2027
    with pytest.raises(ValueError, match=r"member 2 \(m2\), 2027: projected GDP or population"):
        engine._check_positive_state(gdp, pop, years, scenarios)
    with pytest.raises(ValueError, match=r"^2028: projected GDP"):  # one member: no name
        engine._check_positive_state(gdp[:, :1], pop[:, :1], years, scenarios[:1])


def test_remembered_sharing_response_equals_a_fresh_one(monkeypatch):
    """One scenario's schedules and relocation factor are remembered by the numbers they
    read; a hit must equal the batch engine's fresh value, and changing any of those numbers
    (a rule field or a response assumption) must not hit."""
    monkeypatch.setattr(engine, "_RESPONSE_CACHE", {})
    s = jjjplan.Scenario(reform=jjjplan.Reform(origin_share=0.8))
    first = jjjplan.project(s).projection
    hit = jjjplan.project(s).projection  # served from the cache
    assert len(engine._RESPONSE_CACHE) == 1
    fresh = jjjplan.project_many([s, s]).projection  # K = 2 never uses the cache
    for p in (first, hit):
        assert p.relocation_factor == fresh.relocation_factor[0]
        np.testing.assert_array_equal(p.gdp, fresh.gdp[0])
        np.testing.assert_array_equal(p.ledger["net_revenue"], fresh.ledger["net_revenue"][0])
    eta = s.assumptions["eta_origin"]
    for other in (
        s.replace(reform=jjjplan.Reform(origin_share=0.2)),
        s.replace(assumptions={**s.assumptions, "eta_origin": eta * 1.5}),
    ):
        got = jjjplan.project(other).projection.relocation_factor
        assert got == jjjplan.project_many([other, s]).projection.relocation_factor[0]
        assert got != first.relocation_factor
    assert len(engine._RESPONSE_CACHE) == 3


def _national_growth_plain(a, national, years, base_year):
    """The year rules written out with np.select (the form the column table replaces)."""
    years = np.asarray(years)
    central = np.select(
        [years <= 2025, years <= 2030],
        [a["g_nat_central_2024_2025"][:, None], a["g_nat_central_2026_2030"][:, None]],
        a["g_nat_central_2031_2035"][:, None],
    )
    path = np.where(
        national[:, None] == 0,
        a["g_nat_low"][:, None],
        np.where(national[:, None] == 2, a["g_nat_high"][:, None], central),
    )
    rate = np.where((years == 2024) & (years <= base_year), a["g_nat_2024"][:, None], path)
    rate = np.where(years <= 2023, a["g_nat_2023"][:, None], rate)
    g = np.log1p(rate)
    g[:, 0] = 0.0
    return g


@pytest.mark.parametrize(("first", "base_year"), [(2014, 2024), (2014, 2023), (2020, 2025)])
def test_national_growth_table_equals_the_year_rules(first, base_year):
    rng = np.random.default_rng(base_year)
    k = 9
    a = {key: rng.uniform(0.01, 0.08, k) for key in engine._NATIONAL_RATES}
    national = rng.integers(0, 3, k)
    years = np.arange(first, 2036)
    np.testing.assert_array_equal(
        engine.national_growth(a, national, years, base_year),
        _national_growth_plain(a, national, years, base_year),
    )


def test_distance_decay_per_distinct_value_equals_the_per_member_form():
    rng = np.random.default_rng(3)
    dist = rng.uniform(50, 500, (13, 13))
    d_decay = rng.choice([120.0, 250.0, 400.0], 40)
    plain = np.exp(-dist[None, :, :] / d_decay[:, None, None])
    plain[:, np.arange(13), np.arange(13)] = 0.0
    np.testing.assert_array_equal(engine._distance_decay(dist, d_decay), plain)
    # one value for the whole batch: the remembered [N, N] matrix, same numbers
    same = np.full(40, 250.0)
    for _ in range(2):  # computed, then remembered
        got = engine._distance_decay(dist, same)
        np.testing.assert_array_equal(got, plain[d_decay == 250.0][[0] * 40])


def test_ledger_flows_equal_the_per_unit_cohort_products():
    """The engine keeps cohort tax bases as province sums, computes the current-policy
    cohorts' flows in one product and adds each projected year's deviation in its loop; the
    plain form multiplies every unit's cohort base by the lagged schedule and sums after."""
    from jjjplan.model.taxshare import eligible_share

    base = jjjplan.Scenario.baseline()
    scenarios = [
        base,
        base.replace(reform=jjjplan.Reform(origin_share=0.8, share_years=4)),
        base.replace(
            reform=jjjplan.Reform(origin_share=0.3, ext_years=0, government_led_only=False),
            poles=jjjplan.GrowthPoles(relocation=jjjplan.Milestones(300, 2500, 2800)),
        ),
    ]
    p = engine.run(scenarios)
    T = len(p.years)
    inp = compile_inputs(scenarios, p.units, p.base_year, tuple(p.years.tolist()))
    a = inp.a
    rule, rule_ref = engine._rule(inp)
    (sched, _), _ = engine._sharing_response(inp, rule, rule_ref, T)
    elig = eligible_share(rule.eligibility_threshold, a["firm_tax_pareto"], a["firm_tax_min"])
    coverage = np.where(rule.government_led_only.astype(bool), 1.0, 1.0 + a["market_reloc_ratio"])
    tau = (elig * coverage * a["tax_local_per_va"])[:, None, None] * p.relocated_in  # [K, T, N]
    plain = {}
    for name in ("origin", "compensation", "firm_tax"):
        out = np.zeros_like(tau)
        for t in range(T):
            for t0 in range(t):
                out[:, t] += getattr(sched, name)[:, t - t0 - 1, None] * tau[:, t0]
        plain[name] = out
    _, in_prov = engine._province_membership(p.provinces)
    ledger = p.ledger
    close = {"rtol": 1e-12, "atol": 1e-9}
    np.testing.assert_allclose(ledger["shares_paid"], plain["origin"] @ in_prov.T, **close)
    np.testing.assert_allclose(ledger["shares_received"][..., 0], plain["origin"].sum(2), **close)
    np.testing.assert_allclose(
        ledger["compensation"][..., 0], plain["compensation"].sum(2), **close
    )
    np.testing.assert_allclose(ledger["shared_firm_tax"], plain["firm_tax"] @ in_prov.T, **close)
    assert ledger["shares_paid"][1].sum() > ledger["shares_paid"][0].sum() > 0
    np.testing.assert_array_equal(ledger["budget_change"][0], 0.0)  # current policy: exactly


# -- chain paths: all members' chain settings in one pass -----------------------------------


def _random_chains(rng, n: int) -> list:
    """n chain settings, each moving about half of the presence levers to random values."""
    from jjjplan.scenario import ChainFilling, Milestones, default_presence

    keys = tuple(default_presence())
    out = []
    for _ in range(n):
        moved = {k: Milestones(*rng.uniform(0, 1, 3)) for k in keys if rng.random() < 0.5}
        out.append(ChainFilling(presence=moved))
    return out


def _chain_paths_plain(chains, start_year: int, years: tuple[int, ...]):
    """The obvious form: every presence lever interpolated on its own with ``np.interp``
    from (start year, base presence) through the milestones after it, then per chain the
    share of segments supplied and the provinces where presence grew."""
    from jjjplan.chains import CHAINS, PROVINCES

    ms_years = (2025, 2030, 2035)
    shares, allocs = [], []
    for chain in CHAINS:
        pres = np.empty((len(years), len(chain.segments), len(PROVINCES)))
        for s, seg in enumerate(chain.segments):
            for p, prov in enumerate(PROVINCES):
                ms = chains.presence[f"{chain.id}/{seg.id}/{prov}"].values()
                knots = [start_year] + [y for y in ms_years if y > start_year]
                vals = [seg.base_presence[p]] + [
                    v for y, v in zip(ms_years, ms, strict=True) if y > start_year
                ]
                pres[:, s, p] = np.interp(years, knots, vals)
        shares.append((1.0 - np.prod(1.0 - pres, axis=2)).mean(axis=1))
        grew = np.clip(np.diff(pres, axis=0, prepend=pres[:1]), 0.0, None).sum(axis=1)
        total = grew.sum(axis=1, keepdims=True)
        allocs.append(np.where(total > 0, grew / np.where(total > 0, total, 1.0), 0.0))
    return np.stack(shares), np.stack(allocs)


YEARS = tuple(range(2023, 2036))


def test_chain_paths_of_many_settings_equal_the_per_lever_interpolation():
    from jjjplan.model.inputs import chain_paths_many
    from jjjplan.scenario import ChainFilling

    rng = np.random.default_rng(7)
    chains = [ChainFilling(), *_random_chains(rng, 40)]
    start_years = [int(y) for y in rng.choice([2023, 2024, 2025, 2027, 2031, 2034], len(chains))]
    got = chain_paths_many(chains, start_years, YEARS)
    assert got.share.shape == (len(chains), 7, len(YEARS))
    assert got.alloc.shape == (len(chains), 7, len(YEARS), 3)
    for d, (c, sy) in enumerate(zip(chains, start_years, strict=True)):
        share, alloc = _chain_paths_plain(c, sy, YEARS)
        np.testing.assert_allclose(got.share[d], share, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(got.alloc[d], alloc, rtol=1e-13, atol=1e-15)
    # a setting's paths do not depend on its batch (project() and project_many agree exactly)
    alone = chain_paths_many([chains[5]], [start_years[5]], YEARS)
    np.testing.assert_array_equal(alone.share[0], got.share[5])
    np.testing.assert_array_equal(alone.alloc[0], got.alloc[5])
    # current policy: presence flat, so the share is flat and nothing is allocated
    assert (got.share[0] == got.share[0][:, :1]).all()
    assert (got.alloc[0] == 0.0).all()


def test_chain_paths_do_not_depend_on_the_block_size(monkeypatch):
    from jjjplan.model import inputs

    rng = np.random.default_rng(8)
    chains = _random_chains(rng, 11)
    start_years = [int(y) for y in rng.choice([2024, 2025, 2028], 11)]
    whole = inputs.chain_paths_many(chains, start_years, YEARS)
    monkeypatch.setattr(inputs, "_CHAIN_BLOCK", 3)
    blocked = inputs.chain_paths_many(chains, start_years, YEARS)
    np.testing.assert_array_equal(blocked.share, whole.share)
    np.testing.assert_array_equal(blocked.alloc, whole.alloc)


def test_presence_in_another_key_order_is_read_by_key():
    from jjjplan.model.inputs import chain_layout, presence_matrix

    rng = np.random.default_rng(9)
    (c,) = _random_chains(rng, 1)
    keys = chain_layout().keys
    shuffled = dict(reversed(list(c.presence.items())))
    both = presence_matrix([c.presence, shuffled], keys)
    np.testing.assert_array_equal(both[1], both[0])
    np.testing.assert_array_equal(both[0][5], c.presence[keys[5]].values())


def test_chain_layout_is_the_base_presence_and_read_only():
    from jjjplan.model.inputs import chain_layout
    from jjjplan.scenario import base_presence

    lay = chain_layout()
    assert lay is chain_layout()  # built once
    assert dict(zip(lay.keys, lay.base.tolist(), strict=True)) == base_presence()
    assert int(lay.n_seg.sum()) * 3 == len(lay.keys)
    with pytest.raises(ValueError):
        lay.base[0] = 0.5


def test_compiled_chain_paths_follow_each_member_with_and_without_the_cache(monkeypatch):
    """Members sharing a chain object, members with their own, the cache's hits and a batch
    too large to cache all give each member its own settings' paths."""
    from jjjplan.model import inputs

    rng = np.random.default_rng(10)
    base = jjjplan.Scenario.baseline()
    own = _random_chains(rng, 6)
    scenarios = [
        base.replace(chains=c, policy_start_year=2024 + (k % 3)) for k, c in enumerate(own)
    ]
    scenarios += [scenarios[0], scenarios[3].replace(name="again"), base]
    units = engine.resolve_data(scenarios).units
    monkeypatch.setattr(inputs, "_CHAIN_CACHE", {})
    first = inputs.compile_inputs(scenarios, units, 2023, YEARS)
    assert len(inputs._CHAIN_CACHE[YEARS]) == 7  # six own settings + current policy
    again = inputs.compile_inputs(scenarios, units, 2023, YEARS)  # all from the cache
    np.testing.assert_array_equal(again.chain_share, first.chain_share)
    np.testing.assert_array_equal(again.chain_alloc, first.chain_alloc)
    for k, s in enumerate(scenarios):
        share, alloc = _chain_paths_plain(s.chains, s.policy_start_year - 1, YEARS)
        np.testing.assert_allclose(first.chain_share[k], share, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(first.chain_alloc[k], alloc, rtol=1e-13, atol=1e-15)
    monkeypatch.setattr(inputs, "_CHAIN_CACHE", {})
    monkeypatch.setattr(inputs, "_CHAIN_CACHE_MAX", 4)
    uncached = inputs.compile_inputs(scenarios, units, 2023, YEARS)
    assert inputs._CHAIN_CACHE[YEARS] == {}  # 7 new settings > 4: a sweep is not cached
    np.testing.assert_array_equal(uncached.chain_share, first.chain_share)
    np.testing.assert_array_equal(uncached.chain_alloc, first.chain_alloc)


def test_members_with_their_own_chain_settings_equal_single_projections():
    rng = np.random.default_rng(11)
    base = jjjplan.Scenario.baseline()
    scenarios = [
        base.replace(chains=c, policy_start_year=int(y))
        for c, y in zip(_random_chains(rng, 5), rng.choice([2023, 2026, 2029], 5), strict=True)
    ]
    batch = jjjplan.project_many(scenarios)
    for k, s in enumerate(scenarios):
        single = jjjplan.project(s)
        for name in ("gdp", "chain_va"):
            want = getattr(single.projection, name)
            scale = float(np.nanmax(np.abs(want)))
            np.testing.assert_allclose(
                getattr(batch[k].projection, name), want, rtol=1e-12, atol=1e-12 * scale
            )
        np.testing.assert_allclose(
            batch.gaps.loc[k].to_numpy(), single.gaps.to_numpy(), rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize("distinct", [1, 3, 40])
def test_spillover_per_decay_value_equals_the_batched_product(distinct):
    """The spillover operator (decay per distinct d_decay value, batched product) equals
    the plain per-member sum."""
    rng = np.random.default_rng(distinct)
    k, n = 40, 13
    dist = rng.uniform(50, 500, (n, n))
    d_decay = rng.choice(rng.uniform(100, 400, distinct), k)
    weights, x = rng.uniform(0, 1, (k, n)), rng.normal(0, 0.01, (k, n))
    got = engine._Spillover(dist, d_decay, weights)(x)
    decay = np.exp(-dist[None] / d_decay[:, None, None]) * (1 - np.eye(n))
    want = np.einsum("kjn,kn,kn->kj", decay, weights, x)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-18)


def test_a_members_numbers_do_not_depend_on_its_batch():
    """Chunked ensembles and sweeps must equal one batch to the last bit: every fast path
    chosen per batch (skipped steps, widened columns, matrix products) must give a member
    the same numbers whatever else is in its batch. A batch of one (``project``) is held to
    1e-12 relative, as everywhere (one-row products round differently)."""
    from jjjplan.scenario import GrowthPoles, Innovation, Milestones, Reform

    rng = np.random.default_rng(9)
    base = jjjplan.Scenario.baseline()
    members = []
    for k in range(13):
        poles = GrowthPoles(
            relocation=Milestones(300.0, *rng.uniform(0, 3000, 2)),
            investment=Milestones(0.0, *(rng.uniform(0, 0.02, 2) * (k % 3 != 0))),
        )
        members.append(
            base.replace(
                name=f"m{k}",
                poles=poles,
                innovation=Innovation(share=Milestones(0.088, 0.1, rng.uniform(0.1, 0.4))),
                reform=Reform(origin_share=rng.uniform()),
                assumptions={"d_decay": float(rng.choice([150.0, 200.0, rng.uniform(100, 300)])),
                             "beta_conv": float(rng.uniform(0.01, 0.04))},
            )
        )  # fmt: skip
    members[4] = jjjplan.read_workbook("workbooks/05-coordinated.xlsx")  # chains move
    whole = jjjplan.project_many(members)
    want = whole.projection
    for size in (1, 2, 5, 8):
        for lo in range(0, len(members), size):
            part = jjjplan.project_many(members[lo : lo + size])
            got = part.projection
            one = len(part) == 1

            def same(x, y, one=one):
                if one:
                    np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-9)
                else:
                    np.testing.assert_array_equal(x, y)

            for j in range(len(part)):
                same(got.gdp[j], want.gdp[lo + j])
                same(got.population[j], want.population[lo + j])
                for name in want.ledger:
                    same(got.ledger[name][j], want.ledger[name][lo + j])
            same(part.gap_values[0], whole.gap_values[0][lo : lo + size])


def _schedule_by_year_loop(rule: SharingRule, horizon: int, g, cf):
    """The sharing rule as written, year by year (the closed form must reproduce it)."""
    share, years, ext, cap = (np.asarray(x, dtype=float) for x in dataclasses.astuple(rule)[:4])
    tax = (1.0 + g[:, None]) ** np.arange(horizon)
    origin, comp = np.zeros_like(tax), np.zeros_like(tax)
    paid, end = np.zeros(len(share)), years.astype(int)
    extended = np.zeros(len(share), dtype=bool)
    for i in range(horizon):
        active = (i + 1 <= end) & (paid < cap - 1e-12)
        take = np.where(active, np.minimum(share * tax[:, i], cap - paid), 0.0)
        origin[:, i] = take
        paid = paid + take
        unmet = paid < cap - 1e-12
        extend = (i + 1 == end) & ~extended & (ext > 0) & unmet
        comp[:, i] = np.where((i + 1 == end) & ~extend & unmet, cf * (cap - paid), 0.0)
        end = np.where(extend, end + ext.astype(int), end)
        extended |= extend
    return tax, origin, comp


@pytest.mark.parametrize("horizon", [1, 4, 9, 30])
def test_closed_form_schedule_equals_the_year_by_year_rule(horizon):
    rng = np.random.default_rng(horizon)
    k = 400
    rule = SharingRule(
        origin_share=rng.choice([0.0, 0.25, 0.5, 1.0], k) * rng.uniform(0.5, 1.5, k),
        share_years=rng.integers(0, 8, k).astype(float),
        ext_years=rng.integers(0, 4, k).astype(float),
        cap_multiple=rng.choice([0.0, 1.0, 2.5, 3.0], k) + rng.uniform(0, 1, k),
    )
    g, cf = rng.uniform(-0.05, 0.1, k) * rng.integers(0, 2, k), rng.uniform(0, 1, k)
    tax, origin, comp = _schedule_by_year_loop(rule, horizon, g, cf)
    got = sharing_schedule(rule, horizon, g, cf)
    np.testing.assert_array_equal(got.firm_tax, tax)
    np.testing.assert_array_equal(got.origin, origin)  # cumsum adds in year order: exact
    np.testing.assert_array_equal(got.compensation, comp)
    if horizon > 1:  # the cap, the extension and compensation are all exercised
        assert (got.origin > 0).any() and (got.compensation > 0).any()


def test_gaps_frames_do_not_share_their_labels():
    """Results.gaps reuses cached year and column labels: renaming one frame's index (or
    writing into its values) must not reach the next projection's frame."""
    first = jjjplan.project(jjjplan.Scenario.baseline()).gaps
    first.index.name = "renamed"
    first.columns.name = "renamed too"
    first.iloc[0, 0] = -1.0
    second = jjjplan.project(jjjplan.Scenario.baseline()).gaps
    assert second.index.name == "year" and second.columns.name is None
    assert second.iloc[0, 0] >= 0.0


@pytest.mark.parametrize("k", [1, 2, 7, 63, 64, 200])
def test_np_dot_is_the_same_product_as_matmul(k):
    """The loop's province sums use np.dot on small batches and ``@`` on big ones: both
    must give the same numbers to the last bit (one BLAS product), or a member's numbers
    would depend on its batch's size."""
    rng = np.random.default_rng(k)
    x = rng.uniform(0.5, 2e4, (k, 13)) * rng.uniform(0.1, 10.0, (k, 1))
    y = rng.uniform(-1e3, 1e3, (k, 3))
    to_prov = (rng.uniform(0, 1, (13, 3)) > 0.5).astype(float)
    np.testing.assert_array_equal(np.dot(x, to_prov), x @ to_prov)
    np.testing.assert_array_equal(np.dot(y, to_prov.T), y @ to_prov.T)


def test_one_members_spillover_equals_the_plain_sum():
    rng = np.random.default_rng(5)
    n = 13
    dist = rng.uniform(50, 500, (n, n))
    weights, x = rng.uniform(0, 1, (1, n)), rng.normal(0, 0.01, (1, n))
    got = engine._Spillover(dist, np.array([250.0]), weights)(x)
    decay = np.exp(-dist / 250.0) * (1 - np.eye(n))
    want = np.einsum("jn,n,n->j", decay, weights[0], x[0])[None]
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-18)


@pytest.mark.parametrize("lag", [0, 1])
@pytest.mark.parametrize("members", [1, 4, 100])  # small batches gather, big ones use windows
def test_lower_toeplitz_is_the_lag_matrix(lag, members):
    rng = np.random.default_rng(lag)
    kernel = rng.uniform(-1, 1, (members, 3, 14))
    got = engine._lower_toeplitz(kernel, lag=lag)
    want = np.zeros((members, 3, 14, 14))
    for t in range(14):
        for s in range(14):
            if t - s - lag >= 0:
                want[..., t, s] = kernel[..., t - s - lag]
    np.testing.assert_array_equal(got, want)
