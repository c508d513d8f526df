"""Global sensitivity of one outcome to the uncertain assumptions, with SALib.

``sobol``: Saltelli's extension of Sobol' sampling (``SALib.sample.sobol``), first-order and
total-order indices with bootstrap confidence (``SALib.analyze.sobol``). ``morris``: elementary
effects screening (``mu_star``, ``sigma``). Both run on the unit cube and map points to
assumption values through each assumption's ``ppf``, so the indices refer to the assumption
distributions, not to uniform ranges. :func:`indices` is the model-free core the tests check on
the Ishigami function; :func:`sensitivity` plugs in the projection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jjjplan.scenario import Scenario
from jjjplan.uncertainty.design import held_fixed, members, to_values, uncertain_assumptions
from jjjplan.uncertainty.evaluate import Progress, evaluate

METHODS = ("sobol", "morris")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("mu_star", "sigma", "mu_star_conf")
MORRIS_LEVELS = 4


def runs_needed(method: str, dims: int, n: int) -> int:
    """Model runs a design needs: n·(d + 2) for Sobol (no second order), n·(d + 1) for Morris."""
    return n * (dims + 2) if method == "sobol" else n * (dims + 1)


def indices(
    names: Sequence[str],
    model: Callable[[np.ndarray], np.ndarray],
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of ``model`` (unit-cube points [M, d] → outputs [M]) to each of the
    ``names`` inputs: ``S1, S1_conf, ST, ST_conf`` (sobol) or ``mu_star, sigma, mu_star_conf``
    (morris), indexed by name."""
    if method not in METHODS:
        raise ValueError(f"方法应为 / method must be one of {', '.join(METHODS)}: {method!r}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"样本数应为≥2的整数 / n must be a whole number >= 2: {n!r}")
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if method == "sobol":
        import warnings

        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample

        with warnings.catch_warnings():  # SALib warns when n is not a power of two
            warnings.simplefilter("ignore", UserWarning)
            x = sample.sample(problem, n, calc_second_order=False, seed=seed)
        y = _varying(model(x))
        res = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        cols = SOBOL_COLUMNS
    else:
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample

        x = sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
        y = _varying(model(x))
        res = analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        cols = MORRIS_COLUMNS
    df = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols}, index=list(names))
    df.index.name = "assumption"
    return df


def _varying(y) -> np.ndarray:
    """The model outputs, refused when they are all equal: variance shares are undefined."""
    y = np.asarray(y, dtype=float)
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
        raise ValueError(
            "结果在所有抽样中不变：所选参数都不影响它 / the outcome does not vary over the "
            "design: none of the chosen assumptions affects it"
        )
    return y


def parse_outcome(text: str, default_year: int = 2035) -> tuple[str, int]:
    """``"theil_t@2035"`` → ("theil_t", 2035); a bare name takes ``default_year``."""
    name, _, year = text.partition("@")
    if not year:
        return name.strip(), default_year
    try:
        return name.strip(), int(year)
    except ValueError:
        raise ValueError(
            f"结果应写作 指标@年份 / outcome must read NAME@YEAR (e.g. theil_t@2035): {text!r}"
        ) from None


def sensitivity(
    scenario: Scenario,
    outcome: str = "theil_t",
    year: int = 2035,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    *,
    assumptions: Iterable[str] | None = None,
    progress: Progress | None = None,
    data: Any = None,
) -> pd.DataFrame:
    """How much of the spread of ``outcome`` in ``year`` each uncertain assumption explains.

    Returns a frame indexed by assumption id — ``S1, S1_conf, ST, ST_conf`` for
    ``method="sobol"`` (n·(d+2) projections), ``mu_star, sigma, mu_star_conf`` for
    ``"morris"`` (n·(d+1)) — sorted by ST (or mu_star), largest first. Assumptions the planner
    set in the workbook are held at that value and left out. ``data`` as for
    :func:`jjjplan.project_many`.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"sensitivity: expected a Scenario, found {type(scenario).__name__}")
    table = uncertain_assumptions(assumptions)
    fixed = set(held_fixed(scenario, table))
    table = tuple(a for a in table if a.id not in fixed)
    if not table:
        raise ValueError("没有可变参数 / no uncertain assumption left to vary")

    def model(unit: np.ndarray) -> np.ndarray:
        scenarios = members(scenario, to_values(unit, table), table)
        out = evaluate(scenarios, progress=progress, data=data)
        if outcome not in out.indicator_names:
            raise ValueError(
                f"未知结果指标 / unknown outcome {outcome!r}; "
                f"expected one of {', '.join(out.indicator_names)}"
            )
        years = list(out.years)
        if year not in years:
            raise ValueError(
                f"年份 {year} 不在预测期内 / year {year} is outside {years[0]}–{years[-1]}"
            )
        return out.indicator(outcome)[:, years.index(year)]

    df = indices([a.id for a in table], model, method, n, seed)
    key = "ST" if method == "sobol" else "mu_star"
    return df.sort_values(key, ascending=False, kind="stable")
