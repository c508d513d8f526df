"""Bands for the dashboard: a fast call on lever release, reusing one cached design.

The dashboard re-projects the same draws for every lever change, so the unit design and the
assumption values are built once per (draws, seed, method) and cached; only the members'
levers change. ``draws=0`` switches bands off (an empty frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from jjjplan.scenario import Scenario
from jjjplan.uncertainty.compare import OUTCOMES, _lower
from jjjplan.uncertainty.design import members, to_values, uncertain_assumptions, unit_design
from jjjplan.uncertainty.ensembles import QUANTILES
from jjjplan.uncertainty.evaluate import Outcomes, evaluate

#: Indicators the dashboard plots with bands.
DASHBOARD_OUTCOMES = ("theil_t", "theil_t_between", "theil_t_within", "cv_weighted",
                      "gini_weighted", "bj_he_ratio")  # fmt: skip


@lru_cache(maxsize=4)
def cached_values(draws: int, seed: int, method: str) -> np.ndarray:
    """Assumption values [draws, d] of the design, built once per (draws, seed, method)."""
    table = uncertain_assumptions()
    values = to_values(unit_design(len(table), draws, method, seed), table)
    values.setflags(write=False)
    return values


def _outcomes(
    scenario: Scenario, draws: int, seed: int, method: str, data=None, regions: bool = False
) -> Outcomes:
    table = uncertain_assumptions()
    values = cached_values(draws, seed, method)
    return evaluate(members(scenario, values, table), data=data, regions=regions)


def dashboard_bands(
    scenario: Scenario,
    draws: int = 500,
    seed: int = 0,
    *,
    method: str = "lhs",
    quantiles=QUANTILES,
    outcomes=DASHBOARD_OUTCOMES,
    data=None,
) -> pd.DataFrame:
    """Quantiles of the gap measures over ``draws`` assumption draws: index year, columns
    (outcome, quantile). Empty when ``draws`` is 0. ``data`` as for :func:`jjjplan.project`."""
    q = tuple(float(x) for x in quantiles)
    columns = pd.MultiIndex.from_product([outcomes, q], names=["outcome", "quantile"])
    if draws == 0:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="year"), dtype=float)
    return _bands(_outcomes(scenario, draws, seed, method, data), q, outcomes)


def _bands(o: Outcomes, q: tuple[float, ...], outcomes=DASHBOARD_OUTCOMES) -> pd.DataFrame:
    columns = pd.MultiIndex.from_product([outcomes, q], names=["outcome", "quantile"])
    cols = [o.indicator_names.index(name) for name in outcomes]
    arr = _quantiles(o.indicators[:, :, cols], q)  # [Q, T, C]
    values = arr.transpose(1, 2, 0).reshape(len(o.years), len(cols) * len(q))
    return pd.DataFrame(values, index=pd.Index(o.years, name="year"), columns=columns)


def _quantiles(values: np.ndarray, q: tuple[float, ...]) -> np.ndarray:
    """``np.quantile(values, q, axis=0)`` (its default linear method) from ONE sort of the
    draws, a fifth of numpy's time for the five band quantiles; NaNs propagate as there."""
    k = values.shape[0]
    if k == 0 or np.isnan(values).any():
        return np.quantile(values, q, axis=0)
    ordered = np.sort(values, axis=0)
    pos = np.asarray(q, dtype=float) * (k - 1)
    below = np.floor(pos).astype(int)
    above = np.minimum(below + 1, k - 1)
    t = (pos - below).reshape(-1, *([1] * (values.ndim - 1)))
    lo, hi = ordered[below], ordered[above]
    return np.where(t < 0.5, lo + (hi - lo) * t, hi - (hi - lo) * (1 - t))


def dashboard_probability(
    scenario: Scenario,
    baseline: Scenario,
    draws: int = 500,
    seed: int = 0,
    *,
    method: str = "lhs",
    data=None,
) -> pd.DataFrame:
    """P(scenario's gap lower than the baseline's in the same draw), index year, one column
    per compared outcome — the dashboard's probability readout (common random numbers).
    ``data`` as for :func:`jjjplan.project`."""
    return _probability(*_joint(scenario, baseline, draws, seed, method, data))


@dataclass(frozen=True, eq=False)
class DashboardDraws:
    """One lever release's draws: the bands and P(better) tables, and the scenario's own
    draws (``outcomes``, shaped like an ensemble's, so the results workbook's target check
    reads them unchanged — the targets' P(met) comes from the same draws as the bands)."""

    bands: pd.DataFrame
    probability: pd.DataFrame
    outcomes: Outcomes


def dashboard_draws(
    scenario: Scenario,
    baseline: Scenario,
    draws: int = 500,
    seed: int = 0,
    *,
    method: str = "lhs",
    quantiles=QUANTILES,
    data=None,
    regions: bool = False,
) -> DashboardDraws:
    """Everything the dashboard shows from ONE evaluation of the scenario's and the
    baseline's draws (common random numbers): bands, P(better than the baseline) and the
    scenario's draws (with regional GDP when ``regions``, for regional targets)."""
    own, base = _joint(scenario, baseline, draws, seed, method, data, regions)
    q = tuple(float(x) for x in quantiles)
    return DashboardDraws(_bands(own, q), _probability(own, base), own)


def dashboard_bands_and_probability(
    scenario: Scenario,
    baseline: Scenario,
    draws: int = 500,
    seed: int = 0,
    *,
    method: str = "lhs",
    quantiles=QUANTILES,
    data=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`dashboard_bands` and :func:`dashboard_probability` from ONE evaluation of the
    scenario's and the baseline's draws (see :func:`dashboard_draws`)."""
    found = dashboard_draws(
        scenario, baseline, draws, seed, method=method, quantiles=quantiles, data=data
    )
    return found.bands, found.probability


def _joint(scenario, baseline, draws, seed, method, data, regions=False):
    """The scenario's draws and the baseline's on the same assumption draws (common random
    numbers). The baseline's are projected once per (baseline, design, data) and kept: a
    lever release changes only the scenario, so only its draws are projected again."""
    own = _outcomes(scenario, draws, seed, method, data, regions)
    if scenario == baseline:
        return own, own
    return own, _baseline_outcomes(baseline, draws, seed, method, data)


#: [(baseline scenario, (draws, seed, method), data, its outcomes)], newest first.
_BASELINE_DRAWS: list[tuple[Scenario, tuple, object, Outcomes]] = []
_BASELINE_KEEP = 4


def _baseline_outcomes(baseline: Scenario, draws, seed, method, data) -> Outcomes:
    """The baseline's draws, projected on first use. Scenarios compare by value (the
    dashboard rebuilds its baseline object on every release), data by identity."""
    design = (draws, seed, method)
    for b, key, d, out in _BASELINE_DRAWS:
        if key == design and d is data and b == baseline:
            return out
    out = _outcomes(baseline, draws, seed, method, data)
    out.indicators.setflags(write=False)  # shared by every later call
    _BASELINE_DRAWS.insert(0, (baseline, design, data, out))
    del _BASELINE_DRAWS[_BASELINE_KEEP:]
    return out


def _probability(own: Outcomes, base: Outcomes) -> pd.DataFrame:
    cols = [own.indicator_names.index(name) for name in OUTCOMES]
    s, b = own.indicators[:, :, cols], base.indicators[:, :, cols]
    p = _lower(s, b).mean(axis=0)
    return pd.DataFrame(p, index=pd.Index(own.years, name="year"), columns=list(OUTCOMES))
