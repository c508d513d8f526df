"""Sweep members as Scenarios, built in bulk: a million points cannot each pay for validation.

:meth:`LeverSpace.scenario <jjjplan.goalseek.levers.LeverSpace.scenario>` re-validates the
whole scenario and clips 105 chain milestones with numpy per call (~15 ms); a sweep member
differs from the start only in values that :mod:`jjjplan.explore.sampling` drew inside each
lever's and assumption's allowed range, which validation always accepts. So members are
built like ``uncertainty.design.members``: the start's fields copied, the swept ones
replaced, no re-validation (tests check sampled members against ``validate``).

Why column by column: the lever arithmetic (:func:`~jjjplan.goalseek.levers.ramp`'s 2030
half-step, :func:`~jjjplan.goalseek.levers.lift`'s clipped chain lifts) is done once per
column over the whole chunk with numpy — the same float operations as the scalar functions,
so members are equal to LeverSpace's — and only the final objects are made per member.
Chain segments that start from the same milestones share one lifted object per member, so a
member makes ~8 milestone objects per province instead of 35.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

from jjjplan.goalseek.levers import CHAIN_LEVERS, MILESTONE_LEVERS
from jjjplan.scenario import LEVERS, Milestones, Scenario

if TYPE_CHECKING:
    from jjjplan.explore.sampling import SweepSpace

__all__ = ["MemberBuilder", "collector_paused"]

_GROUPS = ("poles", "innovation", "reform")


def _copies(base, names: list[str], rows) -> list:
    """Copies of the frozen dataclass ``base``, one per row of new values for the fields
    ``names``, without running ``__post_init__`` (the values were drawn in range)."""
    new = object.__new__
    cls, fields = type(base), vars(base)
    out = []
    for row in rows:
        obj = new(cls)
        state = vars(obj)
        state.update(fields)
        state.update(zip(names, row, strict=True))
        out.append(obj)
    return out


@contextmanager
def collector_paused():
    """Pause :mod:`gc`'s cyclic collector (reference counting still frees everything; a
    caller that had it paused keeps it paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _milestones(y2025: float, y2030: list[float], y2035: list[float]) -> list[Milestones]:
    """``[Milestones(y2025, a, b) for a, b in zip(y2030, y2035)]``, the three fields written
    straight into each new object: equal objects at half the cost (the dataclass
    ``__init__`` sets each field through the frozen class's ``object.__setattr__``), and a
    sweep chunk makes ~50,000 of them. (Tests check the fields are still these three and
    that ``Milestones`` still has no ``__post_init__`` to skip.)"""
    new = object.__new__
    out = []
    for a, b in zip(y2030, y2035, strict=True):
        m = new(Milestones)
        state = m.__dict__
        state["y2025"] = y2025
        state["y2030"] = a
        state["y2035"] = b
        out.append(m)
    return out


def _keep_unchanged(old, made: list, change: np.ndarray) -> list:
    """``made`` with ``old`` itself where the change is zero (a member at the start shares
    the start's object); the usual all-changed column is returned as is."""
    if not (change == 0).any():
        return made
    return [old if c == 0 else m for c, m in zip(change.tolist(), made, strict=True)]


