"""Goal seek: planners state targets, jjjplan finds lever settings that meet them.

:func:`seek` searches the free levers (:mod:`~jjjplan.goalseek.levers`) with scipy.optimize on
batches from :func:`jjjplan.project_many` (:mod:`~jjjplan.goalseek.solve`); robust seeking judges
candidates on common assumption draws (:mod:`~jjjplan.goalseek.draws`).
"""

from jjjplan.goalseek.levers import FREE_LEVERS, SeekError
from jjjplan.goalseek.solve import OBJECTIVES, SeekResult, lever_effects, seek

__all__ = ["FREE_LEVERS", "OBJECTIVES", "SeekError", "SeekResult", "lever_effects", "seek"]
