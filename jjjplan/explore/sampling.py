"""Sampling a sweep: levers within their allowed ranges and assumptions from their distributions.

Why chunks own their points: every chunk draws its own Latin hypercube from the seed
sequence ``(seed, chunk index)``, so a chunk's inputs (and therefore its outcomes) are the
same on a laptop process or a Dask worker, and a resumed run recomputes exactly the
missing chunks. Lever columns are uniform over ``LEVERS`` ranges (whole numbers for integer
levers); pole weights are normalised exponential spacings of their LHS columns, i.e.
uniform on the simplex; assumptions go through each one's ``ppf``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from jjjplan.assumptions import Assumption
from jjjplan.baseline import unit_codes
from jjjplan.goalseek.levers import FREE_LEVERS, LeverSpace, lever_space, resolve_free
from jjjplan.scenario import Scenario
from jjjplan.uncertainty.design import to_values, uncertain_assumptions, unit_design

__all__ = ["SweepSpace", "chunk_inputs", "chunk_seed", "sweep_space"]

ASSUMPTION_PREFIX = "assumptions."


@dataclass(frozen=True)
class SweepSpace:
    """What a sweep varies around a starting scenario: lever variables and assumptions."""

    levers: LeverSpace
    assumptions: tuple[Assumption, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Input column names: lever variables (``poles.weights.BD`` …), then assumptions."""
        return (
            *(v.name for v in self.levers.variables),
            *(ASSUMPTION_PREFIX + a.id for a in self.assumptions),
        )

    @property
    def dims(self) -> int:
        return len(self.columns)

    def inputs(self, unit: np.ndarray) -> np.ndarray:
        """Unit-cube points [n, dims] → input values in planners' units [n, dims]."""
        unit = np.asarray(unit, dtype=float)
        out = np.empty_like(unit)
        n_lever = len(self.levers.variables)
        lo, hi = self.levers.low, self.levers.high
        integer = self.levers.integer
        u = unit[:, :n_lever]
        cont = lo + u * (hi - lo)
        whole = np.minimum(np.floor(lo + u * (hi - lo + 1)), hi)  # uniform whole numbers
        out[:, :n_lever] = np.where(integer, whole, cont)
        w = self.levers.weight_index()
        if len(w):
            spacing = -np.log1p(-unit[:, w])  # exponential(1) from LHS columns
            out[:, w] = spacing / spacing.sum(axis=1, keepdims=True)
        if self.assumptions:
            out[:, n_lever:] = to_values(unit[:, n_lever:], self.assumptions)
        return out

    def scenarios(self, values: np.ndarray) -> list[Scenario]:
        """One scenario per row of input values (levers then assumptions)."""
        from jjjplan.explore.members import MemberBuilder

        return MemberBuilder(self).build(values)


def sweep_space(
    scenario: Scenario,
    levers: list[str] | tuple[str, ...] | None = None,
    assumptions: bool | list[str] | tuple[str, ...] = True,
) -> SweepSpace:
    """The sweep around ``scenario``: ``levers`` (None = every lever goal seek can move;
    ``chains.presence`` = the three provinces' lifts) and ``assumptions`` (True = every
    assumption with a range, False = none, or a list of ids)."""
    names = resolve_free(FREE_LEVERS if levers is None else levers)
    space = _canonical(lever_space(scenario, names))
    if assumptions is True:
        chosen = uncertain_assumptions()
    elif assumptions is False or assumptions is None:
        chosen = ()
    else:
        chosen = uncertain_assumptions(list(assumptions))
    return SweepSpace(space, tuple(chosen))


def _canonical(space: LeverSpace) -> LeverSpace:
    """Pole-weight variables in the fixed unit order (``baseline.unit_codes``), not in the
    order of the scenario's weights mapping: which LHS column feeds which pole must not
    depend on how the workbook was read, or the same seed would differ between runs."""
    order = {u: i for i, u in enumerate(unit_codes())}
    variables = list(space.variables)
    slots = [i for i, v in enumerate(variables) if v.lever == "poles.weights"]
    ordered = sorted((variables[i] for i in slots), key=lambda v: order.get(v.unit, len(order)))
    for i, v in zip(slots, ordered, strict=True):
        variables[i] = v
    return dataclasses.replace(space, variables=tuple(variables))


def chunk_seed(seed: int, chunk: int) -> int:
    """A 32-bit seed for chunk ``chunk`` of a sweep seeded ``seed`` (numpy SeedSequence)."""
    return int(np.random.SeedSequence([int(seed), int(chunk)]).generate_state(1)[0])


def chunk_inputs(space: SweepSpace, seed: int, chunk: int, size: int) -> np.ndarray:
    """Input values of chunk ``chunk`` ([size, dims]): its own Latin hypercube."""
    return space.inputs(unit_design(space.dims, size, "lhs", chunk_seed(seed, chunk)))
