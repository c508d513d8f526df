"""Sweep members as Scenarios, fast: a million points cannot each pay for full validation.

:meth:`LeverSpace.scenario <jjjplan.goalseek.levers.LeverSpace.scenario>` re-validates the
whole scenario and clips 105 chain milestones with numpy per call (~15 ms); a sweep member
differs from the start only in values that :mod:`jjjplan.explore.sampling` drew inside each
lever's and assumption's allowed range, which validation always accepts. So members are
built like ``uncertainty.design.members``: the start's fields copied, the swept ones
replaced, no re-validation (tests check sampled members against ``validate``). The lever
meanings (2035 value with a linear ramp, per-province chain lift) are LeverSpace's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from jjjplan.goalseek.levers import _CHAIN_LEVERS, _MILESTONE_LEVERS, _ramp
from jjjplan.scenario import LEVERS, Milestones, Scenario

if TYPE_CHECKING:
    from jjjplan.explore.sampling import SweepSpace

__all__ = ["MemberBuilder"]


def _copy(obj, **changes):
    """A frozen dataclass with some fields replaced, without running ``__post_init__``."""
    new = object.__new__(type(obj))
    vars(new).update(vars(obj), **changes)
    return new


def _lift(ms: Milestones, lift: float) -> Milestones:
    """As LeverSpace: every segment lifted by ``lift`` by 2035 (half by 2030), within 0–1."""
    if lift == 0:
        return ms
    return Milestones(
        ms.y2025, min(max(ms.y2030 + lift / 2, 0.0), 1.0), min(max(ms.y2035 + lift, 0.0), 1.0)
    )


class MemberBuilder:
    """Rows of sweep inputs → Scenarios around the sweep's start."""

    def __init__(self, space: SweepSpace) -> None:
        self.space = space
        self.start = space.levers.start
        self.variables = space.levers.variables
        self.assumption_ids = [a.id for a in space.assumptions]
        presence = self.start.chains.presence
        self.chain_keys = {
            lever: [k for k in presence if k.endswith("/" + lever.rsplit(".", 1)[1])]
            for lever in _CHAIN_LEVERS
        }

    def build(self, values: np.ndarray) -> list[Scenario]:
        values = np.asarray(values, dtype=float)
        n_lever = len(self.variables)
        return [self._member(row[:n_lever], row[n_lever:]) for row in values]

    def _member(self, levers: np.ndarray, assumptions: np.ndarray) -> Scenario:
        s = self.start
        poles, innovation, reform = s.poles, s.innovation, s.reform
        presence = None
        weights = {}
        for var, value in zip(self.variables, levers.tolist(), strict=True):
            lever = var.lever
            if lever == "poles.weights":
                weights[var.unit] = value
            elif lever in _MILESTONE_LEVERS:
                group, name = lever.split(".")
                spec = LEVERS[lever]
                holder = {"poles": poles, "innovation": innovation, "reform": reform}[group]
                new = _ramp(getattr(holder, name), value, spec.low, spec.high)
                if group == "poles":
                    poles = _copy(poles, **{name: new})
                elif group == "innovation":
                    innovation = _copy(innovation, **{name: new})
                else:
                    reform = _copy(reform, **{name: new})
            elif lever in self.chain_keys:
                if presence is None:
                    presence = dict(s.chains.presence)
                for key in self.chain_keys[lever]:
                    presence[key] = _lift(presence[key], value)
            else:
                name = lever.split(".")[1]
                reform = _copy(reform, **{name: int(value) if var.integer else value})
        if weights:
            poles = _copy(poles, weights=type(s.poles.weights)(weights))
        chains = s.chains
        if presence is not None:
            chains = _copy(chains, presence=type(s.chains.presence)(presence))
        changes = dict(poles=poles, chains=chains, innovation=innovation, reform=reform)
        if self.assumption_ids:
            merged = dict(s.assumptions)
            merged.update(zip(self.assumption_ids, assumptions.tolist(), strict=True))
            changes["assumptions"] = type(s.assumptions)(merged)
        return _copy(s, **changes)
