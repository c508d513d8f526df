"""Free levers of goal seek: a scenario ↔ a vector of numbers the optimiser moves.

Why this parametrisation: a planner thinks in "how far must this lever go by 2035", so each
milestone lever is one number, its 2035 value, reached by a linear ramp from the unchanged
2025 milestone (2030 moves by half the 2035 change). Chain presence has 35 segments × 3
provinces, so one number per province lifts every segment of that province together (only
up: goal seek fills links, it never proposes removing a province's industry). Pole weights
are one number per pole, kept on the simplex (sum = 100%) by a linear
equality constraint. Integer levers (sharing and extension years) are whole numbers; the
yes/no switch ``reform.government_led_only`` and the national path are not searched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from jjjplan.chains import PROVINCES
from jjjplan.scenario import LEVERS, Milestones, Scenario

__all__ = [
    "CHAIN_LEVERS",
    "FREE_LEVERS",
    "MILESTONE_LEVERS",
    "LeverSpace",
    "SeekError",
    "Variable",
    "lever_space",
    "lift",
    "ramp",
    "undo_change",
]

#: Levers set by their 2035 milestone with a linear ramp (see :func:`ramp`).
MILESTONE_LEVERS = (
    "poles.investment",
    "poles.relocation",
    "innovation.share",
    "innovation.absorption",
    "reform.market_integration",
)
_SCALAR_LEVERS = (
    "reform.origin_share",
    "reform.share_years",
    "reform.ext_years",
    "reform.cap_multiple",
    "reform.eligibility_threshold",
)
#: One chain-presence lift per province (see :func:`lift`).
CHAIN_LEVERS = tuple(f"chains.presence.{p}" for p in PROVINCES)
#: Every lever goal seek can move, in the order of the four pathways.
FREE_LEVERS: tuple[str, ...] = (
    "poles.weights",
    "poles.investment",
    "poles.relocation",
    *CHAIN_LEVERS,
    "innovation.share",
    "innovation.absorption",
    *_SCALAR_LEVERS,
    "reform.market_integration",
)
_PATHWAY_OF = {
    "poles": "growth_poles",
    "chains": "chain_filling",
    "innovation": "innovation",
    "reform": "reform",
}


class SeekError(ValueError):
    """A bad seek request (unknown lever, nothing free); the message is bilingual."""


@dataclass(frozen=True)
class Variable:
    """One number the optimiser moves: lever (and pole unit), bounds, start, integer flag."""

    lever: str
    unit: str | None
    low: float
    high: float
    start: float
    integer: bool = False

    @property
    def name(self) -> str:
        return f"{self.lever}.{self.unit}" if self.unit else self.lever

    @property
    def span(self) -> float:
        return max(self.high - self.low, 1e-12)


def _pathway(lever: str) -> str:
    return _PATHWAY_OF[lever.split(".")[0]]


def resolve_free(free: Iterable[str] | None, lock: Iterable[str] = ()) -> tuple[str, ...]:
    """Lever names → the canonical list; ``chains.presence`` means all three provinces."""
    wanted = FREE_LEVERS if free is None else tuple(free)
    out: list[str] = []
    unknown = []
    for name in wanted:
        name = str(name).strip()
        if name == "chains.presence":
            out.extend(CHAIN_LEVERS)
        elif name in FREE_LEVERS:
            out.append(name)
        else:
            unknown.append(name)
    locked = set()
    for name in lock:
        name = str(name).strip()
        if name == "chains.presence":
            locked.update(CHAIN_LEVERS)
        elif name in FREE_LEVERS:
            locked.add(name)
        else:
            unknown.append(name)
    if unknown:
        known = ", ".join(FREE_LEVERS)
        raise SeekError(
            f"未知杠杆 {', '.join(unknown)}；可选：{known} / unknown lever(s) "
            f"{', '.join(unknown)}; choose from: {known}"
        )
    levers = tuple(dict.fromkeys(n for n in out if n not in locked))
    if not levers:
        raise SeekError("没有可调整的杠杆 / no free lever left to search (all locked)")
    return levers


@dataclass(frozen=True)
class LeverSpace:
    """The free variables around a starting scenario, and the way back to a Scenario."""

    start: Scenario
    variables: tuple[Variable, ...]

    @property
    def x0(self) -> np.ndarray:
        return np.array([v.start for v in self.variables])

    @property
    def low(self) -> np.ndarray:
        return np.array([v.low for v in self.variables])

    @property
    def high(self) -> np.ndarray:
        return np.array([v.high for v in self.variables])

    @property
    def integer(self) -> np.ndarray:
        return np.array([v.integer for v in self.variables])

    def weight_index(self) -> np.ndarray:
        """Positions of the pole-weight variables (they must sum to 1)."""
        return np.array([i for i, v in enumerate(self.variables) if v.lever == "poles.weights"])

    def levers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.lever for v in self.variables))

    def clean(self, x: np.ndarray) -> np.ndarray:
        """Within bounds, integers whole, weights exactly on the simplex."""
        x = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        span = self.high - self.low
        x = np.where(np.abs(x - self.low) < 1e-9 * span, self.low, x)  # 4e-14 is 0
        x = np.where(np.abs(self.high - x) < 1e-9 * span, self.high, x)
        x = np.where(self.integer, np.round(x), x)
        w = self.weight_index()
        if len(w):
            total = x[w].sum()
            x[w] = x[w] / total if total > 0 else 1.0 / len(w)
        return x

    def scenario(self, x: Sequence[float]) -> Scenario:
        """The starting scenario with the free levers set to ``x`` (cleaned first)."""
        x = self.clean(np.asarray(x, dtype=float))
        s = self.start
        by_lever: dict[str, list[tuple[Variable, float]]] = {}
        for var, value in zip(self.variables, x, strict=True):
            by_lever.setdefault(var.lever, []).append((var, float(value)))
        poles, chains = s.poles, dict(s.chains.presence)
        innovation, reform = s.innovation, s.reform
        for lever, items in by_lever.items():
            (var, value), *_ = items
            if lever == "poles.weights":
                weights = {v.unit: val for v, val in items}
                poles = dataclasses.replace(poles, weights=weights)
            elif lever in MILESTONE_LEVERS:
                group, name = lever.split(".")
                spec = LEVERS[lever]
                old = getattr(
                    {"poles": poles, "innovation": innovation, "reform": reform}[group], name
                )
                new = ramp(old, value, spec.low, spec.high)
                if group == "poles":
                    poles = dataclasses.replace(poles, **{name: new})
                elif group == "innovation":
                    innovation = dataclasses.replace(innovation, **{name: new})
                else:
                    reform = dataclasses.replace(reform, **{name: new})
            elif lever in CHAIN_LEVERS:
                province = lever.rsplit(".", 1)[1]
                for key, ms in self.start.chains.presence.items():
                    if key.endswith(f"/{province}"):
                        chains[key] = lift(ms, value)
            else:
                name = lever.split(".")[1]
                reform = dataclasses.replace(reform, **{name: int(value) if var.integer else value})
        return s.replace(
            poles=poles,
            chains=dataclasses.replace(s.chains, presence=chains),
            innovation=innovation,
            reform=reform,
        )


def ramp(old: Milestones, y2035: float, low: float, high: float) -> Milestones:
    """2035 set to ``y2035``; 2030 moves by half the change; 2025 unchanged."""
    change = y2035 - old.y2035
    if change == 0:
        return old
    y2030 = float(np.clip(old.y2030 + change / 2, low, high))
    return Milestones(old.y2025, y2030, float(y2035))


def lift(old: Milestones, amount: float) -> Milestones:
    """Every segment of a province lifted by ``amount`` by 2035 (half by 2030), within 0–1."""
    if amount == 0:
        return old
    return Milestones(
        old.y2025,
        float(np.clip(old.y2030 + amount / 2, 0.0, 1.0)),
        float(np.clip(old.y2035 + amount, 0.0, 1.0)),
    )


def lever_space(scenario: Scenario, levers: Sequence[str]) -> LeverSpace:
    """Variables for ``levers`` around ``scenario``.

    A pathway that is switched off computes with current-policy levers; freeing one of its
    levers switches it on with those current-policy values, so the start projects the same.
    """
    effective = scenario.effective()
    pathways = {p: getattr(scenario.pathways, p) for p in _PATHWAY_OF.values()}
    for lever in levers:
        pathways[_pathway(lever)] = True
    start = effective.replace(pathways=dataclasses.replace(scenario.pathways, **pathways))
    variables: list[Variable] = []
    for lever in levers:
        if lever == "poles.weights":
            for unit, w in start.poles.weights.items():
                variables.append(Variable(lever, unit, 0.0, 1.0, float(w)))
        elif lever in MILESTONE_LEVERS:
            spec = LEVERS[lever]
            group, name = lever.split(".")
            ms = getattr(getattr(start, group), name)
            variables.append(Variable(lever, None, spec.low, spec.high, float(ms.y2035)))
        elif lever in CHAIN_LEVERS:
            variables.append(Variable(lever, None, 0.0, 1.0, 0.0))  # filling links only
        else:
            spec = LEVERS[lever]
            value = float(getattr(start.reform, lever.split(".")[1]))
            variables.append(Variable(lever, None, spec.low, spec.high, value, spec.integer))
    return LeverSpace(start, tuple(variables))


def undo_change(found: Scenario, start: Scenario, variable: str) -> Scenario:
    """``found`` with one variable (``poles.weights.TJ``, ``chains.presence.HE``,
    ``reform.origin_share`` …) back at its ``start`` value; other pole weights are rescaled
    so the weights still sum to 100%."""
    group, name, *rest = variable.split(".")
    if variable.startswith("poles.weights."):
        unit = rest[0]
        old = start.poles.weights.get(unit, 0.0)
        others = {u: w for u, w in found.poles.weights.items() if u != unit}
        total = sum(others.values())
        weights = {u: w / total * (1 - old) for u, w in others.items()} if total else {}
        weights[unit] = old
        return found.replace(poles=dataclasses.replace(found.poles, weights=weights))
    if group == "chains":
        province = rest[0]
        presence = dict(found.chains.presence)
        for key, ms in start.chains.presence.items():
            if key.endswith(f"/{province}"):
                presence[key] = ms
        return found.replace(chains=dataclasses.replace(found.chains, presence=presence))
    part = dataclasses.replace(
        getattr(found, group), **{name: getattr(getattr(start, group), name)}
    )
    return found.replace(**{group: part})
