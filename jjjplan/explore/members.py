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

A sweep chunk needs no objects at all: :meth:`MemberBuilder.levers` writes the same columns
straight into the engine's lever arrays (:class:`~jjjplan.model.inputs.MemberLevers`), so
~30 objects per member are neither made nor read back (2.4x less CPU per chunk, measured by
``benchmarks/bench_explore.py``), and the Scenarios are built only for a member someone asks
about (:class:`LazyMembers`). Tests pin the two routes' projections equal to the last bit.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

from jjjplan.goalseek.levers import CHAIN_LEVERS, MILESTONE_LEVERS
from jjjplan.model.inputs import (
    MILESTONE_COLUMNS,
    RULE_FIELDS,
    MemberLevers,
    chain_layout,
    chain_paths_from_values,
    collect_levers,
    presence_matrix,
)
from jjjplan.scenario import LEVERS, Milestones, Scenario

if TYPE_CHECKING:
    from jjjplan.explore.sampling import SweepSpace

__all__ = ["LazyMembers", "MemberBuilder", "collector_paused"]

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


def _lift_columns(old2030, old2035, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(2030, 2035) values of :func:`~jjjplan.goalseek.levers.lift` by ``amount``: 2035 by
    the lift, 2030 by half, within 0–1 (no lift: the start's milestones). Elementwise, so
    one segment's start [scalar] and lifts [K], or many segments' [S] and lifts [K, 1]."""
    y2030 = np.clip(old2030 + amount / 2, 0.0, 1.0)
    y2035 = np.clip(old2035 + amount, 0.0, 1.0)
    unchanged = amount == 0
    return np.where(unchanged, old2030, y2030), np.where(unchanged, old2035, y2035)


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

    def levers(
        self, values: np.ndarray, units: tuple[str, ...], base_year: int, years: tuple[int, ...]
    ) -> MemberLevers:
        """The members of :meth:`build` as the engine's lever arrays, straight from the
        sample columns: no Scenario objects made and read back. The start's effective levers
        (:func:`~jjjplan.model.inputs.collect_levers` of the start) are repeated, then each
        swept column is written with the same arithmetic :meth:`build` uses (tests pin the
        projections equal to the last bit)."""
        values = np.asarray(values, dtype=float)
        k = len(values)
        start = self.start
        one = collect_levers([start], units, base_year, years)

        def rows(x: np.ndarray) -> np.ndarray:
            return np.repeat(x, k, axis=0)

        weights = rows(one.weights)
        if self.weights:
            col = {u: i for i, u in enumerate(units)}
            weights[:] = 0.0  # a member's weights are exactly the swept units'
            weights[:, [col[u] for _, u in self.weights]] = values[:, [j for j, _ in self.weights]]
        milestones = rows(one.milestones)
        for j, group, name in self.milestones:
            y2030, y2035 = self._ramp_columns(getattr(getattr(start, group), name), j, values)
            first = MILESTONE_COLUMNS[f"{group}.{name}"].start
            milestones[:, first + 1], milestones[:, first + 2] = y2030, y2035
        rule = rows(one.rule)
        for j, name, integer in self.scalars:
            column = values[:, j]
            rule[:, RULE_FIELDS.index(name)] = column.astype(int) if integer else column
        assumptions = rows(one.assumptions)
        if self.assumption_ids:
            where = {a: i for i, a in enumerate(one.assumption_ids)}
            drawn = values[:, len(self.variables) :]
            assumptions[:, [where[a] for a in self.assumption_ids]] = drawn
        if self.chains:
            chain_share, chain_alloc = self._chain_paths(values, one.start[0], years)
        else:
            chain_share, chain_alloc = rows(one.chain_share), rows(one.chain_alloc)
        return MemberLevers(
            scenarios=LazyMembers(self, values),
            units=tuple(units),
            years=tuple(years),
            assumption_ids=one.assumption_ids,
            assumptions=assumptions,
            national=rows(one.national),
            start=rows(one.start),
            weights=weights,
            milestones=milestones,
            rule=rule,
            tech_split=rows(one.tech_split),
            chain_share=chain_share,
            chain_alloc=chain_alloc,
            overrides=tuple(range(k)) if start.baseline_overrides else (),
        )

    def _chain_paths(self, values: np.ndarray, start_year: int, years: tuple[int, ...]):
        """(share [K, C, T], alloc [K, C, T, 3]) of the members' lifted chain presence,
        from a [K, M, 3] milestone matrix written column by column (as :meth:`_chains`)."""
        keys = chain_layout().keys
        presence = presence_matrix([self.start.chains.presence], keys)  # [1, M, 3]
        matrix = np.repeat(presence, len(values), axis=0)  # [K, M, 3]
        for j, province in self.chains:
            own = [m for m, key in enumerate(keys) if key.endswith("/" + province)]
            old = presence[0, own]  # [S, 3]
            y2030, y2035 = _lift_columns(old[:, 1], old[:, 2], values[:, j, None])
            matrix[:, own, 1], matrix[:, own, 2] = y2030, y2035
        paths = chain_paths_from_values(matrix, [start_year] * len(values), years)
        return paths.share, paths.alloc

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
        y2030, y2035 = self._ramp_columns(old, j, values)
        made = _milestones(old.y2025, y2030.tolist(), y2035.tolist())
        return _keep_unchanged(old, made, y2035 - old.y2035)

    def _ramp_columns(self, old: Milestones, j: int, values: np.ndarray):
        """(2030, 2035) values [K] of :func:`~jjjplan.goalseek.levers.ramp` over column j
        (a member at the start keeps the start's milestones, as ``ramp`` returns them)."""
        spec = LEVERS[self.variables[j].lever]
        y2035 = values[:, j]
        change = y2035 - old.y2035
        y2030 = np.clip(old.y2030 + change / 2, spec.low, spec.high)
        return np.where(change == 0, old.y2030, y2030), y2035

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
                    y2030, y2035 = _lift_columns(old.y2030, old.y2035, amount)
                    made = _milestones(old.y2025, y2030.tolist(), y2035.tolist())
                    lifted[old.values()] = _keep_unchanged(old, made, amount)
                per_key[key] = lifted[old.values()]
        frozen = type(presence)
        keys = self.presence_keys
        columns = [per_key.get(key) or repeat(presence[key], k) for key in keys]
        presences = [frozen(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
        return _copies(chains, ["presence"], zip(presences))


class LazyMembers(Sequence):
    """A chunk's members as Scenarios, each built only when asked for (an error message
    naming a member, ``batch[k].scenario``): a sweep projects them from arrays."""

    def __init__(self, builder: MemberBuilder, values: np.ndarray) -> None:
        self._builder, self._values = builder, values

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self._builder.build(self._values[k]))
        k = range(len(self))[k]  # negative indices; IndexError when out of range
        return self._builder.build(self._values[k : k + 1])[0]
