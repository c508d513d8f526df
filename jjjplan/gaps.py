"""Regional-inequality ("gap") measures over spatial units (cities or provinces).

Two Theil indices are reported because Chinese regional-gap papers differ in which one they
call 泰尔指数, and a published number is only comparable with the same variant: ``theil_t``
weights units by GDP share (Σ s_i ln(s_i/p_i)) while ``theil_l`` weights by population share
(Σ p_i ln(p_i/s_i), the mean log deviation). Both decompose exactly into between-group and
within-group parts, each with its own weights.

``cv`` is the plain, unweighted coefficient of variation of per-capita GDP with the standard
deviation divided by n (population form, not n-1): the units are the whole region, not a
sample. ``cv_weighted`` (Williamson) and ``gini_weighted`` weight by population share.

Provably non-negative results are clipped at 0.0 because float rounding can otherwise give
values like -1e-17 for perfectly equal regions, which a dashboard would print as "-0.0000".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

GAP_MEASURE_NAMES: tuple[str, ...] = (
    "theil_t",
    "theil_l",
    "cv",
    "cv_weighted",
    "gini_weighted",
    "max_min_ratio",
)
DECOMPOSITION_NAMES: tuple[str, ...] = (
    "theil_t_between",
    "theil_t_within",
    "theil_l_between",
    "theil_l_within",
)

#: name -> (label_zh, label_en), for tables and dashboard captions.
GAP_MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "theil_t": ("泰尔指数T（GDP加权）", "Theil T (GDP-weighted)"),
    "theil_l": ("泰尔指数L（人口加权）", "Theil L (population-weighted)"),
    "cv": ("变异系数（未加权）", "Coefficient of variation (unweighted)"),
    "cv_weighted": (
        "加权变异系数（威廉姆森系数）",
        "Weighted coefficient of variation (Williamson)",
    ),
    "gini_weighted": ("基尼系数（人口加权）", "Gini (population-weighted)"),
    "max_min_ratio": ("人均GDP最高/最低比", "Max/min per-capita GDP ratio"),
    "fiscal_theil_t": (
        "人均一般公共预算支出泰尔指数T（三省市）",
        "Theil T of per-capita budget expenditure (3 provinces)",
    ),
    "fiscal_bj_he_ratio": ("京冀人均财政支出比", "Beijing/Hebei per-capita budget expenditure"),
    "theil_t_between": ("泰尔指数T组间差异", "Theil T between-group"),
    "theil_t_within": ("泰尔指数T组内差异", "Theil T within-group"),
    "theil_l_between": ("泰尔指数L组间差异", "Theil L between-group"),
    "theil_l_within": ("泰尔指数L组内差异", "Theil L within-group"),
}

ArrayLike = Sequence[float] | np.ndarray | pd.Series
#: Turns the (row, column) index of a bad value into words for the error message.
Describe = Callable[[tuple[int, ...]], str]


# --------------------------------------------------------------------------- validation


def _as_float_vector(values: Any, name: str) -> np.ndarray:
    """Positional 1-D float array; any pandas index is deliberately dropped."""
    try:
        if isinstance(values, pd.Series | pd.Index):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must contain numbers only: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got {arr.ndim} dimension(s)")
    return arr


def _as_float_frame(frame: Any, name: str) -> np.ndarray:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame (years × units), got {type(frame)}")
    try:
        return frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must contain numbers only: {exc}") from exc


def _check_positive(arr: np.ndarray, name: str, describe: Describe) -> None:
    """Logs and ratios need strictly positive finite values; name the first offender."""
    if arr.size and arr.min() > 0.0 and arr.max() < np.inf:  # NaN fails both: checked below
        return
    bad = ~(np.isfinite(arr) & (arr > 0))
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        extra = int(bad.sum()) - 1
        more = f" (and {extra} other invalid value(s))" if extra else ""
        where, value = describe(first), float(arr[first])
        raise ValueError(f"{name} must be finite and > 0; {where} has value {value!r}{more}")


def _plain(label: Any) -> Any:
    """numpy scalar -> Python scalar, so messages read "2022" and not "np.int64(2022)"."""
    return label.item() if isinstance(label, np.generic) else label


def _group_codes(groups: Any, n: int) -> tuple[np.ndarray, int]:
    """Integer codes 0..G-1 per unit; labels may be any hashable (e.g. "BJ", "TJ", "HE")."""
    if isinstance(groups, pd.Series | pd.Index):
        labels = groups.to_numpy()
    else:
        labels = np.asarray(groups, dtype=object)
    if labels.ndim != 1:
        raise ValueError(f"groups must be 1-dimensional, got {labels.ndim} dimension(s)")
    if len(labels) != n:
        raise ValueError(f"groups has length {len(labels)} but there are {n} units")
    try:
        codes, uniques = pd.factorize(labels)
    except TypeError as exc:
        raise ValueError(f"groups labels must be hashable: {exc}") from exc
    if (codes < 0).any():
        pos = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"groups has a missing label at position {pos}")
    return codes, len(uniques)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@lru_cache(maxsize=64)
def _group_codes_cached(groups: tuple, n: int) -> tuple[np.ndarray, int]:
    codes, n_groups = _group_codes(groups, n)
    codes.setflags(write=False)
    return codes, n_groups


# --------------------------------------------------------------------------- numpy core


def _kl_terms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·ln(a/b): the summand shared by Theil T (a=s, b=p) and Theil L (a=p, b=s)."""
    return a * np.log(a / b)


