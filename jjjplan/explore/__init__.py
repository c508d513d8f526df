"""Exploration at scale (issue 12): Latin-hypercube sweeps of levers and assumptions, stored
as Parquet chunk by chunk, on local processes or a Dask cluster, and PRIM scenario
discovery of where a condition (``bj_he_ratio@2035<=3.0``) holds.

Modules: :mod:`~.sampling` (what is drawn, per-chunk seeds), :mod:`~.members` (a chunk's
members as the engine's lever arrays, or as Scenarios built in bulk), :mod:`~.outcomes` (a
chunk's indicators at the outcome years, as arrays), :mod:`~.runner` (chunks on processes
or Dask, a bounded number in flight), :mod:`~.storage` (Parquet chunks, resumption,
chunk-by-chunk reading), :mod:`~.sweep` (``explore``), :mod:`~.discovery` (PRIM and
feature scores), :mod:`~.report` (``discovery.xlsx``), :mod:`~.ema` (EMA Workbench bridge).
"""

import sys
import types

from jjjplan.explore.runner import SchedulerError
from jjjplan.explore.storage import SweepFolderError, read_samples
from jjjplan.explore.sweep import ExploreError, Sweep, explore, parse_where


def ema_model(*args, **kwargs):
    """An EMA Workbench ``Model`` of jjjplan (see :func:`jjjplan.explore.ema.ema_model`)."""
    from jjjplan.explore.ema import ema_model as build

    return build(*args, **kwargs)


class _CallablePackage(types.ModuleType):
    """``jjjplan.explore(scenario, ...)`` runs a sweep although ``jjjplan.explore`` is also
    this package (the issue's API names both)."""

    def __call__(self, *args, **kwargs) -> Sweep:
        return explore(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = [
    "ExploreError",
    "SchedulerError",
    "Sweep",
    "SweepFolderError",
    "ema_model",
    "explore",
    "parse_where",
    "read_samples",
]
