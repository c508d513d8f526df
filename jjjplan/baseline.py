"""The bundled JJJ baseline dataset: units, observations with provenance, the base-year table.

Every value keeps its source, vintage code, scope, confidence and status (sourced / derived /
estimate + method). Selection rules below pick ONE consistent vintage and scope per
calculation, as the data README demands; they are spelled out as data, not buried in code.
Rebuild the CSVs with ``python tools/build_dataset.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from jjjplan.errors import Issue, ValidationError

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


# === Data vintages and the Dataset the model runs on ========================================

DEFAULT_VINTAGE = "2024-census5"
LEGACY_VINTAGE = "2022-initial"
FISCAL_REGIONS = PROVINCES  # fiscal arrays are per province: BJ, TJ, HE


@dataclass(frozen=True)
class Vintage:
    """One consistent set of observed values a run can use (named in every output)."""

    id: str
    label_zh: str
    label_en: str
    base_year: int
    description: str


VINTAGES: dict[str, Vintage] = {
    DEFAULT_VINTAGE: Vintage(
        DEFAULT_VINTAGE,
        "第五次全国经济普查后修订数，观测至2024年",
        "revised after the 5th economic census, observed to 2024",
        2024,
        "GDP levels on the post-census basis (R5 2022-2023, initial 2024 releases published "
        "after the revision), real growth and year-end population as published for 2023-2024; "
        "Hebei cities split from the provincial totals where no city figure is sourced "
        "(flagged estimate).",
    ),
    LEGACY_VINTAGE: Vintage(
        LEGACY_VINTAGE,
        "2022年初步核算数（第一版基期）",
        "2022 initial releases (version-1 base year)",
        2022,
        "The version-1 base: 2022 initial releases for Beijing and Tianjin, the Hebei-yearbook "
        "2022 city table, year-end 2022 population (cities estimated from census shares). "
        "Kept so earlier results can be reproduced.",
    ),
}

#: Variables of the tidy ``Dataset.table``; money is 亿元 at the stated price basis.
TABLE_COLUMNS = (
    "region",
    "year",
    "variable",
    "value",
    "unit",
    "price_basis",
    "vintage_code",
    "status",
    "method",
    "source",
    "confidence",
)


def _unknown_vintage(vintage: object) -> ValidationError:
    choices = ", ".join(VINTAGES)
    return ValidationError(
        [
            Issue(
                workbook="",
                sheet=None,
                cell=None,
                field="data_vintage",
                expected=f"one of {choices}",
                found=repr(vintage),
                message_zh=f"未知的数据版本 {vintage!r}；可选：{choices}",
                message_en=f"unknown data vintage {vintage!r}; choose one of: {choices}",
            )
        ]
    )


@dataclass(frozen=True, eq=False)
class Dataset:
    """The observed data one run uses: one vintage, all 13 units, every value's provenance.

    Arrays are indexed ``[year, unit]`` (``years`` × ``units``) or ``[year, province]`` for
    the fiscal series (BJ, TJ, HE). ``gdp`` is at constant prices of ``base_year`` (the
    base-year current-price level chained back with observed real growth); ``real_growth``
    is a fraction (0.052 = 5.2%), NaN in the first row.
    """

    vintage: str
    base_year: int
    years: tuple[int, ...]
    units: tuple[str, ...]
    gdp: np.ndarray
    gdp_current: np.ndarray
    real_growth: np.ndarray
    population: np.ndarray
    fiscal_revenue: np.ndarray
    fiscal_expenditure: np.ndarray
    table: pd.DataFrame
    notices: tuple[str, ...] = ()
    source_file: str | None = None
    source_sha256: str | None = None

    def __post_init__(self) -> None:
        for name in ("gdp", "gdp_current", "real_growth", "population"):
            arr = getattr(self, name)
            if arr.shape != (len(self.years), len(self.units)):
                raise ValueError(f"Dataset.{name} has shape {arr.shape}")
            arr.flags.writeable = False  # shared by every run of this vintage (cached)
        for name in ("fiscal_revenue", "fiscal_expenditure"):
            getattr(self, name).flags.writeable = False

    @property
    def national_gdp(self) -> float:
        """China's GDP in the base year (亿元, current = base-year prices), same vintage."""
        t = self.table
        hit = t[(t.region == "CN") & (t.variable == "gdp_current") & (t.year == self.base_year)]
        return float(hit.value.iloc[0])

    @property
    def price_basis(self) -> str:
        """Money unit of ``gdp`` and of every projected money figure, in zh and en."""
        return f"亿元（{self.base_year}年不变价）/ 100m yuan, {self.base_year} prices"

    def base_table(self) -> pd.DataFrame:
        """Base-year GDP and population per unit with provenance (v1 ``BaseYear.table`` shape).

        Built once per Dataset (each results workbook asks for it; the data never change) and
        handed out as a copy, so a caller that edits its frame cannot change the next one's."""
        built = self.__dict__.get("_base_table")
        if built is None:
            built = self._build_base_table()
            object.__setattr__(self, "_base_table", built)  # frozen dataclass: a private cache
        return built.copy()

    def _build_base_table(self) -> pd.DataFrame:
        t = self.table
        at = t[(t.year == self.base_year) & t.region.isin(self.units)]
        first: dict[tuple[str, str], Any] = {}  # (unit, variable) -> its first row, one pass
        for r in at.itertuples(index=False):
            first.setdefault((r.region, r.variable), r)
        u = units()
        records = []
        for code in self.units:
            rec = {"unit": code, "province": u.loc[code, "province"]}
            for var, name in (("gdp_current", "gdp"), ("population", "population")):
                row = first[(code, var)]
                rec[name] = float(row.value)
                rec[f"{name}_vintage"] = row.vintage_code
                rec[f"{name}_status"] = row.status
                rec[f"{name}_confidence"] = row.confidence
                rec[f"{name}_source"] = row.source
                rec[f"{name}_method"] = row.method
            records.append(rec)
        return pd.DataFrame(records).set_index("unit")


