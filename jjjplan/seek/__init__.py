"""Goal seek: planners state targets, jjjplan finds lever settings that meet them.

:func:`seek` searches the free levers (:mod:`~jjjplan.seek.levers`) with scipy.optimize on
batches from :func:`jjjplan.project_many` (:mod:`~jjjplan.seek.solve`); robust seeking judges
candidates on common assumption draws (:mod:`~jjjplan.seek.draws`).
"""

from jjjplan.seek.levers import FREE_LEVERS, SeekError
from jjjplan.seek.solve import OBJECTIVES, SeekResult, lever_effects, seek

__all__ = ["FREE_LEVERS", "OBJECTIVES", "SeekError", "SeekResult", "lever_effects", "seek"]
