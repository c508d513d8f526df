"""The estimated baseline: what the observed growth panel supports, tested out of sample.

Data (bundled observations, real GDP growth as published): Beijing and Tianjin 2015, 2019,
2021–2024; Hebei 2019–2024; China 2014, 2019, 2022–2024. Relative growth (unit minus
national, log points) therefore exists for 2019 and 2022–2024 only, for the three provinces.
No Hebei city has a real-growth series on a consistent basis (data README), so city units
inherit Hebei's fixed effect and the provincial population trend.

Three forecasts of each province's real GDP growth are compared out of sample (fit on years
up to 2019, and up to 2022; predict the observed years up to 2024): the fixed-effect model
(national rate + the unit's mean relative growth in the fit window), the national rate for
every unit, and the unit's own average growth over the previous five years (the observed
years in that window). ``report()`` returns the tables docs/model.md shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from jjjplan import baseline

PROVINCE_CODES = ("BJ", "TJ", "HE")
FIT_ENDS = (2019, 2022)
LAST_OBSERVED = 2024


@cache
def growth_panel() -> pd.DataFrame:
    """Observed real GDP growth (log points) by year (rows) for BJ, TJ, HE, CN (columns).

    One value per region-year: the initial release (I, or I5 on the post-census basis)."""
    o = baseline.observations()
    rows = o[(o.variable == "real_growth") & o.region.isin((*PROVINCE_CODES, "CN"))]
    rows = rows[rows.vintage_code.isin(("I", "I5"))]
    wide = rows.pivot_table(index="year", columns="region", values="value", aggfunc="first")
    return np.log1p(wide.loc[:, [*PROVINCE_CODES, "CN"]] / 100.0).sort_index()


def relative_growth() -> pd.DataFrame:
    """Unit minus national growth (log points) in the years where both are observed."""
    g = growth_panel()
    rel = g.loc[:, list(PROVINCE_CODES)].sub(g["CN"], axis=0)
    return rel.dropna(how="any")


@dataclass(frozen=True)
class FixedEffects:
    """Mean relative growth per province with its standard error (pooled residual sd)."""

    fit_end: int
    years: tuple[int, ...]
    effect: pd.Series  # log points per year
    std_error: pd.Series


def fit_fixed_effects(fit_end: int = LAST_OBSERVED) -> FixedEffects:
    rel = relative_growth()
    rel = rel[rel.index <= fit_end]
    effect = rel.mean()
    resid = rel - effect
    dof = max(resid.size - len(PROVINCE_CODES), 1)
    sd = float(np.sqrt((resid.to_numpy() ** 2).sum() / dof)) if len(rel) > 1 else np.nan
    se = pd.Series(sd / np.sqrt(len(rel)), index=effect.index)
    return FixedEffects(fit_end, tuple(int(y) for y in rel.index), effect, se)


def unit_fixed_effects(provinces: tuple[str, ...]) -> np.ndarray:
    """Per-unit fixed effect (log points/yr) fitted on every observed year; Hebei cities get
    Hebei's. The engine scales it by the ``fe_weight`` assumption (default 0)."""
    fe = fit_fixed_effects().effect
    return np.array([float(fe[p]) for p in provinces])


@dataclass(frozen=True)
class BetaFit:
    """Pooled regression of relative growth on last year's relative per-capita GDP."""

    beta: float
    std_error: float
    n_obs: int
    years: tuple[int, ...]


