"""Uncertainty: ensembles with bands, robust comparisons, global sensitivity (issue 10).

Everything draws assumptions through :mod:`jjjplan.uncertainty.design` and projects through
one :func:`jjjplan.project_many` batch.
"""

from jjjplan.uncertainty.ensemble import QUANTILES, Ensemble, ensemble

__all__ = ["QUANTILES", "Ensemble", "ensemble"]
