"""Tests for jjjplan.gaps: hand-computed answers, a PySAL cross-check, properties, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inequality.gini import Gini
from inequality.theil import Theil, TheilD

from jjjplan.gaps import (
    DECOMPOSITION_NAMES,
    FISCAL_GAP_NAMES,
    GAP_MEASURE_LABELS,
    GAP_MEASURE_NAMES,
    gap_measures,
    gap_measures_frame,
)

ALL_NAMES = GAP_MEASURE_NAMES + DECOMPOSITION_NAMES
ln = math.log


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# --------------------------------------------------------------------------- API shape


def test_names_and_labels() -> None:
    assert GAP_MEASURE_NAMES == (
        "theil_t",
        "theil_l",
        "cv",
        "cv_weighted",
        "gini_weighted",
        "max_min_ratio",
    )
    assert DECOMPOSITION_NAMES == (
        "theil_t_between",
        "theil_t_within",
        "theil_l_between",
        "theil_l_within",
    )
    assert set(GAP_MEASURE_LABELS) == set(ALL_NAMES) | set(FISCAL_GAP_NAMES)
    for zh, en in GAP_MEASURE_LABELS.values():
        assert zh and en and isinstance(zh, str) and isinstance(en, str)
    assert GAP_MEASURE_LABELS["theil_t"] == ("泰尔指数T（GDP加权）", "Theil T (GDP-weighted)")
    assert GAP_MEASURE_LABELS["gini_weighted"] == (
        "基尼系数（人口加权）",
        "Gini (population-weighted)",
    )


def test_result_index_order_and_name() -> None:
    plain = gap_measures([4, 2, 2], [1, 2, 1])
    assert list(plain.index) == list(GAP_MEASURE_NAMES)
    assert plain.name == "gap_measures"
    grouped = gap_measures([4, 2, 2], [1, 2, 1], groups=["BJ", "HE", "HE"])
    assert list(grouped.index) == list(ALL_NAMES)
    assert grouped.name == "gap_measures"


# --------------------------------------------------------------------------- known answers


def test_known_answer_three_units() -> None:
    # P = 1, 2, 1 (ΣP = 4); Y = 4, 2, 2 (ΣY = 8)
    # p = 1/4, 1/2, 1/4; s = 1/2, 1/4, 1/4; y = 4, 1, 2; ȳ = 8/4 = 2
    result = gap_measures([4, 2, 2], [1, 2, 1])

    # T = ½ln(½/¼) + ¼ln(¼/½) + ¼ln(¼/¼) = ½ln2 − ¼ln2 + 0 = ¼ln2
    theil_t = 0.5 * ln(2) + 0.25 * ln(0.5) + 0.25 * ln(1)
    assert close(theil_t, 0.25 * ln(2))
    # L = ¼ln(¼/½) + ½ln(½/¼) + ¼ln(¼/¼) = −¼ln2 + ½ln2 = ¼ln2 (same by coincidence)
    theil_l = 0.25 * ln(0.5) + 0.5 * ln(2) + 0.25 * ln(1)
    # mean y = 7/3; Σ(y − 7/3)² = 25/9 + 16/9 + 1/9 = 42/9; var = 42/27 = 14/9 (divide by n=3)
    cv = math.sqrt(14 / 9) / (7 / 3)
    # Σ p (y − ȳ)² = ¼·4 + ½·1 + ¼·0 = 1.5
    cv_weighted = math.sqrt(1.5) / 2
    # ordered pairs: 2 × [¼·½·|4−1| + ¼·¼·|4−2| + ½·¼·|1−2|] = 2 × (0.375 + 0.125 + 0.125)
    gini = 2 * (0.375 + 0.125 + 0.125) / (2 * 2)
    ratio = 4 / 1

    expected = {
        "theil_t": theil_t,
        "theil_l": theil_l,
        "cv": cv,
        "cv_weighted": cv_weighted,
        "gini_weighted": gini,
        "max_min_ratio": ratio,
    }
    for name, value in expected.items():
        assert close(result[name], value), (name, result[name], value)
    assert close(gini, 0.3125)


def test_known_answer_four_units_two_groups() -> None:
    # units:   a1   a2   b1   b2
    # P:        1    2    1    1   ΣP = 5, P_a = 3, P_b = 2
    # Y:        4    2    2    3   ΣY = 11, Y_a = 6, Y_b = 5
    # y:        4    1    2    3   ȳ = 11/5
    result = gap_measures([4, 2, 2, 3], [1, 2, 1, 1], groups=["a", "a", "b", "b"])

    # s/p per unit: (4/11)/(1/5) = 20/11, (2/11)/(2/5) = 5/11, (2/11)/(1/5) = 10/11, 15/11
    theil_t = (
        4 / 11 * ln(20 / 11) + 2 / 11 * ln(5 / 11) + 2 / 11 * ln(10 / 11) + 3 / 11 * ln(15 / 11)
    )
    theil_l = 1 / 5 * ln(11 / 20) + 2 / 5 * ln(11 / 5) + 1 / 5 * ln(11 / 10) + 1 / 5 * ln(11 / 15)

    # group shares: s_a = 6/11, s_b = 5/11, p_a = 3/5, p_b = 2/5
    t_between = 6 / 11 * ln((6 / 11) / (3 / 5)) + 5 / 11 * ln((5 / 11) / (2 / 5))
    # T_a: Y shares 4/6, 2/6 vs P shares 1/3, 2/3 → ⅔ln2 + ⅓ln½ = ⅓ln2
    t_a = 2 / 3 * ln((2 / 3) / (1 / 3)) + 1 / 3 * ln((1 / 3) / (2 / 3))
    # T_b: Y shares 2/5, 3/5 vs P shares 1/2, 1/2
    t_b = 2 / 5 * ln((2 / 5) / (1 / 2)) + 3 / 5 * ln((3 / 5) / (1 / 2))
    t_within = 6 / 11 * t_a + 5 / 11 * t_b

    l_between = 3 / 5 * ln((3 / 5) / (6 / 11)) + 2 / 5 * ln((2 / 5) / (5 / 11))
    # L_a: P shares 1/3, 2/3 vs Y shares 2/3, 1/3 → ⅓ln½ + ⅔ln2 = ⅓ln2
    l_a = 1 / 3 * ln((1 / 3) / (2 / 3)) + 2 / 3 * ln((2 / 3) / (1 / 3))
    # L_b: P shares 1/2, 1/2 vs Y shares 2/5, 3/5
    l_b = 1 / 2 * ln((1 / 2) / (2 / 5)) + 1 / 2 * ln((1 / 2) / (3 / 5))
    l_within = 3 / 5 * l_a + 2 / 5 * l_b

    # the hand arithmetic itself must decompose
    assert close(t_between + t_within, theil_t)
    assert close(l_between + l_within, theil_l)

    # mean y = 2.5; deviations ±1.5, ±0.5 → var = (2.25 + 2.25 + 0.25 + 0.25)/4 = 1.25
    cv = math.sqrt(1.25) / 2.5
    # Σp(y − 2.2)² = 0.2·1.8² + 0.4·1.2² + 0.2·0.2² + 0.2·0.8² = 0.648 + 0.576 + 0.008 + 0.128
    cv_weighted = math.sqrt(0.648 + 0.576 + 0.008 + 0.128) / 2.2
    # unordered pairs p_i p_j |y_i − y_j|: (1,2) .2·.4·3, (1,3) .2·.2·2, (1,4) .2·.2·1,
    # (2,3) .4·.2·1, (2,4) .4·.2·2, (3,4) .2·.2·1 → sum 0.64; both orders → 1.28
    pair_sum = 0.24 + 0.08 + 0.04 + 0.08 + 0.16 + 0.04
    gini = 2 * pair_sum / (2 * 2.2)

    expected = {
        "theil_t": theil_t,
        "theil_l": theil_l,
        "cv": cv,
        "cv_weighted": cv_weighted,
        "gini_weighted": gini,
        "max_min_ratio": 4 / 1,
        "theil_t_between": t_between,
        "theil_t_within": t_within,
        "theil_l_between": l_between,
        "theil_l_within": l_within,
    }
    for name, value in expected.items():
        assert close(result[name], value), (name, result[name], value)


def test_singleton_and_single_group_extremes() -> None:
    gdp, pop = [4, 2, 2, 3], [1, 2, 1, 1]
    own = gap_measures(gdp, pop, groups=["w", "x", "y", "z"])  # every unit its own group
    assert close(own["theil_t_between"], own["theil_t"]) and own["theil_t_within"] == 0.0
    assert close(own["theil_l_between"], own["theil_l"]) and own["theil_l_within"] == 0.0
    one = gap_measures(gdp, pop, groups=["JJJ"] * 4)
    assert one["theil_t_between"] == 0.0 and close(one["theil_t_within"], one["theil_t"])
    assert one["theil_l_between"] == 0.0 and close(one["theil_l_within"], one["theil_l"])


def test_inputs_are_positional_and_types_interchangeable() -> None:
    expected = gap_measures([4, 2, 2], [1, 2, 1], groups=["a", "b", "b"])
    gdp = pd.Series([4.0, 2.0, 2.0], index=["z", "y", "x"])
    pop = pd.Series([1, 2, 1], index=["x", "y", "z"])  # index deliberately disagrees
    groups = pd.Series(["a", "b", "b"], index=[10, 0, 5])
    pd.testing.assert_series_equal(gap_measures(gdp, pop, groups), expected)
    arrays = gap_measures(np.array([4, 2, 2]), np.array([1.0, 2.0, 1.0]), np.array(["a", "b", "b"]))
    pd.testing.assert_series_equal(arrays, expected)


def test_frame_known_values_and_index() -> None:
    years = pd.Index([2021, 2022], name="year")
    gdp = pd.DataFrame([[4, 2, 2], [1, 1, 1]], index=years, columns=["BJ", "TJ", "HE"])
    pop = pd.DataFrame([[1, 2, 1], [1, 1, 1]], index=years, columns=["BJ", "TJ", "HE"])
    frame = gap_measures_frame(gdp, pop)
    assert list(frame.columns) == list(GAP_MEASURE_NAMES)
    assert frame.index.equals(years)
    assert close(frame.loc[2021, "theil_t"], 0.25 * ln(2))
    assert close(frame.loc[2021, "gini_weighted"], 0.3125)
    assert (frame.loc[2022, list(GAP_MEASURE_NAMES[:-1])] == 0).all()
    assert frame.loc[2022, "max_min_ratio"] == 1.0
    grouped = gap_measures_frame(gdp, pop, groups=["BJ", "TJ", "TJ"])
    assert list(grouped.columns) == list(ALL_NAMES)


# --------------------------------------------------------------------------- PySAL


positive = st.floats(min_value=1e-2, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    y=st.lists(positive, min_size=2, max_size=30),
    pop=st.floats(min_value=1e-2, max_value=1e5),
    data=st.data(),
)
def test_equal_population_matches_pysal(y: list[float], pop: float, data: st.DataObject) -> None:
    # PySAL's Theil is Σ s_i ln(n s_i) — our theil_t when every p_i = 1/n.
    y_arr = np.array(y)
    groups = np.array(
        data.draw(st.lists(st.sampled_from(["BJ", "TJ", "HE"]), min_size=len(y), max_size=len(y)))
    )
    result = gap_measures(y_arr, [pop] * len(y), groups=groups)
    assert close(result["theil_t"], float(Theil(y_arr).T))
    # PySAL's between term is Σ_g s_g ln(s_g · n/n_g) (= ln(s_g/p_g) with equal populations);
    # its within term is the residual T − between, ours is computed directly as Σ s_g T_g.
    decomposition = TheilD(y_arr, groups)
    assert close(result["theil_t_between"], float(np.squeeze(decomposition.bg)))
    assert close(result["theil_t_within"], float(np.squeeze(decomposition.wg)))
    # PySAL's Gini is the unweighted mean-difference Gini — ours with equal weights.
    assert close(result["gini_weighted"], float(Gini(y_arr).g))


# --------------------------------------------------------------------------- properties


@st.composite
def panels(draw: st.DrawFn, max_units: int = 15) -> tuple[list[float], list[float], list[str]]:
    n = draw(st.integers(min_value=2, max_value=max_units))
    gdp = draw(st.lists(positive, min_size=n, max_size=n))
    pop = draw(st.lists(st.floats(min_value=1e-2, max_value=1e5), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from(["BJ", "TJ", "HE"]), min_size=n, max_size=n))
    return gdp, pop, groups


def assert_measures_close(a: pd.Series, b: pd.Series) -> None:
    assert list(a.index) == list(b.index)
    for name in a.index:
        assert math.isclose(a[name], b[name], rel_tol=1e-8, abs_tol=1e-10), (name, a[name], b[name])


@settings(max_examples=200, deadline=None)
@given(panels())
def test_measures_are_non_negative(panel) -> None:
    gdp, pop, groups = panel
    result = gap_measures(gdp, pop, groups)
    assert (result.drop("max_min_ratio") >= 0).all()
    assert result["max_min_ratio"] >= 1


@settings(max_examples=200, deadline=None)
@given(panels(), st.floats(min_value=1e-3, max_value=1e3), st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(panel, k: float, m: float) -> None:
    gdp, pop, groups = panel
    base = gap_measures(gdp, pop, groups)
    assert_measures_close(gap_measures(np.array(gdp) * k, pop, groups), base)  # e.g. 亿元 → 万元
    assert_measures_close(gap_measures(gdp, np.array(pop) * m, groups), base)  # 万人 → 人


@settings(max_examples=200, deadline=None)
@given(panels(), st.floats(min_value=1e-2, max_value=1e3))
def test_equal_per_capita_gives_no_gap(panel, per_capita: float) -> None:
    _, pop, groups = panel
    result = gap_measures(np.array(pop) * per_capita, pop, groups)
    for name in ALL_NAMES:
        target = 1.0 if name == "max_min_ratio" else 0.0
        assert math.isclose(result[name], target, abs_tol=1e-12), (name, result[name])


@settings(max_examples=200, deadline=None)
@given(panels())
def test_between_plus_within_is_total(panel) -> None:
    gdp, pop, groups = panel
    r = gap_measures(gdp, pop, groups)
    assert math.isclose(
        r["theil_t_between"] + r["theil_t_within"], r["theil_t"], rel_tol=1e-9, abs_tol=1e-12
    )
    assert math.isclose(
        r["theil_l_between"] + r["theil_l_within"], r["theil_l"], rel_tol=1e-9, abs_tol=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(panels(), st.randoms(use_true_random=False))
def test_permutation_invariance(panel, rnd) -> None:
    gdp, pop, groups = panel
    order = list(range(len(gdp)))
    rnd.shuffle(order)
    shuffled = gap_measures(
        [gdp[i] for i in order], [pop[i] for i in order], [groups[i] for i in order]
    )
    assert_measures_close(shuffled, gap_measures(gdp, pop, groups))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda years: st.integers(min_value=2, max_value=10).flatmap(
            lambda n: st.tuples(
                st.lists(
                    st.lists(positive, min_size=n, max_size=n), min_size=years, max_size=years
                ),
                st.lists(
                    st.lists(st.floats(min_value=1e-2, max_value=1e5), min_size=n, max_size=n),
                    min_size=years,
                    max_size=years,
                ),
                st.lists(st.sampled_from(["BJ", "TJ", "HE"]), min_size=n, max_size=n),
            )
        )
    ),
    st.booleans(),
)
def test_frame_rows_equal_single_year(panel, use_groups: bool) -> None:
    gdp_rows, pop_rows, groups = panel
    years = range(2010, 2010 + len(gdp_rows))
    columns = [f"u{i}" for i in range(len(groups))]
    gdp = pd.DataFrame(gdp_rows, index=years, columns=columns)
    pop = pd.DataFrame(pop_rows, index=years, columns=columns)
    frame = gap_measures_frame(gdp, pop, groups if use_groups else None)
    for year in years:
        single = gap_measures(gdp.loc[year], pop.loc[year], groups if use_groups else None)
        assert_measures_close(frame.loc[year].rename("gap_measures"), single)


def test_frame_accepts_zero_years() -> None:
    empty = pd.DataFrame(np.empty((0, 3)), columns=["BJ", "TJ", "HE"])
    frame = gap_measures_frame(empty, empty.copy(), groups=["BJ", "TJ", "HE"])
    assert frame.shape == (0, len(ALL_NAMES))


# --------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("gdp", "pop", "message"),
    [
        ([1, 0, 2], [1, 1, 1], "gdp must be finite and > 0; position 1 has value 0.0"),
        ([1, -3, 2], [1, 1, 1], "gdp must be finite and > 0; position 1 has value -3.0"),
        ([1, 2, float("nan")], [1, 1, 1], "gdp must be finite and > 0; position 2 has value nan"),
        (
            [1, 2, 3],
            [1, float("inf"), 1],
            "population must be finite and > 0; position 1 has value inf",
        ),
        ([1, 2, 3], [0, 0, 1], "position 0 has value 0.0 (and 1 other invalid value(s))"),
        ([1, 2, 3], [1, 2], "same length, got 3 and 2"),
        ([1], [1], "at least 2 units, got 1"),
        ([], [], "at least 2 units, got 0"),
        (["a", 1], [1, 1], "gdp must contain numbers only"),
        ([[1, 2], [3, 4]], [1, 2], "gdp must be 1-dimensional"),
        (5.0, 1.0, "gdp must be 1-dimensional"),
        (
            pd.Series([1, None], dtype="Int64"),
            [1, 1],
            "gdp must be finite and > 0; position 1 has value nan",
        ),
        ([1e308, 1e308], [1, 1], "too extreme for float64"),
    ],
)
def test_invalid_values_raise(gdp, pop, message: str) -> None:
    with pytest.raises(ValueError) as info:
        gap_measures(gdp, pop)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["BJ", "HE"], "groups has length 2 but there are 3 units"),
        (["BJ", None, "HE"], "groups has a missing label at position 1"),
        ([["BJ"], ["TJ"], ["HE"]], "groups must be 1-dimensional"),
        ("BJ", "groups must be 1-dimensional"),
    ],
)
def test_invalid_groups_raise(groups, message: str) -> None:
    with pytest.raises(ValueError) as info:
        gap_measures([1, 2, 3], [1, 1, 1], groups=groups)
    assert message in str(info.value)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    gdp = pd.DataFrame(
        [[4.0, 2.0, 2.0], [3.0, 2.0, 1.0]], index=[2021, 2022], columns=["BJ", "TJ", "SJZ"]
    )
    return gdp, gdp.copy()


def test_frame_invalid_value_names_row_and_column() -> None:
    gdp, pop = _frames()
    pop.loc[2022, "SJZ"] = -1.0
    with pytest.raises(
        ValueError,
        match=r"population must be finite and > 0; row 2022, column 'SJZ' has value -1\.0",
    ):
        gap_measures_frame(gdp, pop)
    gdp.loc[2021, "TJ"] = np.nan
    with pytest.raises(
        ValueError, match=r"gdp must be finite and > 0; row 2021, column 'TJ' has value nan"
    ):
        gap_measures_frame(gdp, pop)


def test_frame_shape_columns_index_mismatch() -> None:
    gdp, pop = _frames()
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(2, 2\)"):
        gap_measures_frame(gdp, pop.iloc[:, :2])
    with pytest.raises(ValueError, match="same columns"):
        gap_measures_frame(gdp, pop[["TJ", "BJ", "SJZ"]])
    with pytest.raises(ValueError, match=r"same index \(years\)"):
        gap_measures_frame(gdp, pop.set_axis([2020, 2021]))
    with pytest.raises(ValueError, match="at least 2 units, got 1"):
        gap_measures_frame(gdp[["BJ"]], pop[["BJ"]])
    with pytest.raises(ValueError, match="groups has length 2 but there are 3 units"):
        gap_measures_frame(gdp, pop, groups=["BJ", "TJ"])
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        gap_measures_frame(gdp.to_numpy(), pop)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gdp must contain numbers only"):
        gap_measures_frame(gdp.astype(object).assign(BJ="x"), pop)


def test_fiscal_gaps_by_hand():
    from jjjplan.gaps import fiscal_gap_measures

    exp = np.array([[300.0, 100.0, 200.0]])
    pop = np.array([[10.0, 10.0, 20.0]])
    s, p = exp[0] / 600.0, pop[0] / 40.0
    out = fiscal_gap_measures(exp, pop)
    assert out["fiscal_theil_t"][0] == pytest.approx(float((s * np.log(s / p)).sum()))
    assert out["fiscal_bj_he_ratio"][0] == pytest.approx((300 / 10) / (200 / 20))
