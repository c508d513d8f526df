"""Uncertainty machinery: designs, ensembles and bands, robust comparison, SALib indices.

Draw counts stay small (the loop engine costs milliseconds per projection); anything larger
is marked slow. Probability tables are checked on hand-built values with known answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jjjplan
from jjjplan.assumptions import ASSUMPTION_BY_ID, ASSUMPTIONS
from jjjplan.gaps import DECOMPOSITION_NAMES, GAP_MEASURE_NAMES
from jjjplan.uncertainty import compare as cmp
from jjjplan.uncertainty import design, evaluate
from jjjplan.uncertainty.compare import RobustComparison, compare_ensembles, verdict
from jjjplan.uncertainty.ensembles import BAND_COLUMNS, Ensemble, ensemble
from jjjplan.uncertainty.gsa import indices, parse_outcome, sensitivity

FEW = ["beta_conv", "gap_persistence", "g_nat_central_2026_2030"]


@pytest.fixture(scope="module")
def small_ensemble():
    return ensemble(jjjplan.Scenario.baseline(), draws=12, seed=3)


# -- designs -----------------------------------------------------------------------------
@pytest.mark.parametrize("method", design.METHODS)
def test_design_is_reproducible_and_seed_dependent(method):
    a = design.unit_design(5, 16, method, seed=1)
    assert a.shape == (16, 5)
    assert np.array_equal(a, design.unit_design(5, 16, method, seed=1))
    assert not np.array_equal(a, design.unit_design(5, 16, method, seed=2))
    assert np.all((a >= 0) & (a < 1))


def test_latin_hypercube_has_one_point_per_stratum():
    a = design.unit_design(4, 20, "lhs", seed=0)
    for col in a.T:
        assert sorted(np.floor(col * 20).astype(int)) == list(range(20))


def test_bad_design_arguments_are_refused():
    with pytest.raises(ValueError, match="method"):
        design.unit_design(2, 4, "halton")
    with pytest.raises(ValueError, match="draws"):
        design.unit_design(2, 0)
    with pytest.raises(ValueError, match="unknown assumption"):
        design.uncertain_assumptions(["no_such_thing"])
    with pytest.raises(ValueError, match="no range"):
        design.uncertain_assumptions(["g_nat_2023"])


def test_values_stay_in_range_and_follow_the_distribution():
    table = design.uncertain_assumptions()
    assert table == tuple(a for a in ASSUMPTIONS if a.low < a.high)
    values = design.to_values(design.unit_design(len(table), 64, "lhs", 0), table)
    lows = np.array([a.low for a in table])
    highs = np.array([a.high for a in table])
    assert np.all(values >= lows) and np.all(values <= highs)
    beta = ASSUMPTION_BY_ID["beta_conv"]
    mid = design.to_values(np.array([[0.5]]), [beta])[0, 0]
    assert mid == pytest.approx(beta.ppf(0.5))


def test_members_take_draws_but_keep_planner_set_values():
    base = jjjplan.Scenario.baseline()
    planner = base.replace(assumptions={**base.assumptions, "beta_conv": 0.03})
    table = design.uncertain_assumptions(FEW)
    values = design.to_values(design.unit_design(len(table), 3, "lhs", 0), table)
    assert design.held_fixed(planner, table) == ("beta_conv",)
    for row, member in zip(values, design.members(planner, values, table), strict=True):
        assert member.assumptions["beta_conv"] == 0.03
        assert member.assumptions["gap_persistence"] == row[1]
        # a member is exactly the validated scenario with those values
        drawn = {a.id: v for a, v in zip(table[1:], row[1:], strict=True)}
        rebuilt = planner.replace(assumptions={**planner.assumptions, **drawn})
        assert member == rebuilt
    assert planner.assumptions["gap_persistence"] == 1.0  # the original is untouched


# -- ensembles and bands -----------------------------------------------------------------
def test_same_seed_same_ensemble_other_seed_other_draws(small_ensemble):
    again = ensemble(jjjplan.Scenario.baseline(), draws=12, seed=3)
    pd.testing.assert_frame_equal(small_ensemble.gaps, again.gaps)
    pd.testing.assert_frame_equal(small_ensemble.bands(), again.bands())
    other = ensemble(jjjplan.Scenario.baseline(), draws=12, seed=4, assumptions=FEW)
    assert not np.allclose(other.samples.to_numpy(), small_ensemble.samples[FEW].to_numpy())


def test_each_member_is_the_projection_of_its_draw(small_ensemble):
    base = jjjplan.Scenario.baseline()
    for k in (0, 7):
        drawn = small_ensemble.samples.loc[k].to_dict()
        r = jjjplan.project(base.replace(assumptions={**base.assumptions, **drawn}))
        got = small_ensemble.gaps.xs(k, level="member")
        pd.testing.assert_frame_equal(got, r.gaps, check_names=False, rtol=1e-12)
        assert small_ensemble.ratios.xs(k, level="member")["bj_he_ratio"].to_numpy() == (
            pytest.approx(r.ratios["bj_he_ratio"].to_numpy(), rel=1e-12)
        )


def test_gaps_are_indexed_by_member_and_year(small_ensemble):
    g = small_ensemble.gaps
    assert g.index.names == ["member", "year"]
    point = jjjplan.project(jjjplan.Scenario.baseline())
    assert list(g.columns) == list(point.gaps.columns)
    assert {*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES} <= set(g.columns)
    assert len(g) == 12 * len(small_ensemble.years)


def test_bands_cover_every_outcome_and_are_monotone_in_the_quantile(small_ensemble):
    b = small_ensemble.bands()
    assert tuple(b.columns) == BAND_COLUMNS
    assert set(b["quantile"]) == {0.05, 0.25, 0.5, 0.75, 0.95}
    variables = set(b["variable"])
    assert {*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES, "bj_he_ratio", "tj_he_ratio"} <= variables
    assert {"gdp", "gdp_per_capita", "jjj_share_national"} <= variables
    regions = set(b.loc[b.variable == "gdp", "region"])
    assert {"BJ", "TJ", "HE", "JJJ", "SJZ", "HS"} <= regions
    assert b["value"].notna().all()
    ordered = b.sort_values(["region", "variable", "year", "quantile"])
    steps = ordered.groupby(["region", "variable", "year"])["value"].diff().dropna()
    assert (steps >= -1e-12).all()


def test_band_median_is_the_median_of_the_members(small_ensemble):
    b = small_ensemble.bands(quantiles=(0.5,))
    got = b.query("variable == 'theil_t' and year == 2035")["value"].item()
    want = small_ensemble.gaps.xs(2035, level="year")["theil_t"].median()
    assert got == pytest.approx(want, rel=1e-12)
    hebei = b.query("variable == 'gdp' and region == 'HE' and year == 2030")["value"].item()
    cities = [u for u, p in zip(*_units_and_provinces(), strict=True) if p == "HE"]
    sums = [small_ensemble.outcomes.region_values[k, :, :, 0] for k in range(len(small_ensemble))]
    t = list(small_ensemble.years).index(2030)
    idx = [small_ensemble.outcomes.regions.index(c) for c in cities]
    assert hebei == pytest.approx(np.median([s[t, idx].sum() for s in sums]), rel=1e-12)


def _units_and_provinces():
    p = jjjplan.project(jjjplan.Scenario.baseline()).projection
    return p.units, p.provinces


def test_bad_quantiles_are_refused(small_ensemble):
    with pytest.raises(ValueError, match="quantiles"):
        small_ensemble.bands(quantiles=(0.5, 1.5))


def test_chunked_evaluation_equals_one_batch(monkeypatch, small_ensemble):
    monkeypatch.setattr(evaluate, "CHUNK", 5)
    seen = []
    chunked = ensemble(
        jjjplan.Scenario.baseline(), draws=12, seed=3, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(5, 12), (10, 12), (12, 12)]
    np.testing.assert_array_equal(chunked.outcomes.indicators, small_ensemble.outcomes.indicators)
    np.testing.assert_array_equal(
        chunked.outcomes.region_values, small_ensemble.outcomes.region_values
    )


# -- robust comparison -------------------------------------------------------------------
def _comparison(values, names=("a", "b", "c")) -> RobustComparison:
    """A comparison of hand-built values [S, K], the same for every outcome, year 2035."""
    values = np.asarray(values, dtype=float)
    k = values.shape[1]
    ensembles = {}
    for name, row in zip(names, values, strict=True):
        arr = np.repeat(row[:, None, None], len(cmp.OUTCOMES), axis=2)
        out = evaluate.Outcomes(np.array([2035]), cmp.OUTCOMES, arr, (), None)
        samples = pd.DataFrame(index=pd.RangeIndex(k, name="member"))
        ensembles[name] = Ensemble(jjjplan.Scenario.baseline(), "lhs", 0, samples, (), out)
    return RobustComparison(ensembles, names[0])


def _theil(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["outcome"] == "theil_t"]


def test_rank_probabilities_known_answer():
    # draw 0: a<b<c; draw 1: b<a<c; draw 2: b<c<a; draw 3: a<c<b
    c = _comparison([[1, 2, 3, 1], [2, 1, 1, 3], [3, 3, 2, 2]])
    ranks = _theil(c.ranks).pivot(index="scenario", columns="rank", values="probability")
    np.testing.assert_allclose(ranks.loc["a"], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(ranks.loc["b"], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(ranks.loc["c"], [0.0, 0.5, 0.5])
    lowest = _theil(c.lowest).set_index("scenario")["probability"]
    assert lowest.to_dict() == {"a": 0.5, "b": 0.5, "c": 0.0}
    pw = _theil(c.pairwise).set_index(["scenario", "other"])
    assert pw.loc[("a", "b"), "probability"] == 0.5
    assert pw.loc[("a", "b"), "verdict"] == cmp.UNDECIDED
    assert pw.loc[("b", "c"), "probability"] == 0.75
    assert pw.loc[("b", "c"), "verdict"] == cmp.LOWER
    assert pw.loc[("c", "b"), "verdict"] == cmp.HIGHER
    vb = _theil(c.vs_baseline).set_index("scenario")
    assert vb.loc["c", "probability"] == 0.25 and vb.loc["c", "verdict"] == cmp.WORSE
    assert vb.loc["a", "verdict"] == cmp.UNDECIDED


def test_ties_share_the_ranks_they_span():
    c = _comparison([[1.0, 1.0], [1.0, 1.0], [0.5, 2.0]])
    ranks = _theil(c.ranks).pivot(index="scenario", columns="rank", values="probability")
    np.testing.assert_allclose(ranks.loc["c"], [0.5, 0.0, 0.5])
    np.testing.assert_allclose(ranks.loc["a"], [0.25, 0.5, 0.25])
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("p", "label"),
    [(0.39, cmp.WORSE), (0.4, cmp.UNDECIDED), (0.5, cmp.UNDECIDED), (0.6, cmp.UNDECIDED),
     (0.61, cmp.BETTER)],
)  # fmt: skip
def test_verdict_boundaries(p, label):
    assert verdict(p) == label


def test_a_scenario_compared_with_itself_is_undecided():
    s = jjjplan.Scenario.baseline()
    c = compare_ensembles({"baseline": s, "copy": s.replace(name="copy")}, draws=6, seed=1,
                          assumptions=FEW)  # fmt: skip
    assert set(c.pairwise["probability"]) == {0.5}
    assert set(c.pairwise["verdict"]) == {cmp.UNDECIDED}
    assert set(c.vs_baseline["verdict"]) == {cmp.UNDECIDED}
    assert np.allclose(c.lowest["probability"], 0.5)


def test_compare_uses_common_draws_and_the_named_baseline():
    base = jjjplan.Scenario.baseline()
    invest = jjjplan.Milestones(0.0, 0.01, 0.01)
    poles = base.replace(
        name="poles", poles=jjjplan.GrowthPoles(weights={"TJ": 0.5, "SJZ": 0.5}, investment=invest)
    )
    c = compare_ensembles({"poles": poles, "baseline": base}, draws=5, seed=2, assumptions=FEW)
    assert c.baseline == "baseline"
    alone = ensemble(base, draws=5, seed=2, assumptions=FEW)
    t = list(c.years).index(2035)
    col = c.outcomes.index("theil_t")
    np.testing.assert_allclose(
        c.values[1, :, t, col], alone.gaps.xs(2035, level="year")["theil_t"], rtol=1e-12
    )
    bands = c.ensembles["baseline"].bands()
    pd.testing.assert_frame_equal(bands, alone.bands())
    with pytest.raises(ValueError, match="baseline"):
        compare_ensembles({"poles": poles}, draws=2, baseline="nope")


# -- global sensitivity ------------------------------------------------------------------
def _ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_ishigami_match_the_analytic_answer():
    # Ishigami & Homma (1990), a = 7, b = 0.1: V = 13.845; S1 = .3139, .4424, 0;
    # ST = .5576, .4424, .2437; the extra input is unused.
    df = indices(["x1", "x2", "x3", "unused"], _ishigami, "sobol", n=2048, seed=0)
    np.testing.assert_allclose(df["S1"], [0.3139, 0.4424, 0.0, 0.0], atol=0.04)
    np.testing.assert_allclose(df["ST"], [0.5576, 0.4424, 0.2437, 0.0], atol=0.04)
    assert df.loc["unused", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert list(df.columns) == ["S1", "S1_conf", "ST", "ST_conf"]


def test_morris_screens_out_an_unused_input():
    df = indices(["x1", "x2", "x3", "unused"], _ishigami, "morris", n=40, seed=0)
    assert list(df.columns) == ["mu_star", "sigma", "mu_star_conf"]
    assert df.loc["unused", "mu_star"] == 0.0
    assert (df.loc[["x1", "x2", "x3"], "mu_star"] > 1.0).all()


def test_an_assumption_that_cannot_matter_has_zero_total_index():
    # The baseline holds chain presence at the base year, so the IC chain's size never
    # enters the projection; Hebei's population trend moves population shares, hence Theil T.
    df = sensitivity(
        jjjplan.Scenario.baseline(), "theil_t", 2035, "sobol", n=8, seed=0,
        assumptions=["pop_trend_HE", "chain_size_ic"],
    )  # fmt: skip
    assert list(df.index) == ["pop_trend_HE", "chain_size_ic"]
    assert df.loc["chain_size_ic", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert df.loc["pop_trend_HE", "ST"] > 0.5


def test_an_outcome_no_assumption_moves_is_a_clear_error():
    with pytest.raises(ValueError, match="does not vary"):
        sensitivity(jjjplan.Scenario.baseline(), "theil_t", 2035, "sobol", n=4,
                    assumptions=["chain_size_ic", "chain_va_ic"])  # fmt: skip


def test_sensitivity_refuses_unknown_outcomes_and_years():
    s = jjjplan.Scenario.baseline()
    with pytest.raises(ValueError, match="unknown outcome"):
        sensitivity(s, "nope", n=2, method="morris", assumptions=["beta_conv"])
    with pytest.raises(ValueError, match="outside"):
        sensitivity(s, "theil_t", 2050, n=2, method="morris", assumptions=["beta_conv"])
    with pytest.raises(ValueError, match="method"):
        sensitivity(s, method="fast", n=2, assumptions=["beta_conv"])


def test_parse_outcome():
    assert parse_outcome("theil_t@2030") == ("theil_t", 2030)
    assert parse_outcome("bj_he_ratio") == ("bj_he_ratio", 2035)
    with pytest.raises(ValueError, match="NAME@YEAR"):
        parse_outcome("theil_t@soon")


# -- dashboard bands and the progress line -----------------------------------------------
def test_dashboard_bands_match_the_ensemble_and_switch_off_at_zero():
    from jjjplan.uncertainty import dashboard_bands

    s = jjjplan.Scenario.baseline()
    got = dashboard_bands(s, draws=6, seed=5)
    assert got.index.name == "year" and got.columns.names == ["outcome", "quantile"]
    e = ensemble(s, draws=6, seed=5)
    want = e.bands().query("variable == 'theil_t' and region == 'JJJ'")
    want = want.set_index(["year", "quantile"])["value"].unstack()
    np.testing.assert_allclose(got["theil_t"].to_numpy(), want.to_numpy(), rtol=1e-12)
    off = dashboard_bands(s, draws=0)
    assert off.empty and list(off.columns) == list(got.columns)


def test_dashboard_probability_of_a_copy_is_one_half():
    from jjjplan.uncertainty import dashboard_probability

    s = jjjplan.Scenario.baseline()
    p = dashboard_probability(s.replace(name="copy"), s, draws=4, seed=0)
    assert (p.to_numpy() == 0.5).all()
    assert list(p.columns) == list(cmp.OUTCOMES)


def test_progress_line_is_ascii_and_ends_cleanly():
    import io
    import time

    from jjjplan.uncertainty.progress import StderrProgress

    stream = io.StringIO()
    with StderrProgress("ensemble", 10, stream=stream, delay=0.0, interval=0.01, force=True) as p:
        p(5, 10)
        time.sleep(0.05)
    text = stream.getvalue()
    assert text.endswith("\n") and "5/10" in text and "[" + "#" * 12 in text
    text.encode("gbk")  # survives a GBK console
    quiet = io.StringIO()
    with StderrProgress("ensemble", 10, stream=quiet, delay=5.0, force=True):
        pass
    assert quiet.getvalue() == ""  # short runs draw nothing


def test_dashboard_joint_call_equals_bands_and_probability_separately():
    """The dashboard's one-evaluation call gives exactly what the two separate calls give."""
    import pandas as pd

    import jjjplan
    from jjjplan.uncertainty.dashboard import (
        dashboard_bands,
        dashboard_bands_and_probability,
        dashboard_probability,
    )

    base = jjjplan.Scenario.baseline()
    s = base.replace(reform=base.reform.__class__(origin_share=0.2))
    bands, prob = dashboard_bands_and_probability(s, base, draws=12, seed=1)
    pd.testing.assert_frame_equal(bands, dashboard_bands(s, 12, 1))
    pd.testing.assert_frame_equal(prob, dashboard_probability(s, base, 12, 1))
