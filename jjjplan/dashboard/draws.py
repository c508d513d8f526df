"""The dashboard's assumption draws, evaluated once per update: bands, P(better than the
baseline) and the scenario's draws kept for the targets' P(met).

Why a module of its own: the bands and the probability readout
(:func:`jjjplan.uncertainty.dashboard_bands_and_probability`) and the targets table's
probability of meeting each target (:mod:`jjjplan.dashboard.targets_panel`) must come from
the SAME projected draws — projecting them twice would double the cost of every lever
release. This is that function's joint evaluation with the scenario's share of the draws
returned as well (and regional GDP kept when a target needs it); the bands and the
probability are computed by the uncertainty package's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from jjjplan.scenario import Scenario
from jjjplan.targets import REGIONAL
from jjjplan.uncertainty.dashboard import _bands, _probability, cached_values
from jjjplan.uncertainty.design import members, uncertain_assumptions
from jjjplan.uncertainty.ensembles import QUANTILES
from jjjplan.uncertainty.evaluate import Outcomes, evaluate

__all__ = ["DashboardDraws", "evaluate_draws", "needs_regions"]


@dataclass(frozen=True, eq=False)
class DashboardDraws:
    """One update's draws: the bands and P(better) tables, and the scenario's own draws
    (``outcomes``, shaped like an ensemble's, so the results workbook's target check reads
    them unchanged)."""

    bands: pd.DataFrame
    probability: pd.DataFrame
    outcomes: Outcomes


def needs_regions(scenario: Scenario) -> bool:
    """True when a target of ``scenario`` is a regional GDP figure (kept only on request)."""
    return any(t.indicator in REGIONAL for t in getattr(scenario, "targets", ()) or ())


def evaluate_draws(
    scenario: Scenario,
    baseline: Scenario,
    draws: int,
    seed: int = 0,
    *,
    method: str = "lhs",
    quantiles=QUANTILES,
    data=None,
) -> DashboardDraws:
    """Project ``draws`` assumption draws of ``scenario`` and of ``baseline`` (common random
    numbers, one batch) and derive everything the dashboard shows from them."""
    values, table = cached_values(draws, seed, method), uncertain_assumptions()
    joint = evaluate(
        [*members(scenario, values, table), *members(baseline, values, table)],
        data=data,
        regions=needs_regions(scenario),
    )
    own = joint.take(0, draws)
    q = tuple(float(x) for x in quantiles)
    return DashboardDraws(_bands(own, q), _probability(joint, draws), own)
