"""Results as files analysts open elsewhere: CSV (Excel on Chinese Windows), Parquet, IAMC.

All three start from :func:`export_frame`: the tidy ``Results.frame`` (scenario, region, year,
variable, unit, value) plus the gap measures and ratios as rows of region ``JJJ``, so one
file holds everything the results workbook shows as numbers. Files are written atomically
through the workbook package's safe-save helper and never replace an input workbook.

- CSV is UTF-8 *with* a byte-order mark: Excel on Chinese Windows otherwise reads it as GBK
  and shows the Chinese units as mojibake.
- Parquet needs ``pyarrow`` (``pip install "jjjplan[parquet]"``).
- IAMC is the model/scenario/region/variable/unit + one column per year layout that
  ``pyam.IamDataFrame`` reads (or the long layout with ``year`` and ``value`` columns).
  Variables get IAMC-style ``|`` names and regions their English names; units are spelled in
  ASCII with the same magnitude (亿元 = "100 million CNY"), never rescaled.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from jjjplan.results import Results

__all__ = [
    "IAMC_COLUMNS",
    "export_frame",
    "iamc_frame",
    "write_csv",
    "write_excel",
    "write_iamc",
    "write_parquet",
]

PathLike = str | os.PathLike[str]
#: The IAMC index columns, in pyam's order (``pyam.IAMC_IDX``).
IAMC_COLUMNS = ("model", "scenario", "region", "variable", "unit")
INDICATOR_REGION = "JJJ"
INDICATOR_UNITS = {"jjj_share_national": "share"}  # every other indicator is a pure number

#: jjjplan variable → IAMC variable name
IAMC_VARIABLES = {
    "gdp": "GDP|Real",
    "population": "Population",
    "gdp_per_capita": "GDP per Capita|Real",
    "gdp_history": "GDP|Nominal (history)",
    "population_history": "Population (history)",
    "relocated_va_out": "Relocation|Value Added|Out",
    "relocated_va_in": "Relocation|Value Added|In",
    "pole_investment": "Investment|Growth Poles",
    "chain_value_added": "Value Added|Chain Filling",
    "tech_inflow": "Technology|Contract Inflow",
    "tech_stock": "Technology|Absorbed Stock",
    "tech_share": "Technology|Share of Beijing Turnover to Tianjin and Hebei",
    "target_tech_share": "Target|Technology Share to Tianjin and Hebei",
    "target_bj_population_cap": "Target|Beijing Population Cap",
    "market_integration": "Market Integration Index",
    "own_revenue": "Fiscal|Own Revenue",
    "shares_received": "Fiscal|Shared Taxes Received",
    "shares_paid": "Fiscal|Shared Taxes Paid",
    "compensation": "Fiscal|Central Compensation",
    "net_revenue": "Fiscal|Net Revenue",
    "shared_firm_tax": "Fiscal|Relocated Firms Local Taxes",
    "destination_keeps": "Fiscal|Kept by Destination",
    "theil_t": "Regional Gap|Theil T",
    "theil_l": "Regional Gap|Theil L",
    "theil_t_between": "Regional Gap|Theil T|Between Provinces",
    "theil_t_within": "Regional Gap|Theil T|Within Provinces",
    "theil_l_between": "Regional Gap|Theil L|Between Provinces",
    "theil_l_within": "Regional Gap|Theil L|Within Provinces",
    "cv": "Regional Gap|Coefficient of Variation",
    "cv_weighted": "Regional Gap|Coefficient of Variation|Population-weighted",
    "gini_weighted": "Regional Gap|Gini|Population-weighted",
    "max_min_ratio": "Regional Gap|Max-Min Ratio",
    "bj_he_ratio": "Regional Gap|Beijing-Hebei GDP per Capita Ratio",
    "tj_he_ratio": "Regional Gap|Tianjin-Hebei GDP per Capita Ratio",
    "jjj_share_national": "Share of National GDP",
}
_CHAIN_PREFIX = "sourcing_"

#: unit label → the same unit in ASCII (same magnitude)
IAMC_UNITS = {
    "亿元": "100 million CNY",
    "亿元/yr": "100 million CNY/yr",
    "万人": "10 thousand persons",
    "元/person": "CNY/person",
}


def export_frame(results: Results) -> pd.DataFrame:
    """``results.frame`` plus the gap measures and ratios (region ``JJJ``), same columns."""
    indicators = results.gaps.join(results.ratios)
    long = indicators.rename_axis("year").reset_index().melt(id_vars="year", var_name="variable")
    long["scenario"] = results.scenario.name
    long["region"] = INDICATOR_REGION
    long["unit"] = long["variable"].map(INDICATOR_UNITS).fillna("")
    long = long.loc[:, list(results.frame.columns)]
    frame = pd.concat([results.frame, long], ignore_index=True)
    frame["year"] = frame["year"].astype("int64")
    return frame


def _iamc_variable(name: str) -> str:
    if name in IAMC_VARIABLES:
        return IAMC_VARIABLES[name]
    if name.startswith(_CHAIN_PREFIX):
        return f"Chain Sourcing|{name.removeprefix(_CHAIN_PREFIX)}"
    return name


def _iamc_unit(unit: str) -> str:
    if unit in IAMC_UNITS:
        return IAMC_UNITS[unit]
    for zh, en in IAMC_UNITS.items():  # e.g. "亿元 (2022 prices)"
        if unit.startswith(zh + " "):
            return en + unit[len(zh) :]
    return unit.replace("–", "-")


def _region_names() -> dict[str, str]:
    from jjjplan.baseline import units

    names = units()["name_en"].to_dict()
    return {**names, "HE": "Hebei", "JJJ": "Beijing-Tianjin-Hebei"}


def iamc_frame(
    results: Results, layout: Literal["wide", "long"] = "wide", model: str | None = None
) -> pd.DataFrame:
    """The results in IAMC layout: model, scenario, region, variable, unit and one column per
    year (``layout="wide"``) or ``year`` and ``value`` columns (``"long"``)."""
    if layout not in ("wide", "long"):
        raise ValueError(f"layout must be 'wide' or 'long', not {layout!r}")
    if model is None:
        import jjjplan

        model = f"jjjplan {jjjplan.__version__}"
    long = export_frame(results)
    regions = _region_names()
    long = long.assign(
        model=model,
        region=long["region"].map(lambda r: regions.get(r, r)),
        variable=long["variable"].map(_iamc_variable),
        unit=long["unit"].map(_iamc_unit),
    )
    long = long.loc[:, [*IAMC_COLUMNS, "year", "value"]]
    if layout == "long":
        return long.sort_values([*IAMC_COLUMNS, "year"], ignore_index=True)
    wide = long.pivot_table(
        index=list(IAMC_COLUMNS), columns="year", values="value", aggfunc="first", sort=True
    )
    wide.columns = [int(c) for c in wide.columns]
    return wide.reset_index()


# ---------------------------------------------------------------------------------------------
# Writers (atomic, never over an input workbook)
# ---------------------------------------------------------------------------------------------
def _save(target: PathLike, write: Callable[[Path], None]) -> Path:
    from jjjplan.excel.safety import atomic_save

    path = Path(target)
    is_xlsx = path.suffix.lower() == ".xlsx"
    atomic_save(lambda tmp: write(Path(tmp)), path, verify=is_xlsx)
    return path


def write_csv(results: Results, path: PathLike) -> Path:
    """The tidy table as CSV, UTF-8 with BOM (opens cleanly in Excel on Chinese Windows)."""
    frame = export_frame(results)
    return _save(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_parquet(results: Results, path: PathLike) -> Path:
    """The tidy table as Parquet (needs pyarrow)."""
    try:
        import pyarrow  # noqa: F401
    except ModuleNotFoundError as err:
        from jjjplan.cli_support import install_hint

        raise ModuleNotFoundError(
            f"Parquet 输出需要 pyarrow / Parquet output needs pyarrow: {install_hint('parquet')}",
            name="pyarrow",
        ) from err
    frame = export_frame(results)
    return _save(path, lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False))


def write_iamc(results: Results, path: PathLike, layout: Literal["wide", "long"] = "wide") -> Path:
    """The IAMC table: ``.xlsx`` as pyam writes it (sheet ``data``), else CSV (UTF-8 BOM)."""
    frame = iamc_frame(results, layout)
    if Path(path).suffix.lower() == ".xlsx":
        return _save(path, lambda tmp: frame.to_excel(tmp, sheet_name="data", index=False))
    return _save(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_excel(results: Results, path: PathLike, **kwargs) -> Path:
    """The full results workbook (same as :func:`jjjplan.write_results`)."""
    from jjjplan.excel import write_results

    return Path(write_results(results, path, **kwargs))