def _grid(table: pd.DataFrame, variable: str, years, regions) -> np.ndarray:
    sel = table[table.variable == variable]
    grid = sel.pivot_table(index="year", columns="region", values="value", aggfunc="first")
    return grid.reindex(index=list(years), columns=list(regions)).to_numpy(float)


def constant_prices(gdp_current_base: np.ndarray, real_growth: np.ndarray) -> np.ndarray:
    """GDP at constant base-year prices: the base-year level chained back with real growth.

    ``real_growth[t]`` (fraction) is the growth of the year ending at ``t``; the last row is
    the base year, so ``gdp[-1] == gdp_current_base`` and ``gdp[t] = gdp[t+1] / (1 + g[t+1])``.
    """
    n_years = real_growth.shape[0]
    gdp = np.empty((n_years, gdp_current_base.shape[0]))
    gdp[-1] = gdp_current_base
    for t in range(n_years - 2, -1, -1):
        gdp[t] = gdp[t + 1] / (1.0 + real_growth[t + 1])
    return gdp


def build_dataset(
    vintage: str,
    table: pd.DataFrame,
    *,
    notices: tuple[str, ...] = (),
    source_file: str | None = None,
    source_sha256: str | None = None,
) -> Dataset:
    """A :class:`Dataset` from a tidy table (GDP current, growth %, population, fiscal)."""
    table = table.copy()
    table["year"] = table["year"].astype(int)
    table["value"] = table["value"].astype(float)
    years = tuple(
        sorted(int(y) for y in table.loc[table.variable == "population", "year"].unique())
    )
    codes = unit_codes()
    gdp_current = _grid(table, "gdp_current", years, codes)
    growth = _grid(table, "real_growth", years, codes) / 100.0
    growth[0] = np.nan
    gdp = constant_prices(gdp_current[-1], growth)
    derived = [
        {
            "region": code,
            "year": year,
            "variable": "gdp",
            "value": float(gdp[i, j]),
            "unit": "亿元",
            "price_basis": f"constant {years[-1]} prices",
            "vintage_code": "derived",
            "status": "derived",
            "method": (
                f"{years[-1]} current-price GDP chained back with observed real growth"
                if i < len(years) - 1
                else f"{years[-1]} current-price GDP (base year: constant = current)"
            ),
            "source": "gdp_current and real_growth rows of this table",
            "confidence": "derived",
        }
        for i, year in enumerate(years)
        for j, code in enumerate(codes)
    ]
    full = pd.concat([table, pd.DataFrame(derived)], ignore_index=True)
    return Dataset(
        vintage=vintage,
        base_year=years[-1],
        years=years,
        units=codes,
        gdp=gdp,
        gdp_current=gdp_current,
        real_growth=growth,
        population=_grid(table, "population", years, codes),
        fiscal_revenue=_grid(table, "fiscal_revenue", years, FISCAL_REGIONS),
        fiscal_expenditure=_grid(table, "fiscal_expenditure", years, FISCAL_REGIONS),
        table=full.loc[:, list(TABLE_COLUMNS)],
        notices=notices,
        source_file=source_file,
        source_sha256=source_sha256,
    )