def _gini_weighted(y: np.ndarray, p: np.ndarray, y_bar: np.ndarray) -> np.ndarray:
    """Population-weighted Gini (1/(2ȳ)) Σ_i Σ_j p_i p_j |y_i − y_j| in O(n log n) per row;
    ``y`` and ``p`` are unit-major (units, rows).

    With units sorted by y and C_i the cumulative population share up to and including i,
    Σ_j p_j |y_i − y_j| summed against p_i equals 2 Σ_i p_i y_i (2 C_i − p_i − 1), so no
    pairwise (rows × n × n) array is built: 2,000 units stay cheap. Ties cancel exactly."""
    rows = y.shape[1]
    order = np.argsort(y.T, axis=1)  # each row's units by y (short rows: contiguous sorts)
    flat = order.T * rows + np.arange(rows)  # positions in the unit-major arrays
    ys = y.ravel()[flat]
    ps = p.ravel()[flat]
    cum = np.cumsum(ps, axis=0)
    total = (ps * ys * (2.0 * cum - ps - 1.0)).sum(axis=0)
    return np.maximum(total / y_bar, 0.0)


def _group_sum(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of unit-major ``x`` (units, rows) within each group -> (groups, rows)."""
    starts = _contiguous_starts(codes.tobytes(), n_groups)
    if starts is not None:  # the engine's unit order: BJ, TJ, then Hebei's cities
        return np.add.reduceat(x, starts, axis=0)
    return np.stack([x[codes == g].sum(axis=0) for g in range(n_groups)])


@lru_cache(maxsize=64)
def _contiguous_starts(codes_bytes: bytes, n_groups: int) -> np.ndarray | None:
    """First unit of each group when every group is one contiguous run in code order."""
    codes = np.frombuffer(codes_bytes, dtype=np.intp)
    if not n_groups or codes[0] != 0 or (np.diff(codes) < 0).any():
        return None
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    return starts if len(starts) == n_groups else None


#: Rows per block of the core: a block's unit-major arrays stay in cache on big batches.
_BLOCK = 2048


def _core(
    gdp: np.ndarray, pop: np.ndarray, codes: np.ndarray | None, n_groups: int
) -> dict[str, np.ndarray]:
    """All measures for validated (rows, units) arrays; one vector per measure, no row loop
    (big batches go in blocks of rows, each computed the same way)."""
    if len(gdp) <= _BLOCK:
        return _core_block(gdp, pop, codes, n_groups)
    blocks = [
        _core_block(gdp[i : i + _BLOCK], pop[i : i + _BLOCK], codes, n_groups)
        for i in range(0, len(gdp), _BLOCK)
    ]
    return {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}


def _core_block(
    gdp: np.ndarray, pop: np.ndarray, codes: np.ndarray | None, n_groups: int
) -> dict[str, np.ndarray]:
    """The measures of one block. Arrays are turned unit-major (units, rows) first: every
    sum over units is then a few vector additions instead of a short reduction per row."""
    gdp, pop = np.ascontiguousarray(gdp.T), np.ascontiguousarray(pop.T)
    total = np.add.reduce  # sums over units (axis 0): whole-row vector additions
    y_tot = total(gdp, axis=0)
    p_tot = total(pop, axis=0)
    s = gdp / y_tot
    p = pop / p_tot
    y = gdp / pop
    y_bar = y_tot / p_tot  # (rows,)
    log_y = np.log(y)
    log_y_bar = np.log(y_bar)
    # ln(s/p) = ln(y/ȳ): shared by Theil T (s·ln(s/p)) and Theil L (p·ln(p/s))
    log_sp = log_y - log_y_bar
    n = len(y)
    y_mean = total(y, axis=0) / n
    dev = y - y_mean
    dev_w = y - y_bar

    out: dict[str, np.ndarray] = {
        "theil_t": np.maximum(total(s * log_sp, axis=0), 0.0),
        "theil_l": np.maximum(-total(p * log_sp, axis=0), 0.0),
        # population form (divide by n): all units, not a sample
        "cv": np.sqrt(total(dev * dev, axis=0) / n) / y_mean,
        "cv_weighted": np.sqrt(total(p * dev_w * dev_w, axis=0)) / y_bar,
        "gini_weighted": _gini_weighted(y, p, y_bar),
        "max_min_ratio": np.maximum.reduce(y, axis=0) / np.minimum.reduce(y, axis=0),
    }
    if codes is None:
        return out

    gdp_g = _group_sum(gdp, codes, n_groups)  # (groups, rows)
    pop_g = _group_sum(pop, codes, n_groups)
    s_g = gdp_g / y_tot
    p_g = pop_g / p_tot
    log_y_g = np.log(gdp_g / pop_g)  # each group's per-capita GDP
    # Shares of each unit inside its own group, Y_i/Y_g and P_i/P_g; ln of their ratio is
    # ln(y_i / y_g)
    s_in = gdp / gdp_g[codes]
    p_in = pop / pop_g[codes]
    log_in = log_y - log_y_g[codes]
    theil_t_g = _group_sum(s_in * log_in, codes, n_groups)  # T_g, (groups, rows)
    theil_l_g = _group_sum(-(p_in * log_in), codes, n_groups)  # L_g
    log_g = log_y_g - log_y_bar  # ln(s_g/p_g)
    out["theil_t_between"] = np.maximum(total(s_g * log_g, axis=0), 0.0)
    out["theil_t_within"] = np.maximum(total(s_g * theil_t_g, axis=0), 0.0)
    out["theil_l_between"] = np.maximum(-total(p_g * log_g, axis=0), 0.0)
    out["theil_l_within"] = np.maximum(total(p_g * theil_l_g, axis=0), 0.0)
    return out


def _compute(
    gdp: np.ndarray, pop: np.ndarray, groups: Any, describe: Describe
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Validate values and groups, run the core, return a (years, measures) matrix."""
    if gdp.shape[1] < 2:
        raise ValueError(f"gap measures need at least 2 units, got {gdp.shape[1]}")
    _check_positive(gdp, "gdp", describe)
    _check_positive(pop, "population", describe)
    if groups is None:
        codes, n_groups = None, 0
    elif isinstance(groups, tuple) and _hashable(groups):  # engine's provinces: once
        codes, n_groups = _group_codes_cached(groups, gdp.shape[1])
    else:
        codes, n_groups = _group_codes(groups, gdp.shape[1])
    names = GAP_MEASURE_NAMES if codes is None else GAP_MEASURE_NAMES + DECOMPOSITION_NAMES
    with np.errstate(all="ignore"):
        measures = _core(gdp, pop, codes, n_groups)
    result = np.empty((len(gdp), len(names)))  # filled column by column (no column_stack)
    for j, k in enumerate(names):
        result[:, j] = measures[k]
    if not np.isfinite(result).all():
        raise ValueError(
            "gdp/population magnitudes are too extreme for float64 arithmetic "
            "(a total overflowed or a per-capita value underflowed)"
        )
    return result, names


# --------------------------------------------------------------------------- public API


def gap_measures(
    gdp: ArrayLike, population: ArrayLike, groups: ArrayLike | None = None
) -> pd.Series:
    """Inequality of per-capita GDP across units for one year.

    Inputs are aligned by position (any index is ignored) so that callers can pass plain
    lists. With ``groups`` (e.g. province codes per city) the two Theil indices are also
    split into between-group and within-group parts, which sum to the totals.
    """
    gdp_arr = _as_float_vector(gdp, "gdp")
    pop_arr = _as_float_vector(population, "population")
    if len(gdp_arr) != len(pop_arr):
        raise ValueError(
            f"gdp and population must have the same length, got {len(gdp_arr)} and {len(pop_arr)}"
        )
    result, names = _compute(
        gdp_arr[None, :], pop_arr[None, :], groups, lambda idx: f"position {idx[1]}"
    )
    return pd.Series(result[0], index=list(names), name="gap_measures")


FISCAL_GAP_NAMES: tuple[str, ...] = ("fiscal_theil_t", "fiscal_bj_he_ratio")


def fiscal_gap_measures(expenditure: np.ndarray, population: np.ndarray) -> dict[str, np.ndarray]:
    """Fiscal-capacity gaps over BJ, TJ, HE (last axis, in that order): Theil T of per-capita
    general budget expenditure after sharing, and the Beijing/Hebei per-capita ratio."""
    e = np.asarray(expenditure, dtype=float)
    p = np.asarray(population, dtype=float)
    s = e / e.sum(axis=-1, keepdims=True)
    q = p / p.sum(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        theil = np.maximum(_kl_terms(s, q).sum(axis=-1), 0.0)
        ratio = (e[..., 0] / p[..., 0]) / (e[..., 2] / p[..., 2])
    return {"fiscal_theil_t": theil, "fiscal_bj_he_ratio": ratio}


def gap_measures_array(
    gdp: np.ndarray, population: np.ndarray, groups: ArrayLike | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Measures for an array of rows × units (any leading shape, e.g. members × years):
    returns (values [..., measures], measure names). The batch engine's fast path: no
    DataFrame per row, one vectorised pass."""
    gdp = np.asarray(gdp, dtype=float)
    pop = np.asarray(population, dtype=float)
    lead, n = gdp.shape[:-1], gdp.shape[-1]

    def describe(idx: tuple[int, ...]) -> str:
        return f"row {idx[0]}, unit {idx[1]}"

    result, names = _compute(gdp.reshape(-1, n), pop.reshape(-1, n), groups, describe)
    return result.reshape(*lead, len(names)), names


def gap_measures_frame(
    gdp: pd.DataFrame, population: pd.DataFrame, groups: ArrayLike | None = None
) -> pd.DataFrame:
    """The same measures for every year of a year × unit panel in one vectorised pass.

    Kept loop-free over years because the dashboard recomputes it on every slider move.
    ``groups`` is aligned with the columns by position. Both frames must have identical
    index and columns so that a misaligned year or city cannot silently shift values.
    """
    gdp_arr = _as_float_frame(gdp, "gdp")
    pop_arr = _as_float_frame(population, "population")
    if gdp_arr.shape != pop_arr.shape:
        raise ValueError(
            f"gdp and population must have the same shape, got {gdp_arr.shape} and {pop_arr.shape}"
        )
    if not gdp.columns.equals(population.columns):
        raise ValueError(
            "gdp and population must have the same columns in the same order, got "
            f"{list(gdp.columns)} and {list(population.columns)}"
        )
    if not gdp.index.equals(population.index):
        raise ValueError(
            "gdp and population must have the same index (years), got "
            f"{list(gdp.index)} and {list(population.index)}"
        )

    result, names = gap_measures_labelled(gdp_arr, pop_arr, gdp.index, gdp.columns, groups)
    return pd.DataFrame(result, index=gdp.index.copy(), columns=list(names))


def gap_measures_labelled(
    gdp: np.ndarray,
    population: np.ndarray,
    rows: Sequence[Any],
    columns: Sequence[Any],
    groups: ArrayLike | None = None,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """(values [rows, measures], names) for aligned rows × units float arrays whose row and
    column labels (e.g. years, units) name a bad value in the error message: the path of
    callers that already hold arrays (``Results.gaps``), with no DataFrame round trip."""

    def describe(idx: tuple[int, ...]) -> str:
        return f"row {_plain(rows[idx[0]])!r}, column {_plain(columns[idx[1]])!r}"

    return _compute(gdp, population, groups, describe)
