"""``ensemble``: one scenario under many draws of its uncertain assumptions, and its bands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from jjjplan.results import COLUMNS, RATIO_NAMES
from jjjplan.scenario import Scenario
from jjjplan.uncertainty.design import (
    held_fixed,
    members,
    to_values,
    uncertain_assumptions,
    unit_design,
)
from jjjplan.uncertainty.evaluate import (
    BAND_VARIABLES,
    Outcomes,
    Progress,
    evaluate,
    region_unit,
)

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Columns of a band table: the canonical tidy columns with ``quantile`` before ``value``.
BAND_COLUMNS = (*COLUMNS[:-1], "quantile", "value")


@dataclass(frozen=True, eq=False)  # holds arrays: compare their contents, not objects
class Ensemble:
    """A scenario projected under ``len(samples)`` draws of its uncertain assumptions.

    ``samples`` holds the drawn values (rows = members, columns = assumption ids); ``fixed``
    lists assumptions the planner set in the workbook, which are kept, not drawn.
    """

    scenario: Scenario
    method: str
    seed: int
    samples: pd.DataFrame
    fixed: tuple[str, ...]
    outcomes: Outcomes

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def years(self) -> np.ndarray:
        return self.outcomes.years

    def _frame(self, names: Sequence[str]) -> pd.DataFrame:
        o = self.outcomes
        k, t = len(self), len(o.years)
        cols = [o.indicator_names.index(n) for n in names]
        index = pd.MultiIndex.from_product([range(k), o.years], names=["member", "year"])
        return pd.DataFrame(o.indicators[:, :, cols].reshape(k * t, len(cols)), index, names)

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Gap measures of every member, index (member, year), columns as ``Results.gaps``."""
        return self._frame([n for n in self.outcomes.indicator_names if n not in RATIO_NAMES])

    @cached_property
    def ratios(self) -> pd.DataFrame:
        """Per-capita ratios and JJJ's national share of every member, index (member, year)."""
        return self._frame([n for n in self.outcomes.indicator_names if n in RATIO_NAMES])

    def bands(self, quantiles: Iterable[float] = QUANTILES) -> pd.DataFrame:
        """Quantiles over the members, tidy: scenario, region, year, variable, unit, quantile,
        value — GDP and per-capita GDP by unit, province and JJJ, the ratios and every gap
        measure (regionwide ones under region ``JJJ``)."""
        q = np.asarray(tuple(quantiles), dtype=float)
        if q.size == 0 or np.any((q < 0) | (q > 1)):
            raise ValueError(f"分位数应在0–1之间 / quantiles must lie in [0, 1]: {q.tolist()}")
        o = self.outcomes
        blocks = [np.quantile(o.indicators, q, axis=0)]  # [Q, T, C]
        keys = [("JJJ", name, o.unit_of(name)) for name in o.indicator_names]
        if o.region_values is not None:
            shown = o.region_values[..., : len(BAND_VARIABLES)]
            reg = np.quantile(shown, q, axis=0)  # [Q, T, R, band variables]
            for v, variable in enumerate(BAND_VARIABLES):
                blocks.append(reg[:, :, :, v])
                keys += [(r, variable, region_unit(variable)) for r in o.regions]
        values = np.concatenate(blocks, axis=2)  # [Q, T, S] for S series
        nq, nt, ns = values.shape
        region, variable, unit = (np.array(x, dtype=object) for x in zip(*keys, strict=True))
        df = pd.DataFrame(
            {
                "scenario": self.scenario.name,
                "region": np.repeat(region, nt * nq),
                "year": np.tile(np.repeat(o.years, nq), ns),
                "variable": np.repeat(variable, nt * nq),
                "unit": np.repeat(unit, nt * nq),
                "quantile": np.tile(q, nt * ns),
                "value": values.transpose(2, 1, 0).reshape(-1),
            }
        )
        return df.loc[:, list(BAND_COLUMNS)]


def draw(
    scenario: Scenario,
    draws: int,
    seed: int,
    method: str,
    assumptions: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...], list[Scenario]]:
    """The drawn values (members × ids), the held-fixed ids and the member scenarios."""
    table = uncertain_assumptions(assumptions)
    values = to_values(unit_design(len(table), draws, method, seed), table)
    samples = pd.DataFrame(values, columns=[a.id for a in table])
    samples.index.name = "member"
    fixed = held_fixed(scenario, table)
    samples = samples.drop(columns=list(fixed))
    return samples, fixed, members(scenario, values, table)


def ensemble(
    scenario: Scenario,
    draws: int = 1000,
    seed: int = 0,
    method: str = "lhs",
    *,
    assumptions: Iterable[str] | None = None,
    progress: Progress | None = None,
    data: Any = None,
) -> Ensemble:
    """Project ``scenario`` under ``draws`` draws of its uncertain assumptions.

    Draws come from each assumption's distribution (``ppf``) over a Latin hypercube
    (``method="lhs"``), scrambled Sobol points (``"sobol"``) or plain random numbers
    (``"random"``); the same seed gives identical results. ``assumptions`` limits which ids
    are drawn (default: every one with a range); ``data`` is the baseline data, as for
    :func:`jjjplan.project_many`. All members go to one ``project_many`` call.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"ensemble: expected a Scenario, found {type(scenario).__name__}")
    samples, fixed, scenarios = draw(scenario, draws, seed, method, assumptions)
    outcomes = evaluate(scenarios, regions=True, progress=progress, data=data)
    return Ensemble(scenario, method, seed, samples, fixed, outcomes)
