"""Designs over the uncertain assumptions: unit-cube samples mapped through each ``ppf``.

Why one module: ensembles, robust comparisons, sensitivity and the dashboard's bands must all
draw the same way, so that a seed means the same draws everywhere (common random numbers).
Columns of every design follow the order of :data:`jjjplan.assumptions.ASSUMPTIONS`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from jjjplan.assumptions import ASSUMPTION_BY_ID, ASSUMPTIONS, Assumption
from jjjplan.scenario import Scenario

METHODS = ("lhs", "sobol", "random")


def uncertain_assumptions(ids: Iterable[str] | None = None) -> tuple[Assumption, ...]:
    """The assumptions an ensemble draws: every one whose range is not a point (low < high),
    in table order; ``ids`` narrows the set (unknown or fixed ids are an error)."""
    varying = tuple(a for a in ASSUMPTIONS if a.varies)
    if ids is None:
        return varying
    wanted = list(ids)
    for i in wanted:
        if i not in ASSUMPTION_BY_ID:
            raise ValueError(f"未知参数 / unknown assumption id: {i!r}")
        if not ASSUMPTION_BY_ID[i].varies:
            raise ValueError(f"参数 {i} 没有取值范围 / assumption {i!r} has no range (low = high)")
    keep = set(wanted)
    return tuple(a for a in varying if a.id in keep)


def unit_design(dims: int, draws: int, method: str = "lhs", seed: int = 0) -> np.ndarray:
    """``draws`` × ``dims`` points in [0, 1) from ``scipy.stats.qmc``.

    ``lhs``: Latin hypercube; ``sobol``: scrambled Sobol (balanced when ``draws`` is a power
    of two, otherwise its first ``draws`` points); ``random``: plain uniform. The same
    (dims, draws, method, seed) gives the same points.
    """
    from scipy.stats import qmc

    if method not in METHODS:
        raise ValueError(f"抽样方法应为 / method must be one of {', '.join(METHODS)}: {method!r}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"抽样次数应为正整数 / draws must be a positive whole number: {draws!r}")
    if method == "random":
        return np.random.default_rng(seed).random((draws, dims))
    if method == "lhs":
        return qmc.LatinHypercube(d=dims, rng=seed).random(draws)
    with warnings.catch_warnings():  # "balance properties" warning for non-powers of two
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d=dims, scramble=True, rng=seed).random(draws)


def to_values(unit: np.ndarray, assumptions: Sequence[Assumption]) -> np.ndarray:
    """Map unit-cube columns to assumption values through each assumption's ``ppf``."""
    unit = np.asarray(unit, dtype=float)
    out = np.empty_like(unit)
    for j, a in enumerate(assumptions):
        out[:, j] = a.ppf(unit[:, j])
    return out


def held_fixed(scenario: Scenario, assumptions: Sequence[Assumption]) -> tuple[str, ...]:
    """Assumptions the planner set away from the table value: the scenario states them, so
    ensembles keep them at the planner's value instead of drawing them. (A value read back
    from a workbook may differ from the table in the last bits: that is not a change.)"""
    return tuple(
        a.id
        for a in assumptions
        if not math.isclose(scenario.assumptions[a.id], a.value, rel_tol=1e-9, abs_tol=1e-15)
    )


def members(
    scenario: Scenario, values: np.ndarray, assumptions: Sequence[Assumption]
) -> list[Scenario]:
    """One scenario per row of ``values`` (its drawn assumptions; held-fixed ones kept).

    Draws lie inside each assumption's [low, high], which the scenario's validation always
    accepts (its bounds are wider), so members are copies with new assumption values rather
    than re-validated scenarios: validation would otherwise dominate a 1,000-draw ensemble.
    """
    fixed = set(held_fixed(scenario, assumptions))
    cols = [(j, a.id) for j, a in enumerate(assumptions) if a.id not in fixed]
    lows = np.array([assumptions[j].low for j, _ in cols])
    highs = np.array([assumptions[j].high for j, _ in cols])
    sub = np.asarray(values, dtype=float)[:, [j for j, _ in cols]]
    if sub.size and (np.any(sub < lows - 1e-12) or np.any(sub > highs + 1e-12)):
        raise ValueError("draws outside the assumption ranges")  # a bug, never planner input
    base = dict(scenario.assumptions)
    frozen_type = type(scenario.assumptions)
    ids = [i for _, i in cols]
    fields = dict(vars(scenario))
    out = []
    for row in sub.tolist():
        merged = dict(base)
        merged.update(zip(ids, row, strict=True))
        member = object.__new__(type(scenario))  # the scenario's fields ...
        vars(member).update(fields, assumptions=frozen_type(merged))  # ... new assumption values
        out.append(member)
    return out
