"""A scenario's levers flattened to one labelled, formatted row per value.

The results workbook's Provenance sheet lists every lever of its scenario; the comparison
workbook lines the same rows up across scenarios. Both take them from :func:`lever_rows`, so
a lever has the same field path (as in error messages), label, unit and format in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jjjplan.excel.catalogue import region_name
from jjjplan.excel.layout import lever_format
from jjjplan.scenario import (
    LEVERS,
    MILESTONE_YEARS,
    PATHWAY_LABELS,
    PATHWAYS,
    REFORM_SCALARS,
    Milestones,
    Scenario,
    base_presence,
)

__all__ = ["LeverRow", "lever_rows", "unchanged_presence_count"]


@dataclass(frozen=True)
class LeverRow:
    """One scalar lever value: field path (as in error messages), labels, unit, format."""

    path: str
    zh: str
    en: str
    unit: str
    value: Any
    number_format: str


def _milestone_rows(
    path: str, ms: Milestones, spec_path: str | None = None, zh: str = "", en: str = ""
) -> list[LeverRow]:
    spec = LEVERS[spec_path or path]
    return [
        LeverRow(
            f"{path}.y{year}",
            f"{spec.name_zh}{zh}（{year}）",
            f"{spec.name_en}{en} ({year})",
            spec.unit,
            value,
            lever_format(spec),
        )
        for year, value in zip(MILESTONE_YEARS, ms.values(), strict=True)
    ]


def _scalar_row(path: str, value: Any) -> LeverRow:
    spec = LEVERS[path]
    return LeverRow(path, spec.name_zh, spec.name_en, spec.unit, value, lever_format(spec))


def lever_rows(scenario: Scenario, *, all_chain_presence: bool = False) -> list[LeverRow]:
    """Every lever of ``scenario`` as one row per value, in the order planners set them.

    Chain-segment presence has hundreds of values; unless ``all_chain_presence`` only those
    that differ from the base year are listed (the base year is fixed data, so nothing is
    lost: the Provenance sheet says how many were left at base).
    """
    s = scenario
    rows = [
        LeverRow(
            f"pathways.{p}",
            f"路径开关：{PATHWAY_LABELS[p][0]}",
            f"pathway on: {PATHWAY_LABELS[p][1]}",
            "TRUE/FALSE",
            bool(getattr(s.pathways, p)),
            "General",
        )
        for p in PATHWAYS
    ]
    rows.append(_scalar_row("national_path", s.national_path))
    spec = LEVERS["poles.weights"]
    for unit, weight in s.poles.weights.items():
        zh, en = region_name(unit)
        rows.append(
            LeverRow(
                f"poles.weights.{unit}",
                f"{spec.name_zh}：{zh}",
                f"{spec.name_en}: {en}",
                spec.unit,
                weight,
                lever_format(spec),
            )
        )
    rows += _milestone_rows("poles.investment", s.poles.investment)
    rows += _milestone_rows("poles.relocation", s.poles.relocation)
    rows += _milestone_rows("innovation.share", s.innovation.share)
    rows += _milestone_rows("innovation.absorption", s.innovation.absorption)
    for name in REFORM_SCALARS:
        value = getattr(s.reform, name)
        rows.append(_scalar_row(f"reform.{name}", bool(value) if name.endswith("only") else value))
    rows += _milestone_rows("reform.market_integration", s.reform.market_integration)
    base = base_presence()
    for key, ms in s.chains.presence.items():
        if all_chain_presence or any(v != base[key] for v in ms.values()):
            rows += _milestone_rows(
                f"chains.presence.{key}", ms, "chains.presence", f"：{key}", f": {key}"
            )
    return rows


def unchanged_presence_count(scenario: Scenario) -> int:
    """How many chain segments keep their base-year presence at every milestone year."""
    base = base_presence()
    return sum(all(v == base[k] for v in ms.values()) for k, ms in scenario.chains.presence.items())
