"""What a map colours each unit by: per-capita GDP, its change versus the baseline, or
whether a per-capita target is met. One function feeds both the PDF map and the dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from jjjplan.results import Results


@dataclass(frozen=True)
class Measure:
    """A map measure: labels, unit and whether it needs the baseline or targets."""

    key: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    needs_base: bool = False
    needs_targets: bool = False


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("per_capita", "人均地区生产总值", "GDP per capita", "万元/人", "10k yuan/person"),
        Measure(
            "change",
            "人均GDP较基准变化",
            "GDP per capita vs baseline",
            "%",
            "%",
            needs_base=True,
        ),
        Measure(
            "target_met",
            "人均GDP目标是否达成",
            "GDP-per-capita target met",
            "是/否",
            "yes/no",
            needs_targets=True,
        ),
    )
}


def map_values(
    results: Results,
    measure: str = "per_capita",
    year: int = 2035,
    base: Results | None = None,
    targets: Mapping[str, float] | None = None,
) -> pd.Series:
    """Value per unit code for ``measure`` in ``year``.

    ``per_capita`` is in 万元 per person; ``change`` is the percentage difference from
    ``base`` (the policy baseline's results); ``target_met`` is 1.0 / 0.0 for units with a
    target in ``targets`` (unit code -> per-capita GDP in 元) and NaN for units without one.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown map measure {measure!r}; one of {sorted(MEASURES)}")
    m = MEASURES[measure]
    if m.needs_base and base is None:
        raise ValueError(f"map measure {measure!r} needs the baseline results (base=...)")
    if m.needs_targets and not targets:
        raise ValueError(f"map measure {measure!r} needs per-unit targets (targets=...)")
    per_capita = results.wide("gdp_per_capita")
    if year not in per_capita.index:
        raise ValueError(f"year {year} is outside the projection {list(per_capita.index)}")
    value = per_capita.loc[year]
    if measure == "per_capita":
        out = value / 1e4
    elif measure == "change":
        ref = base.wide("gdp_per_capita").loc[year]
        out = (value / ref - 1.0) * 100.0
    else:
        unknown = sorted(set(targets) - set(value.index))
        if unknown:
            raise ValueError(f"targets name unknown units {unknown}")
        target = pd.Series(targets, dtype=float).reindex(value.index)
        out = (value >= target).astype(float).where(target.notna())
    out.name = measure
    return out
