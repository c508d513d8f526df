"""Uncertainty: ensembles with bands, robust comparisons, global sensitivity (issue 10).

Everything draws assumptions through :mod:`jjjplan.uncertainty.design` (``scipy.stats.qmc``
through each assumption's ``ppf``) and projects with :func:`jjjplan.project_many`.
Names are imported on first use, so the CLI can register its options without loading numpy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jjjplan.uncertainty.compare import RobustComparison, compare_ensembles
    from jjjplan.uncertainty.dashboard import dashboard_bands, dashboard_probability
    from jjjplan.uncertainty.ensembles import QUANTILES, Ensemble, ensemble
    from jjjplan.uncertainty.gsa import sensitivity

_EXPORTS = {
    "RobustComparison": "compare",
    "compare_ensembles": "compare",
    "dashboard_bands": "dashboard",
    "dashboard_probability": "dashboard",
    "QUANTILES": "ensembles",
    "Ensemble": "ensembles",
    "ensemble": "ensembles",
    "sensitivity": "gsa",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jjjplan.uncertainty' has no attribute {name!r}")
    return getattr(import_module(f"jjjplan.uncertainty.{module}"), name)


__all__ = [
    "QUANTILES",
    "Ensemble",
    "RobustComparison",
    "compare_ensembles",
    "dashboard_bands",
    "dashboard_probability",
    "ensemble",
    "sensitivity",
]
