"""Uncertainty: ensembles with bands, robust comparisons, global sensitivity (issue 10).

Everything draws assumptions through :mod:`jjjplan.uncertainty.design` (``scipy.stats.qmc``
through each assumption's ``ppf``) and projects with :func:`jjjplan.project_many`.
"""

from jjjplan.uncertainty.compare import RobustComparison, compare_ensembles
from jjjplan.uncertainty.dashboard import dashboard_bands, dashboard_probability
from jjjplan.uncertainty.ensembles import QUANTILES, Ensemble, ensemble
from jjjplan.uncertainty.gsa import sensitivity

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