def _legacy_table() -> pd.DataFrame:
    """The v1 base year (``base_year()``) as a tidy table, so the legacy vintage is exact."""
    t = base_year().table
    rows = []
    for code, r in t.iterrows():
        for var, name in (("gdp_current", "gdp"), ("population", "population")):
            rows.append(
                {
                    "region": code,
                    "year": BASE_YEAR,
                    "variable": var,
                    "value": r[name],
                    "unit": "亿元" if name == "gdp" else "万人",
                    "price_basis": "current prices" if name == "gdp" else "",
                    "vintage_code": r[f"{name}_vintage"],
                    "status": r[f"{name}_status"],
                    "method": r[f"{name}_method"],
                    "source": r[f"{name}_source"],
                    "confidence": r[f"{name}_confidence"],
                }
            )
    cn = _pick("gdp", "CN", BASE_YEAR, ("I",))  # same vintage as BJ/TJ (initial release)
    rows.append(
        {
            "region": "CN",
            "year": BASE_YEAR,
            "variable": "gdp_current",
            "value": cn.value,
            "unit": "亿元",
            "price_basis": "current prices",
            "vintage_code": cn.vintage_code,
            "status": cn.status,
            "method": cn.method,
            "source": cn.source,
            "confidence": cn.confidence,
        }
    )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _bundled_table(vintage: str) -> pd.DataFrame:
    df = _read_csv(f"vintage_{vintage}.csv")
    df = df.fillna({"method": "", "price_basis": ""})
    return df.loc[:, list(TABLE_COLUMNS)]


def dataset(vintage: str | None = None) -> Dataset:
    """The bundled dataset of one vintage (``None`` = :data:`DEFAULT_VINTAGE`), cached."""
    vintage = DEFAULT_VINTAGE if vintage is None else vintage
    if vintage not in VINTAGES:
        raise _unknown_vintage(vintage)
    return _bundled_dataset(vintage)


@cache
def _bundled_dataset(vintage: str) -> Dataset:
    if vintage == LEGACY_VINTAGE:
        return build_dataset(vintage, _legacy_table())
    return build_dataset(vintage, _bundled_table(vintage))


def resolve(data: object = None, vintage: str | None = None) -> Dataset:
    """The dataset a run uses.

    ``data`` is ``None`` (the bundled ``vintage``), a :class:`Dataset` (returned as is) or the
    path of a planner's baseline-data workbook (read and validated; values it leaves empty
    come from the bundled ``vintage``, each with a notice).
    """
    if isinstance(data, Dataset):
        return _remember(data)
    if data is None:
        return dataset(vintage)
    if isinstance(data, str | os.PathLike):
        from jjjplan.excel.read.data_workbook import read_data_workbook

        return _remember(read_data_workbook(data, vintage=vintage))
    raise TypeError(f"data must be None, a path or a Dataset, not {type(data).__name__}")


#: Datasets not bundled (a planner's file, or built in Python) by their ``vintage`` label, so
#: outputs that see only the label (the engine keeps it) can cite the full provenance.
_SEEN: dict[str, Dataset] = {}


def _remember(data: Dataset) -> Dataset:
    if data.vintage not in VINTAGES:
        _SEEN.pop(data.vintage, None)
        _SEEN[data.vintage] = data
        while len(_SEEN) > 32:  # bounded: a long dashboard session loads many files
            _SEEN.pop(next(iter(_SEEN)))
    return data


def dataset_named(vintage: str) -> Dataset | None:
    """The Dataset whose ``vintage`` label is ``vintage``: a bundled one, or one that
    :func:`resolve` has returned in this process (a planner's file); None if unknown."""
    if vintage in VINTAGES:
        return dataset(vintage)
    return _SEEN.get(vintage)
