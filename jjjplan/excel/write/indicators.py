"""The headline numbers both workbooks report, and the policy baseline they are set against.

The results Summary and the comparison workbook show the same :data:`KEY_INDICATORS`, with
the same labels, units, number formats and "which direction is better" (used to colour a
change green or red), so a number reads the same in either workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from jjjplan.excel.catalogue import bilingual, region_name, word
from jjjplan.excel.write import styles
from jjjplan.gaps import GAP_MEASURE_LABELS
from jjjplan.results import RATIO_LABELS, VARIABLES, Results
from jjjplan.scenario import Scenario

__all__ = [
    "BASELINE_NOTE",
    "KEY_INDICATORS",
    "Indicator",
    "baseline_for",
    "by_year",
    "province_table",
]


@dataclass(frozen=True)
class Indicator:
    """A headline number tracked by year: label, unit, format and which direction is better."""

    key: str
    zh: str
    en: str
    unit: str
    number_format: str
    lower_is_better: bool
    series: Callable[[Results], pd.Series]

    @property
    def label(self) -> str:
        return bilingual(self.zh, self.en)


def _gap(key: str) -> Indicator:
    zh, en = GAP_MEASURE_LABELS[key]
    return Indicator(key, zh, en, word("index"), styles.INDEX, True, lambda r: r.gaps[key])


def _ratio(key: str) -> Indicator:
    zh, en = RATIO_LABELS[key]
    return Indicator(key, zh, en, word("ratio"), styles.RATIO, True, lambda r: r.ratios[key])


def province_table(results: Results) -> pd.DataFrame:
    """``results.provinces()``, computed once per Results: it is not cached itself, and a
    10-scenario comparison asks for it 40 times. Results never change, so neither does it."""
    cache = results._cache
    if "provinces" not in cache:
        cache["provinces"] = results.provinces()
    table: pd.DataFrame = cache["provinces"]
    return table


def by_year(ind: Indicator, results: Results) -> dict[int, float]:
    """``ind.series(results)`` as ``{year: value}``, computed once per Results (they never
    change): a comparison reads each indicator of each scenario twice, and a pandas column
    lookup per read adds up over 100 scenarios."""
    cache = results._cache.setdefault("indicators_by_year", {})
    if ind.key not in cache:
        series = ind.series(results)
        if not series.index.is_unique:
            raise ValueError(f"indicator {ind.key!r} has repeated years")
        cache[ind.key] = dict(zip((int(y) for y in series.index), series.tolist(), strict=True))
    values: dict[int, float] = cache[ind.key]
    return values


def _province(region: str, variable: str, number_format: str) -> Indicator:
    rzh, ren = region_name(region)
    vzh, ven, unit = VARIABLES[variable]
    return Indicator(
        f"{region.lower()}_{variable}",
        f"{rzh}{vzh}",
        f"{ren} {ven}",
        unit,
        number_format,
        False,
        lambda r: province_table(r)[(region, variable)],
    )


#: Headline figures of the Summary sheet and the comparison workbook, in display order.
KEY_INDICATORS: tuple[Indicator, ...] = (
    _gap("theil_t"),
    _gap("theil_t_between"),
    _gap("theil_t_within"),
    _gap("cv_weighted"),
    _gap("gini_weighted"),
    _ratio("bj_he_ratio"),
    _ratio("tj_he_ratio"),
    _province("JJJ", "gdp", styles.MONEY),
    _province("HE", "gdp_per_capita", styles.MONEY),
)


def baseline_for(scenario: Scenario) -> Scenario:
    """Current-policy levers under the scenario's own assumptions, national path and
    base-year data, so a difference from it is the effect of policy alone."""
    return Scenario.baseline().replace(
        assumptions=scenario.assumptions,
        national_path=scenario.national_path,
        baseline_overrides=scenario.baseline_overrides,
    )


#: How :func:`baseline_for` is defined, in the words of the Summary and Provenance sheets.
BASELINE_NOTE = (
    "基准情景 = 现行政策杠杆，且采用本情景相同的参数、全国增长路径和基期数据，"
    "因此差值只反映政策差异。"
    " / Baseline = current-policy levers under this scenario's own assumptions, national "
    "growth path and base-year data, so every Δ is the effect of policy only."
)
