"""Turn the values read from a workbook into a :class:`Scenario`, and map its problems back.

Why a module of its own: once every cell is parsed, the reader holds a flat mapping of Scenario
field paths (``"reform.cap_multiple"``, ``"poles.investment.y2030"``) to values and another to
the sheet and cell each came from. This module builds the Scenario from them — a value not
read keeps its reference value, so validation still checks every value that was — and turns
each :class:`ScenarioError` problem (range, whole number, growth-pole weights) into a message
at the cell the offending value was read from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.excel import layout as L
from jjjplan.excel.catalogue import Where
from jjjplan.scenario import (
    LEVERS,
    PATHWAYS,
    ChainFilling,
    GrowthPoles,
    Innovation,
    Milestones,
    Pathways,
    Reform,
    Scenario,
    ScenarioError,
    assumption_bounds,
)

__all__ = ["YEARS", "assemble", "build_scenario"]

#: The milestone years, as field-path suffixes and Table column keys.
YEARS = ("y2025", "y2030", "y2035")
_OVERRIDE_RANGE = (1e-6, 1e7)


def build_scenario(
    values: Mapping[str, Any],
    cells: Mapping[str, tuple[str, str]],
    failed: Collection[str],
    error: Callable[..., None],
) -> Scenario | None:
    """Build the Scenario; map each validation problem back to its cell through ``error``
    (called like :meth:`Findings.error <jjjplan.excel.read.findings.Findings.error>`).
    Problems of a field that already failed to parse (``failed``) are not repeated."""
    try:
        return assemble(values)
    except ScenarioError as exc:
        for field, message in exc.problems:
            if not any(_related(field, f) for f in failed):
                _scenario_problem(values, cells, error, field, message)
    return None


def _scenario_problem(
    values: Mapping[str, Any],
    cells: Mapping[str, tuple[str, str]],
    error: Callable[..., None],
    field: str,
    message: str,
) -> None:
    where = _origin(cells, field)
    zh_label, en_label, low, high, percent = _spec_for(field)
    labels = {"label_zh": zh_label, "label_en": en_label}
    value = values.get(field)
    if field == "innovation.destinations":
        total = f"{sum(values.get(field, {}).values()) * 100:.2f}%"
        error(where, field, "destinations_sum", "100% ± 0.1", total, cells=where[1])
    elif field == "poles.weights":
        total = f"{sum(values.get(field, {}).values()) * 100:.2f}%"
        code = "weights_sum" if "sum" in message else "weights_bj"
        error(where, field, code, "100% ± 0.1", total, cells=where[1])
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        allowed = L.format_range(low, high, percent)
        shown = f"{value * 100:g}%" if percent else f"{value:,g}"
        if low <= value <= high:
            error(where, field, "whole", f"整数 whole number, {allowed}", shown, **labels)
        else:
            error(where, field, "range", allowed, shown, **labels)
    else:
        error(where, field, "invalid", detail=message, **labels)


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _origin(cells: Mapping[str, tuple[str, str]], field: str) -> Where:
    """The sheet and cell a field (or its nearest parent) was read from."""
    parts = field.split(".")
    while parts:
        hit = cells.get(".".join(parts))
        if hit:
            return hit
        parts.pop()
    return None, None


def _spec_for(field: str) -> tuple[str, str, float, float, bool]:
    """Labels, allowed range and percent flag of a Scenario field, for messages."""
    for path, spec in LEVERS.items():
        if field == path or field.startswith(path + "."):
            return spec.name_zh, spec.name_en, spec.low, spec.high, spec.percent
    a = ASSUMPTION_BY_ID.get(field.removeprefix("assumptions."))
    if a is not None:
        return (a.name_zh, a.name_en, *assumption_bounds(a), False)
    if field.startswith("baseline_overrides."):
        return ("基期覆盖值", "baseline override", *_OVERRIDE_RANGE, False)
    return field, field, 0.0, 0.0, False


def _milestones(values: Mapping[str, Any], path: str, ref: Milestones) -> Milestones:
    years = zip(YEARS, ref.values(), strict=True)
    return Milestones(*(values.get(f"{path}.{y}", default) for y, default in years))


def assemble(values: Mapping[str, Any]) -> Scenario:
    """The Scenario from parsed values; a value not read keeps its reference value, so
    validation still checks every value that was read. Raises ScenarioError."""
    ref = Scenario.baseline()
    v = values.get

    def reform(name: str) -> Any:
        value = v(f"reform.{name}", getattr(ref.reform, name))
        spec = LEVERS.get(f"reform.{name}")
        whole = spec and spec.integer and float(value).is_integer()
        return int(value) if whole else value

    def ms(path: str) -> Milestones:
        return _milestones(values, path, L.field_value(ref, path))

    presence = ref.chains.presence
    return Scenario(
        name=v("name", ref.name),
        description=v("description", ""),
        author=v("author", ""),
        national_path=v("national_path", ref.national_path),
        pathways=Pathways(**{p: v(f"pathways.{p}", getattr(ref.pathways, p)) for p in PATHWAYS}),
        poles=GrowthPoles(
            v("poles.weights", ref.poles.weights), ms("poles.investment"), ms("poles.relocation")
        ),
        chains=ChainFilling(
            {k: _milestones(values, f"chains.presence.{k}", m) for k, m in presence.items()}
        ),
        innovation=Innovation(
            ms("innovation.share"),
            ms("innovation.absorption"),
            v("innovation.destinations", ref.innovation.destinations),
        ),
        reform=Reform(
            *(
                reform(k)
                for k in (
                    "origin_share",
                    "share_years",
                    "ext_years",
                    "cap_multiple",
                    "eligibility_threshold",
                    "government_led_only",
                )
            ),
            market_integration=ms("reform.market_integration"),
        ),
        assumptions={
            k.removeprefix("assumptions."): x
            for k, x in values.items()
            if k.startswith("assumptions.")
        },
        baseline_overrides=_overrides(values),
        targets=v("targets", ()),
        data_vintage=v("data_vintage", ref.data_vintage),
        policy_start_year=_whole(v("policy_start_year", ref.policy_start_year)),
    )


def _whole(value: Any) -> Any:
    """A whole-number float as int (validation reports any other value at its cell)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _overrides(values: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key, value in values.items():
        if key.startswith("baseline_overrides."):
            _, unit, var = key.split(".")
            out.setdefault(unit, {})[var] = value
    return out
