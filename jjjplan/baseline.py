"""The bundled JJJ baseline dataset: units, observations with provenance, the base-year table.

Every value keeps its source, vintage code, scope, confidence and status (sourced / derived /
estimate + method). Selection rules below pick ONE consistent vintage and scope per
calculation, as the data README demands; they are spelled out as data, not buried in code.
Rebuild the CSVs with ``python tools/build_dataset.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

BASE_YEAR = 2022
PROVINCES = ("BJ", "TJ", "HE")
PROVINCE_NAMES = {"BJ": ("北京", "Beijing"), "TJ": ("天津", "Tianjin"), "HE": ("河北", "Hebei")}

#: Base-year selection: (variable, region-group) -> vintage codes in order of preference.
#: GDP: 2022 initial releases (I) for BJ/TJ, the Wikipedia yearbook-scope table (W) for the
#: 11 Hebei cities (same scope as the census counts). Population: year-end (E) where
#: published, else the flagged estimate (census share × HE year-end 2022).
BASE_SELECTION = {
    ("gdp", "province"): ("I",),
    ("gdp", "city"): ("W",),
    ("population", "province"): ("E",),
    ("population", "city"): ("Est",),
}

#: Province-level history used for calibration: one pre-R5 GDP chain (R4 2014, F 2019,
#: I 2022), populations as selected in the dataset (several are flagged estimates).
HISTORY_SELECTION = {
    2014: {"gdp": ("R4",), "population": ("Ep", "Est")},
    2019: {"gdp": ("F",), "population": ("Er", "Est")},
    2022: {"gdp": ("I",), "population": ("E",)},
}


def _read_csv(name: str) -> pd.DataFrame:
    with resources.files("jjjplan.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(
            fh,
            dtype={"method": str, "notes": str},
            keep_default_na=False,
            na_values={"value": [""]},
        )


@cache
def units() -> pd.DataFrame:
    """The 13 planning units (index = code) with names, province and coordinates."""
    df = _read_csv("units.csv").set_index("code")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    return df


def unit_codes() -> tuple[str, ...]:
    return tuple(units().index)


@cache
def observations() -> pd.DataFrame:
    """All observations in tidy form (one row per region × year × variable × vintage)."""
    df = _read_csv("observations.csv")
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df


def _pick(variable: str, region: str, year: int, codes: tuple[str, ...]) -> pd.Series:
    obs = observations()
    rows = obs[(obs.variable == variable) & (obs.region == region) & (obs.year == year)]
    for code in codes:
        hit = rows[rows.vintage_code == code]
        if len(hit) == 1:
            return hit.iloc[0]
        if len(hit) > 1:
            raise LookupError(f"ambiguous {variable} {region} {year} vintage {code}")
    raise LookupError(f"no {variable} for {region} {year} in vintages {codes}")


@dataclass(frozen=True)
class BaseYear:
    """Base-year GDP (亿元) and population (万人) per unit, with provenance per value."""

    year: int
    table: pd.DataFrame  # index unit code; columns gdp, population, *_status, *_source, ...

    @property
    def gdp(self) -> np.ndarray:
        return self.table["gdp"].to_numpy(float)

    @property
    def population(self) -> np.ndarray:
        return self.table["population"].to_numpy(float)

    def count_status(self) -> dict[str, int]:
        """How many values are sourced, derived or estimated (GDP and population together)."""
        status = pd.concat([self.table["gdp_status"], self.table["population_status"]])
        return status.value_counts().to_dict()


@cache
def base_year() -> BaseYear:
    """The base year: the latest year in which every unit has GDP and population.

    2022 is that year (README of the data: 13/13 GDP; populations sourced for BJ/TJ,
    estimated for the 11 Hebei cities). The check below recomputes it from the data.
    """
    u = units()
    records = []
    for code, row in u.iterrows():
        group = "province" if code in PROVINCES else "city"
        rec = {"unit": code, "province": row.province}
        for var in ("gdp", "population"):
            o = _pick(var, code, BASE_YEAR, BASE_SELECTION[(var, group)])
            rec[var] = o.value
            rec[f"{var}_vintage"] = o.vintage_code
            rec[f"{var}_status"] = o.status
            rec[f"{var}_confidence"] = o.confidence
            rec[f"{var}_source"] = o.source
            rec[f"{var}_method"] = o.method
        records.append(rec)
    return BaseYear(BASE_YEAR, pd.DataFrame(records).set_index("unit"))


def latest_complete_year() -> int:
    """Latest year with GDP and population (sourced or estimated) for all 13 units."""
    obs = observations()
    codes = set(unit_codes())
    years = []
    for year, grp in obs[obs.region.isin(codes)].groupby("year"):
        have = {v: set(grp[grp.variable == v].region) for v in ("gdp", "population")}
        if have["gdp"] >= codes and have["population"] >= codes:
            years.append(int(year))
    return max(years)


@cache
def province_history() -> pd.DataFrame:
    """Province-level GDP and population for the calibration years (one pre-R5 chain).

    City history does not exist on any consistent basis (data README), so convergence is
    calibrated at province level. Columns: year, region, gdp, population, flags.
    """
    rows = []
    for year, sel in HISTORY_SELECTION.items():
        for region in PROVINCES:
            g = _pick("gdp", region, year, sel["gdp"])
            p = _pick("population", region, year, sel["population"])
            rows.append(
                {
                    "year": year,
                    "region": region,
                    "gdp": g.value,
                    "population": p.value,
                    "gdp_vintage": g.vintage_code,
                    "population_vintage": p.vintage_code,
                    "population_status": p.status,
                    "population_method": p.method,
                }
            )
    return pd.DataFrame(rows)


@cache
def series(variable: str, region: str = "BJ") -> pd.Series:
    """A year-indexed series of sourced/derived values of one variable (first vintage)."""
    obs = observations()
    rows = obs[(obs.variable == variable) & (obs.region == region)]
    return rows.groupby("year")["value"].first().sort_index()


def distances_km() -> np.ndarray:
    """Great-circle distances (km) between the 13 units, from the bundled coordinates."""
    u = units()
    lat = np.radians(u["lat"].to_numpy())
    lon = np.radians(u["lon"].to_numpy())
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
