"""Calibration of the baseline-growth block on the history that exists.

City history does not exist on any consistent basis (data README), so the convergence block
is calibrated at province level (Beijing, Tianjin, Hebei) on one pre-R5 GDP chain: R4 2014,
F 2019, I 2022. Relative per-capita GDP ln(y_i/ȳ) is deflator-free if the three provinces
share one price deflator (an assumption). β is taken from the literature (P1) because three
units and two intervals cannot identify both β and ρ; ρ (the structural share of the gap) is
fitted. ``report()`` gives the fit on 2014–2022 and an out-of-sample check (fit to 2014–2019,
predict 2022 from 2019).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.model.engine import convergence


def observed_relative() -> pd.DataFrame:
    """ln(y_i/ȳ) per calibration year (rows) and province (columns), ȳ over BJ+TJ+HE."""
    h = baseline.province_history()
    out = {}
    for year, grp in h.groupby("year"):
        y = grp.gdp.to_numpy() / grp.population.to_numpy()
        ybar = grp.gdp.sum() / grp.population.sum()
        out[year] = pd.Series(np.log(y / ybar), index=grp.region.to_numpy())
    return pd.DataFrame(out).T.loc[:, list(baseline.PROVINCES)]


def _population_path(start: int, end: int) -> np.ndarray:
    h = baseline.province_history().pivot(index="year", columns="region", values="population")
    h = h.loc[:, list(baseline.PROVINCES)]
    p0, p1 = h.loc[start].to_numpy(), h.loc[end].to_numpy()
    steps = np.arange(end - start + 1)[:, None] / (end - start)
    return p0 * (p1 / p0) ** steps  # geometric interpolation between observed years


def simulate(x0: np.ndarray, start: int, end: int, beta: float, rho: float) -> np.ndarray:
    """Relative log per-capita GDP after running the convergence block from start to end.

    The common national growth term cancels in relative terms, so only the convergence
    term moves the gaps; the regional mean is population-weighted each year."""
    pop = _population_path(start, end)
    y = np.exp(x0)
    y0, ybar0 = y.copy(), (y * pop[0]).sum() / pop[0].sum()
    for t in range(1, end - start + 1):
        ybar = (y * pop[t - 1]).sum() / pop[t - 1].sum()
        y = y * np.exp(-convergence(y, ybar, y0, ybar0, beta, rho))
    ybar = (y * pop[-1]).sum() / pop[-1].sum()
    return np.log(y / ybar)


def fit_rho(start: int, end: int, beta: float, grid: np.ndarray | None = None) -> float:
    """ρ minimising the squared error of ln(y_i/ȳ) at ``end`` (grid over 0–2, step 0.005)."""
    obs = observed_relative()
    grid = np.arange(0.0, 2.0001, 0.005) if grid is None else grid
    x0, x1 = obs.loc[start].to_numpy(), obs.loc[end].to_numpy()
    sse = [((simulate(x0, start, end, beta, r) - x1) ** 2).sum() for r in grid]
    return float(grid[int(np.argmin(sse))])


@dataclass(frozen=True)
class CalibrationReport:
    beta: float
    rho_full: float  # fitted on 2014→2022
    rho_in_sample: float  # fitted on 2014→2019
    fit: pd.DataFrame  # province × (observed, model, error) at 2019 and 2022, full fit
    out_of_sample: pd.DataFrame  # 2022 predicted from 2019 with rho_in_sample; vs no-change
    beta_grid: pd.DataFrame  # best ρ and RMSE for alternative β values (identification)


def _ratio_error(model_x: np.ndarray, obs_x: np.ndarray) -> np.ndarray:
    """Error in relative per-capita GDP, percent: exp(model − observed) − 1."""
    return (np.exp(model_x - obs_x) - 1.0) * 100.0


def report(beta: float | None = None) -> CalibrationReport:
    beta = ASSUMPTION_BY_ID["beta_conv"].value if beta is None else beta
    obs = observed_relative()
    provs = list(baseline.PROVINCES)
    rho_full = fit_rho(2014, 2022, beta)
    rows = []
    for year in (2019, 2022):
        model = simulate(obs.loc[2014].to_numpy(), 2014, year, beta, rho_full)
        for i, p in enumerate(provs):
            rows.append(
                {
                    "year": year,
                    "province": p,
                    "observed": obs.loc[year, p],
                    "model": model[i],
                    "error_pct": _ratio_error(model[i : i + 1], obs.loc[year, p:p].to_numpy())[0],
                }
            )
    fit = pd.DataFrame(rows)

    rho_in = fit_rho(2014, 2019, beta)
    pred = simulate(obs.loc[2019].to_numpy(), 2019, 2022, beta, rho_in)
    actual = obs.loc[2022].to_numpy()
    naive = obs.loc[2019].to_numpy()
    oos = pd.DataFrame(
        {
            "province": provs,
            "observed_2022": actual,
            "model_2022": pred,
            "model_error_pct": _ratio_error(pred, actual),
            "no_change_error_pct": _ratio_error(naive, actual),
        }
    )
    grid_rows = []
    for b in (0.008, 0.01, 0.02, 0.03, 0.045):
        r = fit_rho(2014, 2022, b)
        m = simulate(obs.loc[2014].to_numpy(), 2014, 2022, b, r)
        grid_rows.append(
            {
                "beta": b,
                "best_rho": r,
                "rmse_pct": float(np.sqrt(np.mean(_ratio_error(m, actual) ** 2))),
            }
        )
    return CalibrationReport(beta, rho_full, rho_in, fit, oos, pd.DataFrame(grid_rows))


if __name__ == "__main__":  # python -m jjjplan.calibration prints the tables of docs/model.md
    r = report()
    pd.set_option("display.width", 120)
    print(f"beta = {r.beta}; rho (2014→2022) = {r.rho_full}; rho (2014→2019) = {r.rho_in_sample}")
    print(observed_relative().round(4))
    print(r.fit.round(4).to_string(index=False))
    print(r.out_of_sample.round(4).to_string(index=False))
    print(r.beta_grid.round(4).to_string(index=False))