def fit_beta() -> BetaFit:
    """β from Δ_i,t = a − β · ln(y_i,t−1 / ȳ_t−1) on the post-census dataset's years.

    Only 2023 and 2024 have both relative growth and a lagged level on one vintage (the
    default dataset), so 6 observations: the estimate is reported with its standard error,
    not used, unless it is precise (it is not; see docs/model.md)."""
    ds = baseline.dataset()
    codes = list(ds.units)
    idx = [codes.index(p) for p in ("BJ", "TJ")]
    he = [i for i, c in enumerate(codes) if c not in ("BJ", "TJ")]
    rel = relative_growth()
    xs, ys, years = [], [], []
    for t, year in enumerate(ds.years[1:], start=1):
        if year not in rel.index:
            continue
        gdp, pop = ds.gdp[t - 1], ds.population[t - 1]
        per_cap = [gdp[i] / pop[i] for i in idx] + [gdp[he].sum() / pop[he].sum()]
        ybar = gdp.sum() / pop.sum()
        for p, y in zip(PROVINCE_CODES, per_cap, strict=True):
            xs.append(np.log(y / ybar))
            ys.append(rel.loc[year, p])
        years.append(int(year))
    x, y = np.array(xs), np.array(ys)
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = max(len(y) - 2, 1)
    cov = (resid @ resid / dof) * np.linalg.inv(design.T @ design)
    return BetaFit(float(-coef[1]), float(np.sqrt(cov[1, 1])), len(y), tuple(years))


def forecasts(fit_end: int) -> pd.DataFrame:
    """Out-of-sample growth forecasts and errors (percentage points) for fit_end < year ≤ 2024,
    in the years where every province and China are observed."""
    g = growth_panel()
    rel = relative_growth()
    fe = fit_fixed_effects(fit_end).effect
    rows = []
    for year in [y for y in rel.index if fit_end < y <= LAST_OBSERVED]:
        for p in PROVINCE_CODES:
            window = g.loc[(g.index > fit_end - 5) & (g.index <= fit_end), p].dropna()
            actual = g.loc[year, p]
            preds = {
                "fixed_effects": g.loc[year, "CN"] + fe[p],
                "national_rate": g.loc[year, "CN"],
                "own_5yr_average": window.mean(),
            }
            for rule, pred in preds.items():
                rows.append(
                    {
                        "fit_end": fit_end,
                        "year": int(year),
                        "province": p,
                        "rule": rule,
                        "error_pp": (np.expm1(pred) - np.expm1(actual)) * 100.0,
                    }
                )
    return pd.DataFrame(rows)


def out_of_sample() -> pd.DataFrame:
    """Mean absolute growth error (percentage points) per rule and fit window."""
    df = pd.concat([forecasts(end) for end in FIT_ENDS], ignore_index=True)
    df["abs_error_pp"] = df["error_pp"].abs()
    table = df.pivot_table(index="fit_end", columns="rule", values="abs_error_pp", aggfunc="mean")
    table["n_forecasts"] = df.groupby("fit_end").size() // 3
    return table.loc[:, ["fixed_effects", "national_rate", "own_5yr_average", "n_forecasts"]]


def default_rule() -> str:
    """The baseline engine's default: the model if it beats both naive rules in every fit
    window, else the naive rule with the lower mean error over the windows."""
    t = out_of_sample()
    if (t["fixed_effects"] < t[["national_rate", "own_5yr_average"]].min(axis=1)).all():
        return "fixed_effects"
    means = t[["national_rate", "own_5yr_average"]].mean()
    return str(means.idxmin())


@dataclass(frozen=True)
class CalibrationReport:
    fixed_effects: FixedEffects
    beta: BetaFit
    out_of_sample: pd.DataFrame
    default_rule: str


def report() -> CalibrationReport:
    return CalibrationReport(fit_fixed_effects(), fit_beta(), out_of_sample(), default_rule())


if __name__ == "__main__":  # python -m jjjplan.calibration prints the tables of docs/model.md
    r = report()
    pd.set_option("display.width", 120)
    print(relative_growth().round(4))
    print(
        "fixed effects",
        r.fixed_effects.effect.round(4).to_dict(),
        "se",
        r.fixed_effects.std_error.round(4).to_dict(),
    )
    print(r.beta)
    print(r.out_of_sample.round(3))
    print("default rule:", r.default_rule)
