"""The dashboard's assumption draws, evaluated once per update: bands, P(better than the
baseline) and the scenario's draws kept for the targets' P(met).

Why a module of its own: the bands and the probability readout
(:func:`jjjplan.uncertainty.dashboard_bands_and_probability`) and the targets table's
probability of meeting each target (:mod:`jjjplan.dashboard.targets_panel`) must come from
the SAME projected draws — projecting them twice would double the cost of every lever
release. The one joint evaluation (with the baseline's draws kept between releases) is
:func:`jjjplan.uncertainty.dashboard.dashboard_draws`; this module only decides whether the
scenario's targets need regional GDP kept.
"""

from __future__ import annotations

from jjjplan.scenario import Scenario
from jjjplan.targets import REGIONAL
from jjjplan.uncertainty.dashboard import DashboardDraws, dashboard_draws
from jjjplan.uncertainty.ensembles import QUANTILES

__all__ = ["DashboardDraws", "evaluate_draws", "needs_regions"]


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
    """The dashboard's draws for one update: :func:`jjjplan.uncertainty.dashboard.dashboard_draws`
    with regional GDP kept when the scenario has a regional target."""
    return dashboard_draws(
        scenario,
        baseline,
        draws,
        seed,
        method=method,
        quantiles=quantiles,
        data=data,
        regions=needs_regions(scenario),
    )
