"""Goal seek: planners state targets, jjjplan finds lever settings that meet them.

:func:`seek` searches the free levers (:mod:`~jjjplan.goalseek.levers`) with scipy.optimize on
batches from :func:`jjjplan.project_many` (:mod:`~jjjplan.goalseek.solve`); robust seeking judges
candidates on common assumption draws (:mod:`~jjjplan.goalseek.draws`). Names load on first use,
so registering the CLI commands does not import numpy (fast ``jjjplan --help``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jjjplan.goalseek.levers import FREE_LEVERS, SeekError
    from jjjplan.goalseek.problem import SeekCancelled, SeekProgress
    from jjjplan.goalseek.solve import OBJECTIVES, SeekResult, lever_effects, seek

_EXPORTS = {
    "FREE_LEVERS": "levers",
    "SeekError": "levers",
    "SeekCancelled": "problem",
    "SeekProgress": "problem",
    "OBJECTIVES": "solve",
    "SeekResult": "solve",
    "lever_effects": "solve",
    "seek": "solve",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jjjplan.goalseek' has no attribute {name!r}")
    return getattr(import_module(f"jjjplan.goalseek.{module}"), name)


__all__ = [
    "FREE_LEVERS",
    "OBJECTIVES",
    "SeekCancelled",
    "SeekError",
    "SeekProgress",
    "SeekResult",
    "lever_effects",
    "seek",
]