class MemberBuilder:
    """Rows of sweep inputs → Scenarios around the sweep's start."""

    def __init__(self, space: SweepSpace) -> None:
        self.space = space
        self.start = start = space.levers.start
        self.variables = space.levers.variables
        self.assumption_ids = [a.id for a in space.assumptions]
        self.presence_keys = tuple(start.chains.presence)
        self.weights: list[tuple[int, str]] = []  # (column, pole unit)
        self.milestones: list[tuple[int, str, str]] = []  # (column, group, field)
        self.scalars: list[tuple[int, str, bool]] = []  # (column, reform field, integer)
        self.chains: list[tuple[int, str]] = []  # (column, province)
        for j, var in enumerate(self.variables):
            if var.lever == "poles.weights":
                self.weights.append((j, var.unit))
            elif var.lever in MILESTONE_LEVERS:
                group, name = var.lever.split(".")
                self.milestones.append((j, group, name))
            elif var.lever in CHAIN_LEVERS:
                self.chains.append((j, var.lever.rsplit(".", 1)[1]))
            else:
                self.scalars.append((j, var.lever.split(".")[1], var.integer))

    def build(self, values: np.ndarray) -> list[Scenario]:
        """One Scenario per row (levers, then assumptions). The cyclic garbage collector is
        paused meanwhile: a chunk makes ~30 objects per member, none in a cycle, and the
        collector's passes over them were half the build time (measured, 2,000 members).
        (:func:`~jjjplan.explore.runner.evaluate_chunk` keeps it paused until the members
        are freed: otherwise its first passes after the build still walk them all.)"""
        with collector_paused():
            return self._build(values)

    def _build(self, values: np.ndarray) -> list[Scenario]:
        values = np.asarray(values, dtype=float)
        k = len(values)
        if k == 0:
            return []
        s = self.start
        fields: dict[str, dict[str, list]] = {g: {} for g in _GROUPS}
        if self.weights:
            units = [u for _, u in self.weights]
            cols = values[:, [j for j, _ in self.weights]].tolist()
            frozen = type(s.poles.weights)
            fields["poles"]["weights"] = [frozen(zip(units, row, strict=True)) for row in cols]
        for j, group, name in self.milestones:
            fields[group][name] = self._ramped(getattr(getattr(s, group), name), j, values)
        for j, name, integer in self.scalars:
            column = values[:, j]
            fields["reform"][name] = (column.astype(int) if integer else column).tolist()

        parts = {}
        for group in _GROUPS:
            base = getattr(s, group)
            changed = fields[group]
            if not changed:
                parts[group] = [base] * k
                continue
            parts[group] = _copies(base, list(changed), zip(*changed.values(), strict=True))
        parts["chains"] = self._chains(values, k)
        if self.assumption_ids:
            drawn = values[:, len(self.variables) :].tolist()
            parts["assumptions"] = self._assumptions(drawn)
        return _copies(s, list(parts), zip(*parts.values(), strict=True))

    def _assumptions(self, drawn: list[list[float]]) -> list:
        """The start's assumptions with the drawn ones replaced, one mapping per row, keys
        in the start's (canonical) order. Each new read-only mapping is filled with
        ``dict.update`` before anyone else sees it (its own ``update`` refuses): one copy per
        member instead of three."""
        base, ids = self.start.assumptions, self.assumption_ids
        frozen, fill = type(base), dict.update
        out = []
        for row in drawn:
            merged = frozen(base)
            fill(merged, zip(ids, row, strict=True))
            out.append(merged)
        return out

    def _ramped(self, old: Milestones, j: int, values: np.ndarray) -> list[Milestones]:
        """:func:`~jjjplan.goalseek.levers.ramp` over a column: 2035 set, 2030 half-way."""
        spec = LEVERS[self.variables[j].lever]
        y2035 = values[:, j]
        change = y2035 - old.y2035
        y2030 = np.clip(old.y2030 + change / 2, spec.low, spec.high)
        return _keep_unchanged(old, _milestones(old.y2025, y2030.tolist(), y2035.tolist()), change)

    def _chains(self, values: np.ndarray, k: int) -> list:
        """Chain filling per member: each province's segments lifted by its column
        (:func:`~jjjplan.goalseek.levers.lift`: 2035 by the lift, 2030 by half, within 0–1)."""
        chains = self.start.chains
        if not self.chains:
            return [chains] * k
        presence = chains.presence
        # per key: a list of K milestone objects (shared by keys with the same start)
        per_key: dict[str, list[Milestones]] = {}
        for j, province in self.chains:
            amount = values[:, j]
            keys = [key for key in self.presence_keys if key.endswith("/" + province)]
            lifted: dict[tuple[float, float, float], list[Milestones]] = {}
            for key in keys:
                old = presence[key]
                if old.values() not in lifted:
                    y2030 = np.clip(old.y2030 + amount / 2, 0.0, 1.0).tolist()
                    y2035 = np.clip(old.y2035 + amount, 0.0, 1.0).tolist()
                    made = _milestones(old.y2025, y2030, y2035)
                    lifted[old.values()] = _keep_unchanged(old, made, amount)
                per_key[key] = lifted[old.values()]
        frozen = type(presence)
        keys = self.presence_keys
        columns = [per_key.get(key) or repeat(presence[key], k) for key in keys]
        presences = [frozen(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
        return _copies(chains, ["presence"], zip(presences))
