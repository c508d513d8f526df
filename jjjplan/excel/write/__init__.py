"""Write: the workbooks jjjplan produces — the template, results and comparison workbooks.

Flow: ``template`` writes the scenario workbook a planner edits (from
:mod:`jjjplan.excel.layout`, the declaration the reader also uses; ``examples`` are the
shipped scenarios); ``results`` and ``comparison`` lay out the result sheets, through
``sheetio`` (safe cell writing), ``styles``, ``charts``, ``indicators``, ``levers`` and
``provenance``, so a number reads the same in both. Every file is saved atomically
(:mod:`jjjplan.excel.safety`). The last room: it may use guard and read, nothing uses it.
"""

from jjjplan.excel.write.comparison import write_comparison
from jjjplan.excel.write.results import write_results
from jjjplan.excel.write.template import make_template

__all__ = ["make_template", "write_comparison", "write_results"]
