"""The series a planner can supply in a baseline-data workbook, and how they replace bundled ones.

Why a module of its own: the workbook writer (template), the workbook reader and the tests all
need the same list of series (labels, units with their price basis, plausible ranges) and the
same merge rule — a planner's value replaces the bundled one, an empty or missing value falls
back to the bundled vintage with a notice — without depending on Excel at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from jjjplan import baseline

__all__ = ["SERIES", "SERIES_BY_ID", "Key", "PlannerValue", "Series", "merge", "template_rows"]


@dataclass(frozen=True)
class Series:
    """One observed series of the baseline data, as a planner sees it."""

    id: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    low: float  # plausible range; values outside are refused (growth in %)
    high: float
    regions: str  # "units" (the 13 planning units) or "provinces" (BJ, TJ, HE)
    from_second_year: bool = False  # growth of the first observed year is not used

    @property
    def unit(self) -> str:
        return f"{self.unit_zh} / {self.unit_en}"

    def region_codes(self) -> tuple[str, ...]:
        return baseline.unit_codes() if self.regions == "units" else baseline.FISCAL_REGIONS


SERIES: tuple[Series, ...] = (
    Series(
        "gdp_current",
        "地区生产总值（当年价）",
        "GDP at current prices",
        "亿元（当年价）",
        "100m yuan, current prices",
        0.0,
        1_000_000.0,
        "units",
    ),
    Series(
        "real_growth",
        "地区生产总值实际增速（按不变价格计算）",
        "real GDP growth (at constant prices)",
        "%（比上年）",
        "% on the previous year",
        -30.0,
        30.0,
        "units",
        from_second_year=True,
    ),
    Series(
        "population",
        "年末常住人口",
        "year-end resident population",
        "万人",
        "10,000 persons",
        0.0,
        100_000.0,
        "units",
    ),
    Series(
        "fiscal_revenue",
        "一般公共预算收入",
        "general public budget revenue",
        "亿元（当年价）",
        "100m yuan, current prices",
        0.0,
        100_000.0,
        "provinces",
    ),
    Series(
        "fiscal_expenditure",
        "一般公共预算支出",
        "general public budget expenditure",
        "亿元（当年价）",
        "100m yuan, current prices",
        0.0,
        100_000.0,
        "provinces",
    ),
)
SERIES_BY_ID = {s.id: s for s in SERIES}
#: The unit each series has in ``Dataset.table`` (money is 亿元 at current prices).
TABLE_UNITS = {
    "gdp_current": "亿元",
    "real_growth": "%",
    "population": "万人",
    "fiscal_revenue": "亿元",
    "fiscal_expenditure": "亿元",
}

#: (region, year, series id) — the key of one value.
Key = tuple[str, int, str]


@dataclass(frozen=True)
class PlannerValue:
    """A value read from a planner's workbook: where it is and what it cites."""

    value: float
    source: str  # the planner's source text (may be empty)
    vintage: str  # the planner's vintage text (may be empty)
    where: str  # "sheet!cell" of the value


def keys(data: baseline.Dataset) -> Iterator[Key]:
    """Every key a data workbook for ``data`` holds, in template order."""
    for s in SERIES:
        years = data.years[1:] if s.from_second_year else data.years
        for region in s.region_codes():
            for year in years:
                yield region, year, s.id


def _bundled_rows(data: baseline.Dataset) -> dict[Key, pd.Series]:
    t = data.table
    t = t[t.variable.isin(list(SERIES_BY_ID))]
    return {(r.region, int(r.year), r.variable): r for r in t.itertuples(index=False)}


def template_rows(data: baseline.Dataset) -> list[dict]:
    """One row per key, prefilled with the bundled value (None where unpublished)."""
    bundled = _bundled_rows(data)
    rows = []
    for key in keys(data):
        hit = bundled.get(key)
        value = None if hit is None or math.isnan(hit.value) else float(hit.value)
        status = "" if hit is None else hit.status
        source = "" if hit is None else hit.source
        if hit is not None and status == "estimate":
            source = f"估算 estimate: {hit.method}"
        rows.append(
            {
                "region": key[0],
                "year": key[1],
                "series": SERIES_BY_ID[key[2]],
                "value": value,
                "source": source,
                "vintage": "" if hit is None else f"{data.vintage} ({hit.vintage_code})",
                "status": status,
            }
        )
    return rows


def merge(
    base: baseline.Dataset,
    values: Mapping[Key, PlannerValue],
    *,
    file_label: str,
    source_file: str,
    source_sha256: str,
    extra_notices: tuple[str, ...] = (),
) -> baseline.Dataset:
    """``base`` with the planner's ``values`` in place of the bundled ones.

    Every key of ``base`` the planner left out falls back to the bundled value with one
    notice each; a planner's value keeps its cell, source and vintage text as provenance.
    """
    bundled = _bundled_rows(base)
    t = base.table
    rows = [r._asdict() for r in t[t.variable != "gdp"].itertuples(index=False)]
    rows = [r for r in rows if (r["region"], int(r["year"]), r["variable"]) not in values]
    notices = list(extra_notices)
    for key in keys(base):
        got = values.get(key)
        if got is None:
            if key in bundled:
                region, year, sid = key
                notices.append(
                    f"{file_label}: {region} {year} {SERIES_BY_ID[sid].name_zh} 未填，"
                    f"沿用内置数据（{base.vintage}） / {region} {year} "
                    f"{SERIES_BY_ID[sid].name_en} left empty: bundled value used ({base.vintage})"
                )
            continue
        region, year, sid = key
        cited = got.source or "未注明来源 no source given"
        rows.append(
            {
                "region": region,
                "year": year,
                "variable": sid,
                "value": got.value,
                "unit": TABLE_UNITS[sid],
                "price_basis": "current prices" if TABLE_UNITS[sid] == "亿元" else "",
                "vintage_code": got.vintage or "planner",
                "status": "planner",
                "method": "",
                "source": f"{file_label} {got.where}: {cited}",
                "confidence": "planner",
            }
        )
    table = pd.DataFrame(rows, columns=list(baseline.TABLE_COLUMNS))
    return baseline.build_dataset(
        f"file:{file_label}@{source_sha256[:8]} (on {base.vintage})",
        table,
        notices=tuple(notices),
        source_file=source_file,
        source_sha256=source_sha256,
    )
